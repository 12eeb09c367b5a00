"""CloudWatch log groups, every one encrypted with the stack's CloudWatch Logs KMS key.

CloudWatch Logs encrypts with a customer key as the service principal `logs.<region>.<suffix>`,
so the key policy must allow it, scoped with the `kms:EncryptionContext:aws:logs:arn` condition
to this account's log groups in this region (AWS: "Encrypt log data in CloudWatch Logs using
AWS KMS"). Writers (VPC flow logs, EKS, RDS, Fluent Bit) need no KMS permission of their own.
"""

from __future__ import annotations

import pulumi
import pulumi_aws.cloudwatch as cloudwatch

from .common import Context, tags
from .keys import kms_key

COMPONENT = "logs"


def logs_service(ctx: Context) -> str:
    suffix = "amazonaws.com.cn" if ctx.partition == "aws-cn" else "amazonaws.com"
    return f"logs.{ctx.region}.{suffix}"


def logs_key_statement(ctx: Context) -> dict:
    return {
        "Sid": "CloudWatchLogsOfThisAccountAndRegion",
        "Effect": "Allow",
        "Principal": {"Service": logs_service(ctx)},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "log-group:*")}},
    }


class LogsKey(pulumi.ComponentResource):
    """The KMS key of every log group of the stack (created first; `Context.logs_key_arn`)."""

    def __init__(self, name: str, ctx: Context, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:LogsKey", name, None, opts)
        self.key = kms_key(ctx, self, "logs", f"{ctx.prefix}: CloudWatch log groups", COMPONENT, [logs_key_statement(ctx)])
        self.register_outputs({"arn": self.key.arn})


def log_group(ctx: Context, parent: pulumi.Resource, logical: str, name: pulumi.Input[str], retention_days: int,
              component: str, **opts) -> cloudwatch.LogGroup:
    """A log group with retention, tags and the stack's logs key (refuses to create one without)."""
    if ctx.logs_key_arn is None:
        raise ValueError(f"log group {logical}: the Context has no logs key (create LogsKey first)")
    return cloudwatch.LogGroup(logical, name=name, retention_in_days=retention_days, kms_key_id=ctx.logs_key_arn,
                               tags=tags(component, logical), opts=ctx.opts(parent, **opts))
