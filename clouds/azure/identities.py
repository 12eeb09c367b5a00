"""Workload identity: one user-assigned managed identity per ServiceAccount, federated to the
cluster's OIDC issuer for exactly `system:serviceaccount:<namespace>:<name>`, with roles on
exactly the containers (or the vault) it needs.

One federated credential per identity: Azure refuses concurrent credential writes under one
identity (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity), and one
ServiceAccount per identity keeps the trust as narrow as IRSA's on AWS.
Pods also need the label `azure.workload.identity/use: "true"` (the webhook mutates only
labelled pods): `POD_LABELS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.managedidentity as managedidentity

from foundation import WORKLOAD_SERVICE_ACCOUNTS, WorkloadIdentity

from .common import STORAGE_BLOB_DATA_CONTRIBUTOR, Context, role_assignment

COMPONENT = "identities"
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
POD_LABELS = {"azure.workload.identity/use": "true"}
AUDIENCE = "api://AzureADTokenExchange"

CONTAINERS: Mapping[str, tuple[str, ...]] = {
    # CloudNativePG's archive (only with the in-cluster database); Velero's backups: nothing else.
    # Airbyte has no identity: its chart takes only an account key, for an account of its own
    # (airbyte_storage.py); nor has Elasticsearch, whose repository-azure at 8.15 takes a key only
    # (snapshot_storage.py); nor has Dremio: its Azure Storage plugin takes an Entra application's
    # client secret only (entra_apps.py).
    "postgres": ("backups",),
    "velero": ("velero",),
}


def federated_identity(ctx: Context, parent: pulumi.Resource, app: str, namespace: str, service_account: str,
                       issuer: pulumi.Input[str]) -> managedidentity.UserAssignedIdentity:
    """A managed identity only `namespace/service_account` of this cluster can use."""
    name = f"{ctx.prefix}-{app}"
    uami = managedidentity.UserAssignedIdentity(name, resource_group_name=ctx.resource_group, resource_name_=name,
                                                tags=ctx.tags(COMPONENT, {"service-account": f"{namespace}.{service_account}"}), opts=ctx.opts(parent))
    managedidentity.FederatedIdentityCredential(
        name, resource_group_name=ctx.resource_group, resource_name_=uami.name, federated_identity_credential_resource_name=f"{namespace}-{service_account}",
        issuer=issuer, subject=f"system:serviceaccount:{namespace}:{service_account}", audiences=[AUDIENCE], opts=ctx.opts(parent),
    )
    return uami


@dataclass(frozen=True)
class WorkloadIdentitiesArgs:
    ctx: Context
    oidc_issuer: pulumi.Input[str]
    container_scopes: Mapping[str, pulumi.Input[str]]
    """Container role (bronze, ...) -> its ARM scope."""
    apps: tuple[str, ...]


class WorkloadIdentities(pulumi.ComponentResource):
    workload_identity: dict[str, WorkloadIdentity]
    """App -> the client-id annotation and the pod label (Foundation.workload_identity)."""
    identities: dict[str, managedidentity.UserAssignedIdentity]

    def __init__(self, name: str, args: WorkloadIdentitiesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:WorkloadIdentities", name, None, opts)
        ctx = args.ctx
        self.identities, self.workload_identity = {}, {}
        for app in args.apps:
            sa = WORKLOAD_SERVICE_ACCOUNTS[app]
            uami = federated_identity(ctx, self, app, sa.namespace, sa.name, args.oidc_issuer)
            for container in CONTAINERS[app]:
                role_assignment(ctx, self, f"{ctx.prefix}-{app}-{container}", principal_id=uami.principal_id,
                                role=STORAGE_BLOB_DATA_CONTRIBUTOR, scope=args.container_scopes[container])
            self.identities[app] = uami
            self.workload_identity[app] = WorkloadIdentity(service_account_annotations={CLIENT_ID_ANNOTATION: uami.client_id},
                                                           pod_labels=dict(POD_LABELS))
        self.register_outputs({"clientIds": {a: u.client_id for a, u in self.identities.items()}})
