"""Every Kubernetes object the program registers, as YAML `kubectl apply -f` would take.

Helm releases become a Flux `HelmRepository` + `HelmRelease` pair, so the directory also
serves a GitOps repository. Secret values never appear: a Secret's secret `data`/`stringData`
shows each of its keys with the "[secret]" marker as value (so every reference to a key can be
checked) and an annotation saying the values are generated at deploy time; nested secret
values stay the "[secret]" marker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .monitor import SECRET_MARK, Registration
from .runner import PlanResult

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
FLUX_NAMESPACE = "flux-system"
NOT_OBJECTS = {"pulumi:providers:kubernetes", HELM_RELEASE}
_ORDER = {
    "Namespace": 0, "CustomResourceDefinition": 1, "HelmRepository": 2, "HelmRelease": 3,
    "StorageClass": 4, "PriorityClass": 4, "ServiceAccount": 10, "ClusterRole": 11, "Role": 11,
    "ClusterRoleBinding": 12, "RoleBinding": 12, "Secret": 13, "ConfigMap": 14,
    "PersistentVolumeClaim": 15, "NetworkPolicy": 16, "Service": 20, "Deployment": 30,
    "StatefulSet": 30, "DaemonSet": 30, "Job": 31, "CronJob": 31, "PodDisruptionBudget": 32,
    "HorizontalPodAutoscaler": 33, "Ingress": 40,
}
_SECRET_NOTE = "data-platform.io/offline-plan"


def api_version_of(type_token: str) -> tuple[str, str]:
    """`kubernetes:apps/v1:Deployment` -> ("apps/v1", "Deployment"); core/v1 -> v1."""
    _, group_version, kind = type_token.split(":", 2)
    return (group_version[len("core/"):] if group_version.startswith("core/") else group_version), kind


def _object(reg: Registration) -> dict[str, Any]:
    api_version, kind = api_version_of(reg.type)
    body = {k: v for k, v in reg.inputs.items() if k not in ("apiVersion", "kind", "metadata")}
    metadata = dict(reg.inputs.get("metadata") or {})
    metadata.setdefault("name", reg.name)
    if kind == "Secret":
        hidden = [k for k in ("data", "stringData") if body.get(k) == SECRET_MARK]
        for k in hidden:
            body[k] = {key: SECRET_MARK for key in reg.secret_keys.get(k, ())}
        if hidden:
            metadata["annotations"] = {**(metadata.get("annotations") or {}), _SECRET_NOTE: "values are generated at deploy time and not shown"}
    return {"apiVersion": reg.inputs.get("apiVersion", api_version), "kind": reg.inputs.get("kind", kind), "metadata": metadata, **body}


def _flux(reg: Registration) -> list[dict[str, Any]]:
    i = reg.inputs
    release = i.get("name") or reg.name
    namespace = i.get("namespace") or "default"
    repo = (i.get("repositoryOpts") or {}).get("repo", "")
    chart = i.get("chart", "")
    if chart.startswith("oci://"):
        repo, chart = chart.rsplit("/", 1)
    repo_name = re.sub(r"[^a-z0-9-]+", "-", (repo.split("//", 1)[-1]).lower()).strip("-")[:63].strip("-") or release
    source = {"url": repo, "interval": "1h"}
    if repo.startswith("oci://"):
        source["type"] = "oci"
    crds = "Skip" if i.get("skipCrds") else "CreateReplace"
    return [
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
         "metadata": {"name": repo_name, "namespace": FLUX_NAMESPACE}, "spec": source},
        {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
         "metadata": {"name": release, "namespace": namespace},
         "spec": {
             "interval": "1h",
             "releaseName": release,
             "chart": {"spec": {"chart": chart, "version": i.get("version"),
                                "sourceRef": {"kind": "HelmRepository", "name": repo_name, "namespace": FLUX_NAMESPACE}}},
             "install": {"createNamespace": bool(i.get("createNamespace", False)), "crds": crds},
             "upgrade": {"crds": crds},
             "values": i.get("values") or {},
         }},
    ]


def _canonical(value: Any) -> Any:
    """Keys sorted at every level (the engine's property maps carry no order), so files are
    stable from run to run and easy to diff."""
    if isinstance(value, dict):
        return {k: _canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def objects(result: PlanResult) -> Iterator[dict[str, Any]]:
    """Every Kubernetes object, Flux documents included, in apply order."""
    out: list[dict[str, Any]] = []
    for reg in result.registrations:
        if not reg.custom or not reg.type.startswith("kubernetes:"):
            continue
        if reg.type == HELM_RELEASE:
            out.extend(_flux(reg))
        elif reg.type not in NOT_OBJECTS:
            out.append(_object(reg))
    seen: set[tuple] = set()
    for obj in sorted(out, key=lambda o: (_ORDER.get(o["kind"], 50), o["metadata"].get("namespace", ""), o["kind"], o["metadata"]["name"])):
        key = (obj["apiVersion"], obj["kind"], obj["metadata"].get("namespace"), obj["metadata"]["name"])
        if key in seen:  # two releases from one chart repository share one HelmRepository
            continue
        seen.add(key)
        head = {k: obj[k] for k in ("apiVersion", "kind", "metadata")}
        yield {**head, **_canonical({k: v for k, v in obj.items() if k not in head}), "metadata": _canonical(obj["metadata"])}


def file_name(index: int, obj: dict[str, Any]) -> str:
    ns = obj["metadata"].get("namespace") or "cluster"
    return f"{index:03d}-{ns}-{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"


def write(result: PlanResult, out_dir: Path) -> list[Path]:
    mdir = out_dir / "manifests"
    mdir.mkdir(parents=True, exist_ok=True)
    for old in mdir.glob("*.yaml"):
        old.unlink()
    paths = []
    for n, obj in enumerate(objects(result)):
        path = mdir / file_name(n, obj)
        path.write_text(yaml.safe_dump(obj, sort_keys=False, default_flow_style=False))
        paths.append(path)
    return paths
