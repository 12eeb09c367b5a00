"""Settings section `data-platform:azure`: the Azure foundation (VNet, AKS, PostgreSQL Flexible
Server, Data Lake Gen2, Key Vault, ACR, Azure Monitor, load balancing).

Region-independent settings only: the region is the provider's own `azure-native:location`
key, and the AKS version is the project-wide `kubernetesVersion`. Defaults follow the seed's
Azure architecture (prod: 8 vCPU/32 GiB nodes 3/10/5, a 4 vCPU/32 GiB zone-redundant server,
30-day geo-redundant backups, GZRS data lake) and the AKS baseline / Azure Verified Modules'
secure defaults (private API server, Entra ID RBAC, no local accounts, no public data plane).

It lives with the cloud, next to the pure planner it checks with (subnets.py), and is handed to
`settings.load` by the composition root (`clouds.registry()`): settings/ never imports clouds/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from settings import checks
from settings.errors import MISSING
from settings.schema import CrossFieldInvalid, FrontTls, Section, per_env, setting

from . import recovery
from .subnets import SubnetPlanError, plan_subnets

if TYPE_CHECKING:
    from settings import Settings
    from settings.recovery import NativeCopy, RecoveryPoint

_VM_SIZE = r"Standard_[A-Z][A-Za-z0-9_]*"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_KV_SECRET_ID = r"https://([a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9])\.vault\.azure\.net/secrets/[a-zA-Z0-9-]{1,127}(/[0-9a-f]{32})?"
"""A Key Vault secret id (versionless, so the Application Gateway follows renewals, or versioned)."""
_KV_ID = r"(?i:/subscriptions/[0-9a-f-]{36}/resourceGroups/[-\w.()]+/providers/Microsoft\.KeyVault/vaults/)([a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9])"
"""A Key Vault's ARM id (ARM ids are case-insensitive)."""
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
DB_STORAGE_TIERS = (32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767)
"""Flexible Server's Premium SSD sizes in GiB (storage comes in these tiers only)."""


def _vnet_cidr(value: Any) -> str:
    value = checks.cidr(value)
    try:
        plan_subnets(value)
    except SubnetPlanError as e:
        raise checks.Invalid(str(e)) from None
    return value


def _db_storage(value: Any) -> int:
    value = checks.integer(32, 32767)(value)
    if value not in DB_STORAGE_TIERS:
        raise checks.Invalid("a Flexible Server storage size in GiB: one of " + ", ".join(map(str, DB_STORAGE_TIERS)))
    return value


