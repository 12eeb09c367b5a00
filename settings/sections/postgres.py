"""Settings section `data-platform:postgres`: PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database).

Prod defaults are the seed's database node (4 CPU, 16 GB: the memory its tuning
`shared_buffers 4GB` / `effective_cache_size 12GB` is written for); smaller environments get
smaller nodes and the tuning is scaled down from memory (components/data_services/pg_tuning.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting

# A CloudNativePG "standard" image (Debian trixie): backups run in the Barman Cloud plugin's
# sidecar, so the operand needs no barman-cloud; "standard" keeps the locales and extensions of
# the deprecated "system" images (cloudnative-pg/postgres-containers README, "Image types").
DEFAULT_IMAGE = "ghcr.io/cloudnative-pg/postgresql:16.10-standard-trixie"
_TIMESTAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def _utc_timestamp(value: Any) -> str:
    """An RFC 3339 UTC instant such as 2026-12-01T10:14:00Z that exists in the calendar."""
    import datetime as dt

    value = checks.text(_TIMESTAMP, "a UTC time such as 2026-12-01T10:14:00Z")(value)
    try:
        dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        raise checks.Invalid("a UTC time such as 2026-12-01T10:14:00Z (a real date and time)") from None
    return value


@dataclass(frozen=True)
class PostgresSettings(Section):
    KEY = "postgres"
    POSITION = 0
    DOC = "PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database)"

    instances: int = setting(checks.integer(1, 9), "PostgreSQL instances: 1 primary + (instances-1) streaming replicas (seed: primary + 2 in prod).", default=per_env(dev=1, staging=2, prod=3))
    synchronous_replicas: int = setting(checks.integer(0, 8), "Standbys that must confirm each commit (seed: synchronous_commit = on in prod). 0: asynchronous.", default=per_env(dev=0, staging=0, prod=1))
    image: str = setting(checks.image, "PostgreSQL operand image (a CloudNativePG minimal or standard image: backups run in the Barman Cloud plugin's sidecar).", default=DEFAULT_IMAGE)
    cpu: str = setting(checks.cpu, "CPU request and limit of each instance (equal: Guaranteed QoS, as CloudNativePG recommends).", default=per_env(dev="500m", staging="2", prod="4"))
    memory: str = setting(checks.memory, "Memory request and limit of each instance; the PostgreSQL tuning is derived from it.", default=per_env(dev="512Mi", staging="4Gi", prod="16Gi"))
    storage_size: str = setting(checks.memory, "Data volume of each instance (fast-ssd role).", default=per_env(dev="10Gi", staging="50Gi", prod="100Gi"))
    wal_storage_size: str = setting(checks.memory, "Separate WAL volume of each instance (fast-ssd role).", default=per_env(dev="2Gi", staging="10Gi", prod="20Gi"))
    max_connections: int = setting(checks.integer(20, 5000), "PostgreSQL max_connections (seed: 200).", default=per_env(dev=100, staging=200, prod=200))
    pooler_instances: int = setting(checks.integer(1, 10), "PgBouncer pods in front of the primary.", default=per_env(dev=1, staging=2, prod=3))
    pool_mode: str = setting(checks.one_of("session", "transaction"), "PgBouncer pool mode. session: safe for Airbyte/Temporal/Superset (prepared statements, advisory locks).", default="session")
    max_client_conn: int = setting(checks.integer(10, 100000), "PgBouncer max_client_conn (seed: 1000).", default=1000)
    default_pool_size: int = setting(checks.integer(1, 1000), "PgBouncer default_pool_size (seed: 25).", default=25)
    backup_schedule: str = setting(checks.cron, "Full (base) backup schedule, five-field cron in UTC (seed: daily at 00:00). The seed's 06:00/12:00/18:00 incrementals are continuous WAL archiving (see archiveTimeout).", default="0 0 * * *")
    archive_timeout: str = setting(checks.duration, "PostgreSQL archive_timeout: a WAL segment is switched and archived at least this often, so it bounds the data a lost cluster loses; at most backups.rpo.", default="5m")
    backup_retention: str = setting(checks.text(r"[1-9]\d{0,3}[dwm]", "a retention such as 7d, 4w or 3m"), "How long base backups and WAL are kept in the object store (seed RPO/RTO table).", default=per_env(dev="7d", staging="14d", prod="30d"))
    server_name: str = setting(checks.k8s_name, "Folder of the backups store this cluster archives WAL and base backups under; a restored cluster needs a new one (barman refuses to archive into a used folder).", default="postgres")
    restore_from: Optional[str] = setting(checks.optional(checks.k8s_name), "Restore: bootstrap the cluster from the backups written under this serverName (e.g. postgres) instead of an empty initdb. Changing it replaces the cluster (docs/runbooks/postgres.md).", default=None)
    restore_target_time: Optional[str] = setting(checks.optional(_utc_timestamp), "Restore: the point in time (UTC, RFC 3339) to replay WAL up to. Empty: to the end of the archive.", default=None)
    anti_affinity: str = setting(checks.one_of("preferred", "required"), "Spread instances over nodes: required in prod (a single-node cluster then needs 'preferred').", default=per_env(dev="preferred", staging="preferred", prod="required"))

    def cross_check(self) -> None:
        if self.restore_from and self.restore_from == self.server_name:
            raise CrossFieldInvalid("serverName", self.server_name,
                                    f"a new folder name such as {self.restore_from}-2: the restored cluster cannot archive over the backups it restores from")
        if self.restore_target_time and not self.restore_from:
            raise CrossFieldInvalid("restoreTargetTime", self.restore_target_time, "empty unless restoreFrom names the backups to restore")
        if self.synchronous_replicas > self.instances - 1:
            raise CrossFieldInvalid(
                "synchronousReplicas", self.synchronous_replicas,
                f"at most instances - 1 = {self.instances - 1} (a synchronous standby needs a replica to exist)",
            )
