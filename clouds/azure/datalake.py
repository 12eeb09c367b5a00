"""The data lake on Azure: one Data Lake Storage Gen2 account (hierarchical namespace) with a
container per role, private, Entra-ID-only, soft-deleted, bronze tiered down after 90 days.

- Containers: bronze, silver, gold, backups (database/WAL archives), dremio and velero (one per
  consumer, as the S3 buckets on AWS), all `public_access: None`. Airbyte and Elasticsearch's
  snapshots, which take only an account key, have accounts of their own (keyed_storage.py).
- No shared keys (`allow_shared_key_access: false`, OAuth by default), no public blob access,
  no public network access (private endpoints for blob and dfs), TLS 1.2, HTTPS only, no
  cross-tenant replication; encryption at rest is always on (Microsoft-managed keys).
- Redundancy from settings (prod: GZRS). Versioning and point-in-time restore are not supported
  on HNS accounts, so blob and container soft delete carry the recovery (prod: 90 days).
- Lifecycle: bronze/ moves to `bronzeTier` (archive, the seed's Glacier) after `bronzeColdDays`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.storage as storage

from foundation import AdlsAccount, KeyedContainer, OAuthClient, ObjectStore
from settings.catalog_backups import PrefixExpiry

from .common import Context
from .network import Network

COMPONENT = "datalake"
DATA_ROLES = ("bronze", "silver", "gold", "backups", "dremio", "velero")
_TIER_ACTION = {"cool": "tier_to_cool", "cold": "tier_to_cold", "archive": "tier_to_archive"}


@dataclass(frozen=True)
class DataLakeArgs:
    ctx: Context
    network: Network
    replication: str
    soft_delete_days: int
    bronze_days: int
    bronze_tier: str
    workspace_id: pulumi.Input[str]
    expiries: Sequence[PrefixExpiry] = ()
    """Prefixes whose blobs are deleted after their days (Dremio's catalog backups in its container)."""


def soft_delete(days: int) -> dict:
    """Blob and container soft delete for `days` (azure.softDeleteDays); 0 turns it off (the
    opt-out for a consumer that refuses it: docs/azure.md, Dremio)."""
    return {"enabled": True, "days": days} if days > 0 else {"enabled": False}


def storage_account(ctx: Context, parent: pulumi.Resource, name: str, purpose: str, *, replication: str, hns: bool,
                    shared_key: bool) -> storage.StorageAccount:
    """A private, TLS-1.2, HTTPS-only, infrastructure-encrypted StorageV2 account. `shared_key`
    only where a consumer takes nothing but an account key (Airbyte's own account)."""
    return storage.StorageAccount(
        name,
        resource_group_name=ctx.resource_group,
        account_name=ctx.unique_name(purpose, max_len=24, dashes=False),
        kind="StorageV2",
        sku={"name": replication},
        access_tier="Hot",
        is_hns_enabled=hns,
        minimum_tls_version="TLS1_2",
        enable_https_traffic_only=True,
        allow_blob_public_access=False,
        allow_shared_key_access=shared_key,
        default_to_o_auth_authentication=True,
        allow_cross_tenant_replication=False,
        public_network_access="Disabled",
        network_rule_set={"default_action": "Deny", "bypass": "AzureServices"},
        encryption={"key_source": "Microsoft.Storage", "require_infrastructure_encryption": True,
                    "services": {"blob": {"enabled": True, "key_type": "Account"}, "file": {"enabled": True, "key_type": "Account"}}},
        tags=ctx.tags(COMPONENT),
        opts=ctx.opts(parent, stateful=True),
    )


class DataLake(pulumi.ComponentResource):
    account: storage.StorageAccount
    containers: dict[str, storage.BlobContainer]

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:DataLake", name, None, opts)
        ctx, rg = args.ctx, args.ctx.resource_group
        self.account = storage_account(ctx, self, f"{ctx.prefix}-lake", "lake", replication=args.replication, hns=True, shared_key=False)
        ctx.lock(self, f"{ctx.prefix}-lake", self.account.id)
        retention = soft_delete(args.soft_delete_days)
        props = storage.BlobServiceProperties(
            f"{ctx.prefix}-lake", resource_group_name=rg, account_name=self.account.name, blob_services_name="default",
            delete_retention_policy=retention, container_delete_retention_policy=retention, opts=ctx.opts(self),
        )
        self.containers = {
            role: storage.BlobContainer(f"{ctx.prefix}-lake-{role}", resource_group_name=rg, account_name=self.account.name, container_name=role,
                                        public_access="None", opts=ctx.opts(self, stateful=True, depends_on=[props]))
            for role in DATA_ROLES
        }
        storage.ManagementPolicy(
            f"{ctx.prefix}-lake", resource_group_name=rg, account_name=self.account.name, management_policy_name="default",
            policy={"rules": [{
                "name": f"bronze-to-{args.bronze_tier}", "enabled": True, "type": "Lifecycle",
                "definition": {
                    "filters": {"blob_types": ["blockBlob"], "prefix_match": ["bronze/"]},
                    "actions": {"base_blob": {_TIER_ACTION[args.bronze_tier]: {"days_after_modification_greater_than": args.bronze_days}}},
                },
            }, *({
                # Azure's prefixMatch starts with the container's name.
                "name": e.rule_id, "enabled": True, "type": "Lifecycle",
                "definition": {
                    "filters": {"blob_types": ["blockBlob"], "prefix_match": [f"{e.bucket_role}/{e.prefix}"]},
                    "actions": {"base_blob": {"delete": {"days_after_modification_greater_than": e.days}}},
                },
            } for e in args.expiries if e.bucket_role in self.containers)]},
            opts=ctx.opts(self, depends_on=[self.containers["bronze"], *(self.containers[e.bucket_role] for e in args.expiries if e.bucket_role in self.containers)]),
        )
        for group in ("blob", "dfs"):
            args.network.private_endpoint(self, f"lake-{group}", self.account.id, group)
        monitor.DiagnosticSetting(f"{ctx.prefix}-lake-diagnostics", name=f"{ctx.prefix}-lake-to-logs",
                                  resource_uri=pulumi.Output.concat(self.account.id, "/blobServices/default"), workspace_id=args.workspace_id,
                                  logs=[{"category_group": "audit", "enabled": True}], opts=ctx.opts(self))
        self.register_outputs({"account": self.account.name, "containers": list(DATA_ROLES)})

    def object_store(self, keyed: Mapping[str, KeyedContainer], oauth_clients: Mapping[str, OAuthClient]) -> ObjectStore:
        """The lake as the platform sees it (Foundation.object_store): the `adls` protocol, the
        containers by role, the account's endpoints (reached through the private endpoints),
        the key-based containers of consumers without Entra ID support, and the Entra
        applications of consumers without workload identity (Dremio)."""
        endpoints = self.account.primary_endpoints
        return ObjectStore(kind="adls", buckets={role: c.name for role, c in self.containers.items()}, keyed=dict(keyed),
                           oauth_clients=dict(oauth_clients),
                           adls=AdlsAccount(name=self.account.name, blob_endpoint=endpoints.apply(lambda e: e.blob),
                                            dfs_endpoint=endpoints.apply(lambda e: e.dfs)))

    def container_scope(self, role: str) -> pulumi.Output[str]:
        """The ARM scope of one container (role assignments are made there, not on the account)."""
        return pulumi.Output.concat(self.account.id, "/blobServices/default/containers/", role)
