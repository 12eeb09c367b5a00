"""Validate custom resources against the `openAPIV3Schema` of their CRDs at the pinned versions,
for the kinds no schema package covers (Gateway API, Traefik, the Barman Cloud plugin, GKE's Ingress objects,
the CSI VolumeSnapshotClass).

Sources (one file per pinned bundle, no second copy of a schema):
- the Gateway API standard channel the program installs (`components/edge/crds/`, v1.5.1);
- Traefik's `Middleware` CRD from its chart at the pinned version (`schemas/traefik-41.3.0-middlewares.yaml`,
  the chart's `crds/traefik.io_middlewares.yaml`; Helm installs it from the chart itself);
- single schemas vendored as `crds/<group>_<version>_<Kind>.json` (the `openAPIV3Schema` alone,
  its `$comment` naming the chart it was taken from): the Barman Cloud plugin's `ObjectStore`, GKE's
  `ManagedCertificate` (its CRD in gke-managed-certs), `BackendConfig`/`FrontendConfig`
  (transcribed from ingress-gce's Go types, from which ingress-gce generates those CRDs at runtime), and
  `VolumeSnapshotClass` (kubernetes-csi/external-snapshotter v8.6.0, the CRD AKS and GKE serve as
  snapshot.storage.k8s.io/v1).

Unknown fields are rejected the way the API server prunes/refuses them: every object schema
with `properties` gets `additionalProperties: false` unless it preserves unknown fields
(`x-kubernetes-preserve-unknown-fields`) or already says what extra keys may be. CEL rules
(`x-kubernetes-validations`) are not evaluated offline.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = (
    ROOT / "components" / "edge" / "crds" / "gateway-api-v1.5.1-standard.yaml",
    Path(__file__).with_name("schemas") / "traefik-41.3.0-middlewares.yaml",
)
SCHEMA_DIR = Path(__file__).with_name("crds")


def strict(schema: Any) -> Any:
    """A copy of a structural schema where objects with declared properties forbid others."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: strict(v) for k, v in schema.items()}
    if "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def _crds(paths: Iterable[Path]) -> Iterable[dict[str, Any]]:
    for path in paths:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "CustomResourceDefinition":
                yield doc


@functools.cache
def validators() -> dict[tuple[str, str], jsonschema.protocols.Validator]:
    """(apiVersion, kind) -> a validator, for every served version of every CRD of the bundles."""
    out = {}
    for crd in _crds(BUNDLES):
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for v in crd["spec"]["versions"]:
            if v.get("served"):
                out[(f"{group}/{v['name']}", kind)] = jsonschema.Draft7Validator(strict(v["schema"]["openAPIV3Schema"]))
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        group, version, kind = path.stem.split("_")
        out[(f"{group}/{version}", kind)] = jsonschema.Draft7Validator(strict(json.loads(path.read_text())))
    return out


def validate(obj: dict[str, Any]) -> Optional[list[str]]:
    """Error messages (path: message) for `obj`, [] when valid, None when no CRD schema covers it."""
    validator = validators().get((obj.get("apiVersion", ""), obj.get("kind", "")))
    if validator is None:
        return None
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in sorted(validator.iter_errors(obj), key=str)]
