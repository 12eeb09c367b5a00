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
from .errors import PROJECT, SettingsError
from .schema import CrossFieldInvalid

if TYPE_CHECKING:
    from .model import Settings
    from .schema import Section


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


@dataclass(frozen=True)
class NativeCopy:
    """A backup kept in the cloud's own store: where (for `how`) and what of it survives the site."""

    where: str
    outside_site: str


def _cloud(s: Settings) -> Optional[Section]:
    """The selected cloud's section, which answers what depends on the cloud (settings/schema.py)."""
    return s.clouds.get(s.cloud)


def _zone(s: Settings, schedule: str) -> str:
    """How a UTC-only scheduler's run time reads: `UTC`, or the zone and the UTC cron it becomes."""
    zone = s.backups.time_zone
    if zone == UTC:
        return "UTC"
    drift = ", an hour later on the wall clock under daylight saving time" if dst_minutes(zone) else ""
    return f"{zone} (run at '{utc_schedule(schedule, zone)}' UTC{drift})"


def _postgres(s: Settings) -> RecoveryPoint:
    cloud = _cloud(s)
    if s.database == "managed":
        assert cloud is not None  # settings.load refuses a managed database on a cloud without a section
        return cloud.database_recovery_point(s)
    p = s.postgres
    native = cloud.archive_copy(s) if s.object_store == "native" and cloud is not None else None
    where = native.where if native else "the backups bucket of the in-cluster MinIO"
    sync = f"; {p.synchronous_replicas} synchronous standby(s) lose nothing on an instance failure" if p.synchronous_replicas else ""
    return RecoveryPoint(
        "postgres", duration_seconds(p.archive_timeout),
        f"the Barman Cloud plugin archives WAL to {where} at least every {p.archive_timeout} (archive_timeout) and takes a base backup "
        f"on '{p.backup_schedule}' {_zone(s, p.backup_schedule)} (at most {human_duration(max_gap_minutes(p.backup_schedule) * 60)} apart), kept {p.backup_retention}{sync}",
        native.outside_site if native else "nothing: the archive is in the same cluster's MinIO",
    )


def _object_store(s: Settings) -> RecoveryPoint:
    cloud = _cloud(s)
    lake = cloud.lake_recovery_point(s) if s.object_store == "native" and cloud is not None else None
    if lake is not None:
        return lake
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
    cloud = _cloud(s)
    native = cloud.snapshot_copy(s) if s.object_store == "native" and cloud is not None else None
    bucket = native.where if native else "the es-backups bucket of the in-cluster MinIO"
    outside = native.outside_site if native else "nothing: the snapshots are in the same site"
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
    the configured service cannot reach. (What of the lake survives a site loss is reported by
    `outputs`, not refused: the MinIO mirror and the clouds' bucket replication are opt-ins.)"""
    if s.backups.standby and s.environment != "dr":
        raise SettingsError(s.stack_file, f"{PROJECT}:backups.standby", True, f"false: only the dr environment stands by (this is {s.environment})")
    cloud = _cloud(s)
    if s.backups.mirror_endpoint and s.object_store == "native":
        raise SettingsError(s.stack_file, f"{PROJECT}:backups.mirrorEndpoint", s.backups.mirror_endpoint,
                            "unset with objectStore: native: the MinIO mirror copies the in-cluster MinIO's lake (the cloud's buckets replicate on their own: docs/backups.md)")
    target = duration_seconds(s.backups.rpo)
    if cloud is not None:
        try:
            cloud.check_recovery(s, target)
        except CrossFieldInvalid as e:
            raise SettingsError(s.stack_file, e.field, e.value, str(e)) from None
    if s.database == "managed":
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
