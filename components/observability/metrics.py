"""kube-prometheus-stack (Prometheus, Alertmanager, Grafana) and metrics-server.

- Prometheus picks up every ServiceMonitor, PodMonitor, PrometheusRule, Probe and ScrapeConfig of
  the cluster (`*SelectorNilUsesHelmValues: false`), not only the chart's own, so the platform's
  monitors (monitors.py) and alerts (alerts.py) need no `release:` label.
- Storage: Prometheus, Alertmanager and Grafana each get a PersistentVolumeClaim on the
  `standard` storage role (never emptyDir, in any environment); Prometheus also stops at 90% of
  its volume (`retentionSize`) so a burst of series cannot fill the disk before `retention` does.
- Grafana's admin password is generated (pulumi_random) into the Secret `grafana-admin`; the chart
  reads it through `admin.existingSecret`, so it never appears in the Helm values. Sign-up and
  anonymous access are off; dashboards for Kubernetes come with the chart, the data services'
  (CloudNativePG, MinIO) are loaded from grafana.com by id, Traefik's from its repository at a tag.
- Security: the chart's pods run non-root with RuntimeDefault seccomp and all capabilities
  dropped (values pinned below); node-exporter is the exception the `monitoring` namespace exists
  for (host network/PID, read-only host mounts).
- metrics-server (kube-system): the resource metrics API (`kubectl top`, HPAs). Where the
  cloud says its kubelets serve self-signed certificates (Foundation.kubelet_certificates_verifiable
  False: the local cloud, kind), it is started with `--kubelet-insecure-tls` there only (the connection stays encrypted, the kubelet is not
  authenticated); on clouds it verifies kubelets against the cluster CA.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

import kube
from kube import helm
from kube.charts import chart
from settings.checks import memory_bytes
from settings.sections.observability import ObservabilitySettings

from ..context import PlatformContext
from ..secrets import PlatformSecret, platform_secret
from .namespaces import MONITORING

RELEASE = "kube-prometheus-stack"
FULLNAME = "kps"
"""fullnameOverride: short object names (`kps-prometheus`, `kps-grafana`, ...)."""
GRAFANA_SECRET = "grafana-admin"
GRAFANA_SERVICE = f"{FULLNAME}-grafana"
GRAFANA_PORT = 80
PROMETHEUS_SERVICE = f"{FULLNAME}-prometheus"
ALERTMANAGER_SERVICE = f"{FULLNAME}-alertmanager"
PROMETHEUS_POD_SELECTOR = {"app.kubernetes.io/name": "prometheus"}
"""Labels the Prometheus Operator puts on Prometheus server pods (for NetworkPolicies)."""
DASHBOARDS: dict[str, dict[str, Any]] = {
    # grafana.com dashboards at a pinned revision, downloaded by Grafana at start (folder "Data platform").
    "cloudnativepg": {"gnetId": 20417, "revision": 1, "datasource": "Prometheus"},  # CloudNativePG project
    "minio": {"gnetId": 13502, "revision": 26, "datasource": [{"name": "DS_PROMETHEUS", "value": "Prometheus"}]},  # MinIO
    # Traefik's own Kubernetes dashboard (grafana.com 17347), pinned by tag in its repository
    # (contrib/grafana at v3.7.9, the newest tag checked: same Traefik minor and metric names).
    "traefik": {"url": "https://raw.githubusercontent.com/traefik/traefik/v3.7.9/contrib/grafana/traefik-kubernetes.json",
                "datasource": [{"name": "DS_PROMETHEUS", "value": "Prometheus"}]},
}

RESTRICTED_POD = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
RESTRICTED_CONTAINER = kube.camel_keys(kube.container_security(read_only_root=True))


def _claim(size: str, storage_class: Optional[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"volumeClaimTemplate": {"spec": spec}}


def retention_size(size: str) -> str:
    """90% of the volume, in MiB (Prometheus' unit suffixes: B, KB, MB, GB...)."""
    return f"{memory_bytes(size) * 9 // 10 // 2**20}MB"


def kube_prometheus_stack_values(s: ObservabilitySettings, storage_class: Optional[str], environment: str) -> dict[str, Any]:
    small = environment == "dev"
    nil_false = {f"{k}SelectorNilUsesHelmValues": False for k in ("serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig")}
    return {
        "fullnameOverride": FULLNAME,
        "crds": {"enabled": True},
        "defaultRules": {"create": True},  # the Kubernetes mixin's alerts (nodes, kubelet, workloads)
        "prometheusOperator": {
            "resources": kube.resources("100m", "128Mi", "500m", "512Mi"),
            "securityContext": {**RESTRICTED_POD, "runAsUser": 65534, "runAsGroup": 65534, "fsGroup": 65534},
            "containerSecurityContext": RESTRICTED_CONTAINER,
            "admissionWebhooks": {"patch": {"resources": kube.resources("50m", "64Mi", "200m", "128Mi"),
                                            "securityContext": {**RESTRICTED_POD, "runAsUser": 2000, "runAsGroup": 2000}}},
        },
        "prometheus": {"prometheusSpec": {
            **nil_false,
            "replicas": s.prometheus_replicas,
            "retention": s.prometheus_retention,
            "retentionSize": retention_size(s.prometheus_storage_size),
            "resources": kube.resources(s.prometheus_cpu_request, s.prometheus_memory_request, s.prometheus_cpu_limit, s.prometheus_memory_limit),
            "storageSpec": _claim(s.prometheus_storage_size, storage_class),
            "securityContext": {**RESTRICTED_POD, "runAsUser": 1000, "runAsGroup": 2000, "fsGroup": 2000},
            "podAntiAffinity": "" if s.prometheus_replicas == 1 else "soft",
        }},
        "alertmanager": {"alertmanagerSpec": {
            "replicas": s.alertmanager_replicas,
            "storage": _claim(s.alertmanager_storage_size, storage_class),
            "resources": kube.resources("50m", "64Mi", "200m", "256Mi"),
            "securityContext": {**RESTRICTED_POD, "runAsUser": 1000, "runAsGroup": 2000, "fsGroup": 2000},
            "podAntiAffinity": "" if s.alertmanager_replicas == 1 else "soft",
        }},
        "grafana": {
            "admin": {"existingSecret": GRAFANA_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"},
            "persistence": {"enabled": True, "type": "pvc", "size": s.grafana_storage_size, "accessModes": ["ReadWriteOnce"],
                            **({"storageClassName": storage_class} if storage_class else {})},
            "deploymentStrategy": {"type": "Recreate"},  # a ReadWriteOnce volume cannot be attached twice
            # The chart's `init-chown-data` container runs as root with CAP_CHOWN whenever
            # persistence is on; `fsGroup` 472 already makes the volume Grafana's, so it goes.
            "initChownData": {"enabled": False},
            "resources": kube.resources("100m", "256Mi", "500m" if small else "1", "512Mi" if small else "1Gi"),
            "securityContext": {**RESTRICTED_POD, "runAsUser": 472, "runAsGroup": 472, "fsGroup": 472},
            "containerSecurityContext": RESTRICTED_CONTAINER,
            "grafana.ini": {
                "analytics": {"check_for_updates": False, "reporting_enabled": False},
                "users": {"allow_sign_up": False},
                "auth.anonymous": {"enabled": False},
                "security": {"cookie_secure": True, "disable_gravatar": True},
            },
            "dashboardProviders": {"dashboardproviders.yaml": {"apiVersion": 1, "providers": [{
                "name": "data-platform", "orgId": 1, "folder": "Data platform", "type": "file", "disableDeletion": True,
                "editable": False, "options": {"path": "/var/lib/grafana/dashboards/data-platform"},
            }]}},
            "dashboards": {"data-platform": {name: dict(d) for name, d in DASHBOARDS.items()}},
        },
        "kube-state-metrics": {
            "resources": kube.resources("50m", "128Mi", "200m", "256Mi"),
            "securityContext": {**RESTRICTED_POD, "runAsUser": 65534, "runAsGroup": 65534, "fsGroup": 65534},
            "containerSecurityContext": RESTRICTED_CONTAINER,
        },
        "prometheus-node-exporter": {
            # Host network/PID and read-only host mounts by design (why `monitoring` is privileged).
            "resources": kube.resources("50m", "32Mi", "200m", "128Mi"),
            "containerSecurityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                         "capabilities": {"drop": ["ALL"]}},
        },
    }


def grafana_admin_secret(parent: pulumi.Resource, ctx: PlatformContext, namespace: pulumi.Resource) -> tuple[PlatformSecret, pulumi.Output[str]]:
    """The Grafana admin login: user `admin`, a generated password, only in this Secret (through
    the cloud's secret store when there is one, components/secrets.py)."""
    password = random.RandomPassword("grafana-admin-password", length=32, special=False,
                                     opts=pulumi.ResourceOptions(parent=parent)).result
    secret = platform_secret(GRAFANA_SECRET, MONITORING, {"admin-user": "admin", "admin-password": password}, ctx,
                             parent=parent, labels=kube.labels("grafana", "admin"), depends_on=[namespace],
                             resource_name="grafana-admin")
    return secret, password


def install_kube_prometheus_stack(parent: pulumi.Resource, provider: k8s.Provider, s: ObservabilitySettings,
                                  storage_class: Optional[str], environment: str,
                                  depends_on: Sequence[pulumi.Resource]) -> k8s.helm.v3.Release:
    return helm.release(RELEASE, chart=chart("kube-prometheus-stack"), namespace=MONITORING,
                        values=kube_prometheus_stack_values(s, storage_class, environment),
                        provider=provider, parent=parent, depends_on=depends_on, timeout=900)


def metrics_server_values(kubelet_certificates_verifiable: bool) -> dict[str, Any]:
    # `args` is appended to the chart's `defaultArgs`, which already set
    # --kubelet-preferred-address-types (InternalIP first); repeating a string-slice flag appends
    # to the first value rather than replacing it, so only flags the chart does not set go here.
    args = [] if kubelet_certificates_verifiable else ["--kubelet-insecure-tls"]
    return {
        "args": args,
        "replicas": 1,
        "resources": kube.resources("50m", "64Mi", "250m", "256Mi"),
        "podSecurityContext": RESTRICTED_POD,
        "securityContext": {**RESTRICTED_CONTAINER, "runAsUser": 1000},
    }


def install_metrics_server(parent: pulumi.Resource, provider: k8s.Provider, kubelet_certificates_verifiable: bool,
                           depends_on: Sequence[pulumi.Resource]) -> k8s.helm.v3.Release:
    return helm.release("metrics-server", chart=chart("metrics-server"), namespace="kube-system", values=metrics_server_values(kubelet_certificates_verifiable),
                        provider=provider, parent=parent, depends_on=depends_on)
