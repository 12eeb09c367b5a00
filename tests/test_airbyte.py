"""Airbyte: chart values on the external DB/object store, no plaintext secret, the seed's HPA."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps import airbyte as ab
from components.data_services.result import ObjectStoreResult
from offline_plan.mocks import FAKE_SECRET_PREFIX
from offline_plan.runner import PlanError
from settings.sections.airbyte import AirbyteSettings
from tests.app_harness import plan, resolve, secret_results

RELEASE_T = "kubernetes:helm.sh/v3:Release"
HPA_T = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    def get(config):
        return plan(config, tmp_path_factory.mktemp("airbyte"))
    return get


def release(p):
    return p.one(RELEASE_T, "airbyte-release")


def values(p):
    return release(p).inputs["values"]


def test_release_is_the_pinned_v2_chart_in_the_apps_namespace(plans):
    r = release(plans({"environment": "dev"})).inputs
    assert r["chart"] == "airbyte" and r["name"] == "airbyte" and r["namespace"] == "data-platform"
    assert r["version"] == "2.3.0"
    assert r["repositoryOpts"]["repo"] == "https://airbytehq.github.io/charts"


def test_values_point_at_the_external_database_with_bundled_services_off(plans):
    p = plans({"environment": "dev"})
    v = values(p)
    assert v["postgresql"] == {"enabled": False}
    assert v["minio"] == {"enabled": False}
    db = v["global"]["database"]
    pg = p.ds.postgres
    assert db["type"] == "external"
    # Temporal takes the global host: it must be the primary, not the transaction pooler.
    assert db["host"] == resolve(pg.direct_host) != resolve(pg.host)
    assert db["port"] == pg.direct_port
    assert db["name"] == pg.logins["airbyte"].database
    assert db["secretName"] == pg.logins["airbyte"].secret_name
    assert (db["userSecretKey"], db["passwordSecretKey"]) == ("username", "password")
    assert "password" not in db and "user" not in db
    # The chart reads the replica's keys even without a replica (templates/config/_database.tpl,
    # defaults CONFIG_DATABASE_REPLICA_USER/_PASSWORD): they must be keys the login Secret has.
    assert db["replica"] == {"userSecretKey": "username", "passwordSecretKey": "password"}


def test_temporal_uses_its_own_login_and_databases(plans):
    p = plans({"environment": "dev"})
    t = values(p)["temporal"]
    env = {e["name"]: e for e in t["extraEnv"]}
    tl = p.ds.postgres.logins["temporal"]
    assert env["POSTGRES_USER"]["valueFrom"]["secretKeyRef"] == {"name": tl.secret_name, "key": "username"}
    assert env["POSTGRES_PWD"]["valueFrom"]["secretKeyRef"] == {"name": tl.secret_name, "key": "password"}
    assert env["DBNAME"]["value"] == tl.database
    assert env["VISIBILITY_DBNAME"]["value"] == p.ds.postgres.logins["temporal_visibility"].database
    assert env["SKIP_DB_CREATE"]["value"] == "true"


def test_values_point_at_the_object_store_by_secret_reference(plans):
    p = plans({"environment": "dev"})
    st_ = values(p)["global"]["storage"]
    os_ = p.ds.object_store
    assert st_["type"] == "minio"
    assert st_["secretName"] == os_.for_consumer("airbyte").credentials_secret != os_.credentials_secret  # its own MinIO user
    assert st_["minio"]["endpoint"] == resolve(os_.endpoint)
    assert st_["minio"]["s3PathStyleAccess"] is True
    assert (st_["minio"]["accessKeyIdSecretKey"], st_["minio"]["secretAccessKeySecretKey"]) == ("accessKeyId", "secretAccessKey")
    assert set(st_["bucket"]) >= {"log", "state", "workloadOutput", "activityPayload"}
    assert all(b in [resolve(x) for x in os_.buckets.values()] for b in st_["bucket"].values())


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, (*path, str(i)))
    else:
        yield path, obj


def test_no_credential_value_in_the_chart_values(plans):
    v = values(plans({"environment": "prod"}))
    for path, value in _leaves(v):
        key = path[-1].lower()
        if any(w in key for w in ("password", "secretaccesskey", "accesskeyid", "jwtsignature")):
            assert key.endswith("secretkey"), f"{'.'.join(path)} carries a credential value: {value!r}"
    # The chart's own insecure defaults are not relied upon either.
    assert "minio123" not in json.dumps(v)


def test_generated_credentials_never_appear_in_any_registration(plans):
    p = plans({"environment": "prod"})
    fakes = secret_results(p.registrations)
    assert fakes, "the stack generates passwords"
    blob = json.dumps([r.inputs for r in p.registrations]) + json.dumps(p.outputs)
    for fake in fakes:
        assert fake not in blob
    assert FAKE_SECRET_PREFIX not in blob


def test_hpa_is_exactly_the_seeds(plans):
    p = plans({"environment": "prod"})
    hpa = p.one(HPA_T, "airbyte-worker-hpa").inputs
    spec = hpa["spec"]
    assert hpa["metadata"]["namespace"] == "data-platform"
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "airbyte-worker"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (2, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in spec["metrics"]}
    assert targets == {"cpu": {"type": "Utilization", "averageUtilization": 70}, "memory": {"type": "Utilization", "averageUtilization": 80}}
    assert spec["behavior"] == {
        "scaleUp": {"stabilizationWindowSeconds": 60, "policies": [{"type": "Percent", "value": 100, "periodSeconds": 60}]},
        "scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]},
    }
    # The chart starts the worker at the HPA's floor.
    assert values(p)["worker"]["replicaCount"] == 2


def test_hpa_targets_the_chart_worker_deployment_name():
    # templates/airbyte-worker/deployment.yaml: name: {{ .Release.Name }}-worker
    assert ab.worker_deployment_name() == f"{ab.RELEASE}-worker" == "airbyte-worker"
    assert ab.server_service_name() == "airbyte-airbyte-server-svc"


def test_dev_plan_shows_the_hpa_and_it_can_be_turned_off(plans, plan_stack):
    dev = plan_stack("dev")  # the repository's dev stack, real data services
    assert dev.one(HPA_T, "airbyte-worker-hpa").inputs["spec"]["minReplicas"] == 1  # dev fits one host (test_dev_fits_one_host.py)
    prod = plans({"environment": "prod"}).one(HPA_T, "airbyte-worker-hpa").inputs["spec"]
    assert (prod["minReplicas"], prod["maxReplicas"]) == (2, 10)  # the seed
    off = plans({"environment": "dev", "airbyte": {"hpaEnabled": False, "workerReplicas": 3}})
    assert off.by_type(HPA_T) == []
    assert values(off)["worker"]["replicaCount"] == 3


def test_worker_sizing_follows_the_seeds_vertical_table(plans):
    prod = values(plans({"environment": "prod"}))["worker"]["resources"]
    assert prod == {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"cpu": "4", "memory": "8Gi"}}
    scaled = values(plans({"environment": "prod", "airbyte": {"workerCpuRequest": "4", "workerMemoryRequest": "8Gi",
                                                              "workerCpuLimit": "8", "workerMemoryLimit": "16Gi",
                                                              "hpaMaxReplicas": 20}}))
    assert scaled["worker"]["resources"] == {"requests": {"cpu": "4", "memory": "8Gi"}, "limits": {"cpu": "8", "memory": "16Gi"}}


def test_every_chart_component_has_requests_limits_and_restricted_security(plans):
    v = values(plans({"environment": "dev"}))
    for comp in ("server", "worker", "workloadLauncher", "workloadApiServer", "cron", "manifestServer", "temporal", "airbyteBootloader"):
        res = v[comp]["resources"]
        assert res["requests"]["cpu"] and res["requests"]["memory"] and res["limits"]["cpu"] and res["limits"]["memory"], comp
        sec = v[comp]["containerSecurityContext"]
        assert sec["runAsNonRoot"] and sec["allowPrivilegeEscalation"] is False, comp
        assert sec["capabilities"] == {"drop": ["ALL"]} and sec["seccompProfile"] == {"type": "RuntimeDefault"}, comp


def test_ui_backend_and_selectors_match_the_chart():
    assert ab.pod_selector("worker") == {"app.kubernetes.io/instance": "airbyte", "app.kubernetes.io/name": "worker"}
    assert ab.pod_selector() == {"app.kubernetes.io/instance": "airbyte"}


def test_bad_hpa_bounds_fail_before_any_resource(tmp_path):
    from tests.conftest import run_config

    with pytest.raises(PlanError, match=r"airbyte\.hpaMinReplicas"):
        run_config({"airbyte": {"hpaMinReplicas": 5, "hpaMaxReplicas": 3}}, tmp_path)


@given(lo=st.integers(1, 100), hi=st.integers(1, 100))
def test_hpa_bounds_check_accepts_exactly_min_le_max(lo, hi):
    from settings.errors import SettingsError
    from settings.schema import read_section

    try:
        s = read_section(AirbyteSettings, {"hpaMinReplicas": lo, "hpaMaxReplicas": hi}, "Pulumi.t.yaml", "prod")
    except SettingsError:
        assert lo > hi
    else:
        assert lo <= hi
        spec = ab.worker_hpa_spec(s, "airbyte-worker")
        assert (spec["minReplicas"], spec["maxReplicas"]) == (lo, hi)
        assert spec["behavior"]["scaleDown"]["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]


def test_s3_storage_uses_workload_identity_without_credentials_secret():
    store = ObjectStoreResult(kind="s3", endpoint=None, region="eu-west-1", path_style=False, buckets={"backups": "b"}, credentials_secret=None)
    v = ab.storage_values(store, "b")
    assert v["type"] == "s3" and v["s3"] == {"region": "eu-west-1", "authenticationType": "instanceProfile"}
    assert "secretName" not in v
    with_keys = ab.storage_values(ObjectStoreResult(kind="s3", endpoint=None, region="eu-west-1", path_style=False,
                                                    buckets={"backups": "b"}, credentials_secret="s3-keys"), "b")
    assert with_keys["secretName"] == "s3-keys" and with_keys["s3"]["authenticationType"] == "credentials"


def test_pods_run_as_the_service_account_the_program_owns(plans):
    # Chart V2: every Deployment runs as `default .Values.global.serviceAccountName
    # .Values.<component>.serviceAccountName`; serviceaccount.yaml would create the account, its
    # Role and RoleBinding as pre-install hooks (never updated), so `create: false` and the
    # component makes all three before the release.
    p = plans({"environment": "dev"})
    v = values(p)
    ref = ab.WORKLOAD_SERVICE_ACCOUNTS["airbyte"]
    assert v["serviceAccount"] == {"create": False, "name": ref.name}
    assert v["global"]["serviceAccountName"] == ref.name
    sa = p.one("kubernetes:core/v1:ServiceAccount", "airbyte-service-account")
    assert (sa.inputs["metadata"]["name"], sa.inputs["metadata"]["namespace"]) == (ref.name, ref.namespace)
    role = p.one("kubernetes:rbac.authorization.k8s.io/v1:Role", "airbyte-role").inputs
    binding = p.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "airbyte-role-binding").inputs
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": ref.name, "namespace": ref.namespace}]
    # The launcher creates connector pods and follows them: what the chart's Role granted.
    core = next(r for r in role["rules"] if r["apiGroups"] == [""])
    assert {"pods", "pods/log", "pods/exec", "pods/attach", "secrets", "configmaps"} <= set(core["resources"])
    assert "create" in core["verbs"] and "*" not in json.dumps(role["rules"])
    deps = set(release(p).dependencies)
    assert {sa.urn, p.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "airbyte-role-binding").urn} <= deps


# The chart's top-level value keys and `global` keys its templates read (chart V2, checked with
# `helm template` of the chart: every leaf the program sets is read by a template). A key the
# chart does not read is a setting that silently does nothing (`connectorBuilderServer`, renamed
# `manifestServer`; `global.workloads.namespace`: job pods run in the release's namespace).
CHART_COMPONENTS = {
    "airbyteBootloader", "connectorRolloutWorker", "cron", "featureflagServer", "global", "ingress", "keycloak",
    "keycloakSetup", "manifestServer", "metrics", "minio", "postgresql", "server", "serviceAccount", "stiggSidecar",
    "temporal", "temporalUi", "webapp", "worker", "workloadApiServer", "workloadLauncher",
}


def test_every_value_is_one_the_chart_reads(plans):
    v = values(plans({"environment": "dev"}))
    assert set(v) <= CHART_COMPONENTS, set(v) - CHART_COMPONENTS
    assert "manifestServer" in v and "connectorBuilderServer" not in v
    assert "namespace" not in v["global"].get("workloads", {})
