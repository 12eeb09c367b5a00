"""`plan_policies`: the pure function from a Topology to the policy set."""

from __future__ import annotations

from collections.abc import Sequence

from .model import ACME_SOLVER_PORT, ACME_SOLVER_SELECTOR, ANYWHERE, API_SERVER_PORTS, Peer, Policy, Port, PostgresPeers, Rule, Topology, tcp


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


def _cloud_store_rules(t: Topology) -> list[Rule]:
    """The cloud's object store over HTTPS, and the endpoint its workload-identity tokens come from."""
    return [_https_out()] + [Rule((Peer(cidr=cidr, name="identity-token-endpoint"),), tcp(port)) for cidr, port in t.identity_endpoints]


def _object_store_rules(t: Topology) -> list[Rule]:
    if t.object_store is None:
        return [Rule((Peer(t.storage_namespace, None, name="data-storage"),), tcp(9000))]
    if t.object_store.servers is None:
        return _cloud_store_rules(t)
    return [Rule((t.object_store.servers.peer("minio"),), tcp(t.object_store.port))]


def _backup_store_rules(t: Topology, to_cloud: bool) -> list[Rule]:
    """Where PostgreSQL's archive or Velero writes: the cloud's store over HTTPS (and its token
    endpoint) when the backups leave the cluster, else wherever the lake is."""
    return _cloud_store_rules(t) if to_cloud else _object_store_rules(t)


def plan_policies(t: Topology) -> list[Policy]:
    A, S = t.apps_namespace, t.storage_namespace
    out: list[Policy] = []
    for ns in (A, S, *([t.velero.server.namespace] if t.velero else [])):
        out.append(Policy("default-deny", ns, {}, ingress=(), egress=()))
        out.append(Policy("allow-dns", ns, {}, egress=(Rule((t.dns,), (Port(53, "UDP"), Port(53, "TCP"))),)))

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
        # No PostgreSQL: Dremio keeps its catalog in its own KV store (RocksDB on the master's volume).
        egress = [Rule((d.all.peer("dremio"),), tcp(45678, 45679))]
        egress += _object_store_rules(t)
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
        # Init containers pip-install pinned drivers into every Superset pod (Dremio's, psycopg2 on 4.1+).
        pypi = [_https_out()] if sp.pypi else []
        web_in = [Rule((t.ingress_controller,), tcp(sp.web_port))] if t.ingress_controller else []
        out.append(Policy("superset-web", sp.web.namespace, dict(sp.web.selector), ingress=tuple(web_in),
                          egress=tuple(_postgres_rules(t) + [redis] + dremio + pypi)))
        out.append(Policy("superset-worker", sp.worker.namespace, dict(sp.worker.selector), ingress=(),
                          egress=tuple(_postgres_rules(t) + [redis] + dremio + pypi)))
        out.append(Policy("superset-beat", sp.beat.namespace, dict(sp.beat.selector), ingress=(),
                          egress=tuple(_postgres_rules(t) + [redis] + pypi)))
        if sp.init:
            out.append(Policy("superset-init", sp.init.namespace, dict(sp.init.selector), ingress=(),
                              egress=tuple(_postgres_rules(t) + pypi)))
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
        # Connector pods read external sources on any port: every address but the cluster's own
        # pod and Service ranges (which would include Prometheus, the operators, kube-system),
        # plus the platform's stores they are wired to.
        outside = Peer(cidr=ANYWHERE, except_=tuple(t.cluster_cidrs), name="outside-the-cluster")
        out.append(Policy("airbyte-jobs", ab.jobs.namespace, dict(ab.jobs.selector),
                          ingress=(Rule((ab.pods.peer("airbyte"),)),),
                          egress=tuple([own, Rule((outside,))] + _postgres_rules(t) + _object_store_rules(t) + dremio)))

    # ------------------------------------------------------------------ PostgreSQL (CloudNativePG or managed)
    pg = t.postgres
    if pg is not None:
        app_clients = _app_clients(t, postgres=True)
        operator = Peer(pg.operator_namespace, None, name="cnpg-operator") if pg.operator_namespace else None
        servers = _postgres_servers(pg)
        if pg.servers is not None:
            cluster = (pg.cluster or pg.servers).peer("postgres-cluster")
            ingress = [Rule((cluster,), tcp(pg.port, pg.status_port))] + ([Rule((operator,), tcp(pg.status_port))] if operator else [])
            if pg.pooler:
                ingress.append(Rule((pg.pooler.peer("pgbouncer"),), tcp(pg.port)))
            direct = app_clients + [c.peer("postgres-client") for c in pg.clients]
            if direct:
                ingress.append(Rule(tuple(direct), tcp(pg.port)))
            if t.scraper:
                ingress.append(Rule((t.scraper,), tcp(pg.metrics_port)))
            whole = pg.cluster or pg.servers
            out.append(Policy("postgres", whole.namespace, dict(whole.selector), ingress=tuple(ingress),
                              egress=tuple([Rule((cluster,), tcp(pg.port, pg.status_port)), _api_server()] + _backup_store_rules(t, t.postgres_archive_to_cloud))))
        if pg.pooler:
            pin = [Rule((operator,), tcp(pg.status_port))] if operator else []
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
        if t.velero is not None:
            clients.append(t.velero.server.peer("velero"))
        if t.elasticsearch is not None and t.elasticsearch.snapshots:
            clients.append(t.elasticsearch.servers.peer("elasticsearch"))
        if t.mirror is not None:
            clients.append(t.mirror.job.peer("lake-mirror"))
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
                          egress=(Rule((nodes,), tcp(es.port, es.transport_port)), *(_object_store_rules(t) if es.snapshots else ()))))
    # ------------------------------------------------------------------ Velero
    if t.velero is not None:
        v = t.velero.server
        scrape = (Rule((t.scraper,), tcp(t.velero.metrics_port)),) if t.scraper else ()
        out.append(Policy("velero", v.namespace, dict(v.selector), ingress=scrape, egress=(_api_server(), *_backup_store_rules(t, t.velero.cloud_store))))
    if t.mirror is not None:
        out.append(_mirror_policy(t))
    for name, w in t.api_clients:
        out.append(Policy(name, w.namespace, dict(w.selector), ingress=(), egress=(_api_server(),)))
    # ------------------------------------------------------------------ the edge (Gateway controller)
    out += _edge_policies(t)
    _check_names(out)
    return out


