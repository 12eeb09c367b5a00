"""The VPC: custom mode, one regional node subnet with the pods/services secondary ranges,
Private Google Access, flow logs, Cloud Router + Cloud NAT (private nodes pull images and reach
the internet without public IPs), and private services access for Cloud SQL's private IP.

The servicenetworking Connection uses `deletion_policy="REMOVE_PEERING"`: on destroy, while Cloud
SQL still holds the peering (it keeps it for days after an instance is deleted), the API refuses
to delete the connection; REMOVE_PEERING then removes the VPC peering so the network can go
(pulumi-gcp 10.2 `servicenetworking/connection.py`; hashicorp/terraform-provider-google#16275).
`ABANDON` would leave the peering in place and block deleting the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.compute as compute
import pulumi_gcp.servicenetworking as servicenetworking

from .common import Context

PODS_RANGE = "pods"
SERVICES_RANGE = "services"


@dataclass(frozen=True)
class NetworkArgs:
    ctx: Context
    subnet_cidr: str
    pods_cidr: str
    services_cidr: str
    private_services_prefix_length: int
    flow_logs: bool


class Network(pulumi.ComponentResource):
    vpc: compute.Network
    subnet: compute.Subnetwork
    private_services: servicenetworking.Connection

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:Network", name, None, opts)
        ctx, p = args.ctx, args.ctx.prefix
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        self.vpc = compute.Network(f"{p}-vpc", name=f"{p}-vpc", auto_create_subnetworks=False, routing_mode="REGIONAL",
                                   description=f"{p}: data platform (GKE nodes, Cloud SQL private IP)", opts=o())
        self.subnet = compute.Subnetwork(
            f"{p}-nodes",
            name=f"{p}-nodes",
            region=ctx.region,
            network=self.vpc.id,
            ip_cidr_range=args.subnet_cidr,
            secondary_ip_ranges=[
                {"range_name": PODS_RANGE, "ip_cidr_range": args.pods_cidr},
                {"range_name": SERVICES_RANGE, "ip_cidr_range": args.services_cidr},
            ],
            private_ip_google_access=True,
            log_config={"aggregation_interval": "INTERVAL_5_SEC", "flow_sampling": 0.5, "metadata": "INCLUDE_ALL_METADATA"} if args.flow_logs else None,
            opts=o(),
        )
        router = compute.Router(f"{p}-router", name=f"{p}-router", region=ctx.region, network=self.vpc.id, opts=o())
        self.nat = compute.RouterNat(
            f"{p}-nat",
            name=f"{p}-nat",
            router=router.name,
            region=ctx.region,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config={"enable": True, "filter": "ERRORS_ONLY"},
            opts=o(),
        )
        psa_range = compute.GlobalAddress(
            f"{p}-private-services",
            name=f"{p}-private-services",
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            prefix_length=args.private_services_prefix_length,
            network=self.vpc.id,
            description=f"{p}: private services access (Cloud SQL private IP)",
            opts=o(),
        )
        self.private_services = servicenetworking.Connection(
            f"{p}-private-services",
            network=self.vpc.id,
            service="servicenetworking.googleapis.com",
            reserved_peering_ranges=[psa_range.name],
            deletion_policy="REMOVE_PEERING",
            opts=o(),
        )
        self.register_outputs({"network": self.vpc.id, "subnet": self.subnet.id, "privateServicesRange": psa_range.name})
