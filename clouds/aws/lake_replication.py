"""Continuous S3 cross-region replication of the data-lake buckets to the DR region (`aws.drRegion`).

Every data bucket (not access-logs) gets a `<name>-replica` bucket in the DR region, hardened like
its source (versioning, SSE-KMS under a key of the DR region, public access blocked, ACLs
disabled, TLS only), and a replication rule on the source covering the whole bucket: new object
versions, tags and delete markers are copied asynchronously (most objects within minutes; S3
Replication Time Control is not enabled, so there is no 15-minute SLA). Objects that existed
before the rule are not copied (S3 Batch Replication does that, docs/runbooks/disaster-recovery.md).
A dr stack also replicates the buckets it reads but does not own, its primary's replicas of
bronze, silver and gold (`aws.primaryStack`), to `<its own bucket name>-replica` in its DR region:
S3 does not re-replicate what arrived by replication, so only what the DR site writes goes back
(failback).

S3 assumes one role, `<stack>-s3-replication`, allowed only what replication needs on these
buckets and keys. Lifecycle actions are not replicated: the replica expires its own noncurrent
versions after the same number of days.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws.iam as iam
import pulumi_aws.s3 as s3

from settings.catalog_backups import PrefixExpiry

from .common import Context, policy, tags
from .datalake import harden_bucket, prefix_expiry_rules, version_lifecycle_rules
from .keys import kms_key
from .names import replica_bucket_name

COMPONENT = "lake-replication"


@dataclass(frozen=True)
class ReplicationSource:
    """A versioned bucket of the stack's region to replicate: one of the stack's own, or (a dr
    stack) a bucket it reads but does not own, its primary's replica (failback copies)."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]
    replica_name: pulumi.Input[str]
    """The replica's name in the DR region: `<this stack's bucket name>-replica`."""
    ready: tuple = ()
    """What replication must wait for (the source's versioning)."""


def own_sources(buckets: Mapping[str, s3.Bucket], versioning: Mapping[str, s3.BucketVersioning]) -> dict[str, ReplicationSource]:
    return {r: ReplicationSource(b.bucket, b.arn, b.bucket.apply(replica_bucket_name), (versioning[r],)) for r, b in buckets.items()}


@dataclass(frozen=True)
class LakeReplicationArgs:
    ctx: Context
    """The stack's region's context (the sources, the IAM role)."""
    dr: Context
    """The DR region's context: its provider and region (the replicas and their key)."""
    sources: Mapping[str, ReplicationSource]
    source_key_arns: tuple
    """The KMS keys of the sources' region their objects are encrypted with (decrypted through S3 only)."""
    force_destroy: bool = False
    noncurrent_version_expiration_days: int = 90
    expiries: tuple[PrefixExpiry, ...] = ()
    """The sources' expiring prefixes: lifecycle expirations are not replicated (S3 does not
    replicate lifecycle delete markers), so each replica expires them itself."""


class LakeReplication(pulumi.ComponentResource):
    replicas: dict[str, s3.Bucket]

    def __init__(self, name: str, args: LakeReplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:LakeReplication", name, None, opts)
        ctx, dr = args.ctx, args.dr
        self.key = kms_key(dr, self, "s3-replica", f"{ctx.prefix}: data-lake replicas in {dr.region}", COMPONENT)

        self.replicas = {}
        for role, source in args.sources.items():
            logical = f"{ctx.prefix}-{role}-replica"
            replica = s3.Bucket(
                logical,
                bucket=source.replica_name,
                force_destroy=args.force_destroy,
                tags=tags(COMPONENT, logical, {"data-lake-role": role}),
                opts=dr.opts(self, stateful=True),
            )
            harden_bucket(dr, self, logical, replica, self.key.arn)
            s3.BucketLifecycleConfiguration(logical, bucket=replica.id, rules=[*version_lifecycle_rules(args.noncurrent_version_expiration_days), *prefix_expiry_rules(args.expiries, role)],
                                            opts=dr.opts(self))
            self.replicas[role] = replica

        n = f"{ctx.prefix}-s3-replication"
        trust = ctx.account_id.apply(lambda a: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": a}}}]}, sort_keys=True))
        self.role = iam.Role(n, name=n, description=f"{n}: S3 replication of the data-lake buckets to {dr.region}",
                             assume_role_policy=trust, tags=tags(COMPONENT, n), opts=ctx.opts(self))
        sources = [b.arn for b in args.sources.values()]
        objects = lambda arns: [pulumi.Output.from_input(a).apply(lambda a: f"{a}/*") for a in arns]  # noqa: E731
        keys = list(args.source_key_arns)
        iam.RolePolicy(n, role=self.role.id, policy=policy([
            {"Sid": "ReadReplicationConfiguration", "Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": sources},
            {"Sid": "ReadSourceVersions", "Effect": "Allow",
             "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
             "Resource": objects(sources)},
            {"Sid": "WriteReplicas", "Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
             "Resource": objects([b.arn for b in self.replicas.values()])},
            {"Sid": "DecryptSources", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": keys[0] if len(keys) == 1 else keys,
             "Condition": {"StringLike": {"kms:ViaService": f"s3.{ctx.region}.amazonaws.com"}}},
            {"Sid": "EncryptReplicas", "Effect": "Allow", "Action": "kms:Encrypt", "Resource": self.key.arn,
             "Condition": {"StringLike": {"kms:ViaService": f"s3.{dr.region}.amazonaws.com"}}},
        ]), opts=ctx.opts(self))

        self.configs = {}
        for role, source in args.sources.items():
            self.configs[role] = s3.BucketReplicationConfig(
                f"{ctx.prefix}-{role}",
                bucket=source.name,
                role=self.role.arn,
                rules=[{
                    "id": f"replicate-to-{dr.region}",
                    "status": "Enabled",
                    # A V2 rule (a Filter, required with DeleteMarkerReplication) over every object. The S3 API
                    # Reference (ReplicationRule, ReplicationRuleFilter): "A Filter must specify exactly one
                    # Prefix, Tag, or an And child element", and for Prefix "To include all objects in a
                    # bucket, specify an empty string". terraform-provider-aws (internal/service/s3/
                    # bucket_replication_configuration.go, expandReplicationRules/expandReplicationRuleFilter)
                    # sends an empty `filter {}` as that empty Prefix, but a rule without any filter in the
                    # legacy V1 schema (rule-level Prefix), and reads the rule back as `prefix = ""`: the
                    # empty prefix is written out so the request is <Filter><Prefix></Prefix></Filter> even if
                    # the bridge drops an empty object, and the state read back matches (no perpetual diff).
                    "filter": {"prefix": ""},
                    "delete_marker_replication": {"status": "Enabled"},
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": self.replicas[role].arn,
                        "storage_class": "STANDARD",
                        "encryption_configuration": {"replica_kms_key_id": self.key.arn},
                    },
                }],
                opts=ctx.opts(self, depends_on=list(source.ready)),
            )
        self.register_outputs({"region": dr.region, "replicas": {r: b.bucket for r, b in self.replicas.items()}, "key": self.key.arn})
