"""The seed's global external Application Load Balancer in front of the edge (`gcp.loadBalancer: alb`).

Made by GKE's Ingress controller (ingress-gce, the `HttpLoadBalancing` add-on, on in gke.py),
not by a GKE Gateway: GKE's Gateway controller installs and owns the Gateway API CRDs itself
(and GKE 1.34+ installs the GA ones on every cluster), while the platform installs and pins its
own v1.5.1 bundle for Traefik, so both cannot own them (README, design section). The Ingress
needs none of them. What the cloud builds:

- with the foundation: a static global IPv4 (`GlobalAddress`, the DNS target) and an SSL policy
  (profile MODERN, TLS 1.2 minimum);
- when the platform builds its edge (`L7Frontend.build`), in the edge namespace:
  a `ManagedCertificate` for the Gateway's hosts (Google-managed, provisioned once the names
  resolve to the global IP); a `FrontendConfig` (HTTP -> HTTPS 301, the SSL policy); a
  `BackendConfig` (300 s backend timeout, the health check on the controller's own `/ping`
  on 8080 — ingress-gce makes a custom port `USE_FIXED_PORT` and opens it in its firewall rule,
  `pkg/translator/healthchecks.go`, `pkg/firewalls/controller.go` —, connection draining,
  request logs); and the Ingress `edge-l7` (class annotation `gce`: ingress-gce's
  `IsGCEIngress` reads the annotation and skips any Ingress with `ingressClassName`) sending
  every host and path to the controller's 443.
- the controller's Service (ClusterIP): container-native load balancing (NEG: the pods are the
  backends), the BackendConfig, and `websecure` spoken as HTTPS (re-encrypted; Google's front
  ends do not verify the backend's certificate, so the local CA signs the Gateway's, as behind
  AWS's ALB).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_gcp.compute as compute
import pulumi_kubernetes as k8s

from foundation import L7_INGRESS_NAME, EdgeBackend, EdgeFrontend, L7Frontend, catch_all_ingress

from .common import Context

TIMEOUT_SECONDS = 300
"""The seed's idle timeout (the backend service's default 30 s cuts long queries and uploads)."""
SSL_PROFILE = "MODERN"
MIN_TLS = "TLS_1_2"


def service_annotations(backend_port_name: str) -> dict[str, str]:
    """The controller's Service behind the Ingress: NEG backends, the BackendConfig, HTTPS to the pods."""
    return {
        "cloud.google.com/neg": json.dumps({"ingress": True}),
        "cloud.google.com/backend-config": json.dumps({"default": L7_INGRESS_NAME}),
        "cloud.google.com/app-protocols": json.dumps({backend_port_name: "HTTPS"}),
    }


def ingress_annotations(address_name: str) -> dict[str, str]:
    return {
        "kubernetes.io/ingress.class": "gce",  # the external Application Load Balancer (global)
        "kubernetes.io/ingress.global-static-ip-name": address_name,
        "kubernetes.io/ingress.allow-http": "true",  # port 80 exists only to redirect (FrontendConfig)
        "networking.gke.io/managed-certificates": L7_INGRESS_NAME,
        "networking.gke.io/v1beta1.FrontendConfig": L7_INGRESS_NAME,
    }


def backend_config_spec(backend: EdgeBackend) -> dict:
    return {
        "timeoutSec": TIMEOUT_SECONDS,
        "connectionDraining": {"drainingTimeoutSec": 60},
        "healthCheck": {"type": "HTTP", "port": backend.health_port, "requestPath": backend.health_path,
                        "checkIntervalSec": 10, "timeoutSec": 5, "healthyThreshold": 1, "unhealthyThreshold": 3},
        "logging": {"enable": True, "sampleRate": 1.0},
    }


def frontend_config_spec(ssl_policy: str) -> dict:
    return {"redirectToHttps": {"enabled": True, "responseCodeName": "MOVED_PERMANENTLY_DEFAULT"}, "sslPolicy": ssl_policy}


class GlobalAlb(pulumi.ComponentResource):
    """The global IP and SSL policy; `frontend()` gives the Foundation's `EdgeFrontend`."""

    def __init__(self, name: str, ctx: Context, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:GlobalAlb", name, None, opts)
        p = ctx.prefix
        self.address = compute.GlobalAddress(f"{p}-edge", name=f"{p}-edge", address_type="EXTERNAL", ip_version="IPV4",
                                             description="data-platform edge: the global Application Load Balancer", opts=ctx.opts(self))
        self.ssl_policy = compute.SSLPolicy(f"{p}-edge-tls", name=f"{p}-edge-tls", profile=SSL_PROFILE, min_tls_version=MIN_TLS, opts=ctx.opts(self))
        self.address_name = f"{p}-edge"
        self.ssl_policy_name = f"{p}-edge-tls"
        self.register_outputs({"address": self.address.address})

    def frontend(self, backend_port_name: str) -> EdgeFrontend:
        return EdgeFrontend(service_type="ClusterIP", service_annotations=service_annotations(backend_port_name), l7=L7Frontend(build=self._build))

    def _build(self, name: str, backend: EdgeBackend, opts: pulumi.ResourceOptions) -> dict[str, pulumi.Resource]:
        meta = {"name": L7_INGRESS_NAME, "namespace": backend.namespace, "labels": dict(backend.labels)}
        after = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[self.address, self.ssl_policy]))
        made: dict[str, pulumi.Resource] = {
            "certificate": k8s.apiextensions.CustomResource(f"{name}-l7-certificate", api_version="networking.gke.io/v1", kind="ManagedCertificate",
                                                            metadata=meta, spec={"domains": list(backend.hosts)}, opts=opts),
            "frontend-config": k8s.apiextensions.CustomResource(f"{name}-l7-frontend", api_version="networking.gke.io/v1beta1", kind="FrontendConfig",
                                                                metadata=meta, spec=frontend_config_spec(self.ssl_policy_name), opts=after),
            "backend-config": k8s.apiextensions.CustomResource(f"{name}-l7-backend", api_version="cloud.google.com/v1", kind="BackendConfig",
                                                               metadata=meta, spec=backend_config_spec(backend), opts=opts),
        }
        made["ingress"] = catch_all_ingress(name, backend, pulumi.ResourceOptions.merge(after, pulumi.ResourceOptions(depends_on=list(made.values()))),
                                            annotations=ingress_annotations(self.address_name), class_name=None)
        return made
