"""Validate rendered manifests against the Kubernetes OpenAPI schema (kubernetes-validate, strict).

Built-in kinds are checked strictly against the configured Kubernetes version; custom
resources (CloudNativePG, ECK, cert-manager, Flux, External Secrets) have no schema in
kubernetes-validate and are returned as `skipped` with their apiVersion/kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import kubernetes_validate


@dataclass
class Report:
    validated: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def supported_version(k8s_version: str) -> str:
    """`1.34` -> `1.34.0`, clamped to the newest schema the installed package carries."""
    versions = sorted(set(kubernetes_validate.utils.all_versions()), key=lambda v: tuple(int(x) for x in v.split(".")))
    wanted = f"{k8s_version}.0"
    if wanted in versions:
        return wanted
    older = [v for v in versions if tuple(int(x) for x in v.split(".")) <= tuple(int(x) for x in wanted.split("."))]
    return (older or versions)[-1]


def validate(objs: Iterable[dict[str, Any]], k8s_version: str) -> Report:
    version = supported_version(k8s_version)
    report = Report()
    for obj in objs:
        ident = f"{obj.get('apiVersion')}/{obj.get('kind')} {obj.get('metadata', {}).get('namespace', '')}/{obj.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
            report.validated += 1
        except kubernetes_validate.SchemaNotFoundError:
            report.skipped.append(ident)
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.absolute_path)
            report.errors.append(f"{ident}: {path}: {e.message}")
    return report
