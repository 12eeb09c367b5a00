"""The monthly cost estimate on Azure and Google Cloud (offline_plan/cost_azure.py, cost_gcp.py).

Expected figures are computed here from the price tables and the stacks' known configuration
(Pulumi.azure-prod.yaml, Pulumi.gcp-prod.yaml and the settings defaults), not by calling the
estimators' pricing code.
"""

from __future__ import annotations

import copy
import json

import pytest

from offline_plan import cost, plan_json

AZ = json.loads((cost.TABLES / "prices-azure-westeurope.json").read_text())
GCP = json.loads((cost.TABLES / "prices-gcp-europe-west1.json").read_text())


def usd(table, key, sub=None):
    return (table["prices"][key][sub] if sub else table["prices"][key])["usd"]


def _line(est, prefix):
    found = [ln for ln in est.lines if ln.item.startswith(prefix)]
    assert len(found) == 1, (prefix, [ln.item for ln in est.lines])
    return found[0].monthly


@pytest.fixture(scope="module")
def azure_doc(plan_stack):
    return plan_json.document(plan_stack("azure-prod"))


@pytest.fixture(scope="module")
def gcp_doc(plan_stack):
    return plan_json.document(plan_stack("gcp-prod"))


def test_azure_prod_figures_come_from_the_table(azure_doc):
    est = cost.estimate(azure_doc)
    H = AZ["hoursPerMonth"]
    assert est.region == "westeurope" and est.as_of == AZ["asOf"] and est.table.endswith("prices-azure-westeurope.json")
    # aks sku tier Standard (prod): the uptime-SLA fee.
    assert _line(est, "AKS cluster (Standard tier)") == pytest.approx(usd(AZ, "aks.cluster.hour", "Standard") * H)
    # nodeSize Standard_D8s_v5, nodeInitialCount 5; 100 GiB managed OS disk each; system pool 3 x D4ds_v5, ephemeral OS disk.
    assert _line(est, "node group azure-prod-aks-general") == pytest.approx(5 * usd(AZ, "vm.hour", "Standard_D8s_v5") * H, abs=0.01)
    assert _line(est, "node root volumes azure-prod-aks-general") == pytest.approx(5 * 100 * usd(AZ, "disk.gbMonth", "Premium_LRS"), abs=0.01)
    assert _line(est, "node group azure-prod-aks/system") == pytest.approx(3 * usd(AZ, "vm.hour", "Standard_D4ds_v5") * H, abs=0.01)
    assert not [ln for ln in est.lines if ln.item == "node root volumes azure-prod-aks/system"]
    # dbSku Standard_E4ds_v5, ZoneRedundant HA (doubles compute and storage), 128 GB, geo-redundant backups.
    ha = usd(AZ, "postgres.flexible.haFactor")
    assert ha == 2
    assert _line(est, "Flexible Server Standard_E4ds_v5 HA") == pytest.approx(ha * usd(AZ, "postgres.flexible.hour", "Standard_E4ds_v5") * H, abs=0.01)
    assert _line(est, "Flexible Server storage") == pytest.approx(ha * 128 * usd(AZ, "postgres.flexible.storage.gbMonth"), abs=0.01)
    backup = 128 * AZ["assumptions"]["dbBackupGbBeyondFreePerGbProvisioned"]["value"]
    assert _line(est, "Flexible Server backups") == pytest.approx(backup * usd(AZ, "postgres.flexible.backup.gbMonth", "geo"), abs=0.01)
    # lakeReplication Standard_GZRS, eight containers at the assumed size: the lake's six, Airbyte's
    # and Elasticsearch's snapshots' (each keyed account replicated like the lake).
    gb = AZ["assumptions"]["objectStorageGbPerContainer"]["value"]
    assert _line(est, "blob storage hot Standard_GZRS") == pytest.approx(8 * gb * usd(AZ, "storage.blob.hot.gbMonth", "Standard_GZRS"), abs=0.01)
    # Private endpoints: Key Vault, the lake's blob and dfs, ACR, and the two keyed accounts' blob.
    assert _line(est, "private endpoints") == pytest.approx(6 * usd(AZ, "privateEndpoint.hour") * H, abs=0.01)
    assert _line(est, "NAT gateway") == pytest.approx(usd(AZ, "natGateway.hour") * H, abs=0.01)
    assert _line(est, "Container Registry Premium") == pytest.approx(usd(AZ, "acr.day", "Premium") * H / 24, abs=0.01)
    # logRetentionDays 365: retention beyond the included days is billed.
    ingest = AZ["assumptions"]["logIngestGbPerWorkspaceMonth"]["value"]
    beyond = ingest * (365 - usd(AZ, "logAnalytics.freeRetentionDays")) / 30
    assert _line(est, "Log Analytics retention") == pytest.approx(beyond * usd(AZ, "logAnalytics.retention.gbMonth"), abs=0.01)
    assert est.monthly == pytest.approx(sum(ln.monthly for ln in est.lines), abs=0.01)
    assert est.unverified < est.priced and not est.not_estimated


