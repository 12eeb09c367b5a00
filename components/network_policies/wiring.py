"""`topology_from`: the Topology built from the typed results DataPlatform's layers hand over."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import kube

from ..apps.dremio.component import DremioResult
from ..apps.result import AirbyteResult, SupersetResult
from ..data_services.result import DataServicesResult
from ..edge.result import EdgeResult
from ..observability.result import ObservabilityResult
from .model import (
    AirbytePeers,
    DremioPeers,
    EdgePeers,
    ElasticsearchPeers,
    MirrorPeers,
    ObjectStorePeers,
    Peer,
    PostgresPeers,
    SupersetPeers,
    Topology,
    VeleroPeers,
    Workload,
)


@dataclass(frozen=True)
class Layers:
    """What the network policies read from DataPlatform's layers: each producer's typed result
    (None: the layer is off), the few workloads outside them, and the cluster's own ranges."""

    data: DataServicesResult
    dremio: DremioResult
    edge: EdgeResult
    observability: ObservabilityResult
    superset: Optional[SupersetResult] = None
    airbyte: Optional[AirbyteResult] = None
    dbt: Optional[Mapping[str, str]] = None
    """dbt's pods (apps namespace) when its CronJob exists: a client of Dremio."""
    off_hours: Optional[Mapping[str, str]] = None
    """The off-hours scaler's pods (apps namespace): a client of the API server only."""
    velero: Optional[Workload] = None
    velero_cloud_store: bool = False
    """Velero writes to the cloud's object store (HTTPS out), not to the lake's MinIO."""
    postgres_archive_to_cloud: bool = False
    """The in-cluster PostgreSQL archives to the cloud's object store (HTTPS out), not to MinIO."""
    es_snapshots: bool = False
    """Elasticsearch's nodes write snapshots to the object store (components/backups/elasticsearch_snapshots.py)."""
    es_snapshot_clients: tuple[tuple[str, Mapping[str, str]], ...] = ()
    """(name, pods in the storage namespace) of the snapshot Jobs: clients of Elasticsearch's HTTP API."""
    mirror: Optional[MirrorPeers] = None
    """The MinIO lake mirror's Jobs and its target (components/backups/minio_mirror.py)."""
    identity_endpoints: tuple[tuple[str, int], ...] = ()
    cluster_cidrs: tuple[str, ...] = ()


def _workload(ns: str, selector: Optional[Mapping[str, str]]) -> Optional[Workload]:
    return Workload(ns, dict(selector)) if selector else None


def topology_from(layers: Layers) -> Topology:
    """Build the Topology from the layers' results: a layer that is off gets no policy and its
    peers are left out."""
    from kube.namespaces import APPS, STORAGE

    from ..observability import LOGGING, MONITORING

    ds, obs = layers.data, layers.observability
    api_clients: list[tuple[str, Workload]] = []
    if obs.ca_publisher:
        api_clients.append(("elasticsearch-ca-publisher", Workload(STORAGE, dict(obs.ca_publisher))))
    if layers.off_hours is not None:
        api_clients.append(("off-hours-scaler", Workload(APPS, dict(layers.off_hours))))
    scraper = Peer(MONITORING, dict(obs.prometheus), name="prometheus") if obs.prometheus is not None else None
    shippers = (Peer(LOGGING, dict(obs.fluent_bit), name="fluent-bit"),) if obs.fluent_bit is not None else ()

    r = layers.dremio
    clients = [Workload(APPS, dict(r.bootstrap_selector))]
    if layers.dbt is not None:
        clients.append(Workload(APPS, dict(layers.dbt)))
    if r.catalog_backup_selector:
        clients.append(Workload(APPS, dict(r.catalog_backup_selector)))
    dremio_peers = DremioPeers(
        coordinator=Workload(APPS, dict(r.coordinator_selector)), executor=Workload(APPS, dict(r.executor_selector)),
        all=Workload(APPS, dict(r.all_selector)), zookeeper=_workload(APPS, r.zookeeper_selector), clients=tuple(clients),
    )

    superset_peers = None
    if (ss := layers.superset) is not None:
        superset_peers = SupersetPeers(
            web=Workload(APPS, ss.web), worker=Workload(APPS, ss.worker), beat=Workload(APPS, ss.beat),
            init=_workload(APPS, ss.init), redis=Workload(APPS, ss.redis),
            web_port=ss.ui.target_port or ss.ui.port, pypi=ss.needs_pypi_egress,
        )

    airbyte_peers = None
    if (ab := layers.airbyte) is not None:
        airbyte_peers = AirbytePeers(
            pods=Workload(APPS, ab.pods), jobs=Workload(APPS, ab.jobs),
            ui_ports=((dict(ab.ui.selector), ab.ui.target_port or ab.ui.port),),
        )

    e = layers.edge
    controller = Peer(e.controller_namespace, dict(e.controller_selector), name="ingress-controller")
    edge = EdgePeers(Workload(e.controller_namespace, dict(e.controller_selector)),
                     traffic_ports=tuple(e.traffic_ports), metrics_port=e.metrics_port, backends=tuple(e.backends))

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
        operator_namespace=pg.operator_namespace, port=pg.port,
    )
    store = ds.object_store
    minio = _workload(STORAGE, store.server_selector)
    minio_clients = [Workload(STORAGE, kube.selector("minio", "bootstrap"))] if minio else []
    for i, sel in enumerate(store.admin_job_selectors):  # e.g. the restart Job: API server and MinIO
        minio_clients.append(Workload(STORAGE, dict(sel)))
        api_clients.append((f"minio-admin-{i}", Workload(STORAGE, dict(sel))))
    if minio and obs.minio_metrics_job:
        minio_clients.append(Workload(STORAGE, dict(obs.minio_metrics_job)))
    os_peers = ObjectStorePeers(servers=minio, port=store.port, clients=tuple(minio_clients))
    es = ds.elasticsearch
    es_peers = None
    if es.server_selector:
        es_peers = ElasticsearchPeers(
            servers=Workload(STORAGE, dict(es.server_selector)), port=es.port, operator_namespace=es.operator_namespace,
            shippers=shippers, clients=tuple((n, Workload(STORAGE, dict(sel))) for n, sel in (*obs.es_clients, *layers.es_snapshot_clients)),
            snapshots=layers.es_snapshots,
        )
    velero_peers = VeleroPeers(layers.velero, cloud_store=layers.velero_cloud_store) if layers.velero is not None else None
    return Topology(
        apps_namespace=APPS, storage_namespace=STORAGE, dremio=dremio_peers, superset=superset_peers, airbyte=airbyte_peers,
        ingress_controller=controller, edge=edge, postgres=pg_peers, object_store=os_peers, elasticsearch=es_peers, velero=velero_peers, scraper=scraper,
        postgres_archive_to_cloud=layers.postgres_archive_to_cloud, mirror=layers.mirror,
        api_clients=tuple(api_clients), cluster_cidrs=tuple(layers.cluster_cidrs), identity_endpoints=tuple(layers.identity_endpoints),
    )
