"""Dremio on the ADLS Gen2 lake (azure-prod): an Entra application with a client secret, since
Dremio's Azure Storage plugin takes no workload identity (clouds/azure/entra_apps.py,
components/apps/dremio/azure_storage.py). Its distributed store and the `lake` source are on the
lake's containers, the secret reaches Dremio only through Key Vault and an ExternalSecret, the
application may use exactly its four containers, and nothing runs MinIO any more."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clouds.azure import entra_apps
from components.apps.dremio import azure_storage
from offline_plan import manifests
from offline_plan.mocks import AZURE_DEPLOYER, AZURE_TENANT, AZUREAD_PASSWORD_PREFIX

AZ = "azure-native:"
AD = "azuread:index/"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
TOKEN_ENDPOINT = f"https://login.microsoftonline.com/{AZURE_TENANT}/oauth2/token"


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("azure-prod")


def objects(plan, kind: str, name: str | None = None) -> list[dict]:
    return [o for o in manifests.objects(plan) if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


def lake(plan):
    return plan.one(AZ + "storage:StorageAccount", f"{plan.stack}-lake")


def application(plan):
    return plan.one(AD + "application:Application", f"{plan.stack}-dremio")


def password(plan):
    return plan.one(AD + "applicationPassword:ApplicationPassword", f"{plan.stack}-dremio")


def core_site(plan) -> dict[str, str]:
    (config,) = objects(plan, "ConfigMap", "dremio-config")
    root = ET.fromstring(config["data"]["core-site.xml"])
    return {p.findtext("name"): p.findtext("value") for p in root.findall("property")}


def env(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def test_azure_prod_runs_no_minio(prod):
    kinds = ("StatefulSet", "Deployment", "Job", "CronJob", "Service", "ExternalSecret", "NetworkPolicy", "ConfigMap")
    assert [o["metadata"]["name"] for o in manifests.objects(prod) if o["kind"] in kinds and "minio" in o["metadata"]["name"]] == []
    assert prod.outputs["objectStore"]["kind"] == "adls"
    # No NetworkPolicy lets anything reach MinIO's port.
    ports = {p.get("port") for o in objects(prod, "NetworkPolicy") for rule in o["spec"].get("egress", []) for p in rule.get("ports", [])}
    assert 9000 not in ports


def test_dremios_distributed_store_is_its_container_as_the_entra_application(prod):
    (config,) = objects(prod, "ConfigMap", "dremio-config")
    assert 'dist: "dremioAzureStorage://:///dremio/dremio"' in config["data"]["dremio.conf"]
    assert core_site(prod) == {
        "fs.dremioAzureStorage.impl": "com.dremio.plugins.azure.AzureStorageFileSystem",
        "dremio.azure.account": lake(prod).inputs["accountName"],
        "dremio.azure.mode": "STORAGE_V2",
        "dremio.azure.secure": "true",
        "dremio.azure.credentialsType": "AZURE_ACTIVE_DIRECTORY",
        "dremio.azure.clientId": application(prod).state["clientId"],
        "dremio.azure.tokenEndpoint": TOKEN_ENDPOINT,
        "dremio.azure.clientSecret": "${env.DREMIO_AZURE_CLIENT_SECRET}",
        "dremio.azure.container_list": "dremio",
    }
    # Every Dremio server container (and the master's upgrade step) reads the secret from the synced Secret.
    for sts in ("dremio-master", "dremio-executor"):
        (s,) = objects(prod, "StatefulSet", sts)
        pod = s["spec"]["template"]
        for c in pod["spec"]["containers"] + [i for i in pod["spec"].get("initContainers", []) if i["name"] == "upgrade"]:
            assert env(c)["DREMIO_AZURE_CLIENT_SECRET"]["valueFrom"] == {"secretKeyRef": {"name": "dremio-oauth", "key": "clientSecret"}}, (sts, c["name"])
        # A rotated secret (a new password key id) rolls the pods.
        assert pod["metadata"]["annotations"]["data-platform.io/oauth-secret-version"] == password(prod).state["keyId"]
    # Dremio has no workload identity any more: nothing to federate, no pod label.
    assert f"{prod.stack}-dremio" not in {r.inputs["resourceName"] for r in prod.by_type(AZ + "managedidentity:UserAssignedIdentity")}
    (sa,) = objects(prod, "ServiceAccount", "dremio")
    assert not (sa["metadata"].get("annotations") or {})


def test_the_lake_source_is_azure_storage_over_bronze_silver_gold_with_the_secret_from_the_job_environment(prod):
    (job,) = objects(prod, "Job", "dremio-bootstrap")
    (step,) = job["spec"]["template"]["spec"]["containers"]
    e = env(step)
    body = json.loads(e["LAKE_SOURCE"]["value"])
    assert (body["name"], body["type"]) == ("lake", "AZURE_STORAGE")
    config = body["config"]
    assert config == {
        "accountKind": "STORAGE_V2", "accountName": lake(prod).inputs["accountName"], "credentialsType": "AZURE_ACTIVE_DIRECTORY",
        "clientId": application(prod).state["clientId"], "tokenEndpoint": TOKEN_ENDPOINT, "enableSSL": True, "rootPath": "/",
        "containers": ["bronze", "silver", "gold"], "propertyList": [], "defaultCtasFormat": "ICEBERG",
    }
    assert e["LAKE_CLIENT_SECRET"]["valueFrom"] == {"secretKeyRef": {"name": "dremio-oauth", "key": "clientSecret"}}
    assert "LAKE_ACCESS_KEY" not in e
    # The script adds the secret into the body inside the pod, and the Job changes with the secret's version.
    script = step["command"][-1]
    assert 'body["config"]["clientSecret"] = os.environ["LAKE_CLIENT_SECRET"]' in script
    assert e["LAKE_CLIENT_SECRET_KEY_ID"]["value"] == password(prod).state["keyId"]
    # The catalog backup writes next to the distributed store, in Dremio's container.
    (cron,) = objects(prod, "CronJob", "dremio-catalog-backup")
    (backup,) = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert env(backup)["BACKUP_DIR"]["value"] == "dremioAzureStorage://:///dremio/dremio/backups"


def test_the_application_may_use_its_four_containers_and_nothing_else(prod):
    app, sp, pw = application(prod), prod.one(AD + "servicePrincipal:ServicePrincipal", f"{prod.stack}-dremio"), password(prod)
    assert sp.inputs["clientId"] == app.state["clientId"] and pw.inputs["applicationId"] == app.state["id"]
    assert app.inputs["owners"] == [AZURE_DEPLOYER] and app.inputs["signInAudience"] == "AzureADMyOrg"  # Application.ReadWrite.OwnedBy suffices
    assert "endDate" not in pw.inputs  # Entra's default (two years) unless azure.dremioSecretEndDate
    account_id = lake(prod).state["id"]
    grants = {(r.inputs["roleDefinitionId"].rsplit("/", 1)[1], r.inputs["scope"]) for r in prod.by_type(AZ + "authorization:RoleAssignment")
              if r.inputs["principalId"] == sp.state["objectId"]}
    assert grants == {(BLOB_DATA_CONTRIBUTOR, f"{account_id}/blobServices/default/containers/{c}") for c in ("bronze", "silver", "gold", "dremio")}
    assert all(r.inputs["principalType"] == "ServicePrincipal" for r in prod.by_type(AZ + "authorization:RoleAssignment")
               if r.inputs["principalId"] == sp.state["objectId"])
    # Microsoft Graph through its own provider, in the ARM tenant.
    (graph,) = prod.by_type("pulumi:providers:azuread")
    assert graph.inputs["tenantId"] == AZURE_TENANT


def test_the_secret_goes_to_key_vault_and_reaches_dremio_only_through_its_external_secret(prod):
    (ext,) = objects(prod, "ExternalSecret", "dremio-oauth")
    assert ext["metadata"]["namespace"] == "data-platform"
    assert ext["metadata"]["annotations"]["data-platform.io/secret-keys"] == "clientSecret"  # the key Dremio and the Job read
    (written,) = [r for r in prod.by_type(AZ + "keyvault:Secret") if r.inputs["secretName"] == ext["spec"]["dataFrom"][0]["extract"]["key"]]
    assert written.inputs["properties"]["value"] == "[secret]"
    assert not objects(prod, "Secret", "dremio-oauth")  # never a plain Secret
    value = password(prod).state["value"]
    assert value.startswith(AZUREAD_PASSWORD_PREFIX)
    for what, text in (("manifests", json.dumps(list(manifests.objects(prod)))), ("outputs", json.dumps(prod.outputs)),
                       ("inputs", json.dumps([r.inputs for r in prod.registrations], default=str))):
        assert AZUREAD_PASSWORD_PREFIX not in text, what
    assert prod.outputs["dremioApplicationClientId"] == application(prod).state["clientId"]


def test_dremio_reaches_the_lake_and_entra_over_https(prod):
    (policy,) = objects(prod, "NetworkPolicy", "dremio")
    https = [r for r in policy["spec"]["egress"] if {p.get("port") for p in r.get("ports", [])} == {443}]
    assert any(t.get("ipBlock", {}).get("cidr") == "0.0.0.0/0" for r in https for t in r.get("to", []))


def test_a_configured_end_date_is_midnight_utc():
    assert entra_apps.end_date("2027-06-30") == "2027-06-30T00:00:00Z" and entra_apps.end_date(None) is None


@given(st.uuids().map(str))
def test_the_token_endpoint_is_the_v1_form_dremio_accepts(tenant):
    url = entra_apps.token_endpoint(tenant)
    assert url == f"https://login.microsoftonline.com/{tenant}/oauth2/token"
    azure_storage.AzureAccess(account="a", containers=("c",), client_id="id", token_endpoint=url).properties()


@pytest.mark.parametrize("endpoint", [
    "https://login.microsoftonline.com/tenant/oauth2/v2.0/token",  # v2: Dremio's check refuses it
    "http://login.microsoftonline.com/tenant/oauth2/token",
    "https://login.microsoftonline.com/oauth2/token",
    "https://login.microsoftonline.com/Contoso.onmicrosoft.com/oauth2/token",  # Dremio compares with the lower-cased URL
])
def test_other_token_endpoints_are_refused_before_dremio_would(endpoint):
    with pytest.raises(ValueError, match="v1 token endpoint"):
        azure_storage.source_config(account="a", containers=["bronze"], client_id="id", token_endpoint=endpoint)


@given(st.from_regex(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", fullmatch=True), st.from_regex(r"[a-z0-9/]{0,20}", fullmatch=True))
def test_dist_uri_is_dremios_azure_form(container, path):
    uri = azure_storage.dist_uri(container, path)
    assert uri == (f"dremioAzureStorage://:///{container}/{path.strip('/')}" if path.strip("/") else f"dremioAzureStorage://:///{container}")
