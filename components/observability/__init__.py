"""Observability: metrics, dashboards and alerts (kube-prometheus-stack), logs (Fluent Bit ->
Elasticsearch), metrics-server, and Elasticsearch's HTTP certificate chain.

One concern per file:

- `metrics.py`: kube-prometheus-stack (namespace `monitoring`) with the Grafana admin Secret,
  and metrics-server (kube-system);
- `monitors.py`: PodMonitors/ServiceMonitors for CloudNativePG, PgBouncer, MinIO, Traefik (the edge),
  cert-manager;
- `minio_token.py`: the metrics-only MinIO user and its bearer token;
- `alerts.py`: the platform's PrometheusRule;
- `es_tls.py`: the cert-manager CA that signs Elasticsearch's HTTP certificate (always built: the
  Elasticsearch resource serves that certificate) and its publication into `logging`;
- `logs.py`: Fluent Bit (namespace `logging`);
- `retention.py`: the log data stream's lifecycle policy (retention per environment).

Every custom resource here waits for the chart that installs its CRD (kube-prometheus-stack or
cert-manager). docs/observability.md is the user's guide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import LogSink
from kube.namespaces import APPS, STORAGE
from settings.sections.observability import ObservabilitySettings

from ..apps.result import AirbyteResult
from ..backups.scheduled import ScheduledBackup
from ..context import PlatformContext
from ..data_services.result import DataServicesResult
from ..edge.result import EdgeResult
from . import alerts, es_tls, logs, metrics, minio_token, monitors, retention, runbooks
from .namespaces import LOGGING, MONITORING, namespace
from .result import ObservabilityResult

__all__ = ["Observability", "ObservabilityArgs", "ObservabilityResult", "MONITORING", "LOGGING"]


@dataclass(frozen=True)
class ObservabilityArgs:
    ctx: PlatformContext
    """The stack's shared values (Prometheus' and Alertmanager's volumes take the `standard`
    storage role; Fluent Bit runs as `ctx.identity("fluent-bit")`, its write access to `log_sink`)."""
    settings: ObservabilitySettings
    kubelet_certificates_verifiable: bool
    """Foundation.kubelet_certificates_verifiable: False makes metrics-server skip verifying them."""
    data: DataServicesResult
    """What is scraped and alerted on (the CNPG cluster, MinIO's servers), and Elasticsearch: its
    log writer, its image (the Jobs that call its API use it) and the resource ECK publishes from."""
    edge: EdgeResult
    """The Gateway's controller (scraped) and cert-manager (its CRDs and Elasticsearch's HTTP certificate)."""
    airbyte: Optional[AirbyteResult] = None
    """Airbyte when it runs (its alerts)."""
    velero: Optional[ScheduledBackup] = None
    """Velero's Schedule when it runs (its backup alerts)."""
    catalog_backup: Optional[ScheduledBackup] = None
    """Dremio's catalog backup CronJob (DremioResult.catalog_backup)."""
    snapshot_check: Optional[ScheduledBackup] = None
    """The CronJob that fails when Elasticsearch's snapshot lifecycle policy failed or is late."""
    lake_mirror: Optional[ScheduledBackup] = None
    """The MinIO lake mirror CronJob."""
    log_sink: Optional[LogSink] = None
    """The cloud's log service (Foundation.log_sink): Fluent Bit ships there too."""
    depends_on: Sequence[pulumi.Resource] = field(default_factory=tuple)


