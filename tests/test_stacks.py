"""Every stack file in the repository plans, renders valid manifests and a well-formed plan.json."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, stack_names
from offline_plan import manifests, plan_json
from offline_plan.mocks import FAKE_SECRET_PREFIX
from offline_plan.stack_config import load_stack_config
from offline_plan.validate import validate
from program import load_settings as load

STACKS = stack_names()
RESOURCE_KEYS = {"urn", "type", "name", "custom", "parent", "provider", "inputs", "dependencies", "propertyDependencies",
                 "protect", "retainOnDelete", "ignoreChanges", "additionalSecretOutputs"}


def test_the_repository_has_the_documented_stacks():
    assert {"dev", "prod-local"} <= set(STACKS)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_plans_and_manifests_validate(plan_stack, stack):
    result = plan_stack(stack)
    assert result.registrations, stack
    k8s_version = load(load_stack_config(ROOT, stack).values, stack).kubernetes_version
    report = validate(manifests.objects(result), k8s_version)
    assert report.errors == []
    assert report.validated > 0


@pytest.mark.parametrize("stack", STACKS)
def test_plan_json_format(plan_stack, stack):
    doc = json.loads(json.dumps(plan_json.document(plan_stack(stack))))
    assert set(doc) == {"project", "stack", "cloud", "resources", "outputs", "estimates", "policies"}
    assert set(doc["estimates"]) == {"deployTime", "monthlyCost"}
    assert doc["project"] == "data-platform" and doc["stack"] == stack
    urns = {r["urn"] for r in doc["resources"]}
    for r in doc["resources"]:
        assert set(r) == RESOURCE_KEYS
        assert r["urn"].startswith(f"urn:pulumi:{stack}::data-platform::")
        assert all(d in urns for d in r["dependencies"]), r["urn"]
        assert r["parent"] is None or r["parent"] in urns or r["parent"].endswith(f"data-platform-{stack}")


@pytest.mark.parametrize("stack", STACKS)
def test_no_generated_secret_in_plaintext(plan_stack, stack):
    """Mock RandomPassword results start with mocks.FAKE_SECRET_PREFIX; none may leak into inputs or outputs."""
    result = plan_stack(stack)
    text = json.dumps(plan_json.document(result))
    assert FAKE_SECRET_PREFIX not in text
    objs = json.dumps(list(manifests.objects(result)))
    assert FAKE_SECRET_PREFIX not in objs


def test_every_kubernetes_object_has_a_name_and_namespaced_kinds_a_namespace(plan_stack):
    cluster_scoped = {"Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding", "ClusterIssuer", "CustomResourceDefinition",
                      "PriorityClass", "ClusterSecretStore", "ClusterExternalSecret", "IngressClass",
                      "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "VolumeSnapshotClass"}
    for stack in STACKS:
        for obj in manifests.objects(plan_stack(stack)):
            assert obj["metadata"].get("name"), obj
            if obj["kind"] not in cluster_scoped:
                assert obj["metadata"].get("namespace"), f"{stack}: {obj['kind']} {obj['metadata']['name']} has no namespace"


@pytest.mark.parametrize("stack", STACKS)
def test_every_chart_is_pinned_and_installed_into_a_namespace_we_label(plan_stack, stack):
    import re

    result = plan_stack(stack)
    ours = {r.inputs["metadata"]["name"] for r in result.by_type("kubernetes:core/v1:Namespace")}
    for r in result.by_type("kubernetes:helm.sh/v3:Release"):
        i = r.inputs
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", i.get("version", "")), f"{r.name}: chart version {i.get('version')!r} is not pinned"
        assert i.get("repositoryOpts", {}).get("repo", "").startswith("https://"), r.name
        assert not i.get("createNamespace"), f"{r.name}: Helm must not create (unlabelled) namespaces"
        assert i["namespace"] in ours | {"kube-system"}, f"{r.name}: namespace {i['namespace']} is not created by the program"


@pytest.mark.parametrize("stack", STACKS)
def test_architecture_diagram_shows_every_component_and_stays_renderable(plan_stack, stack):
    from offline_plan.diagram import mermaid

    result = plan_stack(stack)
    text = mermaid(result)
    for r in result.registrations:
        if not r.custom:
            assert f": {r.name}" in text or f'["{r.name}<br/>' in text, f"component {r.type} {r.name} missing"
    assert 0 < text.count("-->") <= 500  # Mermaid's default maxEdges


def test_the_readme_trimmed_dev_stack_plans_without_monitoring(plan_config):
    """README: a dev stack trimmed for a 16 GB machine (no monitoring stack, smaller Dremio)."""
    result = plan_config({"observability": {"metrics": False},
                          "dremio": {"coordinatorMemoryLimit": "3Gi", "coordinatorMemoryRequest": "2Gi", "coordinatorHeapMb": 1536,
                                     "executorMemoryLimit": "3Gi", "executorMemoryRequest": "2Gi", "executorHeapMb": 1024}})
    charts = {r.inputs["chart"] for r in result.by_type("kubernetes:helm.sh/v3:Release")}
    assert "kube-prometheus-stack" not in charts and "fluent-bit" in charts
    executor = next(o for o in manifests.objects(result) if o["kind"] == "StatefulSet" and o["metadata"]["name"] == "dremio-executor")
    assert executor["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] == "3Gi"
