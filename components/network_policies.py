"""NetworkPolicies: default-deny in both namespaces, then one allow policy per workload.

The policy set is computed by a pure function (`plan_policies`) from a `Topology` made of the
typed results of the other layers (pod selectors and ports, never literals), then rendered as
`networking.k8s.io/v1` NetworkPolicies. `permits()` evaluates a policy set the way the API
defines it (a pod isolated by any policy only accepts what some policy allows, on both ends),
so tests check real flows (superset web -> dremio:32010) rather than the shape of the YAML.

What each workload may do (docs/network-policies.md has the table):

- every pod in both namespaces: DNS to kube-system/kube-dns (UDP and TCP 53);
- Dremio (the seed's policy): in from Superset and Airbyte on 9047/32010, from the ingress
  controller, dbt and its bootstrap Job on 9047; between its own pods on 45678/45679 and to
  ZooKeeper on 2181 (2888/3888 inside the ensemble); out to PostgreSQL 5432 (pooler and
  servers) and MinIO 9000, or HTTPS when the lake is a cloud bucket;
- Superset -> PostgreSQL, Redis, Dremio; Redis <- Superset only; ingress -> Superset web;
- Airbyte chart pods talk among themselves, to PostgreSQL, the object store, the API server
  (workload launcher) and HTTPS (connector registry); connector job pods go anywhere outside
  (sources are external by nature) and to the object store;
- CloudNativePG instances <- pooler/apps on 5432, <- the operator on 8000, between instances,
  -> API server and the backup store; pooler -> instances, API server;
- MinIO <- apps, PostgreSQL instances (WAL archive) and the bucket Job, between pods;
- Elasticsearch <- ECK operator and log shippers (Fluent Bit, namespace logging) on 9200,
  between nodes on 9300;
- Prometheus (namespace monitoring) -> the metrics ports of what it scrapes in these
  namespaces: CloudNativePG instances 9187, PgBouncer 9127, MinIO 9000 (bearer token); the
  MinIO metrics-user Job -> MinIO 9000; the Elasticsearch CA publisher Job -> API server only.
  The monitoring and logging namespaces themselves have
  no default-deny (host-level agents and the Prometheus stack reach the whole cluster).

Egress to the Kubernetes API server is by port (443, 6443) to any address: its IP is not known
before the cluster exists and NetworkPolicies cannot select it by name.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from . import kube

NS_LABEL = "kubernetes.io/metadata.name"
ANYWHERE = "0.0.0.0/0"
API_SERVER_PORTS = (443, 6443)
DNS_SELECTOR = {"k8s-app": "kube-dns"}
ACME_SOLVER_SELECTOR = {"acme.cert-manager.io/http01-solver": "true"}
ACME_SOLVER_PORT = 8089


# ----------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Peer:
    """Pods in `namespace` (None: any namespace) matching `selector` (None: every pod), or an
    address block (`cidr`)."""

    namespace: Optional[str] = None
    selector: Optional[Mapping[str, str]] = None
    cidr: Optional[str] = None
    name: str = ""

    def __post_init__(self):
        if self.cidr is None and self.namespace is None and self.selector is None:
            raise ValueError("a peer needs a namespace, a selector or a cidr (refusing 'everything')")
        if self.selector is not None and not self.selector and self.namespace is None:
            raise ValueError("an empty selector in any namespace would match every pod of the cluster")


@dataclass(frozen=True)
class Port:
    port: int
    protocol: str = "TCP"


def tcp(*ports: int) -> tuple[Port, ...]:
    return tuple(Port(p) for p in ports)


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...]
    ports: tuple[Port, ...] = ()
    """Empty: every port."""


@dataclass(frozen=True)
class Policy:
    name: str
    namespace: str
    selector: Mapping[str, str]
    """Pods the policy applies to; {} = every pod of the namespace."""
    ingress: Optional[tuple[Rule, ...]] = None
    """None: the policy does not restrict ingress; (): deny all ingress."""
    egress: Optional[tuple[Rule, ...]] = None

    @property
    def types(self) -> list[str]:
        return [t for t, r in (("Ingress", self.ingress), ("Egress", self.egress)) if r is not None]


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class Workload:
    """A group of pods: namespace + labels that select them."""

    namespace: str
    selector: Mapping[str, str]

    def peer(self, name: str = "") -> Peer:
        return Peer(self.namespace, dict(self.selector), name=name)


@dataclass(frozen=True)
class DremioPeers:
    coordinator: Workload
    executor: Workload
    all: Workload
    zookeeper: Optional[Workload]
    """None: embedded in the master coordinator (port 2181 there)."""
    clients: tuple[Workload, ...] = ()
    """Pods that use Dremio's REST/Flight APIs besides Superset and Airbyte (dbt, bootstrap Job)."""


