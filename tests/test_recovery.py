"""Backup schedules and recovery objectives: cron gaps, the RPO rules (good and bad configs),
and the `recoveryPoints` output and the PostgreSQL archive_timeout the plan really carries."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offline_plan.mocks import ACCOUNT
from program import load_settings as load
from settings import SettingsError, checks, recovery
from settings.checks import Invalid
from settings.cron import max_gap_minutes

CNPG_CLUSTER = "kubernetes:postgresql.cnpg.io/v1:Cluster"


def cfg(**kw):
    return {f"data-platform:{k}": v for k, v in kw.items()}


def aws(env: str, aws_section: dict | None = None, **kw):
    section = {"drRegion": "eu-central-1", **(aws_section or {})} if env == "prod" else aws_section
    return cfg(cloud="aws", environment=env, acmeEmail="ops@example.com", **({"aws": section} if section else {}), **kw)


def error(raw, stack="x") -> str:
    with pytest.raises(SettingsError) as e:
        load(raw, stack)
    return str(e.value)


# --- cron: ranges and the longest gap between runs -------------------------------------------

@pytest.mark.parametrize("bad", ["60 0 * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 8", "5-1 * * * *", "0 0 30 2 *"])
def test_cron_out_of_range_or_never_firing_is_refused(bad):
    with pytest.raises(Invalid):
        checks.cron(bad)


@pytest.mark.parametrize("schedule, minutes", [
    ("0 0 * * *", 1440), ("0 0,6,12,18 * * *", 360), ("*/15 * * * *", 15), ("0 0 * * 0", 7 * 1440),
    ("0 2 * * 1-5", 3 * 1440), ("30 23 * * 1-5", 3 * 1440), ("0 0 1 * *", 31 * 1440), ("0 0 29 2 *", 1461 * 1440),
])
def test_max_gap_of_known_schedules(schedule, minutes):
    assert max_gap_minutes(schedule) == minutes


def _brute_gap(minutes: set[int], hours: set[int], dows: set[int]) -> int:
    """Walk three weeks minute by minute, firing where cron would, and measure the middle week."""
    start = dt.datetime(2025, 1, 6)  # a Monday
    runs = [i for i in range(21 * 1440)
            if (t := start + dt.timedelta(minutes=i)).minute in minutes and t.hour in hours and t.isoweekday() % 7 in dows]
    return max(b - a for a, b in zip(runs, runs[1:]) if a >= 7 * 1440 or b >= 7 * 1440)


@settings(max_examples=30, deadline=None)
@given(st.sets(st.integers(0, 59), min_size=1, max_size=4), st.sets(st.integers(0, 23), min_size=1, max_size=4),
       st.one_of(st.none(), st.sets(st.integers(0, 6), min_size=1, max_size=3)))
def test_max_gap_matches_a_walk_of_the_calendar(minutes, hours, dows):
    dow_field = "*" if dows is None else ",".join(map(str, sorted(dows)))
    schedule = f"{','.join(map(str, sorted(minutes)))} {','.join(map(str, sorted(hours)))} * * {dow_field}"
    assert max_gap_minutes(schedule) == _brute_gap(minutes, hours, set(range(7)) if dows is None else dows)


# --- targets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("env, rpo, rto", [("dev", "24h", "24h"), ("staging", "4h", "4h"), ("prod", "15m", "1h"), ("dr", "15m", "1h")])
def test_targets_are_the_seeds_table(env, rpo, rto):
    b = load(cfg(environment=env), "x").backups
    assert (b.rpo, b.rto) == (rpo, rto)


def test_seed_schedule_defaults():
    s = load(aws("prod"), "prod")
    assert s.postgres.backup_schedule == "0 0 * * *" and s.aws.db_backup_window.startswith("00:00")
    assert s.postgres.archive_timeout == "5m"


# --- RPO rules: good and bad --------------------------------------------------------------------

def test_prod_refuses_an_archive_timeout_longer_than_its_rpo():
    msg = error(cfg(environment="prod", postgres={"archiveTimeout": "30m"}), "prod-local")
    assert msg == ("Pulumi.prod-local.yaml: data-platform:postgres.archiveTimeout = '30m' is not valid: at most the RPO target "
                   "backups.rpo = 15m (prod): WAL not yet archived is what a lost cluster loses")


def test_dev_accepts_the_same_archive_timeout():
    assert load(cfg(environment="dev", postgres={"archiveTimeout": "30m"}), "dev").postgres.archive_timeout == "30m"


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 48 * 60), st.integers(1, 48 * 60))
def test_archive_timeout_is_accepted_iff_within_the_rpo(timeout_min, rpo_min):
    raw = cfg(environment="staging", postgres={"archiveTimeout": f"{timeout_min}m"}, backups={"rpo": f"{rpo_min}m"})
    if timeout_min <= rpo_min:
        assert load(raw, "x").postgres.archive_timeout == f"{timeout_min}m"
    else:
        assert "postgres.archiveTimeout" in error(raw)


def test_a_tighter_rpo_than_rds_can_give_is_refused_on_aws():
    msg = error(aws("prod", backups={"rpo": "2m"}), "prod")
    assert "data-platform:backups.rpo = '2m'" in msg and "RDS copies transaction logs" in msg and "\n" not in msg
    assert load(aws("prod", backups={"rpo": "5m"}), "prod").backups.rpo == "5m"


@pytest.mark.parametrize("bad", ["15", "15s", "0m", "1w", "", "soon"])
def test_rpo_must_be_a_duration(bad):
    assert "data-platform:backups.rpo" in error(cfg(backups={"rpo": bad}))


# --- what the configuration gives ------------------------------------------------------------

def test_recovery_points_say_how_each_store_is_recovered():
    local = recovery.outputs(load(cfg(environment="prod"), "prod-local"))
    assert local["target"] == {"rpo": "15m", "rto": "1h"}
    assert local["postgres"]["worstCaseRpo"] == "5m" and local["postgres"]["meetsTarget"] is True
    assert "archive_timeout" in local["postgres"]["how"] and "same cluster" in local["postgres"]["siteLoss"]
    on_aws = recovery.outputs(load(aws("prod"), "prod"))
    assert on_aws["postgres"]["worstCaseRpo"] == "5m" and "RDS point-in-time" in on_aws["postgres"]["how"]
    assert on_aws["objectStore"]["meetsTarget"] is True and "versioning" in on_aws["objectStore"]["how"]


def test_in_cluster_postgres_on_s3_says_what_leaves_the_region():
    with_dr = recovery.outputs(load(aws("prod", database="in-cluster"), "prod"))["postgres"]["siteLoss"]
    without = recovery.outputs(load(aws("staging", database="in-cluster"), "staging"))["postgres"]["siteLoss"]
    assert "AWS Backup copy in eu-central-1" in with_dr and without.startswith("nothing")


def test_in_cluster_postgres_on_cloud_storage_names_its_bucket_not_s3():
    """GCP's section says where the archive goes (it used to fall through to AWS's wording)."""
    raw = cfg(cloud="gcp", environment="staging", acmeEmail="ops@example.com", database="in-cluster")
    pg = recovery.outputs(load({**raw, "gcp:project": "acme-data"}, "staging"))["postgres"]
    assert "Cloud Storage backups bucket" in pg["how"] and "S3" not in pg["how"] + pg["siteLoss"]
    assert pg["siteLoss"].startswith("nothing")


def test_a_cloud_storage_lake_reports_its_buckets_not_minio():
    """gcp-prod runs no MinIO: the lake's recovery point is Cloud Storage's (it used to describe
    a MinIO that the stack does not deploy), with the stack's versioning and soft-delete days."""
    raw = cfg(cloud="gcp", environment="prod", acmeEmail="ops@example.com", gcp={"softDeleteDays": 14})
    lake = recovery.outputs(load({**raw, "gcp:project": "acme-data"}, "gcp-prod"))["objectStore"]
    assert "MinIO" not in lake["how"] and "Cloud Storage" in lake["how"]
    assert "14 day(s)" in lake["how"] and "90 day(s)" in lake["how"]
    assert lake["siteLoss"].startswith("nothing") and lake["worstCaseRpo"] == "0"
    minio = recovery.outputs(load({**raw, "gcp:project": "acme-data", "data-platform:objectStore": "minio"}, "gcp-prod"))["objectStore"]
    assert "MinIO" in minio["how"]


