"""Ingress and TLS: ingress-nginx, cert-manager, a ClusterIssuer, and the platform's Ingress.

- ingress-nginx and cert-manager are pinned Helm Releases in their own namespaces
  (`ingress-nginx`, `cert-manager`); cert-manager's CRDs come with its chart (`crds.enabled`).
- The controller's Service type and annotations come from `Foundation.ingress`, so a cloud can
  front it with its own load balancer; the IngressClass name is `settings.ingress_class`.
- Issuers (`settings.tls_issuer`):
  * `letsencrypt-prod` / `letsencrypt-staging`: ACME ClusterIssuer, HTTP-01 solved through the
    platform's IngressClass, account e-mail `settings.acme_email`;
  * `selfsigned`: a self-signed ClusterIssuer signs a CA Certificate, and a CA ClusterIssuer
    (`data-platform-ca`) signs the ingress certificate — one CA to trust, not one per host.
- One Ingress (networking.k8s.io/v1, `ingressClassName`) with TLS for airbyte.<domain>,
  dremio.<domain>, superset.<domain> and the seed's annotations; backends come from each app's
  `UiBackend`, never from a hard-coded Service name.
- With `Foundation.ingress.alb` (AWS `loadBalancer: alb`): the controller's Service is ClusterIP
  and a second Ingress, of class `alb` in `ingress-nginx`, sends everything to the controller's
  HTTPS port. The AWS Load Balancer Controller makes it an ALB: listeners 80 (redirect) and 443
  (the ACM certificate), IP targets = the controller pods, backend protocol HTTPS so traffic is
  re-encrypted and cert-manager's TLS still ends at ingress-nginx (HTTP to port 80 would loop:
  the platform Ingress forces an HTTPS redirect and nginx does not trust X-Forwarded-Proto).
  Health check: the controller's own `/healthz` on its health port (10254, the kubelet's probe),
  so a pod whose controller is unhealthy leaves the target group.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

from foundation import AlbFrontend

from .apps.ui import UiBackend
from .helm import Chart, release
from .kube import MANAGED_BY, PART_OF, child
from .namespaces import APPS, namespace

INGRESS_NS = "ingress-nginx"
CERT_MANAGER_NS = "cert-manager"

INGRESS_NGINX_CHART = Chart("ingress-nginx", "4.12.1", "https://kubernetes.github.io/ingress-nginx")
CERT_MANAGER_CHART = Chart("cert-manager", "v1.16.2", "https://charts.jetstack.io")

ACME_SERVERS = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
}
SELFSIGNED_BOOTSTRAP = "selfsigned-bootstrap"
LOCAL_CA = "data-platform-ca"
TLS_SECRET = "data-platform-tls"
INGRESS_NAME = "data-platform"

ALB_INGRESS_NAME = "ingress-nginx-alb"
CONTROLLER_SERVICE = "ingress-nginx-controller"
"""The chart's controller Service (release `ingress-nginx`); its `https` port is 443."""
CONTROLLER_HTTPS_PORT = 443
CONTROLLER_HEALTH_PORT = 10254
"""The controller's health endpoint (`/healthz`, what the chart's probes use), on every pod IP."""

# Pod labels the ingress-nginx chart puts on the controller (release name `ingress-nginx`).
CONTROLLER_SELECTOR = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/instance": "ingress-nginx",
    "app.kubernetes.io/component": "controller",
}


def issuer_name(tls_issuer: str) -> str:
    """The ClusterIssuer the Ingress asks cert-manager for."""
    return LOCAL_CA if tls_issuer == "selfsigned" else tls_issuer


def ingress_annotations(tls_issuer: str) -> dict[str, str]:
    """The seed's annotations (ssl-redirect, 500m bodies) plus the cert-manager issuer."""
    return {
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/force-ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/proxy-body-size": "500m",
        "cert-manager.io/cluster-issuer": issuer_name(tls_issuer),
    }


@dataclass(frozen=True)
class Route:
    """One host of the Ingress: `<prefix>.<domain>` -> backend, plus extra path backends."""

    prefix: str
    backend: UiBackend
    paths: Sequence[tuple[str, UiBackend]] = ()


def _backend(b: UiBackend) -> dict[str, Any]:
    return {"service": {"name": b.service, "port": {"number": b.port}}}


def ingress_spec(routes: Sequence[Route], domain: str, class_name: str) -> dict[str, Any]:
    """networking.k8s.io/v1 IngressSpec (camelCase). Longer (more specific) paths first."""
    hosts = [f"{r.prefix}.{domain}" for r in routes]
    rules = []
    for r, host in zip(routes, hosts):
        paths = [{"path": p, "pathType": "Prefix", "backend": _backend(b)} for p, b in sorted(r.paths, key=lambda x: -len(x[0]))]
        paths.append({"path": "/", "pathType": "Prefix", "backend": _backend(r.backend)})
        rules.append({"host": host, "http": {"paths": paths}})
    return {
        "ingressClassName": class_name,
        "tls": [{"hosts": hosts, "secretName": TLS_SECRET}] if hosts else [],
        "rules": rules,
    }