def _mirror_policy(t: Topology) -> Policy:
    """The lake mirror reads MinIO and writes to the target's port on its address blocks only."""
    m = t.mirror
    assert m is not None
    targets = tuple(Peer(cidr=c, name="mirror-target") for c in m.cidrs) or (
        Peer(cidr=ANYWHERE, except_=tuple(t.cluster_cidrs), name="mirror-target"),)
    return Policy("lake-mirror", m.job.namespace, dict(m.job.selector), ingress=(),
                  egress=(*_object_store_rules(t), Rule(targets, tcp(m.port))))


def _app_clients(t: Topology, *, postgres: bool) -> list[Peer]:
    """Application pods that use PostgreSQL (postgres=True) or the object store."""
    out: list[Peer] = []
    if t.dremio and not postgres:
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


def _ui_rules(t: Topology) -> list[Rule]:
    """Where the Gateway's controller may connect: the pods of what it routes to, on their ports."""
    assert t.edge is not None
    return [Rule((Peer(t.apps_namespace, dict(sel), name="ui"),), tcp(port)) for sel, port in t.edge.backends]


def _edge_policies(t: Topology) -> list[Policy]:
    """The edge namespace denies by default; the controller takes traffic from anywhere on its
    HTTP/HTTPS/health ports and Prometheus on its metrics port, and reaches exactly the UIs, the
    ACME HTTP-01 solver pods (cert-manager starts them next to the Certificates, here) and the
    Kubernetes API (it watches Gateways, routes and endpoints)."""
    e = t.edge
    if e is None:
        return []
    ns, controller = e.controller.namespace, e.controller.peer("edge-controller")
    solver = Peer(ns, dict(ACME_SOLVER_SELECTOR), name="acme-http01-solver")
    inbound = [Rule((Peer(cidr=ANYWHERE, name="clients"),), tcp(*e.traffic_ports))]
    if t.scraper:
        inbound.append(Rule((t.scraper,), tcp(e.metrics_port)))
    return [
        Policy("default-deny", ns, {}, ingress=(), egress=()),
        Policy("edge-controller", ns, dict(e.controller.selector), ingress=tuple(inbound),
               egress=tuple(_ui_rules(t) + [Rule((solver,), tcp(ACME_SOLVER_PORT)), _api_server()])),
        Policy("acme-http01-solver", ns, dict(ACME_SOLVER_SELECTOR), ingress=(Rule((controller,), tcp(ACME_SOLVER_PORT)),), egress=()),
    ]
