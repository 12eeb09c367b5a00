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
from settings import Settings
from settings.cron import max_gap_minutes

from .apps.airbyte import Airbyte, AirbyteArgs
from .apps.dbt import Dbt, DbtArgs
from .apps.dremio import Dremio, DremioArgs
from .apps.superset import Superset, SupersetArgs
from .apps.superset.config import DremioConnection
from .backups import Velero, VeleroArgs
from .backups.velero import NAMESPACE as VELERO_NAMESPACE
from .backups.velero import SCHEDULE_NAME as VELERO_SCHEDULE
from .backups.velero import VeleroStore
from .data_services import DataServices, DataServicesArgs
from .edge import CERT_MANAGER_NS, EDGE_WAS_INGRESS, Edge, EdgeArgs, Route
from .edge.routes import WEBSOCKET_UIS
from .namespaces import APPS, STORAGE, Namespaces, NamespacesArgs
from .network_policies import NetworkPolicies, NetworkPoliciesArgs, topology_from
from .observability import Observability, ObservabilityArgs
from .off_hours import OffHours, OffHoursArgs
from .secrets import use_store


@dataclass(frozen=True)
class DataPlatformArgs:
    foundation: Foundation
    settings: Settings


class DataPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: DataPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:DataPlatform", name, None, opts)
        f, s = args.foundation, args.settings
        use_store(f.provider, f.secret_store)
        self.namespaces = Namespaces(
            "namespaces",
            NamespacesArgs(provider=f.provider, environment=s.environment),
            pulumi.ResourceOptions(parent=self, depends_on=list(f.cluster_ready)),
        )
        # --- data services (components/data_services) ---
        self.data_services = DataServices(
            "data-services",
            DataServicesArgs(foundation=f, settings=s, depends_on=[self.namespaces]),
            pulumi.ResourceOptions(parent=self),
        )

        ds = self.data_services.result
        after = [self.namespaces, self.data_services]

        # --- applications (components/apps) ---
        self.dremio = Dremio("dremio", DremioArgs(
            provider=f.provider, namespace=self.namespaces.apps, namespace_name=APPS, settings=s.dremio,
            object_store=ds.object_store.for_consumer("dremio"), highly_available=s.highly_available, domain=s.domain,
            fast_ssd_storage_class=f.storage_classes.fast_ssd,
            identity=f.identity("dremio"), depends_on=after, protect=s.protect,
            executor_pool=f.interruptible if s.dremio.executors_interruptible else None,
            catalog_backup_schedule=None if s.backups.standby else s.backups.config_schedule,
        ), pulumi.ResourceOptions(parent=self))
        self.dbt = Dbt("dbt", DbtArgs(
            provider=f.provider, namespace=self.namespaces.apps, settings=s.dbt,
            dremio_host=self.dremio.result.host, dremio_port=self.dremio.result.web_port,
            username=self.dremio.result.dbt_username, password=self.dremio.result.dbt_password,
            depends_on=[self.namespaces],
        ), pulumi.ResourceOptions(parent=self))
        self.airbyte = Airbyte("airbyte", AirbyteArgs(
            provider=f.provider, settings=s.airbyte, environment=s.environment, domain=s.domain,
            postgres=ds.postgres, object_store=ds.object_store.for_consumer("airbyte"),
            identity=f.identity("airbyte"), depends_on=after, interruptible=f.interruptible,
        ), pulumi.ResourceOptions(parent=self)) if s.airbyte.enabled else None
        self.superset = Superset("superset", SupersetArgs(
            provider=f.provider, settings=s.superset, environment=s.environment, domain=s.domain,
            postgres=ds.postgres, storage_class=f.storage_classes.standard, depends_on=after, namespace_ready=(self.namespaces,),
            dremio=DremioConnection(self.dremio.result.host, self.dremio.result.flight_port, self.dremio.result.superset_secret),
        ), pulumi.ResourceOptions(parent=self)) if s.superset.enabled else None

        # --- the edge: Gateway API on Traefik, TLS from cert-manager (components/edge/) ---
        apps = (("airbyte", self.airbyte), ("dremio", self.dremio), ("superset", self.superset))
        self.edge = Edge("edge", EdgeArgs(
            provider=f.provider, environment=s.environment, domain=s.domain, gateway_class=s.gateway_class,
            tls_issuer=s.tls_issuer, acme_email=s.acme_email, frontend=f.edge,
            routes=[Route(prefix, app.ui, tuple(getattr(app, "ingress_paths", ())), body_limit=prefix not in WEBSOCKET_UIS)
                    for prefix, app in apps if app is not None],
            depends_on=(self.namespaces,),
        ), pulumi.ResourceOptions(parent=self, aliases=[EDGE_WAS_INGRESS]))
        self.data_services.install_backups([self.edge.cert_manager])

        # --- observability (components/observability) ---
        store = self._velero_store(f) if s.backups.velero and not s.backups.standby else None
        es, minio = self.data_services.elasticsearch, self.data_services.minio
        self.observability = Observability("observability", ObservabilityArgs(
            provider=f.provider, settings=s.observability, environment=s.environment, kubelet_certificates_verifiable=f.kubelet_certificates_verifiable, data=ds,
            log_writer=(es.log_writer_username, es.log_writer_password),
            elasticsearch_image=f"docker.elastic.co/elasticsearch/elasticsearch:{s.elasticsearch.version}", elasticsearch_ready=[es.cluster],
            cert_manager=self.edge.cert_manager, cert_manager_namespace=CERT_MANAGER_NS,
            ingress_namespace=self.edge.controller_namespace, ingress_selector=self.edge.controller_selector,
            standard_storage_class=f.storage_classes.standard,
            minio_mc_image=s.minio.mc_image if minio else None, minio_ready=minio.ready if minio else (),
            minio_servers=sum(s.minio.pools) if minio else 0,
            postgres_cluster=ds.postgres.server_selector.get("cnpg.io/cluster"), airbyte=self.airbyte is not None,
            velero_namespace=VELERO_NAMESPACE if store is not None else None,
            velero_schedule=(VELERO_SCHEDULE, max_gap_minutes(s.backups.config_schedule)) if store is not None else None,
            catalog_backup=((APPS, self.dremio.catalog_backup_name, max_gap_minutes(s.backups.config_schedule))
                            if self.dremio.catalog_backup is not None else None),
            log_sink=f.log_sink, log_shipper_identity=f.identity("fluent-bit"),
            depends_on=(self.namespaces,),
        ), pulumi.ResourceOptions(parent=self))

        # --- configuration/metadata backup (components/backups/; the data services back up themselves) ---
        self.velero = Velero("velero", VeleroArgs(
            provider=f.provider, settings=s.backups, environment=s.environment, store=store,
            namespaces=[APPS, STORAGE, self.edge.controller_namespace, *self.observability.namespaces], service_monitor=s.observability.metrics,
            # MinIO's users exist, and the ServiceMonitor CRD (kube-prometheus-stack); not the rest.
            depends_on=(*(minio.ready if minio else ()), *filter(None, [self.observability.kube_prometheus_stack])),
        ), pulumi.ResourceOptions(parent=self)) if store is not None else None

        # --- off-hours scale-down (components/off_hours.py; non-prod) ---
        self.off_hours = OffHours("off-hours", OffHoursArgs(
            provider=f.provider, settings=s.offhours, namespaces=(self.namespaces.apps, self.namespaces.storage),
        ), pulumi.ResourceOptions(parent=self)) if s.offhours.enabled else None

        # --- network policies (components/network_policies/) ---
        self.cluster_cidrs = (*(s.cluster_network.pod_cidrs or f.pod_cidrs), *(s.cluster_network.service_cidrs or f.service_cidrs))
        self.network_policies = NetworkPolicies("network-policies", NetworkPoliciesArgs(
            provider=f.provider, topology=topology_from(self), depends_on=[self.namespaces, self.edge, *([self.velero] if self.velero else [])],
        ), pulumi.ResourceOptions(parent=self)) if s.network_policies else None

        self.outputs: dict[str, pulumi.Input] = {
            "namespaces": [self.namespaces.apps.metadata["name"], self.namespaces.storage.metadata["name"]],
        }
        self.outputs.update(self.data_services.outputs)
        self.outputs.update({"airbyteUrl": self.airbyte.url} if self.airbyte else {})
        self.outputs.update({"supersetUrl": self.superset.url} if self.superset else {})
        self.outputs.update({"ingressHosts": self.edge.hosts, "uiUrls": self.edge.urls, "tlsIssuer": s.tls_issuer})
        self.outputs.update(self.observability.outputs)
        self.register_outputs(self.outputs)

    def _velero_store(self, f: Foundation) -> VeleroStore | None:
        """Velero's bucket and identity: MinIO's `velero` user, or the cloud's `velero` bucket
        through workload identity (EBS snapshots on AWS; GCS objects only). None where neither exists."""
        minio = self.data_services.minio
        if minio is not None:
            from .data_services.minio import REGION, VELERO_BUCKET

            return VeleroStore(bucket=VELERO_BUCKET, region=REGION, endpoint=minio.result.endpoint, keys=minio.user_keys["velero"])
        store = f.object_store
        if store is None or store.kind not in ("s3", "gcs") or "velero" not in store.buckets or "velero" not in f.workload_identity:
            pulumi.log.warn("Velero: this cloud's object store has no velero bucket and identity; the configuration backup is off", self)
            return None
        if store.kind == "gcs":  # velero-plugin-for-gcp, Workload Identity; objects only, no disk snapshots
            return VeleroStore(bucket=store.buckets["velero"], region=store.region or "", provider="gcp", config=dict(store.backup_location_config),
                               identity=f.identity("velero"))
        # A cloud "s3" object store is AWS's, whose volumes are EBS: Velero's AWS plugin snapshots them.
        return VeleroStore(bucket=store.buckets["velero"], region=store.region or "", snapshots=store.kind == "s3",
                           identity=f.identity("velero"))
