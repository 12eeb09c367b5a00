"""What Prometheus scrapes besides Kubernetes itself: one typed monitor per data-platform target.

Every monitor lives in `monitoring` and names its target's namespace (`namespaceSelector`), so
credentials it references (MinIO's bearer token) stay in `monitoring`. Selectors and ports come
from the layers' results and constants, never from a second copy of a label:

| Target | Kind | Selects | Port (name) | Path |
|---|---|---|---|---|
| CloudNativePG instances | PodMonitor | `PostgresResult.server_selector` | `metrics` (9187) | /metrics |
| CloudNativePG PgBouncer pooler | PodMonitor | `PostgresResult.pooler_selector` | `metrics` (9127) | /metrics |
| MinIO | PodMonitor | `ObjectStoreResult.server_selector` | `api` (9000) | /minio/v2/metrics/cluster, bearer token |
| Traefik (the edge's Gateway controller) | PodMonitor | the chart's pod labels | `metrics` (9100) | /metrics |
| cert-manager controller | ServiceMonitor | the controller's labels | `tcp-prometheus-servicemonitor` (9402) | /metrics |

CloudNativePG 1.27 deprecates `spec.monitoring.enablePodMonitor` (the operator-made PodMonitor)
in favour of a user-managed one, which is what this is. Not scraped: Elasticsearch (needs a
separate exporter; ECK exposes none), Dremio OSS (no Prometheus endpoint), Superset.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

API = "monitoring.coreos.com/v1"
CNPG_CLUSTER_LABEL = "cnpg.io/cluster"
"""Pod label CloudNativePG puts on every instance: the Cluster's name."""
CNPG_METRICS_PORT = ("metrics", 9187)
"""Container port CloudNativePG gives every instance's exporter."""
PGBOUNCER_METRICS_PORT = ("metrics", 9127)
"""Container port of the pooler's PgBouncer exporter."""
MINIO_METRICS_PATH = "/minio/v2/metrics/cluster"
EDGE_METRICS_PORT = ("metrics", 9100)
"""Traefik's Prometheus entrypoint (container port, not on its Service: hence a PodMonitor)."""
CERT_MANAGER_METRICS_PORT = ("tcp-prometheus-servicemonitor", 9402)
CERT_MANAGER_SELECTOR = {"app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/instance": "cert-manager",
                         "app.kubernetes.io/component": "controller"}
"""Labels of the cert-manager chart's controller Service (release name `cert-manager`)."""


@dataclass(frozen=True)
class Monitor:
    name: str
    kind: str  # PodMonitor | ServiceMonitor
    namespace: str
    """Namespace of the target."""
    selector: Mapping[str, str]
    port: str
    path: str = "/metrics"
    authorization_secret: Optional[tuple[str, str]] = None
    """(Secret name, key) in `monitoring` holding a bearer token."""
    relabel_cluster: Mapping[str, str] = field(default_factory=dict)
    """Pod label -> target label copied onto every series (`relabelings`, replace)."""

    def spec(self) -> dict[str, Any]:
        endpoint: dict[str, Any] = {"port": self.port, "path": self.path, "interval": "30s", "scheme": "http"}
        if self.authorization_secret:
            name, key = self.authorization_secret
            endpoint["authorization"] = {"type": "Bearer", "credentials": {"name": name, "key": key}}
        if self.relabel_cluster:
            endpoint["relabelings"] = [
                {"action": "replace", "sourceLabels": [pod_label_meta(label)], "targetLabel": target}
                for label, target in self.relabel_cluster.items()
            ]
        return {
            "namespaceSelector": {"matchNames": [self.namespace]},
            "selector": {"matchLabels": dict(self.selector)},
            ("podMetricsEndpoints" if self.kind == "PodMonitor" else "endpoints"): [endpoint],
            "jobLabel": "app.kubernetes.io/name",
        }


def pod_label_meta(label: str) -> str:
    """Prometheus' discovery label for a pod label: `cnpg.io/cluster` -> `__meta_kubernetes_pod_label_cnpg_io_cluster`."""
    return "__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", label)


def platform_monitors(*, storage_namespace: str, postgres_selector: Mapping[str, str], pooler_selector: Mapping[str, str],
                      minio_selector: Mapping[str, str], minio_port_name: str, minio_token: Optional[tuple[str, str]],
                      ingress_namespace: str, ingress_selector: Mapping[str, str], cert_manager_namespace: str) -> list[Monitor]:
    """The monitors for what this platform runs (in-cluster PostgreSQL and MinIO only when present)."""
    out: list[Monitor] = []
    if postgres_selector:
        # The exporter labels only `cnpg_collector_up` with `cluster`; the alerts select every
        # cnpg_* series by it, so the Cluster's pod label is copied onto all of them.
        out.append(Monitor("cloudnative-pg", "PodMonitor", storage_namespace, postgres_selector, CNPG_METRICS_PORT[0],
                           relabel_cluster={CNPG_CLUSTER_LABEL: "cluster"}))
    if postgres_selector and pooler_selector:
        out.append(Monitor("cloudnative-pg-pooler", "PodMonitor", storage_namespace, pooler_selector, PGBOUNCER_METRICS_PORT[0]))
    if minio_selector and minio_token:
        out.append(Monitor("minio", "PodMonitor", storage_namespace, minio_selector, minio_port_name, MINIO_METRICS_PATH, minio_token))
    out.append(Monitor("traefik", "PodMonitor", ingress_namespace, ingress_selector, EDGE_METRICS_PORT[0]))
    out.append(Monitor("cert-manager", "ServiceMonitor", cert_manager_namespace, CERT_MANAGER_SELECTOR, CERT_MANAGER_METRICS_PORT[0]))
    return out
