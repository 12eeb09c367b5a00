"""The platform context: one place for the values every component shares (issue 11 item 5).

A component's Args takes `ctx: PlatformContext`; restating the provider, the environment, the
domain, `protect`, a storage class, a workload identity or the secret store as a loose field
would let two components of one stack disagree about them. The secret store travels in the
context, not in a registry keyed by the provider: a component writes its Secrets through the
store of the context it was given, whatever else was built on the same provider."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

import pytest

import components
from components.context import PlatformContext
from foundation import NO_IDENTITY, EdgeFrontend, Foundation, InterruptiblePool, SecretStore, StorageClasses, WorkloadIdentity
from program import load_settings

SHARED = {"provider", "environment", "domain", "protect", "highly_available", "storage", "storage_class", "fast_ssd_storage_class",
          "standard_storage_class", "identity", "interruptible", "executor_pool", "log_shipper_identity", "secret_store"}


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
    store = SecretStore(name="test-store", key_prefix="ctxtest/", write=lambda key, values, opts: opts.parent)
    f = Foundation(cloud="test", provider=object(), storage_classes=StorageClasses("fast", None), edge=EdgeFrontend(),
                   interruptible=pool, workload_identity={"dremio": dremio}, secret_store=store)
    ctx = PlatformContext.of(f, s)
    assert (ctx.provider, ctx.environment, ctx.domain, ctx.protect, ctx.highly_available) == (f.provider, "prod", "data.example.org", s.protect, s.highly_available)
    assert ctx.secret_store is store
    assert ctx.storage.class_name("fast-ssd") == "fast" and ctx.storage.class_name("standard") is None
    assert ctx.interruptible is pool
    assert ctx.identity("dremio") is dremio and ctx.identity("airbyte") is NO_IDENTITY
    with pytest.raises(KeyError, match="WORKLOAD_SERVICE_ACCOUNTS"):
        ctx.identity("grafana")


def test_each_component_writes_its_secrets_through_the_store_of_the_context_it_was_given():
    """Two contexts on one Kubernetes provider, one with a secret store and one without, and no
    binding step: each Secret follows its own context (an ExternalSecret over a remote key the
    store wrote, or a plain Secret), not whichever store was last bound to the provider."""
    import pulumi
    import pulumi_kubernetes as k8s

    from components.secrets import platform_secret
    from kube.namespaces import APPS
    from offline_plan.runner import run_program

    s = load_settings({"data-platform:cloud": "local", "data-platform:environment": "dev"}, "ctxtest")
    written: list[str] = []

    def write(key: str, values, opts: pulumi.ResourceOptions) -> pulumi.Resource:
        written.append(key)
        return pulumi.CustomResource("test:secrets:Entry", f"entry-{key.replace('/', '-')}", {"values": dict(values)}, opts)

    def program() -> None:
        provider = k8s.Provider("k8s")
        stores = {"with-store": SecretStore(name="test-store", key_prefix="ctxtest/", write=write), "plain": None}
        for name, store in stores.items():
            f = Foundation(cloud="test", provider=provider, storage_classes=StorageClasses("fast", None), edge=EdgeFrontend(),
                           secret_store=store)
            parent = pulumi.ComponentResource("test:index:Holder", name)
            platform_secret(name, APPS, {"password": "not-a-secret"}, PlatformContext.of(f, s), parent=parent, labels={})

    registrations, _, _ = run_program(program, project="data-platform", stack="ctxtest")
    kinds = {r.inputs["metadata"]["name"]: r.type for r in registrations if r.type.startswith("kubernetes:") and "metadata" in r.inputs}
    assert kinds == {"with-store": "kubernetes:external-secrets.io/v1:ExternalSecret", "plain": "kubernetes:core/v1:Secret"}
    assert written == [f"{APPS}/with-store"]
