"""Default-deny NetworkPolicies in the platform namespaces: a pod no policy allows can't talk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .model import MANDATORY, UNKNOWN, Context, Resource, Violation, by_type, stack_rule

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"


def _name(r: Resource) -> str:
    return (r.props.get("metadata") or {}).get("name") or r.name


def denies_all(policy: Resource) -> set[str]:
    """The directions (Ingress/Egress) a NetworkPolicy closes for every pod of its namespace."""
    spec = policy.props.get("spec") or {}
    selector = spec.get("podSelector")
    if selector not in ({}, None) and selector != {"matchLabels": {}}:
        return set()
    types = spec.get("policyTypes") or ["Ingress"]
    return {t for t in types if t in ("Ingress", "Egress") and not spec.get(t.lower())}


@stack_rule(
    "default-deny-network-policies", "Each platform namespace has a default-deny NetworkPolicy for ingress and egress.", MANDATORY,
    "Kubernetes allows all pod traffic until a policy selects a pod; default-deny makes every other policy an allow-list.",
    properties={
        "namespaces": {"type": "array", "items": {"type": "string"}, "default": ["data-platform", "data-storage"],
                       "description": "Namespaces that must have default-deny (when the stack creates them)."},
    },
)
def default_deny(resources: Sequence[Resource], ctx: Context) -> Iterator[Violation]:
    wanted = set(ctx.config.get("namespaces", ["data-platform", "data-storage"]))
    closed: dict[str, set[str]] = {}
    for p in by_type(resources, NETWORK_POLICY):
        ns = (p.props.get("metadata") or {}).get("namespace") or "default"
        closed.setdefault(ns, set()).update(denies_all(p))
    for ns in by_type(resources, NAMESPACE):
        name = _name(ns)
        if name in wanted and name != UNKNOWN:
            missing = {"Ingress", "Egress"} - closed.get(name, set())
            if missing:
                yield Violation(f"namespace {name}: no default-deny NetworkPolicy for {' and '.join(sorted(missing))} "
                                "(podSelector {}, policyTypes [Ingress, Egress], no rules)", ns.urn)
