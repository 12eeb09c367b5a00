"""The policy model (peers, ports, rules, policies) and the Topology the planner reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

NS_LABEL = "kubernetes.io/metadata.name"
ANYWHERE = "0.0.0.0/0"
API_SERVER_PORTS = (443, 6443)
DNS_SELECTOR = {"k8s-app": "kube-dns"}
ACME_SOLVER_SELECTOR = {"acme.cert-manager.io/http01-solver": "true"}
ACME_SOLVER_PORT = 8089



@dataclass(frozen=True)
class Peer:
    """Pods in `namespace` (None: any namespace) matching `selector` (None: every pod), or an
    address block (`cidr`) minus the blocks in `except_` (ipBlock `except`)."""

    namespace: Optional[str] = None
    selector: Optional[Mapping[str, str]] = None
    cidr: Optional[str] = None
    name: str = ""
    except_: tuple[str, ...] = ()

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
    pypi: bool = False
    """The pods' init containers pip-install packages (Superset.needs_pypi_egress): HTTPS out."""


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
    operator_namespace: Optional[str]
    """Where CloudNativePG's operator runs (it probes the status port); None next to a managed database."""
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
    snapshots: bool = False
    """The nodes write snapshots to the object store (MinIO, or HTTPS out to a cloud's)."""
    port: int = 9200
    transport_port: int = 9300


@dataclass(frozen=True)
class VeleroPeers:
    """Velero's server in its own namespace: the API server and the object store out, Prometheus in."""

    server: Workload
    metrics_port: int = 8085
    cloud_store: bool = False
    """It writes to the cloud's object store (HTTPS), not to the lake's MinIO."""


@dataclass(frozen=True)
class MirrorPeers:
    """The lake mirror's Jobs: MinIO, and the target's port on its address blocks (none given:
    anywhere outside the cluster)."""

    job: Workload
    port: int
    cidrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgePeers:
    """The Gateway's controller pods (Traefik) and what they listen on."""

    controller: Workload
    traffic_ports: tuple[int, ...]
    """HTTP, HTTPS and the health endpoint, reached by clients and load balancers."""
    metrics_port: int
    backends: tuple[tuple[Mapping[str, str], int], ...] = ()
    """(pod selector, container port) in the apps namespace of everything the Gateway routes to."""


@dataclass(frozen=True)
class Topology:
    apps_namespace: str
    storage_namespace: str
    dremio: Optional[DremioPeers] = None
    superset: Optional[SupersetPeers] = None
    airbyte: Optional[AirbytePeers] = None
    ingress_controller: Optional[Peer] = None
    edge: Optional[EdgePeers] = None
    """The controller's own namespace and pods (None: no edge, or not known yet)."""
    postgres: Optional[PostgresPeers] = None
    object_store: Optional[ObjectStorePeers] = None
    elasticsearch: Optional[ElasticsearchPeers] = None
    velero: Optional[VeleroPeers] = None
    mirror: Optional[MirrorPeers] = None
    postgres_archive_to_cloud: bool = False
    """PostgreSQL's archive goes to the cloud's object store (HTTPS), even where the
    applications' lake is the in-cluster MinIO."""
    scraper: Optional[Peer] = None
    """Prometheus' pods, which scrape the data services' metrics ports (None: no metrics stack)."""
    api_clients: tuple[tuple[str, Workload], ...] = ()
    """(policy name, pods) that only talk to the Kubernetes API server (the Elasticsearch CA publisher Job)."""
    dns: Peer = field(default_factory=lambda: Peer("kube-system", DNS_SELECTOR, name="kube-dns"))
    identity_endpoints: tuple[tuple[str, int], ...] = ()
    """(CIDR, port) of the cloud's token endpoint (Foundation.identity_endpoints): reachable from
    every pod that reaches the cloud's object store."""
    cluster_cidrs: tuple[str, ...] = ()
    """The cluster's pod and Service ranges: cut out of the connectors' any-address egress (on
    most CNIs an ipBlock also matches pod and Service IPs)."""