@dataclass(frozen=True)
class SupersetPeers:
    web: Workload
    worker: Workload
    beat: Workload
    init: Optional[Workload]
    redis: Workload
    web_port: int = 8088
    redis_port: int = 6379


@dataclass(frozen=True)
class AirbytePeers:
    pods: Workload
    """Every pod of the chart release."""
    jobs: Workload
    """Connector job pods the workload launcher starts."""
    ui_ports: tuple[tuple[Mapping[str, str], int], ...] = ()
    """(pod selector, container port) the ingress controller reaches."""


@dataclass(frozen=True)
class PostgresPeers:
    servers: Optional[Workload]
    """CloudNativePG instance pods; None for a managed database outside the cluster."""
    pooler: Optional[Workload]
    operator_namespace: str
    cluster: Optional[Workload] = None
    """Every pod of the CNPG cluster, including its initdb/join Jobs (default: servers)."""
    clients: tuple[Workload, ...] = ()
    """Pods of the data-services layer that connect to the servers (managed-database bootstrap Job)."""
    port: int = 5432
    status_port: int = 8000
    metrics_port: int = 9187
    """CloudNativePG's exporter on every instance."""
    pooler_metrics_port: int = 9127
    """PgBouncer's exporter on every pooler pod."""


@dataclass(frozen=True)
class ObjectStorePeers:
    servers: Optional[Workload]
    """MinIO pods; None when the lake is a cloud bucket (HTTPS egress instead)."""
    clients: tuple[Workload, ...] = ()
    """Other pods of the data-services layer that write to it (the bucket Job)."""
    port: int = 9000


@dataclass(frozen=True)
class ElasticsearchPeers:
    servers: Workload
    operator_namespace: str
    shippers: tuple[Peer, ...] = ()
    clients: tuple[tuple[str, Workload], ...] = ()
    """(policy name, pods) of the storage namespace that call the HTTP API (the log lifecycle Job)."""
    port: int = 9200
    transport_port: int = 9300


@dataclass(frozen=True)
class Topology:
    apps_namespace: str
    storage_namespace: str
    dremio: Optional[DremioPeers] = None
    superset: Optional[SupersetPeers] = None
    airbyte: Optional[AirbytePeers] = None
    ingress_controller: Optional[Peer] = None
    postgres: Optional[PostgresPeers] = None
    object_store: Optional[ObjectStorePeers] = None
    elasticsearch: Optional[ElasticsearchPeers] = None
    scraper: Optional[Peer] = None
    """Prometheus' pods, which scrape the data services' metrics ports (None: no metrics stack)."""
    api_clients: tuple[tuple[str, Workload], ...] = ()
    """(policy name, pods) that only talk to the Kubernetes API server (the Elasticsearch CA publisher Job)."""
    dns: Peer = field(default_factory=lambda: Peer("kube-system", DNS_SELECTOR, name="kube-dns"))


# ----------------------------------------------------------------------------- planning
def _api_server() -> Rule:
    return Rule((Peer(cidr=ANYWHERE, name="kubernetes-api"),), tcp(*API_SERVER_PORTS))


def _https_out() -> Rule:
    return Rule((Peer(cidr=ANYWHERE, name="internet-https"),), tcp(443))


