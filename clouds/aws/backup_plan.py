"""AWS Backup for the data-lake buckets: the seed's daily object-storage snapshot (01:00 UTC,
`backups.objectStoreSchedule`), kept `backups.objectStoreRetentionDays`, in a vault encrypted with
its own customer key, copied to a vault in `aws.drRegion` (encrypted with a key of that region)
when set, both locked in governance mode in prod (`backups.vaultLock`).

AWS Backup for S3 needs versioned buckets (they are) and reads the objects with its own role:
the AWS-managed S3 backup/restore policies plus the data-lake key, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws.backup as backup
import pulumi_aws.iam as iam

from settings.cron import aws_schedule

from .common import Context, policy, service_trust, tags
from .keys import kms_key

COMPONENT = "backup"
S3_MANAGED_POLICIES = ("AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore")


@dataclass(frozen=True)
class BackupPlanArgs:
    ctx: Context
    bucket_arns: Mapping[str, pulumi.Input[str]]
    lake_key_arn: pulumi.Input[str] | Sequence[pulumi.Input[str]]
    """The lake's key, or every key its buckets use (a running dr stack also restores its primary's replicas)."""
    schedule: str
    """Five-field cron in `time_zone`."""
    retention_days: int
    vault_lock: bool
    dr: Optional[Context] = None
    time_zone: str = "Etc/UTC"
    """backups.timeZone: AWS Backup reads the cron in it (ScheduleExpressionTimezone)."""
    """The DR region's context; None: no copy out of the region."""


def lock(ctx: Context, parent: pulumi.Resource, vault: backup.Vault, name: str, retention_days: int) -> backup.VaultLockConfiguration:
    """Governance-mode lock (no `changeable_for_days`): recovery points stay at least
    `retention_days` and at most twice that; the lock itself can still be removed by an admin."""
    return backup.VaultLockConfiguration(name, backup_vault_name=vault.name, min_retention_days=retention_days,
                                         max_retention_days=2 * retention_days, opts=ctx.opts(parent))


class BackupPlan(pulumi.ComponentResource):
    def __init__(self, name: str, args: BackupPlanArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:BackupPlan", name, None, opts)
        ctx, n = args.ctx, f"{args.ctx.prefix}-backup"
        key = kms_key(ctx, self, "backup", f"{ctx.prefix}: AWS Backup vault", COMPONENT)
        self.vault = backup.Vault(n, name=n, kms_key_arn=key.arn, force_destroy=not ctx.protect, tags=tags(COMPONENT, n), opts=ctx.opts(self, stateful=True))
        lifecycle = {"delete_after": args.retention_days}
        copies = []
        self.dr_vault = None
        if args.dr:
            dr_key = kms_key(args.dr, self, "backup-dr", f"{ctx.prefix}: AWS Backup vault in {args.dr.region}", COMPONENT)
            self.dr_vault = backup.Vault(f"{n}-dr", name=f"{n}-dr", kms_key_arn=dr_key.arn, force_destroy=not ctx.protect,
                                         tags=tags(COMPONENT, f"{n}-dr"), opts=args.dr.opts(self, stateful=True))
            copies = [{"destination_vault_arn": self.dr_vault.arn, "lifecycle": lifecycle}]
        if args.vault_lock:
            lock(ctx, self, self.vault, n, args.retention_days)
            if self.dr_vault is not None and args.dr is not None:
                lock(args.dr, self, self.dr_vault, f"{n}-dr", args.retention_days)
        self.plan = backup.Plan(n, name=n, rules=[{
            "rule_name": "object-storage-daily",
            "target_vault_name": self.vault.name,
            "schedule": aws_schedule(args.schedule),
            "schedule_expression_timezone": args.time_zone,
            "start_window": 60,
            "completion_window": 180,
            "lifecycle": lifecycle,
            "copy_actions": copies,
        }], tags=tags(COMPONENT, n), opts=ctx.opts(self))
        role = iam.Role(n, name=n, description=f"{n}: AWS Backup of the data-lake buckets", assume_role_policy=service_trust("backup.amazonaws.com"),
                        tags=tags(COMPONENT, n), opts=ctx.opts(self))
        for managed in S3_MANAGED_POLICIES:
            iam.RolePolicyAttachment(f"{n}-{managed}", role=role.name, policy_arn=f"arn:{ctx.partition}:iam::aws:policy/{managed}", opts=ctx.opts(self))
        # The objects are SSE-KMS with the lake key: reading them for a backup, writing them on a restore.
        iam.RolePolicy(f"{n}-lake-key", role=role.id, policy=policy([{
            "Sid": "DataLakeKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], "Resource": args.lake_key_arn}]),
            opts=ctx.opts(self))
        self.selection = backup.Selection(n, name="data-lake", plan_id=self.plan.id, iam_role_arn=role.arn,
                                          resources=[args.bucket_arns[b] for b in sorted(args.bucket_arns)], opts=ctx.opts(self))
        self.register_outputs({"vault": self.vault.arn, "drVault": self.dr_vault.arn if self.dr_vault else None, "plan": self.plan.arn})
