"""The data lake on Cloud Storage: bronze, silver, gold, one bucket per consumer (backups,
airbyte, dremio, velero, es-backups: Elasticsearch's snapshots) and an access-logs bucket, all
in the stack's region.

Every bucket: uniform bucket-level access (IAM only, no object ACLs), public access prevention
`enforced` (no `allUsers`/`allAuthenticatedUsers` binding can ever take effect), versioning, a
soft-delete window (deleted objects restorable for `gcp.softDeleteDays`), noncurrent versions
deleted after `gcp.noncurrentVersionExpirationDays`, stale multipart uploads aborted after 7 days,
and usage logs written to the access-logs bucket under `<role>/`. The seed's lifecycle: bronze
objects move to `gcp.bronzeColdStorageClass` (COLDLINE) after `gcp.bronzeColdDays` (90).

The access-logs bucket lets only Cloud Storage's log-delivery group create objects
(`group:cloud-storage-analytics@google.com`, roles/storage.objectCreator: what usage-log
delivery needs under uniform access) and expires logs after `gcp.accessLogRetentionDays`.

Encryption at rest is Google-managed. CMEK is not built: a Cloud KMS key ring can never be
deleted (a destroyed and re-created stack collides with its own name), and every object read
and write becomes a KMS operation billed per 10,000 (docs/gcp.md).

IAM is per bucket, never on the project (identities.py). Prod buckets are protected and refuse
to delete while they hold objects; staging buckets are `force_destroy` so the stack can go.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.storage as storage

from settings.catalog_backups import PrefixExpiry

from .common import Context, labels
from .settings import LAKE_BUCKET_ROLES, gcs_bucket_name

COMPONENT = "datalake"
LOGS_ROLE = "access-logs"
DATA_ROLES = tuple(r for r in LAKE_BUCKET_ROLES if r != LOGS_ROLE)
LOG_DELIVERY = "group:cloud-storage-analytics@google.com"
"""Who writes Cloud Storage usage logs (cloud.google.com/storage/docs/access-logs)."""
DAY = 86400


def lifecycle_rules(role: str, *, noncurrent_days: int, cold_class: str, cold_days: int, log_days: int,
                    expiries: tuple[PrefixExpiry, ...] = ()) -> list[dict]:
    """What every versioned bucket needs (noncurrent versions expire, multipart uploads are
    aborted), plus bronze's move to a colder class, the access logs' expiry and prefixes that
    expire (Dremio's catalog backups: live objects become noncurrent, then go with the first rule)."""
    rules: list[dict] = [
        {"action": {"type": "Delete"}, "condition": {"days_since_noncurrent_time": noncurrent_days, "with_state": "ARCHIVED"}},
        {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}},
    ]
    if role == "bronze":
        rules.append({"action": {"type": "SetStorageClass", "storage_class": cold_class},
                      "condition": {"age": cold_days, "matches_storage_classes": ["STANDARD"], "with_state": "LIVE"}})
    if role == LOGS_ROLE:
        rules.append({"action": {"type": "Delete"}, "condition": {"age": log_days, "with_state": "LIVE"}})
    rules += [{"action": {"type": "Delete"}, "condition": {"age": e.days, "matches_prefixes": [e.prefix], "with_state": "LIVE"}}
              for e in expiries if e.bucket_role == role]
    return rules


@dataclass(frozen=True)
class DataLakeArgs:
    ctx: Context
    force_destroy: bool = False
    bronze_cold_storage_class: str = "COLDLINE"
    bronze_cold_days: int = 90
    noncurrent_version_expiration_days: int = 90
    soft_delete_days: int = 7
    access_log_retention_days: int = 365
    expiries: tuple[PrefixExpiry, ...] = ()


class DataLake(pulumi.ComponentResource):
    buckets: dict[str, storage.Bucket]
    access_logs: storage.Bucket

    def __init__(self, name: str, args: DataLakeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:DataLake", name, None, opts)
        ctx = args.ctx

        def make(role: str, log_bucket: pulumi.Input[str] | None) -> storage.Bucket:
            logical = f"{ctx.prefix}-{role}"
            return storage.Bucket(
                logical,
                name=gcs_bucket_name(ctx.project, ctx.prefix, role),
                location=ctx.region.upper(),
                storage_class="STANDARD",
                uniform_bucket_level_access=True,
                public_access_prevention="enforced",
                versioning={"enabled": True},
                soft_delete_policy={"retention_duration_seconds": args.soft_delete_days * DAY},
                lifecycle_rules=lifecycle_rules(
                    role, noncurrent_days=args.noncurrent_version_expiration_days, cold_class=args.bronze_cold_storage_class,
                    cold_days=args.bronze_cold_days, log_days=args.access_log_retention_days, expiries=args.expiries),
                logging={"log_bucket": log_bucket, "log_object_prefix": role} if log_bucket is not None else None,
                force_destroy=args.force_destroy,
                labels=labels(COMPONENT, {"data-lake-role": role}),
                opts=ctx.opts(self, stateful=True),
            )

        self.access_logs = make(LOGS_ROLE, None)
        delivery = storage.BucketIAMMember(f"{ctx.prefix}-{LOGS_ROLE}-log-delivery", bucket=self.access_logs.name,
                                           role="roles/storage.objectCreator", member=LOG_DELIVERY, opts=ctx.opts(self))
        self.buckets = {}
        for role in DATA_ROLES:
            b = make(role, self.access_logs.name)
            self.buckets[role] = b
        self.ready = [delivery]
        self.register_outputs({"buckets": {r: b.name for r, b in self.buckets.items()}, "accessLogs": self.access_logs.name})