def _postgres_rules(t: Topology) -> list[Rule]:
    if t.postgres is None:
        # The data-services result is not there yet: PostgreSQL's namespace on its port.
        return [Rule((Peer(t.storage_namespace, None, name="data-storage"),), tcp(5432))]
    return [Rule(tuple(_postgres_servers(t.postgres) + ([t.postgres.pooler.peer("pgbouncer")] if t.postgres.pooler else [])), tcp(t.postgres.port))]


def _postgres_servers(pg: PostgresPeers) -> list[Peer]:
    """The PostgreSQL servers as a peer: the instance pods, or any address for a managed database."""
    return [pg.servers.peer("postgres")] if pg.servers else [Peer(cidr=ANYWHERE, name="managed-postgres")]


def _object_store_rules(t: Topology) -> list[Rule]:
    if t.object_store is None:
        return [Rule((Peer(t.storage_namespace, None, name="data-storage"),), tcp(9000))]
    if t.object_store.servers is None:
        return [_https_out()]
    return [Rule((t.object_store.servers.peer("minio"),), tcp(t.object_store.port))]


def plan_policies(t: Topology) -> list[Policy]:
    A, S = t.apps_namespace, t.storage_namespace
    out: list[Policy] = []
    for ns in (A, S):
        out.append(Policy("default-deny", ns, {}, ingress=(), egress=()))
        out.append(Policy("allow-dns", ns, {}, egress=(Rule((t.dns,), (Port(53, "UDP"), Port(53, "TCP"))),)))

    # ------------------------------------------------------------------ cert-manager HTTP-01
    # The ACME solver pods cert-manager starts next to the Ingress (this namespace) must be
    # reachable from the ingress controller, or Let's Encrypt certificates never issue.
    if t.ingress_controller:
        out.append(Policy("acme-http01-solver", A, dict(ACME_SOLVER_SELECTOR),
                          ingress=(Rule((t.ingress_controller,), tcp(ACME_SOLVER_PORT)),), egress=()))

    # ------------------------------------------------------------------ Dremio
    d = t.dremio
    if d is not None:
        ui_clients: list[Peer] = []
        flight_clients: list[Peer] = []
        if t.superset:
            flight_clients += [t.superset.web.peer("superset-web"), t.superset.worker.peer("superset-worker")]
        if t.airbyte:
            flight_clients += [t.airbyte.pods.peer("airbyte"), t.airbyte.jobs.peer("airbyte-jobs")]
        if t.ingress_controller:
            ui_clients.append(t.ingress_controller)
        ui_clients += [c.peer("dremio-client") for c in d.clients]
        ingress = [Rule((d.all.peer("dremio"),), tcp(45678, 45679))]
        if flight_clients:
            ingress.append(Rule(tuple(flight_clients), tcp(9047, 32010)))
        if ui_clients:
            ingress.append(Rule(tuple(ui_clients), tcp(9047)))
        egress = [Rule((d.all.peer("dremio"),), tcp(45678, 45679))]
        egress += _postgres_rules(t) + _object_store_rules(t)
        if d.zookeeper is not None:
            egress.append(Rule((d.zookeeper.peer("zookeeper"),), tcp(2181)))
        else:
            egress.append(Rule((d.coordinator.peer("dremio-master"),), tcp(2181)))
            ingress.append(Rule((d.all.peer("dremio"),), tcp(2181)))
        out.append(Policy("dremio", d.all.namespace, dict(d.all.selector), ingress=tuple(ingress), egress=tuple(egress)))
        if d.zookeeper is not None:
            zk = d.zookeeper.peer("zookeeper")
            out.append(Policy("dremio-zookeeper", d.zookeeper.namespace, dict(d.zookeeper.selector),
                              ingress=(Rule((d.all.peer("dremio"),), tcp(2181)), Rule((zk,), tcp(2181, 2888, 3888))),
                              egress=(Rule((zk,), tcp(2181, 2888, 3888)),)))
        for i, c in enumerate(d.clients):
            out.append(Policy(f"dremio-client-{i}", c.namespace, dict(c.selector), ingress=(),
                              egress=(Rule((d.coordinator.peer("dremio-coordinator"),), tcp(9047)),)))

    # ------------------------------------------------------------------ Superset
    sp = t.superset
    if sp is not None:
        redis = Rule((sp.redis.peer("redis"),), tcp(sp.redis_port))
        dremio = [Rule((d.coordinator.peer("dremio-coordinator"),), tcp(9047, 32010))] if d else []
        web_in = [Rule((t.ingress_controller,), tcp(sp.web_port))] if t.ingress_controller else []
        out.append(Policy("superset-web", sp.web.namespace, dict(sp.web.selector), ingress=tuple(web_in),
                          egress=tuple(_postgres_rules(t) + [redis] + dremio)))
        out.append(Policy("superset-worker", sp.worker.namespace, dict(sp.worker.selector), ingress=(),
                          egress=tuple(_postgres_rules(t) + [redis] + dremio)))
        out.append(Policy("superset-beat", sp.beat.namespace, dict(sp.beat.selector), ingress=(),
                          egress=tuple(_postgres_rules(t) + [redis])))
        if sp.init:
            out.append(Policy("superset-init", sp.init.namespace, dict(sp.init.selector), ingress=(),
                              egress=tuple(_postgres_rules(t))))
        users = [sp.web.peer("superset-web"), sp.worker.peer("superset-worker"), sp.beat.peer("superset-beat")]
        out.append(Policy("superset-redis", sp.redis.namespace, dict(sp.redis.selector),
                          ingress=(Rule(tuple(users), tcp(sp.redis_port)),), egress=()))

    # ------------------------------------------------------------------ Airbyte
    ab = t.airbyte
    if ab is not None:
        own = Rule((ab.pods.peer("airbyte"), ab.jobs.peer("airbyte-jobs")))
        ingress = [own]
        if t.ingress_controller:
            for _sel, port in ab.ui_ports:
                ingress.append(Rule((t.ingress_controller,), tcp(port)))
        dremio = [Rule((d.coordinator.peer("dremio-coordinator"),), tcp(9047, 32010))] if d else []
        out.append(Policy("airbyte", ab.pods.namespace, dict(ab.pods.selector), ingress=tuple(ingress),
                          egress=tuple([own, _api_server(), _https_out()] + _postgres_rules(t) + _object_store_rules(t) + dremio)))
        # Connector pods read external sources on any port: everything outside, plus the platform's own stores.
        out.append(Policy("airbyte-jobs", ab.jobs.namespace, dict(ab.jobs.selector),
                          ingress=(Rule((ab.pods.peer("airbyte"),)),),
                          egress=tuple([own, Rule((Peer(cidr=ANYWHERE, name="anywhere"),))] + _postgres_rules(t) + _object_store_rules(t) + dremio)))

    # ------------------------------------------------------------------ PostgreSQL (CloudNativePG or managed)
    pg = t.postgres
    if pg is not None:
        app_clients = _app_clients(t, postgres=True)
        operator = Peer(pg.operator_namespace, None, name="cnpg-operator")
        servers = _postgres_servers(pg)
        if pg.servers is not None:
            cluster = (pg.cluster or pg.servers).peer("postgres-cluster")
            ingress = [Rule((cluster,), tcp(pg.port, pg.status_port)), Rule((operator,), tcp(pg.status_port))]
            if pg.pooler:
                ingress.append(Rule((pg.pooler.peer("pgbouncer"),), tcp(pg.port)))
            direct = app_clients + [c.peer("postgres-client") for c in pg.clients]
            if direct:
                ingress.append(Rule(tuple(direct), tcp(pg.port)))
            if t.scraper:
                ingress.append(Rule((t.scraper,), tcp(pg.metrics_port)))
            whole = pg.cluster or pg.servers
            out.append(Policy("postgres", whole.namespace, dict(whole.selector), ingress=tuple(ingress),
                              egress=tuple([Rule((cluster,), tcp(pg.port, pg.status_port)), _api_server()] + _object_store_rules(t))))
        if pg.pooler:
            pin = [Rule((operator,), tcp(pg.status_port))]
            if app_clients:
                pin.append(Rule(tuple(app_clients), tcp(pg.port)))
            if t.scraper and pg.servers is not None:
                pin.append(Rule((t.scraper,), tcp(pg.pooler_metrics_port)))
            out.append(Policy("postgres-pooler", pg.pooler.namespace, dict(pg.pooler.selector), ingress=tuple(pin),
                              egress=(Rule(tuple(servers), tcp(pg.port)), _api_server())))
        for i, c in enumerate(pg.clients):
            out.append(Policy(f"postgres-client-{i}", c.namespace, dict(c.selector), ingress=(),
                              egress=(Rule(tuple(servers), tcp(pg.port)),)))

    # ------------------------------------------------------------------ unknown data services
    # Without their selectors (layer not built yet), keep apps working: the storage namespace
    # accepts the apps namespace on the PostgreSQL and S3 ports (broader, still no other port).
    fallback_ports = ([5432] if pg is None else []) + ([9000] if t.object_store is None else [])
    if fallback_ports:
        out.append(Policy("data-services-fallback", S, {}, ingress=(Rule((Peer(A, None, name="apps"),), tcp(*fallback_ports)),)))

    # ------------------------------------------------------------------ MinIO
    os_ = t.object_store
    if os_ is not None and os_.servers is not None:
        minio = os_.servers.peer("minio")
        clients = _app_clients(t, postgres=False) + [c.peer("minio-client") for c in os_.clients]
        if pg is not None and pg.servers is not None:
            clients.append((pg.cluster or pg.servers).peer("postgres-cluster"))
        ingress = [Rule((minio,), tcp(os_.port))]
        if clients:
            ingress.append(Rule(tuple(clients), tcp(os_.port)))
        if t.scraper:
            ingress.append(Rule((t.scraper,), tcp(os_.port)))
        out.append(Policy("minio", os_.servers.namespace, dict(os_.servers.selector), ingress=tuple(ingress),
                          egress=(Rule((minio,), tcp(os_.port)),)))
        for i, c in enumerate(os_.clients):
            out.append(Policy(f"minio-client-{i}", c.namespace, dict(c.selector), ingress=(),
                              egress=(Rule((minio,), tcp(os_.port)),)))

    # ------------------------------------------------------------------ Elasticsearch (ECK)
    es = t.elasticsearch
    if es is not None:
        nodes = es.servers.peer("elasticsearch")
        ingress = [Rule((nodes,), tcp(es.port, es.transport_port)),
                   Rule((Peer(es.operator_namespace, None, name="eck-operator"),), tcp(es.port))]
        if es.shippers:
            ingress.append(Rule(tuple(es.shippers), tcp(es.port)))
        if es.clients:
            ingress.append(Rule(tuple(w.peer(name) for name, w in es.clients), tcp(es.port)))
        for name, w in es.clients:
            out.append(Policy(name, w.namespace, dict(w.selector), ingress=(), egress=(Rule((nodes,), tcp(es.port)),)))
        out.append(Policy("elasticsearch", es.servers.namespace, dict(es.servers.selector), ingress=tuple(ingress),
                          egress=(Rule((nodes,), tcp(es.port, es.transport_port)),)))
    for name, w in t.api_clients:
        out.append(Policy(name, w.namespace, dict(w.selector), ingress=(), egress=(_api_server(),)))
    _check_names(out)
    return out


