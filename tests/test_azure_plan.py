"""The Azure stacks as the engine would receive them (Pulumi mocks): the seed's numbers, nothing
public that should not be, encryption, workload identity per ServiceAccount, protection and
management locks in prod only."""

from __future__ import annotations

import re

import pytest
import yaml

from foundation import WORKLOAD_SERVICE_ACCOUNTS

AZ = "azure-native:"
STATEFUL = ("containerservice:ManagedCluster", "dbforpostgresql:Server", "storage:StorageAccount", "keyvault:Vault", "containerregistry:Registry")
STAGING = {"cloud": "azure", "environment": "staging", "azure-native:location": "westeurope", "acmeEmail": "ops@example.com",
           "domain": "staging.example.com"}


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("azure-prod")


@pytest.fixture(scope="module")
def staging(plan_config):
    return plan_config(STAGING, stack="azure-staging")


def one(plan, kind):
    """The one resource of `kind`; storage accounts and their blob service: the lake's (Airbyte's
    own account is tested in test_azure_lake.py, Elasticsearch's in test_azure_snapshots.py)."""
    rs = plan.by_type(AZ + kind)
    if kind in ("storage:StorageAccount", "storage:BlobServiceProperties"):
        rs = [r for r in rs if r.name == f"{plan.stack}-lake"]
    (r,) = rs
    return r


def ids(plan, kind):
    return {r.state["id"]: r for r in plan.by_type(AZ + kind)}


# --- the seed's numbers ------------------------------------------------------------------------


def test_user_pool_is_the_seeds_8_vcpu_32_gib_nodes_3_10_5_across_zones_with_count_drift_ignored(prod):
    pool = one(prod, "containerservice:AgentPool")
    i = pool.inputs
    assert (i["vmSize"], i["minCount"], i["maxCount"], i["count"]) == ("Standard_D8s_v5", 3, 10, 5)
    assert i["enableAutoScaling"] is True and i["availabilityZones"] == ["1", "2", "3"] and i["mode"] == "User"
    assert "count" in pool.ignore_changes
    cluster = one(prod, "containerservice:ManagedCluster")
    (system,) = cluster.inputs["agentPoolProfiles"]
    assert system["mode"] == "System" and system["nodeTaints"] == ["CriticalAddonsOnly=true:NoSchedule"] and system["availabilityZones"] == ["1", "2", "3"]
    assert "agentPoolProfiles[0].count" in cluster.ignore_changes


def test_flexible_server_is_postgres_16_zone_redundant_with_30_day_geo_redundant_backups_on_sunday_4am(prod):
    server = one(prod, "dbforpostgresql:Server")
    i = server.inputs
    assert i["version"] == "16" and i["sku"] == {"name": "Standard_E4ds_v5", "tier": "MemoryOptimized"}
    assert i["storage"] == {"storageSizeGB": 128, "autoGrow": "Enabled", "type": "Premium_LRS"}
    assert i["highAvailability"]["mode"] == "ZoneRedundant" and i["highAvailability"]["standbyAvailabilityZone"] != i["availabilityZone"]
    assert i["backup"] == {"backupRetentionDays": 30, "geoRedundantBackup": "Enabled"}
    assert i["maintenanceWindow"] == {"customWindow": "Enabled", "dayOfWeek": 0, "startHour": 4, "startMinute": 0}
    # A failover swaps the zones: the next `up` must not try to swap them back.
    assert {"availabilityZone", "highAvailability.standbyAvailabilityZone"} <= set(server.ignore_changes)


