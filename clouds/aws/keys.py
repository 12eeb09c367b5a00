"""Customer-managed KMS keys: one per concern (EKS secrets, EBS volumes, RDS, S3, platform
secrets, CloudWatch Logs), rotation on, each with an explicit key policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws.kms as kms

from .common import Context, policy, tags


def key_policy(ctx: Context, service_statements: Sequence[Mapping[str, Any]] = ()) -> pulumi.Output[str]:
    """The account administers the key and may delegate its use through IAM (every role that
    uses a key gets it from an IAM policy naming the key's ARN); AWS services that use the key
    as themselves, not through a caller's identity, are listed by service principal."""
    root = ctx.account_id.apply(lambda a: f"arn:{ctx.partition}:iam::{a}:root")
    return policy([
        {"Sid": "AccountAdministration", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
        *service_statements,
    ])


def kms_key(ctx: Context, parent: pulumi.Resource, purpose: str, description: str, component: str,
            service_statements: Sequence[Mapping[str, Any]] = ()) -> kms.Key:
    """A symmetric key with yearly rotation, an explicit key policy (`key_policy`) and an alias
    `alias/<stack>-<purpose>`.

    Protected like the data it encrypts; a deleted key waits 30 days (prod, dr) or 7 days before
    it is gone, whatever `protect` says.
    """
    name = f"{ctx.prefix}-{purpose}"
    key = kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30 if ctx.environment in ("prod", "dr") else 7,
        policy=key_policy(ctx, service_statements),
        tags=tags(component, name),
        opts=ctx.opts(parent, stateful=True),
    )
    kms.Alias(name, name=f"alias/{name}", target_key_id=key.key_id, opts=ctx.opts(parent))
    return key
