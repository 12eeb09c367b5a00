"""Cloud Logging: how long the project keeps the logs GKE ships (system components and every
container, `logging_config` in gke.py) — the `_Default` log bucket's retention, the CloudWatch
retention's equivalent. The bucket always exists (Logging creates it with the project); Pulumi
only updates its retention, and a destroy leaves it, and its logs, in place."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.logging as logging

from .common import Context


@dataclass(frozen=True)
class CloudLoggingArgs:
    ctx: Context
    retention_days: int


class CloudLogging(pulumi.ComponentResource):
    def __init__(self, name: str, args: CloudLoggingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:CloudLogging", name, None, opts)
        ctx = args.ctx
        self.bucket = logging.ProjectBucketConfig(
            f"{ctx.prefix}-default-logs",
            project=ctx.project,
            location="global",
            bucket_id="_Default",
            retention_days=args.retention_days,
            opts=ctx.opts(self),
        )
        self.register_outputs({"retentionDays": args.retention_days})
