"""`permits`: evaluate a policy set the way the NetworkPolicy API defines it (both ends)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

from .model import Peer, Policy, Rule


@dataclass(frozen=True)
class Endpoint:
    """A pod (namespace + labels) or, with namespace None, an address outside the cluster.
    `ip`: the address (a pod's own IP, or a Service's cluster IP it is reached through)."""

    namespace: Optional[str]
    labels: Mapping[str, str] = field(default_factory=dict)
    ip: str = "203.0.113.10"


def _selects(selector: Optional[Mapping[str, str]], labels: Mapping[str, str]) -> bool:
    return selector is None or all(labels.get(k) == v for k, v in selector.items())


def _in_block(cidr: str, except_: Sequence[str], ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    return addr in ipaddress.ip_network(cidr) and not any(addr in ipaddress.ip_network(x) for x in except_)


def _peer_matches(peer: Peer, policy_ns: str, other: Endpoint, ip_blocks_match_pods: bool = False) -> bool:
    if peer.cidr is not None:
        # ipBlock: whether pod IPs match is CNI-specific. Allowing is checked without it (never
        # rely on it); denying with it (most CNIs do match pod and Service IPs).
        return (other.namespace is None or ip_blocks_match_pods) and _in_block(peer.cidr, peer.except_, other.ip)
    if other.namespace is None:
        return False
    if peer.namespace is not None and peer.namespace != other.namespace:
        return False
    return _selects(peer.selector, other.labels)


def _port_ok(rule: Rule, port: int, protocol: str) -> bool:
    return not rule.ports or any(p.port == port and p.protocol == protocol for p in rule.ports)


def _side_allows(policies: Iterable[Policy], me: Endpoint, other: Endpoint, port: int, protocol: str, direction: str,
                 ip_blocks_match_pods: bool = False) -> bool:
    if me.namespace is None:
        return True  # outside the cluster: no NetworkPolicy applies
    relevant = [p for p in policies if p.namespace == me.namespace and _selects(p.selector, me.labels)
                and (p.ingress if direction == "ingress" else p.egress) is not None]
    if not relevant:
        return True  # not isolated in this direction
    for p in relevant:
        for rule in (p.ingress if direction == "ingress" else p.egress) or ():
            if _port_ok(rule, port, protocol) and any(_peer_matches(peer, p.namespace, other, ip_blocks_match_pods) for peer in rule.peers):
                return True
    return False


def permits(policies: Sequence[Policy], src: Endpoint, dst: Endpoint, port: int, protocol: str = "TCP",
            ip_blocks_match_pods: bool = False) -> bool:
    """Would a connection src -> dst:port be allowed (egress of src and ingress of dst)?
    `ip_blocks_match_pods`: evaluate on a CNI whose ipBlocks also match pod (and Service) IPs."""
    return (_side_allows(policies, src, dst, port, protocol, "egress", ip_blocks_match_pods)
            and _side_allows(policies, dst, src, port, protocol, "ingress", ip_blocks_match_pods))
