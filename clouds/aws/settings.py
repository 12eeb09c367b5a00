"""Settings section `data-platform:aws`: the AWS foundation (VPC, EKS, RDS, S3, ECR, load balancing).

It lives with the cloud, next to the pure planners it checks with (subnets.py), and is handed to
`settings.load` by the composition root (`clouds.registry()`): settings/ never imports clouds/.

Region-independent settings only: the region is the provider's own `aws:region` key, and the
EKS version is the project-wide `kubernetesVersion`. Defaults follow the seed's "Architecture
AWS" (prod: m5.2xlarge 3/10/5, db.r6g.xlarge Multi-AZ 100->1000 GB, 30-day backups) and
terraform-aws-modules' secure defaults (private API endpoint, encryption, IMDSv2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional  # noqa: UP035 (a cloud settings module imports only settings and a few stdlib modules)

from settings import checks, windows
from settings.errors import MISSING
from settings.schema import CrossFieldInvalid, FrontTls, Section, per_env, setting

from . import recovery
from .names import REPLICATED_STACK_NAME_MAX, STACK_NAME_MAX
from .subnets import SubnetPlanError, plan_subnets

if TYPE_CHECKING:
    from settings import Settings
    from settings.recovery import NativeCopy, RecoveryPoint

_INSTANCE_TYPE = r"[a-z][a-z0-9-]*\.[a-z0-9]+"
_DB_CLASS = r"db\.[a-z][a-z0-9-]*\.[a-z0-9]+"
_IAM_ARN = r"arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+"
_ACM_ARN = r"arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
"""What RDS Enhanced Monitoring accepts, in seconds (0: off)."""
PERFORMANCE_INSIGHTS_RETENTION_DAYS = (7, *(31 * m for m in range(1, 24)), 731)
_AUTO_BACKUP_ARN = r"arn:aws[a-z-]*:rds:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:auto-backup:ab-[a-z0-9]+"
_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


def aws_stack_name(stack: str) -> str:
    """A stack name every AWS name derived from it accepts: S3 buckets (lower case, digits,
    hyphens), the RDS identifier `<stack>-postgres` (a letter first, no `--`, no trailing hyphen)."""
    if len(stack) > STACK_NAME_MAX or not re.fullmatch(r"[a-z]([a-z0-9]|-(?!-))*", stack) or stack.endswith("-"):
        raise checks.Invalid(
            f"on the aws cloud, at most {STACK_NAME_MAX} characters a-z, 0-9 and single hyphens, starting with a letter: "
            "it names the S3 buckets (data-platform-<stack>-access-logs-<account>, at most 63), the RDS instance and the EKS node group"
        )
    return stack


def _vpc_cidr(value: Any) -> str:
    value = checks.cidr(value)
    try:
        plan_subnets(value, 1)
    except SubnetPlanError as e:
        raise checks.Invalid(str(e)) from None
    return value


def _retention(value: Any) -> int:
    value = checks.integer(1, 3653)(value)
    if value not in _RETENTION_DAYS:
        raise checks.Invalid("a CloudWatch Logs retention: one of " + ", ".join(map(str, _RETENTION_DAYS)))
    return value


def _performance_insights_retention(value: Any) -> int:
    value = checks.integer(7, 731)(value)
    if value not in PERFORMANCE_INSIGHTS_RETENTION_DAYS:
        raise checks.Invalid("7 (the free tier), a number of months 1-23 times 31 (31, 62, 93, ... 713) or 731: what RDS accepts")
    return value


def _monitoring_interval(value: Any) -> int:
    value = checks.integer(0, 60)(value)
    if value not in MONITORING_INTERVALS:
        raise checks.Invalid("one of " + ", ".join(map(str, MONITORING_INTERVALS)))
    return value


def _window(parse) -> checks.Check:
    """The window text as written, once `parse` accepts it."""

    def check(value: Any) -> str:
        parse(value)
        return value

    return check


@dataclass(frozen=True)
class AwsSettings(Section):
    KEY = "aws"
    POSITION = 9
    DOC = "AWS foundation: VPC, EKS, RDS, S3, ECR"
    HAS_NATIVE_LAKE = True
    HAS_MANAGED_DATABASE = True

    # --- account ---
    allowed_account_ids: tuple = setting(checks.string_list(checks.text(r"\d{12}", "a 12-digit AWS account id")), "AWS account ids this stack may deploy to (the provider refuses any other); empty: any.", default=())
    # --- network ---
    vpc_cidr: str = setting(_vpc_cidr, "VPC CIDR (/16 to /18). Subnets are planned from it: the seed's public 10.0.1.0/24, nodes 10.0.10.0/24, database 10.0.20.0/24, endpoints 10.0.30.0/24 for the first AZ of 10.0.0.0/16.", default="10.0.0.0/16")
    az_count: int = setting(checks.integer(2, 6), "Availability zones the VPC, the nodes and RDS Multi-AZ span (the first N of the region).", default=3)
    nat_gateways: str = setting(checks.one_of("one-per-az", "single"), "NAT gateways: one-per-az (no cross-AZ dependency) or single (cheaper; staging).", default=per_env(dev="single", staging="single", prod="one-per-az"))
    flow_logs: bool = setting(checks.boolean, "VPC flow logs (all traffic) to CloudWatch Logs.", default=True)
    interface_endpoints: tuple = setting(checks.string_list(checks.one_of("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ec2", "elasticloadbalancing", "autoscaling", "kms")), "Interface VPC endpoints in the endpoints subnets (the S3 gateway endpoint is always created).", default=("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager"))
    # --- EKS ---
    endpoint_public_access: bool = setting(checks.boolean, "Expose the EKS API endpoint publicly (limited to publicAccessCidrs). Off: run Pulumi from inside the VPC (VPN, bastion, CI runner).", default=False)
    public_access_cidrs: tuple = setting(checks.cidr_list, "CIDRs allowed to reach a public EKS API endpoint; required (and never 0.0.0.0/0) when endpointPublicAccess is true.", default=())
    admin_principal_arns: tuple = setting(checks.string_list(checks.text(_IAM_ARN, "an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins")), "IAM roles/users given cluster-admin through EKS access entries (the identity running Pulumi always is).", default=())
    node_instance_types: tuple = setting(checks.string_list(checks.text(_INSTANCE_TYPE, "an EC2 instance type such as m5.2xlarge")), "Instance types of the managed node group.", default=per_env(dev=("m5.large",), staging=("m5.xlarge",), prod=("m5.2xlarge",)))
    node_capacity_type: str = setting(checks.one_of("ON_DEMAND", "SPOT"), "ON_DEMAND or SPOT nodes.", default="ON_DEMAND")
    node_min_size: int = setting(checks.integer(1, 100), "Node group minimum size.", default=per_env(dev=1, staging=2, prod=3))
    node_max_size: int = setting(checks.integer(1, 500), "Node group maximum size (the cluster-autoscaler scales up to it).", default=per_env(dev=3, staging=5, prod=10))
    node_desired_size: int = setting(checks.integer(1, 500), "Node group initial size; later left to the cluster-autoscaler (ignored on update).", default=per_env(dev=1, staging=3, prod=5))
    node_disk_size_gb: int = setting(checks.integer(20, 2000), "Root volume (gp3, encrypted) size of each node in GB.", default=per_env(dev=50, staging=100, prod=100))
    spot_nodes: bool = setting(checks.boolean, "A second managed node group of Spot instances for interruptible work (Airbyte connector job pods; Dremio executors with dremio.executorsInterruptible), tainted data-platform/interruptible=true:NoSchedule so nothing else lands there. Off by default in prod.", default=per_env(dev=False, staging=True, prod=False))
    spot_instance_types: tuple = setting(checks.string_list(checks.text(_INSTANCE_TYPE, "an EC2 instance type such as m5.xlarge")), "Instance types of the Spot node group: several of the same size, so a Spot shortage of one type does not stop the group (at least two).", default=per_env(dev=("m5.large", "m5a.large", "m6i.large"), staging=("m5.xlarge", "m5a.xlarge", "m6i.xlarge"), prod=("m5.2xlarge", "m5a.2xlarge", "m6i.2xlarge")))
    spot_min_size: int = setting(checks.integer(0, 100), "Spot node group minimum size (0: the cluster-autoscaler adds Spot nodes only when interruptible pods wait).", default=0)
    spot_max_size: int = setting(checks.integer(1, 500), "Spot node group maximum size.", default=per_env(dev=2, staging=5, prod=10))
    spot_desired_size: int = setting(checks.integer(0, 500), "Spot node group initial size (then left to the cluster-autoscaler); the cost estimate counts it.", default=1)
    cluster_autoscaler: bool = setting(checks.boolean, "Install the cluster-autoscaler (IRSA, ASG auto-discovery) so pending pods add nodes.", default=True)
    cluster_log_types: tuple = setting(checks.string_list(checks.one_of("api", "audit", "authenticator", "controllerManager", "scheduler")), "EKS control-plane logs sent to CloudWatch.", default=("api", "audit", "authenticator", "controllerManager", "scheduler"))
    # --- RDS ---
    db_engine_version: str = setting(checks.text(r"16(\.\d+)?", "PostgreSQL 16, as 16 or a minor such as 16.11"), "RDS PostgreSQL version (the seed's major 16; a current minor).", default="16.11")
    db_auto_minor_version_upgrade: bool = setting(checks.boolean, "Let RDS apply new PostgreSQL 16 minors in the maintenance window; dbEngineVersion is then the version at creation and later drift is ignored.", default=True)
    db_instance_class: str = setting(checks.text(_DB_CLASS, "an RDS instance class such as db.r6g.xlarge"), "RDS instance class.", default=per_env(dev="db.t4g.medium", staging="db.r6g.large", prod="db.r6g.xlarge"))
    db_allocated_storage_gb: int = setting(checks.integer(20, 65536), "Initial storage (gp3) in GB.", default=per_env(dev=20, staging=50, prod=100))
    db_max_allocated_storage_gb: int = setting(checks.integer(20, 65536), "Storage autoscaling ceiling in GB: at least 10% above dbAllocatedStorageGb (RDS refuses less).", default=per_env(dev=100, staging=200, prod=1000))
    db_multi_az: bool = setting(checks.boolean, "Multi-AZ standby (synchronous replication, automatic failover).", default=per_env(dev=False, staging=False, prod=True))
    db_backup_retention_days: int = setting(checks.integer(1, 35), "Automated backup retention in days.", default=per_env(dev=1, staging=7, prod=30))
    # The seed's full backup at 00:00 UTC (its window is 2 h; RDS snapshots take minutes).
    db_backup_window: str = setting(_window(windows.daily), "Daily backup window (UTC; the seed's full backup at 00:00; hh24:mi-hh24:mi, at least 30 minutes, may cross midnight); must not overlap dbMaintenanceWindow.", default="00:00-01:00")
    db_maintenance_window: str = setting(_window(windows.weekly), "Weekly maintenance window (UTC, ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes).", default="sun:04:00-sun:05:00")
    dr_region: Optional[str] = setting(checks.optional(checks.text(r"[a-z]{2}(-gov)?-[a-z]+-\d", "an AWS region such as eu-central-1")), "Disaster-recovery region (not aws:region): RDS automated backups (snapshots and transaction logs) are replicated there and the S3 lake buckets (objectStore: native) replicate continuously to <bucket>-replica buckets there, encrypted with keys of that region. Required in prod (its 15m RPO must survive the loss of a region).", default=None)
    db_cross_region_replica: bool = setting(checks.boolean, "The prod option for a regional failover with minutes of RPO: a promotable read replica of the RDS instance in drRegion (asynchronous, RPO = replication lag, seconds to minutes; failover = aws rds promote-read-replica, then the dr stack restores from it in-region) instead of restoring from the replicated backups (about 5 minutes behind). Single-AZ until promoted. Needs drRegion, dbReplicaSubnetIds and database: managed.", default=False)
    db_replica_subnet_ids: tuple = setting(checks.string_list(checks.text(r"subnet-[0-9a-f]{8,17}", "an EC2 subnet id such as subnet-0123456789abcdef0")), "Private subnets of a VPC in drRegion (at least two AZs, e.g. the dr stack's database subnets) for the replica's DB subnet group: this stack has no network there, and without a group RDS would use the region's default VPC.", default=())
    db_replica_allowed_cidrs: tuple = setting(checks.cidr_list, "CIDRs allowed to reach the cross-region read replica on 5432 (its own security group, no egress). Empty: the CIDR of the VPC of dbReplicaSubnetIds (looked up), e.g. the dr stack's VPC.", default=())
    primary_stack: Optional[str] = setting(checks.optional(aws_stack_name), "A dr stack: the name of the stack it stands in for (e.g. prod; same project, same AWS account, whose aws.drRegion is this stack's aws:region). Its bronze, silver and gold are that stack's S3 replicas here (data-platform-<primary>-<role>-<account>-replica, key alias/<primary>-s3-replica, looked up at plan time) instead of buckets of its own. Required on a dr stack with objectStore native; only there.", default=None)
    db_instance_identifier: Optional[str] = setting(checks.optional(checks.k8s_name), "RDS instance identifier. Empty: <stack>-postgres. A point-in-time restore creates a new instance next to its source, so it needs a new identifier (e.g. prod-postgres-2).", default=None)
    db_restore_source: Optional[str] = setting(checks.optional(checks.text(rf"[a-z][a-z0-9-]{{0,62}}|{_AUTO_BACKUP_ARN}", "an RDS instance identifier such as prod-postgres, or replicated automated backups' ARN (arn:aws:rds:<region>:<account>:auto-backup:ab-...)")), "Restore: create the instance by point-in-time restore from this instance (same region) or these replicated automated backups (aws rds describe-db-instance-automated-backups). Create-only: set it together with a new dbInstanceIdentifier.", default=None)
    db_restore_time: Optional[str] = setting(checks.optional(checks.text(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "a UTC time such as 2026-12-01T10:14:00Z")), "Restore: the point in time (UTC). Empty: the source's latest restorable time.", default=None)
    db_final_snapshot: bool = setting(checks.boolean, "Take a final snapshot when the instance is deleted.", default=per_env(dev=False, staging=False, prod=True))
    db_monitoring_interval: int = setting(_monitoring_interval, "Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30 or 60; 0 turns it off).", default=per_env(dev=0, staging=0, prod=60))
    db_performance_insights_retention_days: int = setting(_performance_insights_retention, "Performance Insights retention in days: 7 (the free tier), months x 31 (1-23 months) or 731.", default=7)
    # The seed's tuning is for its 32 GiB db.r6g.xlarge; staging's db.r6g.large has 16 GiB
    # (4 GiB is still 25%), dev's 4 GiB db.t4g.medium gets a quarter of it.
    db_shared_buffers: str = setting(checks.memory_pages, "shared_buffers (the seed: 4GB); written in 8 KiB pages as RDS expects.", default=per_env(dev="1Gi", staging="4Gi", prod="4Gi"))
    db_effective_cache_size: str = setting(checks.memory_pages, "effective_cache_size (the seed: 12GB); written in 8 KiB pages.", default=per_env(dev="3Gi", staging="12Gi", prod="12Gi"))
    db_work_mem: str = setting(checks.memory_pages, "work_mem (the seed: 64MB); written in KiB.", default=per_env(dev="16Mi", staging="64Mi", prod="64Mi"))
    db_maintenance_work_mem: str = setting(checks.memory_pages, "maintenance_work_mem (the seed: 1GB); written in KiB.", default=per_env(dev="256Mi", staging="1Gi", prod="1Gi"))
    db_max_connections: int = setting(checks.integer(20, 5000), "max_connections (the seed: 200).", default=per_env(dev=100, staging=200, prod=200))
    # --- S3, ECR, logs, load balancing ---
    noncurrent_version_expiration_days: int = setting(checks.integer(1, 3650), "Days before noncurrent object versions in the data-lake buckets expire.", default=per_env(dev=7, staging=30, prod=90))
    bronze_glacier_days: int = setting(checks.integer(1, 3650), "Days before bronze objects move to Glacier (the seed: 90).", default=90)
    ecr_repositories: tuple = setting(checks.string_list(checks.text(r"[a-z0-9]+([._/-][a-z0-9]+)*", "an ECR repository name such as dbt")), "ECR repositories created as <stack>/<name> (scan on push, immutable tags).", default=("dbt",))
    log_retention_days: int = setting(_retention, "Retention of every CloudWatch log group (EKS control plane, flow logs, RDS, applications).", default=per_env(dev=7, staging=30, prod=365))
    load_balancer: str = setting(checks.one_of("nlb", "alb"), "What fronts the edge (Traefik, the Gateway): nlb (TCP pass-through, TLS from cert-manager) or alb (the seed's ALB: TLS with an ACM certificate, re-encrypted to the Gateway; needs albCertificateArn).", default="nlb")
    load_balancer_scheme: str = setting(checks.one_of("internet-facing", "internal"), "The ingress load balancer (NLB or ALB): internet-facing or internal (reachable from the VPC/VPN only).", default="internet-facing")
    alb_certificate_arn: Optional[str] = setting(checks.optional(checks.text(_ACM_ARN, "an ACM certificate ARN such as arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789")), "ACM certificate the ALB serves (covering airbyte./dremio./superset.<domain>, in aws:region); required when loadBalancer is alb.", default=None)

    @classmethod
    def check_stack(cls, stack: str) -> None:
        aws_stack_name(stack)

    @classmethod
    def check_names(cls, stack: str, raw: Mapping[str, Any], object_store: str) -> None:
        """With aws.drRegion each lake bucket also has a `-replica` bucket: a shorter stack name."""
        section = raw.get("data-platform:aws")
        if object_store == "native" and isinstance(section, Mapping) and section.get("drRegion") and len(stack) > REPLICATED_STACK_NAME_MAX:
            raise CrossFieldInvalid("stack name", stack, f"at most {REPLICATED_STACK_NAME_MAX} characters with data-platform:aws.drRegion and objectStore native, "
                                    "so that each lake bucket's DR replica (data-platform-<stack>-es-backups-<account>-replica) fits S3's 63")

    def cross_check(self) -> None:
        if not self.node_min_size <= self.node_desired_size <= self.node_max_size:
            raise CrossFieldInvalid("nodeDesiredSize", self.node_desired_size, f"a size from nodeMinSize ({self.node_min_size}) to nodeMaxSize ({self.node_max_size})")
        least_max = -(-self.db_allocated_storage_gb * 11 // 10)  # RDS: at least 10% above the allocated storage
        if self.db_max_allocated_storage_gb < least_max:
            raise CrossFieldInvalid("dbMaxAllocatedStorageGb", self.db_max_allocated_storage_gb, f"at least {least_max}: RDS needs the autoscaling ceiling 10% above dbAllocatedStorageGb ({self.db_allocated_storage_gb})")
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise CrossFieldInvalid("publicAccessCidrs", list(self.public_access_cidrs), "at least one CIDR when endpointPublicAccess is true (EKS would otherwise open the API to 0.0.0.0/0)")
        if "0.0.0.0/0" in self.public_access_cidrs:
            raise CrossFieldInvalid("publicAccessCidrs", list(self.public_access_cidrs), "specific CIDRs (office, VPN, CI egress), not 0.0.0.0/0")
        if windows.daily_overlaps_weekly(windows.daily(self.db_backup_window), windows.weekly(self.db_maintenance_window)):
            raise CrossFieldInvalid("dbBackupWindow", self.db_backup_window, f"a window that does not overlap dbMaintenanceWindow ({self.db_maintenance_window}) on any day: RDS refuses overlapping windows")
        if self.load_balancer == "alb" and not self.alb_certificate_arn:
            raise CrossFieldInvalid("albCertificateArn", MISSING, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>): required when loadBalancer is alb")
        if self.spot_nodes and not self.spot_min_size <= self.spot_desired_size <= self.spot_max_size:
            raise CrossFieldInvalid("spotDesiredSize", self.spot_desired_size, f"a size from spotMinSize ({self.spot_min_size}) to spotMaxSize ({self.spot_max_size})")
        if self.spot_nodes and len(set(self.spot_instance_types)) < 2:
            raise CrossFieldInvalid("spotInstanceTypes", list(self.spot_instance_types), "at least two different EC2 instance types when spotNodes is true (one type alone is one Spot capacity pool)")
        if self.alb_certificate_arn and self.allowed_account_ids and self.alb_certificate_arn.split(":")[4] not in self.allowed_account_ids:
            raise CrossFieldInvalid("albCertificateArn", self.alb_certificate_arn, f"a certificate of an allowed account ({', '.join(self.allowed_account_ids)}): a load balancer only serves certificates of its own account")
        if self.db_restore_time and not self.db_restore_source:
            raise CrossFieldInvalid("dbRestoreTime", self.db_restore_time, "empty unless dbRestoreSource names what to restore from")
        if self.db_restore_source and not self.db_instance_identifier:
            raise CrossFieldInvalid("dbInstanceIdentifier", MISSING, "a new identifier such as <stack>-postgres-2: a point-in-time restore is created next to its source")
        if self.db_restore_source and self.db_restore_source == self.db_instance_identifier:
            raise CrossFieldInvalid("dbInstanceIdentifier", self.db_instance_identifier, "an identifier other than dbRestoreSource: the restore is created next to its source")
        if self.db_cross_region_replica and not self.dr_region:
            raise CrossFieldInvalid("drRegion", MISSING, "an AWS region other than aws:region when dbCrossRegionReplica is true: the replica is made there")
        if self.db_cross_region_replica and len(set(self.db_replica_subnet_ids)) < 2:
            raise CrossFieldInvalid("dbReplicaSubnetIds", list(self.db_replica_subnet_ids), f"at least two private subnets of a VPC in {self.dr_region} (two AZs) when dbCrossRegionReplica is true: RDS needs a DB subnet group there")
        if self.db_replica_allowed_cidrs and not self.db_cross_region_replica:
            raise CrossFieldInvalid("dbReplicaAllowedCidrs", list(self.db_replica_allowed_cidrs), "empty unless dbCrossRegionReplica is true: they reach the replica")
        if "0.0.0.0/0" in self.db_replica_allowed_cidrs:
            raise CrossFieldInvalid("dbReplicaAllowedCidrs", list(self.db_replica_allowed_cidrs), "private CIDRs of the DR site (its VPC, a peered VPC, a VPN), not 0.0.0.0/0")
        if not self.node_instance_types:
            raise CrossFieldInvalid("nodeInstanceTypes", [], "at least one EC2 instance type")

    def front_tls(self) -> Optional[FrontTls]:
        # The ALB does not verify the Gateway's certificate and users see the ALB's (ACM), so the
        # local CA signs the Gateway's; HTTP-01 could not pass its redirect to the not-yet-served
        # HTTPS listener.
        if self.load_balancer != "alb":
            return None
        return FrontTls("selfsigned", "selfsigned when aws.loadBalancer is alb (the load balancer serves its own certificate; ACME HTTP-01 cannot pass its HTTPS redirect)")

    def check_recovery(self, settings: Settings, target_seconds: int) -> None:
        recovery.check(self, settings, target_seconds)

    def database_recovery_point(self, settings: Settings) -> RecoveryPoint:
        return recovery.database(self)

    def archive_copy(self, settings: Settings) -> NativeCopy:
        return recovery.archive(self)

    def lake_recovery_point(self, settings: Settings) -> Optional[RecoveryPoint]:
        return recovery.lake(self, settings)

    def snapshot_copy(self, settings: Settings) -> Optional[NativeCopy]:
        return recovery.snapshots(self)


SECTION = AwsSettings
