"""Airbyte's own storage account: the one consumer that cannot use Entra ID.

Airbyte chart V2's `global.storage.type: azure` reads only `AZURE_STORAGE_CONNECTION_STRING`, an
account key (charts/v2 `templates/config/_storage.tpl`). The lake refuses shared keys, so Airbyte's
logs and state go to a small account of their own, where shared-key access is on and the key
opens that one container and nothing else: private (blob private endpoint, no public network or
blob access), TLS 1.2, soft-deleted like the lake, protected and locked in prod.

The key is read from ARM at each `pulumi up` (`listStorageAccountKeys`, key1) and handed to the
platform as a Pulumi secret (`foundation.KeyedContainer`): the platform writes it to Key Vault
through the Foundation's secret store and External Secrets syncs it (never a stack value, never
plaintext). Rotate it with `az storage account keys renew --key key1`, then `pulumi up`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.storage as storage

from foundation import KeyedContainer

from .common import Context
from .datalake import storage_account
from .network import Network

CONTAINER = "airbyte"


@dataclass(frozen=True)
class AirbyteStorageArgs:
    ctx: Context
    network: Network
    replication: str
    soft_delete_days: int


def connection_string(account: str, key: str) -> str:
    """The Azure Storage connection string of `account` (public cloud endpoints)."""
    return f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};EndpointSuffix=core.windows.net"


class AirbyteStorage(pulumi.ComponentResource):
    account: storage.StorageAccount
    container: storage.BlobContainer

    def __init__(self, name: str, args: AirbyteStorageArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:AirbyteStorage", name, None, opts)
        ctx, rg = args.ctx, args.ctx.resource_group
        rname = f"{ctx.prefix}-airbyte-store"
        self.account = storage_account(ctx, self, rname, "airbyte", replication=args.replication, hns=False, shared_key=True)
        ctx.lock(self, rname, self.account.id)
        retention = {"enabled": True, "days": args.soft_delete_days}
        props = storage.BlobServiceProperties(
            rname, resource_group_name=rg, account_name=self.account.name, blob_services_name="default",
            delete_retention_policy=retention, container_delete_retention_policy=retention, opts=ctx.opts(self),
        )
        self.container = storage.BlobContainer(rname, resource_group_name=rg, account_name=self.account.name, container_name=CONTAINER,
                                               public_access="None", opts=ctx.opts(self, stateful=True, depends_on=[props]))
        args.network.private_endpoint(self, "airbyte-store-blob", self.account.id, "blob")
        keys = storage.list_storage_account_keys_output(resource_group_name=rg, account_name=self.account.name,
                                                        opts=pulumi.InvokeOutputOptions(provider=ctx.provider, parent=self))
        key = keys.apply(lambda k: next(x.value for x in k.keys if x.key_name == "key1"))
        self.connection_string: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.all(self.account.name, key).apply(lambda a: connection_string(a[0], a[1])))
        self.register_outputs({"account": self.account.name, "container": CONTAINER})

    def keyed_container(self) -> KeyedContainer:
        return KeyedContainer(container=self.container.name, connection_string=self.connection_string)
