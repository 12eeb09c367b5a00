"""Elasticsearch snapshots (issue 9 item 5): a repository on the object store and a snapshot
lifecycle policy at the 02:00 metadata time, kept per environment; credentials through ECK's
secure settings on MinIO (and on Azure: test_azure_snapshots.py), IRSA on AWS and Workload Identity on GKE, never in a manifest; the registration Job and the
check CronJob run against a fake Elasticsearch API; failing snapshots alert with a runbook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from components.backups.elasticsearch_snapshots import POLICY, REPOSITORY, check_script, register_script, repository_body, slm_policy, stale_ms
from components.data_services.es_snapshot_store import SECURE_KEYS
from program import load_settings as load
from settings import SettingsError
from settings.cron import CronError, elasticsearch_schedule
from tests.fake_http import JsonHandler

ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"
JOB = "kubernetes:batch/v1:Job"
CRON = "kubernetes:batch/v1:CronJob"
NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
needs_shell = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("sh")), reason="needs sh and curl")


def es_spec(plan) -> dict:
    return plan.one(ES, "elasticsearch").inputs["spec"]


@pytest.mark.parametrize("cron, es", [("0 2 * * *", "0 0 2 * * ?"), ("30 1 * * 1-5", "0 30 1 ? * 2-6"), ("0 3 1 * *", "0 0 3 1 * ?")])
def test_slm_schedule_is_the_cron_in_elasticsearch_syntax(cron, es):
    assert elasticsearch_schedule(cron) == slm_policy(cron, 7)["schedule"] == es


def test_a_schedule_slm_cannot_express_is_refused_naming_the_key():
    raw = {"data-platform:cloud": "local", "data-platform:backups": {"configSchedule": "0 2 1 * 1"}}
    with pytest.raises(SettingsError, match=r"data-platform:backups.configSchedule.*0 2 1 \* 1.*snapshot lifecycle"):
        load(raw, "x")
    load({**raw, "data-platform:backups": {"configSchedule": "0 2 1 * 1", "elasticsearchSnapshots": False}}, "x")
    with pytest.raises(CronError):
        elasticsearch_schedule("0 2 1 * 1")


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("prod-local", 30), ("prod", 30)])
def test_policy_at_02_00_kept_per_environment(plan_stack, stack, days):
    job = plan_stack(stack).one(JOB, "elasticsearch-snapshots")
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert f"_slm/policy/{POLICY}" in script and f"_snapshot/{REPOSITORY}" in script
    assert json.dumps(slm_policy("0 2 * * *", days)) in script
    assert f'"expire_after": "{days}d"' in script and '"schedule": "0 0 2 * * ?"' in script


def test_minio_keys_reach_the_keystore_only_through_secure_settings(plan_stack):
    plan = plan_stack("prod-local")
    spec = es_spec(plan)
    assert spec["secureSettings"] == [{"secretName": "elasticsearch-s3-client"}]
    (bootstrap,) = [r for r in plan.by_type(JOB) if r.name == "minio-bootstrap"]
    env = {e["name"]: e.get("valueFrom", {}).get("secretKeyRef") for e in bootstrap.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    # The MinIO user is created from the very Secret (and keys) ECK loads into the keystore.
    assert (env["ELASTICSEARCH_ACCESS_KEY"], env["ELASTICSEARCH_SECRET_KEY"]) == tuple({"name": "elasticsearch-s3-client", "key": k} for k in SECURE_KEYS)
    for ns in spec["nodeSets"]:
        config = ns["config"]
        assert config["s3.client.snapshots.endpoint"] == "minio.data-storage.svc.cluster.local:9000"
        assert config["s3.client.snapshots.path_style_access"] is True
        assert not any("key" in k for k in config), "keys are secure settings, never node settings"
    (cm,) = [r for r in plan.by_type("kubernetes:core/v1:ConfigMap") if r.name == "minio-policies"]
    doc = json.loads(cm.inputs["data"]["elasticsearch-snapshots.json"])
    assert {res for st in doc["Statement"] for res in st["Resource"]} == {"arn:aws:s3:::es-backups", "arn:aws:s3:::es-backups/*"}


def test_aws_uses_irsa_with_the_token_where_repository_s3_reads_it(plan_stack):
    plan = plan_stack("prod")
    spec = es_spec(plan)
    assert "secureSettings" not in spec
    sa = plan.one("kubernetes:core/v1:ServiceAccount", "elasticsearch-service-account").inputs
    assert sa["metadata"]["name"] == "elasticsearch" and "eks.amazonaws.com/role-arn" in sa["metadata"]["annotations"]
    for ns in spec["nodeSets"]:
        pod = ns["podTemplate"]["spec"]
        assert pod["serviceAccountName"] == "elasticsearch"
        (token,) = pod["volumes"][0]["projected"]["sources"]
        assert token["serviceAccountToken"]["audience"] == "sts.amazonaws.com"
        mount = pod["containers"][0]["volumeMounts"][0]
        assert f"{mount['mountPath']}/{token['serviceAccountToken']['path']}" == \
            "/usr/share/elasticsearch/config/repository-s3/aws-web-identity-token-file"
        assert ns["config"]["s3.client.snapshots.endpoint"] == "s3.eu-west-1.amazonaws.com"
    role = json.loads(plan.one("aws:iam/role:Role", "prod-elasticsearch").inputs["assumeRolePolicy"])
    (sub,) = [v for k, v in role["Statement"][0]["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert sub == "system:serviceaccount:data-storage:elasticsearch"


def test_gcp_uses_a_gcs_repository_on_its_bucket_with_workload_identity_and_no_key(plan_stack):
    plan = plan_stack("gcp-prod")
    job = plan.one(JOB, "elasticsearch-snapshots")
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    body = {"type": "gcs", "settings": {"bucket": "data-platform-prod-gcp-prod-es-backups", "base_path": "snapshots", "compress": True}}
    assert f"_snapshot/{REPOSITORY}\" -d '{json.dumps(body)}'" in script  # the `default` client: it always exists
    spec = es_spec(plan)
    assert "secureSettings" not in spec  # no credentials_file: repository-gcs falls back to ADC (the GKE metadata server)
    assert not [k for k in plan.by_type("gcp:serviceaccount/key:Key") if "elasticsearch" in k.name]  # no key file anywhere
    sa = plan.one("kubernetes:core/v1:ServiceAccount", "elasticsearch-service-account").inputs
    assert sa["metadata"]["annotations"] == {"iam.gke.io/gcp-service-account": "gcp-prod-elasticsearch@data-platform-prod.iam.gserviceaccount.com"}
    for ns in spec["nodeSets"]:
        pod = ns["podTemplate"]["spec"]
        assert pod["serviceAccountName"] == "elasticsearch" and "volumes" not in pod  # no token file: the metadata server answers
        assert not [k for k in ns["config"] if k.startswith(("s3.", "gcs."))]
    egress = {r.name: r.inputs["spec"] for r in plan.by_type(NP)}["data-storage-elasticsearch"]["egress"]
    assert {"ports": [{"port": 443, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]} in egress  # storage.googleapis.com


def test_repository_bodies_per_store():
    assert repository_body("b") == {"type": "s3", "settings": {"bucket": "b", "client": "snapshots", "base_path": "snapshots", "compress": True}}
    assert repository_body("b", "gcs") == {"type": "gcs", "settings": {"bucket": "b", "base_path": "snapshots", "compress": True}}
    assert repository_body("c", "azure") == {"type": "azure", "settings": {"container": "c", "base_path": "snapshots", "compress": True}}


def test_nodes_may_reach_the_object_store_and_the_jobs_may_reach_elasticsearch(plan_stack):
    policies = {r.name: r.inputs["spec"] for r in plan_stack("dev").by_type(NP)}
    egress_ports = {p["port"] for r in policies["data-storage-elasticsearch"]["egress"] for p in r["ports"]}
    assert 9000 in egress_ports
    minio_from = [peer.get("podSelector", {}).get("matchLabels", {}) for r in policies["data-storage-minio"]["ingress"] for peer in r["from"]]
    assert {"elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch"} in minio_from
    for job in ("elasticsearch-snapshots", "elasticsearch-snapshot-check"):
        assert [p["port"] for r in policies[f"data-storage-{job}"]["egress"] for p in r["ports"]] == [9200]
    prod = {r.name: r.inputs["spec"] for r in plan_stack("prod").by_type(NP)}
    assert 443 in {p["port"] for r in prod["data-storage-elasticsearch"]["egress"] for p in r["ports"]}


def test_failing_or_late_snapshots_alert_with_a_runbook(plan_stack):
    plan = plan_stack("dev")
    (rule,) = plan.by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {r["alert"]: r for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert 'job_name=~"elasticsearch-snapshot-check-.*"' in alerts["ElasticsearchSnapshotFailed"]["expr"]
    assert alerts["ElasticsearchSnapshotFailed"]["annotations"]["runbook_url"].endswith("backups.md#elasticsearchsnapshotfailed")
    assert 'cronjob="elasticsearch-snapshot-check"' in alerts["ElasticsearchSnapshotTooOld"]["expr"]
    cron = plan.one(CRON, "elasticsearch-snapshot-check").inputs["spec"]
    assert cron["schedule"] == "40 * * * *" and cron["concurrencyPolicy"] == "Forbid"


def test_snapshots_can_be_turned_off(plan_config):
    plan = plan_config({"backups": {"elasticsearchSnapshots": False}})
    assert "secureSettings" not in es_spec(plan)
    assert not [r for r in plan.by_type(JOB) if r.name == "elasticsearch-snapshots"]
    assert not [r for r in plan.by_type(CRON) if r.name == "elasticsearch-snapshot-check"]


# --- the scripts against a fake Elasticsearch ---------------------------------------------------

class FakeEs(JsonHandler):
    puts: dict[str, dict] = {}
    policy: dict = {}

    def _auth(self) -> bool:
        return self.headers.get("Authorization") == "Basic ZWxhc3RpYzpwdw=="  # elastic:pw

    def do_GET(self):
        if not self._auth():
            return self._reply(401, {})
        if self.path.startswith("/_cluster/health"):
            return self._reply(200, {"status": "green"})
        if self.path.startswith(f"/_slm/policy/{POLICY}"):
            return self._reply(200, {POLICY: self.policy})
        self._reply(404, {})

    def do_PUT(self):
        if not self._auth():
            return self._reply(401, {})
        self.puts[self.path] = self._body()
        self._reply(200, {"acknowledged": True})


@pytest.fixture()
def es():
    FakeEs.puts, FakeEs.policy = {}, {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def run(script: str, port: int) -> subprocess.CompletedProcess:
    script = script.replace("https://elasticsearch-es-http.data-storage.svc:9200", f"http://127.0.0.1:{port}").replace("--cacert /ca/ca.crt ", "")
    return subprocess.run(["sh", "-c", script], env={**os.environ, "ELASTIC_PASSWORD": "pw"}, capture_output=True, text=True, timeout=60)


@needs_shell
def test_registration_puts_the_repository_and_the_policy(es):
    result = run(register_script("data-storage", "my-bucket", "0 2 * * *", 14), es.server_address[1])
    assert result.returncode == 0, result.stdout + result.stderr
    assert FakeEs.puts[f"/_snapshot/{REPOSITORY}"]["settings"]["bucket"] == "my-bucket"
    assert FakeEs.puts[f"/_slm/policy/{POLICY}"] == slm_policy("0 2 * * *", 14)


NOW = int(time.time() * 1000)


@needs_shell
@pytest.mark.parametrize("policy, ok", [
    ({"modified_date_millis": NOW - 1000, "last_success": {"time": NOW - 3600_000}}, True),
    ({"modified_date_millis": NOW - 1000}, True),  # new policy, first run not due yet
    ({"modified_date_millis": NOW - 1000, "last_success": {"time": NOW - 7200_000}, "last_failure": {"time": NOW - 3600_000}}, False),
    ({"modified_date_millis": NOW - 1000, "last_success": {"time": NOW - 3600_000}, "last_failure": {"time": NOW - 7200_000}}, True),
    ({"modified_date_millis": NOW - 1000, "last_success": {"time": NOW - stale_ms("0 2 * * *") - 60_000}}, False),
    ({"modified_date_millis": NOW - stale_ms("0 2 * * *") - 60_000}, False),  # never succeeded
])
def test_check_fails_on_a_failed_or_late_snapshot(es, policy, ok):
    FakeEs.policy = policy
    result = run(check_script("data-storage", "0 2 * * *"), es.server_address[1])
    assert (result.returncode == 0) is ok, result.stdout + result.stderr


def test_recovery_points_report_the_snapshot_gap(plan_stack):
    rp = plan_stack("prod").outputs["recoveryPoints"]["elasticsearch"]
    assert (rp["worstCaseRpo"], rp["meetsTarget"]) == ("24h", False) and "eu-central-1" in rp["siteLoss"]
    assert plan_stack("dev").outputs["recoveryPoints"]["elasticsearch"]["siteLoss"].startswith("nothing")
    gcp = plan_stack("gcp-prod").outputs["recoveryPoints"]["elasticsearch"]
    assert gcp["worstCaseRpo"] == "24h" and "Cloud Storage bucket" in gcp["how"] and gcp["siteLoss"].startswith("nothing")
