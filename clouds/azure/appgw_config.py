"""The Application Gateway's listeners, rules, backend settings and probes, as plain data.

Pure (no SDK import) so tests read it without a plan. Per Gateway host `<prefix>.<domain>`:

- an HTTPS listener (host name, SNI required, the Key Vault certificate) whose rule sends
  everything to the edge controller's internal load balancer on 443, **re-encrypted**: backend
  settings with that host as host name, so the Host header and the SNI are the host's and
  Traefik answers with the Gateway listener's certificate. Application Gateway v2 verifies a
  backend's certificate (its chain to a well-known CA, or an uploaded trusted root, and its
  name against the SNI), so the Gateway's certificates come from Let's Encrypt (settings force
  `tlsIssuer: letsencrypt-prod`): the program cannot know a cluster-generated CA at plan time,
  and plain HTTP to Traefik would only meet the Gateway's own redirect to HTTPS;
- an HTTP listener for the same host whose path map redirects (301, path and query kept) to
  the HTTPS listener, except `/.well-known/acme-challenge/*`, passed over HTTP to Traefik's
  port 80 so cert-manager's HTTP-01 solver routes on the Gateway's `http` listener answer.

Health: one HTTPS probe per host through the backend settings' host name, on `/`, healthy for
any answer below 500 — a TLS handshake with the host's own certificate and an HTTP answer from
Traefik. (Traefik's `/ping` is plain HTTP on 8080; an HTTP probe on HTTPS backend settings was
not used, Azure's probe documentation does not say the two protocols may differ.) Under it, the internal load balancer only keeps nodes with a ready Traefik
pod (`externalTrafficPolicy: Local`: kube-proxy's health-check node port, which follows the
kubelet's `/ping` readiness probe).
Request timeout 300 s (the seed's; long queries and 500 MiB uploads).
"""

from __future__ import annotations

import ipaddress
from typing import Any

SSL_POLICY = "AppGwSslPolicy20220101S"
"""Predefined policy: TLS 1.2 minimum (and 1.3), ECDHE + AES-GCM suites only."""
REQUEST_TIMEOUT_SECONDS = 300
ACME_PATHS = ["/.well-known/acme-challenge/*"]
PROBE_HEALTHY = ["200-499"]
FRONTEND = "public"
POOL = "edge"
CERTIFICATE = "listener"
ACME_SETTINGS = "acme-http"


def backend_ip(ingress_cidr: str) -> str:
    """The controller's internal load balancer address: the ingress subnet's first usable one
    (Azure reserves the first four and the last), fixed so the gateway's pool can name it."""
    return str(ipaddress.IPv4Network(ingress_cidr).network_address + 4)


def service_annotations(ip: str) -> dict[str, str]:
    """The controller's Service as an internal Standard Load Balancer on `ip` (ingress subnet)."""
    return {
        "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
        "service.beta.kubernetes.io/azure-load-balancer-internal-subnet": "ingress",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": ip,
    }


def _label(host: str) -> str:
    return host.split(".", 1)[0]


