"""Settings section `data-platform:observability`: metrics, alerts, logs and metrics-server.

Metrics (kube-prometheus-stack: Prometheus, Alertmanager, Grafana) and logs (Fluent Bit to
Elasticsearch) are on in every environment; dev keeps them light (short retention, small
volumes, one replica). `metricsServer: false` is for clusters that already run one (Docker
Desktop, k3d, minikube's addon, GKE, AKS): two would fight over the `v1beta1.metrics.k8s.io`
APIService.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..schema import Section, per_env, setting

RETENTION = checks.text(r"[1-9]\d*(h|d|w|y)", "a Prometheus duration such as 15d or 12h")


@dataclass(frozen=True)
class ObservabilitySettings(Section):
    KEY = "observability"
    POSITION = 7
    DOC = "Metrics, alerts and dashboards (kube-prometheus-stack), logs (Fluent Bit -> Elasticsearch), metrics-server"

    metrics: bool = setting(checks.boolean, "Deploy kube-prometheus-stack (Prometheus, Alertmanager, Grafana), the platform's monitors and alerts.", default=True)
    logs: bool = setting(checks.boolean, "Deploy Fluent Bit (DaemonSet, namespace logging) shipping container logs to Elasticsearch.", default=True)
    metrics_server: bool = setting(checks.boolean, "Deploy metrics-server in kube-system (the Airbyte worker HPA needs it); false when the cluster already has one.", default=True)
    prometheus_retention: str = setting(RETENTION, "How long Prometheus keeps samples.", default=per_env(dev="3d", staging="7d", prod="15d"))
    prometheus_storage_size: str = setting(checks.memory, "Prometheus volume (standard storage role), per replica; also caps the TSDB (retentionSize 90% of it).", default=per_env(dev="10Gi", staging="20Gi", prod="50Gi"))
    prometheus_replicas: int = setting(checks.integer(1, 3), "Prometheus replicas (each scrapes everything; 2 in prod so an upgrade or a lost node leaves no gap).", default=per_env(dev=1, staging=1, prod=2))
    prometheus_cpu_request: str = setting(checks.cpu, "Prometheus CPU request.", default=per_env(dev="100m", staging="500m", prod="1"))
    prometheus_cpu_limit: str = setting(checks.cpu, "Prometheus CPU limit.", default=per_env(dev="1", staging="2", prod="2"))
    prometheus_memory_request: str = setting(checks.memory, "Prometheus memory request.", default=per_env(dev="512Mi", staging="2Gi", prod="4Gi"))
    prometheus_memory_limit: str = setting(checks.memory, "Prometheus memory limit.", default=per_env(dev="2Gi", staging="4Gi", prod="8Gi"))
    alertmanager_replicas: int = setting(checks.integer(1, 5), "Alertmanager replicas (they gossip to deduplicate notifications).", default=per_env(dev=1, staging=1, prod=3))
    alertmanager_storage_size: str = setting(checks.memory, "Alertmanager volume (silences and notification log), standard storage role.", default="1Gi")
    grafana_storage_size: str = setting(checks.memory, "Grafana volume (users, preferences, dashboards made in the UI), standard storage role.", default=per_env(dev="1Gi", staging="2Gi", prod="5Gi"))
    log_retention_days: int = setting(checks.integer(1, 3650), "Days the platform's logs are kept in Elasticsearch (ILM delete phase of the logs-kubernetes-* data stream).", default=per_env(dev=3, staging=14, prod=30))
    runbook_base_url: str = setting(checks.text(r"(https?://\S+|[\w./-]+)", "a URL such as https://github.com/acme/data-platform/blob/main/docs/runbooks, or a repository path"),
                                    "Where the alerts' runbook_url annotations point: the docs/runbooks/ folder of your copy of this repository (set your repository's URL).", default="docs/runbooks")
    log_level: str = setting(checks.one_of("error", "warn", "info", "debug"), "Fluent Bit's own log level.", default="info")
