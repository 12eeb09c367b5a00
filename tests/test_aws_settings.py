"""`data-platform:aws` settings: the seed's defaults per environment, and bad values fail early."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import settings as settings_mod
from clouds.aws.settings import AwsSettings
from offline_plan.runner import PlanError, run
from program import load_settings

ROOT = Path(__file__).resolve().parent.parent


def load(env: str, aws: dict | None = None, **scalars):
    raw = {
        "data-platform:cloud": "aws",
        "data-platform:environment": env,
        "data-platform:acmeEmail": "ops@example.com",
        **{f"data-platform:{k}": v for k, v in scalars.items()},
    }
    if aws is not None or env in ("prod", "dr"):
        # prod needs a DR region for its database backups (settings/recovery.py).
        raw["data-platform:aws"] = {**({"drRegion": "eu-central-1"} if env in ("prod", "dr") else {}), **(aws or {})}
    return load_settings(raw, "test")


def test_prod_defaults_are_the_seeds_numbers():
    a = load("prod").aws
    assert a.vpc_cidr == "10.0.0.0/16" and a.az_count == 3 and a.nat_gateways == "one-per-az"
    assert a.node_instance_types == ("m5.2xlarge",)
    assert (a.node_min_size, a.node_max_size, a.node_desired_size) == (3, 10, 5)
    assert a.db_instance_class == "db.r6g.xlarge"
    assert (a.db_allocated_storage_gb, a.db_max_allocated_storage_gb) == (100, 1000)
    assert a.db_multi_az is True and a.db_backup_retention_days == 30
    assert (a.db_backup_window, a.db_maintenance_window) == ("00:00-01:00", "sun:04:00-sun:05:00")
    assert a.db_engine_version.split(".")[0] == "16"
    assert (a.db_shared_buffers, a.db_effective_cache_size, a.db_work_mem, a.db_maintenance_work_mem, a.db_max_connections) == ("4Gi", "12Gi", "64Mi", "1Gi", 200)
    assert a.bronze_glacier_days == 90
    assert a.endpoint_public_access is False


def test_staging_is_smaller_with_a_single_nat():
    a = load("staging").aws
    assert a.nat_gateways == "single"
    assert a.node_max_size < 10 and a.node_instance_types != ("m5.2xlarge",)
    assert a.db_multi_az is False and a.db_final_snapshot is False


def test_dr_mirrors_prod():
    import dataclasses

    # Every default is prod's; a dr stack also names the primary whose lake replicas it reads.
    assert load("dr", {"primaryStack": "prod"}).aws == dataclasses.replace(load("prod").aws, primary_stack="prod")


def error(env: str, aws: dict) -> str:
    with pytest.raises(settings_mod.SettingsError) as e:
        load(env, aws)
    return str(e.value)


def test_too_small_vpc_names_the_key_and_what_is_allowed():
    msg = error("prod", {"vpcCidr": "10.0.0.0/24"})
    assert "data-platform:aws.vpcCidr" in msg and "'10.0.0.0/24'" in msg and "/16 to /18" in msg and "Pulumi.test.yaml" in msg


def test_vpc_cidr_with_host_bits_is_refused():
    assert "data-platform:aws.vpcCidr" in error("prod", {"vpcCidr": "10.0.0.1/16"})


def test_public_endpoint_needs_cidrs():
    msg = error("staging", {"endpointPublicAccess": True})
    assert "data-platform:aws.publicAccessCidrs" in msg and "0.0.0.0/0" in msg


def test_public_endpoint_never_open_to_the_world():
    assert "not 0.0.0.0/0" in error("staging", {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]})


def test_desired_size_outside_min_max_is_refused():
    assert "data-platform:aws.nodeDesiredSize" in error("prod", {"nodeDesiredSize": 20})


def test_max_storage_below_initial_is_refused():
    assert "data-platform:aws.dbMaxAllocatedStorageGb" in error("prod", {"dbMaxAllocatedStorageGb": 50})


def test_only_postgres_16():
    assert "data-platform:aws.dbEngineVersion" in error("prod", {"dbEngineVersion": "15.8"})


def test_unknown_key_lists_the_known_ones():
    msg = error("prod", {"nodeCount": 3})
    assert "data-platform:aws.nodeCount" in msg and "nodeMinSize" in msg


def test_log_retention_must_be_a_cloudwatch_value():
    assert "data-platform:aws.logRetentionDays" in error("prod", {"logRetentionDays": 42})


def test_every_field_has_a_default_and_a_doc():
    for env in ("dev", "staging", "prod", "dr"):
        d = AwsSettings.defaults(env)
        for f in AwsSettings.__dataclass_fields__.values():
            assert f.name in d, f.name
            assert f.metadata["doc"], f.name


def test_missing_region_fails_before_any_aws_resource(tmp_path):
    """Pulumi.yaml gives aws:region a project default; without it the error says what to run."""
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    project.get("config", {}).pop("aws:region", None)
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    (tmp_path / "Pulumi.noregion.yaml").write_text(
        yaml.safe_dump({"config": {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:acmeEmail": "ops@example.com"}})
    )
    with pytest.raises(Exception, match=r"aws:region is missing.*pulumi config set aws:region"):
        run("noregion", root=tmp_path)


def test_unpinned_kubernetes_version_fails_with_the_versions_file(plan_config):
    with pytest.raises(Exception, match="clouds/aws/versions.py"):
        plan_config({"cloud": "aws", "aws:region": "eu-west-1", "kubernetesVersion": "1.29", "environment": "staging", "acmeEmail": "ops@example.com"}, stack="oldk8s")


def test_bad_aws_section_is_a_plan_error_before_registration(plan_config):
    with pytest.raises(PlanError, match=r"data-platform:aws\.azCount"):
        plan_config({"cloud": "aws", "aws:region": "eu-west-1", "environment": "staging", "acmeEmail": "ops@example.com", "aws": {"azCount": 9}}, stack="badaz")


def test_local_stacks_never_import_the_aws_sdk():
    """clouds/aws/settings.py reads the pure subnet planner; the SDK loads only for cloud aws."""
    import subprocess
    import sys

    code = (
        "import sys, settings, clouds\n"
        "settings.load({'data-platform:aws': {'vpcCidr': '10.1.0.0/16'}}, 'dev', clouds.registry())\n"
        "assert 'pulumi_aws' not in sys.modules, sorted(m for m in sys.modules if m.startswith('pulumi_aws'))[:5]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("aws", [
    {"dbBackupWindow": "04:30-05:30"},  # inside sun:04:00-sun:05:00 on Sunday
    {"dbBackupWindow": "03:30-04:30"},  # runs into it
    {"dbBackupWindow": "23:30-00:30", "dbMaintenanceWindow": "sun:23:00-mon:00:15"},  # both cross midnight
    {"dbMaintenanceWindow": "sat:23:00-sun:03:30"},  # crosses into Sunday's 03:00 backup
])
def test_backup_window_overlapping_the_maintenance_window_is_refused(aws):
    msg = error("prod", aws)
    assert "data-platform:aws.dbBackupWindow" in msg and "does not overlap dbMaintenanceWindow" in msg


def test_windows_that_only_touch_or_wrap_apart_are_accepted():
    a = load("prod", {"dbBackupWindow": "23:30-00:30", "dbMaintenanceWindow": "sun:00:30-sun:01:30"}).aws
    assert a.db_backup_window == "23:30-00:30"


@pytest.mark.parametrize("key,value", [
    ("dbBackupWindow", "25:00-26:00"), ("dbBackupWindow", "03:00-03:15"), ("dbBackupWindow", "03:00-3:45"),
    ("dbMaintenanceWindow", "sun:04:00-sun:04:20"), ("dbMaintenanceWindow", "sun:04:00-sun:04:60"), ("dbMaintenanceWindow", "dim:04:00-dim:05:00"),
])
def test_malformed_or_short_windows_are_refused(key, value):
    msg = error("prod", {key: value})
    assert f"data-platform:aws.{key} = {value!r} is not valid: a UTC window" in msg and "\n" not in msg


@pytest.mark.parametrize("days,ok", [(7, True), (31, True), (93, True), (713, True), (731, True), (30, False), (94, False), (365, False), (744, False)])
def test_performance_insights_retention_is_what_rds_accepts(days, ok):
    if ok:
        assert load("prod", {"dbPerformanceInsightsRetentionDays": days}).aws.db_performance_insights_retention_days == days
    else:
        assert "data-platform:aws.dbPerformanceInsightsRetentionDays" in error("prod", {"dbPerformanceInsightsRetentionDays": days})


def test_storage_ceiling_must_be_ten_percent_above_the_allocation():
    assert "at least 110" in error("prod", {"dbAllocatedStorageGb": 100, "dbMaxAllocatedStorageGb": 105})
    assert load("prod", {"dbAllocatedStorageGb": 100, "dbMaxAllocatedStorageGb": 110}).aws.db_max_allocated_storage_gb == 110


@pytest.mark.parametrize("stack", ["Prod", "prod_eu", "x" * 25, "prod--eu", "prod-", "1prod"])
def test_aws_stack_names_that_would_make_invalid_bucket_or_rds_names_are_refused(stack):
    raw = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com"}
    with pytest.raises(settings_mod.SettingsError) as e:
        load_settings(raw, stack)
    assert str(e.value).startswith(f"Pulumi.{stack}.yaml: stack name = {stack!r} is not valid: on the aws cloud")


def test_the_longest_aws_stack_name_fits_every_bucket_name_and_its_replica():
    from clouds.aws.names import DATA_ROLES, LOGS_ROLE, REPLICATED_STACK_NAME_MAX, bucket_name, replica_bucket_name
    from clouds.aws.settings import STACK_NAME_MAX, aws_stack_name

    stack = aws_stack_name("p" * STACK_NAME_MAX)
    for role in (*DATA_ROLES, LOGS_ROLE):
        assert len(bucket_name("data-platform", stack, role, "123456789012")) <= 63
    with pytest.raises(ValueError):
        bucket_name("data-platform", "p" * (STACK_NAME_MAX + 1), max((*DATA_ROLES, LOGS_ROLE), key=len), "123456789012")
    replicated = "p" * REPLICATED_STACK_NAME_MAX
    for role in DATA_ROLES:
        replica_bucket_name(bucket_name("data-platform", replicated, role, "123456789012"))
    with pytest.raises(ValueError):
        replica_bucket_name(bucket_name("data-platform", replicated + "p", max(DATA_ROLES, key=len), "123456789012"))


def test_alb_certificate_of_another_account_than_the_allowed_ones_is_refused():
    cert = "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    aws = {"loadBalancer": "alb", "albCertificateArn": cert, "allowedAccountIds": ["123456789012"]}
    assert "data-platform:aws.albCertificateArn" in error("prod", aws) and "its own account" in error("prod", aws)
    assert load("prod", {**aws, "allowedAccountIds": ["210987654321"]}).aws.alb_certificate_arn == cert


def test_a_stack_name_too_long_for_its_dr_replicas_is_refused_before_any_registration(tmp_path):
    from clouds.aws.names import REPLICATED_STACK_NAME_MAX
    from conftest import run_config
    from offline_plan.runner import PlanError

    stack = "p" * (REPLICATED_STACK_NAME_MAX + 1)
    config = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
              "aws:region": "eu-west-1", "data-platform:aws": {"drRegion": "eu-central-1"}}
    with pytest.raises(PlanError, match=f"stack name = '{stack}' is not valid: at most {REPLICATED_STACK_NAME_MAX} characters with data-platform:aws.drRegion"):
        run_config(config, tmp_path, stack=stack)
