"""Dremio's catalog backups do not accumulate: every store that can hold them (S3, Cloud Storage,
the in-cluster MinIO) expires what is under `<distPath>/backups/` of Dremio's bucket after
backups.configRetentionDays, the prefix the backup job writes to."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps.dremio.catalog_backup import backup_dir
from components.apps.dremio.config import dist_uri
from components.data_services.minio import bootstrap_script, lifecycle_json
from program import load_settings as load
from settings.catalog_backups import RULE_ID, PrefixExpiry, catalog_backup_expiry, catalog_backup_prefix

LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


@given(bucket=st.from_regex(r"[a-z0-9][a-z0-9-]{2,20}", fullmatch=True),
       path=st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}(/[a-z0-9][a-z0-9._-]{0,10}){0,2}/?", fullmatch=True))
def test_the_expired_prefix_is_where_the_job_writes(bucket, path):
    assert backup_dir(dist_uri(bucket, path)) + "/" == f"dremioS3:///{bucket}/{catalog_backup_prefix(path)}"


def test_kept_as_long_as_the_other_metadata_backups_and_only_when_taken():
    e = catalog_backup_expiry(load({"data-platform:environment": "prod"}, "prod-local"))
    assert e == PrefixExpiry(RULE_ID, "dremio", "dremio/backups/", 30)
    e = catalog_backup_expiry(load({"data-platform:dremio": {"distBucket": "gold", "distPath": "lake/dremio"},
                                    "data-platform:backups": {"configRetentionDays": 3}}, "dev"))
    assert e == PrefixExpiry(RULE_ID, "gold", "lake/dremio/backups/", 3)
    assert catalog_backup_expiry(load({"data-platform:dremio": {"bootstrapAdmin": False}}, "dev")) is None


def rules_of(plan, bucket_suffix: str) -> list[dict]:
    (lc,) = [r for r in plan.by_type(LIFECYCLE) if r.name == f"{plan.stack}-{bucket_suffix}"]
    return lc.inputs["rules"]


@pytest.mark.parametrize("stack, days", [("prod", 30), ("staging", 14)])
def test_s3_expires_them_in_dremios_bucket_only(plan_stack, stack, days):
    plan = plan_stack(stack)
    (rule,) = [r for r in rules_of(plan, "dremio") if r["id"] == RULE_ID]
    assert rule == {"id": RULE_ID, "status": "Enabled", "filter": {"prefix": "dremio/backups/"}, "expiration": {"days": days}}
    # The bucket is versioned: the expired backup becomes a noncurrent version, which expires too.
    assert any("noncurrentVersionExpiration" in r for r in rules_of(plan, "dremio"))
    others = [r for lc in plan.by_type(LIFECYCLE) if lc.name not in (f"{stack}-dremio", f"{stack}-dremio-replica") for r in lc.inputs["rules"]]
    assert not [r for r in others if r["id"] == RULE_ID]


def test_dremios_dr_replica_expires_them_too(plan_stack):
    """S3 does not replicate lifecycle expirations: without its own rule the replica would keep
    every backup forever."""
    plan = plan_stack("prod")
    (rule,) = [r for r in rules_of(plan, "dremio-replica") if r["id"] == RULE_ID]
    assert rule["filter"] == {"prefix": "dremio/backups/"} and rule["expiration"] == {"days": 30}
    assert not [r for lc in plan.by_type(LIFECYCLE) if lc.name.endswith("-replica") and lc.name != "prod-dremio-replica"
                for r in lc.inputs["rules"] if r["id"] == RULE_ID]


def test_cloud_storage_expires_them_in_dremios_bucket(plan_stack):
    plan = plan_stack("gcp-prod")
    buckets = {b.inputs["name"]: b.inputs for b in plan.by_type("gcp:storage/bucket:Bucket")}
    (dremio,) = [b for n, b in buckets.items() if n.endswith("-dremio")]
    expiring = [r for r in dremio["lifecycleRules"] if r["condition"].get("matchesPrefixes")]
    assert expiring == [{"action": {"type": "Delete"}, "condition": {"age": 30, "matchesPrefixes": ["dremio/backups/"], "withState": "LIVE"}}]
    assert not [r for n, b in buckets.items() if not n.endswith("-dremio") for r in b["lifecycleRules"] if r["condition"].get("matchesPrefixes")]


def test_adls_deletes_them_in_dremios_container(plan_stack):
    """Azure: Dremio's store is the lake's `dremio` container; the account's management policy
    deletes the backups (prefixMatch starts with the container), and only there."""
    (policy,) = plan_stack("azure-prod").by_type("azure-native:storage:ManagementPolicy")
    rules = {r["name"]: r for r in policy.inputs["policy"]["rules"]}
    expiring = rules[RULE_ID]["definition"]
    assert expiring["filters"]["prefixMatch"] == ["dremio/dremio/backups/"]
    assert expiring["actions"] == {"baseBlob": {"delete": {"daysAfterModificationGreaterThan": 30}}}
    assert [n for n, r in rules.items() if "delete" in r["definition"]["actions"].get("baseBlob", {})] == [RULE_ID]


def test_minio_imports_the_lifecycle_of_dremios_bucket(plan_stack):
    for stack, days in (("dev", 7), ("prod-local", 30)):
        (job,) = [r for r in plan_stack(stack).by_type("kubernetes:batch/v1:Job") if r.name == "minio-bootstrap"]
        script = json.dumps(job.inputs)
        expected = lifecycle_json([PrefixExpiry(RULE_ID, "dremio", "dremio/backups/", days)])
        assert json.dumps(f"echo '{expected}' | mc ilm rule import dp/dremio")[1:-1] in script, stack


def test_the_minio_lifecycle_is_what_mc_decodes():
    """`mc ilm rule import` JSON-decodes minio-go's lifecycle.Configuration: Rules[] of ID, Status,
    Filter.Prefix, Expiration.Days (minio-go v7.0.90, the version mc RELEASE.2025-08-13 builds with)."""
    doc = json.loads(lifecycle_json([PrefixExpiry(RULE_ID, "gold", "x/backups/", 5)]))
    assert doc == {"Rules": [{"ID": RULE_ID, "Status": "Enabled", "Filter": {"Prefix": "x/backups/"}, "Expiration": {"Days": 5}}]}
    script = bootstrap_script(load({}, "dev").minio,
                              "minio:9000", expiries=[PrefixExpiry(RULE_ID, "gold", "x/backups/", 5)])
    (line,) = [ln for ln in script.splitlines() if "ilm" in ln]
    assert re.fullmatch(r"echo '\{.*\}' \| mc ilm rule import dp/gold", line)
    # After the bucket exists.
    assert script.index("mc mb --ignore-existing dp/gold") < script.index(line)
    assert "ilm" not in bootstrap_script(load({}, "dev").minio, "minio:9000")
