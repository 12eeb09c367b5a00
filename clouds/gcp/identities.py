"""One Google service account per consumer of the lake, with IAM on its own buckets only.

- Dremio (the lake source, its distributed store), CloudNativePG's backups (the `backups`
  bucket, only when PostgreSQL runs in the cluster), Velero (its `velero` bucket) and
  Elasticsearch's nodes (their snapshots in the `es-backups` bucket, with
  `backups.elasticsearchSnapshots`; repository-gcs reads Application Default Credentials):
  Workload Identity. Each service account trusts exactly one Kubernetes ServiceAccount
  (roles/iam.workloadIdentityUser for `<pool>[<namespace>/<ksa>]`), and the platform annotates
  that ServiceAccount with `iam.gke.io/gcp-service-account` (`Foundation.workload_identity`).
- Airbyte: its storage client reads only a service-account key file
  (airbyte-commons-storage `GcsStorageConfig.gcsClient`: `ServiceAccountCredentials.fromStream`),
  so its account gets no Workload Identity binding but a key (secret in Pulumi's state), which the
  platform writes to Secret Manager and External Secrets syncs (`ObjectStore.consumer_keys`). The
  key's account may touch the `airbyte` bucket only: the key is mounted in every Airbyte pod.

On each of its buckets an identity holds roles/storage.objectUser (read, write, delete, list
objects and multipart uploads) and roles/storage.legacyBucketReader (`storage.buckets.get`: the
gcs-connector under Dremio, barman-cloud and repository-gcs read the bucket's metadata), nothing
on the project.
Velero also holds roles/iam.serviceAccountTokenCreator on its own account: the GCP plugin signs
download URLs (`velero backup logs/describe`) with signBlob as `serviceAccount`.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp.serviceaccount as serviceaccount
import pulumi_gcp.storage as storage

from foundation import WORKLOAD_SERVICE_ACCOUNTS

from .common import WORKLOAD_IDENTITY_ANNOTATION, Context, gsa_account_id

COMPONENT = "identities"
BUCKET_ROLES = ("roles/storage.objectUser", "roles/storage.legacyBucketReader")


@dataclass(frozen=True)
class Consumer:
    buckets: tuple[str, ...]
    workload_identity: bool = True
    """False: a key file instead (the consumer cannot use Workload Identity)."""


def dremio_consumer(dist_bucket: str) -> Consumer:
    """The lake buckets (the `lake` source), plus wherever `dremio.distBucket` puts its store."""
    return Consumer(tuple(dict.fromkeys(("bronze", "silver", "gold", dist_bucket))))


AIRBYTE = Consumer(("airbyte",), workload_identity=False)
POSTGRES = Consumer(("backups",))
VELERO = Consumer(("velero",))
ELASTICSEARCH = Consumer(("es-backups",))


def key_file(private_key_b64: str) -> str:
    """The service-account key file: the API returns it base64-encoded."""
    return base64.b64decode(private_key_b64).decode()


@dataclass(frozen=True)
class LakeIdentitiesArgs:
    ctx: Context
    buckets: Mapping[str, pulumi.Input[str]]
    """Role -> bucket name."""
    consumers: Mapping[str, Consumer]


class LakeIdentities(pulumi.ComponentResource):
    accounts: dict[str, serviceaccount.Account]
    annotations: dict[str, dict[str, pulumi.Output[str]]]
    """App -> ServiceAccount annotations, for the Workload Identity consumers."""
    keys: dict[str, pulumi.Output[str]]
    """App -> its service-account key file (JSON, secret), for the key-file consumers."""

    def __init__(self, name: str, args: LakeIdentitiesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:LakeIdentities", name, None, opts)
        from .cluster_services import workload_identity_member  # the one spelling of a KSA's member

        ctx = args.ctx
        self.accounts, self.annotations, self.keys = {}, {}, {}
        for app, c in args.consumers.items():
            sa = WORKLOAD_SERVICE_ACCOUNTS[app]
            how = f"Workload Identity {sa.namespace}/{sa.name}" if c.workload_identity else "key file in Secret Manager"
            gsa = serviceaccount.Account(f"{ctx.prefix}-{app}", account_id=gsa_account_id(ctx.prefix, app),
                                         display_name=f"{ctx.prefix}: {app} ({how}): buckets {', '.join(c.buckets)}", opts=ctx.opts(self))
            member = gsa.email.apply(lambda e: f"serviceAccount:{e}")
            for role in c.buckets:
                for grant in BUCKET_ROLES:
                    storage.BucketIAMMember(f"{ctx.prefix}-{app}-{role}-{grant.rsplit('.', 1)[1]}", bucket=args.buckets[role],
                                            role=grant, member=member, opts=ctx.opts(self))
            if c.workload_identity:
                serviceaccount.IAMMember(f"{ctx.prefix}-{app}-workload-identity", service_account_id=gsa.name, role="roles/iam.workloadIdentityUser",
                                         member=workload_identity_member(ctx, sa.namespace, sa.name), opts=ctx.opts(self))
                self.annotations[app] = {WORKLOAD_IDENTITY_ANNOTATION: gsa.email}
            else:
                key = serviceaccount.Key(f"{ctx.prefix}-{app}-key", service_account_id=gsa.name, opts=ctx.opts(self, additional_secret_outputs=["privateKey"]))
                self.keys[app] = pulumi.Output.secret(key.private_key.apply(key_file))
            self.accounts[app] = gsa
        if "velero" in self.accounts:
            v = self.accounts["velero"]
            serviceaccount.IAMMember(f"{ctx.prefix}-velero-sign-blob", service_account_id=v.name, role="roles/iam.serviceAccountTokenCreator",
                                     member=v.email.apply(lambda e: f"serviceAccount:{e}"), opts=ctx.opts(self))
        self.register_outputs({"accounts": {a: g.email for a, g in self.accounts.items()}})
