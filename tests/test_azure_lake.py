"""The ADLS Gen2 lake as the platform's object store on Azure (`objectStore: native`): the backups
leave the cluster for it with workload identity and no key, each identity is scoped to its own
container, and Airbyte (whose chart takes only an account key) has an account of its own. Dremio's
Entra application: test_azure_dremio.py (docs/azure.md)."""

from __future__ import annotations

import json

import pytest

from offline_plan import manifests

AZ = "azure-native:"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
IN_CLUSTER_DB = {"cloud": "azure", "environment": "staging", "azure-native:location": "westeurope", "acmeEmail": "ops@example.com",
                 "domain": "staging.example.com", "database": "in-cluster", "azure": {"dremioSecretEndDate": "2027-06-30"}}


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("azure-prod")


@pytest.fixture(scope="module")
def in_cluster(plan_config):
    return plan_config(IN_CLUSTER_DB, stack="azure-staging")


def lake(plan):
    return plan.one(AZ + "storage:StorageAccount", f"{plan.stack}-lake")


def account(plan) -> str:
    return lake(plan).inputs["accountName"]


def grants(plan, app: str) -> set[tuple[str, str]]:
    """(role, scope) of every role assignment of `app`'s managed identity."""
    (uami,) = [r for r in plan.by_type(AZ + "managedidentity:UserAssignedIdentity") if r.inputs["resourceName"] == f"{plan.stack}-{app}"]
    return {(r.inputs["roleDefinitionId"].rsplit("/", 1)[1], r.inputs["scope"]) for r in plan.by_type(AZ + "authorization:RoleAssignment")
            if r.inputs["principalId"] == uami.state["principalId"]}


def container_scope(plan, container: str) -> str:
    return f"{lake(plan).state['id']}/blobServices/default/containers/{container}"


def chart_values(plan, chart: str) -> dict:
    (release,) = [r for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == chart]
    return release.inputs["values"]


def test_velero_writes_to_its_own_container_with_the_azure_plugin_and_workload_identity(prod):
    v = chart_values(prod, "velero")
    (bsl,) = v["configuration"]["backupStorageLocation"]
    name = account(prod)
    assert (bsl["provider"], bsl["bucket"]) == ("azure", "velero")
    assert bsl["config"] == {"storageAccount": name, "storageAccountURI": f"https://{name}.blob.core.windows.net/", "useAAD": "true"}
    assert v["credentials"] == {"useSecret": False}  # no credentials file, no account key
    assert [c["image"] for c in v["initContainers"]] == ["docker.io/velero/velero-plugin-for-microsoft-azure:v1.13.2"]
    assert v["configuration"]["volumeSnapshotLocation"] == [] and v["configuration"]["features"] == "EnableCSI"  # CSI snapshots (test_velero.py)
    assert "azure.workload.identity/client-id" in v["serviceAccount"]["server"]["annotations"]
    assert grants(prod, "velero") == {(BLOB_DATA_CONTRIBUTOR, container_scope(prod, "velero"))}
    assert not [o for o in manifests.objects(prod) if o["kind"] in ("Secret", "ExternalSecret") and o["metadata"]["namespace"] == "velero"]


def test_velero_egress_reaches_the_cloud_store_over_https_not_minio(prod):
    (policy,) = [o for o in manifests.objects(prod) if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "velero"]
    ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}
    assert 443 in ports and 9000 not in ports


def test_in_cluster_postgres_archives_to_the_backups_container_with_workload_identity(in_cluster):
    (store,) = in_cluster.by_type("kubernetes:barmancloud.cnpg.io/v1:ObjectStore")
    conf = store.inputs["spec"]["configuration"]
    assert conf["destinationPath"] == f"https://{account(in_cluster)}.blob.core.windows.net/backups/postgres"
    assert conf["azureCredentials"] == {"inheritFromAzureAD": True}
    assert not {"s3Credentials", "endpointURL", "googleCredentials"} & set(conf)
    (cluster,) = in_cluster.by_type("kubernetes:postgresql.cnpg.io/v1:Cluster")
    spec = cluster.inputs["spec"]
    assert "azure.workload.identity/client-id" in spec["serviceAccountTemplate"]["metadata"]["annotations"]
    assert spec["inheritedMetadata"]["labels"]["azure.workload.identity/use"] == "true"
    assert grants(in_cluster, "postgres") == {(BLOB_DATA_CONTRIBUTOR, container_scope(in_cluster, "backups"))}
    # The instances reach the store (and Entra ID's token endpoint) over HTTPS.
    (policy,) = [o for o in manifests.objects(in_cluster) if o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "postgres"]
    assert 443 in {p["port"] for rule in policy["spec"]["egress"] for p in rule.get("ports", [])}