@dataclass(frozen=True)
class AzureSettings(Section):
    KEY = "azure"
    POSITION = 13
    DOC = "Azure foundation: VNet, AKS, PostgreSQL Flexible Server, Data Lake Gen2, Key Vault, ACR"
    HAS_NATIVE_LAKE = True
    HAS_MANAGED_DATABASE = True

    # --- network ---
    vnet_cidr: str = setting(_vnet_cidr, "VNet CIDR (/16 to /20, outside 192.168.0.0/16 and 172.16.0.0/16, the pod and Service ranges). Subnets are planned from it: nodes 10.0.0.0/22, apiserver 10.0.4.0/28, ingress 10.0.4.16/28, postgres 10.0.5.0/27, endpoints 10.0.6.0/26, appgw 10.0.8.0/24 for 10.0.0.0/16.", default="10.0.0.0/16")
    zones: tuple = setting(checks.string_list(checks.one_of("1", "2", "3")), "Availability zones the node pools, the database's HA standby, the registry and the Application Gateway span.", default=("1", "2", "3"))
    # --- AKS ---
    api_server_public: bool = setting(checks.boolean, "Expose the AKS API server publicly (limited to authorizedIpRanges). Off (default): a private cluster with API server VNet integration; run Pulumi from inside the VNet (VPN, self-hosted CI runner).", default=False)
    authorized_ip_ranges: tuple = setting(checks.cidr_list, "CIDRs allowed to reach a public API server; required (and never 0.0.0.0/0) when apiServerPublic is true.", default=())
    admin_group_object_ids: tuple = setting(checks.string_list(checks.text(_UUID, "an Entra ID group object id such as 00000000-0000-0000-0000-000000000000")), "Entra ID groups given Azure Kubernetes Service RBAC Cluster Admin (the identity running Pulumi always is).", default=())
    sku_tier: str = setting(checks.one_of("Free", "Standard", "Premium"), "AKS control-plane tier: Standard has the uptime SLA (prod, staging), Free has none.", default=per_env(dev="Free", staging="Standard", prod="Standard"))
    upgrade_channel: str = setting(checks.one_of("none", "patch", "stable", "rapid", "node-image"), "Cluster auto-upgrade channel (patch: the latest patch of kubernetesVersion).", default="patch")
    node_os_upgrade_channel: str = setting(checks.one_of("None", "Unmanaged", "NodeImage", "SecurityPatch"), "Node OS auto-upgrade channel.", default="NodeImage")
    maintenance_day: str = setting(checks.one_of(*_DAYS), "Weekly maintenance day (UTC) for AKS upgrades and the database (the seed: Sunday).", default="Sunday")
    maintenance_start_hour: int = setting(checks.integer(0, 23), "Maintenance window start hour (UTC; the seed: 04:00). AKS gets 4 hours, the database 1.", default=4)
    system_node_size: str = setting(checks.text(_VM_SIZE, "an Azure VM size such as Standard_D4ds_v5"), "VM size of the system pool (CriticalAddonsOnly; ephemeral OS disk, so a size with a local disk, a 'd' size).", default=per_env(dev="Standard_D2ds_v5", staging="Standard_D4ds_v5", prod="Standard_D4ds_v5"))
    system_node_count: int = setting(checks.integer(1, 10), "Nodes in the system pool (one per zone in prod).", default=per_env(dev=1, staging=2, prod=3))
    node_size: str = setting(checks.text(_VM_SIZE, "an Azure VM size such as Standard_D8s_v5"), "VM size of the user pool the platform runs on (the seed: 8 vCPU/32 GiB).", default=per_env(dev="Standard_D4s_v5", staging="Standard_D4s_v5", prod="Standard_D8s_v5"))
    node_min_count: int = setting(checks.integer(1, 100), "User pool minimum size.", default=per_env(dev=1, staging=2, prod=3))
    node_max_count: int = setting(checks.integer(1, 1000), "User pool maximum size (the cluster autoscaler scales up to it).", default=per_env(dev=3, staging=5, prod=10))
    node_initial_count: int = setting(checks.integer(1, 1000), "User pool initial size; later left to the cluster autoscaler (drift ignored).", default=per_env(dev=1, staging=3, prod=5))
    node_disk_size_gb: int = setting(checks.integer(30, 2048), "Managed OS disk size of each user-pool node in GB.", default=100)
    spot_nodes: bool = setting(checks.boolean, "A Spot user pool (evicted VMs deleted, max price -1: up to the pay-as-you-go price), autoscaled from 0, for interruptible work (Airbyte connector job pods; Dremio executors with dremio.executorsInterruptible); AKS taints its nodes kubernetes.azure.com/scalesetpriority=spot:NoSchedule so nothing else lands there. Off by default in prod.", default=per_env(dev=False, staging=True, prod=False))
    spot_node_size: str = setting(checks.text(_VM_SIZE, "an Azure VM size such as Standard_D4s_v5"), "VM size of the Spot pool.", default=per_env(dev="Standard_D4s_v5", staging="Standard_D4s_v5", prod="Standard_D8s_v5"))
    spot_max_count: int = setting(checks.integer(1, 100), "Spot pool maximum size (it starts at 0; the cluster autoscaler adds nodes only when interruptible pods wait).", default=per_env(dev=2, staging=5, prod=10))
    max_pods: int = setting(checks.integer(50, 250), "Pods per node (Azure CNI overlay allows up to 250).", default=110)
    # --- PostgreSQL Flexible Server ---
    db_version: str = setting(checks.one_of("16"), "PostgreSQL major version (the seed's 16; Azure applies minors in the maintenance window).", default="16")
    db_sku: str = setting(checks.text(r"Standard_[A-Z][A-Za-z0-9_]*", "a Flexible Server SKU such as Standard_E4ds_v5"), "Flexible Server compute SKU (the seed: 4 vCPU/32 GiB, Standard_E4ds_v5).", default=per_env(dev="Standard_B2ms", staging="Standard_D2ds_v5", prod="Standard_E4ds_v5"))
    db_tier: str = setting(checks.one_of("Burstable", "GeneralPurpose", "MemoryOptimized"), "The SKU's tier (Burstable has no high availability).", default=per_env(dev="Burstable", staging="GeneralPurpose", prod="MemoryOptimized"))
    # The seed's 100 GB, rounded up to a storage tier.
    db_storage_gb: int = setting(_db_storage, "Initial storage in GiB (Premium SSD tiers); auto-grow doubles it near full.", default=per_env(dev=32, staging=64, prod=128))
    db_high_availability: str = setting(checks.one_of("Disabled", "ZoneRedundant", "SameZone"), "Standby: ZoneRedundant (prod; another zone), SameZone (regions without zone-redundant HA) or Disabled.", default=per_env(dev="Disabled", staging="Disabled", prod="ZoneRedundant"))
    db_backup_retention_days: int = setting(checks.integer(7, 35), "Backup retention in days (7 to 35).", default=per_env(dev=7, staging=7, prod=30))
    db_geo_redundant_backup: bool = setting(checks.boolean, "Geo-redundant backups (paired region). Set at creation only: changing it replaces the server.", default=per_env(dev=False, staging=False, prod=True))
    # The seed's tuning is for its 32 GiB server; staging's D2ds_v5 has 8 GiB, dev's B2ms 8 GiB.
    db_shared_buffers: str = setting(checks.memory_pages, "shared_buffers (the seed: 4GB); written in 8 KiB pages.", default=per_env(dev="2Gi", staging="2Gi", prod="4Gi"))
    db_effective_cache_size: str = setting(checks.memory_pages, "effective_cache_size (the seed: 12GB); written in 8 KiB pages.", default=per_env(dev="6Gi", staging="6Gi", prod="12Gi"))
    db_work_mem: str = setting(checks.memory_pages, "work_mem (the seed: 64MB); written in KiB.", default=per_env(dev="16Mi", staging="32Mi", prod="64Mi"))
    db_maintenance_work_mem: str = setting(checks.memory_pages, "maintenance_work_mem (the seed: 1GB); written in KiB.", default=per_env(dev="256Mi", staging="512Mi", prod="1Gi"))
    db_max_connections: int = setting(checks.integer(25, 5000), "max_connections (the seed: 200).", default=per_env(dev=100, staging=200, prod=200))
    # --- storage, vault, registry, logs ---
    lake_replication: str = setting(checks.one_of("Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_GZRS", "Standard_RAGZRS"), "Data lake redundancy (prod: GZRS, zone- and geo-redundant).", default=per_env(dev="Standard_LRS", staging="Standard_ZRS", prod="Standard_GZRS"))
    bronze_cold_days: int = setting(checks.integer(1, 3650), "Days after the last modification before bronze blobs move to bronzeTier (the seed: 90).", default=90)
    bronze_tier: str = setting(checks.one_of("cool", "cold", "archive"), "Tier old bronze blobs move to: archive (the seed's Glacier; offline until rehydrated) or cold/cool (still readable by Dremio).", default="archive")
    soft_delete_days: int = setting(checks.integer(0, 365), "Blob and container soft delete retention in days, on the lake and the keyed accounts; 0 turns it off (Dremio's docs ask for it off on an Azure Storage source: docs/azure.md).", default=per_env(dev=7, staging=7, prod=90))
    dremio_secret_end_date: Optional[str] = setting(checks.optional(checks.iso_date), "Expiry (YYYY-MM-DD, 00:00 UTC) of the client secret of Dremio's Entra application (Dremio's Azure Storage plugin takes no workload identity); changing it issues a new secret (rotation, docs/azure.md). Unset: Entra's default, two years after it is issued.", default=None)
    key_vault_soft_delete_days: int = setting(checks.integer(7, 90), "Key Vault soft delete retention in days (fixed at creation).", default=per_env(dev=7, staging=7, prod=90))
    key_vault_purge_protection: bool = setting(checks.boolean, "Key Vault purge protection (irreversible: a deleted vault is kept for the whole retention; prod).", default=per_env(dev=False, staging=False, prod=True))
    acr_untagged_retention_days: int = setting(checks.integer(0, 365), "Days untagged manifests stay in the registry (the seed: 14).", default=14)
    log_retention_days: int = setting(checks.integer(30, 730), "Log Analytics retention (Container Insights, AKS/Key Vault/storage/database diagnostics).", default=per_env(dev=30, staging=30, prod=365))
    # --- load balancing ---
    load_balancer: str = setting(checks.one_of("standard", "appgw"), "What fronts the edge (Traefik, the Gateway): standard (the AKS Standard Load Balancer, TLS from cert-manager) or appgw (the seed's Application Gateway WAF_v2: TLS 1.2+ with a Key Vault certificate, WAF in Prevention mode, re-encrypted to the Gateway through an internal load balancer; needs appGatewayCertificateSecretId, appGatewayCertificateVaultId and tlsIssuer letsencrypt-prod).", default="standard")
    load_balancer_scheme: str = setting(checks.one_of("external", "internal"), "The standard load balancer: external (public IP) or internal (an address in the ingress subnet, reachable from the VNet only). With appgw the controller's load balancer is always internal and the Application Gateway has the public address.", default="external")
    app_gateway_certificate_secret_id: Optional[str] = setting(checks.optional(checks.text(_KV_SECRET_ID, "a Key Vault secret id such as https://my-vault.vault.azure.net/secrets/data-platform-tls")), "Key Vault secret id of the certificate the Application Gateway serves (PFX, covering airbyte./dremio./superset.<domain>); versionless to follow renewals. Required when loadBalancer is appgw.", default=None)
    app_gateway_certificate_vault_id: Optional[str] = setting(checks.optional(checks.text(_KV_ID, "a Key Vault resource id such as /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/my-vault")), "Resource id of the Key Vault holding that certificate (an RBAC vault): the gateway's identity gets Key Vault Secrets User on it. Required when loadBalancer is appgw.", default=None)
    app_gateway_min_capacity: int = setting(checks.integer(0, 125), "Application Gateway autoscaling: minimum instances (capacity units reserved, billed when idle).", default=per_env(dev=0, staging=1, prod=2))
    app_gateway_max_capacity: int = setting(checks.integer(2, 125), "Application Gateway autoscaling: maximum instances.", default=10)

    def cross_check(self) -> None:
        self._check_app_gateway()
        if not self.node_min_count <= self.node_initial_count <= self.node_max_count:
            raise CrossFieldInvalid("nodeInitialCount", self.node_initial_count, f"a size from nodeMinCount ({self.node_min_count}) to nodeMaxCount ({self.node_max_count})")
        if self.api_server_public and not self.authorized_ip_ranges:
            raise CrossFieldInvalid("authorizedIpRanges", list(self.authorized_ip_ranges), "at least one CIDR when apiServerPublic is true (AKS would otherwise open the API server to every address)")
        if "0.0.0.0/0" in self.authorized_ip_ranges:
            raise CrossFieldInvalid("authorizedIpRanges", list(self.authorized_ip_ranges), "specific CIDRs (office, VPN, CI egress), not 0.0.0.0/0")
        if self.authorized_ip_ranges and not self.api_server_public:
            raise CrossFieldInvalid("authorizedIpRanges", list(self.authorized_ip_ranges), "empty while apiServerPublic is false (authorized ranges only apply to a public API server)")
        if not self.zones or len(set(self.zones)) != len(self.zones):
            raise CrossFieldInvalid("zones", list(self.zones), "one or more distinct zones among 1, 2, 3")
        if self.db_tier == "Burstable" and self.db_high_availability != "Disabled":
            raise CrossFieldInvalid("dbHighAvailability", self.db_high_availability, "Disabled with dbTier Burstable (burstable servers have no high availability)")
        if self.db_high_availability == "ZoneRedundant" and len(self.zones) < 2:
            raise CrossFieldInvalid("dbHighAvailability", self.db_high_availability, "SameZone or Disabled with a single zone (ZoneRedundant needs a second zone)")

    def front_tls(self) -> Optional[FrontTls]:
        # The Application Gateway verifies the Gateway's certificate (a public CA, per host):
        # Let's Encrypt prod, its HTTP-01 challenges passed to the Gateway's HTTP listener
        # (clouds/azure/appgw.py).
        if self.load_balancer != "appgw":
            return None
        return FrontTls("letsencrypt-prod", "letsencrypt-prod when azure.loadBalancer is appgw (the Application Gateway only re-encrypts to certificates of a public CA)")

    def check_recovery(self, settings: Settings, target_seconds: int) -> None:
        recovery.check(self, settings)

    def database_recovery_point(self, settings: Settings) -> RecoveryPoint:
        return recovery.database(self)

    def archive_copy(self, settings: Settings) -> NativeCopy:
        return recovery.archive(self)

    def lake_recovery_point(self, settings: Settings) -> Optional[RecoveryPoint]:
        return recovery.lake(self)

    def snapshot_copy(self, settings: Settings) -> Optional[NativeCopy]:
        return recovery.snapshots(self)

    def _check_app_gateway(self) -> None:
        if self.load_balancer == "appgw":
            for key, value in (("appGatewayCertificateSecretId", self.app_gateway_certificate_secret_id), ("appGatewayCertificateVaultId", self.app_gateway_certificate_vault_id)):
                if not value:
                    raise CrossFieldInvalid(key, MISSING, "required when loadBalancer is appgw (the gateway's listener certificate, read from Key Vault)")
        secret, vault = self.app_gateway_certificate_secret_id, self.app_gateway_certificate_vault_id
        if secret and vault and key_vault_of_secret(secret) != key_vault_of_id(vault):
            raise CrossFieldInvalid("appGatewayCertificateVaultId", vault, f"the vault of appGatewayCertificateSecretId ({key_vault_of_secret(secret)})")
        if self.app_gateway_min_capacity > self.app_gateway_max_capacity:
            raise CrossFieldInvalid("appGatewayMinCapacity", self.app_gateway_min_capacity, f"at most appGatewayMaxCapacity ({self.app_gateway_max_capacity})")


def key_vault_of_secret(secret_id: str) -> str:
    m = re.fullmatch(_KV_SECRET_ID, secret_id)
    return m.group(1).lower() if m else ""


def key_vault_of_id(vault_id: str) -> str:
    m = re.fullmatch(_KV_ID, vault_id)
    return m.group(1).lower() if m else ""


SECTION = AzureSettings
