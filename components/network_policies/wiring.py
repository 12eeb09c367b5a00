"""`topology_from`: the Topology built from what DataPlatform's layers expose."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

from .. import kube
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


def _workload(ns: str, selector: Optional[Mapping[str, str]]) -> Optional[Workload]:
    return Workload(ns, dict(selector)) if selector else None


def topology_from(platform: object) -> Topology:
    """Build the Topology from what DataPlatform's layers expose (typed results, selectors).

    Every part is optional: a layer that is absent (disabled, or not built yet) simply gets no
    policy and its peers are left out, and an unknown data-service selector falls back to the
    data-storage namespace on the service's port (broader, but traffic keeps flowing)."""
    from ..namespaces import APPS, STORAGE

    ds = getattr(getattr(platform, "data_services", None), "result", None)
    dremio = getattr(platform, "dremio", None)
    dbt = getattr(platform, "dbt", None)
    superset = getattr(platform, "superset", None)
    airbyte = getattr(platform, "airbyte", None)
    ingress = getattr(platform, "edge", None)
    obs = getattr(platform, "observability", None)
    scraper = shippers = None
    api_clients: list[tuple[str, Workload]] = []
    if obs is not None and obs.ca_publisher_selector:
        api_clients.append(("elasticsearch-ca-publisher", Workload(STORAGE, dict(obs.ca_publisher_selector))))
    off_hours = getattr(platform, "off_hours", None)
    if off_hours is not None:
        api_clients.append(("off-hours-scaler", Workload(APPS, dict(off_hours.selector))))
    if obs is not None and obs.metrics_enabled:
        from ..observability import MONITORING

        scraper = Peer(MONITORING, dict(obs.prometheus_selector), name="prometheus")
    if obs is not None and obs.logs_enabled:
        from ..observability import LOGGING

        shippers = (Peer(LOGGING, dict(obs.fluent_bit_selector), name="fluent-bit"),)

    dremio_peers = None
    if dremio is not None:
        r = dremio.result
        clients = [Workload(APPS, dict(r.bootstrap_selector))]
        if dbt is not None and getattr(dbt, "cron_job", None) is not None:
            clients.append(Workload(APPS, dict(dbt.selector)))
        if getattr(r, "catalog_backup_selector", None):
            clients.append(Workload(APPS, dict(r.catalog_backup_selector)))
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
            pypi=bool(getattr(superset, "needs_pypi_egress", False)),
        )

    airbyte_peers = None
    if airbyte is not None and getattr(airbyte, "pod_selector", None):
        uis = [u for u in (getattr(airbyte, "ui", None),) if u is not None]
        airbyte_peers = AirbytePeers(
            pods=Workload(APPS, airbyte.pod_selector), jobs=Workload(APPS, airbyte.job_pod_selector),
            ui_ports=tuple((dict(u.selector), u.target_port or u.port) for u in uis),
        )

    controller = edge = None
    if ingress is not None and getattr(ingress, "controller_selector", None):
        controller = Peer(ingress.controller_namespace, dict(ingress.controller_selector), name="ingress-controller")
        edge = EdgePeers(Workload(ingress.controller_namespace, dict(ingress.controller_selector)),
                         traffic_ports=tuple(ingress.traffic_ports), metrics_port=ingress.metrics_port,
                         backends=tuple(ingress.backends))

    pg_peers = os_peers = es_peers = None
    if ds is not None:
        from ..data_services import elasticsearch as es_mod
        from ..data_services import postgres as pg_mod

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
        for i, sel in enumerate(store.admin_job_selectors):  # e.g. the restart Job: API server and MinIO
            minio_clients.append(Workload(STORAGE, dict(sel)))
            api_clients.append((f"minio-admin-{i}", Workload(STORAGE, dict(sel))))
        if minio and obs is not None and obs.minio_job_selector:
            minio_clients.append(Workload(STORAGE, dict(obs.minio_job_selector)))
        os_peers = ObjectStorePeers(servers=minio, port=store.port, clients=tuple(minio_clients))
        es = ds.elasticsearch
        if es.server_selector:
            snapshots = getattr(platform, "es_snapshots", None)
            es_clients = [*(obs.es_client_selectors if obs is not None else ()), *(snapshots.selectors if snapshots is not None else ())]
            es_peers = ElasticsearchPeers(
                servers=Workload(STORAGE, dict(es.server_selector)), port=es.port,
                operator_namespace=getattr(es_mod, "OPERATOR_NAMESPACE", "elastic-system"),
                shippers=shippers or (),
                clients=tuple((n, Workload(STORAGE, dict(sel))) for n, sel in es_clients),
                snapshots=snapshots is not None,
            )
    velero = getattr(platform, "velero", None)
    velero_peers = VeleroPeers(Workload(velero.namespace, dict(velero.selector))) if velero is not None else None
    mirror = getattr(platform, "lake_mirror", None)
    mirror_peers = MirrorPeers(Workload(STORAGE, dict(mirror.selector)), mirror.port, tuple(mirror.cidrs)) if mirror is not None else None
    return Topology(
        apps_namespace=APPS, storage_namespace=STORAGE, dremio=dremio_peers, superset=superset_peers, airbyte=airbyte_peers,
        ingress_controller=controller, edge=edge, postgres=pg_peers, object_store=os_peers, elasticsearch=es_peers, velero=velero_peers, mirror=mirror_peers, scraper=scraper,
        api_clients=tuple(api_clients), cluster_cidrs=tuple(getattr(platform, "cluster_cidrs", ())),
    )
