"""The MinIO lake mirror (issue 9 item 3, MinIO part): a daily `mc mirror` of bronze, silver and
gold to an S3-compatible target given by config, at the object-storage time (01:00 UTC), with a
read-only source user, the target's keys from a named Secret, egress to the target only, and an
alert when it fails. Off unless configured; prod-local shows it."""

from __future__ import annotations

import json

import pytest

from components.backups.minio_mirror import script, target_port
from program import load_settings as load
from settings import SettingsError
from settings.sections.minio import DEFAULT_MC_IMAGE

CRON = "kubernetes:batch/v1:CronJob"
NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
MIRROR = {"mirrorEndpoint": "http://backup-minio.example.net:9000", "mirrorBucket": "lake-copy", "mirrorCredentialsSecret": "mirror-keys"}


def mirror_cron(plan) -> dict:
    return plan.one(CRON, "lake-mirror").inputs["spec"]


def test_prod_local_mirrors_the_lake_daily_at_01_00_utc_with_pinned_mc(plan_stack):
    plan = plan_stack("prod-local")
    spec = mirror_cron(plan)
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == ("0 1 * * *", "Etc/UTC", "Forbid")
    (c,) = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert c["image"] == DEFAULT_MC_IMAGE and ":RELEASE." in c["image"]  # the pinned mc of the MinIO Jobs
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in c["env"] if "valueFrom" in e}
    assert refs["DST_ACCESS_KEY"] == {"name": "lake-mirror-target", "key": "accessKey"}
    assert refs["SRC_ACCESS_KEY"]["name"] == "minio-lake-mirror"
    cmd = c["command"][-1]
    for b in ("bronze", "silver", "gold"):
        assert f"src/{b} dst/data-platform-lake/prod-local/{b}" in cmd
    assert "--remove" not in cmd and "SECRET_KEY\"" in cmd  # keys only through the environment
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False and set(c["resources"]) == {"requests", "limits"}


def test_the_source_user_may_only_read_the_lake(plan_stack):
    (cm,) = [r for r in plan_stack("prod-local").by_type("kubernetes:core/v1:ConfigMap") if r.name == "minio-policies"]
    doc = json.loads(cm.inputs["data"]["lake-mirror.json"])
    actions = {a for st in doc["Statement"] for a in st["Action"]}
    assert actions == {"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"}
    assert {r.split(":::")[1].split("/")[0] for st in doc["Statement"] for r in st["Resource"]} == {"bronze", "silver", "gold"}


def test_egress_goes_to_minio_and_the_target_only(plan_stack, plan_config):
    policies = {r.name: r.inputs["spec"] for r in plan_stack("prod-local").by_type(NP)}
    egress = policies["data-storage-lake-mirror"]["egress"]
    assert [([p["port"] for p in r["ports"]], [t.get("ipBlock") for t in r["to"]]) for r in egress] == \
        [([9000], [None]), ([443], [{"cidr": "203.0.113.0/24"}])]
    minio_from = [peer.get("podSelector", {}).get("matchLabels", {}) for r in policies["data-storage-minio"]["ingress"] for peer in r["from"]]
    assert {"app.kubernetes.io/name": "lake-mirror", "app.kubernetes.io/instance": "lake-mirror"} in minio_from
    # Without mirrorCidrs: the endpoint's port, anywhere outside the cluster.
    open_ = {r.name: r.inputs["spec"] for r in plan_config({"backups": MIRROR}).by_type(NP)}["data-storage-lake-mirror"]["egress"][1]
    assert [p["port"] for p in open_["ports"]] == [9000] and open_["to"][0]["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert open_["to"][0]["ipBlock"]["except"]


def test_a_failed_or_missing_mirror_alerts_with_a_runbook(plan_stack):
    (rule,) = plan_stack("prod-local").by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {r["alert"]: r for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert 'job_name=~"lake-mirror-.*"' in alerts["LakeMirrorFailed"]["expr"]
    assert alerts["LakeMirrorTooOld"]["annotations"]["runbook_url"].endswith("object-store.md#lakemirrortooold")


def test_off_unless_configured(plan_stack):
    dev = plan_stack("dev")
    assert not [r for r in dev.by_type(CRON) if r.name == "lake-mirror"]
    (cm,) = [r for r in dev.by_type("kubernetes:core/v1:ConfigMap") if r.name == "minio-policies"]
    assert "lake-mirror.json" not in cm.inputs["data"]
    assert dev.outputs["recoveryPoints"]["objectStore"]["siteLoss"].startswith("nothing")


def test_recovery_points_say_the_lake_survives_a_site_loss_in_the_mirror(plan_stack):
    site = plan_stack("prod-local").outputs["recoveryPoints"]["objectStore"]["siteLoss"]
    assert "mirrored on '0 1 * * *' UTC" in site and "https://objects.dr.example.internal" in site


def raw(backups: dict, **kw) -> dict:
    return {"data-platform:cloud": "local", "data-platform:backups": backups, **{f"data-platform:{k}": v for k, v in kw.items()}}


@pytest.mark.parametrize("backups, key", [
    ({"mirrorEndpoint": "http://m:9000", "mirrorCredentialsSecret": "k"}, "backups.mirrorBucket"),
    ({"mirrorEndpoint": "http://m:9000", "mirrorBucket": "bkt"}, "backups.mirrorCredentialsSecret"),
    ({"mirrorBucket": "bkt"}, "backups.mirrorEndpoint"),
    ({**MIRROR, "mirrorEndpoint": "ftp://m"}, "backups.mirrorEndpoint"),
    ({**MIRROR, "mirrorCidrs": ["10.0.0.1/8"]}, "backups.mirrorCidrs"),
])
def test_incomplete_or_bad_mirror_config_is_refused_naming_the_key(backups, key):
    with pytest.raises(SettingsError, match=rf"data-platform:{key} "):
        load(raw(backups), "x")


def test_the_mirror_is_refused_on_cloud_buckets():
    config = {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:acmeEmail": "ops@example.com",
              "data-platform:backups": MIRROR}
    with pytest.raises(SettingsError, match="backups.mirrorEndpoint.*objectStore: native"):
        load(config, "x")


@pytest.mark.parametrize("endpoint, port", [("https://s3.example.com", 443), ("http://m.example.com", 80), ("http://m:9000", 9000)])
def test_target_port(endpoint, port):
    assert target_port(endpoint) == port


def test_prefix_and_trailing_slashes():
    s = script("http://minio:9000", "https://t.example.com/", "bucket/prefix/")
    assert 'mc alias set dst "https://t.example.com"' in s and "src/gold dst/bucket/prefix/gold" in s
