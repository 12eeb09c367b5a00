"""The platform's Gateway API objects as pure functions: the Gateway, one HTTPRoute per UI, the
HTTP -> HTTPS redirect, the body-size cap and one Certificate per HTTPS listener.

- Gateway (namespace `edge`): an HTTPS listener per host (`<prefix>.<domain>`, port 8443 =
  Traefik's `websecure`), each terminating TLS with the Secret its Certificate writes, accepting
  routes from the apps namespace only; one HTTP listener (8000 = `web`) accepting routes from
  its own namespace only: the redirect and cert-manager's ACME HTTP-01 solver routes.
- HTTP -> HTTPS: an HTTPRoute on the HTTP listener whose only rule is a `RequestRedirect` filter
  (scheme https, 301; the port is then 443). The solver's routes win over it for their token
  path (an exact path with a hostname is more specific than `/` without one).
- One HTTPRoute per UI on its listener (`sectionName`), with the app's own extra paths first
  (`Route.paths`, from the app component) and `/` to its main Service.
- Body size: a Traefik `Middleware` (buffering, `maxRequestBodyBytes` 500 MiB = nginx's 500m)
  referenced by `ExtensionRef` on the rules of the UIs that take uploads (`Route.body_limit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..apps.ui import UiBackend

GATEWAY = "data-platform"
HTTP_LISTENER = "http"
REDIRECT_ROUTE = "https-redirect"
BODY_LIMIT = "upload-limit"
MAX_REQUEST_BODY_BYTES = 500 * 2**20
"""The seed's `proxy-body-size: 500m` (nginx's `m` is MiB)."""
MIDDLEWARE_API = "traefik.io/v1alpha1"
WEBSOCKET_UIS = frozenset({"dremio"})
"""UIs not put behind the body-size cap: Traefik's buffering middleware also buffers responses,
and Dremio's UI follows jobs over a websocket (`/apiv2/socket`)."""


@dataclass(frozen=True)
class Route:
    """One UI: `<prefix>.<domain>` -> `backend`, plus the app's own path backends."""

    prefix: str
    backend: UiBackend
    paths: Sequence[tuple[str, UiBackend]] = ()
    body_limit: bool = True
    """Cap request bodies at 500 MiB (Traefik buffers such requests; off for UIs on websockets)."""

    def host(self, domain: str) -> str:
        return f"{self.prefix}.{domain}"


def backend_pods(rs: Sequence[Route]) -> tuple[tuple[dict[str, str], int], ...]:
    """(pod selector, container port) of every backend the routes send to, for the controller's
    egress NetworkPolicy: it reaches what it routes to and nothing else."""
    out: list[tuple[dict[str, str], int]] = []
    for r in rs:
        for b in (*(b for _, b in r.paths), r.backend):
            if not b.selector:
                raise ValueError(f"route {r.prefix}: backend {b.service} has no pod selector (the NetworkPolicy would open every pod)")
            item = (dict(b.selector), b.target_port or b.port)
            if item not in out:
                out.append(item)
    return tuple(out)


def listener_name(r: Route) -> str:
    return f"https-{r.prefix}"


def tls_secret(r: Route) -> str:
    return f"{r.prefix}-tls"


def _namespace_selector(namespace: str) -> dict[str, Any]:
    return {"namespaces": {"from": "Selector", "selector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}}


def gateway_spec(routes: Sequence[Route], domain: str, *, gateway_class: str, http_port: int, https_port: int,
                 routes_namespace: str) -> dict[str, Any]:
    listeners: list[dict[str, Any]] = [{
        "name": HTTP_LISTENER, "protocol": "HTTP", "port": http_port,
        "allowedRoutes": {"namespaces": {"from": "Same"}, "kinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]},
    }]
    for r in routes:
        listeners.append({
            "name": listener_name(r), "protocol": "HTTPS", "port": https_port, "hostname": r.host(domain),
            "tls": {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": tls_secret(r)}]},
            "allowedRoutes": {**_namespace_selector(routes_namespace), "kinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}]},
        })
    return {"gatewayClassName": gateway_class, "listeners": listeners}


def _parent(namespace: str, section: str) -> dict[str, Any]:
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": namespace, "name": GATEWAY, "sectionName": section}


def _backend_ref(b: UiBackend) -> dict[str, Any]:
    return {"group": "", "kind": "Service", "name": b.service, "port": b.port}


def http_route_spec(r: Route, domain: str, gateway_namespace: str) -> dict[str, Any]:
    """Longer (more specific) paths first, `/` last; every rule through the body-size cap if set."""
    pairs = [*sorted(r.paths, key=lambda x: -len(x[0])), ("/", r.backend)]
    rules = []
    for path, b in pairs:
        rule: dict[str, Any] = {"matches": [{"path": {"type": "PathPrefix", "value": path}}], "backendRefs": [_backend_ref(b)]}
        if r.body_limit:
            rule["filters"] = [{"type": "ExtensionRef", "extensionRef": {"group": "traefik.io", "kind": "Middleware", "name": BODY_LIMIT}}]
        rules.append(rule)
    return {"parentRefs": [_parent(gateway_namespace, listener_name(r))], "hostnames": [r.host(domain)], "rules": rules}


def redirect_route_spec(gateway_namespace: str) -> dict[str, Any]:
    """Every plain-HTTP request -> the same URL over HTTPS (301)."""
    return {
        "parentRefs": [_parent(gateway_namespace, HTTP_LISTENER)],
        "rules": [{
            "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
            "filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}],
        }],
    }


def body_limit_spec() -> dict[str, Any]:
    return {"buffering": {"maxRequestBodyBytes": MAX_REQUEST_BODY_BYTES}}


def certificate_spec(r: Route, domain: str, issuer: str) -> dict[str, Any]:
    return {
        "secretName": tls_secret(r),
        "dnsNames": [r.host(domain)],
        "issuerRef": {"name": issuer, "kind": "ClusterIssuer", "group": "cert-manager.io"},
        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
    }