def _app_clients(t: Topology, *, postgres: bool) -> list[Peer]:
    """Application pods that use PostgreSQL (postgres=True) or the object store."""
    out: list[Peer] = []
    if t.dremio:
        out.append(t.dremio.all.peer("dremio"))
    if t.airbyte:
        out += [t.airbyte.pods.peer("airbyte"), t.airbyte.jobs.peer("airbyte-jobs")]
    if postgres and t.superset:
        out += [t.superset.web.peer("superset-web"), t.superset.worker.peer("superset-worker"), t.superset.beat.peer("superset-beat")]
        if t.superset.init:
            out.append(t.superset.init.peer("superset-init"))
    return out


def _check_names(policies: Sequence[Policy]) -> None:
    seen = set()
    for p in policies:
        key = (p.namespace, p.name)
        if key in seen:
            raise ValueError(f"two NetworkPolicies named {p.name} in {p.namespace}")
        seen.add(key)


# ----------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace + labels) or, with namespace None, an address outside the cluster."""

    namespace: Optional[str]
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str = "203.0.113.10"


def _selects(selector: Optional[Mapping[str, str]], labels: Mapping[str, str]) -> bool:
    return selector is None or all(labels.get(k) == v for k, v in selector.items())


def _peer_matches(peer: Peer, policy_ns: str, other: Endpoint) -> bool:
    if peer.cidr is not None:
        # ipBlock: only addresses outside the cluster (whether pod IPs match is CNI-specific, so never rely on it).
        return other.namespace is None and ipaddress.ip_address(other.ip) in ipaddress.ip_network(peer.cidr)
    if other.namespace is None:
        return False
    if peer.namespace is not None and peer.namespace != other.namespace:
        return False
    return _selects(peer.selector, other.labels)


