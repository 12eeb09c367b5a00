"""Dremio's Entra application: the one lake consumer that needs a client secret.

Dremio's Azure Storage plugin (dremio-oss 25.2.0, plugins/azure: `AzureAuthenticationType`)
authenticates with `ACCESS_KEY` (an account key; the lake refuses shared keys) or
`AZURE_ACTIVE_DIRECTORY`, an Entra application's client id, secret and v1 token endpoint
(`ClientCredentialsBasedTokenProviderImpl`: the OAuth 2.0 client-credentials grant, which
insists on `https://<host>/<tenant>/oauth2/token`). It has no managed or workload identity, so:

- an application and its service principal (azuread 6.11.1: `Application`, `ServicePrincipal`
  with the application's `client_id`), owned by the deployer so `Application.ReadWrite.OwnedBy`
  is the only Graph permission Pulumi needs;
- one password (`ApplicationPassword`, `application_id` = the application's resource id), with
  the end date `azure.dremioSecretEndDate` or Entra's default (two years); changing the date
  replaces it (end_date forces a new password; Pulumi creates the new one before deleting the
  old), and `pulumi up` writes the new value to Key Vault (docs/azure.md, rotation);
- `Storage Blob Data Contributor` on each of Dremio's containers (bronze, silver, gold, dremio),
  nothing on the account.

The secret leaves as a Pulumi secret in `foundation.OAuthClient`; the platform writes it to Key
Vault and External Secrets syncs it into Dremio's namespace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_azuread as azuread

from foundation import OAuthClient

from .common import STORAGE_BLOB_DATA_CONTRIBUTOR, Context, role_assignment

COMPONENT = "entra-apps"
TOKEN_HOST = "login.microsoftonline.com"
DREMIO_CONTAINERS = ("bronze", "silver", "gold", "dremio")
"""Dremio's lake source (bronze, silver, gold) and its distributed storage (dremio)."""


def token_endpoint(tenant_id: str) -> str:
    """Entra ID's v1 OAuth 2.0 token endpoint, the only form Dremio's token provider accepts."""
    if not tenant_id or "/" in tenant_id:
        raise ValueError(f"bad tenant id {tenant_id!r}")
    return f"https://{TOKEN_HOST}/{tenant_id}/oauth2/token"


def end_date(day: Optional[str]) -> Optional[str]:
    """`YYYY-MM-DD` -> the RFC 3339 end date ApplicationPassword takes (midnight UTC)."""
    return f"{day}T00:00:00Z" if day else None


@dataclass(frozen=True)
class DremioApplicationArgs:
    ctx: Context
    provider: pulumi.ProviderResource
    """The azuread provider (Microsoft Graph)."""
    container_scopes: Mapping[str, pulumi.Input[str]]
    """Container role -> its ARM scope (DataLake.container_scope)."""
    secret_end_date: Optional[str] = None
    containers: Sequence[str] = DREMIO_CONTAINERS


class DremioApplication(pulumi.ComponentResource):
    application: azuread.Application
    service_principal: azuread.ServicePrincipal
    password: azuread.ApplicationPassword

    def __init__(self, name: str, args: DremioApplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:DremioApplication", name, None, opts)
        ctx = args.ctx
        graph = pulumi.ResourceOptions(parent=self, provider=args.provider)
        display = f"{ctx.project}-{ctx.prefix}-dremio"
        self.application = azuread.Application(
            f"{ctx.prefix}-dremio", display_name=display, owners=[ctx.deployer_object_id], sign_in_audience="AzureADMyOrg",
            notes=f"data-platform {ctx.prefix}: Dremio's Azure Storage plugin (client credentials); managed by Pulumi",
            tags=["data-platform", f"stack:{ctx.prefix}"], opts=graph,
        )
        self.service_principal = azuread.ServicePrincipal(
            f"{ctx.prefix}-dremio", client_id=self.application.client_id, owners=[ctx.deployer_object_id],
            opts=graph,
        )
        self.password = azuread.ApplicationPassword(
            f"{ctx.prefix}-dremio", application_id=self.application.id, display_name=f"{ctx.prefix}-dremio-storage",
            end_date=end_date(args.secret_end_date), opts=graph,
        )
        for container in args.containers:
            role_assignment(ctx, self, f"{ctx.prefix}-dremio-app-{container}", principal_id=self.service_principal.object_id,
                            role=STORAGE_BLOB_DATA_CONTRIBUTOR, scope=args.container_scopes[container])
        self.token_endpoint = ctx.tenant_id.apply(token_endpoint)
        self.register_outputs({"clientId": self.application.client_id, "containers": list(args.containers)})

    def oauth_client(self) -> OAuthClient:
        return OAuthClient(client_id=self.application.client_id, token_endpoint=self.token_endpoint,
                           client_secret=pulumi.Output.secret(self.password.value), secret_version=self.password.key_id)
