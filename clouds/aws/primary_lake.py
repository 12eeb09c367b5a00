"""What a dr stack reads of its primary (`aws.primaryStack`): the primary's S3 replicas of bronze,
silver and gold in this region, and the KMS key they are encrypted with.

Decision: by config and look-ups, not a `pulumi.StackReference`. The dr stack must plan and deploy
while the primary's region is down; a StackReference needs the primary's state (a backend that may
live in that region, a snapshot as old as the primary's last `pulumi up`), while the replicas and
their key are in the dr stack's own region and their names are deterministic: the buckets are
`<project>-<primary>-<role>-<account>-replica` (names.py; same account: LakeReplication creates
them with the primary's provider) and the key is `alias/<primary>-s3-replica`. Each is looked up
through the dr stack's provider (`aws:kms/getKey`, `aws:s3/getBucket`), so a primary without
replicas here (no `aws.drRegion`, another region, a typo) stops the plan with one line naming
`aws.primaryStack`, before anything is registered. The primary also exports the same facts
(`lakeReplicas`) for operators.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.kms as kms
import pulumi_aws.s3 as s3

from .names import PRIMARY_LAKE_ROLES, bucket_name, replica_bucket_name, replica_key_alias


@dataclass(frozen=True)
class PrimaryLake:
    stack: str
    buckets: dict[str, str]
    """Lake role -> the primary's replica bucket in this region."""
    arns: dict[str, str]
    key_arn: str


def _missing(stack_file: str, primary: str, region: str, what: str, error: Exception) -> pulumi.RunError:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return pulumi.RunError(f"{stack_file}: data-platform:aws.primaryStack = {primary!r} is not valid: {what} is not in {region} ({reason}): "
                           f"the name of a stack of this project and account whose aws.drRegion is {region} (its lake replicas are there)")


def primary_lake(*, stack_file: str, project: str, primary: str, account_id: str, region: str, invoke: pulumi.InvokeOptions) -> PrimaryLake:
    """Look the primary's replicas and their key up in `region` (the dr stack's), or fail in one line."""
    alias = replica_key_alias(primary)
    try:
        key = kms.get_key(key_id=alias, opts=invoke)
    except Exception as e:  # the provider's NotFoundException, surfaced by the engine as an invoke error
        raise _missing(stack_file, primary, region, f"the KMS key {alias}", e) from None
    if not key.arn or key.key_state not in (None, "Enabled"):
        raise _missing(stack_file, primary, region, f"an enabled KMS key {alias}", ValueError(f"key state {key.key_state}"))
    buckets, arns = {}, {}
    for role in PRIMARY_LAKE_ROLES:
        name = replica_bucket_name(bucket_name(project, primary, role, account_id))
        try:
            found = s3.get_bucket(bucket=name, opts=invoke)
        except Exception as e:
            raise _missing(stack_file, primary, region, f"the bucket {name}", e) from None
        if found.region and found.region != region:
            raise _missing(stack_file, primary, region, f"the bucket {name}", ValueError(f"it is in {found.region}"))
        buckets[role], arns[role] = name, found.arn
    return PrimaryLake(stack=primary, buckets=buckets, arns=arns, key_arn=key.arn)
