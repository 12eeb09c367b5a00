"""Key Vault: where every credential Pulumi generates lives (the Foundation's secret store).

RBAC authorization (no access policies), soft delete, purge protection in prod, no public
network access (a private endpoint in the VNet; ARM still accepts Pulumi's control-plane
writes). `write_secret` is `SecretStore.write`: one Key Vault secret per Kubernetes Secret, its
value the JSON object External Secrets extracts. Key Vault names allow only letters, digits and
dashes, so every remote name goes through `key_vault_name` — the one place that spells it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.monitor as monitor

from .common import Context
from .network import Network

COMPONENT = "platform-secrets"
MAX_NAME = 127


def key_vault_name(remote_key: str) -> str:
    """`prod/data-platform/data-storage/postgres-airbyte` -> `prod--data-platform--data-storage--postgres-airbyte`.

    `/` becomes `--` and any other character outside `[0-9A-Za-z-]` becomes `-`; a result
    longer than Key Vault's 127 characters is refused rather than truncated (two keys must never
    meet on one secret)."""
    name = re.sub(r"[^0-9A-Za-z-]", "-", remote_key.replace("/", "--"))
    if len(name) > MAX_NAME:
        raise ValueError(f"Key Vault secret name {name!r} is longer than {MAX_NAME} characters")
    return name


@dataclass(frozen=True)
class VaultArgs:
    ctx: Context
    network: Network
    secret_prefix: str
    soft_delete_days: int
    purge_protection: bool
    workspace_id: pulumi.Input[str]


class Vault(pulumi.ComponentResource):
    vault: keyvault.Vault
    uri: pulumi.Output[str]

    def __init__(self, name: str, args: VaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:Vault", name, None, opts)
        ctx = args.ctx
        self._ctx, self._prefix = ctx, args.secret_prefix
        self.vault = keyvault.Vault(
            f"{ctx.prefix}-vault",
            resource_group_name=ctx.resource_group,
            vault_name=ctx.unique_name("kv", max_len=24, dashes=True),
            properties={
                "tenant_id": ctx.tenant_id,
                "sku": {"family": "A", "name": "standard"},
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": args.soft_delete_days,
                # Purge protection cannot be turned off again: prod only (omitted, not false, elsewhere).
                **({"enable_purge_protection": True} if args.purge_protection else {}),
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "AzureServices"},
            },
            tags=ctx.tags(COMPONENT),
            opts=ctx.opts(self, stateful=True),
        )
        ctx.lock(self, f"{ctx.prefix}-vault", self.vault.id)
        args.network.private_endpoint(self, "vault", self.vault.id, "vault")
        monitor.DiagnosticSetting(f"{ctx.prefix}-vault-diagnostics", name=f"{ctx.prefix}-vault-to-logs", resource_uri=self.vault.id,
                                  workspace_id=args.workspace_id, logs=[{"category_group": "audit", "enabled": True}], opts=ctx.opts(self))
        self.uri = self.vault.properties.apply(lambda p: p.vault_uri)
        self.register_outputs({"vaultUri": self.uri})

    def write_secret(self, key: str, values: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions) -> pulumi.Resource:
        """`SecretStore.write`: `values` as one JSON secret `key_vault_name(<prefix><key>)`.

        An ARM write: Key Vault never returns the value, so Pulumi's state holds it (encrypted,
        as a secret) and out-of-band changes are not detected."""
        ctx = self._ctx
        name = key_vault_name(self._prefix + key)
        document: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.json_dumps(pulumi.Output.from_input(dict(values)), sort_keys=True))
        return keyvault.Secret(
            f"{ctx.prefix}-secret-" + key.replace("/", "-"),
            resource_group_name=ctx.resource_group,
            vault_name=self.vault.name,
            secret_name=name,
            properties={"value": document, "content_type": "application/json"},
            tags=ctx.tags(COMPONENT, {"kubernetes-secret": key.replace("/", ".")}),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=ctx.provider)),
        )