def test_the_managed_database_stack_makes_no_postgres_identity(prod):
    names = {r.inputs["resourceName"] for r in prod.by_type(AZ + "managedidentity:UserAssignedIdentity")}
    assert f"{prod.stack}-postgres" not in names and not prod.by_type("kubernetes:postgresql.cnpg.io/v1:Cluster")


def test_the_backups_leave_the_cluster_and_the_managed_database_needs_no_archive(prod):
    """Velero above; PostgreSQL is the managed server (its own backups). Dremio: test_azure_dremio.py."""
    assert prod.outputs["objectStore"]["kind"] == "adls"
    assert prod.by_type("kubernetes:barmancloud.cnpg.io/v1:ObjectStore") == []


def test_airbyte_uses_its_own_shared_key_account_through_key_vault_and_the_lake_refuses_keys(prod):
    accounts = {r.name: r.inputs for r in prod.by_type(AZ + "storage:StorageAccount")}
    assert accounts["azure-prod-lake"]["allowSharedKeyAccess"] is False
    airbyte = accounts["azure-prod-airbyte-store"]
    assert airbyte["allowSharedKeyAccess"] is True and airbyte["isHnsEnabled"] is False
    containers = {r.inputs["containerName"] for r in prod.by_type(AZ + "storage:BlobContainer") if r.inputs["accountName"] == airbyte["accountName"]}
    assert containers == {"airbyte"}  # the key opens Airbyte's logs and state, nothing else
    storage = chart_values(prod, "airbyte")["global"]["storage"]
    assert storage["type"] == "azure" and storage["azure"] == {"connectionStringSecretKey": "connectionString"}
    assert set(storage["bucket"].values()) == {"airbyte"}
    # The Secret is an ExternalSecret of the Key Vault secret Pulumi writes (the value a Pulumi secret).
    (ext,) = [o for o in manifests.objects(prod) if o["kind"] == "ExternalSecret" and o["metadata"]["name"] == storage["secretName"]]
    assert ext["metadata"]["namespace"] == "data-platform" and ext["metadata"]["annotations"]["data-platform.io/secret-keys"] == "connectionString"
    (written,) = [r for r in prod.by_type(AZ + "keyvault:Secret") if r.inputs["secretName"] == ext["spec"]["dataFrom"][0]["extract"]["key"]]
    assert written.inputs["properties"]["value"] == "[secret]"
    assert "AccountKey=" not in json.dumps(prod.outputs) and "AccountKey=" not in json.dumps([r.inputs for r in prod.registrations])
    # No managed identity for Airbyte: it has nothing to use one for.
    assert "azure-prod-airbyte" not in {r.inputs["resourceName"] for r in prod.by_type(AZ + "managedidentity:UserAssignedIdentity")}


def test_identities_are_scoped_to_their_containers(in_cluster):
    """Dremio has no managed identity (its plugin takes an Entra application: test_azure_dremio.py)."""
    assert f"{in_cluster.stack}-dremio" not in {r.inputs["resourceName"] for r in in_cluster.by_type(AZ + "managedidentity:UserAssignedIdentity")}
    # No identity reaches another's container, and none the whole account.
    for app, container in (("postgres", "backups"), ("velero", "velero")):
        assert grants(in_cluster, app) == {(BLOB_DATA_CONTRIBUTOR, container_scope(in_cluster, container))}, app


def test_a_configured_end_date_is_the_dremio_passwords_expiry(in_cluster):
    """azure.dremioSecretEndDate: changing it replaces the password (rotation, docs/azure.md)."""
    pw = in_cluster.one("azuread:index/applicationPassword:ApplicationPassword", f"{in_cluster.stack}-dremio")
    assert pw.inputs["endDate"] == "2027-06-30T00:00:00Z"