class Observability(pulumi.ComponentResource):
    result: ObservabilityResult

    def __init__(self, name: str, args: ObservabilityArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:observability:Observability", name, None, opts)
        s, p, deps = args.settings, args.ctx.provider, list(args.depends_on)
        self.minio_job_selector: Optional[Mapping[str, str]] = None
        self.kube_prometheus_stack: Optional[k8s.helm.v3.Release] = None
        self.fluent_bit: Optional[k8s.helm.v3.Release] = None
        self.metrics_server: Optional[k8s.helm.v3.Release] = None
        self.rule: Optional[k8s.apiextensions.CustomResource] = None
        self.monitors: list[k8s.apiextensions.CustomResource] = []
        self.outputs: dict[str, pulumi.Input] = {}

        # Elasticsearch serves the certificate this chain issues, whatever else is enabled.
        self.es_tls = es_tls.ElasticsearchTls(self, p, cert_manager=args.edge.cert_manager, es_namespace=STORAGE, depends_on=deps)
        self.es_client_selectors: list[tuple[str, Mapping[str, str]]] = []

        if s.metrics_server:
            self.metrics_server = metrics.install_metrics_server(self, p, args.kubelet_certificates_verifiable, deps)

        if s.metrics:
            self._metrics(args, deps)
        if s.logs:
            self._logs(args, deps)
        self.result = ObservabilityResult(
            namespaces=(*([MONITORING] if s.metrics else []), *([LOGGING] if s.logs else [])),
            prometheus=dict(metrics.PROMETHEUS_POD_SELECTOR) if s.metrics else None,
            fluent_bit=dict(logs.POD_SELECTOR) if s.logs else None,
            ca_publisher=dict(es_tls.PUBLISHER_SELECTOR) if s.logs else None,
            minio_metrics_job=self.minio_job_selector, es_clients=tuple(self.es_client_selectors),
            monitoring_crds=self.kube_prometheus_stack,
        )
        self.register_outputs(self.outputs)

    # ------------------------------------------------------------------ metrics and alerts
    def _metrics(self, args: ObservabilityArgs, deps: list[pulumi.Resource]) -> None:
        s, p = args.settings, args.ctx.provider
        ns = namespace(MONITORING, self, p, args.ctx.environment, deps)
        grafana, _ = metrics.grafana_admin_secret(self, args.ctx, ns)
        self.kube_prometheus_stack = stack = metrics.install_kube_prometheus_stack(
            self, p, s, args.ctx.storage.standard, args.ctx.environment, [ns, grafana])
        after: list[pulumi.Resource] = [stack]

        token = None
        store = args.data.object_store
        if store.server_selector and store.mc_image and store.endpoint is not None:
            access = minio_token.MinioMetricsAccess(self, args.ctx, namespace=STORAGE, endpoint=store.endpoint, mc_image=store.mc_image,
                                                    depends_on=[*deps, *store.ready], monitoring_namespace=ns)
            self.minio_job_selector = access.selector
            token = (minio_token.TOKEN_SECRET, minio_token.TOKEN_KEY)
            after.append(access.token_secret)

        pg = args.data.postgres
        for m in monitors.platform_monitors(
            storage_namespace=STORAGE, postgres_selector=pg.server_selector if pg.cluster_name else {},
            pooler_selector=pg.pooler_selector, minio_selector=store.server_selector, minio_port_name="api", minio_token=token,
            ingress_namespace=args.edge.controller_namespace, ingress_selector=args.edge.controller_selector,
            cert_manager_namespace=args.edge.cert_manager_namespace,
        ):
            self.monitors.append(k8s.apiextensions.CustomResource(
                f"monitor-{m.name}", api_version=monitors.API, kind=m.kind,
                metadata={"name": m.name, "namespace": MONITORING, "labels": kube.labels("prometheus", "monitor", instance=m.name)},
                spec=m.spec(), opts=kube.child(self, p, depends_on=after)))

        groups = alerts.platform_alerts(
            platform_namespaces=[APPS, STORAGE, MONITORING] + ([LOGGING] if s.logs else []), storage_namespace=STORAGE,
            postgres_cluster=pg.cluster_name, minio_servers=store.servers if token else 0,
            airbyte_namespace=args.airbyte.namespace if args.airbyte else None, logs=s.logs,
            velero_namespace=args.velero.namespace if args.velero else None,
            velero_schedule=(args.velero.name, args.velero.max_gap_minutes) if args.velero else None,
            catalog_backup=((c.namespace, c.name, c.max_gap_minutes) if (c := args.catalog_backup) else None),
            snapshot_check=((c.namespace, c.name, c.max_gap_minutes) if (c := args.snapshot_check) else None),
            lake_mirror=((c.namespace, c.name, c.max_gap_minutes) if (c := args.lake_mirror) else None))
        self.rule = k8s.apiextensions.CustomResource(
            "platform-alerts", api_version=monitors.API, kind="PrometheusRule",
            metadata={"name": "data-platform", "namespace": MONITORING, "labels": kube.labels("prometheus", "rules")},
            spec=runbooks.with_runbooks(alerts.rule_spec(groups), s.runbook_base_url), opts=kube.child(self, p, depends_on=[stack]))
        self.outputs.update({
            "grafana": {
                "namespace": MONITORING, "service": metrics.GRAFANA_SERVICE, "adminSecret": metrics.GRAFANA_SECRET,
                "portForward": f"kubectl -n {MONITORING} port-forward svc/{metrics.GRAFANA_SERVICE} 3000:{metrics.GRAFANA_PORT}",
            },
            "prometheusRetention": s.prometheus_retention,
        })

    # ------------------------------------------------------------------ logs
    def _logs(self, args: ObservabilityArgs, deps: list[pulumi.Resource]) -> None:
        s, p = args.settings, args.ctx.provider
        ns = namespace(LOGGING, self, p, args.ctx.environment, deps)
        es = args.data.elasticsearch
        ca = self.es_tls.publish([(LOGGING, ns)], es.image, [*deps, *es.ready])
        lifecycle = retention.log_lifecycle_job(self, p, namespace=STORAGE, image=es.image,
                                                retention_days=s.log_retention_days, depends_on=[*deps, *es.ready])
        self.es_client_selectors.append((retention.JOB, dict(retention.SELECTOR)))
        self.fluent_bit, _ = logs.install_fluent_bit(
            self, args.ctx, es_url=es.url, username=es.log_writer.username, password=es.log_writer.password,
            log_level=s.log_level, service_monitor=s.metrics, namespace=ns, log_sink=args.log_sink,
            depends_on=[ca, lifecycle, self.es_tls.http_certificate, *([self.kube_prometheus_stack] if self.kube_prometheus_stack else [])])
        self.outputs.update({"logs": {"namespace": LOGGING, "dataStream": logs.data_stream(args.ctx.environment),
                                      "credentialsSecret": logs.CREDENTIALS_SECRET,
                                      "retentionDays": s.log_retention_days,
                                      **({"cloudLogGroup": args.log_sink.destination} if args.log_sink else {})}})
