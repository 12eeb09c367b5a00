"""Pinned Helm charts the Azure foundation installs (AKS manages autoscaling and load balancers itself)."""

from __future__ import annotations

CHARTS = {
    # name: (repository, chart, version) — the same External Secrets release as on AWS.
    "external-secrets": ("https://charts.external-secrets.io", "external-secrets", "1.3.2"),
}
