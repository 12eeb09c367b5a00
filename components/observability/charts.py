"""The pinned charts of the observability layer (bump deliberately, read the upgrade notes)."""

from __future__ import annotations

from ..helm import Chart

KUBE_PROMETHEUS_STACK = Chart("kube-prometheus-stack", "87.15.1", "https://prometheus-community.github.io/helm-charts")
"""Prometheus Operator + Prometheus + Alertmanager + Grafana + kube-state-metrics + node-exporter;
its CRDs (ServiceMonitor, PodMonitor, PrometheusRule) come with it (`crds.enabled`)."""
FLUENT_BIT = Chart("fluent-bit", "0.50.0", "https://fluent.github.io/helm-charts")
"""The official Fluent Bit chart (fluent/helm-charts), Fluent Bit 4.0."""
METRICS_SERVER = Chart("metrics-server", "3.13.1", "https://kubernetes-sigs.github.io/metrics-server/")
"""kubernetes-sigs/metrics-server: the resource metrics API HPAs read."""
