"""Observability: pinned charts, secrets kept out of values, monitors that select what really runs,
alerts on real metrics, Fluent Bit -> Elasticsearch with verified TLS, per-environment sizing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import pytest
from app_harness import secret_results

from components.data_services import elasticsearch as es_mod
from components.data_services import postgres as pg_mod
from components.edge import EDGE_NS
from components.edge.traefik import METRICS_PORT, SELECTOR
from components.observability import alerts, es_tls, logs, metrics, minio_token, monitors, retention

RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
JOB = "kubernetes:batch/v1:Job"
STS = "kubernetes:apps/v1:StatefulSet"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"
PROD = {"environment": "prod", "acmeEmail": "ops@example.com"}
SEMVER = re.compile(r"^v?\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def dev(plan_stack):
    return plan_stack("dev")


@pytest.fixture(scope="module")
def prod(plan_config):
    return plan_config(PROD)


def release(plan, name):
    return plan.one(RELEASE, name).inputs


def monitor(plan, name):
    (m,) = [r for r in plan.by_type(POD_MONITOR) + plan.by_type(SERVICE_MONITOR) if r.inputs["metadata"]["name"] == name]
    return m.inputs


# --- charts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,namespace", [("kube-prometheus-stack", "monitoring"), ("fluent-bit", "logging"), ("metrics-server", "kube-system")])
def test_releases_are_pinned_from_their_official_repositories(dev, name, namespace):
    r = release(dev, name)
    assert SEMVER.match(r["version"]), r["version"]
    assert r["namespace"] == namespace and r["repositoryOpts"]["repo"].startswith("https://")
    assert r["atomic"] is True


def test_every_monitoring_custom_resource_waits_for_kube_prometheus_stack(dev):
    kps = dev.one(RELEASE, "kube-prometheus-stack").urn
    for r in dev.by_type(POD_MONITOR) + dev.by_type(SERVICE_MONITOR) + dev.by_type(RULE):
        assert kps in r.dependencies, r.name


# --- Grafana's password -----------------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", "prod-local"])
def test_grafana_admin_password_is_generated_and_never_in_values(plan_stack, stack):
    plan = plan_stack(stack)
    values = release(plan, "kube-prometheus-stack")["values"]
    assert values["grafana"]["admin"] == {"existingSecret": metrics.GRAFANA_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"}
    assert "adminPassword" not in values["grafana"]
    secret = [r for r in plan.by_type(SECRET) if r.inputs["metadata"]["name"] == metrics.GRAFANA_SECRET]
    assert len(secret) == 1 and secret[0].inputs["metadata"]["namespace"] == "monitoring"
    assert secret[0].inputs["stringData"] == "[secret]"
    blob = json.dumps([r.inputs for r in plan.registrations]) + json.dumps(plan.outputs)
    fakes = secret_results(plan.registrations)
    assert any(r.name == "grafana-admin-password" for r in plan.registrations)
    for fake in fakes:
        assert fake not in blob


def test_grafana_is_reached_by_port_forward(dev):
    g = dev.outputs["grafana"]
    assert g["namespace"] == "monitoring" and g["adminSecret"] == metrics.GRAFANA_SECRET
    assert g["portForward"] == f"kubectl -n monitoring port-forward svc/{metrics.GRAFANA_SERVICE} 3000:80"


# --- Prometheus sizing -------------------------------------------------------------------------------

def test_prometheus_retention_and_storage_follow_the_environment(dev, prod):
    d = release(dev, "kube-prometheus-stack")["values"]["prometheus"]["prometheusSpec"]
    p = release(prod, "kube-prometheus-stack")["values"]["prometheus"]["prometheusSpec"]
    assert (d["retention"], p["retention"]) == ("3d", "15d")
    assert (d["replicas"], p["replicas"]) == (1, 2)
    for spec, size in ((d, "10Gi"), (p, "50Gi")):
        claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
        assert claim["resources"]["requests"]["storage"] == size
        assert "emptyDir" not in spec["storageSpec"]
        assert set(spec["resources"]) == {"requests", "limits"}
    assert p["retentionSize"] == f"{50 * 1024 * 9 // 10}MB"


def test_prometheus_uses_the_standard_storage_class_and_selects_every_monitor(plan_stack):
    aws = release(plan_stack("prod"), "kube-prometheus-stack")["values"]
    claim = aws["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    sc = [r for r in plan_stack("prod").by_type("kubernetes:storage.k8s.io/v1:StorageClass")]
    assert claim["storageClassName"] in {r.inputs["metadata"]["name"] for r in sc}
    spec = aws["prometheus"]["prometheusSpec"]
    for k in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"):
        assert spec[f"{k}SelectorNilUsesHelmValues"] is False


def test_retention_can_be_set(plan_config):
    v = release(plan_config({"observability": {"prometheusRetention": "30d", "prometheusStorageSize": "100Gi"}}), "kube-prometheus-stack")["values"]
    assert v["prometheus"]["prometheusSpec"]["retention"] == "30d"


# --- monitors select real targets ---------------------------------------------------------------------

def _selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def test_minio_monitor_selects_the_minio_pods_on_their_api_port_with_a_token(dev):
    m = monitor(dev, "minio")
    tpl = dev.one(STS, "minio-pool-0").inputs["spec"]["template"]
    assert m["spec"]["namespaceSelector"]["matchNames"] == [dev.one(STS, "minio-pool-0").inputs["metadata"]["namespace"]]
    assert _selects(m["spec"]["selector"]["matchLabels"], tpl["metadata"]["labels"])
    (ep,) = m["spec"]["podMetricsEndpoints"]
    ports = {p["name"]: p["containerPort"] for c in tpl["spec"]["containers"] for p in c.get("ports", [])}
    assert ports[ep["port"]] == 9000
    assert ep["path"] == "/minio/v2/metrics/cluster"
    assert ep["authorization"] == {"type": "Bearer", "credentials": {"name": minio_token.TOKEN_SECRET, "key": minio_token.TOKEN_KEY}}
    token = [r for r in dev.by_type(SECRET) if r.inputs["metadata"]["name"] == minio_token.TOKEN_SECRET]
    assert token[0].inputs["metadata"]["namespace"] == m["metadata"]["namespace"] and token[0].inputs["stringData"] == "[secret]"


def test_minio_token_is_what_mc_admin_prometheus_generate_makes():
    tok = minio_token.metrics_token("AKEY", "SKEY")
    header, claims, sig = tok.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    assert json.loads(base64.urlsafe_b64decode(pad(header))) == {"alg": "HS512", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(pad(claims))) == {"exp": minio_token.EXPIRES, "sub": "AKEY", "iss": "prometheus"}
    expected = hmac.new(b"SKEY", f"{header}.{claims}".encode(), hashlib.sha512).digest()
    assert base64.urlsafe_b64decode(pad(sig)) == expected
    assert minio_token.metrics_token("AKEY", "SKEY") == tok  # stable: no diff on every `pulumi up`


def test_minio_metrics_user_may_only_read_metrics(dev):
    job = dev.one(JOB, "minio-prometheus-user").inputs
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert '"Action": ["admin:Prometheus"]' in script and "s3:" not in script
    assert f"mc admin policy attach dp {minio_token.POLICY}" in script


def test_cloudnative_pg_monitors_select_the_cluster_and_pooler(dev):
    cluster = dev.one("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").inputs
    pooler = dev.one("kubernetes:postgresql.cnpg.io/v1:Pooler", "postgres-pooler").inputs
    pg = monitor(dev, "cloudnative-pg")["spec"]
    assert pg["selector"]["matchLabels"]["cnpg.io/cluster"] == cluster["metadata"]["name"]
    assert pg["namespaceSelector"]["matchNames"] == [cluster["metadata"]["namespace"]]
    assert pg["podMetricsEndpoints"][0]["port"] == "metrics"
    pb = monitor(dev, "cloudnative-pg-pooler")["spec"]
    assert pb["selector"]["matchLabels"] == {"cnpg.io/poolerName": pooler["metadata"]["name"]}
    # The operator-made PodMonitor (deprecated in CNPG 1.27) is not used.
    assert "enablePodMonitor" not in json.dumps(cluster["spec"])


def test_cloudnative_pg_monitor_gives_every_series_the_cluster_label_the_alerts_select(dev):
    # The exporter labels only cnpg_collector_up with `cluster`; PostgreSQL alerts select every
    # cnpg_* series by cluster="postgres", so the PodMonitor copies the pod's cnpg.io/cluster.
    cluster = dev.one("kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").inputs["metadata"]["name"]
    (endpoint,) = monitor(dev, "cloudnative-pg")["spec"]["podMetricsEndpoints"]
    assert endpoint["relabelings"] == [{"action": "replace", "sourceLabels": ["__meta_kubernetes_pod_label_cnpg_io_cluster"],
                                        "targetLabel": "cluster"}]
    rule = dev.one(RULE, "platform-alerts").inputs
    (pg,) = [g for g in rule["spec"]["groups"] if g["name"].endswith("postgresql")]
    assert all(f'cluster="{cluster}"' in r["expr"] for r in pg["rules"])
    # Only the instances' monitor relabels; the others keep their plain endpoint.
    assert "relabelings" not in monitor(dev, "cloudnative-pg-pooler")["spec"]["podMetricsEndpoints"][0]
    assert monitors.pod_label_meta("app.kubernetes.io/name") == "__meta_kubernetes_pod_label_app_kubernetes_io_name"


def test_edge_and_cert_manager_monitors_match_their_charts(dev):
    edge = monitor(dev, "traefik")
    assert edge["kind"] == "PodMonitor"  # Traefik's metrics port is not on its Service
    spec = edge["spec"]
    assert spec["namespaceSelector"]["matchNames"] == [EDGE_NS] and spec["selector"]["matchLabels"] == SELECTOR
    assert spec["podMetricsEndpoints"][0]["port"] == METRICS_PORT[0] == monitors.EDGE_METRICS_PORT[0]
    assert release(dev, "edge-traefik")["values"]["metrics"]["prometheus"]["entryPoint"] == METRICS_PORT[0]
    cm = monitor(dev, "cert-manager")["spec"]
    assert cm["endpoints"][0]["port"] == monitors.CERT_MANAGER_METRICS_PORT[0]
    assert release(dev, "edge-cert-manager")["values"]["prometheus"]["enabled"] is True


def test_managed_postgres_and_cloud_buckets_have_no_in_cluster_monitors(plan_stack):
    names = {r.inputs["metadata"]["name"] for r in plan_stack("prod").by_type(POD_MONITOR)}
    assert names.isdisjoint({"cloudnative-pg", "cloudnative-pg-pooler", "minio"})


# --- alerts ---------------------------------------------------------------------------------------------

EXPECTED_ALERTS = {
    "PostgresInstanceDown", "PostgresReplicationLag", "PostgresBackupFailing", "PostgresBackupTooOld", "PostgresWalArchivingFailing",
    "MinioServersDown", "MinioDrivesDown", "PlatformPodCrashLooping", "PlatformVolumeAlmostFull", "AirbyteWorkersAtMaximum",
    "CertificateExpiringSoon", "CertificateNotReady", "FluentBitOutputErrors", "EdgeHighErrorRatio", "EdgeControllerDown",
}
METRIC = re.compile(r"\b((cnpg|barman_cloud_cloudnative_pg_io|minio|kube|kubelet|certmanager|fluentbit|traefik|velero)_[a-z_]+|up)\b")


def _balanced(expr: str) -> bool:
    stack, pairs = [], {")": "(", "}": "{", "]": "["}
    in_str = False
    for ch in expr:
        if ch == '"':
            in_str = not in_str
        elif in_str:
            continue
        elif ch in "({[":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack and not in_str


def test_prometheus_rule_has_the_day_two_alerts_with_promql_expressions(dev):
    rule = dev.one(RULE, "platform-alerts").inputs
    assert rule["metadata"]["namespace"] == "monitoring"
    found = {}
    for g in rule["spec"]["groups"]:
        for r in g["rules"]:
            found[r["alert"]] = r
    assert EXPECTED_ALERTS <= set(found)
    for name, r in found.items():
        assert _balanced(r["expr"]), name
        assert METRIC.search(r["expr"]), name
        assert re.fullmatch(r"\d+[smh]", r["for"]) and r["labels"]["severity"] in {"warning", "critical"}
        assert r["annotations"]["summary"] and r["annotations"]["description"]
        for matcher in re.findall(r"\{([^{}]*)\}", r["expr"]):
            if matcher.strip() and "$" not in matcher:
                assert re.fullmatch(r'\s*[a-z_]+\s*(=~|!=|=)\s*"[^"]*"(\s*,\s*[a-z_]+\s*(=~|!=|=)\s*"[^"]*")*\s*', matcher), (name, matcher)
    assert 'cluster="postgres"' in found["PostgresInstanceDown"]["expr"]
    servers = sum(r.inputs["spec"]["replicas"] for r in dev.by_type(STS) if r.name.startswith("minio-pool-"))
    assert found["MinioServersDown"]["expr"].endswith(f"< {servers}")
    assert 'horizontalpodautoscaler=~".*worker.*"' in found["AirbyteWorkersAtMaximum"]["expr"]


def test_the_airbyte_worker_hpa_the_alert_watches_exists(dev):
    hpas = [r.inputs["metadata"]["name"] for r in dev.by_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")]
    assert any(re.fullmatch(".*worker.*", h) for h in hpas)


def test_alerts_without_in_cluster_data_services():
    groups = alerts.platform_alerts(platform_namespaces=["a"], storage_namespace="s", postgres_cluster=None, minio_servers=0,
                                    airbyte_namespace=None, logs=False)
    assert set(groups) == {"workloads", "edge", "certificates"}


# --- logs ---------------------------------------------------------------------------------------------

def test_fluent_bit_ships_to_the_elasticsearch_result_url_with_tls_verified(dev):
    values = release(dev, "fluent-bit")["values"]
    out = values["config"]["outputs"]
    host, port = logs.host_and_port(dev.outputs["elasticsearchUrl"])
    assert f"    Host {host}\n" in out and f"    Port {port}\n" in out
    assert "    tls On\n" in out and "    tls.verify On\n" in out and "tls.verify Off" not in out
    assert f"    tls.ca_file {logs.CA_DIR}/ca.crt\n" in out and f"    tls.vhost {host}\n" in out
    assert "    Index logs-kubernetes-dev\n" in out and "    Write_Operation create\n" in out
    (vol,) = [v for v in values["extraVolumes"] if v["name"] == "elasticsearch-ca"]
    assert vol["secret"]["secretName"] == es_tls.CA_BUNDLE_SECRET
    envs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in values["env"]}
    assert envs["ES_PASSWORD"] == {"name": logs.CREDENTIALS_SECRET, "key": "password"}
    assert "${ES_PASSWORD}" in out


def test_fluent_bit_is_root_only_for_reading_host_logs(dev):
    v = release(dev, "fluent-bit")["values"]
    sc = v["securityContext"]
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
    assert sc["readOnlyRootFilesystem"] is True and sc["seccompProfile"] == {"type": "RuntimeDefault"}
    mounts = {m["name"]: m for m in v["daemonSetVolumeMounts"]}
    assert mounts["varlog"]["readOnly"] and mounts["varlibdockercontainers"]["readOnly"]
    assert mounts["state"]["mountPath"] == logs.STATE_DIR
    assert set(v["resources"]) == {"requests", "limits"}
    ns = dev.one("kubernetes:core/v1:Namespace", "logging").inputs["metadata"]["labels"]
    assert ns["pod-security.kubernetes.io/enforce"] == "privileged"


def test_elasticsearch_has_a_log_writer_user_with_only_create_doc_on_logs(dev):
    spec = dev.one(ES, "elasticsearch").inputs["spec"]
    assert spec["auth"]["fileRealm"] == [{"secretName": es_mod.LOG_WRITER_SECRET}]
    assert spec["auth"]["roles"] == [{"secretName": es_mod.ROLES_SECRET}]
    assert spec["http"]["tls"]["certificate"]["secretName"] == es_mod.HTTP_CERT_SECRET
    roles = es_mod.roles_yaml()
    assert '"create_doc", "auto_configure"' in roles and "cluster: []" in roles and '"logs-*"' in roles
    for name, ns in ((es_mod.LOG_WRITER_SECRET, "data-storage"), (logs.CREDENTIALS_SECRET, "logging")):
        (s,) = [r for r in dev.by_type(SECRET) if r.inputs["metadata"]["name"] == name]
        assert s.inputs["metadata"]["namespace"] == ns and s.inputs["type"] == "kubernetes.io/basic-auth"
        assert s.inputs["stringData"] == "[secret]"


def test_elasticsearch_certificate_chain_is_namespaced_and_covers_the_service(dev):
    certs = {r.inputs["metadata"]["name"]: r.inputs for r in dev.by_type("kubernetes:cert-manager.io/v1:Certificate")}
    http = certs[es_mod.HTTP_CERT_SECRET]
    assert http["metadata"]["namespace"] == "data-storage" and http["spec"]["issuerRef"]["kind"] == "Issuer"
    host, _ = logs.host_and_port(dev.outputs["elasticsearchUrl"])
    assert host in http["spec"]["dnsNames"]
    issuers = [r.inputs["metadata"] for r in dev.by_type("kubernetes:cert-manager.io/v1:Issuer")]
    assert {(m["name"], m["namespace"]) for m in issuers} >= {(es_tls.CA, "data-storage"), (es_tls.SELFSIGNED, "data-storage")}


def test_ca_publisher_rbac_is_limited_to_two_named_secrets(dev):
    roles = [r.inputs for r in dev.by_type(ROLE) if r.inputs["metadata"]["name"].startswith(es_tls.PUBLISHER)]
    assert {(r["metadata"]["namespace"], r["rules"][0]["resourceNames"][0]) for r in roles} == {
        ("data-storage", es_tls.PUBLIC_SECRET), ("logging", es_tls.CA_BUNDLE_SECRET)}
    for r in roles:
        (rule,) = r["rules"]
        assert rule["resources"] == ["secrets"] and set(rule["verbs"]) <= {"get", "patch"}
    job = dev.one(JOB, es_tls.PUBLISHER).inputs
    script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert f"/namespaces/data-storage/secrets/{es_tls.PUBLIC_SECRET}" in script
    assert f"/namespaces/logging/secrets/{es_tls.CA_BUNDLE_SECRET}" in script
    assert dev.one(RELEASE, "fluent-bit").urn not in job.get("dependencies", [])
    assert dev.one(JOB, es_tls.PUBLISHER).urn in _deps(dev, dev.one(RELEASE, "fluent-bit"))


def _deps(plan, reg):
    """Direct dependencies of `reg`, expanding components into their children."""
    children = {}
    for r in plan.registrations:
        children.setdefault(r.parent, []).append(r.urn)
    out, stack = set(), list(reg.dependencies)
    while stack:
        u = stack.pop()
        if u not in out:
            out.add(u)
            stack.extend(children.get(u, []))
    return out


def test_logs_can_be_turned_off(plan_config):
    plan = plan_config({"observability": {"logs": False}})
    assert [r for r in plan.by_type(RELEASE) if r.name == "fluent-bit"] == []
    # Elasticsearch still gets the certificate it is configured to serve.
    assert [r for r in plan.by_type("kubernetes:cert-manager.io/v1:Certificate") if r.inputs["metadata"]["name"] == es_mod.HTTP_CERT_SECRET]


# --- metrics-server -------------------------------------------------------------------------------------

def test_metrics_server_is_on_by_default_and_can_be_opted_out(dev, plan_config, plan_stack):
    local = release(dev, "metrics-server")
    assert local["namespace"] == "kube-system" and "--kubelet-insecure-tls" in local["values"]["args"]
    assert "--kubelet-insecure-tls" not in release(plan_stack("prod"), "metrics-server")["values"]["args"]
    off = plan_config({"observability": {"metricsServer": False}})
    assert [r for r in off.by_type(RELEASE) if r.name == "metrics-server"] == []


def test_metrics_can_be_turned_off(plan_config):
    plan = plan_config({"observability": {"metrics": False}})
    assert [r for r in plan.by_type(RELEASE) if r.name == "kube-prometheus-stack"] == []
    assert plan.by_type(POD_MONITOR) == [] and plan.by_type(RULE) == []
    assert "grafana" not in plan.outputs


def test_bad_retention_is_a_settings_error(plan_config):
    from settings.errors import SettingsError

    with pytest.raises(SettingsError, match="observability.prometheusRetention"):
        from program import load_settings as load

        load({"data-platform:cloud": "local", "data-platform:observability": {"prometheusRetention": "soon"}}, "dev")


def test_postgres_cluster_constant_is_what_the_monitor_and_alerts_use(dev):
    assert monitor(dev, "cloudnative-pg")["spec"]["selector"]["matchLabels"]["cnpg.io/cluster"] == pg_mod.CLUSTER


# --- log retention -------------------------------------------------------------------------------------

def test_log_retention_follows_the_environment_and_fluent_bit_waits_for_it(dev, prod):
    for plan, days in ((dev, 3), (prod, 30)):
        job = plan.one(JOB, retention.JOB)
        script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
        assert json.dumps(retention.ilm_policy(days)) in script and f'"min_age": "{days}d"' in script
        assert "--cacert /ca/ca.crt" in script and "--insecure" not in script and " -k " not in script
        assert job.urn in _deps(plan, plan.one(RELEASE, "fluent-bit"))
        assert plan.outputs["logs"]["retentionDays"] == days
    template = retention.index_template()
    assert template["index_patterns"] == ["logs-kubernetes-*"] and template["priority"] > 100
    assert template["template"]["settings"]["index.lifecycle.name"] == retention.POLICY
    assert logs.data_stream("dev").startswith("logs-kubernetes-")


def test_grafana_dashboards_are_pinned_revisions(dev):
    dashboards = release(dev, "kube-prometheus-stack")["values"]["grafana"]["dashboards"]["data-platform"]
    assert set(dashboards) == {"cloudnativepg", "minio", "traefik"}  # the ingress-nginx one is gone
    for d in dashboards.values():
        if "url" in d:  # a file at a release tag of its project, never a branch
            assert re.fullmatch(r"https://raw\.githubusercontent\.com/[\w-]+/[\w-]+/v\d+\.\d+\.\d+/[\w/.-]+\.json", d["url"]), d["url"]
        else:
            assert isinstance(d["gnetId"], int) and isinstance(d["revision"], int)


def test_grafana_pods_have_no_root_init_container(dev):
    # grafana chart: `initChownData.enabled` (default true) adds a root, CAP_CHOWN init
    # container when persistence is on; the volume's ownership comes from fsGroup instead.
    g = release(dev, "kube-prometheus-stack")["values"]["grafana"]
    assert g["persistence"]["enabled"] is True
    assert g["initChownData"] == {"enabled": False}
    assert g["securityContext"]["fsGroup"] == g["securityContext"]["runAsUser"] == 472


def test_metrics_server_args_only_add_flags_the_charts_default_args_lack(dev, plan_stack):
    # metrics-server chart: container args = defaultArgs + args; defaultArgs already carry
    # --cert-dir, --kubelet-preferred-address-types, --kubelet-use-node-status-port, --metric-resolution.
    owned = ("--cert-dir", "--kubelet-preferred-address-types", "--kubelet-use-node-status-port", "--metric-resolution")
    for plan in (dev, plan_stack("prod")):
        v = release(plan, "metrics-server")["values"]
        assert "defaultArgs" not in v
        assert not [a for a in v["args"] if a.split("=")[0] in owned]
    assert release(plan_stack("prod"), "metrics-server")["values"]["args"] == []
