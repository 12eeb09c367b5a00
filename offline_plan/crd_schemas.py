"""Custom resources without a cloudcoil model, validated against the openAPIV3Schema of their CRD
at the version the program installs (vendored JSON under offline_plan/crds/, one file per
`<group>_<version>_<Kind>.json`, each naming the chart it was taken from).

Unknown fields are forbidden, as `kubectl apply`'s strict field validation does: every object
schema that lists `properties` and does not preserve unknown fields gets
`additionalProperties: false`. CEL rules (`x-kubernetes-validations`) are not evaluated.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Optional

import jsonschema

CRD_DIR = Path(__file__).resolve().parent / "crds"


def _closed(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@functools.cache
def _validator(api_version: str, kind: str) -> Optional[jsonschema.protocols.Validator]:
    group, _, version = api_version.rpartition("/")
    path = CRD_DIR / f"{group}_{version}_{kind}.json"
    if not group or not path.is_file():
        return None
    return jsonschema.Draft7Validator(_closed(json.loads(path.read_text())))


def check(obj: dict[str, Any]) -> Optional[list[str]]:
    """None when no schema is vendored for the kind; else the errors (`path: message`), or []."""
    validator = _validator(obj.get("apiVersion", ""), obj.get("kind", ""))
    if validator is None:
        return None
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '.'}: {e.message}"
            for e in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))]
