"""In-cluster services the Azure foundation owns, and how the ingress controller is exposed.

- External Secrets Operator (pinned chart) with workload identity (its ServiceAccount federated
  to a managed identity with *Key Vault Secrets User* on the platform's vault, its pods
  labelled for the webhook) and a `ClusterSecretStore` on Key Vault for the platform's
  namespaces only.
- The `ClusterExternalSecret` that syncs the Flexible Server administrator from Key Vault into
  `data-storage/postgres-admin` (keys `username`/`password`): `ManagedDatabase.admin_secret`.
- `load_balancer_annotations`: the Service annotations of the edge's controller (Traefik) behind
  the AKS Standard Load Balancer — the one place that spells them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from foundation import SECRET_NAMESPACES
from kube import external_secrets
from kube.external_secrets import DB_ADMIN_SECRET

from .common import KEY_VAULT_SECRETS_USER, Context, role_assignment
from .identities import CLIENT_ID_ANNOTATION, POD_LABELS, federated_identity
from .vault import key_vault_name

SECRET_STORE = "azure-key-vault"


def load_balancer_annotations(scheme: str) -> dict[str, str]:
    """Traefik's Service on the AKS Standard Load Balancer.

    No probe-path annotation: the edge's LoadBalancer Service has `externalTrafficPolicy: Local`,
    for which the cloud provider probes kube-proxy's health-check node port (`/healthz`, nodes
    with a ready Traefik pod) instead of the service ports (where Traefik answers `/` with 404 for
    an unknown host, Azure/AKS#3210). `internal` puts the frontend IP in the VNet (the `ingress`
    subnet), which is also what an Application Gateway fronts."""
    out: dict[str, str] = {}
    if scheme == "internal":
        out["service.beta.kubernetes.io/azure-load-balancer-internal"] = "true"
        out["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] = "ingress"
    return out


@dataclass(frozen=True)
class ClusterServicesArgs:
    ctx: Context
    provider: k8s.Provider
    oidc_issuer: pulumi.Input[str]
    vault_id: pulumi.Input[str]
    vault_uri: pulumi.Input[str]
    secret_prefix: str
    db_admin_written: Optional[pulumi.Resource] = None
    """The Key Vault secret holding the server's administrator (None: no managed database)."""
    secret_namespaces: tuple[str, ...] = SECRET_NAMESPACES
    depends_on: tuple = ()


class ClusterServices(pulumi.ComponentResource):
    secret_store_name: str
    db_admin_secret: Optional[str]
    ready: list[pulumi.Resource]
    secret_store_ready: list[pulumi.Resource]
    db_ready: list[pulumi.Resource]

    def __init__(self, name: str, args: ClusterServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:ClusterServices", name, None, opts)
        ctx = args.ctx
        eso_identity = federated_identity(ctx, self, "external-secrets", external_secrets.NAMESPACE, external_secrets.SERVICE_ACCOUNT, args.oidc_issuer)
        # Read-only: Pulumi writes the secrets (ARM), the operator only reads them.
        reader = role_assignment(ctx, self, f"{ctx.prefix}-external-secrets-vault", principal_id=eso_identity.principal_id,
                                 role=KEY_VAULT_SECRETS_USER, scope=args.vault_id)
        self.secret_store_name = SECRET_STORE
        # No serviceAccountRef: the controller's own (federated) ServiceAccount reads the vault.
        eso, store = external_secrets.install_operator(
            self, args.provider, environment=ctx.environment, store_name=SECRET_STORE,
            store_provider={"azurekv": {"authType": "WorkloadIdentity", "vaultUrl": args.vault_uri, "tenantId": ctx.tenant_id}},
            secret_namespaces=args.secret_namespaces, sa_annotations={CLIENT_ID_ANNOTATION: eso_identity.client_id},
            pod_labels=POD_LABELS, depends_on=list(args.depends_on), release_depends_on=[reader],
        )
        self.db_admin_secret, self.db_ready = None, []
        if args.db_admin_written is not None:
            self.db_admin_secret = DB_ADMIN_SECRET
            remote = key_vault_name(args.secret_prefix + DB_ADMIN_SECRET)
            self.db_ready = [external_secrets.database_admin_secret(
                self, args.provider, store_name=SECRET_STORE, refresh_interval="1h",
                source={"data": [{"secretKey": k, "remoteRef": {"key": remote, "property": k}} for k in ("username", "password")]},
                depends_on=[store, args.db_admin_written],
            )]
        self.ready = [eso, store]
        self.secret_store_ready = [eso, store]
        self.register_outputs({"secretStore": SECRET_STORE, "dbAdminSecret": self.db_admin_secret})