def test_gcp_prod_figures_come_from_the_table(gcp_doc):
    est = cost.estimate(gcp_doc)
    H = GCP["hoursPerMonth"]
    assert est.region == "europe-west1" and est.as_of == GCP["asOf"]
    assert _line(est, "GKE cluster") == pytest.approx(usd(GCP, "gke.cluster.hour") * H)
    # nodeInitialTotal 5 -> 2 per zone in three zones = 6 x n2-standard-8, 100 GB pd-balanced boot disks.
    assert _line(est, "node group gcp-prod-gke-general") == pytest.approx(6 * usd(GCP, "gce.instance.hour", "n2-standard-8") * H, abs=0.01)
    assert _line(est, "node root volumes gcp-prod-gke-general") == pytest.approx(6 * 100 * usd(GCP, "pd.gbMonth", "pd-balanced"), abs=0.01)
    # dbTier db-custom-6-32768 REGIONAL: 6 vCPU + 32 GiB at twice the zonal rate; 100 GB SSD x 2.
    compute = 6 * usd(GCP, "sql.enterprise.vcpu.hour") + 32 * usd(GCP, "sql.enterprise.memory.gibHour")
    assert _line(est, "Cloud SQL db-custom-6-32768 REGIONAL") == pytest.approx(2 * compute * H, abs=0.01)
    assert _line(est, "Cloud SQL SSD storage") == pytest.approx(2 * 100 * usd(GCP, "sql.ssd.gbMonth"), abs=0.01)
    assert _line(est, "Cloud NAT gateways") == pytest.approx(6 * usd(GCP, "nat.vm.hour") * H, abs=0.01)
    ingest = GCP["assumptions"]["logIngestGibPerMonth"]["value"]
    assert _line(est, "Cloud Logging ingestion") == pytest.approx((ingest - 50) * usd(GCP, "logging.ingest.gib"), abs=0.01)
    assert _line(est, "Cloud Logging retention") == pytest.approx(ingest * (365 - 30) / 30 * usd(GCP, "logging.retention.gibMonth"), abs=0.01)
    versions = sum(r["type"] == "gcp:secretmanager/secretVersion:SecretVersion" for r in gcp_doc["resources"])
    assert versions >= 15  # every generated credential of the platform, the database admin, Airbyte's key file
    gb = GCP["assumptions"]["objectStorageGbPerBucket"]["value"]
    assert _line(est, "Cloud Storage Standard") == pytest.approx(9 * gb * usd(GCP, "gcs.standard.gbMonth"), abs=0.01)  # the lake's 9 buckets (es-backups included)
    assert _line(est, "Secret Manager") == pytest.approx(versions * usd(GCP, "secretManager.versionMonth"), abs=0.01)
    assert est.monthly == pytest.approx(sum(ln.monthly for ln in est.lines), abs=0.01)
    assert not est.not_estimated


def _with(doc, type_, change):
    doc = copy.deepcopy(doc)
    for r in doc["resources"]:
        if r["type"] == type_:
            change(r["inputs"])
    return doc


def test_a_spot_pool_is_priced_at_the_discount_and_its_saving_is_a_lever(azure_doc, gcp_doc):
    """The pricers read the Spot markers the clouds use (AKS scaleSetPriority, GKE nodeConfig.spot)."""
    az = cost.estimate(_with(azure_doc, "azure-native:containerservice:AgentPool", lambda i: i.update(scaleSetPriority="Spot")))
    od, d = usd(AZ, "vm.hour", "Standard_D8s_v5"), AZ["assumptions"]["spotDiscount"]["value"]
    assert _line(az, "node group azure-prod-aks-general (Spot)") == pytest.approx(5 * od * (1 - d) * AZ["hoursPerMonth"], abs=0.01)
    assert [lv.saves_monthly for lv in az.levers if lv.name == "spot"] == [pytest.approx(5 * od * d * AZ["hoursPerMonth"], abs=0.01)]
    g = cost.estimate(_with(gcp_doc, "gcp:container/nodePool:NodePool", lambda i: i["nodeConfig"].update(spot=True)))
    od, d = usd(GCP, "gce.instance.hour", "n2-standard-8"), GCP["assumptions"]["spotDiscount"]["value"]
    assert _line(g, "node group gcp-prod-gke-general (Spot)") == pytest.approx(6 * od * (1 - d) * GCP["hoursPerMonth"], abs=0.01)
    assert [lv.saves_monthly for lv in g.levers if lv.name == "spot"] == [pytest.approx(6 * od * d * GCP["hoursPerMonth"], abs=0.01)]


def test_the_aks_free_tier_has_no_control_plane_fee_and_an_unknown_size_is_reported(azure_doc):
    est = cost.estimate(_with(azure_doc, "azure-native:containerservice:ManagedCluster", lambda i: i.update(sku={"name": "Base", "tier": "Free"})))
    assert _line(est, "AKS cluster (Free tier)") == 0
    est = cost.estimate(_with(azure_doc, "azure-native:containerservice:AgentPool", lambda i: i.update(vmSize="Standard_X99")))
    assert "VM Standard_X99: not in the price table" in est.not_estimated


@pytest.mark.parametrize("table", [AZ, GCP], ids=["azure", "gcp"])
def test_every_price_names_its_source_and_whether_it_was_verified(table):
    def entries(d):
        for v in d.values():
            if "usd" in v:
                yield v
            else:
                yield from entries(v)

    for e in entries(table["prices"]):
        assert e["source"].startswith("https://") and isinstance(e["verified"], bool)
        assert not e["verified"] or e.get("seen", "").startswith("https://"), e
    assert 0 < table["assumptions"]["spotDiscount"]["value"] < 1
