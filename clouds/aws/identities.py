"""Least-privilege IAM roles for the workloads that touch the data lake, through IRSA.

Each role trusts exactly one namespace/ServiceAccount pair of the cluster's OIDC issuer and may
read/write only its own buckets (every consumer has one: dremio, airbyte, backups for
PostgreSQL, velero, elasticsearch; no bucket is shared between two writers but the lake), plus use the data-lake KMS key. No `*` resource for any S3 action.
Velero also gets the EBS snapshot actions of its documented policy, limited to the stack's region,
and the EBS volumes' key (restoring a volume from an encrypted snapshot needs it). The platform puts the returned
annotations on the ServiceAccounts it creates (`Foundation.workload_identity`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
# Velero (components/backups/velero.py): its bucket, plus EBS snapshots (velero_ec2_statements).
VELERO_WORKLOAD = Workload(*_sa("velero"), ("velero",))
# Elasticsearch's snapshot repository (repository-s3 with IRSA): its bucket only.
ELASTICSEARCH_WORKLOAD = Workload(*_sa("elasticsearch"), ("es-backups",))

VELERO_EC2_ACTIONS = ["ec2:CreateSnapshot", "ec2:CreateTags", "ec2:CreateVolume", "ec2:DeleteSnapshot"]
VELERO_DESCRIBE_ACTIONS = ["ec2:DescribeSnapshots", "ec2:DescribeVolumes"]
EBS_KEY_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"]


def velero_ec2_statements(region: pulumi.Input[str], ebs_key_arn: pulumi.Input[str]) -> list[dict]:
    """velero-plugin-for-aws's documented EC2 policy (Describe*, Create/DeleteSnapshot,
    CreateVolume, CreateTags), each action held to the stack's region (EC2 has no resource ARNs
    for Describe*), and the EBS key only through EC2 (kms:ViaService), grants only for AWS
    resources: EC2 uses it on Velero's behalf when it creates a volume from an encrypted snapshot."""
    in_region = {"StringEquals": {"aws:RequestedRegion": region}}
    via_ec2 = pulumi.Output.from_input(region).apply(lambda r: f"ec2.{r}.amazonaws.com")
    return [
        {"Sid": "DescribeVolumesAndSnapshots", "Effect": "Allow", "Action": VELERO_DESCRIBE_ACTIONS, "Resource": "*", "Condition": in_region},
        {"Sid": "SnapshotVolumes", "Effect": "Allow", "Action": VELERO_EC2_ACTIONS, "Resource": "*", "Condition": in_region},
        {"Sid": "EbsKeyThroughEc2", "Effect": "Allow", "Action": EBS_KEY_ACTIONS, "Resource": ebs_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": via_ec2}}},
        {"Sid": "EbsKeyGrantsForEbs", "Effect": "Allow", "Action": ["kms:CreateGrant"], "Resource": ebs_key_arn,
         "Condition": {"StringEquals": {"kms:ViaService": via_ec2}, "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]

OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]


def bucket_key_arns(w: Workload, key_arn: pulumi.Input[str], bucket_keys: Mapping[str, pulumi.Input[str]]) -> list:
    """The keys of exactly the workload's buckets: the lake key, and a bucket's own where
    `bucket_keys` names one (a dr stack's reads of its primary's replicas), each once."""
    keys = [bucket_keys.get(b, key_arn) for b in w.buckets] or [key_arn]
    return list({id(k): k for k in keys}.values())


def s3_statements(bucket_arns: Mapping[str, pulumi.Input[str]], w: Workload, key_arn: pulumi.Input[str],
                  bucket_keys: Mapping[str, pulumi.Input[str]] | None = None) -> list[dict]:
    full = [bucket_arns[b] for b in w.buckets]
    keys = bucket_key_arns(w, key_arn, bucket_keys or {})
    out: list[dict] = []
    if full:
        out += [
            {"Sid": "ListOwnBuckets", "Effect": "Allow", "Action": BUCKET_ACTIONS, "Resource": full},
            {"Sid": "ReadWriteOwnBuckets", "Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": [pulumi.Output.from_input(a).apply(lambda x: f"{x}/*") for a in full]},
        ]
    out.append({"Sid": "DataLakeKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": keys[0] if len(keys) == 1 else keys})
    return out


@dataclass(frozen=True)
class WorkloadIdentitiesArgs:
    ctx: Context
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    bucket_arns: Mapping[str, pulumi.Input[str]]
    key_arn: pulumi.Input[str]
    workloads: Mapping[str, Workload]
    bucket_keys: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Lake role -> its key where it is not `key_arn` (a dr stack: its primary's replicas' key)."""
    extra_statements: Mapping[str, list[dict]] = field(default_factory=dict)
    """App -> statements its role needs beyond its buckets (Velero's EBS snapshots)."""


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
            iam.RolePolicy(rname, role=role.id, policy=policy([*s3_statements(args.bucket_arns, w, args.key_arn, args.bucket_keys), *args.extra_statements.get(app, [])]), opts=ctx.opts(self))
            self.roles[app] = role
            self.annotations[app] = {IRSA_ANNOTATION: role.arn}
        self.register_outputs({"roles": {a: r.arn for a, r in self.roles.items()}})
