"""Policies <-> `networking.k8s.io/v1` NetworkPolicy specs (and back, for tests)."""

from __future__ import annotations

from collections.abc import Mapping

from .model import ANYWHERE, NS_LABEL, Peer, Policy, Port, Rule


def _peer_manifest(peer: Peer, policy_ns: str) -> dict:
    if peer.cidr is not None:
        return {"ip_block": {"cidr": peer.cidr, **({"except": list(peer.except_)} if peer.except_ else {})}}
    out: dict = {}
    if peer.namespace != policy_ns:
        out["namespace_selector"] = {"match_labels": {NS_LABEL: peer.namespace}} if peer.namespace else {}
    out["pod_selector"] = {"match_labels": dict(peer.selector)} if peer.selector is not None else {}
    return out


def _rule_manifest(rule: Rule, policy_ns: str, key: str) -> dict:
    out: dict = {key: [_peer_manifest(p, policy_ns) for p in rule.peers]}
    if rule.ports:
        out["ports"] = [{"port": p.port, "protocol": p.protocol} for p in rule.ports]
    return out


def manifest_spec(p: Policy) -> dict:
    spec: dict = {"pod_selector": {"match_labels": dict(p.selector)} if p.selector else {}, "policy_types": p.types}
    if p.ingress is not None:
        spec["ingress"] = [_rule_manifest(r, p.namespace, "from") for r in p.ingress]
    if p.egress is not None:
        spec["egress"] = [_rule_manifest(r, p.namespace, "to") for r in p.egress]
    return spec


def policy_from_manifest(name: str, namespace: str, spec: Mapping) -> Policy:
    """Read a NetworkPolicy spec (camelCase, as registered) back into a `Policy`, so tests and
    tools evaluate exactly what is deployed."""

    def peer(m: Mapping) -> Peer:
        if "ipBlock" in m:
            return Peer(cidr=m["ipBlock"]["cidr"], except_=tuple(m["ipBlock"].get("except") or ()))
        if "namespaceSelector" in m:
            labels = (m["namespaceSelector"] or {}).get("matchLabels") or {}
            if set(labels) - {NS_LABEL}:
                raise ValueError(f"{namespace}/{name}: only namespaces selected by name are supported: {labels}")
            ns = labels.get(NS_LABEL)
        else:
            ns = namespace
        pods = m.get("podSelector")
        selector = dict((pods or {}).get("matchLabels") or {}) if pods is not None else None
        return Peer(ns, selector if selector else (None if ns else {}))

    def rules(items, key) -> tuple[Rule, ...]:
        return tuple(Rule(tuple(peer(x) for x in r.get(key, [])) or (Peer(cidr=ANYWHERE),),
                          tuple(Port(int(p["port"]), p.get("protocol", "TCP")) for p in r.get("ports", [])))
                     for r in items)

    types = spec.get("policyTypes") or ["Ingress"]
    return Policy(
        name=name, namespace=namespace, selector=dict((spec.get("podSelector") or {}).get("matchLabels") or {}),
        ingress=rules(spec.get("ingress") or [], "from") if "Ingress" in types else None,
        egress=rules(spec.get("egress") or [], "to") if "Egress" in types else None,
    )
