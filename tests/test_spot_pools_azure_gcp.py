"""The Spot lever on GCP (and Azure): staging gets an autoscaled-from-0 Spot pool whose taint and
labels Foundation.interruptible describes, Airbyte's connector job pods tolerate and select it,
prod has none; the estimate prices it at the table's assumed discount and shows the saving."""

from __future__ import annotations

import json

import pytest

from offline_plan import cost, plan_json
from program import load_settings
from settings.errors import SettingsError

GCP_STAGING = {"cloud": "gcp", "environment": "staging", "gcp:project": "data-platform-staging", "gcp:region": "europe-west1",
               "acmeEmail": "ops@example.com", "domain": "staging.example.com"}
AZURE_STAGING = {"cloud": "azure", "environment": "staging", "azure-native:location": "westeurope", "acmeEmail": "ops@example.com",
                 "domain": "staging.example.com"}
AZ_TABLE = json.loads((cost.TABLES / "prices-azure-westeurope.json").read_text())
AKS_SPOT = "kubernetes.azure.com/scalesetpriority"
GCP_TABLE = json.loads((cost.TABLES / "prices-gcp-europe-west1.json").read_text())


def _job_kube(result):
    return result.one("kubernetes:helm.sh/v3:Release", "airbyte-release").inputs["values"]["global"]["jobs"]["kube"]


def _pools(result, type_):
    return {r.name: r.inputs for r in result.by_type(type_)}


@pytest.fixture(scope="module")
def gcp_staging(plan_config):
    return plan_config(GCP_STAGING, stack="gcp-staging")


def test_gcp_staging_has_a_tainted_spot_pool_from_zero_and_jobs_tolerate_it(gcp_staging):
    pools = _pools(gcp_staging, "gcp:container/nodePool:NodePool")
    spot = pools["gcp-staging-gke-interruptible"]
    cfg = spot["nodeConfig"]
    assert cfg["spot"] is True and spot["initialNodeCount"] == 0
    assert spot["autoscaling"]["totalMinNodeCount"] == 0 and spot["autoscaling"]["totalMaxNodeCount"] == 5
    assert cfg["taints"] == [{"key": "data-platform/interruptible", "value": "true", "effect": "NO_SCHEDULE"}]
    kube = _job_kube(gcp_staging)
    assert kube["tolerations"] == [{"key": "data-platform/interruptible", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]
    assert kube["nodeSelector"].items() <= cfg["labels"].items()
    general = pools["gcp-staging-gke-general"]["nodeConfig"]
    assert general["spot"] is False and not general.get("taints")


def test_gcp_prod_has_no_spot_pool_and_no_job_tolerations(plan_stack):
    prod = plan_stack("gcp-prod")
    assert list(_pools(prod, "gcp:container/nodePool:NodePool")) == ["gcp-prod-gke-general"]
    assert "tolerations" not in _job_kube(prod) and "nodeSelector" not in _job_kube(prod)


def test_gcp_staging_estimate_prices_the_spot_pool_and_its_saving(gcp_staging):
    est = cost.estimate(plan_json.document(gcp_staging))
    a = {k: v["value"] for k, v in GCP_TABLE["assumptions"].items()}
    od = GCP_TABLE["prices"]["gce.instance.hour"]["e2-standard-4"]["usd"]  # staging nodeMachineType
    n, h = a["spotPoolAverageNodes"], GCP_TABLE["hoursPerMonth"]
    (line,) = [ln for ln in est.lines if ln.item == "node group gcp-staging-gke-interruptible (Spot)"]
    assert line.monthly == pytest.approx(n * od * (1 - a["spotDiscount"]) * h, abs=0.01)
    assert [lv.saves_monthly for lv in est.levers if lv.name == "spot"] == [pytest.approx(n * od * a["spotDiscount"] * h, abs=0.01)]


@pytest.fixture(scope="module")
def azure_staging(plan_config):
    return plan_config(AZURE_STAGING, stack="azure-staging")


def test_azure_staging_has_a_spot_pool_from_zero_and_jobs_tolerate_the_taint_aks_puts_on_it(azure_staging):
    pools = _pools(azure_staging, "azure-native:containerservice:AgentPool")
    spot = pools["azure-staging-aks-spot"]
    assert (spot["scaleSetPriority"], spot["scaleSetEvictionPolicy"], spot["spotMaxPrice"]) == ("Spot", "Delete", -1)
    assert spot["enableAutoScaling"] is True and (spot["minCount"], spot["count"], spot["maxCount"]) == (0, 0, 5)
    assert spot["mode"] == "User"
    # AKS adds the taint and label to Spot nodes itself (the program does not set them): the jobs must match exactly those.
    kube = _job_kube(azure_staging)
    assert kube["tolerations"] == [{"key": AKS_SPOT, "operator": "Equal", "value": "spot", "effect": "NoSchedule"}]
    assert kube["nodeSelector"] == {AKS_SPOT: "spot"}
    assert pools["azure-staging-aks-general"].get("scaleSetPriority") in (None, "Regular")


def test_azure_prod_has_no_spot_pool_and_no_job_tolerations(plan_stack):
    prod = plan_stack("azure-prod")
    assert list(_pools(prod, "azure-native:containerservice:AgentPool")) == ["azure-prod-aks-general"]
    assert "tolerations" not in _job_kube(prod) and "nodeSelector" not in _job_kube(prod)


def test_azure_staging_estimate_prices_the_spot_pool_and_its_saving(azure_staging):
    est = cost.estimate(plan_json.document(azure_staging))
    a = {k: v["value"] for k, v in AZ_TABLE["assumptions"].items()}
    od = AZ_TABLE["prices"]["vm.hour"]["Standard_D4s_v5"]["usd"]  # staging spotNodeSize
    n, h = a["spotPoolAverageNodes"], AZ_TABLE["hoursPerMonth"]
    (line,) = [ln for ln in est.lines if ln.item == "node group azure-staging-aks-spot (Spot)"]
    assert line.monthly == pytest.approx(n * od * (1 - a["spotDiscount"]) * h, abs=0.01)
    assert [lv.saves_monthly for lv in est.levers if lv.name == "spot"] == [pytest.approx(n * od * a["spotDiscount"] * h, abs=0.01)]


def _load(cloud, env, section=None):
    raw = {"data-platform:cloud": cloud, "data-platform:environment": env, "data-platform:acmeEmail": "ops@example.com"}
    if section is not None:
        raw[f"data-platform:{cloud}"] = section
    return load_settings(raw, "test")


def test_the_spot_pools_are_on_in_staging_and_off_in_prod():
    assert _load("azure", "staging").azure.spot_nodes and not _load("azure", "prod").azure.spot_nodes
    assert _load("gcp", "staging").gcp.spot_pool and not _load("gcp", "prod").gcp.spot_pool


@pytest.mark.parametrize(("cloud", "section", "key", "allowed"), [
    ("azure", {"spotMaxCount": 0}, "azure.spotMaxCount", "1"),
    ("azure", {"spotNodeSize": "m5.xlarge"}, "azure.spotNodeSize", "an Azure VM size"),
    ("azure", {"spotNodes": "yes"}, "azure.spotNodes", "true or false"),
    ("gcp", {"spotPoolMaxTotal": 0}, "gcp.spotPoolMaxTotal", "1"),
    ("gcp", {"spotPool": "on"}, "gcp.spotPool", "true or false"),
])
def test_bad_spot_settings_fail_in_one_line(cloud, section, key, allowed):
    with pytest.raises(SettingsError) as e:
        _load(cloud, "staging", section)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("Pulumi.test.yaml: data-platform:" + key) and allowed in msg
