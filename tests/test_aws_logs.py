"""Application logs in CloudWatch on AWS: Fluent Bit's second output, the log group it writes
to, and an IRSA role that may write to that group only (and nothing of it on a local cluster)."""

from __future__ import annotations

import json

import pytest

from clouds.aws.app_logs import LOG_ACTIONS, cloudwatch_output
from components.observability import logs
from foundation import FLUENT_BIT_TAG, WORKLOAD_SERVICE_ACCOUNTS

GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"


def fluent_bit_values(plan) -> dict:
    return plan.one(RELEASE, "fluent-bit").inputs["values"]


def outputs_section(values: dict) -> str:
    return values["config"]["outputs"]


def output_blocks(values: dict) -> list[dict[str, str]]:
    """Every `[OUTPUT]` section of the rendered config as {key: value}."""
    blocks = []
    for chunk in outputs_section(values).split("[OUTPUT]")[1:]:
        pairs = [line.strip().split(" ", 1) for line in chunk.strip().splitlines() if line.strip()]
        blocks.append({k: v for k, v in pairs})
    return blocks


@pytest.mark.parametrize("stack,cluster,days", [("prod", "prod-eks", 365), ("staging", "staging-eks", 30)])
def test_application_log_group_with_the_aws_retention(plan_stack, stack, cluster, days):
    plan = plan_stack(stack)
    group = plan.one(GROUP, f"{cluster}-applications")
    assert group.inputs["name"] == f"/aws/eks/{cluster}/applications"
    assert group.inputs["retentionInDays"] == days
    # Treated like the control-plane group it sits next to: same encryption (CloudWatch's
    # default, no KMS key on either) and the same protection.
    control_plane = plan.one(GROUP, f"{cluster}-control-plane")
    assert group.inputs.get("kmsKeyId") == control_plane.inputs.get("kmsKeyId")
    assert group.protect == control_plane.protect
    assert plan.outputs["applicationLogGroup"] == f"/aws/eks/{cluster}/applications"


def test_fluent_bit_role_may_only_write_to_that_group(plan_stack):
    plan = plan_stack("prod")
    group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/prod-eks/applications"
    (policy,) = [r for r in plan.by_type(ROLE_POLICY) if r.name == "prod-fluent-bit"]
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert len(statements) == 1
    (stmt,) = statements
    assert stmt["Effect"] == "Allow"
    assert sorted(stmt["Action"]) == sorted(LOG_ACTIONS) == sorted(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"])
    assert stmt["Resource"] == [group_arn, f"{group_arn}:*"]
    assert "Condition" not in stmt
    # No other policy is attached to the role.
    role = plan.one(ROLE, "prod-fluent-bit")
    attached = [r for r in plan.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if r.inputs.get("role") in (role.inputs["name"], "prod-fluent-bit")]
    assert attached == []


def test_fluent_bit_role_trusts_the_service_account_named_in_the_chart_values(plan_stack):
    plan = plan_stack("prod")
    values = fluent_bit_values(plan)
    sa = values["serviceAccount"]
    assert sa["create"] is True and sa["name"] == WORKLOAD_SERVICE_ACCOUNTS["fluent-bit"].name
    trust = json.loads(plan.one(ROLE, "prod-fluent-bit").inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    cond = trust["Condition"]["StringEquals"]
    sub = next(v for k, v in cond.items() if k.endswith(":sub"))
    aud = next(v for k, v in cond.items() if k.endswith(":aud"))
    release_ns = plan.one(RELEASE, "fluent-bit").inputs["namespace"]
    assert sub == f"system:serviceaccount:{release_ns}:{sa['name']}"
    assert aud == "sts.amazonaws.com"
    assert sa["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/prod-fluent-bit"}


def test_the_shared_table_names_the_logging_namespace():
    ref = WORKLOAD_SERVICE_ACCOUNTS["fluent-bit"]
    assert (ref.namespace, ref.name) == (logs.LOGGING, logs.SERVICE_ACCOUNT.name)


@pytest.mark.parametrize("stack,cluster", [("prod", "prod-eks"), ("staging", "staging-eks")])
def test_fluent_bit_ships_to_cloudwatch_and_elasticsearch_on_aws(plan_stack, stack, cluster):
    blocks = output_blocks(fluent_bit_values(plan_stack(stack)))
    assert [b["Name"] for b in blocks] == ["es", "cloudwatch_logs"]
    cw = blocks[1]
    assert cw["Match"] == blocks[0]["Match"] == "kube.*"
    assert cw["region"] == "eu-west-1"
    assert cw["log_group_name"] == f"/aws/eks/{cluster}/applications"
    assert cw["log_stream_prefix"]
    assert cw["auto_create_group"] == "false"
    assert "storage.total_limit_size" in cw  # its own bounded retry buffer on the node


def test_local_cluster_has_no_cloud_sink_and_no_annotation(plan_stack):
    plan = plan_stack("dev")
    values = fluent_bit_values(plan)
    assert [b["Name"] for b in output_blocks(values)] == ["es"]
    assert "cloudwatch" not in outputs_section(values)
    assert values["serviceAccount"] == {"create": True, "name": "fluent-bit", "annotations": {}}
    assert plan.by_type(GROUP) == [] and plan.by_type(ROLE) == []


def test_no_log_group_or_role_without_the_log_shipper(plan_config):
    plan = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1",
                        "observability": {"logs": False}}, stack="nologs")
    assert [g.name for g in plan.by_type(GROUP) if g.name.endswith("-applications")] == []
    assert [r.name for r in plan.by_type(ROLE) if r.name.endswith("fluent-bit")] == []
    assert "applicationLogGroup" not in plan.outputs


def test_fluent_bit_egress_to_cloudwatch_is_not_restricted(plan_stack):
    """`logging` has no default-deny: no NetworkPolicy selects Fluent Bit's pods, so its HTTPS
    to CloudWatch Logs (and STS for the web-identity token) leaves the namespace unhindered."""
    plan = plan_stack("prod")
    in_logging = [r for r in plan.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
                  if r.inputs["metadata"].get("namespace") == logs.LOGGING]
    assert in_logging == []


def test_the_cloudwatch_output_reads_the_records_the_shipper_tags():
    """clouds/aws renders its own output; it matches the tag the platform's tail input gives every
    container record, so a change of that tag cannot silently starve the sink."""
    values = {"config": {"outputs": cloudwatch_output("/aws/eks/x/applications", "eu-west-1")}}
    (cw,) = output_blocks(values)
    assert cw["Name"] == "cloudwatch_logs" and cw["Match"] == FLUENT_BIT_TAG
    tail = logs.config("https://es:9200", "prod", "info")["inputs"]
    assert f"Tag {FLUENT_BIT_TAG}\n" in tail