def alb_annotations(alb: AlbFrontend) -> dict[str, str]:
    """AWS Load Balancer Controller annotations of the ALB Ingress in front of ingress-nginx."""
    a = "alb.ingress.kubernetes.io/"
    return {
        a + "scheme": alb.scheme,
        a + "target-type": "ip",  # the controller pods themselves (no NodePort hop)
        a + "listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
        a + "ssl-redirect": "443",
        a + "certificate-arn": alb.certificate_arn,
        a + "ssl-policy": alb.ssl_policy,
        a + "backend-protocol": "HTTPS",
        a + "healthcheck-protocol": "HTTP",
        a + "healthcheck-port": str(CONTROLLER_HEALTH_PORT),
        a + "healthcheck-path": "/healthz",
        a + "success-codes": "200",
        a + "load-balancer-attributes": f"idle_timeout.timeout_seconds={alb.idle_timeout_seconds}",
    }


def alb_ingress_spec(alb: AlbFrontend) -> dict[str, Any]:
    """Every host and path to the controller's HTTPS port; ingress-nginx routes by Host."""
    backend = {"service": {"name": CONTROLLER_SERVICE, "port": {"number": CONTROLLER_HTTPS_PORT}}}
    return {"ingressClassName": alb.class_name, "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]}


def cluster_issuer_specs(tls_issuer: str, acme_email: Optional[str], class_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, spec) of every ClusterIssuer for this issuer choice, in creation order."""
    if tls_issuer == "selfsigned":
        return [(SELFSIGNED_BOOTSTRAP, {"selfSigned": {}}), (LOCAL_CA, {"ca": {"secretName": LOCAL_CA}})]
    if tls_issuer not in ACME_SERVERS:
        raise ValueError(f"unknown tlsIssuer {tls_issuer!r}")
    if not acme_email:
        raise ValueError(f"tlsIssuer {tls_issuer} needs acmeEmail")
    return [(tls_issuer, {"acme": {
        "server": ACME_SERVERS[tls_issuer],
        "email": acme_email,
        "privateKeySecretRef": {"name": f"{tls_issuer}-account-key"},
        "solvers": [{"http01": {"ingress": {"ingressClassName": class_name}}}],
    }})]


def _sizes(environment: str) -> dict[str, Any]:
    small = environment == "dev"
    return {
        "replicas": 1 if small else 2,
        "controller": {"requests": {"cpu": "100m" if small else "250m", "memory": "128Mi" if small else "256Mi"},
                       "limits": {"cpu": "500m" if small else "1", "memory": "512Mi" if small else "1Gi"}},
        "cm": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
    }


def ingress_nginx_values(class_name: str, service_type: str, service_annotations: Mapping[str, str], environment: str) -> dict[str, Any]:
    z = _sizes(environment)
    return {
        "controller": {
            "ingressClass": class_name,
            "ingressClassResource": {"name": class_name, "enabled": True, "default": False,
                                     "controllerValue": "k8s.io/ingress-nginx"},
            "replicaCount": z["replicas"],
            "minAvailable": 1,
            "resources": z["controller"],
            "service": {"type": service_type, "annotations": dict(service_annotations),
                        # Local: keep client source IPs (for logs and allow-lists) on load balancers.
                        **({"externalTrafficPolicy": "Local"} if service_type == "LoadBalancer" else {})},
            # CVE-2025-1974 class issues: no user snippets, admission webhook kept on.
            "allowSnippetAnnotations": False,
            "admissionWebhooks": {"enabled": True},
            "config": {
                "ssl-redirect": "true",
                "hsts": "true",
                "server-tokens": "false",
                "proxy-body-size": "500m",
                "use-forwarded-headers": "false",
            },
            "metrics": {"enabled": True},
            "topologySpreadConstraints": [] if z["replicas"] == 1 else [{
                "maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": CONTROLLER_SELECTOR},
            }],
        },
    }


def cert_manager_values(environment: str) -> dict[str, Any]:
    z = _sizes(environment)
    return {
        "crds": {"enabled": True, "keep": True},
        "replicaCount": 1,
        "resources": z["cm"],
        "webhook": {"resources": z["cm"]},
        "cainjector": {"resources": z["cm"]},
        "startupapicheck": {"resources": z["cm"]},
        "prometheus": {"enabled": True},
    }


@dataclass(frozen=True)
class IngressArgs:
    provider: k8s.Provider
    environment: str
    domain: str
    class_name: str
    service_type: str
    tls_issuer: str
    acme_email: Optional[str]
    routes: Sequence[Route]
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    alb: Optional[AlbFrontend] = None
    """An ALB in front of the controller (Foundation.ingress.alb)."""
    depends_on: tuple = ()


class IngressTls(pulumi.ComponentResource):
    """ingress-nginx + cert-manager + issuers + the platform's Ingress."""

    controller_namespace: str = INGRESS_NS
    controller_selector: dict[str, str]

    def __init__(self, name: str, args: IngressArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:ingress:IngressTls", name, None, opts)
        p, deps = args.provider, list(args.depends_on)
        # Both charts run restricted-compatible pods; the controller adds NET_BIND_SERVICE
        # (allowed by baseline), so the namespaces enforce baseline and warn on restricted.
        ns_nginx = namespace(INGRESS_NS, provider=p, parent=self, environment=args.environment, depends_on=deps)
        ns_cm = namespace(CERT_MANAGER_NS, provider=p, parent=self, environment=args.environment, depends_on=deps)
        self.ingress_nginx = release(
            f"{name}-ingress-nginx", release_name="ingress-nginx", chart=INGRESS_NGINX_CHART, namespace=INGRESS_NS,
            values=ingress_nginx_values(args.class_name, args.service_type, args.service_annotations, args.environment),
            provider=p, parent=self, depends_on=[ns_nginx], atomic=False,  # a LoadBalancer may take minutes to get an address
        )
        self.cert_manager = release(
            f"{name}-cert-manager", release_name="cert-manager", chart=CERT_MANAGER_CHART, namespace=CERT_MANAGER_NS,
            values=cert_manager_values(args.environment), provider=p, parent=self, depends_on=[ns_cm],
        )

        self.issuers: dict[str, k8s.apiextensions.CustomResource] = {}
        after: list[pulumi.Resource] = [self.cert_manager]
        for issuer, spec in cluster_issuer_specs(args.tls_issuer, args.acme_email, args.class_name):
            if issuer == LOCAL_CA:
                # The CA certificate, signed by the bootstrap issuer; its Secret lives in the
                # cert-manager namespace, where ClusterIssuers look for CA secrets.
                self.ca_certificate = k8s.apiextensions.CustomResource(
                    f"{name}-local-ca",
                    api_version="cert-manager.io/v1", kind="Certificate",
                    metadata={"name": LOCAL_CA, "namespace": CERT_MANAGER_NS},
                    spec={
                        "isCA": True,
                        "commonName": f"data-platform {args.environment} local CA",
                        "secretName": LOCAL_CA,
                        "duration": "87600h",
                        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Never"},
                        "issuerRef": {"name": SELFSIGNED_BOOTSTRAP, "kind": "ClusterIssuer", "group": "cert-manager.io"},
                    },
                    opts=child(self, p, depends_on=after),
                )
                after = [self.ca_certificate]
            self.issuers[issuer] = k8s.apiextensions.CustomResource(
                f"{name}-issuer-{issuer}",
                api_version="cert-manager.io/v1", kind="ClusterIssuer",
                metadata={"name": issuer},
                spec=spec,
                opts=child(self, p, depends_on=after),
            )
            after = [self.issuers[issuer]]

        self.alb_ingress = None
        if args.alb is not None:
            self.alb_ingress = k8s.networking.v1.Ingress(
                f"{name}-alb",
                metadata={
                    "name": ALB_INGRESS_NAME, "namespace": INGRESS_NS,
                    "labels": {"app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": MANAGED_BY},
                    "annotations": alb_annotations(args.alb),
                },
                spec=alb_ingress_spec(args.alb),
                opts=child(self, p, depends_on=[ns_nginx, self.ingress_nginx]),
            )

        self.hosts = [f"{r.prefix}.{args.domain}" for r in args.routes]
        self.ingress = None
        if args.routes:  # an Ingress needs at least one rule (or a default backend)
            self.ingress = self._ingress(name, args, after)
        self.controller_selector = dict(CONTROLLER_SELECTOR)
        self.controller_namespace = INGRESS_NS
        self.urls = {r.prefix: f"https://{r.prefix}.{args.domain}" for r in args.routes}
        self.register_outputs({"hosts": self.hosts, "issuer": issuer_name(args.tls_issuer),
                               "ingress": self.ingress.metadata["name"] if self.ingress else None,
                               "albIngress": self.alb_ingress.metadata["name"] if self.alb_ingress else None})

    def _ingress(self, name: str, args: IngressArgs, after: list[pulumi.Resource]) -> k8s.networking.v1.Ingress:
        return k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata={
                "name": INGRESS_NAME, "namespace": APPS,
                "labels": {"app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": MANAGED_BY},
                "annotations": ingress_annotations(args.tls_issuer),
            },
            spec=ingress_spec(args.routes, args.domain, args.class_name),
            opts=child(self, args.provider, depends_on=[self.ingress_nginx, *after, *args.depends_on]),
        )