def test_the_seeds_tuning_is_written_as_server_configurations_in_server_units(prod):
    conf = {r.inputs["configurationName"]: r.inputs["value"] for r in prod.by_type(AZ + "dbforpostgresql:Configuration")}
    assert conf["shared_buffers"] == str(4 * 2**30 // 8192) and conf["effective_cache_size"] == str(12 * 2**30 // 8192)
    assert conf["work_mem"] == str(64 * 1024) and conf["maintenance_work_mem"] == str(2**20) and conf["max_connections"] == "200"
    assert all(r.inputs["source"] == "user-override" for r in prod.by_type(AZ + "dbforpostgresql:Configuration"))


def test_managed_database_glue_runs_against_the_flexible_server(prod):
    fqdn = one(prod, "dbforpostgresql:Server").state["fullyQualifiedDomainName"]
    jobs = [r for r in prod.by_type("kubernetes:batch/v1:Job") if r.name == "postgres-bootstrap"]
    assert jobs and fqdn in yaml.safe_dump(jobs[0].inputs)
    assert prod.by_type("kubernetes:apps/v1:Deployment") and any(r.name == "pgbouncer" for r in prod.by_type("kubernetes:apps/v1:Deployment"))
    assert not prod.by_type("kubernetes:postgresql.cnpg.io/v1:Cluster")


def test_lake_is_hns_gzrs_with_90_day_soft_delete_and_bronze_archived_after_90_days(prod):
    acct = one(prod, "storage:StorageAccount").inputs
    assert acct["isHnsEnabled"] is True and acct["sku"] == {"name": "Standard_GZRS"}
    containers = {r.inputs["containerName"] for r in prod.by_type(AZ + "storage:BlobContainer") if r.inputs["accountName"] == acct["accountName"]}
    assert containers == {"bronze", "silver", "gold", "backups", "dremio", "velero"}  # Airbyte's is in its own account
    props = one(prod, "storage:BlobServiceProperties").inputs
    assert props["deleteRetentionPolicy"] == props["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 90}
    rule, *_catalog_backups = one(prod, "storage:ManagementPolicy").inputs["policy"]["rules"]
    assert rule["name"] == "bronze-to-archive"
    assert rule["definition"]["filters"]["prefixMatch"] == ["bronze/"]
    assert rule["definition"]["actions"]["baseBlob"] == {"tierToArchive": {"daysAfterModificationGreaterThan": 90}}


def test_staging_is_smaller_without_ha_or_geo_backups(staging):
    pool = staging.one(AZ + "containerservice:AgentPool", "azure-staging-aks-general").inputs  # and the Spot pool (azure.spotNodes)
    assert pool["maxCount"] < 10 and pool["vmSize"] != "Standard_D8s_v5"
    server = one(staging, "dbforpostgresql:Server").inputs
    assert server["highAvailability"] == {"mode": "Disabled"} and server["backup"]["geoRedundantBackup"] == "Disabled"
    assert one(staging, "storage:StorageAccount").inputs["sku"] == {"name": "Standard_ZRS"}
    assert "enablePurgeProtection" not in one(staging, "keyvault:Vault").inputs["properties"]


# --- privacy and encryption --------------------------------------------------------------------


def test_nothing_is_public_by_default(prod):
    api = one(prod, "containerservice:ManagedCluster").inputs["apiServerAccessProfile"]
    assert api["enablePrivateCluster"] is True and api["enableVnetIntegration"] is True and "authorizedIPRanges" not in api
    assert one(prod, "dbforpostgresql:Server").inputs["network"]["publicNetworkAccess"] == "Disabled"
    vault = one(prod, "keyvault:Vault").inputs["properties"]
    assert vault["publicNetworkAccess"] == "Disabled" and vault["networkAcls"]["defaultAction"] == "Deny"
    acct = one(prod, "storage:StorageAccount").inputs
    assert acct["publicNetworkAccess"] == "Disabled" and acct["allowBlobPublicAccess"] is False and acct["allowSharedKeyAccess"] is False
    assert acct["networkRuleSet"]["defaultAction"] == "Deny"
    assert all(r.inputs["publicAccess"] == "None" for r in prod.by_type(AZ + "storage:BlobContainer"))
    # Airbyte's own account: shared keys (its chart takes nothing else), still private.
    (airbyte,) = [r.inputs for r in prod.by_type(AZ + "storage:StorageAccount") if r.name == "azure-prod-airbyte-store"]
    assert airbyte["publicNetworkAccess"] == "Disabled" and airbyte["allowBlobPublicAccess"] is False and airbyte["networkRuleSet"]["defaultAction"] == "Deny"
    acr = one(prod, "containerregistry:Registry").inputs
    assert acr["publicNetworkAccess"] == "Disabled" and acr["adminUserEnabled"] is False and acr["anonymousPullEnabled"] is False


def test_every_private_service_has_a_private_endpoint_in_the_endpoints_subnet(prod):
    targets = {(c["privateLinkServiceId"], g) for r in prod.by_type(AZ + "network:PrivateEndpoint")
               for c in r.inputs["privateLinkServiceConnections"] for g in c["groupIds"]}
    vault, acct, acr = (one(prod, k).state["id"] for k in ("keyvault:Vault", "storage:StorageAccount", "containerregistry:Registry"))
    airbyte, snapshots = (prod.one(AZ + "storage:StorageAccount", f"azure-prod-{p}-store").state["id"] for p in ("airbyte", "snapshots"))
    assert targets == {(vault, "vault"), (acct, "blob"), (acct, "dfs"), (acr, "registry"), (airbyte, "blob"), (snapshots, "blob")}
    endpoints = one_subnet(prod, "endpoints")
    assert all(r.inputs["subnet"]["id"] == endpoints for r in prod.by_type(AZ + "network:PrivateEndpoint"))


def one_subnet(plan, role):
    (s,) = [r for r in plan.by_type(AZ + "network:Subnet") if r.inputs["subnetName"] == role]
    return s.state["id"]


def test_no_subnet_has_default_outbound_access_and_nodes_leave_through_the_nat_gateway(prod):
    subnets = {r.inputs["subnetName"]: r.inputs for r in prod.by_type(AZ + "network:Subnet")}
    assert all(s["defaultOutboundAccess"] is False for s in subnets.values())
    assert "natGateway" in subnets["nodes"] and all("natGateway" not in s for n, s in subnets.items() if n != "nodes")
    assert subnets["postgres"]["delegations"][0]["serviceName"] == "Microsoft.DBforPostgreSQL/flexibleServers"
    assert subnets["apiserver"]["delegations"][0]["serviceName"] == "Microsoft.ContainerService/managedClusters"
    assert one(prod, "containerservice:ManagedCluster").inputs["networkProfile"]["outboundType"] == "userAssignedNATGateway"


def test_tls_is_required_everywhere_data_moves(prod):
    for acct in (r.inputs for r in prod.by_type(AZ + "storage:StorageAccount")):
        assert acct["minimumTlsVersion"] == "TLS1_2" and acct["enableHttpsTrafficOnly"] is True
        assert acct["encryption"]["requireInfrastructureEncryption"] is True
    conf = {r.inputs["configurationName"]: r.inputs["value"] for r in prod.by_type(AZ + "dbforpostgresql:Configuration")}
    assert conf["require_secure_transport"] == "on"


def test_cluster_uses_entra_rbac_without_local_accounts_and_a_tokenless_kubeconfig(prod):
    c = one(prod, "containerservice:ManagedCluster").inputs
    assert c["disableLocalAccounts"] is True and c["aadProfile"]["enableAzureRBAC"] is True
    assert c["oidcIssuerProfile"] == {"enabled": True} and c["securityProfile"]["workloadIdentity"] == {"enabled": True}
    net = c["networkProfile"]
    assert (net["networkPlugin"], net["networkPluginMode"], net["networkPolicy"]) == ("azure", "overlay", "cilium")
    cfg = yaml.safe_load(prod.outputs["kubeconfig"])
    (user,) = cfg["users"]
    assert set(user["user"]) == {"exec"} and user["user"]["exec"]["command"] == "kubelogin"
    assert user["user"]["exec"]["args"][:3] == ["get-token", "--login", "azurecli"]


def test_maintenance_windows_are_sunday_4am_utc(prod):
    windows = {r.inputs["configName"]: r.inputs["maintenanceWindow"] for r in prod.by_type(AZ + "containerservice:MaintenanceConfiguration")}
    assert set(windows) == {"aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"}
    assert all(w["schedule"]["weekly"]["dayOfWeek"] == "Sunday" and w["startTime"] == "04:00" and w["utcOffset"] == "+00:00" for w in windows.values())


def test_storage_classes_are_azure_disk_wait_for_first_consumer_and_expandable(prod):
    classes = {r.name: r.inputs for r in prod.by_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert set(classes) == {"fast-ssd", "standard"}
    for sc in classes.values():
        assert sc["provisioner"] == "disk.csi.azure.com" and sc["volumeBindingMode"] == "WaitForFirstConsumer" and sc["allowVolumeExpansion"] is True
    assert classes["fast-ssd"]["parameters"]["skuName"] == "PremiumV2_LRS" and classes["standard"]["parameters"]["skuName"] == "Premium_LRS"


def test_the_edge_service_is_probed_through_kube_proxys_health_check_port(prod):
    """ETP Local: Azure probes the health-check node port, not `/` on Traefik's ports (a 404)."""
    (traefik,) = [r for r in prod.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    service = traefik.inputs["values"]["service"]
    assert service["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert "service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path" not in service.get("annotations", {})


# --- identities and secrets --------------------------------------------------------------------


def test_each_identity_is_federated_to_exactly_one_service_account(prod):
    creds = prod.by_type(AZ + "managedidentity:FederatedIdentityCredential")
    subjects = {r.inputs["resourceName"]: r.inputs["subject"] for r in creds}
    assert len(subjects) == len(creds)  # one credential per identity
    issuer = one(prod, "containerservice:ManagedCluster").state["oidcIssuerProfile"]["issuerURL"]
    assert all(r.inputs["issuer"] == issuer and r.inputs["audiences"] == ["api://AzureADTokenExchange"] for r in creds)
    expected = {f"azure-prod-{app}": f"system:serviceaccount:{WORKLOAD_SERVICE_ACCOUNTS[app].namespace}:{WORKLOAD_SERVICE_ACCOUNTS[app].name}"
                for app in ("velero",)}  # Dremio: an Entra application, no managed identity (test_azure_dremio.py)
    expected["azure-prod-external-secrets"] = "system:serviceaccount:external-secrets:external-secrets"
    assert subjects == expected


def test_data_roles_are_scoped_to_containers_and_the_secret_reader_to_the_vault(prod):
    principals = {r.state["principalId"]: r.inputs["resourceName"] for r in prod.by_type(AZ + "managedidentity:UserAssignedIdentity")}
    account = one(prod, "storage:StorageAccount").state["id"]
    grants: dict[str, set] = {}
    for r in prod.by_type(AZ + "authorization:RoleAssignment"):
        if r.inputs["principalId"] in principals:
            grants.setdefault(principals[r.inputs["principalId"]], set()).add((r.inputs["roleDefinitionId"].rsplit("/", 1)[1], r.inputs["scope"]))
    blob = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    assert "azure-prod-dremio" not in grants  # its Entra application's grants: test_azure_dremio.py
    assert grants["azure-prod-velero"] == {(blob, f"{account}/blobServices/default/containers/velero")}
    assert grants["azure-prod-external-secrets"] == {("4633458b-17de-408a-b874-0445c86b69e6", one(prod, "keyvault:Vault").state["id"])}


def test_external_secrets_reads_key_vault_with_workload_identity(prod):
    (eso,) = [r for r in prod.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "external-secrets"]
    v = eso.inputs["values"]
    assert v["podLabels"] == {"azure.workload.identity/use": "true"} and "azure.workload.identity/client-id" in v["serviceAccount"]["annotations"]
    (store,) = prod.by_type("kubernetes:external-secrets.io/v1:ClusterSecretStore")
    kv = store.inputs["spec"]["provider"]["azurekv"]
    assert kv["authType"] == "WorkloadIdentity" and kv["vaultUrl"] == one(prod, "keyvault:Vault").state["properties"]["vaultUri"]


def test_every_secret_name_is_valid_in_key_vault_and_is_what_external_secrets_reads(prod):
    names = {r.inputs["secretName"] for r in prod.by_type(AZ + "keyvault:Secret")}
    assert names and all(re.fullmatch(r"[0-9A-Za-z-]{1,127}", n) for n in names)
    read = {d["extract"]["key"] for r in prod.by_type("kubernetes:external-secrets.io/v1:ExternalSecret") for d in r.inputs["spec"].get("dataFrom", [])}
    (admin,) = prod.by_type("kubernetes:external-secrets.io/v1:ClusterExternalSecret")
    read |= {d["remoteRef"]["key"] for d in admin.inputs["spec"]["externalSecretSpec"]["data"]}
    assert read and read <= names
    assert "azure-prod--data-platform--postgres-admin" in names


# --- protection --------------------------------------------------------------------------------


def test_prod_protects_and_locks_every_stateful_resource(prod):
    locks = {r.inputs["scope"]: r.inputs["level"] for r in prod.by_type(AZ + "authorization:ManagementLockByScope")}
    for kind in STATEFUL:
        for r in prod.by_type(AZ + kind):
            assert r.protect is True, r.name
            assert locks.get(r.state["id"]) == "CanNotDelete", r.name


def test_staging_is_destroyable(staging):
    assert staging.by_type(AZ + "authorization:ManagementLockByScope") == []
    assert [r.type for r in staging.registrations if r.type.startswith(AZ) and r.protect] == []


def test_container_insights_collects_container_logs_into_the_workspace_with_the_seeds_retention(prod):
    ws = one(prod, "operationalinsights:Workspace")
    assert ws.inputs["retentionInDays"] == 365
    dcr = one(prod, "monitor:DataCollectionRule").inputs
    assert "Microsoft-ContainerLogV2" in dcr["dataFlows"][0]["streams"]
    assert dcr["destinations"]["logAnalytics"][0]["workspaceResourceId"] == ws.state["id"]
    assoc = one(prod, "monitor:DataCollectionRuleAssociation").inputs
    assert assoc["resourceUri"] == one(prod, "containerservice:ManagedCluster").state["id"]
    oms = one(prod, "containerservice:ManagedCluster").inputs["addonProfiles"]["omsagent"]
    assert oms["enabled"] is True and oms["config"]["useAADAuth"] == "true"