def _port_ok(rule: Rule, port: int, protocol: str) -> bool:
    return not rule.ports or any(p.port == port and p.protocol == protocol for p in rule.ports)


def _side_allows(policies: Iterable[Policy], me: Endpoint, other: Endpoint, port: int, protocol: str, direction: str) -> bool:
    if me.namespace is None:
        return True  # outside the cluster: no NetworkPolicy applies
    relevant = [p for p in policies if p.namespace == me.namespace and _selects(p.selector, me.labels)
                and (p.ingress if direction == "ingress" else p.egress) is not None]
    if not relevant:
        return True  # not isolated in this direction
    for p in relevant:
        for rule in (p.ingress if direction == "ingress" else p.egress) or ():
            if _port_ok(rule, port, protocol) and any(_peer_matches(peer, p.namespace, other) for peer in rule.peers):
                return True
    return False


def permits(policies: Sequence[Policy], src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP") -> bool:
    """Would a connection src -> dst:port be allowed (egress of src and ingress of dst)?"""
    return (_side_allows(policies, src, dst, port, protocol, "egress")
            and _side_allows(policies, dst, src, port, protocol, "ingress"))


# ----------------------------------------------------------------------------- rendering
def _peer_manifest(peer: Peer, policy_ns: str) -> dict:
    if peer.cidr is not None:
        return {"ip_block": {"cidr": peer.cidr}}
    out: dict = {}
    if peer.namespace != policy_ns:
        out["namespace_selector"] = {"match_labels": {NS_LABEL: peer.namespace}} if peer.namespace else {}
    out["pod_selector"] = {"match_labels": dict(peer.selector)} if peer.selector is not None else {}
    return out


def _rule_manifest(rule: Rule, policy_ns: str, key: str) -> dict:
    out: dict = {key: [_peer_manifest(p, policy_ns) for p in rule.peers]}
    if rule.ports:
        out["ports"] = [{"port": p.port, "protocol": p.protocol} for p in rule.ports]
    return out


def manifest_spec(p: Policy) -> dict:
    spec: dict = {"pod_selector": {"match_labels": dict(p.selector)} if p.selector else {}, "policy_types": p.types}
    if p.ingress is not None:
        spec["ingress"] = [_rule_manifest(r, p.namespace, "from") for r in p.ingress]
    if p.egress is not None:
        spec["egress"] = [_rule_manifest(r, p.namespace, "to") for r in p.egress]
    return spec


def policy_from_manifest(name: str, namespace: str, spec: Mapping) -> Policy:
    """Read a NetworkPolicy spec (camelCase, as registered) back into a `Policy`, so tests and
    tools evaluate exactly what is deployed."""

    def peer(m: Mapping) -> Peer:
        if "ipBlock" in m:
            return Peer(cidr=m["ipBlock"]["cidr"])
        if "namespaceSelector" in m:
            labels = (m["namespaceSelector"] or {}).get("matchLabels") or {}
            if set(labels) - {NS_LABEL}:
                raise ValueError(f"{namespace}/{name}: only namespaces selected by name are supported: {labels}")
            ns = labels.get(NS_LABEL)
        else:
            ns = namespace
        pods = m.get("podSelector")
        selector = dict((pods or {}).get("matchLabels") or {}) if pods is not None else None
        return Peer(ns, selector if selector else (None if ns else {}))

    def rules(items, key) -> tuple[Rule, ...]:
        return tuple(Rule(tuple(peer(x) for x in r.get(key, [])) or (Peer(cidr=ANYWHERE),),
                          tuple(Port(int(p["port"]), p.get("protocol", "TCP")) for p in r.get("ports", [])))
                     for r in items)

    types = spec.get("policyTypes") or ["Ingress"]
    return Policy(
        name=name, namespace=namespace, selector=dict((spec.get("podSelector") or {}).get("matchLabels") or {}),
        ingress=rules(spec.get("ingress") or [], "from") if "Ingress" in types else None,
        egress=rules(spec.get("egress") or [], "to") if "Egress" in types else None,
    )


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    provider: k8s.Provider
    topology: Topology
    depends_on: Sequence[pulumi.Resource] = ()


class NetworkPolicies(pulumi.ComponentResource):
    policies: list[Policy]

    def __init__(self, name: str, args: NetworkPoliciesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:platform:NetworkPolicies", name, None, opts)
        self.policies = plan_policies(args.topology)
        child = kube.child(self, args.provider, depends_on=list(args.depends_on))
        self.resources = [
            k8s.networking.v1.NetworkPolicy(
                f"{p.namespace}-{p.name}",
                metadata={"name": p.name, "namespace": p.namespace, "labels": kube.labels("network-policy", p.name)},
                spec=manifest_spec(p),
                opts=child,
            )
            for p in self.policies
        ]
        self.register_outputs({"policies": [f"{p.namespace}/{p.name}" for p in self.policies]})


# ----------------------------------------------------------------------------- wiring
def _workload(ns: str, selector: Optional[Mapping[str, str]]) -> Optional[Workload]:
    return Workload(ns, dict(selector)) if selector else None


def topology_from(platform: object) -> Topology:
    """Build the Topology from what DataPlatform's layers expose (typed results, selectors).

    Every part is optional: a layer that is absent (disabled, or not built yet) simply gets no
    policy and its peers are left out, and an unknown data-service selector falls back to the
    data-storage namespace on the service's port (broader, but traffic keeps flowing)."""
    from .namespaces import APPS, STORAGE

    ds = getattr(getattr(platform, "data_services", None), "result", None)
    dremio = getattr(platform, "dremio", None)
    dbt = getattr(platform, "dbt", None)
    superset = getattr(platform, "superset", None)
    airbyte = getattr(platform, "airbyte", None)
    ingress = getattr(platform, "ingress", None)
    obs = getattr(platform, "observability", None)
    scraper = shippers = None
    api_clients: list[tuple[str, Workload]] = []
    if obs is not None and obs.ca_publisher_selector:
        api_clients.append(("elasticsearch-ca-publisher", Workload(STORAGE, dict(obs.ca_publisher_selector))))
    if obs is not None and obs.metrics_enabled:
        from .observability import MONITORING

        scraper = Peer(MONITORING, dict(obs.prometheus_selector), name="prometheus")
    if obs is not None and obs.logs_enabled:
        from .observability import LOGGING

        shippers = (Peer(LOGGING, dict(obs.fluent_bit_selector), name="fluent-bit"),)

    dremio_peers = None
    if dremio is not None:
        r = dremio.result
        clients = [Workload(APPS, dict(r.bootstrap_selector))]
        if dbt is not None and getattr(dbt, "cron_job", None) is not None:
            clients.append(Workload(APPS, dict(dbt.selector)))
        dremio_peers = DremioPeers(
            coordinator=Workload(APPS, dict(r.coordinator_selector)), executor=Workload(APPS, dict(r.executor_selector)),
            all=Workload(APPS, dict(r.all_selector)), zookeeper=_workload(APPS, r.zookeeper_selector), clients=tuple(clients),
        )

    superset_peers = None
    sel = getattr(superset, "selectors", None)
    if sel:
        superset_peers = SupersetPeers(
            web=Workload(APPS, sel["web"]), worker=Workload(APPS, sel["worker"]), beat=Workload(APPS, sel["beat"]),
            init=_workload(APPS, sel.get("init")), redis=Workload(APPS, sel["redis"]),
            web_port=getattr(superset.ui, "target_port", 0) or superset.ui.port,
        )

    airbyte_peers = None
    if airbyte is not None and getattr(airbyte, "pod_selector", None):
        uis = [u for u in (getattr(airbyte, "ui", None), getattr(airbyte, "connector_builder", None)) if u is not None]
        airbyte_peers = AirbytePeers(
            pods=Workload(APPS, airbyte.pod_selector), jobs=Workload(APPS, airbyte.job_pod_selector),
            ui_ports=tuple((dict(u.selector), u.target_port or u.port) for u in uis),
        )

    controller = None
    if ingress is not None and getattr(ingress, "controller_selector", None):
        controller = Peer(ingress.controller_namespace, dict(ingress.controller_selector), name="ingress-controller")

    pg_peers = os_peers = es_peers = None
    if ds is not None:
        from .data_services import elasticsearch as es_mod
        from .data_services import postgres as pg_mod

        pg = ds.postgres
        servers = _workload(STORAGE, pg.server_selector)
        cluster = None
        if servers is not None:
            # CNPG labels every pod of a cluster (instances and its initdb/join Jobs) with cnpg.io/cluster.
            whole = {k: v for k, v in pg.server_selector.items() if k != "cnpg.io/podRole"}
            cluster = Workload(STORAGE, whole) if whole != dict(pg.server_selector) else None
        pg_clients = () if servers is not None else (Workload(STORAGE, kube.selector("postgres", "bootstrap")),)
        pg_peers = PostgresPeers(
            servers=servers, pooler=_workload(STORAGE, pg.pooler_selector), cluster=cluster, clients=pg_clients,
            operator_namespace=getattr(pg_mod, "OPERATOR_NAMESPACE", "cnpg-system"), port=pg.port,
        )
        store = ds.object_store
        minio = _workload(STORAGE, store.server_selector)
        minio_clients = [Workload(STORAGE, kube.selector("minio", "bootstrap"))] if minio else []
        if minio and obs is not None and obs.minio_job_selector:
            minio_clients.append(Workload(STORAGE, dict(obs.minio_job_selector)))
        os_peers = ObjectStorePeers(servers=minio, port=store.port, clients=tuple(minio_clients))
        es = ds.elasticsearch
        if es.server_selector:
            es_peers = ElasticsearchPeers(
                servers=Workload(STORAGE, dict(es.server_selector)), port=es.port,
                operator_namespace=getattr(es_mod, "OPERATOR_NAMESPACE", "elastic-system"),
                shippers=shippers or (),
                clients=tuple((n, Workload(STORAGE, dict(sel))) for n, sel in (obs.es_client_selectors if obs is not None else ())),
            )
    return Topology(
        apps_namespace=APPS, storage_namespace=STORAGE, dremio=dremio_peers, superset=superset_peers, airbyte=airbyte_peers,
        ingress_controller=controller, postgres=pg_peers, object_store=os_peers, elasticsearch=es_peers, scraper=scraper,
        api_clients=tuple(api_clients),
    )
