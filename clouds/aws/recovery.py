"""What AWS's managed services can lose and what survives the region, for settings/recovery.py
(through the hooks of AwsSettings): RDS's point-in-time restore and its DR copies, the S3 lake,
the S3 archive and snapshot buckets, and the rules that refuse a configuration missing prod's RPO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from settings.checks import human_duration
from settings.cron import UTC, max_gap_minutes
from settings.errors import MISSING, PROJECT
from settings.recovery import NativeCopy, RecoveryPoint
from settings.schema import CrossFieldInvalid

if TYPE_CHECKING:
    from settings import Settings

    from .settings import AwsSettings

RDS_LOG_UPLOAD_SECONDS = 300
"""RDS uploads transaction logs to S3 every five minutes: its LatestRestorableTime is at most
about 5 minutes old (Amazon RDS User Guide, "Restoring a DB instance to a specified time")."""


def database(a: AwsSettings) -> RecoveryPoint:
    outside = (f"RDS automated backups (snapshots and transaction logs) replicated to {a.dr_region} as soon as they are ready, "
               f"kept {a.db_backup_retention_days} day(s): point-in-time restore there" if a.dr_region
               else "nothing: automated backups stay in the stack's region")
    if a.db_cross_region_replica:
        outside = (f"a promotable read replica in {a.dr_region} (asynchronous streaming: it loses its replication lag, seconds, "
                   f"minutes under load; CloudWatch ReplicaLag); failing it, {outside}")
    return RecoveryPoint(
        "postgres", RDS_LOG_UPLOAD_SECONDS,
        f"RDS point-in-time restore: transaction logs copied to S3 every 5 minutes, {a.db_backup_retention_days} day(s) kept, "
        f"daily snapshot in the {a.db_backup_window} UTC window" + ("; Multi-AZ standby loses nothing on an AZ failure" if a.db_multi_az else ""),
        outside,
    )


def archive(a: AwsSettings) -> NativeCopy:
    return NativeCopy("the stack's S3 backups bucket",
                      f"the backups bucket's daily AWS Backup copy in {a.dr_region} (as old as the object-storage snapshot)" if a.dr_region
                      else "nothing: the S3 bucket is in the stack's region")


def lake(a: AwsSettings, s: Settings) -> RecoveryPoint:
    b = s.backups
    snapshot = (f"AWS Backup recovery points on '{b.object_store_schedule}' {b.time_zone if b.time_zone != UTC else 'UTC'} (at most "
                f"{human_duration(max_gap_minutes(b.object_store_schedule) * 60)} apart), kept {b.object_store_retention_days} day(s)")
    return RecoveryPoint(
        "objectStore", 0,
        f"S3 stores every object across availability zones; versioning keeps overwritten and deleted objects "
        f"{a.noncurrent_version_expiration_days} day(s); {snapshot}",
        (f"every data bucket is replicated continuously to {a.dr_region} (S3 replication, asynchronous: most objects "
         "within 15 minutes, but S3 Replication Time Control is not enabled, so no SLA; deletes replicate as delete markers); "
         f"{snapshot}, copied to a vault in {a.dr_region}") if a.dr_region
        else "nothing: the buckets and the backup vault are in the stack's region",
    )


def snapshots(a: AwsSettings) -> NativeCopy:
    return NativeCopy("its own S3 bucket", f"the snapshots' bucket replicates to {a.dr_region} (S3 replication)" if a.dr_region
                      else "nothing: the snapshots are in the same site")


def check(a: AwsSettings, s: Settings, target_seconds: int) -> None:
    if a.db_cross_region_replica and (s.database != "managed" or s.backups.standby):
        raise CrossFieldInvalid(f"{PROJECT}:aws.dbCrossRegionReplica", True,
                                "false unless database: managed on a stack that runs its database (not a standby DR site): it replicates the RDS instance")
    if s.database != "managed":
        return
    if s.environment == "prod" and not a.dr_region:
        raise CrossFieldInvalid(f"{PROJECT}:aws.drRegion", MISSING,
                                "an AWS region other than aws:region, such as eu-central-1: prod's RPO must survive the loss of its "
                                "region, so its database backups are replicated out of it")
    if target_seconds < RDS_LOG_UPLOAD_SECONDS:
        raise CrossFieldInvalid(f"{PROJECT}:backups.rpo", s.backups.rpo,
                                "at least 5m with a managed database: RDS copies transaction logs to S3 every 5 minutes")
