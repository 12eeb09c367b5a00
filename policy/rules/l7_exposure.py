"""The cloud L7 load balancers in front of the edge (Azure's Application Gateway, GCP's
Application Load Balancer): public by design, so TLS 1.2 or newer only, plain HTTP only to
redirect, and on Azure a WAF that blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import MANDATORY, Context, Resource, known, resource_rule

APP_GATEWAY = "azure-native:network:ApplicationGateway"
WAF_POLICY = "azure-native:network:WebApplicationFirewallPolicy"
GCP_SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
TLS12_APPGW_POLICIES = ("AppGwSslPolicy20220101", "AppGwSslPolicy20220101S")
"""Application Gateway's predefined policies with TLS 1.2 as the minimum."""
ACME_PATHS = {"/.well-known/acme-challenge/*"}


def _dicts(value: Any) -> list[dict]:
    """The dicts of a list input (during a preview a computed list, or an item, may be unknown)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _ref_name(ref: Any) -> str:
    return str(_dict(ref).get("id", "")).rsplit("/", 1)[-1]


def _http_listeners_only_redirect(r: Resource) -> Iterator[str]:
    http = {li.get("name") for li in _dicts(r.props.get("httpListeners")) if li.get("protocol") == "Http"}
    maps = {m.get("name"): m for m in _dicts(r.props.get("urlPathMaps"))}
    for rule in _dicts(r.props.get("requestRoutingRules")):
        listener = _ref_name(rule.get("httpListener"))
        if listener not in http or rule.get("redirectConfiguration"):
            continue
        path_map = maps.get(_ref_name(rule.get("urlPathMap")))
        if path_map and path_map.get("defaultRedirectConfiguration") and all(
                set(p.get("paths") or []) <= ACME_PATHS for p in _dicts(path_map.get("pathRules"))):
            continue
        yield f"{r.name}: rule {rule.get('name')} serves the HTTP listener {listener} without redirecting to HTTPS (only ACME HTTP-01 paths may pass)"


@resource_rule(
    "l7-tls-and-waf", "Public L7 load balancers speak TLS 1.2+ only, redirect plain HTTP, and (Azure) block with a WAF.", MANDATORY,
    "The L7 load balancer is the platform's public face: an old TLS version, a plain-HTTP route or a WAF left in Detection mode "
    "would expose every UI's credentials and sessions.",
)
def l7_tls_and_waf(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type == APP_GATEWAY:
        tier = _dict(r.props.get("sku")).get("tier")
        if known(tier) and tier != "WAF_v2":
            yield f"{r.name}: sku.tier is {tier}; use WAF_v2"
        if not r.props.get("firewallPolicy"):
            yield f"{r.name}: no firewallPolicy; attach a WebApplicationFirewallPolicy in Prevention mode"
        policy = r.props.get("sslPolicy")
        if known(policy) and _dict(policy).get("policyName") not in TLS12_APPGW_POLICIES \
                and _dict(policy).get("minProtocolVersion") not in ("TLSv1_2", "TLSv1_3"):
            yield f"{r.name}: sslPolicy allows TLS below 1.2; use {TLS12_APPGW_POLICIES[-1]}"
        yield from _http_listeners_only_redirect(r)
    if r.type == WAF_POLICY:
        settings = _dict(r.props.get("policySettings"))
        state, mode = settings.get("state"), settings.get("mode")
        if (known(state) and state != "Enabled") or (known(mode) and mode != "Prevention"):
            yield f"{r.name}: policySettings must be state Enabled, mode Prevention (got {state}, {mode})"
        if known(r.props.get("managedRules")) and not _dict(r.props.get("managedRules")).get("managedRuleSets"):
            yield f"{r.name}: no managed rule set; add Microsoft_DefaultRuleSet"
    if r.type == GCP_SSL_POLICY and known(r.props.get("minTlsVersion")) and r.props.get("minTlsVersion") not in ("TLS_1_2", "TLS_1_3"):
        yield f"{r.name}: minTlsVersion is {r.props.get('minTlsVersion')}; use TLS_1_2"
