"""PostgreSQL Flexible Server 16: the platform's managed metadata database on Azure.

- Private access only: VNet integration through the delegated `postgres` subnet and its private
  DNS zone; no public endpoint, no firewall rule. TLS required (`require_secure_transport`).
- Zone-redundant HA in prod (the standby in another zone). After a failover Azure swaps the
  primary and standby zones: that drift is ignored (as Azure Verified Modules do), so the next
  `pulumi up` does not try to swap them back.
- Storage on Premium SSD with auto-grow; backups kept `dbBackupRetentionDays`, geo-redundant in
  prod (set at creation only); the maintenance window on the seed's Sunday 04:00 UTC.
- The seed's tuning as server configurations, written one at a time (the server accepts one
  configuration change at a time).
- The administrator password is generated (pulumi_random) and written to Key Vault with the
  login (`postgres-admin`); External Secrets brings it into `data-storage/postgres-admin`, the
  Foundation's `ManagedDatabase.admin_secret`. It never appears in a stack file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.dbforpostgresql as dbforpostgresql
import pulumi_azure_native.monitor as monitor
import pulumi_random as random

from settings.checks import memory_bytes

from .common import Context

COMPONENT = "database"
ADMIN_LOGIN = "platformadmin"
_DAY_NUMBER = {"Sunday": 0, "Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6}


def server_configurations(shared_buffers: str, effective_cache_size: str, work_mem: str, maintenance_work_mem: str, max_connections: int) -> dict[str, str]:
    """The seed's tuning in Flexible Server's units (8 KiB pages, KiB), plus TLS and slow-query logging."""
    page = lambda q: str(memory_bytes(q) // 8192)  # noqa: E731
    kib = lambda q: str(memory_bytes(q) // 1024)  # noqa: E731
    return {
        "shared_buffers": page(shared_buffers),
        "effective_cache_size": page(effective_cache_size),
        "work_mem": kib(work_mem),
        "maintenance_work_mem": kib(maintenance_work_mem),
        "max_connections": str(max_connections),
        "require_secure_transport": "on",
        "log_min_duration_statement": "1000",
        "log_lock_waits": "on",
    }


@dataclass(frozen=True)
class DatabaseArgs:
    ctx: Context
    subnet_id: pulumi.Input[str]
    private_dns_zone_id: pulumi.Input[str]
    version: str
    sku: str
    tier: str
    storage_gb: int
    high_availability: str
    zones: tuple[str, ...]
    backup_retention_days: int
    geo_redundant_backup: bool
    maintenance_day: str
    maintenance_start_hour: int
    configurations: dict[str, str]
    workspace_id: pulumi.Input[str]


class Database(pulumi.ComponentResource):
    server: dbforpostgresql.Server
    admin_password: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:Database", name, None, opts)
        ctx, rg = args.ctx, args.ctx.resource_group
        password = random.RandomPassword(f"{ctx.prefix}-postgres-admin", length=32, special=False, opts=pulumi.ResourceOptions(parent=self))
        self.admin_password = pulumi.Output.secret(password.result)
        ha: dict = {"mode": args.high_availability}
        if args.high_availability == "ZoneRedundant":
            ha["standby_availability_zone"] = args.zones[1]
        admin_password: pulumi.Output[str] = pulumi.Output.secret(password.result)
        self.server = dbforpostgresql.Server(
            f"{ctx.prefix}-postgres",
            resource_group_name=rg,
            server_name=ctx.unique_name("postgres", max_len=63, dashes=True),
            version=args.version,
            sku={"name": args.sku, "tier": args.tier},
            storage={"storage_size_gb": args.storage_gb, "auto_grow": "Enabled", "type": "Premium_LRS"},
            availability_zone=args.zones[0],
            high_availability=ha,
            backup={"backup_retention_days": args.backup_retention_days, "geo_redundant_backup": "Enabled" if args.geo_redundant_backup else "Disabled"},
            network={"delegated_subnet_resource_id": args.subnet_id, "private_dns_zone_arm_resource_id": args.private_dns_zone_id,
                     "public_network_access": "Disabled"},
            auth_config={"password_auth": "Enabled", "active_directory_auth": "Disabled"},
            administrator_login=ADMIN_LOGIN,
            administrator_login_password=admin_password,
            maintenance_window={"custom_window": "Enabled", "day_of_week": _DAY_NUMBER[args.maintenance_day],
                                "start_hour": args.maintenance_start_hour, "start_minute": 0},
            tags=ctx.tags(COMPONENT),
            opts=ctx.opts(self, stateful=True, ignore_changes=["availabilityZone", "highAvailability.standbyAvailabilityZone"]),
        )
        ctx.lock(self, f"{ctx.prefix}-postgres", self.server.id)
        previous: list[pulumi.Resource] = []
        for key, value in args.configurations.items():
            previous = [dbforpostgresql.Configuration(
                f"{ctx.prefix}-postgres-{key.replace('_', '-')}", resource_group_name=rg, server_name=self.server.name,
                configuration_name=key, value=value, source="user-override", opts=ctx.opts(self, depends_on=previous),
            )]
        self.configured = previous
        monitor.DiagnosticSetting(f"{ctx.prefix}-postgres-diagnostics", name=f"{ctx.prefix}-postgres-to-logs", resource_uri=self.server.id,
                                  workspace_id=args.workspace_id, logs=[{"category": "PostgreSQLLogs", "enabled": True}], opts=ctx.opts(self))
        self.register_outputs({"fqdn": self.server.fully_qualified_domain_name})
