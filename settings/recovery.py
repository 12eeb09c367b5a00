"""What each data store can lose, worked out from the settings, and the rules that refuse a
configuration missing its environment's RPO (settings/sections/backups.py).

Pure: `recovery_points(settings)` says, per data store, the worst-case recovery point a failure
inside the site (lost instances, volumes or servers) gives with this configuration and how it is
reached, and what survives the loss of the whole site (cluster or region). `check(settings)`
raises the usual one-line `SettingsError` naming the key to change. The same values are the
`recoveryPoints` stack output, so what is checked is what operators read.

Decision (the seed's 06:00/12:00/18:00 incrementals): PostgreSQL's incremental backup is its WAL,
archived continuously by CloudNativePG (or shipped every 5 minutes by RDS), which bounds the loss
to `archiveTimeout` instead of 6 hours; volume-snapshot backups are not used (they need a
VolumeSnapshotClass the platform does not provide and do not shorten the RPO further).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from .checks import duration_seconds, human_duration
from .cron import UTC, CronError, dst_minutes, max_gap_minutes, utc_schedule
from .errors import MISSING, PROJECT, SettingsError

if TYPE_CHECKING:
    from .model import Settings

RDS_LOG_UPLOAD_SECONDS = 300
"""RDS uploads transaction logs to S3 every five minutes: its LatestRestorableTime is at most
about 5 minutes old (Amazon RDS User Guide, "Restoring a DB instance to a specified time")."""


@dataclass(frozen=True)
class RecoveryPoint:
    store: str
    worst_case_seconds: Optional[int]
    """Worst-case data loss (seconds) after a failure inside the site; None: nothing to restore from."""
    how: str
    outside_site: str
    """What is left if the whole cluster or region is lost."""

    def output(self, target_seconds: int) -> dict[str, Any]:
        worst = self.worst_case_seconds
        return {
            "worstCaseRpo": "unbounded" if worst is None else human_duration(worst),
            "meetsTarget": worst is not None and worst <= target_seconds,
            "how": self.how,
            "siteLoss": self.outside_site,
        }


AZURE_LOG_BACKUP_SECONDS = 300
"""Flexible Server and Cloud SQL back up WAL continuously to the service's storage; 5 minutes is
the figure assumed for their point-in-time restore (as RDS's), not verified here against Azure's
or Google's documentation. Azure documents geo-restore from geo-redundant backups with an RPO
under one hour."""


def _azure_postgres(s: Settings) -> RecoveryPoint:
    z = s.azure
    return RecoveryPoint(
        "postgres", AZURE_LOG_BACKUP_SECONDS,
        f"Flexible Server point-in-time restore from its continuous backups, {z.db_backup_retention_days} day(s) kept"
        + ("; the zone-redundant standby loses nothing on a zone failure" if z.db_high_availability == "ZoneRedundant" else ""),
        "geo-redundant backups in the paired region: geo-restore (Azure documents an RPO under 1 hour)" if z.db_geo_redundant_backup
        else "nothing: backups stay in the stack's region",
    )


def _gcp_postgres(s: Settings) -> RecoveryPoint:
    g = s.gcp
    if not g.db_point_in_time_recovery:
        return RecoveryPoint("postgres", 24 * 3600, f"Cloud SQL daily backups from {g.db_backup_start} UTC, {g.db_retained_backups} kept; "
                             "point-in-time recovery off", "the backups' multi-region location (Cloud SQL's default)")
    return RecoveryPoint(
        "postgres", AZURE_LOG_BACKUP_SECONDS,
        f"Cloud SQL point-in-time recovery from its write-ahead log ({g.db_transaction_log_retention_days} day(s)) and "
        f"{g.db_retained_backups} daily backups from {g.db_backup_start} UTC" + ("; the REGIONAL standby loses nothing on a zone failure" if g.db_availability == "REGIONAL" else ""),
        "daily backups in their multi-region location (Cloud SQL's default): restore into another region, losing up to a day",
    )


def _zone(s: Settings, schedule: str) -> str:
    """How a UTC-only scheduler's run time reads: `UTC`, or the zone and the UTC cron it becomes."""
    zone = s.backups.time_zone
    if zone == UTC:
        return "UTC"
    drift = ", an hour later on the wall clock under daylight saving time" if dst_minutes(zone) else ""
    return f"{zone} (run at '{utc_schedule(schedule, zone)}' UTC{drift})"


def _postgres(s: Settings) -> RecoveryPoint:
    if s.database == "managed" and s.cloud == "azure":
        return _azure_postgres(s)
    if s.database == "managed" and s.cloud == "gcp":
        return _gcp_postgres(s)
    if s.database == "managed":
        a = s.aws
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
    p = s.postgres
    native = {"azure": "the ADLS lake's backups container (workload identity)"}.get(s.cloud, "the stack's S3 backups bucket")
    where = "the backups bucket of the in-cluster MinIO" if s.object_store == "minio" else native
    sync = f"; {p.synchronous_replicas} synchronous standby(s) lose nothing on an instance failure" if p.synchronous_replicas else ""
    return RecoveryPoint(
        "postgres", duration_seconds(p.archive_timeout),
        f"the Barman Cloud plugin archives WAL to {where} at least every {p.archive_timeout} (archive_timeout) and takes a base backup "
        f"on '{p.backup_schedule}' {_zone(s, p.backup_schedule)} (at most {human_duration(max_gap_minutes(p.backup_schedule) * 60)} apart), kept {p.backup_retention}{sync}",
        "nothing: the archive is in the same cluster's MinIO" if s.object_store == "minio"
        else (("the lake account's asynchronous geo-replica in the paired region" if "GRS" in s.azure.lake_replication or "GZRS" in s.azure.lake_replication
               else "nothing: the lake account's copies are in the stack's region") if s.cloud == "azure"
              else f"the backups bucket's daily AWS Backup copy in {s.aws.dr_region} (as old as the object-storage snapshot)" if s.aws.dr_region
              else "nothing: the S3 bucket is in the stack's region"),
    )


def _object_store(s: Settings) -> RecoveryPoint:
    if s.object_store == "native" and s.cloud == "azure":
        z = s.azure
        zones = "across availability zones" if "ZRS" in z.lake_replication else "three times in one datacenter"
        return RecoveryPoint(
            "objectStore", 0,
            f"the ADLS Gen2 lake ({z.lake_replication}) stores every blob {zones}; blob and container soft delete keep deleted data "
            f"{z.soft_delete_days} day(s); overwritten blobs are not recoverable (no versioning on a hierarchical-namespace account) and there is no snapshot",
            "the lake account's asynchronous geo-replica in the paired region (deletes replicate too)" if "GRS" in z.lake_replication or "GZRS" in z.lake_replication
            else "nothing: the lake account's copies are in the stack's region",
        )
    if s.object_store == "native" and s.cloud == "aws":
        b = s.backups
        snapshot = (f"AWS Backup recovery points on '{b.object_store_schedule}' {b.time_zone if b.time_zone != UTC else 'UTC'} (at most "
                    f"{human_duration(max_gap_minutes(b.object_store_schedule) * 60)} apart), kept {b.object_store_retention_days} day(s)")
        return RecoveryPoint(
            "objectStore", 0,
            f"S3 stores every object across availability zones; versioning keeps overwritten and deleted objects "
            f"{s.aws.noncurrent_version_expiration_days} day(s); {snapshot}",
            (f"every data bucket is replicated continuously to {s.aws.dr_region} (S3 replication, asynchronous: most objects "
             "within 15 minutes, but S3 Replication Time Control is not enabled, so no SLA; deletes replicate as delete markers); "
             f"{snapshot}, copied to a vault in {s.aws.dr_region}") if s.aws.dr_region
            else "nothing: the buckets and the backup vault are in the stack's region",
        )
    m = s.minio
    b = s.backups
    off_site = (f"the lake buckets mirrored on '{b.object_store_schedule}' {b.time_zone if b.time_zone != UTC else 'UTC'} (at most {human_duration(max_gap_minutes(b.object_store_schedule) * 60)} "
                f"apart) to {b.mirror_bucket} at {b.mirror_endpoint} (mc mirror: new and changed objects, deletes not propagated)"
                if b.mirror_endpoint else "nothing: no copy outside the cluster")
    locked = ", ".join(m.locked_buckets)
    deletes = (f"; deleted or overwritten objects are recoverable in the object-locked bucket(s) {locked} only" if locked
               else "; deleted or overwritten objects are not recoverable (no bucket is versioned)")
    if sum(m.pools) == 1:
        if b.mirror_endpoint:
            return RecoveryPoint("objectStore", max_gap_minutes(b.object_store_schedule) * 60,
                                 "one MinIO server with no redundancy: a lost volume loses what the last mirror run did not copy" + deletes, off_site)
        return RecoveryPoint("objectStore", None, "one MinIO server with no redundancy and no snapshot: a lost volume loses the lake" + deletes,
                             off_site)
    return RecoveryPoint(
        "objectStore", 0,
        f"MinIO erasure coding over {sum(m.pools)} servers x {m.drives_per_server} drive(s) survives drives and servers within parity "
        "(losing more loses the lake: there is no snapshot)" + deletes,
        off_site,
    )


def _elasticsearch(s: Settings) -> RecoveryPoint:
    """Logs and search indices: what the newest snapshot holds (no continuous copy). Reported,
    not refused: the logs also go to the cloud's log service where there is one."""
    b, e = s.backups, s.elasticsearch
    replicas = "; replica shards on other nodes survive one node" if e.data_nodes > 1 else "; one data node: a lost volume loses what the snapshot lacks"
    if not b.elasticsearch_snapshots:
        return RecoveryPoint("elasticsearch", None, "no snapshot (backups.elasticsearchSnapshots is off)" + replicas, "nothing")
    if s.object_store == "native" and s.cloud == "azure":
        # Elasticsearch 8.15's azure repository takes a key or SAS token only; the lake takes neither (docs/azure.md).
        return RecoveryPoint("elasticsearch", None, "no snapshot: no repository on Azure (the pinned Elasticsearch reads Azure Blob with "
                             "an account key or SAS token only, which the lake refuses)" + replicas, "nothing")
    # Native on AWS and GCP: its own bucket.
    native, minio = {"aws": "its own S3 bucket", "gcp": "its own regional Cloud Storage bucket"}, "the es-backups bucket of the in-cluster MinIO"
    bucket = native.get(s.cloud, minio) if s.object_store == "native" else minio
    outside = (f"the snapshots' bucket replicates to {s.aws.dr_region} (S3 replication)" if s.object_store == "native" and s.cloud == "aws" and s.aws.dr_region
               else "nothing: the snapshots are in the same site")
    return RecoveryPoint(
        "elasticsearch", max_gap_minutes(b.config_schedule) * 60,
        f"snapshot lifecycle policy on '{b.config_schedule}' {_zone(s, b.config_schedule)} (at most {human_duration(max_gap_minutes(b.config_schedule) * 60)} apart) "
        f"to {bucket}, kept {b.config_retention_days} day(s){replicas}",
        outside,
    )


def recovery_points(s: Settings) -> list[RecoveryPoint]:
    return [_postgres(s), _object_store(s), _elasticsearch(s)]


def outputs(s: Settings) -> dict[str, Any]:
    """The `recoveryPoints` stack output: targets, then each data store's worst case."""
    target = duration_seconds(s.backups.rpo)
    return {"target": {"rpo": s.backups.rpo, "rto": s.backups.rto}, **{p.store: p.output(target) for p in recovery_points(s)}}


def check(s: Settings) -> None:
    """Refuse a PostgreSQL configuration whose worst case is longer than backups.rpo, or a target
    the configured service cannot reach. (The lake's lack of an off-site copy is reported by
    `outputs`, not refused: MinIO replication and S3 cross-region replication are not built yet.)"""
    if s.backups.standby and s.environment != "dr":
        raise SettingsError(s.stack_file, f"{PROJECT}:backups.standby", True, f"false: only the dr environment stands by (this is {s.environment})")
    if s.backups.mirror_endpoint and s.object_store == "native":
        raise SettingsError(s.stack_file, f"{PROJECT}:backups.mirrorEndpoint", s.backups.mirror_endpoint,
                            "unset with objectStore: native: the MinIO mirror copies the in-cluster MinIO's lake (cloud buckets replicate with aws.drRegion)")
    if s.cloud == "aws" and s.aws.db_cross_region_replica and (s.database != "managed" or s.backups.standby):
        raise SettingsError(s.stack_file, f"{PROJECT}:aws.dbCrossRegionReplica", True,
                            "false unless database: managed on a stack that runs its database (not a standby DR site): it replicates the RDS instance")
    target = duration_seconds(s.backups.rpo)
    rpo_key = f"{PROJECT}:backups.rpo"
    if s.database == "managed" and s.cloud == "azure":
        if s.environment == "prod" and not s.azure.db_geo_redundant_backup:
            raise SettingsError(s.stack_file, f"{PROJECT}:azure.dbGeoRedundantBackup", False,
                                "true: prod's RPO must survive the loss of its region, so its database backups are geo-redundant")
        return
    if s.database == "managed" and s.cloud == "gcp":
        if not s.gcp.db_point_in_time_recovery and 24 * 3600 > target:
            raise SettingsError(s.stack_file, f"{PROJECT}:gcp.dbPointInTimeRecovery", False,
                                f"true: daily backups alone lose up to a day, more than backups.rpo = {s.backups.rpo} ({s.environment})")
        return
    if s.database == "managed":
        if s.environment == "prod" and not s.aws.dr_region:
            raise SettingsError(s.stack_file, f"{PROJECT}:aws.drRegion", MISSING,
                                "an AWS region other than aws:region, such as eu-central-1: prod's RPO must survive the loss of its "
                                "region, so its database backups are replicated out of it")
        if target < RDS_LOG_UPLOAD_SECONDS:
            raise SettingsError(s.stack_file, rpo_key, s.backups.rpo,
                                "at least 5m with a managed database: RDS copies transaction logs to S3 every 5 minutes")
        return
    if s.backups.time_zone != UTC:
        try:
            utc_schedule(s.postgres.backup_schedule, s.backups.time_zone)
        except CronError as e:
            raise SettingsError(s.stack_file, f"{PROJECT}:postgres.backupSchedule", s.postgres.backup_schedule,
                                f"{e}: CloudNativePG schedules in UTC only (cloudnative-pg#9382), backups.timeZone = {s.backups.time_zone}") from None
    timeout = duration_seconds(s.postgres.archive_timeout)
    if timeout > target:
        raise SettingsError(s.stack_file, f"{PROJECT}:postgres.archiveTimeout", s.postgres.archive_timeout,
                            f"at most the RPO target backups.rpo = {s.backups.rpo} ({s.environment}): WAL not yet archived is what a lost cluster loses")
