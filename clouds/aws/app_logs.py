"""Application logs in CloudWatch: the log group Fluent Bit writes to, and its IRSA role.

- Log group `/aws/eks/<cluster>/applications`, next to the control plane's
  `/aws/eks/<cluster>/cluster` and treated like it: same retention (`logRetentionDays`),
  CloudWatch's default encryption, not protected (log groups hold no state the platform needs;
  prod keeps them 365 days). Created here, so Fluent Bit never creates groups
  (`auto_create_group false`) and needs no `logs:CreateLogGroup`.
- Role `<stack>-fluent-bit`: trusts only `logging/fluent-bit` (foundation.WORKLOAD_SERVICE_ACCOUNTS)
  and may only create/describe streams in and put events into that one group; no `*` resource.
- The Fluent Bit `[OUTPUT]` that writes there (`cloudwatch_output`), handed to the platform as
  `Foundation.log_sink`: one stream per container log file, the record with its Kubernetes
  metadata as JSON, its own bounded retry buffer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.cloudwatch as cloudwatch
import pulumi_aws.iam as iam

from foundation import FLUENT_BIT_TAG, WORKLOAD_SERVICE_ACCOUNTS, LogSink

from .common import IRSA_ANNOTATION, Context, irsa_trust, policy, tags
from .log_groups import log_group

COMPONENT = "logs"
WORKLOAD = "fluent-bit"
LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
STREAM_PREFIX = "from-fluent-bit-"
"""Log streams are `<prefix><tag>`: one stream per container log file
(`from-fluent-bit-kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log`)."""


def log_group_name(cluster_name: str) -> str:
    return f"/aws/eks/{cluster_name}/applications"


def shipper_statements(group_arn: pulumi.Input[str]) -> list[dict]:
    """Write access to one log group: the group itself and its streams (`<arn>:*`).

    The provider's `LogGroup.arn` has no trailing `:*`; streams are `<arn>:log-stream:<name>`."""
    arn = pulumi.Output.from_input(group_arn).apply(lambda a: a.removesuffix(":*"))
    return [{"Sid": "WriteApplicationLogs", "Effect": "Allow", "Action": LOG_ACTIONS,
             "Resource": arn.apply(lambda a: [a, f"{a}:*"])}]


def cloudwatch_output(group: str, region: str, stream_prefix: str = STREAM_PREFIX) -> str:
    """Fluent Bit's `cloudwatch_logs` output into the existing `group` (it creates no group)."""
    return "\n".join([
        "[OUTPUT]",
        "    Name cloudwatch_logs",
        f"    Match {FLUENT_BIT_TAG}",
        f"    region {region}",
        f"    log_group_name {group}",
        f"    log_stream_prefix {stream_prefix}",
        "    auto_create_group false",
        "    Retry_Limit 20",
        "    storage.total_limit_size 2G",
        "",
    ])


@dataclass(frozen=True)
class ApplicationLogsArgs:
    ctx: Context
    cluster_name: str
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    retention_days: int


class ApplicationLogs(pulumi.ComponentResource):
    group: cloudwatch.LogGroup
    role: iam.Role
    annotations: dict[str, pulumi.Output[str]]
    """ServiceAccount annotations for Fluent Bit (`Foundation.workload_identity["fluent-bit"]`)."""
    sink: LogSink
    """`Foundation.log_sink`: the group, and the output that writes to it."""

    def __init__(self, name: str, args: ApplicationLogsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:ApplicationLogs", name, None, opts)
        ctx, n = args.ctx, args.cluster_name
        gname = f"{n}-applications"
        self.group = log_group(ctx, self, gname, log_group_name(n), args.retention_days, COMPONENT)
        sa = WORKLOAD_SERVICE_ACCOUNTS[WORKLOAD]
        rname = f"{ctx.prefix}-{WORKLOAD}"
        self.role = iam.Role(
            rname,
            name=rname,
            description=f"Fluent Bit (IRSA {sa.namespace}/{sa.name}): write to {log_group_name(n)} only",
            assume_role_policy=irsa_trust(args.oidc_provider_arn, args.oidc_issuer, sa.namespace, [sa.name]),
            tags=tags(COMPONENT, rname),
            opts=ctx.opts(self),
        )
        iam.RolePolicy(rname, role=self.role.id, policy=policy(shipper_statements(self.group.arn)), opts=ctx.opts(self))
        self.annotations = {IRSA_ANNOTATION: self.role.arn}
        self.sink = LogSink(name="cloudwatch", destination=self.group.name,
                            fluent_bit_output=self.group.name.apply(lambda g: cloudwatch_output(g, ctx.region)))
        self.register_outputs({"group": self.group.name, "role": self.role.arn})
