"""Every CloudWatch log group is encrypted with a customer KMS key, and every KMS key has an
explicit key policy with rotation on (issue 12 item 8): the checks tfsec/checkov and the
terraform-aws-modules defaults pass. Read from the staging and prod plans."""

from __future__ import annotations

import json

import pytest

GROUP = "aws:cloudwatch/logGroup:LogGroup"
KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ROOT = "arn:aws:iam::123456789012:root"


def _key_arn(plan, alias: str) -> str:
    (a,) = [r for r in plan.by_type(ALIAS) if r.inputs["name"] == f"alias/{alias}"]
    return f"arn:aws:kms:eu-west-1:123456789012:key/{a.inputs['targetKeyId']}"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_log_group_is_encrypted_with_the_logs_key(plan_stack, stack):
    plan = plan_stack(stack)
    groups = plan.by_type(GROUP)
    names = {g.inputs["name"] for g in groups}
    # EKS control plane, VPC flow logs, the applications' logs, RDS postgresql and upgrade logs.
    assert {f"/aws/eks/{stack}-eks/cluster", f"/aws/vpc/{stack}-flow-logs", f"/aws/eks/{stack}-eks/applications",
            f"/aws/rds/instance/{stack}-postgres/postgresql", f"/aws/rds/instance/{stack}-postgres/upgrade"} <= names
    logs_key = _key_arn(plan, f"{stack}-logs")
    for g in groups:
        assert g.inputs.get("kmsKeyId") == logs_key, g.inputs["name"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_logs_key_lets_cloudwatch_logs_use_it_for_this_accounts_groups_only(plan_stack, stack):
    plan = plan_stack(stack)
    (key,) = [k for k in plan.by_type(KEY) if k.name == f"{stack}-logs"]
    statements = json.loads(key.inputs["policy"])["Statement"]
    (logs,) = [s for s in statements if s.get("Principal", {}).get("Service") == "logs.eu-west-1.amazonaws.com"]
    assert logs["Condition"] == {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"}}
    assert "kms:GenerateDataKey*" in logs["Action"] and "kms:Decrypt*" in logs["Action"]
    assert not any(a in ("kms:*", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion") for a in logs["Action"])


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_kms_key_has_an_explicit_policy_and_rotation(plan_stack, stack):
    keys = plan_stack(stack).by_type(KEY)
    assert {k.name.removeprefix(f"{stack}-") for k in keys} >= {"s3", "eks-secrets", "ebs", "rds", "platform-secrets", "logs"}
    for k in keys:
        assert k.inputs["enableKeyRotation"] is True, k.name
        statements = json.loads(k.inputs["policy"])["Statement"]
        admin = [s for s in statements if s.get("Principal") == {"AWS": ROOT}]
        assert admin and admin[0]["Action"] == "kms:*", k.name  # the account keeps control (no lockout)
        others = [s for s in statements if s not in admin]
        assert all("Service" in s["Principal"] and "Condition" in s for s in others), k.name  # no other principal, never unconditioned
