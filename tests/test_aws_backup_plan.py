"""The seed's daily object-storage snapshot on AWS: an AWS Backup plan of the lake buckets, a
KMS-encrypted vault, a copy to a vault in the DR region, vault locks in prod, a least-privilege role."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline_plan.mocks import ACCOUNT
from settings.cron import CronError, aws_schedule

PLAN, VAULT, LOCK, SELECTION = ("aws:backup/plan:Plan", "aws:backup/vault:Vault",
                                "aws:backup/vaultLockConfiguration:VaultLockConfiguration", "aws:backup/selection:Selection")


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("prod")


def test_daily_01_00_utc_kept_and_copied_to_the_dr_region(prod):
    (plan,) = prod.by_type(PLAN)
    (rule,) = plan.inputs["rules"]
    assert (rule["schedule"], rule["scheduleExpressionTimezone"]) == ("cron(0 1 * * ? *)", "Etc/UTC")
    assert rule["lifecycle"] == {"deleteAfter": 35}
    (copy,) = rule["copyActions"]
    assert copy["destinationVaultArn"] == f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:prod-backup-dr"
    vaults = {v.name: v for v in prod.by_type(VAULT)}
    assert set(vaults) == {"prod-backup", "prod-backup-dr"} and all(v.protect for v in vaults.values())
    assert ":eu-west-1:" in vaults["prod-backup"].inputs["kmsKeyArn"] and ":eu-central-1:" in vaults["prod-backup-dr"].inputs["kmsKeyArn"]
    assert {lk.inputs["backupVaultName"]: lk.inputs["minRetentionDays"] for lk in prod.by_type(LOCK)} == {"prod-backup": 35, "prod-backup-dr": 35}
    assert "copied to a vault in eu-central-1" in prod.outputs["recoveryPoints"]["objectStore"]["siteLoss"]


def test_the_selection_is_the_lake_buckets(prod):
    (sel,) = prod.by_type(SELECTION)
    buckets = sorted(b.inputs["bucket"] for b in prod.by_type("aws:s3/bucket:Bucket")
                     if "-logs-" not in b.inputs["bucket"] and not b.inputs["bucket"].endswith("-replica"))
    assert sorted(a.removeprefix("arn:aws:s3:::") for a in sel.inputs["resources"]) == buckets


def test_the_backup_role_is_least_privilege(prod):
    (role,) = [r for r in prod.by_type("aws:iam/role:Role") if r.inputs.get("name") == "prod-backup"]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": ["backup.amazonaws.com"]}, "Action": "sts:AssumeRole"}]
    attached = sorted(a.inputs["policyArn"] for a in prod.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.name.startswith("prod-backup-"))
    assert attached == ["arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup", "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore"]
    (inline,) = [p for p in prod.by_type("aws:iam/rolePolicy:RolePolicy") if p.name == "prod-backup-lake-key"]
    (stmt,) = json.loads(inline.inputs["policy"])["Statement"]
    assert stmt["Action"] == ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"] and stmt["Resource"].startswith("arn:aws:kms:eu-west-1:")


def test_staging_has_the_plan_without_locks_or_a_dr_copy(plan_stack):
    staging = plan_stack("staging")
    (plan,) = staging.by_type(PLAN)
    assert plan.inputs["rules"][0]["copyActions"] == [] and not staging.by_type(LOCK)
    assert [v.name for v in staging.by_type(VAULT)] == ["staging-backup"]


@pytest.mark.parametrize("cron, aws", [("0 1 * * *", "cron(0 1 * * ? *)"), ("30 2 * * 1-5", "cron(30 2 ? * 2-6 *)"),
                                       ("0 0 1 * *", "cron(0 0 1 * ? *)"), ("0 3 * * 0,6", "cron(0 3 ? * 1,7 *)"), ("0 3 * * 0,5-6", "cron(0 3 ? * 1,6-7 *)")])
def test_aws_schedule(cron, aws):
    assert aws_schedule(cron) == aws


@given(st.sets(st.integers(0, 6), min_size=1, max_size=7))  # robfig/cron's day of week: 0-6
def test_aws_days_of_week_are_the_same_days(days):
    got = aws_schedule(f"0 1 * * {','.join(map(str, sorted(days)))}")[len("cron(0 1 ? * "):-len(" *)")]
    assert {int(d) for d in got.split(",")} == {d % 7 + 1 for d in days}


@pytest.mark.parametrize("bad", ["0 1 1 * 1", "0 1 * * */2"])
def test_schedules_aws_cannot_express_are_refused(bad):
    with pytest.raises(CronError):
        aws_schedule(bad)
