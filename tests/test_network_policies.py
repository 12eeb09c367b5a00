"""NetworkPolicies against the traffic each application really has.

Policies are read back from the *registered* NetworkPolicy objects and evaluated the way the
API defines them (both ends: the source's egress and the destination's ingress). Pod labels
come from the planned pod templates or from the labels the charts/operators document.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps import airbyte
from components.data_services import elasticsearch as es_mod
from components.data_services import postgres as pg_mod
from components.edge import EDGE_NS
from components.network_policies import (
    DremioPeers,
    Endpoint,
    Peer,
    Policy,
    Rule,
    Topology,
    Workload,
    manifest_spec,
    permits,
    plan_policies,
    policy_from_manifest,
    tcp,
)
from components.observability import LOGGING, MONITORING
from components.observability import es_tls as es_tls_mod
from components.observability import logs as logs_mod
from components.observability import metrics as metrics_mod
from kube import camel_keys
from kube.charts import chart

NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
A, S = "data-platform", "data-storage"
PROD = {"environment": "prod", "acmeEmail": "ops@example.com"}


def policies(plan) -> list[Policy]:
    return [policy_from_manifest(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"], r.inputs["spec"]) for r in plan.by_type(NP)]


def template_labels(plan, kind: str, name: str) -> dict:
    spec = plan.one(kind, name).inputs["spec"]
    t = spec.get("template") or spec["jobTemplate"]["spec"]["template"]
    return t["metadata"]["labels"]


def pods(plan) -> dict[str, Endpoint]:
    sts, dep, job = "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job"
    out = {
        "dremio-master": Endpoint(A, template_labels(plan, sts, "dremio-master")),
        "dremio-executor": Endpoint(A, template_labels(plan, sts, "dremio-executor")),
        "dremio-bootstrap": Endpoint(A, template_labels(plan, job, "dremio-bootstrap")),
        "superset-web": Endpoint(A, template_labels(plan, dep, "superset-web")),
        "superset-worker": Endpoint(A, template_labels(plan, dep, "superset-worker")),
        "superset-beat": Endpoint(A, template_labels(plan, dep, "superset-beat")),
        "superset-init": Endpoint(A, template_labels(plan, job, "superset-init")),
        "redis": Endpoint(A, template_labels(plan, sts, "superset-redis-sts")),
        "minio": Endpoint(S, template_labels(plan, sts, "minio-pool-0")),
        "minio-bootstrap": Endpoint(S, template_labels(plan, job, "minio-bootstrap")),
        # Chart- and operator-made pods: the labels their charts/operators document.
        "airbyte-server": Endpoint(A, {**airbyte.pod_selector("server"), "app.kubernetes.io/version": "1"}),
        "airbyte-worker": Endpoint(A, airbyte.pod_selector("worker")),
        "airbyte-launcher": Endpoint(A, airbyte.pod_selector("workload-launcher")),
        "airbyte-temporal": Endpoint(A, airbyte.pod_selector("temporal")),
        "airbyte-job": Endpoint(A, {airbyte.JOB_POD_LABEL: "true", "airbyte": "job-pod"}),
        "pg": Endpoint(S, {"cnpg.io/cluster": pg_mod.CLUSTER, "cnpg.io/podRole": "instance", "cnpg.io/instanceName": f"{pg_mod.CLUSTER}-1"}),
        "pg-join": Endpoint(S, {"cnpg.io/cluster": pg_mod.CLUSTER, "cnpg.io/jobRole": "join"}),
        "pooler": Endpoint(S, {"cnpg.io/poolerName": pg_mod.POOLER, "cnpg.io/cluster": pg_mod.CLUSTER}),
        "cnpg-operator": Endpoint(pg_mod.OPERATOR_NAMESPACE, {"app.kubernetes.io/name": "cloudnative-pg"}),
        "es": Endpoint(S, {es_mod.CLUSTER_LABEL: es_mod.NAME, "elasticsearch.k8s.elastic.co/node-master": "true"}),
        "eck-operator": Endpoint(es_mod.OPERATOR_NAMESPACE, {"control-plane": "elastic-operator"}),
        "fluent-bit": Endpoint(LOGGING, dict(logs_mod.POD_SELECTOR)),
        "prometheus": Endpoint(MONITORING, {**metrics_mod.PROMETHEUS_POD_SELECTOR, "prometheus": "kps-prometheus"}),
        "grafana": Endpoint(MONITORING, {"app.kubernetes.io/name": "grafana"}),
        # Traefik's pod labels as `helm template` renders them at the pinned chart (release traefik, namespace edge).
        "ingress": Endpoint(EDGE_NS, {"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-edge",
                                      "helm.sh/chart": f"traefik-{chart('traefik').version}", "app.kubernetes.io/managed-by": "Helm"}),
        "rogue-edge": Endpoint(EDGE_NS, {"app": "rogue"}),
        "kube-dns": Endpoint("kube-system", {"k8s-app": "kube-dns"}),
        "rogue-app": Endpoint(A, {"app": "rogue"}),
        "rogue-storage": Endpoint(S, {"app": "rogue"}),
        "acme-solver": Endpoint(EDGE_NS, {"acme.cert-manager.io/http01-solver": "true", "acme.cert-manager.io/http-domain": "1"}),
        "internet": Endpoint(None),
        "api-server": Endpoint(None, ip="172.18.0.2"),
    }
    for name, reg in (("minio-metrics-user", "minio-prometheus-user"), ("es-ca-publisher", es_tls_mod.PUBLISHER),
                      ("es-lifecycle", "elasticsearch-log-lifecycle")):
        if [r for r in plan.by_type(job) if r.name == reg]:
            out[name] = Endpoint(S, template_labels(plan, job, reg))
    if [r for r in plan.by_type(sts) if r.name == "dremio-zk"]:
        out["zookeeper"] = Endpoint(A, template_labels(plan, sts, "dremio-zk"))
    return out


# (source, destination, port): what the applications really do.
ALLOWED = [
    # The seed's Dremio policy.
    ("superset-web", "dremio-master", 9047), ("superset-web", "dremio-master", 32010), ("superset-worker", "dremio-master", 32010),
    ("airbyte-worker", "dremio-master", 9047), ("airbyte-job", "dremio-master", 32010),
    ("ingress", "dremio-master", 9047), ("dremio-bootstrap", "dremio-master", 9047),
    ("dremio-executor", "dremio-master", 45678), ("dremio-master", "dremio-executor", 45678), ("dremio-executor", "dremio-master", 45679),
    ("dremio-master", "minio", 9000), ("dremio-executor", "minio", 9000),
    # Superset.
    ("ingress", "superset-web", 8088), ("superset-web", "pooler", 5432), ("superset-worker", "pooler", 5432), ("superset-beat", "pooler", 5432),
    ("superset-init", "pooler", 5432), ("superset-web", "redis", 6379), ("superset-worker", "redis", 6379), ("superset-beat", "redis", 6379),
    # Superset's init containers pip-install the pinned Dremio driver (PyPI over HTTPS) in every pod.
    ("superset-web", "internet", 443), ("superset-worker", "internet", 443), ("superset-init", "internet", 443),
    # Airbyte.
    ("ingress", "airbyte-server", 8001), ("airbyte-server", "airbyte-temporal", 7233), ("airbyte-worker", "airbyte-server", 8001),
    ("airbyte-server", "pooler", 5432), ("airbyte-worker", "minio", 9000), ("airbyte-launcher", "api-server", 443),
    ("airbyte-server", "internet", 443), ("airbyte-job", "internet", 5432), ("airbyte-job", "minio", 9000),
    ("airbyte-job", "airbyte-server", 8001), ("airbyte-launcher", "airbyte-job", 9000),
    # CloudNativePG.
    ("cnpg-operator", "pg", 8000), ("pg", "pg", 5432), ("pg-join", "pg", 5432), ("pooler", "pg", 5432), ("pg", "api-server", 443),
    ("pooler", "api-server", 6443), ("pg", "minio", 9000),
    # The edge: clients and load balancers in (HTTP, HTTPS, health), Prometheus on the metrics port;
    # the controller out to cert-manager's HTTP-01 solver (next to the Certificates) and the API server.
    ("internet", "ingress", 8000), ("internet", "ingress", 8443), ("internet", "ingress", 8080), ("prometheus", "ingress", 9100),
    ("ingress", "acme-solver", 8089), ("ingress", "api-server", 443),
    # MinIO, Elasticsearch.
    ("minio", "minio", 9000), ("minio-bootstrap", "minio", 9000),
    ("eck-operator", "es", 9200), ("es", "es", 9300), ("fluent-bit", "es", 9200),
    ("es", "minio", 9000),  # snapshots into its bucket (backups.elasticsearchSnapshots)
    # Observability: Prometheus scrapes the exporters, the MinIO metrics user is created, the ES CA is published.
    ("prometheus", "pg", 9187), ("prometheus", "pooler", 9127), ("prometheus", "minio", 9000),
    ("minio-metrics-user", "minio", 9000), ("es-ca-publisher", "api-server", 443), ("es-lifecycle", "es", 9200),
]

DENIED = [
    ("internet", "dremio-master", 9047), ("rogue-app", "dremio-master", 9047), ("ingress", "dremio-master", 31010),
    ("superset-beat", "dremio-master", 32010), ("superset-web", "dremio-executor", 45678), ("dremio-master", "internet", 443),
    ("dremio-master", "es", 9200), ("dremio-master", "pg", 8000),
    # Dremio keeps its catalog in its own KV store: no PostgreSQL at all.
    ("dremio-master", "pooler", 5432), ("dremio-executor", "pg", 5432), ("dremio-master", "pg", 5432), ("airbyte-worker", "redis", 6379), ("superset-web", "minio", 9000),
    ("ingress", "redis", 6379), ("internet", "pg", 5432), ("rogue-storage", "minio", 9000),
    ("rogue-app", "pooler", 5432), ("superset-web", "internet", 5432), ("redis", "internet", 443), ("minio", "internet", 443),
    ("internet", "minio", 9000), ("rogue-app", "internet", 443), ("superset-web", "acme-solver", 8089),
    # The controller reaches the three UIs and the solver, nothing else; only it reaches the solver.
    ("ingress", "pg", 5432), ("ingress", "pooler", 5432), ("ingress", "minio", 9000), ("ingress", "es", 9200),
    ("ingress", "internet", 80), ("ingress", "internet", 5432), ("ingress", "airbyte-temporal", 7233), ("ingress", "kube-dns", 53), ("ingress", "superset-web", 6379),
    ("internet", "ingress", 9100), ("rogue-edge", "acme-solver", 8089), ("internet", "acme-solver", 8089), ("rogue-edge", "internet", 443), ("acme-solver", "internet", 443),
    ("rogue-app", "ingress", 9100),
    # Observability gets its metrics ports and nothing else.
    ("prometheus", "pg", 5432), ("prometheus", "pooler", 5432), ("rogue-app", "pg", 9187), ("grafana", "pg", 9187),
    ("prometheus", "redis", 6379), ("fluent-bit", "es", 9300), ("fluent-bit", "pg", 5432),
    ("es-ca-publisher", "internet", 80), ("es-ca-publisher", "minio", 9000), ("es-ca-publisher", "es", 9200),
    ("minio-metrics-user", "internet", 443), ("minio-metrics-user", "pg", 5432),
    ("es-lifecycle", "es", 9300), ("es-lifecycle", "internet", 443), ("es-lifecycle", "api-server", 443),
]


@pytest.fixture(scope="module")
def dev(plan_stack):
    plan = plan_stack("dev")
    return policies(plan), pods(plan)


@pytest.mark.parametrize("src,dst,port", ALLOWED)
def test_real_traffic_is_allowed(dev, src, dst, port):
    pols, p = dev
    assert permits(pols, p[src], p[dst], port), f"{src} -> {dst}:{port} is blocked"


@pytest.mark.parametrize("src,dst,port", DENIED)
def test_everything_else_is_denied(dev, src, dst, port):
    pols, p = dev
    assert not permits(pols, p[src], p[dst], port), f"{src} -> {dst}:{port} should be blocked"


def test_dev_executors_reach_the_embedded_zookeeper(dev):
    pols, p = dev
    assert permits(pols, p["dremio-executor"], p["dremio-master"], 2181)
    assert not permits(pols, p["superset-web"], p["dremio-master"], 2181)


def test_prod_zookeeper_ensemble(plan_config):
    plan = plan_config(PROD)
    pols, p = policies(plan), pods(plan)
    for src in ("dremio-master", "dremio-executor"):
        assert permits(pols, p[src], p["zookeeper"], 2181)
    for port in (2181, 2888, 3888):
        assert permits(pols, p["zookeeper"], p["zookeeper"], port)
    assert not permits(pols, p["dremio-executor"], p["dremio-master"], 2181)  # no embedded ZooKeeper in prod
    assert not permits(pols, p["superset-web"], p["zookeeper"], 2181)
    assert not permits(pols, p["zookeeper"], p["internet"], 443)


@pytest.mark.parametrize("who", ["dremio-master", "superset-web", "airbyte-job", "pg", "minio", "es", "redis", "dremio-bootstrap"])
def test_every_pod_resolves_names(dev, who):
    pols, p = dev
    assert permits(pols, p[who], p["kube-dns"], 53, "UDP") and permits(pols, p[who], p["kube-dns"], 53, "TCP")


def test_default_deny_in_both_namespaces(plan_stack):
    regs = {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r.inputs["spec"] for r in plan_stack("dev").by_type(NP)}
    for ns in (A, S):
        spec = regs[(ns, "default-deny")]
        assert spec["podSelector"] == {} and sorted(spec["policyTypes"]) == ["Egress", "Ingress"]
        assert "ingress" not in spec or spec["ingress"] == []
        assert "egress" not in spec or spec["egress"] == []


@pytest.mark.parametrize("stack", ["dev", "prod-local", "prod"])
def test_every_planned_pod_has_an_allow_policy(plan_stack, stack):
    """No workload of ours is left with default-deny alone (it could not do its job)."""
    plan = plan_stack(stack)
    pols = [p for p in policies(plan) if p.name not in ("default-deny", "allow-dns")]
    kinds = ("kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:Deployment", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob")
    checked = 0
    for r in plan.registrations:
        if r.type not in kinds or r.inputs["metadata"].get("namespace") not in (A, S):
            continue
        ns, labels = r.inputs["metadata"]["namespace"], template_labels(plan, r.type, r.name)
        assert any(p.namespace == ns and all(labels.get(k) == v for k, v in p.selector.items()) for p in pols), r.name
        checked += 1
    assert checked >= 10


def test_dremio_policy_is_the_seeds(plan_stack):
    reg = next(r for r in plan_stack("dev").by_type(NP) if r.inputs["metadata"]["name"] == "dremio")
    spec = reg.inputs["spec"]
    assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "dremio"
    ports = {p["port"] for rule in spec["ingress"] for p in rule.get("ports", [])}
    assert {9047, 32010, 45678} <= ports and 31010 not in ports
    egress_ports = {p["port"] for rule in spec["egress"] for p in rule.get("ports", [])}
    assert 9000 in egress_ports and 5432 not in egress_ports and 443 not in egress_ports


def test_aws_dremio_reaches_s3_over_https(plan_stack):
    plan = plan_stack("prod")
    pols = policies(plan)
    master = Endpoint(A, template_labels(plan, "kubernetes:apps/v1:StatefulSet", "dremio-master"))
    assert permits(pols, master, Endpoint(None), 443)
    assert not permits(pols, master, Endpoint(None), 80)
    # Managed PostgreSQL: apps -> PgBouncer in data-storage -> the database outside the cluster.
    pooler_reg = next(r for r in plan.by_type("kubernetes:apps/v1:Deployment") if r.inputs["metadata"].get("namespace") == S)
    pooler = Endpoint(S, template_labels(plan, "kubernetes:apps/v1:Deployment", pooler_reg.name))
    rds = Endpoint(None, ip="10.0.20.15")
    web = Endpoint(A, template_labels(plan, "kubernetes:apps/v1:Deployment", "superset-web"))
    assert permits(pols, web, pooler, 5432) and permits(pols, pooler, rds, 5432)
    # Airbyte and Superset's migrations use PostgresResult.direct_host (the database itself).
    assert permits(pols, web, rds, 5432) and not permits(pols, web, rds, 22) and not permits(pols, pooler, rds, 22)
    assert not permits(pols, master, pooler, 5432) and not permits(pols, master, rds, 5432)  # Dremio uses no PostgreSQL
    # No operator runs next to a managed database: nothing from CloudNativePG's namespace reaches PgBouncer.
    cnpg = Endpoint(pg_mod.OPERATOR_NAMESPACE, {"app.kubernetes.io/name": "cloudnative-pg"})
    assert not any(permits(pols, cnpg, pooler, port) for port in (8000, 5432))


def test_dbt_runs_reach_dremio_and_nothing_else(plan_config):
    plan = plan_config({"dbt": {"image": "ghcr.io/acme/dbt-project:1.4.2"}})
    pols, p = policies(plan), pods(plan)
    dbt = Endpoint(A, template_labels(plan, "kubernetes:batch/v1:CronJob", "dbt"))
    assert permits(pols, dbt, p["dremio-master"], 9047)
    for dst, port in (("dremio-master", 32010), ("dremio-executor", 45678), ("pooler", 5432), ("minio", 9000), ("internet", 443)):
        assert not permits(pols, dbt, p[dst], port), (dst, port)


def test_without_the_metrics_stack_nothing_is_scraped(plan_config):
    plan = plan_config({"observability": {"metrics": False, "logs": False}})
    pols, p = policies(plan), pods(plan)
    assert not permits(pols, p["prometheus"], p["pg"], 9187)
    assert not permits(pols, p["prometheus"], p["minio"], 9000)
    assert not permits(pols, p["fluent-bit"], p["es"], 9200)


def test_network_policies_can_be_turned_off(plan_config):
    assert plan_config({"networkPolicies": False}).by_type(NP) == []


# --- the model itself ------------------------------------------------------------------
labels_st = st.dictionaries(st.sampled_from(["app", "tier", "role"]), st.sampled_from(["a", "b", "c"]), max_size=3)
ns_st = st.sampled_from([A, S, "other"])


@given(ns=ns_st, sel=labels_st, peer_ns=st.one_of(st.none(), ns_st), peer_sel=labels_st, port=st.integers(1, 65535),
       other_ns=ns_st, other_labels=labels_st)
def test_render_then_read_back_is_identity(ns, sel, peer_ns, peer_sel, port, other_ns, other_labels):
    if peer_ns is None and not peer_sel:
        peer_sel = {"app": "a"}
    pol = Policy("p", ns, sel, ingress=(Rule((Peer(peer_ns, peer_sel),), tcp(port)),), egress=())
    back = policy_from_manifest("p", ns, camel_keys(manifest_spec(pol)))
    me = Endpoint(ns, {**sel, "x": "y"})
    other = Endpoint(other_ns, other_labels)
    assert permits([pol], other, me, port) == permits([back], other, me, port)


def test_a_peer_matching_every_pod_of_the_cluster_is_refused():
    with pytest.raises(ValueError):
        Peer(None, {})
    with pytest.raises(ValueError):
        Peer()


def test_without_data_service_selectors_traffic_still_flows_to_the_storage_namespace():
    t = Topology(apps_namespace=A, storage_namespace=S,
                 dremio=DremioPeers(
                     coordinator=Workload(A, {"c": "1"}), executor=Workload(A, {"e": "1"}), all=Workload(A, {"d": "1"}), zookeeper=None))
    pols = plan_policies(t)
    dremio = Endpoint(A, {"d": "1", "c": "1"})
    assert not permits(pols, dremio, Endpoint(S, {"anything": "x"}), 5432)  # Dremio uses no PostgreSQL
    assert permits(pols, dremio, Endpoint(S, {"anything": "x"}), 9000)
    assert not permits(pols, dremio, Endpoint(S, {"anything": "x"}), 9200)


def test_gke_workload_identity_pods_reach_the_metadata_server_and_aws_pods_do_not(plan_stack):
    """GKE serves Workload Identity tokens from its metadata server, which a default-deny egress
    blocks: the pods that reach the cloud's store may reach it there (and only there)."""
    gcp, aws = plan_stack("gcp-prod"), plan_stack("prod")
    metadata = [(Endpoint(None, ip="169.254.169.254"), 80), (Endpoint(None, ip="169.254.169.252"), 988)]
    master = Endpoint(A, template_labels(gcp, "kubernetes:apps/v1:StatefulSet", "dremio-master"))
    pols = policies(gcp)
    assert all(permits(pols, master, dst, port) for dst, port in metadata)
    superset = Endpoint(A, template_labels(gcp, "kubernetes:apps/v1:Deployment", "superset-web"))
    assert not any(permits(pols, superset, dst, port) for dst, port in metadata)
    aws_master = Endpoint(A, template_labels(aws, "kubernetes:apps/v1:StatefulSet", "dremio-master"))
    assert not any(permits(policies(aws), aws_master, dst, port) for dst, port in metadata)
