"""RDS PostgreSQL: the platform's managed metadata database (the seed's `module "rds"`).

PostgreSQL 16, db.r6g.xlarge Multi-AZ in prod, gp3 100 GB autoscaling to 1000 GB, encrypted
with a customer KMS key, 30-day backups in 00:00-01:00 (the seed's full backup at 00:00), maintenance sun:04:00-sun:05:00,
deletion protection and a final snapshot in prod, Performance Insights, logs exported to log
groups created first (with a retention), never publicly accessible, reachable on 5432 only from
the EKS cluster security group (nodes and pods). The master password is generated and rotated
by RDS in Secrets Manager (`manage_master_user_password`): no password in state or stack files.

The parameter group carries the seed's tuning ("Ajustement Performance"). RDS takes memory
parameters in the server's units, not with suffixes: shared_buffers and effective_cache_size in
8 KiB pages, work_mem and maintenance_work_mem in KiB. `postgres_parameters` does the conversion
(the seed's 4GB shared_buffers = 524288 pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.rds as rds
import pulumi_aws.vpc as vpc_mod

from settings.checks import memory_bytes

from .common import Context, service_trust, tags
from .keys import kms_key
from .log_groups import log_group

COMPONENT = "database"
PORT = 5432
LOG_EXPORTS = ("postgresql", "upgrade")
MASTER_USERNAME = "platform_admin"


def postgres_parameters(shared_buffers: str, effective_cache_size: str, work_mem: str, maintenance_work_mem: str, max_connections: int) -> list[dict]:
    """The seed's tuning as RDS parameters (name, value in server units, apply method)."""
    page = lambda q: str(memory_bytes(q) // 8192)  # noqa: E731  8 KiB pages
    kib = lambda q: str(memory_bytes(q) // 1024)  # noqa: E731
    return [
        # Static parameters: applied at the next reboot (RDS refuses "immediate" for them).
        {"name": "shared_buffers", "value": page(shared_buffers), "apply_method": "pending-reboot"},
        {"name": "max_connections", "value": str(max_connections), "apply_method": "pending-reboot"},
        {"name": "effective_cache_size", "value": page(effective_cache_size), "apply_method": "immediate"},
        {"name": "work_mem", "value": kib(work_mem), "apply_method": "immediate"},
        {"name": "maintenance_work_mem", "value": kib(maintenance_work_mem), "apply_method": "immediate"},
        # TLS only, and enough logging to diagnose slow queries and lock waits.
        {"name": "rds.force_ssl", "value": "1", "apply_method": "immediate"},
        {"name": "log_min_duration_statement", "value": "1000", "apply_method": "immediate"},
        {"name": "log_lock_waits", "value": "1", "apply_method": "immediate"},
        {"name": "log_temp_files", "value": "0", "apply_method": "immediate"},
    ]


@dataclass(frozen=True)
class DatabaseArgs:
    ctx: Context
    vpc_id: pulumi.Input[str]
    subnet_ids: list
    allowed_security_group_id: pulumi.Input[str]
    """The EKS cluster security group (on every managed node, hence every pod)."""
    engine_version: str
    auto_minor_version_upgrade: bool
    """RDS upgrades the minor in the maintenance window; `engineVersion` drift is then ignored
    (otherwise the next `pulumi up` would try to downgrade and fail)."""
    instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    multi_az: bool
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    final_snapshot: bool
    performance_insights_retention_days: int
    monitoring_interval: int
    """Enhanced Monitoring (OS metrics) every N seconds; 0 = off."""
    parameters: tuple
    log_retention_days: int
    identifier: Optional[str]
    """The instance identifier; None: `<stack>-postgres`."""
    restore_source: Optional[str]
    """Create the instance by point-in-time restore from this instance identifier or these
    replicated automated backups (an `...:auto-backup:...` ARN); None: a new empty instance."""
    restore_time: Optional[str]
    """UTC RFC 3339; None: the source's latest restorable time."""


def restore_to_point_in_time(source: Optional[str], time: Optional[str]) -> Optional[dict]:
    """The instance's `restore_to_point_in_time` block (create-only), or None."""
    if not source:
        return None
    out: dict = ({"source_db_instance_automated_backups_arn": source} if source.startswith("arn:")
                 else {"source_db_instance_identifier": source})
    return {**out, **({"restore_time": time} if time else {"use_latest_restorable_time": True})}


class Database(pulumi.ComponentResource):
    instance: rds.Instance
    master_secret_arn: pulumi.Output[str]

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:Database", name, None, opts)
        ctx = args.ctx
        ident = f"{ctx.prefix}-postgres"
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        major = args.engine_version.split(".")[0]

        self.key = kms_key(ctx, self, "rds", f"{ident}: storage, Performance Insights and master secret", COMPONENT)
        subnet_group = rds.SubnetGroup(ident, name=ident, subnet_ids=args.subnet_ids, description=f"{ident}: database subnets", tags=tags(COMPONENT, ident), opts=o())
        self.security_group = ec2.SecurityGroup(ident, vpc_id=args.vpc_id, description=f"{ident}: PostgreSQL from the EKS cluster only", tags=tags(COMPONENT, ident), opts=o())
        vpc_mod.SecurityGroupIngressRule(
            f"{ident}-from-eks",
            security_group_id=self.security_group.id,
            referenced_security_group_id=args.allowed_security_group_id,
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            description="PostgreSQL from EKS nodes and pods",
            opts=o(),
        )
        params = rds.ParameterGroup(
            ident,
            name_prefix=f"{ident}-pg{major}-",
            family=f"postgres{major}",
            description=f"{ident}: the seed's PostgreSQL tuning",
            parameters=list(args.parameters),
            tags=tags(COMPONENT, ident),
            opts=o(),
        )
        identifier = args.identifier or ident
        restore = restore_to_point_in_time(args.restore_source, args.restore_time)
        log_groups = [
            log_group(ctx, self, f"{ident}-{kind}", f"/aws/rds/instance/{identifier}/{kind}", args.log_retention_days, COMPONENT)
            for kind in LOG_EXPORTS
        ]
        monitoring = {}
        if args.monitoring_interval:
            mon_role = iam.Role(f"{ident}-monitoring", assume_role_policy=service_trust("monitoring.rds.amazonaws.com"), tags=tags(COMPONENT, f"{ident}-monitoring"), opts=o())
            iam.RolePolicyAttachment(
                f"{ident}-monitoring", role=mon_role.name, policy_arn=f"arn:{ctx.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", opts=o()
            )
            monitoring = {"monitoring_interval": args.monitoring_interval, "monitoring_role_arn": mon_role.arn}
        self.instance = rds.Instance(
            ident,
            identifier=identifier,
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            max_allocated_storage=args.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            multi_az=args.multi_az,
            db_subnet_group_name=subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            port=PORT,
            # A restore inherits the source's master user; naming it again would be a diff.
            username=None if restore else MASTER_USERNAME,
            restore_to_point_in_time=restore,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.arn,
            parameter_group_name=params.name,
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            maintenance_window=args.maintenance_window,
            copy_tags_to_snapshot=True,
            delete_automated_backups=not ctx.protect,
            deletion_protection=ctx.protect,
            skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=f"{identifier}-final" if args.final_snapshot else None,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            allow_major_version_upgrade=False,
            apply_immediately=False,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=self.key.arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            iam_database_authentication_enabled=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            **monitoring,
            tags=tags(COMPONENT, ident),
            opts=o(stateful=True, depends_on=log_groups, ignore_changes=["engineVersion"] if args.auto_minor_version_upgrade else None),
        )
        self.master_secret_arn = self.instance.master_user_secrets.apply(lambda s: s[0].secret_arn)
        self.register_outputs({"address": self.instance.address, "port": PORT, "masterSecretArn": self.master_secret_arn, "engineVersion": args.engine_version})
