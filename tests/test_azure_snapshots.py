"""Elasticsearch snapshots on Azure (issue 9 item 5 / issue 13): Elasticsearch 8.15's
repository-azure takes an account name and key only (workload identity came in 8.16), so the
snapshots go to a keyed storage account of their own, like Airbyte's (clouds/azure/keyed_storage.py):
a repository of type `azure` on its `es-backups` container with the platform's SLM policy, the
account name and key in the keystore through ECK's secure settings from Key Vault, never in
plaintext (docs/azure.md, docs/backups.md)."""

from __future__ import annotations

import json

import pytest

from components.backups.elasticsearch_snapshots import POLICY, REPOSITORY, repository_body, slm_policy
from offline_plan import manifests
from offline_plan.mocks import azure_call

AZ = "azure-native:"
ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"
ACCOUNT = "azure-prod-snapshots-store"


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("azure-prod")


def objects(plan, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in manifests.objects(plan) if o["kind"] == kind}


def snapshot_account(plan) -> dict:
    return plan.one(AZ + "storage:StorageAccount", ACCOUNT).inputs


def test_the_repository_is_an_azure_container_with_the_platforms_slm_policy(prod):
    script = prod.one("kubernetes:batch/v1:Job", "elasticsearch-snapshots").inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    body = {"type": "azure", "settings": {"container": "es-backups", "base_path": "snapshots", "compress": True}}
    assert repository_body("es-backups", "azure") == body
    assert f"_snapshot/{REPOSITORY}\" -d '{json.dumps(body)}'" in script
    assert f"_slm/policy/{POLICY}\" -d '{json.dumps(slm_policy('0 2 * * *', 30))}'" in script
    assert "elasticsearch-snapshot-check" in objects(prod, "CronJob")
    alerts = {r["alert"] for g in objects(prod, "PrometheusRule")["data-platform"]["spec"]["groups"] for r in g["rules"]}
    assert {"ElasticsearchSnapshotFailed", "ElasticsearchSnapshotTooOld"} <= alerts


def test_the_keystore_gets_the_account_and_key_from_key_vault_through_an_external_secret(prod):
    spec = prod.one(ES, "elasticsearch").inputs["spec"]
    (secret,) = [s["secretName"] for s in spec["secureSettings"]]
    ext = objects(prod, "ExternalSecret")[secret]
    assert ext["metadata"]["namespace"] == "data-storage"
    # The secure settings repository-azure's `default` client reads (AzureStorageSettings: account, key).
    assert ext["metadata"]["annotations"]["data-platform.io/secret-keys"] == "azure.client.default.account,azure.client.default.key"
    (written,) = [r for r in prod.by_type(AZ + "keyvault:Secret") if r.inputs["secretName"] == ext["spec"]["dataFrom"][0]["extract"]["key"]]
    assert written.inputs["properties"]["value"] == "[secret]"
    # The nodes wait for it, carry no S3/GCS client and no workload identity (a key, not a token).
    assert any(d.endswith("ExternalSecret::" + secret) for d in prod.one(ES, "elasticsearch").dependencies)
    for ns in spec["nodeSets"]:
        assert not [k for k in ns["config"] if k.startswith(("s3.", "gcs.", "azure."))]
        assert "serviceAccountName" not in ns["podTemplate"]["spec"]


def test_the_key_never_appears_in_plaintext(prod):
    name = snapshot_account(prod)["accountName"]  # the mocked listStorageAccountKeys answers per account: what a leak would show
    (key1,) = [k["value"] for k in azure_call("azure-native:storage:listStorageAccountKeys", {"accountName": name})["keys"] if k["keyName"] == "key1"]
    everything = json.dumps([prod.outputs, [r.inputs for r in prod.registrations], list(manifests.objects(prod))], default=str)
    assert key1 not in everything


def test_its_own_private_account_allows_shared_keys_and_the_lake_still_does_not(prod):
    accounts = {r.name: r.inputs for r in prod.by_type(AZ + "storage:StorageAccount")}
    assert accounts["azure-prod-lake"]["allowSharedKeyAccess"] is False
    acct = accounts[ACCOUNT]
    assert acct["allowSharedKeyAccess"] is True and acct["isHnsEnabled"] is False and acct["minimumTlsVersion"] == "TLS1_2"
    assert acct["publicNetworkAccess"] == "Disabled" and acct["allowBlobPublicAccess"] is False
    assert acct["sku"]["name"] == accounts["azure-prod-lake"]["sku"]["name"] == "Standard_GZRS"  # survives the region like the lake
    containers = {r.inputs["containerName"] for r in prod.by_type(AZ + "storage:BlobContainer") if r.inputs["accountName"] == acct["accountName"]}
    assert containers == {"es-backups"}  # the key opens the snapshots, nothing else
    props = prod.one(AZ + "storage:BlobServiceProperties", ACCOUNT).inputs
    assert props["deleteRetentionPolicy"] == {"enabled": True, "days": 90}
    account_id = prod.one(AZ + "storage:StorageAccount", ACCOUNT).state["id"]
    targets = {(c["privateLinkServiceId"], g) for r in prod.by_type(AZ + "network:PrivateEndpoint")
               for c in r.inputs["privateLinkServiceConnections"] for g in c["groupIds"]}
    assert (account_id, "blob") in targets
    assert prod.outputs["snapshotStorageAccount"] == acct["accountName"]


def test_prod_protects_and_locks_the_snapshot_account_and_container(prod):
    locks = {r.inputs["scope"]: r.inputs["level"] for r in prod.by_type(AZ + "authorization:ManagementLockByScope")}
    account = prod.one(AZ + "storage:StorageAccount", ACCOUNT)
    assert account.protect is True and locks.get(account.state["id"]) == "CanNotDelete"
    assert prod.one(AZ + "storage:BlobContainer", ACCOUNT).protect is True


def test_the_nodes_reach_the_private_endpoint_over_https(prod):
    """The blob private endpoint is in the VNet's endpoints subnet, outside the pod and Service
    ranges: the nodes' egress to any address on 443 reaches it (as a cloud store elsewhere)."""
    (np,) = [r.inputs["spec"] for r in prod.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy") if r.name == "data-storage-elasticsearch"]
    assert {"ports": [{"port": 443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]} in np["egress"]


def test_airbyte_keeps_its_own_account_with_the_same_names(prod):
    """Generalising the keyed account changed none of Airbyte's resource names."""
    names = {r.urn.split("::")[-1] for r in prod.registrations if "AirbyteStorage" in r.urn}
    assert names == {"airbyte-storage", "azure-prod-airbyte-store", "azure-prod-airbyte-store-lock", "azure-prod-airbyte-store-blob"}
    acct = prod.one(AZ + "storage:StorageAccount", "azure-prod-airbyte-store")
    assert acct.urn == "urn:pulumi:azure-prod::data-platform::data-platform:azure:AirbyteStorage$azure-native:storage:StorageAccount::azure-prod-airbyte-store"
