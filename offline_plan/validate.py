"""Validate rendered manifests before anyone applies them.

- Built-in kinds: the Kubernetes OpenAPI schema of the configured version (kubernetes-validate's
  strict schemas: unknown fields are errors). Each kind's schema is read and compiled once.
- Custom resources of cert-manager, the Prometheus operator and Flux: the pydantic models
  cloudcoil generates from those projects' CRDs (pinned in requirements-dev.txt to the
  versions we install), with unknown fields forbidden.
- Custom resources with a CRD schema the plan carries (Gateway API, Traefik, the Barman Cloud
  plugin's ObjectStore): jsonschema against the pinned CRDs, unknown fields forbidden
  (offline_plan/crd_schemas.py).
- Other custom resources (CloudNativePG, ECK, External Secrets) have no offline schema package;
  they are returned as `skipped` with their apiVersion/kind, and their fields are covered by
  the components' own tests.

Custom-resource schemas are found through `CR_SCHEMAS`, one loader per API group, called only
for the groups a plan uses and cached per (apiVersion, kind): a model package costs seconds to
import, and most of each package is versions and kinds the platform never renders.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Optional, cast

import jsonschema
import referencing
from kubernetes_validate import utils as kv_utils

from . import crd_schemas

Check = Callable[[dict], Optional[str]]
"""Validates one object: None when valid, else a one-line reason."""
Loader = Callable[[str, str], Optional[Check]]
"""(version, kind) of one API group -> its Check, or None when the group has no such kind."""


def cloudcoil_models(modules: dict[str, str]) -> Loader:
    """A loader for the cloudcoil model modules of one group, by version:
    `{"v1": "cloudcoil.models.cert_manager.v1"}`."""

    def load(version: str, kind: str) -> Optional[Check]:
        module = modules.get(version)
        if module is None:
            return None
        model = getattr(_model_module(module), kind, None)
        if not (isinstance(model, type) and issubclass(model, _strict_cloudcoil())):
            return None

        def check(obj: dict) -> Optional[str]:
            try:
                cast(Any, model).model_validate(obj)  # a cloudcoil (pydantic) model: mypy narrowed it to type[object]
            except ValueError as e:  # pydantic.ValidationError
                lines = str(e).splitlines()
                return " ".join(lines[1:3]) if len(lines) > 2 else str(e)
            return None

        return check

    return load


CR_SCHEMAS: dict[str, Loader] = {
    "cert-manager.io": cloudcoil_models({"v1": "cloudcoil.models.cert_manager.v1"}),
    "monitoring.coreos.com": cloudcoil_models({"v1": "cloudcoil.models.prometheus_operator.v1"}),
    "helm.toolkit.fluxcd.io": cloudcoil_models({"v2": "cloudcoil.models.fluxcd.helm.v2"}),
    "source.toolkit.fluxcd.io": cloudcoil_models({"v1": "cloudcoil.models.fluxcd.source.v1"}),
}


@functools.cache
def _strict_cloudcoil() -> type:
    """cloudcoil's Resource base, with unknown fields forbidden and schemas built on first
    validation (pydantic's `defer_build`: only the models a plan's objects reach are compiled).
    Both must be on cloudcoil's base model before any model class exists, ObjectMeta and
    Resource included."""
    if "cloudcoil.resources" in sys.modules:  # its models were built lenient: validation would pass typos
        raise RuntimeError("cloudcoil.resources was imported before offline_plan.validate made cloudcoil's models strict")
    import cloudcoil.pydantic

    cloudcoil.pydantic.BaseModel.model_config["extra"] = "forbid"
    cloudcoil.pydantic.BaseModel.model_config["defer_build"] = True
    from cloudcoil.resources import Resource

    return Resource


@functools.cache
def _model_module(name: str) -> ModuleType:
    """Execute one cloudcoil model module, and only it.

    Importing it by name would first run its packages' `__init__`, which import every sibling
    version and API (prometheus_operator.v1alpha1, cert-manager's acme, Flux's image, kustomize
    and notification, the beta versions): most of the cost, for kinds no plan renders. The
    module's file is loaded under a private name instead (its imports are absolute)."""
    _strict_cloudcoil()
    top, *rest = name.split(".")
    package = importlib.util.find_spec(top)
    if package is None or package.submodule_search_locations is None:  # cloudcoil: a namespace package
        raise ModuleNotFoundError(f"{top}: not an installed package (requirements.txt pins cloudcoil's models)")
    path = next(p for p in (Path(r, *rest).with_suffix(".py") for r in package.submodule_search_locations) if p.is_file())
    spec = importlib.util.spec_from_file_location(f"offline_plan._crd.{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not loadable as a module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through it
    spec.loader.exec_module(module)
    return module


@functools.cache
def _cr_check(api_version: str, kind: str) -> Optional[Check]:
    group, _, version = api_version.rpartition("/")
    loader = CR_SCHEMAS.get(group)
    return loader(version, kind) if loader else None


@dataclass
class Report:
    validated: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


@functools.cache
def _schema_versions() -> tuple[str, ...]:
    return tuple(sorted(set(kv_utils.all_versions()), key=_version_key))


def supported_version(k8s_version: str) -> str:
    """`1.34` -> `1.34.0`, clamped to the newest schema the installed package carries."""
    versions = _schema_versions()
    wanted = f"{k8s_version}.0"
    if wanted in versions:
        return wanted
    older = [v for v in versions if _version_key(v) <= _version_key(wanted)]
    return (older or versions)[-1]


@functools.cache
def _definitions(schema_dir: str) -> referencing.Resource:
    return referencing.Resource.from_contents(kv_utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/_definitions.json", schema_dir))


@functools.cache
def _builtin_validator(version: str, api_version: str, kind: str) -> Optional[jsonschema.protocols.Validator]:
    """kubernetes-validate's strict check of one built-in kind, compiled once (the package reads
    and compiles its schema files again for every object). None: not a built-in kind."""
    schema_dir = f"v{version}-local-strict"
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)  # rbac.authorization.k8s.io/v1 -> rbac-v1
    try:
        schema = kv_utils.schema_contents(f"kubernetes-json-schema/{schema_dir}/{kind.lower()}-{group_version}.json", version)
    except FileNotFoundError:
        return None
    registry = _definitions(schema_dir) @ (referencing.Resource.from_contents(schema) @ referencing.Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def validate(objs: Iterable[dict[str, Any]], k8s_version: str) -> Report:
    version = supported_version(k8s_version)
    report = Report()
    for obj in objs:
        api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
        ident = f"{api_version}/{kind} {obj.get('metadata', {}).get('namespace', '')}/{obj.get('metadata', {}).get('name')}"
        builtin = _builtin_validator(version, api_version, kind)
        if builtin is not None:
            try:
                builtin.validate(obj)
                report.validated += 1
            except jsonschema.ValidationError as e:
                path = "/".join(str(p) for p in e.absolute_path)
                report.errors.append(f"{ident}: {path}: {e.message}")
            continue
        check = _cr_check(api_version, kind)
        if check is None:
            crd_errors = crd_schemas.validate(obj)  # Gateway API, Traefik, Barman Cloud: their CRDs' schemas
            if crd_errors is not None:
                report.errors += [f"{ident}: {e}" for e in crd_errors[:3]]
                report.validated += not crd_errors
                continue
            if api_version.rpartition("/")[0] in CR_SCHEMAS:  # the API server would say "no matches for kind"
                report.errors.append(f"{ident}: no such kind in the {api_version} schemas the plan validates against")
            else:
                report.skipped.append(ident)
            continue
        error = check(obj)
        if error is None:
            report.validated += 1
        else:
            report.errors.append(f"{ident}: {error}")
    return report
