"""Workload identity on Azure reaches the pods: the webhook injects the federated token only into
pods labelled `azure.workload.identity/use: "true"` whose ServiceAccount names the managed
identity's client id. So every pod that runs as an identified ServiceAccount must carry the label:
typed manifests, CloudNativePG's instances (`inheritedMetadata`) and every pod of the charts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from foundation import WORKLOAD_SERVICE_ACCOUNTS, ServiceAccountRef
from offline_plan import manifests
from offline_plan.resource_budget import CHART_PODS
from tests.test_azure_lake import IN_CLUSTER_DB

CLIENT_ID = "azure.workload.identity/client-id"
USE = {"azure.workload.identity/use": "true"}
RELEASE = "kubernetes:helm.sh/v3:Release"
# Where each chart that runs as a workload ServiceAccount names it in its values (checked with
# helm template: airbyte chart V2 2.2.0 `global.serviceAccountName`, velero 11.4.0
# `serviceAccount.server.name`, fluent-bit 0.50.0 `serviceAccount.name`).
CHART_SERVICE_ACCOUNT = {"airbyte": ("global", "serviceAccountName"), "velero": ("serviceAccount", "server", "name"),
                         "fluent-bit": ("serviceAccount", "name")}
CHART_SERVICE_ACCOUNT_ANNOTATIONS = {"velero": ("serviceAccount", "server", "annotations"), "fluent-bit": ("serviceAccount", "annotations")}


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("azure-prod")


def _get(values: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        values = (values or {}).get(key)  # type: ignore[assignment]
    return values


def identified(plan) -> dict[str, ServiceAccountRef]:
    """The apps the Azure cloud made a federated managed identity for."""
    names = {r.inputs["resourceName"] for r in plan.by_type("azure-native:managedidentity:UserAssignedIdentity")}
    return {app: sa for app, sa in WORKLOAD_SERVICE_ACCOUNTS.items() if f"{plan.stack}-{app}" in names}


def pod_templates(plan, sa: ServiceAccountRef) -> Iterator[tuple[str, Mapping[str, str]]]:
    """(what, pod labels) of every pod that runs as `sa`."""
    for o in manifests.objects(plan):
        meta, spec = o.get("metadata", {}), o.get("spec", {})
        if meta.get("namespace") != sa.namespace:
            continue
        if o["kind"] == "Cluster" and o["apiVersion"].startswith("postgresql.cnpg.io/") and meta["name"] == sa.name:
            yield f"Cluster/{meta['name']}", spec.get("inheritedMetadata", {}).get("labels", {})
            continue
        template = (spec.get("jobTemplate", {}).get("spec", {}) if o["kind"] == "CronJob" else spec).get("template")
        if template and template.get("spec", {}).get("serviceAccountName") == sa.name:
            yield f"{o['kind']}/{meta['name']}", template.get("metadata", {}).get("labels", {})
    for r in plan.by_type(RELEASE):
        chart, values = r.inputs.get("chart"), r.inputs.get("values") or {}
        if chart not in CHART_SERVICE_ACCOUNT or r.inputs.get("namespace") != sa.namespace or _get(values, CHART_SERVICE_ACCOUNT[chart]) != sa.name:
            continue
        for pod in CHART_PODS[chart]:
            if pod.enabled and _get(values, tuple(pod.enabled.split("."))) is False:
                continue
            prefix = tuple(pod.resources.split(".")[:-1])  # `<component>.resources` -> `<component>.podLabels`
            yield f"{chart}:{pod.name}", _get(values, (*prefix, "podLabels")) or {}
        if chart == "airbyte":  # connector job pods, through the launcher's JOB_KUBE_LABELS
            yield "airbyte:connector-jobs", values["global"]["jobs"]["kube"]["labels"]


def service_account_annotations(plan, app: str, sa: ServiceAccountRef) -> Mapping[str, Any]:
    for o in manifests.objects(plan):
        meta = o.get("metadata", {})
        if o["kind"] == "ServiceAccount" and (meta.get("namespace"), meta.get("name")) == (sa.namespace, sa.name):
            return meta.get("annotations", {})
        if o["kind"] == "Cluster" and o["apiVersion"].startswith("postgresql.cnpg.io/") and meta.get("name") == sa.name:
            return o["spec"].get("serviceAccountTemplate", {}).get("metadata", {}).get("annotations", {})
    for r in plan.by_type(RELEASE):
        chart, values = r.inputs.get("chart"), r.inputs.get("values") or {}
        if chart in CHART_SERVICE_ACCOUNT_ANNOTATIONS and _get(values, CHART_SERVICE_ACCOUNT[chart]) == sa.name:
            return _get(values, CHART_SERVICE_ACCOUNT_ANNOTATIONS[chart]) or {}
    raise AssertionError(f"no ServiceAccount {sa.namespace}/{sa.name} for {app}")


def _check_pods(plan) -> set[str]:
    apps = identified(plan)
    for app, sa in apps.items():
        pods = list(pod_templates(plan, sa))
        assert pods, f"{app}: no pod runs as {sa.namespace}/{sa.name}"
        for what, labels in pods:
            assert USE.items() <= dict(labels).items(), f"{app}: {what} lacks the workload identity label"
        assert CLIENT_ID in service_account_annotations(plan, app, sa), app
    return set(apps)


def test_every_pod_of_an_identified_service_account_carries_the_label_and_its_account_the_client_id(prod):
    assert _check_pods(prod) >= {"velero"}  # Dremio has none on Azure: an Entra application (test_azure_dremio.py)


def test_the_in_cluster_database_instances_carry_it_too(plan_config):
    assert "postgres" in _check_pods(plan_config(IN_CLUSTER_DB, stack="azure-staging"))


def test_aws_and_local_pods_get_no_azure_label(plan_stack):
    for stack in ("prod", "dev"):
        plan = plan_stack(stack)
        for sa in WORKLOAD_SERVICE_ACCOUNTS.values():
            assert all("azure.workload.identity/use" not in labels for _, labels in pod_templates(plan, sa)), stack
