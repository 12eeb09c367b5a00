"""DataPlatform: everything that runs on Kubernetes, laid on any cloud's Foundation.

Order (each layer consumes the typed result of the one before, never a hard-coded name):
namespaces -> data services (PostgreSQL, MinIO, Elasticsearch) -> applications (Dremio,
Airbyte, Superset, dbt) -> edge (Gateway, TLS) -> observability -> network policies (last: they are
computed from every layer's selectors, the observability scrapers and log shippers included).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from foundation import Foundation
from kube.namespaces import APPS, STORAGE, Namespaces, NamespacesArgs
from settings import Settings
from settings.cron import dst_minutes, max_gap_minutes

from .apps.airbyte import Airbyte, AirbyteArgs
from .apps.dbt import Dbt, DbtArgs
from .apps.dremio import Dremio, DremioArgs
from .apps.superset import Superset, SupersetArgs
from .apps.superset.config import DremioConnection
from .backups import Velero, VeleroArgs
from .backups.elasticsearch_snapshots import ElasticsearchSnapshots
from .backups.minio_mirror import LakeMirror
from .backups.scheduled import ScheduledBackup
from .backups.velero import NAMESPACE as VELERO_NAMESPACE
from .backups.velero import SCHEDULE_NAME as VELERO_SCHEDULE
from .backups.velero import VELERO_KINDS, AzureBlob, VeleroStore
from .context import PlatformContext
from .data_services import DataServices, DataServicesArgs
from .data_services.component import cloud_backups
from .edge import EDGE_WAS_INGRESS, Edge, EdgeArgs, Route
from .edge.routes import WEBSOCKET_UIS
from .network_policies import NetworkPolicies, NetworkPoliciesArgs, Workload, topology_from
from .network_policies.model import MirrorPeers
from .network_policies.wiring import Layers
from .observability import Observability, ObservabilityArgs
from .off_hours import OffHours, OffHoursArgs


@dataclass(frozen=True)
class DataPlatformArgs:
    foundation: Foundation
    settings: Settings


class DataPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: DataPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:DataPlatform", name, None, opts)
        f, s = args.foundation, args.settings
        self.ctx = ctx = PlatformContext.of(f, s)
        self.namespaces = Namespaces(
            "namespaces",
            NamespacesArgs(provider=ctx.provider, environment=ctx.environment),
            pulumi.ResourceOptions(parent=self, depends_on=list(f.cluster_ready)),
        )
        # --- data services (components/data_services) ---
        self.data_services = DataServices(
            "data-services",
            DataServicesArgs(ctx=ctx, foundation=f, settings=s, depends_on=[self.namespaces]),
            pulumi.ResourceOptions(parent=self),
        )

        ds = self.data_services.result
        after = [self.namespaces, self.data_services]

        # --- applications (components/apps) ---
        self.dremio = Dremio("dremio", DremioArgs(
            ctx=ctx, namespace=self.namespaces.apps, namespace_name=APPS, settings=s.dremio,
            object_store=ds.object_store.for_consumer("dremio"), depends_on=after,
            catalog_backup_schedule=None if s.backups.standby else s.backups.config_schedule, catalog_backup_time_zone=s.backups.time_zone,
        ), pulumi.ResourceOptions(parent=self))
        self.dbt = Dbt("dbt", DbtArgs(
            ctx=ctx, namespace=self.namespaces.apps, settings=s.dbt,
            dremio_host=self.dremio.result.host, dremio_port=self.dremio.result.web_port,
            username=self.dremio.result.dbt_username, password=self.dremio.result.dbt_password,
            depends_on=[self.namespaces],
        ), pulumi.ResourceOptions(parent=self))
        self.airbyte = Airbyte("airbyte", AirbyteArgs(
            ctx=ctx, settings=s.airbyte, postgres=ds.postgres, object_store=ds.object_store.for_consumer("airbyte"), depends_on=after,
        ), pulumi.ResourceOptions(parent=self)) if s.airbyte.enabled else None
        self.superset = Superset("superset", SupersetArgs(
            ctx=ctx, settings=s.superset, postgres=ds.postgres, depends_on=after, namespace_ready=(self.namespaces,),
            dremio=DremioConnection(self.dremio.result.host, self.dremio.result.flight_port, self.dremio.result.superset_secret),
        ), pulumi.ResourceOptions(parent=self)) if s.superset.enabled else None

        # --- the edge: Gateway API on Traefik, TLS from cert-manager (components/edge/) ---
        uis = [(prefix, r) for prefix, r in (("airbyte", self.airbyte.result if self.airbyte else None), ("dremio", self.dremio.result),
                                             ("superset", self.superset.result if self.superset else None)) if r is not None]
        self.edge = Edge("edge", EdgeArgs(
            ctx=ctx, gateway_class=s.gateway_class,
            tls_issuer=s.tls_issuer, acme_email=s.acme_email, frontend=f.edge,
            routes=[Route(prefix, r.ui, tuple(r.ui_paths), body_limit=prefix not in WEBSOCKET_UIS) for prefix, r in uis],
            depends_on=(self.namespaces,),
        ), pulumi.ResourceOptions(parent=self, aliases=[EDGE_WAS_INGRESS]))
        edge = self.edge.result
        self.data_services.install_backups([edge.cert_manager])

        # --- Elasticsearch snapshots (components/backups/; the nodes' S3 client is the data services') ---
        es, minio = self.data_services.elasticsearch, self.data_services.minio
        self.es_snapshots = ElasticsearchSnapshots(
            "elasticsearch-snapshots", ctx=ctx, settings=s.backups, store=es.snapshots, image=ds.elasticsearch.image,
            depends_on=[self.namespaces, *ds.elasticsearch.ready, *es.snapshots.ready], opts=pulumi.ResourceOptions(parent=self),
        ) if es.snapshots is not None else None
        # --- the lake's daily copy off the cluster (MinIO only; cloud buckets replicate) ---
        self.lake_mirror = LakeMirror(
            "lake-mirror", ctx=ctx, settings=s.backups, image=s.minio.mc_image, source_endpoint=minio.result.endpoint,
            depends_on=[self.namespaces, *minio.ready], opts=pulumi.ResourceOptions(parent=self),
        ) if minio is not None and minio.result.endpoint is not None and s.backups.mirror_endpoint and not s.backups.standby else None

        # --- observability (components/observability) ---
        store = self._velero_store(f, s) if s.backups.velero and not s.backups.standby else None
        self.observability = Observability("observability", ObservabilityArgs(
            ctx=ctx, settings=s.observability, kubelet_certificates_verifiable=f.kubelet_certificates_verifiable,
            data=ds, edge=edge, airbyte=self.airbyte.result if self.airbyte else None,
            velero=ScheduledBackup(VELERO_NAMESPACE, VELERO_SCHEDULE, max_gap_minutes(s.backups.config_schedule) + dst_minutes(s.backups.time_zone))
            if store is not None else None,
            catalog_backup=self.dremio.result.catalog_backup,
            snapshot_check=(ScheduledBackup(STORAGE, self.es_snapshots.check_cronjob, self.es_snapshots.check_gap_minutes)
                            if self.es_snapshots is not None else None),
            lake_mirror=(ScheduledBackup(STORAGE, self.lake_mirror.name, max_gap_minutes(s.backups.object_store_schedule) + dst_minutes(s.backups.time_zone))
                         if self.lake_mirror is not None else None),
            log_sink=f.log_sink,
            depends_on=(self.namespaces,),
        ), pulumi.ResourceOptions(parent=self))
        obs = self.observability.result

        # --- configuration/metadata backup (components/backups/; the data services back up themselves) ---
        self.velero = Velero("velero", VeleroArgs(
            ctx=ctx, settings=s.backups, store=store,
            namespaces=[APPS, STORAGE, edge.controller_namespace, *obs.namespaces], service_monitor=s.observability.metrics,
            # MinIO's users exist, and the ServiceMonitor CRD (kube-prometheus-stack); not the rest.
            depends_on=(*ds.object_store.ready, *filter(None, [obs.monitoring_crds])),
        ), pulumi.ResourceOptions(parent=self)) if store is not None else None

        # --- off-hours scale-down (components/off_hours.py; non-prod) ---
        self.off_hours = OffHours("off-hours", OffHoursArgs(
            ctx=ctx, settings=s.offhours, namespaces=(self.namespaces.apps, self.namespaces.storage),
        ), pulumi.ResourceOptions(parent=self)) if s.offhours.enabled else None

        # --- network policies (components/network_policies/) ---
        self.cluster_cidrs = (*(s.cluster_network.pod_cidrs or f.pod_cidrs), *(s.cluster_network.service_cidrs or f.service_cidrs))
        layers = Layers(
            data=ds, dremio=self.dremio.result, edge=edge, observability=obs,
            superset=self.superset.result if self.superset else None, airbyte=self.airbyte.result if self.airbyte else None,
            dbt=self.dbt.selector if self.dbt.cron_job is not None else None,
            off_hours=self.off_hours.selector if self.off_hours else None,
            velero=Workload(self.velero.namespace, dict(self.velero.selector)) if self.velero else None,
            velero_cloud_store=self.velero.cloud_store if self.velero else False,
            postgres_archive_to_cloud=self.data_services.archive_in_cloud, cluster_cidrs=self.cluster_cidrs,
            identity_endpoints=tuple(f.identity_endpoints),
            es_snapshots=self.es_snapshots is not None, es_snapshot_clients=tuple(self.es_snapshots.selectors) if self.es_snapshots else (),
            mirror=(MirrorPeers(Workload(STORAGE, dict(self.lake_mirror.selector)), self.lake_mirror.port, self.lake_mirror.cidrs)
                    if self.lake_mirror is not None else None),
        )
        self.network_policies = NetworkPolicies("network-policies", NetworkPoliciesArgs(
            ctx=ctx, topology=topology_from(layers), depends_on=[self.namespaces, self.edge, *([self.velero] if self.velero else [])],
        ), pulumi.ResourceOptions(parent=self)) if s.network_policies else None

        self.outputs: dict[str, pulumi.Input] = {
            "namespaces": [self.namespaces.apps.metadata["name"], self.namespaces.storage.metadata["name"]],
        }
        self.outputs.update(self.data_services.outputs)
        self.outputs.update({"airbyteUrl": self.airbyte.url} if self.airbyte else {})
        self.outputs.update({"supersetUrl": self.superset.url} if self.superset else {})
        self.outputs.update({"ingressHosts": list(edge.hosts), "uiUrls": dict(edge.urls), "tlsIssuer": s.tls_issuer})
        self.outputs.update(self.observability.outputs)
        self.register_outputs(self.outputs)

    def _velero_store(self, f: Foundation, s: Settings) -> VeleroStore | None:
        """Velero's bucket and identity: the cloud's `velero` bucket through workload identity
        (EBS snapshots on AWS; Azure Blob and Cloud Storage with their plugins), else MinIO's
        `velero` user; the cluster's CSI volume snapshots wherever the Foundation offers them.
        None where neither store exists."""
        store = f.object_store
        if cloud_backups(f, s) and store is not None and store.kind in VELERO_KINDS and "velero" in store.buckets and "velero" in f.workload_identity:
            adls = store.adls
            # A cloud "s3" object store is AWS's, whose volumes are EBS: Velero's AWS plugin snapshots them,
            # unless the Foundation offers CSI snapshots (with EnableCSI Velero leaves CSI volumes to those).
            return VeleroStore(bucket=store.buckets["velero"], region=store.region or "",
                               snapshots=store.kind == "s3" and f.volume_snapshots is None,
                               identity=f.identity("velero"),
                               azure=AzureBlob(adls.name, adls.blob_endpoint) if store.kind == "adls" and adls is not None else None,
                               gcs_service_account=store.velero_account if store.kind == "gcs" else None,
                               csi=f.volume_snapshots)
        minio = self.data_services.minio
        if minio is not None:
            from .data_services.minio import REGION, VELERO_BUCKET

            return VeleroStore(bucket=VELERO_BUCKET, region=REGION, endpoint=minio.result.endpoint, keys=minio.user_keys["velero"],
                               csi=f.volume_snapshots)
        pulumi.log.warn("Velero: this cloud's object store has no velero bucket and identity; the configuration backup is off", self)
        return None
