"""Traefik, the Gateway API implementation: its pinned chart, its values and the names they make.

Why Traefik (README, design section): one official chart renders the proxy pods themselves (so
the plan and `helm template` show every pod field), its defaults already meet the `restricted`
Pod Security profile (UID 65532, read-only root, no capabilities, RuntimeDefault seccomp,
unprivileged container ports 8000/8443), it passes the Gateway API v1.5 core conformance
(gateway-api `conformance/reports/v1.5/traefik-traefik`, Traefik v3.7), serves Prometheus
metrics and JSON access logs, and keeps working behind a cloud L7 load balancer's Ingress.

Chart 41.3.0 (Traefik v3.7.11) no longer ships the Gateway API CRDs: its README asks for the
v1.5.1 standard channel, which `gateway_api.py` installs before this release.

Values the platform sets and why:
- only the Gateway API provider (routes) and the CRD provider restricted to the apps namespace
  (the `Middleware` of the body-size cap, referenced from HTTPRoutes by `ExtensionRef`); the
  Ingress provider is off (the ALB's Ingress is read by the AWS Load Balancer Controller);
- the chart's GatewayClass (named from settings), not its Gateway: the platform owns its Gateway;
- entrypoint `transport.respondingTimeouts` at the seed's 300 s: Traefik v3.7's `readTimeout`
  defaults to 60 s (`pkg/config/static/static_config.go`), which would cut 500 MiB uploads, and
  `--serversTransport.forwardingTimeouts.responseHeaderTimeout=300s` bounds a backend's answer;
- JSON logs and access logs on stdout (Fluent Bit ships them to Elasticsearch);
- replicas, PDB, spread, requests/limits per environment; the dashboard API off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

RELEASE = "traefik"
SERVICE = RELEASE
"""The chart's Service (`traefik.fullname` = the release name)."""
SELECTOR = {"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": f"{RELEASE}-edge"}
"""Pod labels of the chart (`traefik.labelselector`: name + `<release>-<namespace>`)."""

WEB_PORT = 8000
"""Container port of the `web` entrypoint (plain HTTP); the Gateway's HTTP listener port."""
WEBSECURE_PORT = 8443
"""Container port of the `websecure` entrypoint (TLS); the Gateway's HTTPS listener port."""
WEBSECURE = "websecure"
"""The TLS entrypoint's name, which is also its port's name on the chart's Service."""
SERVICE_HTTPS_PORT = 443
"""The Service port in front of `websecure`."""
PING_PORT = 8080
"""The `traefik` entrypoint: `/ping`, what the chart's probes and a load balancer's health check use."""
PING_PATH = "/ping"
METRICS_PORT = ("metrics", 9100)
"""Prometheus metrics entrypoint (container port name, number)."""
TIMEOUT = "300s"
"""The seed's ALB idle timeout: long Dremio/Superset queries and large uploads."""


def _sizes(environment: str) -> dict[str, Any]:
    small = environment == "dev"
    return {
        "replicas": 1 if small else 2,
        "resources": {"requests": {"cpu": "50m" if small else "250m", "memory": "128Mi" if small else "256Mi"},
                      "limits": {"cpu": "500m" if small else "1", "memory": "512Mi" if small else "1Gi"}},
    }


def _timeouts() -> dict[str, Any]:
    return {"respondingTimeouts": {"readTimeout": TIMEOUT, "writeTimeout": TIMEOUT, "idleTimeout": TIMEOUT}}


def traefik_values(*, gateway_class: str, service_type: str, service_annotations: Mapping[str, str],
                   environment: str, crd_namespaces: list[str]) -> dict[str, Any]:
    z = _sizes(environment)
    return {
        "deployment": {"replicas": z["replicas"]},
        "podDisruptionBudget": {"enabled": True, "minAvailable": 1} if z["replicas"] > 1 else {"enabled": False},
        "resources": z["resources"],
        "topologySpreadConstraints": [] if z["replicas"] == 1 else [{
            "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": dict(SELECTOR)},
        }],
        "ingressClass": {"enabled": False},
        "gateway": {"enabled": False},
        "gatewayClass": {"enabled": True, "name": gateway_class},
        "providers": {
            "kubernetesIngress": {"enabled": False},
            "kubernetesCRD": {"enabled": True, "namespaces": list(crd_namespaces)},
            "kubernetesGateway": {"enabled": True},
        },
        "api": {"dashboard": False},
        "ports": {
            "web": {"port": WEB_PORT, "transport": _timeouts()},
            WEBSECURE: {"port": WEBSECURE_PORT, "transport": _timeouts()},
        },
        "additionalArguments": [f"--serversTransport.forwardingTimeouts.responseHeaderTimeout={TIMEOUT}"],
        "service": {"annotations": dict(service_annotations), "spec": {
            "type": service_type,
            # Local: keep client source IPs (for access logs and allow-lists) on load balancers.
            **({"externalTrafficPolicy": "Local"} if service_type == "LoadBalancer" else {}),
        }},
        "log": {"format": "json", "level": "INFO"},
        "accessLog": {"enabled": True, "format": "json"},
        "metrics": {"prometheus": {"entryPoint": METRICS_PORT[0], "addRoutersLabels": True}},
        "global": {"checkNewVersion": False, "sendAnonymousUsage": False},
    }
