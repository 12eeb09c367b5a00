"""The platform's edge: Gateway API on Traefik, with cert-manager's TLS.

Order (all in the graph): Gateway API CRDs (`gateway_api.py`) -> cert-manager (Gateway API
support on) and Traefik (`traefik.py`, its GatewayClass) -> ClusterIssuers (`tls.py`) ->
one Certificate per HTTPS listener -> the Gateway, the HTTP -> HTTPS redirect route, the
body-size Middleware and one HTTPRoute per UI (`routes.py`). With an L7 front from the
Foundation (`EdgeFrontend.l7`) the cloud builds its L7 load balancer for this Gateway's
`EdgeBackend` (AWS: an ALB Ingress; Azure: an Application Gateway; GCP: a GKE Ingress), which
sends everything to Traefik's HTTPS port (re-encrypted), so TLS still ends at the Gateway.

Namespaces: `edge` (Traefik, the Gateway, its Certificates/Secrets, the ACME solver pods;
enforces `restricted`: Traefik's chart and cert-manager's solver pods both meet it) and
`cert-manager`. The HTTPRoutes and the Middleware live next to the UIs' Services (`data-platform`),
so no ReferenceGrant is needed; the Gateway's HTTPS listeners admit routes from there only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

from foundation import EdgeBackend, EdgeFrontend
from kube import child, owned_labels
from kube.charts import chart
from kube.helm import release
from kube.namespaces import APPS, namespace

from ..context import PlatformContext
from . import gateway_api, routes, tls, traefik
from .result import EdgeResult
from .routes import Route
from .tls import CERT_MANAGER_NS

EDGE_NS = "edge"
BACKEND = EdgeBackend(service=traefik.SERVICE, https_port=traefik.SERVICE_HTTPS_PORT,
                      health_port=traefik.PING_PORT, health_path=traefik.PING_PATH, namespace=EDGE_NS, https_port_name=traefik.WEBSECURE)
"""What a cloud's L7 load balancer forwards to (Traefik's Service, its ping endpoint)."""

EDGE_WAS_INGRESS = pulumi.Alias(name="ingress", type_="data-platform:ingress:IngressTls")
"""This component was `IngressTls("ingress")`: with this alias an existing stack keeps its
cert-manager release, namespace, issuers and local CA (children named `edge-*` inherit it as
`ingress-*`) instead of creating a second cert-manager next to the first."""

__all__ = ["BACKEND", "CERT_MANAGER_NS", "EDGE_NS", "EDGE_WAS_INGRESS", "Edge", "EdgeArgs", "EdgeResult", "Route"]


@dataclass(frozen=True)
class EdgeArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    gateway_class: str
    tls_issuer: str
    acme_email: Optional[str]
    routes: Sequence[Route]
    frontend: EdgeFrontend
    depends_on: tuple = ()


class Edge(pulumi.ComponentResource):
    """Gateway API CRDs + Traefik + cert-manager + issuers + the Gateway and its routes."""

    result: EdgeResult

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:edge:Edge", name, None, opts)
        p, deps = args.ctx.provider, list(args.depends_on)
        ns_edge = namespace(EDGE_NS, provider=p, parent=self, environment=args.ctx.environment, enforce="restricted", depends_on=deps)
        ns_cm = namespace(CERT_MANAGER_NS, provider=p, parent=self, environment=args.ctx.environment, depends_on=deps)
        self.crds = gateway_api.install(f"{name}-gateway-api", provider=p, parent=self, depends_on=deps)
        crds = list(self.crds.values())
        self.traefik = release(
            f"{name}-traefik", release_name=traefik.RELEASE, chart=chart("traefik"), namespace=EDGE_NS,
            values=traefik.traefik_values(gateway_class=args.gateway_class, service_type=args.frontend.service_type,
                                          service_annotations=args.frontend.service_annotations, environment=args.ctx.environment,
                                          crd_namespaces=[APPS]),
            provider=p, parent=self, depends_on=[ns_edge, *crds], atomic=False,  # a LoadBalancer may take minutes to get an address
        )
        self.cert_manager = release(
            f"{name}-cert-manager", release_name="cert-manager", chart=chart("cert-manager"), namespace=CERT_MANAGER_NS,
            values=tls.cert_manager_values(args.ctx.environment), provider=p, parent=self, depends_on=[ns_cm, *crds],
        )
        after = self._issuers(name, args)

        self.certificates = {r.prefix: k8s.apiextensions.CustomResource(
            f"{name}-certificate-{r.prefix}", api_version="cert-manager.io/v1", kind="Certificate",
            metadata={"name": routes.tls_secret(r), "namespace": EDGE_NS, "labels": owned_labels()},
            spec=routes.certificate_spec(r, args.ctx.domain, tls.issuer_name(args.tls_issuer)),
            opts=child(self, p, depends_on=[ns_edge, *after]),
        ) for r in args.routes}
        on_gateway = [self.traefik, self.crds["Gateway"], self.crds["HTTPRoute"]]
        self.gateway = k8s.apiextensions.CustomResource(
            f"{name}-gateway", api_version="gateway.networking.k8s.io/v1", kind="Gateway",
            metadata={"name": routes.GATEWAY, "namespace": EDGE_NS, "labels": owned_labels()},
            spec=routes.gateway_spec(args.routes, args.ctx.domain, gateway_class=args.gateway_class, http_port=traefik.WEB_PORT,
                                     https_port=traefik.WEBSECURE_PORT, routes_namespace=APPS),
            opts=child(self, p, depends_on=[ns_edge, *on_gateway, *self.certificates.values()]),
        )
        self.redirect = k8s.apiextensions.CustomResource(
            f"{name}-https-redirect", api_version="gateway.networking.k8s.io/v1", kind="HTTPRoute",
            metadata={"name": routes.REDIRECT_ROUTE, "namespace": EDGE_NS, "labels": owned_labels()},
            spec=routes.redirect_route_spec(EDGE_NS), opts=child(self, p, depends_on=[self.gateway]),
        )
        # The Middleware's CRD comes with Traefik's chart (crds/), hence the release dependency.
        self.body_limit = k8s.apiextensions.CustomResource(
            f"{name}-upload-limit", api_version=routes.MIDDLEWARE_API, kind="Middleware",
            metadata={"name": routes.BODY_LIMIT, "namespace": APPS, "labels": owned_labels()},
            spec=routes.body_limit_spec(), opts=child(self, p, depends_on=[self.traefik, *deps]),
        )
        self.routes = {r.prefix: k8s.apiextensions.CustomResource(
            f"{name}-route-{r.prefix}", api_version="gateway.networking.k8s.io/v1", kind="HTTPRoute",
            metadata={"name": r.prefix, "namespace": APPS, "labels": owned_labels()},
            spec=routes.http_route_spec(r, args.ctx.domain, EDGE_NS),
            opts=child(self, p, depends_on=[self.gateway, self.body_limit, *deps]),
        ) for r in args.routes}

        # The cloud's L7 front (Foundation.edge.l7) builds whatever it is made of, for this
        # Gateway's hosts, once Traefik's release (and so its Service) exists.
        self.l7: dict[str, pulumi.Resource] = {}
        if args.frontend.l7 is not None:
            backend = dataclasses.replace(BACKEND, namespace=EDGE_NS, hosts=tuple(r.host(args.ctx.domain) for r in args.routes), labels=owned_labels())
            self.l7 = dict(args.frontend.l7.build(name, backend, child(self, p, depends_on=[ns_edge, self.traefik])))

        self.result = EdgeResult(
            controller_namespace=EDGE_NS, controller_selector=dict(traefik.SELECTOR),
            traffic_ports=(traefik.WEB_PORT, traefik.WEBSECURE_PORT, traefik.PING_PORT), metrics_port=traefik.METRICS_PORT[1],
            backends=routes.backend_pods(args.routes), cert_manager=self.cert_manager, cert_manager_namespace=CERT_MANAGER_NS,
            hosts=tuple(r.host(args.ctx.domain) for r in args.routes), urls={r.prefix: f"https://{r.host(args.ctx.domain)}" for r in args.routes},
        )
        self.register_outputs({"hosts": list(self.result.hosts), "issuer": tls.issuer_name(args.tls_issuer), "gateway": routes.GATEWAY,
                               "l7": sorted(self.l7)})

    def _issuers(self, name: str, args: EdgeArgs) -> list[pulumi.Resource]:
        p = args.ctx.provider
        self.issuers: dict[str, k8s.apiextensions.CustomResource] = {}
        after: list[pulumi.Resource] = [self.cert_manager]
        solver_parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": EDGE_NS,
                         "name": routes.GATEWAY, "sectionName": routes.HTTP_LISTENER}
        for issuer, spec in tls.cluster_issuer_specs(args.tls_issuer, args.acme_email, solver_parent):
            if issuer == tls.LOCAL_CA:
                # The CA certificate, signed by the bootstrap issuer; its Secret lives in the
                # cert-manager namespace, where ClusterIssuers look for CA secrets.
                self.ca_certificate = k8s.apiextensions.CustomResource(
                    f"{name}-local-ca",
                    api_version="cert-manager.io/v1", kind="Certificate",
                    metadata={"name": tls.LOCAL_CA, "namespace": CERT_MANAGER_NS, "labels": owned_labels()},
                    spec={
                        "isCA": True,
                        "commonName": f"data-platform {args.ctx.environment} local CA",
                        "secretName": tls.LOCAL_CA,
                        "duration": "87600h",
                        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Never"},
                        "issuerRef": {"name": tls.SELFSIGNED_BOOTSTRAP, "kind": "ClusterIssuer", "group": "cert-manager.io"},
                    },
                    opts=child(self, p, depends_on=after),
                )
                after = [self.ca_certificate]
            self.issuers[issuer] = k8s.apiextensions.CustomResource(
                f"{name}-issuer-{issuer}", api_version="cert-manager.io/v1", kind="ClusterIssuer",
                metadata={"name": issuer, "labels": owned_labels()}, spec=spec, opts=child(self, p, depends_on=after),
            )
            after = [self.issuers[issuer]]
        return after
