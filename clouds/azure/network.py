"""The VNet of the seed's Azure architecture: one subnet per role (subnets.py), egress through a
NAT gateway, an NSG per subnet (Azure's defaults: no inbound from the internet;
the `appgw` subnet holds the Application Gateway with `loadBalancer: appgw`, its NSG then open to it), and the private DNS zones the private endpoints register in.

- No subnet has default outbound access: nodes leave through the NAT gateway (AKS
  `outboundType: userAssignedNATGateway`), everything else has no egress to the internet.
- Delegations: `apiserver` to AKS (API server VNet integration), `postgres` to Flexible Server.
- Private DNS zones linked to the VNet: Key Vault, blob, dfs (ADLS Gen2's abfss endpoint), ACR
  and the server's `<stack>.private.postgres.database.azure.com`; `private_endpoint` puts a
  service's endpoint in the `endpoints` subnet and registers it in its zone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.network as network
import pulumi_azure_native.privatedns as privatedns

from .common import Context
from .subnets import plan_subnets

COMPONENT = "network"
ZONES = {
    "vault": "privatelink.vaultcore.azure.net",
    "blob": "privatelink.blob.core.windows.net",
    "dfs": "privatelink.dfs.core.windows.net",
    "registry": "privatelink.azurecr.io",
}
"""Private endpoint group id / role -> its private DNS zone (one zone per service)."""
APP_GATEWAY_RULES = (
    # Azure's infrastructure ports of a v2 gateway (its deployment fails without them).
    {"name": "gateway-manager", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
     "source_address_prefix": "GatewayManager", "source_port_range": "*", "destination_address_prefix": "*", "destination_port_range": "65200-65535"},
    # The gateway's listeners (the redirect on 80, TLS on 443).
    {"name": "listeners", "priority": 110, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
     "source_address_prefix": "Internet", "source_port_range": "*", "destination_address_prefix": "*", "destination_port_ranges": ["80", "443"]},
)
"""NSG rules of the `appgw` subnet with `loadBalancer: appgw` (Azure's own AzureLoadBalancer
inbound rule is a default rule already)."""
DELEGATIONS = {
    "apiserver": "Microsoft.ContainerService/managedClusters",
    "postgres": "Microsoft.DBforPostgreSQL/flexibleServers",
}


@dataclass(frozen=True)
class NetworkArgs:
    ctx: Context
    cidr: str
    zones: tuple[str, ...]
    app_gateway: bool
    """Open the `appgw` subnet's NSG to what an Application Gateway v2 needs (`APP_GATEWAY_RULES`)."""


class Network(pulumi.ComponentResource):
    vnet: network.VirtualNetwork
    subnets: dict[str, network.Subnet]
    dns_zones: dict[str, privatedns.PrivateZone]
    postgres_zone: privatedns.PrivateZone

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:Network", name, None, opts)
        ctx, p = args.ctx, args.ctx.prefix
        self._ctx = ctx
        rg = ctx.resource_group
        plan = plan_subnets(args.cidr)

        pip = network.PublicIPAddress(f"{p}-nat", resource_group_name=rg, public_ip_address_name=f"{p}-nat",
                                      sku={"name": "Standard", "tier": "Regional"}, public_ip_allocation_method="Static",
                                      zones=list(args.zones), tags=ctx.tags(COMPONENT), opts=ctx.opts(self))
        self.nat = network.NatGateway(f"{p}-nat", resource_group_name=rg, nat_gateway_name=f"{p}-nat", sku={"name": "Standard"},
                                      idle_timeout_in_minutes=4, public_ip_addresses=[{"id": pip.id}], tags=ctx.tags(COMPONENT), opts=ctx.opts(self))
        self.vnet = network.VirtualNetwork(
            f"{p}-vnet", resource_group_name=rg, virtual_network_name=f"{p}-vnet", address_space={"address_prefixes": [args.cidr]},
            tags=ctx.tags(COMPONENT), opts=ctx.opts(self, ignore_changes=["subnets"]),  # subnets are their own resources
        )
        self.subnets = {}
        previous: list[pulumi.Resource] = []
        for role, cidr in plan.items():
            # Azure's default rules: VNet-internal traffic allowed, inbound from the internet denied.
            rules = {"security_rules": list(APP_GATEWAY_RULES)} if role == "appgw" and args.app_gateway else {}
            nsg = network.NetworkSecurityGroup(f"{p}-{role}", resource_group_name=rg, network_security_group_name=f"{p}-{role}",
                                               tags=ctx.tags(COMPONENT), opts=ctx.opts(self), **rules)
            extra: dict = {}
            if role in DELEGATIONS:
                extra["delegations"] = [{"name": role, "service_name": DELEGATIONS[role]}]
            if role == "nodes":
                extra["nat_gateway"] = {"id": self.nat.id}
            # Subnets of one VNet are written one at a time (concurrent PUTs conflict: AnotherOperationInProgress).
            self.subnets[role] = network.Subnet(
                f"{p}-{role}", resource_group_name=rg, virtual_network_name=self.vnet.name, subnet_name=role, address_prefix=cidr,
                default_outbound_access=False, network_security_group={"id": nsg.id},
                private_endpoint_network_policies="Enabled" if role == "endpoints" else "Disabled", **extra,
                opts=ctx.opts(self, depends_on=previous[-1:]),
            )
            previous.append(self.subnets[role])

        def zone(key: str, zone_name: str) -> privatedns.PrivateZone:
            z = privatedns.PrivateZone(f"{p}-{key}-dns", resource_group_name=rg, private_zone_name=zone_name, location="Global",
                                       tags=ctx.tags(COMPONENT), opts=ctx.opts(self))
            privatedns.VirtualNetworkLink(f"{p}-{key}-dns", resource_group_name=rg, private_zone_name=z.name, virtual_network_link_name=f"{p}-vnet",
                                          location="Global", registration_enabled=False, virtual_network={"id": self.vnet.id},
                                          tags=ctx.tags(COMPONENT), opts=ctx.opts(self))
            return z

        self.dns_zones = {key: zone(key, z) for key, z in ZONES.items()}
        self.postgres_zone = zone("postgres", f"{p}.private.postgres.database.azure.com")
        self.register_outputs({"vnetId": self.vnet.id, "subnets": plan})

    def private_endpoint(self, parent: pulumi.Resource, name: str, target_id: pulumi.Input[str], group: str) -> network.PrivateEndpoint:
        """A private endpoint of `target_id`'s `group` (vault, blob, dfs, registry) in the
        endpoints subnet, registered in the group's private DNS zone."""
        ctx = self._ctx
        pe_name = f"{ctx.prefix}-{name}"
        pe = network.PrivateEndpoint(
            pe_name, resource_group_name=ctx.resource_group, private_endpoint_name=pe_name, subnet={"id": self.subnets["endpoints"].id},
            private_link_service_connections=[{"name": pe_name, "private_link_service_id": target_id, "group_ids": [group]}],
            tags=ctx.tags(COMPONENT), opts=ctx.opts(parent),
        )
        network.PrivateDnsZoneGroup(
            pe_name, resource_group_name=ctx.resource_group, private_endpoint_name=pe.name, private_dns_zone_group_name="default",
            private_dns_zone_configs=[{"name": group, "private_dns_zone_id": self.dns_zones[group].id}], opts=ctx.opts(parent),
        )
        return pe

