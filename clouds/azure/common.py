"""What every Azure component shares: the explicit provider, naming, tags, protection, locks and
built-in role ids.

Azure has no provider-level default tags, so every taggable resource gets `ctx.tags(...)`.
Names that must be globally unique (storage accounts, Key Vault, ACR) get a suffix derived from
the subscription and stack (`unique_name`), stable across runs and different per subscription.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_azure_native.authorization as authorization

# Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles).
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
NETWORK_CONTRIBUTOR = "4d97b98b-1d4f-4787-a291-c67834d212e7"
AKS_RBAC_CLUSTER_ADMIN = "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"


@dataclass(frozen=True)
class Context:
    provider: pulumi.ProviderResource
    prefix: str
    """`<stack>`: names are `<stack>-<purpose>`."""
    project: str
    environment: str
    location: str
    subscription_id: pulumi.Output[str]
    tenant_id: pulumi.Output[str]
    deployer_object_id: pulumi.Output[str]
    """The identity running Pulumi (user, service principal or CI's federated identity)."""
    resource_group: pulumi.Output[str]
    protect: bool

    def opts(self, parent: pulumi.Resource, *, stateful: bool = False, **kw: Any) -> pulumi.ResourceOptions:
        """Options for a child: the Azure provider, and protect for stateful resources."""
        if stateful:
            kw.setdefault("protect", self.protect)
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, **kw)

    def tags(self, component: str, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
        return {"project": self.project, "stack": self.prefix, "environment": self.environment,
                "component": component, "managed-by": "pulumi", **(extra or {})}

    def role(self, guid: str) -> pulumi.Output[str]:
        return self.subscription_id.apply(lambda s: f"/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}")

    def unique_name(self, purpose: str, *, max_len: int, dashes: bool) -> pulumi.Output[str]:
        """`<stack><purpose><6 hex>`: lower-case, within `max_len`, stable per subscription."""
        base = self.prefix.lower() if dashes else re.sub(r"[^a-z0-9]", "", self.prefix.lower())
        sep = "-" if dashes else ""

        def name(sub: str) -> str:
            suffix = hashlib.sha256(f"{sub}/{self.prefix}/{purpose}".encode()).hexdigest()[:6]
            head = f"{base}{sep}{purpose}"[: max_len - len(sep) - 6].rstrip("-")
            return f"{head}{sep}{suffix}"

        return self.subscription_id.apply(name)

    def lock(self, parent: pulumi.Resource, name: str, scope: pulumi.Input[str]) -> Optional[pulumi.Resource]:
        """A `CanNotDelete` management lock on a stateful resource when the stack protects
        (prod): `protect` stops Pulumi, the lock stops the portal, the CLI and other tools."""
        if not self.protect:
            return None
        return authorization.ManagementLockByScope(
            f"{name}-lock", scope=scope, level="CanNotDelete", lock_name=f"{self.prefix}-do-not-delete",
            notes=f"data-platform {self.prefix}: protected stateful resource (remove protect and this lock to delete)",
            # Not protected itself: `protect: false` + `up` must be able to remove it before a destroy.
            opts=self.opts(parent),
        )


def role_assignment(ctx: Context, parent: pulumi.Resource, name: str, *, principal_id: pulumi.Input[str], role: str,
                    scope: pulumi.Input[str], principal_type: Optional[str] = "ServicePrincipal", depends_on: tuple = ()) -> authorization.RoleAssignment:
    """One built-in role for one principal (by default a managed identity) on one scope.
    `principal_type=None` for the deployer, who may be a user or a service principal."""
    return authorization.RoleAssignment(
        name, principal_id=principal_id, principal_type=principal_type, role_definition_id=ctx.role(role), scope=scope,
        opts=ctx.opts(parent, depends_on=list(depends_on)),
    )
