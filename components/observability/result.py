"""What the observability layer hands to the backups and the network policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

import pulumi


@dataclass(frozen=True)
class ObservabilityResult:
    namespaces: tuple[str, ...]
    """The observability namespaces that exist (what a platform backup includes)."""
    prometheus: Optional[Mapping[str, str]]
    """Prometheus' pod labels in `monitoring`, which scrape the platform (None: metrics off)."""
    fluent_bit: Optional[Mapping[str, str]]
    """The log shippers' pod labels in `logging`, which write to Elasticsearch (None: logs off)."""
    ca_publisher: Optional[Mapping[str, str]]
    """The Job in data-storage that publishes Elasticsearch's CA (a client of the API server only)."""
    minio_metrics_job: Optional[Mapping[str, str]]
    """The Job in data-storage that makes MinIO's metrics token (a MinIO client)."""
    es_clients: tuple[tuple[str, Mapping[str, str]], ...]
    """(name, pod labels) of the pods in data-storage that call Elasticsearch's HTTP API."""
    monitoring_crds: Optional[pulumi.Resource]
    """kube-prometheus-stack's release (the ServiceMonitor CRD), when metrics are on."""