def gateway_properties(gateway_id: str, *, hosts: tuple[str, ...], backend_address: str, https_port: int,
                       http_port: int, subnet_id: str, public_ip_id: str, certificate_secret_id: str) -> dict[str, Any]:
    """The ApplicationGateway's collections (SDK argument names), sub-resources referenced by id."""
    def ref(collection: str, name: str) -> dict[str, str]:
        return {"id": f"{gateway_id}/{collection}/{name}"}

    pool = ref("backendAddressPools", POOL)
    settings: list[dict[str, Any]] = [{
        "name": ACME_SETTINGS, "port": http_port, "protocol": "Http", "cookie_based_affinity": "Disabled",
        "request_timeout": 30, "pick_host_name_from_backend_address": False, "probe": ref("probes", ACME_SETTINGS),
    }]
    probes: list[dict[str, Any]] = [{
        # The HTTP hop answers the Gateway's redirect (301) for any host: healthy for 200-399.
        "name": ACME_SETTINGS, "protocol": "Http", "host": hosts[0], "path": "/", "port": http_port,
        "interval": 15, "timeout": 10, "unhealthy_threshold": 3, "pick_host_name_from_backend_http_settings": False,
    }]
    listeners, path_maps, redirects, rules = [], [], [], []
    for i, host in enumerate(hosts):
        label = _label(host)
        probes.append({"name": f"https-{label}", "protocol": "Https", "path": "/", "interval": 15, "timeout": 10, "unhealthy_threshold": 3,
                       "pick_host_name_from_backend_http_settings": True, "match": {"status_codes": PROBE_HEALTHY}})
        settings.append({"name": f"https-{label}", "port": https_port, "protocol": "Https", "host_name": host,
                         "pick_host_name_from_backend_address": False, "cookie_based_affinity": "Disabled",
                         "request_timeout": REQUEST_TIMEOUT_SECONDS, "probe": ref("probes", f"https-{label}")})
        listeners += [
            {"name": f"https-{label}", "frontend_ip_configuration": ref("frontendIPConfigurations", FRONTEND),
             "frontend_port": ref("frontendPorts", "https"), "protocol": "Https", "host_name": host,
             "require_server_name_indication": True, "ssl_certificate": ref("sslCertificates", CERTIFICATE)},
            {"name": f"http-{label}", "frontend_ip_configuration": ref("frontendIPConfigurations", FRONTEND),
             "frontend_port": ref("frontendPorts", "http"), "protocol": "Http", "host_name": host},
        ]
        redirects.append({"name": f"to-https-{label}", "redirect_type": "Permanent", "target_listener": ref("httpListeners", f"https-{label}"),
                          "include_path": True, "include_query_string": True})
        path_maps.append({"name": f"http-{label}", "default_redirect_configuration": ref("redirectConfigurations", f"to-https-{label}"),
                          "path_rules": [{"name": "acme-http-01", "paths": ACME_PATHS, "backend_address_pool": pool,
                                          "backend_http_settings": ref("backendHttpSettingsCollection", ACME_SETTINGS)}]})
        rules += [
            {"name": f"https-{label}", "rule_type": "Basic", "priority": 100 + 2 * i, "http_listener": ref("httpListeners", f"https-{label}"),
             "backend_address_pool": pool, "backend_http_settings": ref("backendHttpSettingsCollection", f"https-{label}")},
            {"name": f"http-{label}", "rule_type": "PathBasedRouting", "priority": 101 + 2 * i, "http_listener": ref("httpListeners", f"http-{label}"),
             "url_path_map": ref("urlPathMaps", f"http-{label}")},
        ]
    return {
        "gateway_ip_configurations": [{"name": "gateway", "subnet": {"id": subnet_id}}],
        "frontend_ip_configurations": [{"name": FRONTEND, "public_ip_address": {"id": public_ip_id}}],
        "frontend_ports": [{"name": "http", "port": 80}, {"name": "https", "port": 443}],
        "ssl_certificates": [{"name": CERTIFICATE, "key_vault_secret_id": certificate_secret_id}],
        "ssl_policy": {"policy_type": "Predefined", "policy_name": SSL_POLICY},
        "backend_address_pools": [{"name": POOL, "backend_addresses": [{"ip_address": backend_address}]}],
        "backend_http_settings_collection": settings,
        "probes": probes,
        "http_listeners": listeners,
        "redirect_configurations": redirects,
        "url_path_maps": path_maps,
        "request_routing_rules": rules,
    }


def waf_policy_settings(upload_limit_mb: int) -> dict[str, Any]:
    """WAF in Prevention mode. Bodies: the first 2 MB of a request body are inspected but larger
    bodies are not refused (`request_body_enforcement` off: the platform's 500 MiB uploads are
    capped by Traefik's Middleware); multipart file uploads are refused above `upload_limit_mb`."""
    return {
        "state": "Enabled", "mode": "Prevention",
        "request_body_check": True, "request_body_enforcement": False,
        "request_body_inspect_limit_in_kb": 2000, "max_request_body_size_in_kb": 2000,
        "file_upload_enforcement": True, "file_upload_limit_in_mb": upload_limit_mb,
    }


MANAGED_RULE_SETS = [
    {"rule_set_type": "Microsoft_DefaultRuleSet", "rule_set_version": "2.1"},
    {"rule_set_type": "Microsoft_BotManagerRuleSet", "rule_set_version": "1.1"},
]
"""Microsoft's Default Rule Set 2.1 (the OWASP CRS 3.3-based managed rules) and the bot rules."""
