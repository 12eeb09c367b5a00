"""In-cluster services the GCP foundation owns:

- External Secrets Operator (the pinned chart) running as its own Google service account through
  Workload Identity, and a `ClusterSecretStore` on Secret Manager (no `auth` block: the
  controller's Workload Identity credentials) limited to the platform's namespaces.
- The platform's secrets in Secret Manager (`write_secret`, the Foundation's `SecretStore.write`):
  one secret per Kubernetes Secret, its id from `common.secret_id`, readable by the ESO service
  account only (`roles/secretmanager.secretAccessor` on that secret, not on the project).
- The Cloud SQL admin credentials (generated) as one such secret, and the
  `ClusterExternalSecret` syncing them into `data-storage/postgres-admin` (keys
  `username`/`password`): the Foundation's `ManagedDatabase.admin_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_gcp.secretmanager as secretmanager
import pulumi_gcp.serviceaccount as serviceaccount
import pulumi_kubernetes as k8s

from foundation import SECRET_NAMESPACES
from kube import external_secrets
from kube.external_secrets import DB_ADMIN_SECRET
from kube.namespaces import STORAGE

from .common import WORKLOAD_IDENTITY_ANNOTATION, Context, gsa_account_id, labels, secret_id

COMPONENT = "cluster-services"
SECRET_STORE = "gcp-secret-manager"


def workload_identity_member(ctx: Context, namespace_: str, ksa: str) -> str:
    """The IAM member of one Kubernetes ServiceAccount under Workload Identity."""
    return f"serviceAccount:{ctx.workload_pool}[{namespace_}/{ksa}]"


def workload_service_account(ctx: Context, parent: pulumi.Resource, app: str, namespace_: str, ksa: str, description: str) -> serviceaccount.Account:
    """A Google service account only `<namespace_>/<ksa>` may act as (roles/iam.workloadIdentityUser)."""
    gsa = serviceaccount.Account(f"{ctx.prefix}-{app}", account_id=gsa_account_id(ctx.prefix, app), display_name=description,
                                 opts=ctx.opts(parent))
    serviceaccount.IAMMember(f"{ctx.prefix}-{app}-workload-identity", service_account_id=gsa.name, role="roles/iam.workloadIdentityUser",
                             member=workload_identity_member(ctx, namespace_, ksa), opts=ctx.opts(parent))
    return gsa


@dataclass(frozen=True)
class ClusterServicesArgs:
    ctx: Context
    provider: k8s.Provider
    secret_prefix: str
    db_admin: Optional[tuple[str, pulumi.Input[str]]] = None
    """Cloud SQL's admin (username, password), written to Secret Manager for the platform; None: no database."""
    secret_namespaces: tuple[str, ...] = SECRET_NAMESPACES
    depends_on: tuple = ()


class ClusterServices(pulumi.ComponentResource):
    secret_store_name: str
    db_admin_secret: Optional[str]
    ready: list[pulumi.Resource]
    db_ready: list[pulumi.Resource]

    def __init__(self, name: str, args: ClusterServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:ClusterServices", name, None, opts)
        ctx = args.ctx
        self._ctx, self._prefix = ctx, args.secret_prefix
        self.eso_account = workload_service_account(ctx, self, "external-secrets", external_secrets.NAMESPACE, external_secrets.SERVICE_ACCOUNT, f"{ctx.prefix}: External Secrets (reads the platform's secrets)")
        self.secret_store_name = SECRET_STORE
        eso, store = external_secrets.install_operator(
            self, args.provider, environment=ctx.environment, store_name=SECRET_STORE,
            store_provider={"gcpsm": {"projectID": ctx.project}},  # no `auth`: the controller's own Workload Identity
            secret_namespaces=args.secret_namespaces, sa_annotations={WORKLOAD_IDENTITY_ANNOTATION: self.eso_account.email},
            depends_on=list(args.depends_on),
        )
        self.ready = [eso, store]
        self.secret_store_ready: list[pulumi.Resource] = [eso, store]

        self.db_admin_secret, self.db_ready = None, []
        if args.db_admin is not None:
            username, password = args.db_admin
            key = f"{STORAGE}/{DB_ADMIN_SECRET}"
            version = self.write_secret(key, {"username": username, "password": password}, pulumi.ResourceOptions(parent=self))
            self.db_admin_secret = DB_ADMIN_SECRET
            ext = external_secrets.database_admin_secret(
                self, args.provider, store_name=SECRET_STORE, refresh_interval="15m",
                source={"dataFrom": [{"extract": {"key": secret_id(self._prefix + key)}}]}, depends_on=[store, version],
            )
            self.db_ready = [ext]
        self.register_outputs({"secretStore": SECRET_STORE, "dbAdminSecret": self.db_admin_secret, "externalSecretsAccount": self.eso_account.email})

    def write_secret(self, key: str, values: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions) -> pulumi.Resource:
        """`SecretStore.write`: the JSON object `values` as the Secret Manager secret
        `secret_id(<prefix><key>)`, readable by External Secrets only; returns the version."""
        ctx = self._ctx
        sid = secret_id(self._prefix + key)
        rname = f"{ctx.prefix}-secret-" + key.replace("/", "-")
        gcp_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=ctx.provider))
        secret = secretmanager.Secret(
            rname,
            secret_id=sid,
            replication={"auto": {}},
            labels=labels("platform-secrets", {"kubernetes-secret": key.replace("/", "_")[:63].lower()}),
            deletion_protection=ctx.protect,
            opts=gcp_opts,
        )
        document: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.json_dumps(pulumi.Output.from_input(dict(values)), sort_keys=True))
        version = secretmanager.SecretVersion(
            rname,
            secret=secret.id,
            secret_data=document,
            opts=pulumi.ResourceOptions.merge(gcp_opts, pulumi.ResourceOptions(depends_on=[secret])),
        )
        secretmanager.SecretIamMember(
            rname,
            secret_id=secret.id,
            role="roles/secretmanager.secretAccessor",
            member=self.eso_account.email.apply(lambda e: f"serviceAccount:{e}"),
            opts=pulumi.ResourceOptions.merge(gcp_opts, pulumi.ResourceOptions(depends_on=[secret])),
        )
        return version
