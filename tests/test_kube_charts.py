"""The one table of pinned charts (kube/charts.py) and the External Secrets install every cloud
shares (kube/external_secrets.py): what runs in a cluster is what the table says, on every stack."""

from __future__ import annotations

import pytest

from conftest import ROOT, stack_names
from kube import external_secrets
from kube.charts import CHARTS, UnpinnedChart, chart
from offline_plan.stack_config import load_stack_config
from program import load_settings as load

RELEASE = "kubernetes:helm.sh/v3:Release"
CLOUD_STACKS = ("prod", "azure-prod", "gcp-prod")


@pytest.mark.parametrize("stack", stack_names())
def test_every_release_installs_a_chart_of_the_table(plan_stack, stack):
    """Each Helm release's chart, version and repository are the table's, so a pin changes in one
    place; Airbyte's chart follows its setting (`airbyte.chartVersion`)."""
    airbyte = load(load_stack_config(ROOT, stack).values, stack).airbyte
    for r in plan_stack(stack).by_type(RELEASE):
        name, version, repo = r.inputs["chart"], r.inputs["version"], r.inputs["repositoryOpts"]["repo"]
        if name == "airbyte":
            assert (version, repo) == (airbyte.chart_version, airbyte.chart_repository)
        else:
            assert (version, repo) == (chart(name).version, chart(name).repo), f"{stack}: release {r.name}"


def test_every_pinned_chart_is_installed_by_some_stack(plan_stack):
    """No stale pin: each chart of the table is released by at least one stack in the repository."""
    used = {r.inputs["chart"] for s in stack_names() for r in plan_stack(s).by_type(RELEASE)}
    assert set(CHARTS) - used == set()


def test_an_unpinned_chart_names_the_table():
    with pytest.raises(UnpinnedChart, match=r"no chart pinned as 'nginx' in kube/charts.py \(pinned: .*traefik"):
        chart("nginx")


@pytest.mark.parametrize("stack", CLOUD_STACKS)
def test_every_cloud_installs_external_secrets_the_same_way(plan_stack, stack):
    """One helper: the same release in its own namespace, the same ServiceAccount, a store that
    waits for the operator; only the identity annotation (and Azure's pod label) differ."""
    result = plan_stack(stack)
    (eso,) = [r for r in result.by_type(RELEASE) if r.inputs["chart"] == "external-secrets"]
    assert eso.inputs["namespace"] == external_secrets.NAMESPACE and eso.inputs["atomic"] is True
    sa = eso.inputs["values"]["serviceAccount"]
    assert sa["create"] is True and sa["name"] == external_secrets.SERVICE_ACCOUNT and len(sa["annotations"]) == 1
    assert result.one("kubernetes:core/v1:Namespace", external_secrets.NAMESPACE).urn in eso.dependencies
    (store,) = result.by_type(f"kubernetes:{external_secrets.API_VERSION}:ClusterSecretStore")
    assert eso.urn in store.dependencies
    assert store.inputs["metadata"]["labels"] == {"app.kubernetes.io/part-of": "data-platform", "app.kubernetes.io/managed-by": "pulumi"}
    (admin,) = result.by_type(f"kubernetes:{external_secrets.API_VERSION}:ClusterExternalSecret")
    spec = admin.inputs["spec"]
    assert spec["namespaceSelectors"] == [{"matchLabels": {"kubernetes.io/metadata.name": "data-storage"}}]
    assert spec["externalSecretSpec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": store.inputs["metadata"]["name"]}
    assert spec["externalSecretSpec"]["target"]["name"] == external_secrets.DB_ADMIN_SECRET