def test_a_lone_minio_server_is_reported_as_unbounded():
    dev = recovery.outputs(load(cfg(), "dev"))["objectStore"]
    assert dev["worstCaseRpo"] == "unbounded" and dev["meetsTarget"] is False


def test_the_plan_exports_recovery_points_and_sets_archive_timeout(plan_stack):
    dev = plan_stack("dev")
    assert dev.outputs["recoveryPoints"]["postgres"]["worstCaseRpo"] == "5m"
    (cluster,) = dev.by_type(CNPG_CLUSTER)
    assert cluster.inputs["spec"]["postgresql"]["parameters"]["archive_timeout"] == "300s"


# --- copies outside the region (AWS) ---------------------------------------------------------

REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"


def test_prod_on_aws_refuses_to_keep_its_database_backups_in_one_region():
    msg = error(cfg(cloud="aws", environment="prod", acmeEmail="ops@example.com"), "prod")
    assert msg.startswith("Pulumi.prod.yaml: data-platform:aws.drRegion = <missing> is not valid: an AWS region other than aws:region")
    assert load(aws("staging"), "staging").aws.dr_region is None  # staging's 4h RPO does not ask for it


def test_the_dr_region_is_where_rds_backups_are_replicated(plan_stack):
    prod = plan_stack("prod")
    (rep,) = prod.by_type(REPLICATION)
    (dr,) = [p for p in prod.by_type("pulumi:providers:aws") if p.name == "prod-aws-dr"]
    assert dr.inputs["region"] == "eu-central-1" and rep.provider.startswith(dr.urn + "::")
    assert rep.inputs["sourceDbInstanceArn"] == f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:prod-postgres"
    assert rep.inputs["retentionPeriod"] == 30 and rep.protect
    # The key is the DR region's own (a KMS key cannot encrypt outside its region).
    dr_keys = {k.name for k in prod.by_type("aws:kms/key:Key") if k.provider.startswith(dr.urn + "::")}
    assert rep.inputs["kmsKeyId"].startswith(f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/") and "prod-rds-dr" in dr_keys
    site = prod.outputs["recoveryPoints"]["postgres"]["siteLoss"]
    assert "replicated to eu-central-1" in site
    assert not plan_stack("staging").by_type(REPLICATION)


def test_a_dr_region_equal_to_the_stacks_region_is_refused(plan_config):
    from offline_plan.runner import PlanError

    with pytest.raises(PlanError) as e:
        plan_config({"cloud": "aws", "environment": "prod", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1",
                     "aws": {"drRegion": "eu-west-1"}}, stack="samedr")
    assert "data-platform:aws.drRegion = 'eu-west-1' is not valid: a region other than aws:region" in str(e.value)


def azure(env: str, azure_section: dict | None = None, **kw):
    return cfg(cloud="azure", environment=env, acmeEmail="ops@example.com", **({"azure": azure_section} if azure_section else {}), **kw)


def test_on_azure_the_lake_is_reported_as_adls_and_the_snapshots_in_their_own_account():
    """No MinIO on Azure any more: the lake's recovery is the ADLS account's, and Elasticsearch's
    snapshots are in their own keyed account (8.15 reads Azure Blob with keys only), replicated
    like the lake: GZRS in prod survives the region, ZRS in staging does not."""
    points = recovery.outputs(load(azure("prod"), "azure-prod"))
    lake = points["objectStore"]
    assert "ADLS Gen2 lake (Standard_GZRS)" in lake["how"] and "MinIO" not in lake["how"]
    assert lake["worstCaseRpo"] == "0" and "paired region" in lake["siteLoss"]
    es = points["elasticsearch"]
    assert es["worstCaseRpo"] == "24h" and "es-backups container of Elasticsearch's own storage account (Standard_GZRS" in es["how"]
    assert "paired region" in es["siteLoss"]
    staging = recovery.outputs(load(azure("staging"), "azure-staging"))
    assert staging["objectStore"]["siteLoss"].startswith("nothing")  # ZRS: one region
    assert staging["elasticsearch"]["siteLoss"].startswith("nothing") and "Standard_ZRS" in staging["elasticsearch"]["how"]


def test_the_minio_mirror_is_refused_on_azure_where_nothing_runs_minio():
    msg = error(azure("prod", backups={"mirrorEndpoint": "https://backup.example.com", "mirrorBucket": "lake", "mirrorCredentialsSecret": "s"}), "azure-prod")
    assert "backups.mirrorEndpoint" in msg and "objectStore: native" in msg
