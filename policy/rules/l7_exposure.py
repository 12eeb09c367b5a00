"""The cloud L7 load balancers in front of the edge (Azure's Application Gateway, GCP's
Application Load Balancer): public by design, so TLS 1.2 or newer only, plain HTTP only to
redirect, and on Azure a WAF that blocks."""

from __future__ import annotations

from collections.abc import Iterator

from .model import MANDATORY, Context, Resource, known, resource_rule

APP_GATEWAY = "azure-native:network:ApplicationGateway"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
GCP_SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
TLS12_APPGW_POLICIES = ("AppGwSslPolicy20220101", "AppGwSslPolicy20220101S")
"""Application Gateway's predefined policies with TLS 1.2 as the minimum."""
ACME_PATHS = {"/.well-known/acme-challenge/*"}


def _http_listeners_only_redirect(r: Resource) -> Iterator[str]:
    http = {li.get("name") for li in r.props.get("httpListeners") or [] if li.get("protocol") == "Http"}
    maps = {m.get("name"): m for m in r.props.get("urlPathMaps") or []}
    for rule in r.props.get("requestRoutingRules") or []:
        listener = str((rule.get("httpListener") or {}).get("id", "")).rsplit("/", 1)[-1]
        if listener not in http:
            continue
        if rule.get("redirectConfiguration"):
            continue
        path_map = maps.get(str((rule.get("urlPathMap") or {}).get("id", "")).rsplit("/", 1)[-1])
        if path_map and path_map.get("defaultRedirectConfiguration") and all(set(p.get("paths") or []) <= ACME_PATHS for p in path_map.get("pathRules") or []):
            continue
        yield f"{r.name}: rule {rule.get('name')} serves the HTTP listener {listener} without redirecting to HTTPS (only ACME HTTP-01 paths may pass)"


@resource_rule(
    "l7-tls-and-waf", "Public L7 load balancers speak TLS 1.2+ only, redirect plain HTTP, and (Azure) block with a WAF.", MANDATORY,
    "The L7 load balancer is the platform's public face: an old TLS version, a plain-HTTP route or a WAF left in Detection mode "
    "would expose every UI's credentials and sessions.",
)
def l7_tls_and_waf(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type == APP_GATEWAY:
        tier = (r.props.get("sku") or {}).get("tier")
        if known(tier) and tier != "WAF_v2":
            yield f"{r.name}: sku.tier is {tier}; use WAF_v2"
        if not r.props.get("firewallPolicy"):
            yield f"{r.name}: no firewallPolicy; attach a WebApplicationFirewallPolicy in Prevention mode"
        policy = r.props.get("sslPolicy") or {}
        if policy.get("policyName") not in TLS12_APPGW_POLICIES and policy.get("minProtocolVersion") not in ("TLSv1_2", "TLSv1_3"):
            yield f"{r.name}: sslPolicy allows TLS below 1.2; use {TLS12_APPGW_POLICIES[-1]}"
        yield from _http_listeners_only_redirect(r)
    if r.type == WAF_POLICY:
        settings = r.props.get("policySettings") or {}
        if settings.get("state") != "Enabled" or settings.get("mode") != "Prevention":
            yield f"{r.name}: policySettings must be state Enabled, mode Prevention (got {settings.get('state')}, {settings.get('mode')})"
        if not (r.props.get("managedRules") or {}).get("managedRuleSets"):
            yield f"{r.name}: no managed rule set; add Microsoft_DefaultRuleSet"
    if r.type == GCP_SSL_POLICY and r.props.get("minTlsVersion") not in ("TLS_1_2", "TLS_1_3"):
        yield f"{r.name}: minTlsVersion is {r.props.get('minTlsVersion')}; use TLS_1_2"
