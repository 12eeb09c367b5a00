"""Settings section `data-platform:backups`: the recovery targets every backup is checked against.

Defaults are the seed's "Objectifs RTO/RPO" table (settings/environments.py): dev 24h/24h,
staging 4h/4h, prod 1h/15m, and dr as prod. settings/recovery.py refuses a configuration whose
worst-case data loss is longer than `rpo`.

Every backup schedule in the platform is a five-field cron in UTC: CloudNativePG's
ScheduledBackup has no time-zone field (it schedules in the operator's UTC, cloudnative-pg
issue #9382) and RDS backup windows are UTC, so a local time is written as its UTC cron.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..cron import CronError, quartz_fields
from ..environments import PROFILES, by_env
from ..schema import CrossFieldInvalid, Section, setting


@dataclass(frozen=True)
class BackupSettings(Section):
    KEY = "backups"
    DOC = "Recovery objectives (RPO/RTO) the backup configuration is checked against"

    rpo: str = setting(checks.duration, "Recovery point objective: the most data (in time) a failure may lose; the settings refuse a configuration whose worst case is longer (seed: 24h/4h/15m).")
    rto: str = setting(checks.duration, "Recovery time objective: how long a restore may take (seed: 24h/4h/1h); the runbooks (docs/runbooks/) are written to it.")
    object_store_schedule: str = setting(checks.cron, "Object storage snapshot (seed: daily at 01:00 UTC): the AWS Backup plan of the S3 buckets, copied to aws.drRegion when set.")
    object_store_retention_days: int = setting(checks.integer(1, 36500), "Days each object-storage recovery point (and its DR copy) is kept.")
    config_schedule: str = setting(checks.cron, "Configuration/metadata backup (seed: daily at 02:00 UTC): the Velero Schedule of the platform's namespaces (Kubernetes objects; EBS snapshots of their volumes on AWS) and Dremio's catalog backup CronJob.")
    config_retention_days: int = setting(checks.integer(1, 3650), "Days each configuration/metadata backup is kept (the Velero backup TTL).")
    velero: bool = setting(checks.boolean, "Install Velero (its own namespace, bucket and least-privilege identity) and schedule the configuration backup.")
    elasticsearch_snapshots: bool = setting(checks.boolean, "Snapshot Elasticsearch at configSchedule (its snapshot lifecycle policy, UTC) into its own bucket (`elasticsearch`), kept configRetentionDays, with its own least-privilege identity (a MinIO user through ECK's secure settings; IRSA on AWS).")
    standby: bool = setting(checks.boolean, "dr only: stand by. The cloud foundation runs (network, cluster at its node minimum, keys, buckets, vaults); no database and no platform workloads until failover, which sets this false together with aws.dbRestoreSource (docs/runbooks/disaster-recovery.md).")
    vault_lock: bool = setting(checks.boolean, "Lock the AWS Backup vaults (governance mode: recovery points cannot be deleted before objectStoreRetentionDays except by an IAM principal allowed to bypass governance). Default: on in prod and dr.")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {
            "rpo": PROFILES[env].rpo, "rto": PROFILES[env].rto,
            "object_store_schedule": "0 1 * * *",
            "object_store_retention_days": by_env(env, dev=7, staging=14, prod=35),
            "config_schedule": "0 2 * * *",
            "config_retention_days": by_env(env, dev=7, staging=14, prod=30),
            "velero": True,
            "elasticsearch_snapshots": True,
            "vault_lock": by_env(env, dev=False, staging=False, prod=True),
            "standby": False,
        }

    def cross_check(self) -> None:
        if self.elasticsearch_snapshots:
            try:
                quartz_fields(self.config_schedule)  # Elasticsearch's SLM cron
            except CronError as e:
                raise CrossFieldInvalid("configSchedule", self.config_schedule, f"{e} (Elasticsearch's snapshot lifecycle policy runs on it)") from None
