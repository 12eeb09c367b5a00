"""A promotable cross-region read replica of the RDS instance in `aws.drRegion` (`aws.dbCrossRegionReplica`).

RDS streams the source's WAL to it asynchronously: its RPO is the replication lag (seconds,
minutes under load) instead of the replicated backups' ~5 minutes; failover promotes it (`aws rds
promote-read-replica`) and the dr stack restores its own instance from it in-region
(docs/runbooks/disaster-recovery.md). Everything is created
through the DR region's provider. A cross-region replica needs the source's ARN, a KMS key of its
own region (the replicated backups' key is reused) and a DB subnet group there: without one RDS
would put it in the region's `default` group (the default VPC, public subnets). This program has
no VPC in the DR region, so the subnets come from config (`aws.dbReplicaSubnetIds`, private
subnets of the DR VPC, e.g. the dr stack's database subnets). No security group is set: RDS
attaches that VPC's default group, which admits only its own members. Single-AZ until promoted
(a standby for a standby costs double); no final snapshot (RDS refuses one of a replica: protect
and deletion protection guard it in prod); no Performance Insights, Enhanced Monitoring nor log
exports while it only replays WAL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.rds as rds

from .common import Context, tags
from .database import PORT

COMPONENT = "database-replica"


@dataclass(frozen=True)
class ReadReplicaArgs:
    ctx: Context
    """The DR region's context: its provider and region."""
    source_arn: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    """A KMS key of the DR region (the replicated backups' key)."""
    subnet_ids: tuple
    instance_class: str
    max_allocated_storage_gb: int
    engine_version: str
    auto_minor_version_upgrade: bool
    parameters: tuple


class ReadReplica(pulumi.ComponentResource):
    instance: rds.Instance

    def __init__(self, name: str, args: ReadReplicaArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:ReadReplica", name, None, opts)
        ctx = args.ctx
        ident = f"{ctx.prefix}-postgres-replica"
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        major = args.engine_version.split(".")[0]
        subnet_group = rds.SubnetGroup(ident, name=ident, subnet_ids=list(args.subnet_ids), description=f"{ident}: replica subnets in {ctx.region}", tags=tags(COMPONENT, ident), opts=o())
        # A parameter group cannot leave its region: the seed's tuning again, so a promoted replica runs like its source.
        params = rds.ParameterGroup(ident, name_prefix=f"{ident}-pg{major}-", family=f"postgres{major}", description=f"{ident}: the seed's PostgreSQL tuning",
                                    parameters=list(args.parameters), tags=tags(COMPONENT, ident), opts=o())
        self.instance = rds.Instance(
            ident,
            identifier=ident,
            replicate_source_db=args.source_arn,
            instance_class=args.instance_class,
            max_allocated_storage=args.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.key_arn,
            multi_az=False,
            db_subnet_group_name=subnet_group.name,
            publicly_accessible=False,
            port=PORT,
            parameter_group_name=params.name,
            copy_tags_to_snapshot=True,
            deletion_protection=ctx.protect,
            # RDS refuses a final snapshot of a read replica (DeleteDBInstance: "FinalDBSnapshotIdentifier
            # can not be specified when deleting a replica instance"); the source's backups hold its data.
            skip_final_snapshot=True,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            apply_immediately=False,
            performance_insights_enabled=False,
            iam_database_authentication_enabled=True,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            tags=tags(COMPONENT, ident),
            # The engine version follows the source's.
            opts=o(stateful=True, ignore_changes=["engineVersion"]),
        )
        self.register_outputs({"region": ctx.region, "arn": self.instance.arn, "address": self.instance.address})
