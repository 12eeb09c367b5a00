"""Copies of the stack's backups in the disaster-recovery region (`aws.drRegion`).

RDS automated backups (daily snapshots and the transaction logs shipped every 5 minutes) are
replicated to the DR region as soon as they are ready, encrypted with a customer key of that
region (a KMS key cannot leave its region), kept as long as the source's (`dbBackupRetentionDays`):
a point-in-time restore there survives the loss of the stack's region (docs/runbooks/
disaster-recovery.md). Everything here is created through the DR region's provider.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.rds as rds

from .common import Context
from .keys import kms_key

COMPONENT = "backup-replication"


@dataclass(frozen=True)
class BackupReplicationArgs:
    ctx: Context
    """The DR region's context: its provider and region."""
    source_db_instance_arn: pulumi.Input[str]
    retention_days: int


class BackupReplication(pulumi.ComponentResource):
    def __init__(self, name: str, args: BackupReplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:BackupReplication", name, None, opts)
        ctx = args.ctx
        self.key = kms_key(ctx, self, "rds-dr", f"{ctx.prefix}: RDS automated backups replicated to {ctx.region}", COMPONENT)
        self.database = rds.InstanceAutomatedBackupsReplication(
            f"{ctx.prefix}-postgres-dr",
            source_db_instance_arn=args.source_db_instance_arn,
            kms_key_id=self.key.arn,
            retention_period=args.retention_days,
            opts=ctx.opts(self, stateful=True),
        )
        self.register_outputs({"region": ctx.region, "database": self.database.id, "key": self.key.arn})
