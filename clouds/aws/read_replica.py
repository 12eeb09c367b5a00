"""A promotable cross-region read replica of the RDS instance in `aws.drRegion` (`aws.dbCrossRegionReplica`).

RDS streams the source's WAL to it asynchronously: its RPO is the replication lag (seconds,
minutes under load) instead of the replicated backups' ~5 minutes; failover promotes it (`aws rds
promote-read-replica`) and the dr stack restores its own instance from it in-region
(docs/runbooks/disaster-recovery.md). Everything is created
through the DR region's provider. A cross-region replica needs the source's ARN, a KMS key of its
own region (the replicated backups' key is reused) and a DB subnet group there: without one RDS
would put it in the region's `default` group (the default VPC, public subnets). This program has
no VPC in the DR region, so the subnets come from config (`aws.dbReplicaSubnetIds`, private
subnets of the DR VPC, e.g. the dr stack's database subnets). Its own security group in that VPC
(looked up from the subnets, `aws:ec2/getSubnet` and `getVpc`): PostgreSQL (5432) in from the
VPC's CIDR or `aws.dbReplicaAllowedCidrs`, no egress rule (RDS needs none for replication: the
stream is RDS's own; the provider removes the default allow-all egress of a new group), never the
VPC's default group. Single-AZ until promoted
(a standby for a standby costs double); no final snapshot (RDS refuses one of a replica: protect
and deletion protection guard it in prod); no Performance Insights, Enhanced Monitoring nor log
exports while it only replays WAL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.rds as rds
import pulumi_aws.vpc as vpc_mod

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
    allowed_cidrs: tuple = ()
    """Who may connect on 5432; empty: the CIDR of the subnets' VPC."""
    stack_file: str = "Pulumi.<stack>.yaml"


def replica_vpc(subnet_ids: tuple, invoke: pulumi.InvokeOptions, stack_file: str) -> tuple[str, str]:
    """The one VPC the replica's subnets belong to, and its CIDR (one-line errors on a bad subnet list)."""
    key = f"{stack_file}: data-platform:aws.dbReplicaSubnetIds = {list(subnet_ids)!r} is not valid"
    try:
        vpcs = {ec2.get_subnet(id=sid, opts=invoke).vpc_id for sid in subnet_ids}
    except Exception as e:  # InvalidSubnetID.NotFound from the provider
        raise pulumi.RunError(f"{key}: subnets of the DR region ({str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__})") from None
    if len(vpcs) != 1:
        raise pulumi.RunError(f"{key}: subnets of one VPC (they are in {', '.join(sorted(map(str, vpcs)))})")
    (vpc_id,) = vpcs
    return vpc_id, ec2.get_vpc(id=vpc_id, opts=invoke).cidr_block


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
        vpc_id, vpc_cidr = replica_vpc(args.subnet_ids, pulumi.InvokeOptions(provider=ctx.provider), args.stack_file)
        self.security_group = ec2.SecurityGroup(ident, vpc_id=vpc_id, description=f"{ident}: PostgreSQL from {vpc_id} only (no egress)",
                                                tags=tags(COMPONENT, ident), opts=o())
        for i, cidr in enumerate(args.allowed_cidrs or (vpc_cidr,)):
            vpc_mod.SecurityGroupIngressRule(f"{ident}-in-{i}", security_group_id=self.security_group.id, cidr_ipv4=cidr, ip_protocol="tcp",
                                             from_port=PORT, to_port=PORT, description=f"PostgreSQL from {cidr}", opts=o())
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
            vpc_security_group_ids=[self.security_group.id],
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
