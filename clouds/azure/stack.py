"""`build_foundation(settings)`: the Azure Foundation, one component per concern.

Order: explicit `azure-native` Provider (location from `azure-native:location`) -> resource
group -> Network -> AksCluster (+ Log Analytics, k8s Provider, StorageClasses) -> Vault (Key
Vault) -> DataLake (ADLS Gen2) -> WorkloadIdentities -> Database (Flexible Server) -> Registry
(ACR) -> AppGateway (with `loadBalancer: appgw`; the gateway itself is built by the platform's
edge through `Foundation.edge.l7`) -> ClusterServices (External Secrets on Key Vault, the database administrator secret).

With `objectStore: native` (the default) the data lake is `Foundation.object_store` (kind
`adls`): the backups (CloudNativePG's archive, Velero) go there with workload identity, Airbyte's
logs and state to an account of its own with a key (AirbyteStorage: its chart takes nothing
else), Elasticsearch's snapshots likewise (SnapshotStorage: repository-azure at 8.15 takes an
account key or SAS token only; keyed_storage.py), and Dremio reads the lake and keeps its distributed storage there as an Entra application
with a client secret (DremioApplication: its Azure Storage plugin takes no workload identity),
so nothing runs MinIO (docs/azure.md).
"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.resources as resources
import pulumi_azuread as azuread
from pulumi_azure_native.provider import Provider

from foundation import EdgeFrontend, Foundation, ManagedDatabase, SecretStore, StorageClasses
from settings import Settings
from settings.catalog_backups import catalog_backup_expiries

from . import appgw_config
from .airbyte_storage import AirbyteStorage
from .aks import FAST_SSD, SNAPSHOTS, STANDARD, AksArgs, AksCluster
from .appgw import AppGateway, AppGatewayArgs
from .cluster_services import DB_ADMIN_SECRET, ClusterServices, ClusterServicesArgs, load_balancer_annotations
from .common import Context
from .database import ADMIN_LOGIN, Database, DatabaseArgs, server_configurations
from .datalake import DataLake, DataLakeArgs
from .entra_apps import DremioApplication, DremioApplicationArgs
from .identities import WorkloadIdentities, WorkloadIdentitiesArgs
from .keyed_storage import KeyedStorageArgs
from .network import Network, NetworkArgs
from .registry import Registry, RegistryArgs
from .snapshot_storage import SnapshotStorage
from .subnets import POD_CIDR, SERVICE_CIDR, plan_subnets
from .vault import Vault, VaultArgs, key_vault_name


def edge_frontend(settings: Settings, app_gateway: Optional[AppGateway]) -> EdgeFrontend:
    """The edge's controller behind the AKS Standard Load Balancer, external or internal by
    config; with `appgw`, an internal one on a fixed address, behind the Application Gateway."""
    if app_gateway is not None:
        ip = appgw_config.backend_ip(plan_subnets(settings.azure.vnet_cidr)["ingress"])
        return EdgeFrontend(service_type="LoadBalancer", service_annotations=appgw_config.service_annotations(ip), l7=app_gateway.frontend())
    return EdgeFrontend(service_type="LoadBalancer", service_annotations=load_balancer_annotations(settings.azure.load_balancer_scheme))


def build_foundation(settings: Settings) -> Foundation:
    s, a = settings, settings.azure
    location = pulumi.Config("azure-native").get("location")
    if not location:
        raise pulumi.RunError(f"{s.stack_file}: azure-native:location is missing: set it with `pulumi config set azure-native:location westeurope` (cloud azure needs a region)")

    p = s.prefix
    provider = Provider(f"{p}-azure", location=location)
    client = authorization.get_client_config(opts=pulumi.InvokeOptions(provider=provider))
    group = resources.ResourceGroup(f"{p}-rg", resource_group_name=f"{p}-data-platform", location=location,
                                    tags={"project": s.project, "stack": p, "environment": s.environment, "component": "foundation", "managed-by": "pulumi"},
                                    opts=pulumi.ResourceOptions(provider=provider, protect=s.protect))
    ctx = Context(provider=provider, prefix=p, project=s.project, environment=s.environment, location=location,
                  subscription_id=pulumi.Output.from_input(client.subscription_id), tenant_id=pulumi.Output.from_input(client.tenant_id),
                  deployer_object_id=pulumi.Output.from_input(client.object_id), resource_group=group.name, protect=s.protect)
    cluster_name = f"{p}-aks"

    app_gateway_on = a.load_balancer == "appgw"
    network = Network("network", NetworkArgs(ctx=ctx, cidr=a.vnet_cidr, zones=tuple(a.zones), app_gateway=app_gateway_on))
    cluster = AksCluster("aks", AksArgs(
        ctx=ctx, name=cluster_name, version=s.kubernetes_version,
        node_subnet_id=network.subnets["nodes"].id, apiserver_subnet_id=network.subnets["apiserver"].id, vnet_id=network.vnet.id,
        zones=tuple(a.zones), api_server_public=a.api_server_public, authorized_ip_ranges=tuple(a.authorized_ip_ranges),
        admin_group_object_ids=tuple(a.admin_group_object_ids), sku_tier=a.sku_tier, upgrade_channel=a.upgrade_channel,
        node_os_upgrade_channel=a.node_os_upgrade_channel, maintenance_day=a.maintenance_day, maintenance_start_hour=a.maintenance_start_hour,
        system_node_size=a.system_node_size, system_node_count=a.system_node_count, node_size=a.node_size,
        node_min_count=a.node_min_count, node_max_count=a.node_max_count, node_initial_count=a.node_initial_count,
        node_disk_size_gb=a.node_disk_size_gb, max_pods=a.max_pods, log_retention_days=a.log_retention_days,
        spot_node_size=a.spot_node_size if a.spot_nodes else None, spot_max_count=a.spot_max_count,
        network_policies=s.network_policies,
    ))
    workspace_id = cluster.workspace.id
    secret_prefix = f"{p}/data-platform/"
    vault = Vault("vault", VaultArgs(ctx=ctx, network=network, secret_prefix=secret_prefix, soft_delete_days=a.key_vault_soft_delete_days,
                                     purge_protection=a.key_vault_purge_protection, workspace_id=workspace_id))

    lake = identities = airbyte_store = snapshot_store = dremio_app = None
    if s.object_store == "native":
        lake = DataLake("datalake", DataLakeArgs(ctx=ctx, network=network, replication=a.lake_replication, soft_delete_days=a.soft_delete_days,
                                                 bronze_days=a.bronze_cold_days, bronze_tier=a.bronze_tier, workspace_id=workspace_id,
                                                 expiries=catalog_backup_expiries(s)))
        identities = WorkloadIdentities("identities", WorkloadIdentitiesArgs(
            ctx=ctx, oidc_issuer=cluster.oidc_issuer, container_scopes={r: lake.container_scope(r) for r in lake.containers},
            apps=(*(("postgres",) if s.database == "in-cluster" else ()),
                  *(("velero",) if s.backups.velero and not s.backups.standby else ())),
        ))
        # Microsoft Graph, same tenant as ARM, signed in the same way (Azure CLI / azure/login).
        graph = azuread.Provider(f"{p}-azuread", tenant_id=ctx.tenant_id)
        dremio_app = DremioApplication("dremio-application", DremioApplicationArgs(
            ctx=ctx, provider=graph, container_scopes={r: lake.container_scope(r) for r in lake.containers},
            secret_end_date=a.dremio_secret_end_date))
        keyed_args = KeyedStorageArgs(ctx=ctx, network=network, replication=a.lake_replication, soft_delete_days=a.soft_delete_days)
        if s.airbyte.enabled:
            airbyte_store = AirbyteStorage("airbyte-storage", keyed_args)
        if s.backups.elasticsearch_snapshots:
            snapshot_store = SnapshotStorage("snapshot-storage", keyed_args)

    db = admin_written = None
    if s.database == "managed":
        db = Database("database", DatabaseArgs(
            ctx=ctx, subnet_id=network.subnets["postgres"].id, private_dns_zone_id=network.postgres_zone.id, version=a.db_version,
            sku=a.db_sku, tier=a.db_tier, storage_gb=a.db_storage_gb, high_availability=a.db_high_availability, zones=tuple(a.zones),
            backup_retention_days=a.db_backup_retention_days, geo_redundant_backup=a.db_geo_redundant_backup,
            maintenance_day=a.maintenance_day, maintenance_start_hour=a.maintenance_start_hour,
            configurations=server_configurations(a.db_shared_buffers, a.db_effective_cache_size, a.db_work_mem, a.db_maintenance_work_mem, a.db_max_connections),
            workspace_id=workspace_id,
        ))
        admin_written = vault.write_secret(DB_ADMIN_SECRET, {"username": ADMIN_LOGIN, "password": db.admin_password},
                                           pulumi.ResourceOptions(parent=db, depends_on=[vault.vault]))

    registry = Registry("registry", RegistryArgs(ctx=ctx, network=network, kubelet_object_id=cluster.kubelet_object_id,
                                                 untagged_retention_days=a.acr_untagged_retention_days, zone_redundant=len(a.zones) > 1,
                                                 workspace_id=workspace_id))
    app_gateway = None
    if app_gateway_on:
        assert a.app_gateway_certificate_secret_id and a.app_gateway_certificate_vault_id  # settings require both with appgw
        app_gateway = AppGateway("app-gateway", AppGatewayArgs(
            ctx=ctx, subnet_id=network.subnets["appgw"].id, zones=tuple(a.zones),
            backend_ip=appgw_config.backend_ip(plan_subnets(a.vnet_cidr)["ingress"]),
            certificate_secret_id=a.app_gateway_certificate_secret_id, certificate_vault_id=a.app_gateway_certificate_vault_id,
            min_capacity=a.app_gateway_min_capacity, max_capacity=a.app_gateway_max_capacity, workspace_id=workspace_id,
        ))
    services = ClusterServices("cluster-services", ClusterServicesArgs(
        ctx=ctx, provider=cluster.provider, oidc_issuer=cluster.oidc_issuer, vault_id=vault.vault.id, vault_uri=vault.uri,
        secret_prefix=secret_prefix, db_admin_written=admin_written, depends_on=tuple(cluster.ready),
    ))

    database = None
    if db is not None:
        assert services.db_admin_secret is not None  # the cluster services write it whenever there is a database
        database = ManagedDatabase(host=db.server.fully_qualified_domain_name, port=5432, engine_version=a.db_version,
                                   admin_secret=services.db_admin_secret, sslmode="require", ready=(*db.configured, *services.db_ready))

    outputs: dict = {
        "azureLocation": location,
        "resourceGroup": group.name,
        "vnetId": network.vnet.id,
        "aksClusterName": cluster.cluster.name,
        "aksPrivateFqdn": cluster.cluster.private_fqdn,
        "kubeconfig": cluster.kubeconfig,
        "keyVaultUri": vault.uri,
        "acrLoginServer": registry.login_server,
    }
    if lake is not None:
        outputs["dataLakeAccount"] = lake.account.name
        outputs["dataLakeContainers"] = sorted(lake.containers)
    if airbyte_store is not None:
        outputs["airbyteStorageAccount"] = airbyte_store.account.name
    if snapshot_store is not None:
        outputs["snapshotStorageAccount"] = snapshot_store.account.name
    if dremio_app is not None:
        outputs["dremioApplicationClientId"] = dremio_app.application.client_id
    if identities is not None:
        outputs["workloadIdentityClientIds"] = {app: u.client_id for app, u in identities.identities.items()}
    if app_gateway is not None:
        outputs["appGatewayPublicIp"] = app_gateway.address
    if db is not None:
        outputs["postgresFqdn"] = db.server.fully_qualified_domain_name
    return Foundation(
        cloud="azure",
        provider=cluster.provider,
        storage_classes=StorageClasses(fast_ssd=FAST_SSD, standard=STANDARD),
        edge=edge_frontend(s, app_gateway),
        object_store=lake.object_store(keyed={app: store.keyed_container() for app, store in (("airbyte", airbyte_store), ("elasticsearch", snapshot_store))
                                              if store is not None},
                                       oauth_clients={"dremio": dremio_app.oauth_client()} if dremio_app else {}) if lake is not None else None,
        database=database,
        secret_store=SecretStore(name=services.secret_store_name, key_prefix=secret_prefix, write=vault.write_secret,
                                 ready=tuple(services.secret_store_ready), remote_name=key_vault_name),
        log_sink=None,  # Container Insights collects every container's log into Log Analytics, without a shipper secret
        registry=registry.login_server,
        workload_identity=dict(identities.workload_identity) if identities is not None else {},
        pod_cidrs=(POD_CIDR,),
        service_cidrs=(SERVICE_CIDR,),
        interruptible=cluster.interruptible,
        volume_snapshots=SNAPSHOTS,
        cluster_ready=(*cluster.ready, *services.ready),
        outputs=outputs,
    )
