"""The platform context: one place for the values every component shares (issue 11 item 5).

A component's Args takes `ctx: PlatformContext`; restating the provider, the environment, the
domain, `protect`, a storage class or a workload identity as a loose field would let two
components of one stack disagree about them."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import components
from components.context import PlatformContext
from foundation import NO_IDENTITY, EdgeFrontend, Foundation, InterruptiblePool, StorageClasses, WorkloadIdentity
from program import load_settings

SHARED = {"provider", "environment", "domain", "protect", "highly_available", "storage", "storage_class", "fast_ssd_storage_class",
          "standard_storage_class", "identity", "interruptible", "executor_pool", "log_shipper_identity"}


def _args_classes() -> list[type]:
    found = []
    for m in pkgutil.walk_packages(components.__path__, "components."):
        module = importlib.import_module(m.name)
        found += [v for k, v in vars(module).items()
                  if k.endswith("Args") and dataclasses.is_dataclass(v) and isinstance(v, type) and v.__module__ == m.name]
    return found


def test_every_component_args_takes_the_context_and_restates_none_of_its_fields():
    classes = _args_classes()
    assert len(classes) >= 15  # DataPlatformArgs and every component DataPlatform builds
    for cls in classes:
        if cls.__name__ == "DataPlatformArgs":  # builds the context
            continue
        names = {f.name for f in dataclasses.fields(cls)}
        assert "ctx" in names, cls
        assert not names & SHARED, f"{cls.__module__}.{cls.__name__} restates {sorted(names & SHARED)}: read them from ctx"


def test_context_of_a_stack_carries_the_foundation_and_settings_values():
    s = load_settings({"data-platform:cloud": "local", "data-platform:environment": "prod", "data-platform:domain": "data.example.org"}, "ctxtest")
    pool = InterruptiblePool()
    dremio = WorkloadIdentity({"iam.gke.io/gcp-service-account": "dremio@p.iam.gserviceaccount.com"})
    f = Foundation(cloud="test", provider=object(), storage_classes=StorageClasses("fast", None), edge=EdgeFrontend(),
                   interruptible=pool, workload_identity={"dremio": dremio})
    ctx = PlatformContext.of(f, s)
    assert (ctx.provider, ctx.environment, ctx.domain, ctx.protect, ctx.highly_available) == (f.provider, "prod", "data.example.org", s.protect, s.highly_available)
    assert ctx.storage.class_name("fast-ssd") == "fast" and ctx.storage.class_name("standard") is None
    assert ctx.interruptible is pool
    assert ctx.identity("dremio") is dremio and ctx.identity("airbyte") is NO_IDENTITY
    with pytest.raises(KeyError, match="WORKLOAD_SERVICE_ACCOUNTS"):
        ctx.identity("grafana")
