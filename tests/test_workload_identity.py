"""Workload identity on AWS: the roles trust exactly the ServiceAccounts the platform runs as."""

from __future__ import annotations

import json

from offline_plan import manifests

AWS_BASE = {"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1",
            "aws": {"endpointPublicAccess": False}}


def role_subjects(result, name: str) -> list[str]:
    role = result.one("aws:iam/role:Role", name)
    stmt = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    sub = next(v for k, v in stmt["Condition"]["StringEquals"].items() if k.endswith(":sub"))
    return sub if isinstance(sub, list) else [sub]


def role_policy(result, name: str) -> str:
    return json.dumps(result.one("aws:iam/rolePolicy:RolePolicy", name).inputs["policy"])


def test_dremio_role_trusts_the_service_account_dremio_runs_as(plan_stack):
    result = plan_stack("prod")
    sts = [o for o in manifests.objects(result) if o["kind"] == "StatefulSet" and o["metadata"]["name"].startswith("dremio-")
           and o["metadata"]["name"] != "dremio-zk"]
    accounts = {f"system:serviceaccount:{o['metadata']['namespace']}:{o['spec']['template']['spec']['serviceAccountName']}" for o in sts}
    assert accounts and accounts <= set(role_subjects(result, "prod-dremio"))


def test_airbyte_role_trusts_the_service_account_named_in_the_chart_values(plan_stack):
    result = plan_stack("prod")
    values = result.one("kubernetes:helm.sh/v3:Release", "airbyte-release").inputs["values"]
    sa = values["serviceAccount"]["name"]
    assert role_subjects(result, "prod-airbyte") == [f"system:serviceaccount:data-platform:{sa}"]
    # The role is on the ServiceAccount the program owns (an update, not a one-off hook).
    account = result.one("kubernetes:core/v1:ServiceAccount", "airbyte-service-account").inputs["metadata"]
    assert account["name"] == sa
    (arn,) = account["annotations"].values()
    assert list(account["annotations"]) == ["eks.amazonaws.com/role-arn"] and arn.endswith(":role/prod-airbyte")


def test_dremio_role_follows_its_distributed_storage_setting(plan_config):
    in_gold = plan_config({**AWS_BASE, "dremio": {"distBucket": "gold", "distPath": "dremio-dist"}}, stack="wi")
    policy = role_policy(in_gold, "wi-dremio")
    assert "gold" in policy and "backups" not in policy and "wi-dremio-" not in policy  # the lake only
    default = plan_config(AWS_BASE, stack="wi")
    assert "wi-dremio-" in role_policy(default, "wi-dremio") and "backups" not in role_policy(default, "wi-dremio")
