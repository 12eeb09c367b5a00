"""Subnet planning: a pure function from the VPC CIDR and the number of AZs to every subnet.

No Pulumi, no AWS SDK: it is imported by the settings check (bad CIDRs fail before any
resource) and property-tested with hypothesis.

Layout (the seed's "Architecture AWS": VPC 10.0.0.0/16, public 10.0.1.0/24, EKS nodes
10.0.10.0/24, database 10.0.20.0/24, endpoints 10.0.30.0/24). Those are the first AZ's blocks;
AZ number *i* (0-based) takes the next block of the same tier:

    tier        block index (in subnet-sized units)   /16 example, 3 AZs
    public      1 + i                                 10.0.1.0/24  10.0.2.0/24  10.0.3.0/24
    nodes       10 + i                                10.0.10.0/24 10.0.11.0/24 10.0.12.0/24
    database    20 + i                                10.0.20.0/24 10.0.21.0/24 10.0.22.0/24
    endpoints   30 + i                                10.0.30.0/24 10.0.31.0/24 10.0.32.0/24

A subnet is the VPC prefix + 8 bits (a /16 gives /24s, a /18 gives /26s). Block 0 and blocks
40 and up stay free for later tiers. AWS allows VPC prefixes /16 to /28; EKS nodes need room
for their pods' IPs (the VPC CNI gives every pod a VPC address), so a VPC smaller than /18 —
whose node subnets would be smaller than /26 — is refused with a clear message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

TIERS: tuple[tuple[str, int], ...] = (("public", 1), ("nodes", 10), ("database", 20), ("endpoints", 30))
"""(tier, block index of its first AZ). Up to MAX_AZS AZs fit before the next tier's base."""
NEW_BITS = 8
MIN_VPC_PREFIX = 16  # the largest VPC AWS allows
MAX_VPC_PREFIX = 18  # node subnets of /26 (59 usable addresses): the smallest that is useful
MAX_AZS = 6


class SubnetPlanError(ValueError):
    """The VPC CIDR or AZ count cannot hold the plan; the message says what would."""


@dataclass(frozen=True)
class PlannedSubnet:
    tier: str
    az_index: int
    cidr: str


def plan_subnets(vpc_cidr: str, az_count: int) -> tuple[PlannedSubnet, ...]:
    """Every subnet for `az_count` AZs inside `vpc_cidr`, tier by tier, AZ by AZ."""
    try:
        vpc = ipaddress.IPv4Network(vpc_cidr, strict=True)
    except ValueError:
        raise SubnetPlanError(f"{vpc_cidr!r} is not an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16") from None
    if vpc.prefixlen < MIN_VPC_PREFIX:
        raise SubnetPlanError(f"a VPC of /{vpc.prefixlen} is larger than AWS allows: use a prefix from /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}, such as 10.0.0.0/16")
    if vpc.prefixlen > MAX_VPC_PREFIX:
        raise SubnetPlanError(
            f"a VPC of /{vpc.prefixlen} is too small: its node subnets would be /{vpc.prefixlen + NEW_BITS}, "
            f"too few addresses for EKS nodes and their pods; use a prefix from /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}, such as 10.0.0.0/16"
        )
    if not isinstance(az_count, int) or isinstance(az_count, bool) or not 1 <= az_count <= MAX_AZS:
        raise SubnetPlanError(f"the number of availability zones must be from 1 to {MAX_AZS}, not {az_count!r}")
    prefix = vpc.prefixlen + NEW_BITS
    size = 2 ** (32 - prefix)
    base = int(vpc.network_address)
    out = []
    for tier, first in TIERS:
        for az in range(az_count):
            net = ipaddress.IPv4Network((base + (first + az) * size, prefix))
            out.append(PlannedSubnet(tier, az, str(net)))
    return tuple(out)


def by_tier(plan: tuple[PlannedSubnet, ...], tier: str) -> list[str]:
    """The tier's CIDRs in AZ order."""
    return [s.cidr for s in sorted(plan, key=lambda s: s.az_index) if s.tier == tier]
