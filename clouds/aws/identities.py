"""Least-privilege IAM roles for the workloads that touch the data lake, through IRSA.

Each role trusts exactly one namespace/ServiceAccount pair of the cluster's OIDC issuer and may
read/write only its own buckets (every consumer has one: dremio, airbyte, backups for
PostgreSQL; no bucket is shared between two writers but the lake), plus use the data-lake KMS key. No `*` resource for any S3 action. The platform puts the returned
annotations on the ServiceAccounts it creates (`Foundation.workload_identity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.iam as iam

from foundation import WORKLOAD_SERVICE_ACCOUNTS

from .common import IRSA_ANNOTATION, Context, irsa_trust, policy, tags

COMPONENT = "identities"


@dataclass(frozen=True)
class Workload:
    namespace: str
    service_accounts: tuple[str, ...]
    buckets: tuple[str, ...]
    """Data-lake roles with full object read/write: every consumer has its own bucket, so no
    policy needs a prefix of a shared one."""


def _sa(app: str) -> tuple[str, tuple[str, ...]]:
    ref = WORKLOAD_SERVICE_ACCOUNTS[app]
    return ref.namespace, (ref.name,)


def dremio_workload(dist_bucket: str) -> Workload:
    """Data sources on the lake, plus Dremio's distributed storage wherever `dremio.distBucket`
    puts it (its own `dremio` bucket, or a lake bucket)."""
    return Workload(*_sa("dremio"), tuple(dict.fromkeys(("bronze", "silver", "gold", dist_bucket))))


# Raw loads into bronze + its own bucket for logs/state/workload output.
AIRBYTE_WORKLOAD = Workload(*_sa("airbyte"), ("bronze", "airbyte"))
# CloudNativePG's barman-cloud archive, used only when the database runs in-cluster on AWS:
# the backups bucket, which nothing else may touch.
CNPG_WORKLOAD = Workload(*_sa("postgres"), ("backups",))

OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]


def s3_statements(bucket_arns: Mapping[str, pulumi.Input[str]], w: Workload, key_arn: pulumi.Input[str]) -> list[dict]:
    full = [bucket_arns[b] for b in w.buckets]
    out: list[dict] = []
    if full:
        out += [
            {"Sid": "ListOwnBuckets", "Effect": "Allow", "Action": BUCKET_ACTIONS, "Resource": full},
            {"Sid": "ReadWriteOwnBuckets", "Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": [pulumi.Output.from_input(a).apply(lambda x: f"{x}/*") for a in full]},
        ]
    out.append({"Sid": "DataLakeKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": key_arn})
    return out


@dataclass(frozen=True)
class WorkloadIdentitiesArgs:
    ctx: Context
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    bucket_arns: Mapping[str, pulumi.Input[str]]
    key_arn: pulumi.Input[str]
    workloads: Mapping[str, Workload]


class WorkloadIdentities(pulumi.ComponentResource):
    roles: dict[str, iam.Role]
    annotations: dict[str, dict[str, pulumi.Output[str]]]

    def __init__(self, name: str, args: WorkloadIdentitiesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:WorkloadIdentities", name, None, opts)
        ctx = args.ctx
        self.roles, self.annotations = {}, {}
        for app, w in args.workloads.items():
            rname = f"{ctx.prefix}-{app}"
            role = iam.Role(
                rname,
                name=rname,
                description=f"{app} (IRSA {w.namespace}/{','.join(w.service_accounts)}): its data-lake buckets only",
                assume_role_policy=irsa_trust(args.oidc_provider_arn, args.oidc_issuer, w.namespace, list(w.service_accounts)),
                tags=tags(COMPONENT, rname),
                opts=ctx.opts(self),
            )
            iam.RolePolicy(rname, role=role.id, policy=policy(s3_statements(args.bucket_arns, w, args.key_arn)), opts=ctx.opts(self))
            self.roles[app] = role
            self.annotations[app] = {IRSA_ANNOTATION: role.arn}
        self.register_outputs({"roles": {a: r.arn for a, r in self.roles.items()}})
