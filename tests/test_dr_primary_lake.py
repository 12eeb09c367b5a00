"""The dr stack reads prod's lake replicas (aws.primaryStack): its bronze, silver and gold are the
buckets prod replicates into eu-central-1, under prod's replica key; its identities may touch
exactly those and that key; what it writes there replicates back out for failback; a primary
without replicas in this region stops the plan in one line."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import ROOT, run_config
from offline_plan.mocks import ACCOUNT
from offline_plan.runner import PlanError
from program import load_settings as load
from settings import SettingsError

LAKE = ("bronze", "silver", "gold")
REPLICATED = "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz0123"


def replica(role: str, stack: str = "prod") -> str:
    return f"data-platform-{stack}-{role}-{ACCOUNT}-replica"


def dr_config() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.dr.yaml").read_text())["config"]


@pytest.fixture(scope="module")
def dr(plan_stack):
    return plan_stack("dr")


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("prod")


@pytest.fixture(scope="module")
def failover(plan_config):
    """The runbook's failover change (the same config as test_dr_stack's, so one plan)."""
    config = dr_config()
    config["data-platform:backups"] = {"standby": False}
    config["data-platform:aws"] = {**config["data-platform:aws"], "dbRestoreSource": REPLICATED, "dbInstanceIdentifier": "dr-postgres"}
    return plan_config(config, stack="dr")


def policy_of(plan, name: str) -> dict:
    (p,) = [r for r in plan.by_type("aws:iam/rolePolicy:RolePolicy") if r.name == name]
    return json.loads(p.inputs["policy"])


def statement(doc: dict, sid: str) -> dict:
    (s,) = [s for s in doc["Statement"] if s["Sid"] == sid]
    return s


def as_list(v) -> list:
    return v if isinstance(v, list) else [v]


def test_prod_exports_what_dr_reads_and_dr_finds_the_same(dr, prod):
    exported = prod.outputs["lakeReplicas"]
    assert exported["region"] == "eu-central-1"
    assert exported["buckets"]["bronze"] == replica("bronze")
    read = dr.outputs["primaryLake"]
    assert read["stack"] == "prod" and read["buckets"] == {r: exported["buckets"][r] for r in LAKE}
    # The key dr looks up by alias (alias/prod-s3-replica, in its own region) is the one prod creates there.
    assert read["kmsKeyArn"] == exported["kmsKeyArn"] and read["kmsKeyArn"].startswith(f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/")


def test_the_lake_roles_are_prods_replicas_and_dr_owns_no_copy_of_them(dr):
    buckets = dr.outputs["dataLakeBuckets"]
    assert {r: buckets[r] for r in LAKE} == {r: replica(r) for r in LAKE}
    # Every consumer's own bucket stays the dr stack's.
    assert {r: b for r, b in buckets.items() if r not in LAKE} == {
        r: f"data-platform-dr-{r}-{ACCOUNT}" for r in ("backups", "airbyte", "dremio", "velero", "es-backups")}
    owned = {b.inputs["bucket"] for b in dr.by_type("aws:s3/bucket:Bucket")}
    assert not {f"data-platform-dr-{r}-{ACCOUNT}" for r in LAKE} & owned
    assert not {replica(r) for r in LAKE} & owned  # read, never created or adopted
    # Dremio's `lake` source reads the same buckets.
    assert replica("gold") in json.dumps([r.inputs for r in dr.registrations if "dremio" in r.name])


def test_identities_cover_exactly_the_buckets_they_use_and_their_keys(dr):
    primary_key = dr.outputs["primaryLake"]["kmsKeyArn"]
    dremio = policy_of(dr, "dr-dremio")
    assert as_list(statement(dremio, "ListOwnBuckets")["Resource"]) == [*(f"arn:aws:s3:::{replica(r)}" for r in LAKE), f"arn:aws:s3:::data-platform-dr-dremio-{ACCOUNT}"]
    keys = as_list(statement(dremio, "DataLakeKey")["Resource"])
    assert primary_key in keys and len(keys) == 2  # its own bucket's key (the dr lake key) and prod's replicas'
    airbyte = policy_of(dr, "dr-airbyte")
    assert as_list(statement(airbyte, "ListOwnBuckets")["Resource"]) == [f"arn:aws:s3:::{replica('bronze')}", f"arn:aws:s3:::data-platform-dr-airbyte-{ACCOUNT}"]
    # Velero and Elasticsearch never touch the lake: prod's replica key is not theirs.
    others = [r.name for r in dr.by_type("aws:iam/rolePolicy:RolePolicy") if r.name in ("dr-velero", "dr-elasticsearch", "dr-postgres")]
    for app in others:
        doc = json.dumps(policy_of(dr, app))
        assert primary_key not in doc and not any(replica(r) in doc for r in LAKE)


def test_what_dr_writes_into_the_replicas_replicates_back_for_failback(dr):
    configs = {c.inputs["bucket"]: c.inputs for c in dr.by_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")}
    for r in LAKE:
        rule = configs[replica(r)]["rules"][0]
        assert rule["destination"]["bucket"] == f"arn:aws:s3:::data-platform-dr-{r}-{ACCOUNT}-replica"
        assert rule["id"] == "replicate-to-eu-west-1" and rule["deleteMarkerReplication"] == {"status": "Enabled"}
    doc = policy_of(dr, "dr-s3-replication")
    decrypt = statement(doc, "DecryptSources")
    assert dr.outputs["primaryLake"]["kmsKeyArn"] in decrypt["Resource"] and len(decrypt["Resource"]) == 2
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}}
    assert {f"arn:aws:s3:::{replica(r)}/*" for r in LAKE} <= set(statement(doc, "ReadSourceVersions")["Resource"])


def test_standing_by_dr_leaves_prods_replicas_to_prods_backups_then_backs_them_up_once_it_runs(dr, failover):
    def selected(plan):
        (sel,) = plan.by_type("aws:backup/selection:Selection")
        return set(sel.inputs["resources"])

    lake_arns = {f"arn:aws:s3:::{replica(r)}" for r in LAKE}
    assert not lake_arns & selected(dr)
    assert lake_arns <= selected(failover)
    key = policy_of(failover, "dr-backup-lake-key")
    assert failover.outputs["primaryLake"]["kmsKeyArn"] in as_list(statement(key, "DataLakeKey")["Resource"])


def raw(environment: str, aws: dict, **top) -> dict:
    return {"data-platform:cloud": "aws", "data-platform:environment": environment, "data-platform:acmeEmail": "ops@example.com",
            "data-platform:aws": aws, **{f"data-platform:{k}": v for k, v in top.items()}}


@pytest.mark.parametrize("config, stack, value", [
    (raw("dr", {"drRegion": "eu-west-1"}), "dr", "(missing)"),
    (raw("prod", {"drRegion": "eu-central-1", "primaryStack": "dr"}), "prod", "'dr'"),
    (raw("dr", {"primaryStack": "prod"}, objectStore="minio"), "dr", "'prod'"),
    (raw("dr", {"primaryStack": "dr"}), "dr", "'dr'"),
])
def test_primary_stack_is_required_on_a_dr_stack_and_refused_elsewhere(config, stack, value):
    with pytest.raises(SettingsError) as e:
        load(config, stack)
    msg = str(e.value)
    assert "data-platform:aws.primaryStack" in msg and "\n" not in msg
    assert value in msg or value == "(missing)"


def test_a_primary_without_replicas_here_stops_the_plan_in_one_line(tmp_path, monkeypatch):
    import offline_plan.mocks as mocks

    real = mocks.call

    def no_key(token, args):
        if token == "aws:kms/getKey:getKey" and args.get("keyId") == "alias/staging-s3-replica":
            raise mocks.InvokeFailure("NotFoundException: Alias arn:aws:kms:eu-central-1:123456789012:alias/staging-s3-replica is not found.")
        return real(token, args)

    monkeypatch.setattr(mocks, "call", no_key)
    config = dr_config()
    config["data-platform:aws"] = {**config["data-platform:aws"], "primaryStack": "staging"}
    with pytest.raises(PlanError) as e:
        run_config(config, tmp_path, stack="dr")
    msg = str(e.value)
    assert msg.startswith("Pulumi.dr.yaml: data-platform:aws.primaryStack = 'staging' is not valid: the KMS key alias/staging-s3-replica is not in eu-central-1")
    assert "NotFoundException" in msg and "\n" not in msg and "Traceback" not in msg


def test_a_replica_bucket_in_another_region_is_refused(tmp_path, monkeypatch):
    import offline_plan.mocks as mocks

    real = mocks.call

    def elsewhere(token, args):
        out = real(token, args)
        return {**out, "region": "us-east-1"} if token == "aws:s3/getBucket:getBucket" else out

    monkeypatch.setattr(mocks, "call", elsewhere)
    with pytest.raises(PlanError, match=rf"aws.primaryStack = 'prod' is not valid: the bucket {replica('bronze')} is not in eu-central-1 \(it is in us-east-1\)"):
        run_config(dr_config(), tmp_path, stack="dr")


def test_the_rpo_output_says_where_the_lake_starts_from_at_failover(failover, prod):
    how = failover.outputs["recoveryPoints"]["objectStore"]["how"]
    assert how.startswith("bronze, silver and gold are prod's S3 replicas in this region (aws.primaryStack)")
    assert "prod-backup-dr vault" in how and "replicated continuously to eu-west-1" in failover.outputs["recoveryPoints"]["objectStore"]["siteLoss"]
    assert "aws.primaryStack" not in prod.outputs["recoveryPoints"]["objectStore"]["how"]


def test_the_alias_dr_looks_up_is_the_one_prod_creates(prod):
    from clouds.aws.names import replica_key_alias

    (alias,) = [a for a in prod.by_type("aws:kms/alias:Alias") if a.name == "prod-s3-replica"]
    assert alias.inputs["name"] == replica_key_alias("prod") == "alias/prod-s3-replica"
