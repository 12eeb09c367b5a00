"""Settings section `data-platform:postgres`: PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database).

Prod defaults are the seed's database node (4 CPU, 16 GB: the memory its tuning
`shared_buffers 4GB` / `effective_cache_size 12GB` is written for); smaller environments get
smaller nodes and the tuning is scaled down from memory (components/data_services/pg_tuning.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..environments import by_env
from ..schema import CrossFieldInvalid, Section, setting

# CloudNativePG "system" images: they ship barman-cloud, which in-tree WAL archiving needs.
DEFAULT_IMAGE = "ghcr.io/cloudnative-pg/postgresql:16.10"


@dataclass(frozen=True)
class PostgresSettings(Section):
    KEY = "postgres"
    DOC = "PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database)"

    instances: int = setting(checks.integer(1, 9), "PostgreSQL instances: 1 primary + (instances-1) streaming replicas (seed: primary + 2 in prod).")
    synchronous_replicas: int = setting(checks.integer(0, 8), "Standbys that must confirm each commit (seed: synchronous_commit = on in prod). 0: asynchronous.")
    image: str = setting(checks.image, "PostgreSQL operand image (a CloudNativePG image with barman-cloud, for WAL archiving).")
    cpu: str = setting(checks.cpu, "CPU request and limit of each instance (equal: Guaranteed QoS, as CloudNativePG recommends).")
    memory: str = setting(checks.memory, "Memory request and limit of each instance; the PostgreSQL tuning is derived from it.")
    storage_size: str = setting(checks.memory, "Data volume of each instance (fast-ssd role).")
    wal_storage_size: str = setting(checks.memory, "Separate WAL volume of each instance (fast-ssd role).")
    max_connections: int = setting(checks.integer(20, 5000), "PostgreSQL max_connections (seed: 200).")
    pooler_instances: int = setting(checks.integer(1, 10), "PgBouncer pods in front of the primary.")
    pool_mode: str = setting(checks.one_of("session", "transaction"), "PgBouncer pool mode. session: safe for Airbyte/Temporal/Superset (prepared statements, advisory locks).")
    max_client_conn: int = setting(checks.integer(10, 100000), "PgBouncer max_client_conn (seed: 1000).")
    default_pool_size: int = setting(checks.integer(1, 1000), "PgBouncer default_pool_size (seed: 25).")
    backup_schedule: str = setting(checks.cron, "Full backup schedule, five-field cron in UTC (seed: daily at 00:00). WAL is archived continuously.")
    backup_retention: str = setting(checks.text(r"[1-9]\d{0,3}[dwm]", "a retention such as 7d, 4w or 3m"), "How long base backups and WAL are kept in the object store (seed RPO/RTO table).")
    anti_affinity: str = setting(checks.one_of("preferred", "required"), "Spread instances over nodes: required in prod (a single-node cluster then needs 'preferred').")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {
            "instances": by_env(env, dev=1, staging=2, prod=3),
            "synchronous_replicas": by_env(env, dev=0, staging=0, prod=1),
            "image": DEFAULT_IMAGE,
            "cpu": by_env(env, dev="500m", staging="2", prod="4"),
            "memory": by_env(env, dev="512Mi", staging="4Gi", prod="16Gi"),
            "storage_size": by_env(env, dev="10Gi", staging="50Gi", prod="100Gi"),
            "wal_storage_size": by_env(env, dev="2Gi", staging="10Gi", prod="20Gi"),
            "max_connections": by_env(env, dev=100, staging=200, prod=200),
            "pooler_instances": by_env(env, dev=1, staging=2, prod=3),
            "pool_mode": "session",
            "max_client_conn": 1000,
            "default_pool_size": 25,
            "backup_schedule": "0 0 * * *",
            "backup_retention": by_env(env, dev="7d", staging="14d", prod="30d"),
            "anti_affinity": by_env(env, dev="preferred", staging="preferred", prod="required"),
        }

    def cross_check(self) -> None:
        if self.synchronous_replicas > self.instances - 1:
            raise CrossFieldInvalid(
                "synchronousReplicas", self.synchronous_replicas,
                f"at most instances - 1 = {self.instances - 1} (a synchronous standby needs a replica to exist)",
            )
