"""Settings section `data-platform:backups`: the recovery targets every backup is checked against.

Defaults are the seed's "Objectifs RTO/RPO" table (settings/environments.py): dev 24h/24h,
staging 4h/4h, prod 1h/15m, and dr as prod. settings/recovery.py refuses a configuration whose
worst-case data loss is longer than `rpo`.

Every backup schedule is a five-field cron in `timeZone` (Etc/UTC by default). CloudNativePG's
ScheduledBackup has no time-zone field (it schedules in the operator's UTC, cloudnative-pg
issue #9382) and neither has Elasticsearch's SLM: their daily schedules are moved to UTC at the
zone's standard time (settings/cron.py `utc_schedule`). RDS backup windows stay in UTC
(aws.dbBackupWindow says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import checks
from ..cron import CronError, quartz_fields, utc_schedule
from ..environments import PROFILES
from ..errors import MISSING
from ..schema import CrossFieldInvalid, Section, from_env, per_env, setting


@dataclass(frozen=True)
class BackupSettings(Section):
    KEY = "backups"
    POSITION = 11
    DOC = "Recovery objectives (RPO/RTO) the backup configuration is checked against"

    time_zone: str = setting(checks.time_zone, "IANA time zone every backup schedule is written in (default Etc/UTC): Kubernetes CronJobs (spec.timeZone), Velero (CRON_TZ=), AWS Backup (ScheduleExpressionTimezone). CloudNativePG's ScheduledBackup and Elasticsearch's SLM only know UTC: their daily schedules are moved to UTC at the zone's standard time, so under daylight saving time they run an hour later on the wall clock (docs/backups.md).", default="Etc/UTC")
    rpo: str = setting(checks.duration, "Recovery point objective: the most data (in time) a failure may lose; the settings refuse a configuration whose worst case is longer (seed: 24h/4h/15m).", default=from_env(lambda env: PROFILES[env].rpo))
    rto: str = setting(checks.duration, "Recovery time objective: how long a restore may take (seed: 24h/4h/1h); the runbooks (docs/runbooks/) are written to it.", default=from_env(lambda env: PROFILES[env].rto))
    object_store_schedule: str = setting(checks.cron, "Object storage snapshot (seed: daily at 01:00 UTC): the AWS Backup plan of the S3 buckets, copied to aws.drRegion when set.", default="0 1 * * *")
    object_store_retention_days: int = setting(checks.integer(1, 36500), "Days each object-storage recovery point (and its DR copy) is kept.", default=per_env(dev=7, staging=14, prod=35))
    config_schedule: str = setting(checks.cron, "Configuration/metadata backup (seed: daily at 02:00 UTC): the Velero Schedule of the platform's namespaces (Kubernetes objects; EBS snapshots of their volumes on AWS) and Dremio's catalog backup CronJob.", default="0 2 * * *")
    config_retention_days: int = setting(checks.integer(1, 3650), "Days each configuration/metadata backup is kept (the Velero backup TTL).", default=per_env(dev=7, staging=14, prod=30))
    velero: bool = setting(checks.boolean, "Install Velero (its own namespace, bucket and least-privilege identity) and schedule the configuration backup.", default=True)
    elasticsearch_snapshots: bool = setting(checks.boolean, "Snapshot Elasticsearch at configSchedule (its snapshot lifecycle policy, in UTC: see timeZone) into its own bucket (`es-backups`), kept configRetentionDays, with its own least-privilege identity (a MinIO user through ECK's secure settings; IRSA on AWS; Workload Identity on GCP; on Azure the key of a storage account of its own, container `es-backups`, through ECK's secure settings).", default=True)
    mirror_endpoint: Optional[str] = setting(checks.optional(checks.text(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?/?", "an http(s) URL of an S3-compatible endpoint such as https://s3.eu-central-1.amazonaws.com or http://minio.dr.example.com:9000")), "MinIO only: mirror the lake buckets (bronze, silver, gold) daily at objectStoreSchedule to this S3-compatible endpoint (another MinIO, S3, ...), with mc mirror (new and changed objects; deletes are not propagated). Unset: no mirror.", default=None)
    mirror_bucket: Optional[str] = setting(checks.optional(checks.text(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9._-]+)*/?", "a bucket name, optionally with a prefix: dr-lake or dr-lake/prod")), "Target bucket (and optional prefix) of the mirror: each lake bucket goes to <bucket>/<prefix>/<lake bucket>.", default=None)
    mirror_credentials_secret: Optional[str] = setting(checks.optional(checks.k8s_name), "Secret in data-storage with keys accessKey and secretKey of the target (create it yourself: never in the stack file). The mirror writes there only.", default=None)
    mirror_cidrs: tuple[str, ...] = setting(checks.cidr_list, "Address blocks of the mirror target: its NetworkPolicy egress (on the endpoint's port) goes there only. Empty: any address outside the cluster's pod and Service ranges, on that port.", default=())
    standby: bool = setting(checks.boolean, "dr only: stand by. The cloud foundation runs (network, cluster at its node minimum, keys, buckets, vaults); no database and no platform workloads until failover, which sets this false together with aws.dbRestoreSource (docs/runbooks/disaster-recovery.md).", default=False)
    vault_lock: bool = setting(checks.boolean, "Lock the AWS Backup vaults (governance mode: recovery points cannot be deleted before objectStoreRetentionDays except by an IAM principal allowed to bypass governance). Default: on in prod and dr.", default=per_env(dev=False, staging=False, prod=True))

    def cross_check(self) -> None:
        if self.mirror_endpoint:
            for name, value in (("mirrorBucket", self.mirror_bucket), ("mirrorCredentialsSecret", self.mirror_credentials_secret)):
                if not value:
                    raise CrossFieldInvalid(name, MISSING, f"set with mirrorEndpoint ({self.mirror_endpoint}): the mirror needs a target bucket and the name of its credentials Secret")
        elif self.mirror_bucket or self.mirror_credentials_secret or self.mirror_cidrs:
            raise CrossFieldInvalid("mirrorEndpoint", MISSING, "an http(s) URL: mirrorBucket, mirrorCredentialsSecret and mirrorCidrs only apply to a mirror")
        if self.elasticsearch_snapshots:
            try:
                quartz_fields(utc_schedule(self.config_schedule, self.time_zone))  # Elasticsearch's SLM cron (UTC only)
            except CronError as e:
                raise CrossFieldInvalid("configSchedule", self.config_schedule, f"{e} (Elasticsearch's snapshot lifecycle policy runs on it)") from None
