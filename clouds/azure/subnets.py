"""VNet planning: a pure function from the VNet CIDR to every subnet of the Azure foundation.

No Pulumi, no Azure SDK: the settings check imports it (a bad CIDR fails before any resource)
and it is property-tested with hypothesis.

Azure subnets are regional (they span every zone), so there is one subnet per role, not per
zone. Sizes follow the AKS baseline architecture's spoke (mspnp/aks-baseline
`network-team/spoke-BU0001A0008.bicep`); offsets are from the VNet's first address:

    role        offset   size   10.0.0.0/16 example   why
    nodes       0        /22    10.0.0.0/22           AKS nodes (Azure CNI overlay: pods do not use VNet IPs)
    apiserver   1024     /28    10.0.4.0/28           API server VNet integration (delegated to AKS)
    ingress     1040     /28    10.0.4.16/28          the ingress controller's internal load balancer IP
    postgres    1280     /27    10.0.5.0/27           Flexible Server (delegated, private DNS zone)
    endpoints   1536     /26    10.0.6.0/26           private endpoints: Key Vault, blob, dfs, ACR
    appgw       2048     /24    10.0.8.0/24           Application Gateway v2 (needs its own subnet, /24 advised)

The plan needs the first 2304 addresses, so the VNet is a /16 to a /20. Pods (overlay) and
Services take ranges outside the VNet (POD_CIDR, SERVICE_CIDR): a VNet overlapping them is
refused, as AKS would refuse it at creation.
"""

from __future__ import annotations

import ipaddress

ROLES: tuple[tuple[str, int, int], ...] = (
    ("nodes", 0, 22),
    ("apiserver", 1024, 28),
    ("ingress", 1040, 28),
    ("postgres", 1280, 27),
    ("endpoints", 1536, 26),
    ("appgw", 2048, 24),
)
"""(role, offset in addresses from the VNet's network address, prefix length)."""
MIN_VNET_PREFIX = 16
MAX_VNET_PREFIX = 20
POD_CIDR = "192.168.0.0/16"
"""Azure CNI overlay's pod range (the AKS baseline's): not routable in the VNet."""
SERVICE_CIDR = "172.16.0.0/16"
DNS_SERVICE_IP = "172.16.0.10"


class SubnetPlanError(ValueError):
    """The VNet CIDR cannot hold the plan; the message says what would."""


def plan_subnets(vnet_cidr: str) -> dict[str, str]:
    """Role -> subnet CIDR inside `vnet_cidr`."""
    try:
        vnet = ipaddress.IPv4Network(vnet_cidr, strict=True)
    except ValueError:
        raise SubnetPlanError(f"{vnet_cidr!r} is not an IPv4 CIDR block with no host bits set, such as 10.0.0.0/16") from None
    if not MIN_VNET_PREFIX <= vnet.prefixlen <= MAX_VNET_PREFIX:
        raise SubnetPlanError(
            f"a VNet of /{vnet.prefixlen} does not fit the plan: use a prefix from /{MIN_VNET_PREFIX} to /{MAX_VNET_PREFIX} "
            f"(the subnets need 2304 addresses; nodes /22, appgw /24), such as 10.0.0.0/16"
        )
    for what, other in (("pod", POD_CIDR), ("service", SERVICE_CIDR)):
        if vnet.overlaps(ipaddress.IPv4Network(other)):
            raise SubnetPlanError(f"a VNet of {vnet_cidr} overlaps the cluster's {what} range {other}: use a range outside 192.168.0.0/16 and 172.16.0.0/16, such as 10.0.0.0/16")
    base = int(vnet.network_address)
    return {role: str(ipaddress.IPv4Network((base + offset, prefix))) for role, offset, prefix in ROLES}
