"""What Google Cloud's managed services can lose and what survives the region, for
settings/recovery.py (through the hooks of GcpSettings): Cloud SQL's backups, the Cloud Storage
archive and snapshot buckets, and the rule that refuses daily backups alone against a shorter RPO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from settings.errors import PROJECT
from settings.recovery import NativeCopy, RecoveryPoint
from settings.schema import CrossFieldInvalid

if TYPE_CHECKING:
    from settings import Settings

    from .settings import GcpSettings

LOG_BACKUP_SECONDS = 300
"""Cloud SQL backs up WAL continuously with point-in-time recovery; 5 minutes is the figure
assumed for its point-in-time restore (as RDS's), not verified against Google's documentation."""

DAY_SECONDS = 24 * 3600


def database(g: GcpSettings) -> RecoveryPoint:
    if not g.db_point_in_time_recovery:
        return RecoveryPoint("postgres", DAY_SECONDS, f"Cloud SQL daily backups from {g.db_backup_start} UTC, {g.db_retained_backups} kept; "
                             "point-in-time recovery off", "the backups' multi-region location (Cloud SQL's default)")
    return RecoveryPoint(
        "postgres", LOG_BACKUP_SECONDS,
        f"Cloud SQL point-in-time recovery from its write-ahead log ({g.db_transaction_log_retention_days} day(s)) and "
        f"{g.db_retained_backups} daily backups from {g.db_backup_start} UTC" + ("; the REGIONAL standby loses nothing on a zone failure" if g.db_availability == "REGIONAL" else ""),
        "daily backups in their multi-region location (Cloud SQL's default): restore into another region, losing up to a day",
    )


def archive() -> NativeCopy:
    # The buckets are regional (clouds/gcp/datalake.py: location = the stack's region).
    return NativeCopy("the stack's Cloud Storage backups bucket", "nothing: the backups bucket is in the stack's region")


def lake(g: GcpSettings) -> RecoveryPoint:
    # clouds/gcp/datalake.py: regional buckets (location = the stack's region), versioned, with a
    # soft-delete window; no dual-region, no turbo replication and no scheduled copy elsewhere.
    return RecoveryPoint(
        "objectStore", 0,
        "Cloud Storage stores every object redundantly across the region's zones; versioning keeps overwritten and deleted "
        f"objects {g.noncurrent_version_expiration_days} day(s) and soft delete restores deleted ones for {g.soft_delete_days} day(s)",
        "nothing: the buckets are regional, in the stack's region (no dual-region bucket, no copy to another region)",
    )


def snapshots() -> NativeCopy:
    return NativeCopy("its own regional Cloud Storage bucket", "nothing: the snapshots are in the same site")


def check(g: GcpSettings, s: Settings, target_seconds: int) -> None:
    if s.database == "managed" and not g.db_point_in_time_recovery and DAY_SECONDS > target_seconds:
        raise CrossFieldInvalid(f"{PROJECT}:gcp.dbPointInTimeRecovery", False,
                                f"true: daily backups alone lose up to a day, more than backups.rpo = {s.backups.rpo} ({s.environment})")
