"""Cloud SQL for PostgreSQL 16: the platform's managed metadata database.

REGIONAL (a synchronous standby in another zone, automatic failover) in prod, private IP only in
the VPC (private services access) with TLS required (`ssl_mode: ENCRYPTED_ONLY`), the edition
set explicitly with a tier it accepts (PostgreSQL 16 defaults to ENTERPRISE_PLUS, which refuses
`db-custom-*`), SSD 100 GB growing to 1000 GB, 30 daily backups from 03:00 with point-in-time
recovery, maintenance Sunday 04:00, the seed's tuning and slow-query/lock logging as database
flags, Query Insights, and in prod deletion protection at both the Pulumi and the API level
(`deletion_protection_enabled`, which stops every client) plus a final backup.

The admin password is generated (pulumi_random, secret in state) and written to Secret Manager;
External Secrets syncs it into `data-storage/postgres-admin` (cluster_services.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.sql as sql
import pulumi_random as random

from settings.checks import memory_bytes

from .common import Context, labels

COMPONENT = "database"
PORT = 5432
ADMIN_USERNAME = "platform_admin"
_ISO_DAY = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}


def database_flags(shared_buffers: str, effective_cache_size: str, work_mem: str, maintenance_work_mem: str, max_connections: int) -> list[dict]:
    """The seed's tuning as Cloud SQL flags (server units: 8 KiB pages, KiB) plus the logging flags."""
    page = lambda q: str(memory_bytes(q) // 8192)  # noqa: E731
    kib = lambda q: str(memory_bytes(q) // 1024)  # noqa: E731
    return [
        {"name": "shared_buffers", "value": page(shared_buffers)},
        {"name": "effective_cache_size", "value": page(effective_cache_size)},
        {"name": "work_mem", "value": kib(work_mem)},
        {"name": "maintenance_work_mem", "value": kib(maintenance_work_mem)},
        {"name": "max_connections", "value": str(max_connections)},
        {"name": "log_min_duration_statement", "value": "1000"},
        {"name": "log_lock_waits", "value": "on"},
        {"name": "log_temp_files", "value": "0"},
        {"name": "log_checkpoints", "value": "on"},
        {"name": "log_connections", "value": "on"},
        {"name": "log_disconnections", "value": "on"},
    ]


@dataclass(frozen=True)
class DatabaseArgs:
    ctx: Context
    network: pulumi.Input[str]
    private_services: pulumi.Resource
    edition: str
    tier: str
    availability: str
    disk_size_gb: int
    disk_autoresize_limit_gb: int
    retained_backups: int
    point_in_time_recovery: bool
    transaction_log_retention_days: int
    backup_start: str
    maintenance_day: str
    maintenance_hour: int
    flags: tuple


class Database(pulumi.ComponentResource):
    instance: sql.DatabaseInstance
    password: random.RandomPassword

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:Database", name, None, opts)
        ctx = args.ctx
        ident = f"{ctx.prefix}-postgres"
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        self.instance = sql.DatabaseInstance(
            ident,
            name=ident,
            region=ctx.region,
            database_version="POSTGRES_16",
            deletion_protection=ctx.protect,
            settings={
                "edition": args.edition,
                "tier": args.tier,
                "availability_type": args.availability,
                "disk_type": "PD_SSD",
                "disk_size": args.disk_size_gb,
                "disk_autoresize": True,
                "disk_autoresize_limit": args.disk_autoresize_limit_gb,
                "deletion_protection_enabled": ctx.protect,
                "retain_backups_on_delete": ctx.protect,
                "final_backup_config": {"enabled": ctx.protect, "retention_days": 30} if ctx.protect else None,
                "ip_configuration": {"ipv4_enabled": False, "private_network": args.network, "ssl_mode": "ENCRYPTED_ONLY", "enable_private_path_for_google_cloud_services": True},
                "backup_configuration": {
                    "enabled": True,
                    "start_time": args.backup_start,
                    "point_in_time_recovery_enabled": args.point_in_time_recovery,
                    "transaction_log_retention_days": args.transaction_log_retention_days,
                    "backup_retention_settings": {"retained_backups": args.retained_backups, "retention_unit": "COUNT"},
                },
                "maintenance_window": {"day": _ISO_DAY[args.maintenance_day], "hour": args.maintenance_hour, "update_track": "stable"},
                "database_flags": list(args.flags),
                "insights_config": {"query_insights_enabled": True, "query_string_length": 1024, "record_application_tags": True, "record_client_address": False},
                "user_labels": labels(COMPONENT),
            },
            # The peering must exist before an instance can take a private IP.
            opts=o(stateful=True, depends_on=[args.private_services]),
        )
        self.password = random.RandomPassword(f"{ident}-admin", length=32, special=False, opts=pulumi.ResourceOptions(parent=self))
        self.user = sql.User(f"{ident}-admin", name=ADMIN_USERNAME, instance=self.instance.name, password=self.password.result,
                             deletion_policy="ABANDON", opts=o())
        self.host = self.instance.private_ip_address
        self.register_outputs({"instance": self.instance.name, "connectionName": self.instance.connection_name, "privateIp": self.host})
