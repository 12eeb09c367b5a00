"""S3 data lake: bronze, silver, gold, dremio, airbyte, backups, velero and es-backups buckets, plus an access-logs bucket.

Every bucket: versioning, public access fully blocked, ACLs disabled (BucketOwnerEnforced), a
policy denying any request not made over TLS, and a lifecycle that expires noncurrent versions
and aborts stale multipart uploads. Data buckets are encrypted with a customer KMS key and an
S3 Bucket Key (fewer KMS calls), and log their access to the access-logs bucket. The seed's
lifecycle: bronze objects move to GLACIER after 90 days.

The access-logs bucket uses SSE-S3: S3 server access log delivery cannot write to a bucket
whose default encryption is SSE-KMS. It lets only the S3 logging service of this account write.

Non-prod buckets get `force_destroy` so a staging stack can be destroyed; prod buckets are
protected and keep their objects.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.kms as kms
import pulumi_aws.s3 as s3

from settings.catalog_backups import PrefixExpiry

from .common import Context, policy, tags
from .keys import kms_key
from .names import DATA_ROLES, LOGS_ROLE, bucket_name

COMPONENT = "datalake"


def version_lifecycle_rules(noncurrent_days: int) -> list[dict]:
    """Lifecycle rules every versioned bucket needs: old versions expire, stale multipart uploads are aborted."""
    return [
        {"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {}, "noncurrent_version_expiration": {"noncurrent_days": noncurrent_days}},
        {"id": "abort-incomplete-multipart-uploads", "status": "Enabled", "filter": {}, "abort_incomplete_multipart_upload": {"days_after_initiation": 7}},
    ]


def prefix_expiry_rules(expiries: tuple[PrefixExpiry, ...], role: str) -> list[dict]:
    """The expiring prefixes of one bucket role (Dremio's catalog backups). Versioned buckets: an
    expired object becomes a noncurrent version, gone after the noncurrent rule."""
    return [{"id": e.rule_id, "status": "Enabled", "filter": {"prefix": e.prefix}, "expiration": {"days": e.days}}
            for e in expiries if e.bucket_role == role]


def harden_bucket(ctx: Context, parent: pulumi.Resource, logical: str, bucket: s3.Bucket,
                  kms_key_arn: pulumi.Input[str] | None, extra_statements: list | tuple = ()) -> s3.BucketVersioning:
    """What every bucket of the lake (and its DR replica) gets: public access fully blocked, ACLs
    disabled, versioning, default encryption (SSE-KMS with an S3 Bucket Key under `kms_key_arn`,
    else SSE-S3) and a policy denying any request not made over TLS. Returns the versioning
    resource (replication must wait for it)."""
    o = lambda **kw: ctx.opts(parent, **kw)  # noqa: E731
    pab = s3.BucketPublicAccessBlock(logical, bucket=bucket.id, block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, opts=o())
    s3.BucketOwnershipControls(logical, bucket=bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=o())
    versioning = s3.BucketVersioning(logical, bucket=bucket.id, versioning_configuration={"status": "Enabled"}, opts=o())
    s3.BucketServerSideEncryptionConfiguration(
        logical,
        bucket=bucket.id,
        rules=[
            {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}, "bucket_key_enabled": True}
            if kms_key_arn is not None
            else {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}
        ],
        opts=o(),
    )
    statements = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket.arn, bucket.arn.apply(lambda a: f"{a}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        *extra_statements,
    ]
    s3.BucketPolicy(logical, bucket=bucket.id, policy=policy(statements), opts=o(depends_on=[pab]))
    return versioning


@dataclass(frozen=True)
class DataLakeArgs:
    ctx: Context
    project: str
    force_destroy: bool = False
    bronze_glacier_days: int = 90
    noncurrent_version_expiration_days: int = 90
    access_log_retention_days: int = 365
    expiries: tuple[PrefixExpiry, ...] = ()
    """Prefixes whose objects expire (Dremio's catalog backups, settings/catalog_backups.py)."""
    roles: tuple[str, ...] = DATA_ROLES
    """The data buckets this stack owns (a dr stack reads bronze, silver and gold from its primary's replicas)."""


class DataLake(pulumi.ComponentResource):
    buckets: dict[str, s3.Bucket]
    key: kms.Key

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:DataLake", name, None, opts)
        ctx = args.ctx
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        self.key = kms_key(ctx, self, "s3", f"{ctx.prefix}: data-lake buckets", COMPONENT)
        self.versioning: dict[str, s3.BucketVersioning] = {}

        def make(role: str, kms: bool) -> s3.Bucket:
            logical = f"{ctx.prefix}-{role}"
            bucket = s3.Bucket(
                logical,
                bucket=ctx.account_id.apply(lambda a: bucket_name(args.project, ctx.prefix, role, a)),
                force_destroy=args.force_destroy,
                tags=tags(COMPONENT, logical, {"data-lake-role": role}),
                opts=o(stateful=True),
            )
            extra = []
            if role == LOGS_ROLE:
                extra.append(
                    {
                        "Sid": "S3ServerAccessLogsDelivery",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": bucket.arn.apply(lambda a: f"{a}/*"),
                        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                    }
                )
            self.versioning[role] = harden_bucket(ctx, self, logical, bucket, self.key.arn if kms else None, extra)

            rules = version_lifecycle_rules(args.noncurrent_version_expiration_days)
            if role == "bronze":
                rules.append({"id": "bronze-to-glacier", "status": "Enabled", "filter": {}, "transitions": [{"days": args.bronze_glacier_days, "storage_class": "GLACIER"}]})
            rules += prefix_expiry_rules(args.expiries, role)
            if role == LOGS_ROLE:
                rules.append({"id": "expire-access-logs", "status": "Enabled", "filter": {}, "expiration": {"days": args.access_log_retention_days}})
            s3.BucketLifecycleConfiguration(logical, bucket=bucket.id, rules=rules, opts=o())
            return bucket

        logs = make(LOGS_ROLE, kms=False)
        self.buckets = {}
        for role in args.roles:
            b = make(role, kms=True)
            s3.BucketLogging(f"{ctx.prefix}-{role}", bucket=b.id, target_bucket=logs.id, target_prefix=f"{role}/", opts=o())
            self.buckets[role] = b
        self.access_logs = logs
        self.register_outputs({"buckets": {r: b.bucket for r, b in self.buckets.items()}, "accessLogs": logs.bucket, "kmsKeyArn": self.key.arn})
