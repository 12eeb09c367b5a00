"""Validate rendered manifests before anyone applies them.

- Built-in kinds: the Kubernetes OpenAPI schema of the configured version (kubernetes-validate,
  strict: unknown fields are errors).
- Custom resources of cert-manager, the Prometheus operator and Flux: the pydantic models
  cloudcoil generates from those projects' CRDs (pinned in requirements-dev.txt to the
  versions we install), with unknown fields forbidden.
- Gateway API and Traefik resources: their CRDs' `openAPIV3Schema` at the pinned versions
  (`crd_schemas.py`), unknown fields rejected.
- Other custom resources (CloudNativePG, ECK, External Secrets) have no offline schema package;
  they are returned as `skipped` with their apiVersion/kind, and their fields are covered by
  the components' own tests.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import kubernetes_validate

from . import crd_schemas

CR_MODELS: dict[tuple[str, str], tuple[str, str]] = {
    ("cert-manager.io/v1", "Certificate"): ("cloudcoil.models.cert_manager.v1", "Certificate"),
    ("cert-manager.io/v1", "Issuer"): ("cloudcoil.models.cert_manager.v1", "Issuer"),
    ("cert-manager.io/v1", "ClusterIssuer"): ("cloudcoil.models.cert_manager.v1", "ClusterIssuer"),
    ("monitoring.coreos.com/v1", "PodMonitor"): ("cloudcoil.models.prometheus_operator.v1", "PodMonitor"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"): ("cloudcoil.models.prometheus_operator.v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"): ("cloudcoil.models.prometheus_operator.v1", "PrometheusRule"),
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"): ("cloudcoil.models.fluxcd.helm.v2", "HelmRelease"),
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"): ("cloudcoil.models.fluxcd.source.v1", "HelmRepository"),
}


def _cr_model(api_version: str, kind: str):
    """The strict model of a custom resource kind, or None. The models are built on first import,
    so unknown fields are forbidden before any model module is imported."""
    target = CR_MODELS.get((api_version, kind))
    if target is None:
        return None
    import cloudcoil.pydantic

    cloudcoil.pydantic.BaseModel.model_config["extra"] = "forbid"
    module, name = target
    return getattr(importlib.import_module(module), name)


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
            model = _cr_model(obj.get("apiVersion", ""), obj.get("kind", ""))
            if model is None:
                crd_errors = crd_schemas.validate(obj)  # Gateway API, Traefik: their CRDs' schemas
                if crd_errors is None:
                    report.skipped.append(ident)
                else:
                    report.errors += [f"{ident}: {e}" for e in crd_errors[:3]]
                    report.validated += not crd_errors
                continue
            try:
                model.model_validate(obj)
                report.validated += 1
            except ValueError as e:  # pydantic.ValidationError
                first = str(e).splitlines()
                report.errors.append(f"{ident}: {' '.join(first[1:3]) if len(first) > 2 else str(e)}")
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.absolute_path)
            report.errors.append(f"{ident}: {path}: {e.message}")
    return report
