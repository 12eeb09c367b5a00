"""Every Helm chart the program installs, pinned in one table (bump deliberately, read the
upgrade notes; `helm template` the new version with the plan's values before raising a pin).

Clouds and components look their chart up by name (`chart("traefik")`); a name missing here
fails with a message naming this file, never with an unpinned chart. Airbyte's chart is the one
exception: its version is a setting (`airbyte.chartVersion`), because its upgrades migrate the
database one way and the operator chooses when.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARTS: dict[str, dict[str, str]] = {
    # --- the clouds' in-cluster services ---
    # Secrets from the cloud's secret manager, on every cloud with one (AWS, Azure, GCP).
    "external-secrets": {"version": "1.3.2", "repo": "https://charts.external-secrets.io"},
    # AWS: NLB/ALB in front of the edge.
    "aws-load-balancer-controller": {"version": "1.14.1", "repo": "https://aws.github.io/eks-charts"},
    # AWS: scales the managed node groups (its image follows the Kubernetes minor: clouds/aws/versions.py).
    "cluster-autoscaler": {"version": "9.52.1", "repo": "https://kubernetes.github.io/autoscaler"},
    # --- the platform's operators ---
    # CloudNativePG operator 1.27.1: `postgresql.synchronous`, `Database` CRs, CNPG-I plugins.
    "cloudnative-pg": {"version": "0.26.1", "repo": "https://cloudnative-pg.github.io/charts"},
    # Barman Cloud plugin v0.13.0 (plugin and sidecar images): needs CloudNativePG >= 1.26 (1.27
    # recommended), cert-manager for the operator<->plugin TLS, and the operator's namespace.
    "plugin-barman-cloud": {"version": "0.7.0", "repo": "https://cloudnative-pg.github.io/charts"},
    # Elastic Cloud on Kubernetes 2.16.1: supports Elasticsearch 8.15.
    "eck-operator": {"version": "2.16.1", "repo": "https://helm.elastic.co"},
    # --- the edge ---
    "traefik": {"version": "41.3.0", "repo": "https://traefik.github.io/charts"},
    "cert-manager": {"version": "v1.16.2", "repo": "https://charts.jetstack.io"},
    # --- observability ---
    # Prometheus Operator + Prometheus + Alertmanager + Grafana + kube-state-metrics + node-exporter;
    # its CRDs (ServiceMonitor, PodMonitor, PrometheusRule) come with it (`crds.enabled`).
    "kube-prometheus-stack": {"version": "87.15.1", "repo": "https://prometheus-community.github.io/helm-charts"},
    # The official Fluent Bit chart (fluent/helm-charts), Fluent Bit 4.0.
    "fluent-bit": {"version": "0.50.0", "repo": "https://fluent.github.io/helm-charts"},
    # kubernetes-sigs/metrics-server: the resource metrics API HPAs read.
    "metrics-server": {"version": "3.13.1", "repo": "https://kubernetes-sigs.github.io/metrics-server/"},
    # --- backups ---
    # vmware-tanzu/helm-charts `velero` 11.4.0: Velero v1.17.1.
    "velero": {"version": "11.4.0", "repo": "https://vmware-tanzu.github.io/helm-charts"},
}


@dataclass(frozen=True)
class Chart:
    """A pinned chart: its name, version and repository."""

    name: str
    version: str
    repo: str


class UnpinnedChart(LookupError):
    pass


def chart(name: str) -> Chart:
    """The pinned chart `name` from the table above."""
    try:
        pin = CHARTS[name]
    except KeyError:
        raise UnpinnedChart(f"no chart pinned as {name!r} in kube/charts.py (pinned: {', '.join(sorted(CHARTS))}); add its version and repository there") from None
    return Chart(name, version=pin["version"], repo=pin["repo"])
