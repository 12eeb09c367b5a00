"""Customer-managed KMS keys: one per concern (EKS secrets, EBS volumes, RDS, S3), rotation on."""

from __future__ import annotations

import pulumi
import pulumi_aws.kms as kms

from .common import Context, tags


def kms_key(ctx: Context, parent: pulumi.Resource, purpose: str, description: str, component: str) -> kms.Key:
    """A symmetric key with yearly rotation and an alias `alias/<stack>-<purpose>`.

    The key policy is the AWS default (the account root may delegate through IAM): each role
    that uses a key gets it through an IAM policy naming this key's ARN. Protected like the data
    it encrypts; a deleted key waits 30 days (prod, dr) or 7 days before it is gone, whatever `protect` says.
    """
    name = f"{ctx.prefix}-{purpose}"
    key = kms.Key(
        name,
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30 if ctx.environment in ("prod", "dr") else 7,
        tags=tags(component, name),
        opts=ctx.opts(parent, stateful=True),
    )
    kms.Alias(name, name=f"alias/{name}", target_key_id=key.key_id, opts=ctx.opts(parent))
    return key
