"""A storage account of its own for one consumer that authenticates with nothing but an account key.

The lake refuses shared keys (datalake.py). A consumer that takes only a key gets a small StorageV2
account where shared-key access is on and the key opens that one container and nothing else:
private (blob private endpoint, no public network or blob access), TLS 1.2, soft-deleted like the
lake, protected and locked in prod (the same `storage_account` helper as the lake). Two consumers
today, each a thin component so that its resource names say what it is:

- `AirbyteStorage` (airbyte_storage.py): Airbyte chart V2 reads only `AZURE_STORAGE_CONNECTION_STRING`;
- `SnapshotStorage` (snapshot_storage.py): Elasticsearch 8.15's repository-azure reads only
  `azure.client.<name>.account` with `key` or `sas_token` (workload identity came in 8.16).

The key is read from ARM at each `pulumi up` (`listStorageAccountKeys`, key1) and handed to the
platform as a Pulumi secret (`foundation.KeyedContainer`): the platform writes it to Key Vault
through the Foundation's secret store and External Secrets syncs it (never a stack value, never
plaintext). Rotate it with `az storage account keys renew --key key1`, then `pulumi up`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pulumi
import pulumi_azure_native.storage as storage

from foundation import KeyedContainer

from .common import Context
from .datalake import soft_delete, storage_account
from .network import Network


@dataclass(frozen=True)
class KeyedStorageArgs:
    ctx: Context
    network: Network
    replication: str
    soft_delete_days: int


def connection_string(account: str, key: str) -> str:
    """The Azure Storage connection string of `account` (public cloud endpoints)."""
    return f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};EndpointSuffix=core.windows.net"


class KeyedStorage(pulumi.ComponentResource):
    """The account, its soft-delete properties, one private container, the blob private endpoint,
    the lock in prod, and key1 as a Pulumi secret. A subclass names its component type, the
    `PURPOSE` its resources are named after (`<prefix>-<purpose>-store`, the account
    `<stack><purpose><hash>`) and its `CONTAINER`."""

    TYPE: ClassVar[str]
    PURPOSE: ClassVar[str]
    CONTAINER: ClassVar[str]
    account: storage.StorageAccount
    container: storage.BlobContainer

    def __init__(self, name: str, args: KeyedStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE, name, None, opts)
        ctx, rg = args.ctx, args.ctx.resource_group
        rname = f"{ctx.prefix}-{self.PURPOSE}-store"
        self.account = storage_account(ctx, self, rname, self.PURPOSE, replication=args.replication, hns=False, shared_key=True)
        ctx.lock(self, rname, self.account.id)
        retention = soft_delete(args.soft_delete_days)
        props = storage.BlobServiceProperties(
            rname, resource_group_name=rg, account_name=self.account.name, blob_services_name="default",
            delete_retention_policy=retention, container_delete_retention_policy=retention, opts=ctx.opts(self),
        )
        self.container = storage.BlobContainer(rname, resource_group_name=rg, account_name=self.account.name, container_name=self.CONTAINER,
                                               public_access="None", opts=ctx.opts(self, stateful=True, depends_on=[props]))
        args.network.private_endpoint(self, f"{self.PURPOSE}-store-blob", self.account.id, "blob")
        keys = storage.list_storage_account_keys_output(resource_group_name=rg, account_name=self.account.name,
                                                        opts=pulumi.InvokeOutputOptions(provider=ctx.provider, parent=self))
        self.account_key: pulumi.Output[str] = pulumi.Output.secret(keys.apply(lambda k: next(x.value for x in k.keys if x.key_name == "key1")))
        self.register_outputs({"account": self.account.name, "container": self.CONTAINER})

    def keyed_container(self) -> KeyedContainer:
        """The container with the account's name and key1 (both forms: a consumer reads what it takes)."""
        return KeyedContainer(container=self.container.name, account=self.account.name, account_key=self.account_key,
                              connection_string=pulumi.Output.secret(pulumi.Output.all(self.account.name, self.account_key)
                                                                     .apply(lambda a: connection_string(a[0], a[1]))))
