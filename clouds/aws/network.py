"""Network: the seed's VPC (10.0.0.0/16) over N AZs with four subnet tiers, NAT, endpoints, flow logs.

- public (ALB/NLB, NAT gateways): route to the internet gateway, tagged `kubernetes.io/role/elb`.
- nodes (EKS nodes and pods): default route through a NAT gateway (one per AZ, or one in all),
  tagged `kubernetes.io/role/internal-elb`.
- database (RDS): no route out of the VPC at all.
- endpoints (interface VPC endpoints): ECR, STS, CloudWatch Logs, Secrets Manager, so image
  pulls, IRSA and secret reads stay off the NAT.
The S3 gateway endpoint (the seed's) is on the node route tables. The default security group
is emptied (no rules), as CIS AWS 5.4 and terraform-aws-modules/vpc recommend.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.iam as iam
import pulumi_aws.vpc as vpc_mod

from .common import Context, policy, service_trust, tags
from .log_groups import log_group
from .subnets import by_tier, plan_subnets

COMPONENT = "network"


@dataclass(frozen=True)
class NetworkArgs:
    ctx: Context
    cidr: str
    azs: tuple[str, ...]
    """Availability zone names, in order; the subnet plan follows it."""
    nat_per_az: bool
    """One NAT gateway per AZ (prod: an AZ outage does not cut the others off) or a single one."""
    cluster_name: str
    """Written in the subnets' `kubernetes.io/cluster/<name>` tag."""
    interface_endpoints: tuple[str, ...]
    flow_logs: bool
    log_retention_days: int


class Network(pulumi.ComponentResource):
    vpc: ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]
    node_subnet_ids: list[pulumi.Output[str]]
    database_subnet_ids: list[pulumi.Output[str]]
    endpoint_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:Network", name, None, opts)
        ctx, p = args.ctx, args.ctx.prefix
        plan = plan_subnets(args.cidr, len(args.azs))
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731

        self.vpc = ec2.Vpc(f"{p}-vpc", cidr_block=args.cidr, enable_dns_hostnames=True, enable_dns_support=True, tags=tags(COMPONENT, f"{p}-vpc"), opts=o())
        vpc_id = self.vpc.id
        # Lock down the default security group: no ingress, no egress.
        ec2.DefaultSecurityGroup(f"{p}-default-sg", vpc_id=vpc_id, ingress=[], egress=[], tags=tags(COMPONENT, f"{p}-default-locked"), opts=o())
        igw = ec2.InternetGateway(f"{p}-igw", vpc_id=vpc_id, tags=tags(COMPONENT, f"{p}-igw"), opts=o())

        cluster_tag = {f"kubernetes.io/cluster/{args.cluster_name}": "shared"} if args.cluster_name else {}
        tier_tags = {
            "public": {"kubernetes.io/role/elb": "1", **cluster_tag},
            "nodes": {"kubernetes.io/role/internal-elb": "1", **cluster_tag},
            "database": {},
            "endpoints": {},
        }
        subnets: dict[str, list[ec2.Subnet]] = {}
        for tier in ("public", "nodes", "database", "endpoints"):
            subnets[tier] = [
                ec2.Subnet(
                    f"{p}-{tier}-{az}",
                    vpc_id=vpc_id,
                    cidr_block=cidr,
                    availability_zone=az,
                    map_public_ip_on_launch=False,
                    tags=tags(COMPONENT, f"{p}-{tier}-{az}", {"tier": tier, **tier_tags[tier]}),
                    opts=o(),
                )
                for az, cidr in zip(args.azs, by_tier(plan, tier))
            ]

        # Public route table: default route to the internet gateway.
        public_rt = ec2.RouteTable(f"{p}-public-rt", vpc_id=vpc_id, tags=tags(COMPONENT, f"{p}-public"), opts=o())
        ec2.Route(f"{p}-public-default", route_table_id=public_rt.id, destination_cidr_block="0.0.0.0/0", gateway_id=igw.id, opts=o())
        for az, s in zip(args.azs, subnets["public"]):
            ec2.RouteTableAssociation(f"{p}-public-{az}", subnet_id=s.id, route_table_id=public_rt.id, opts=o())

        # NAT gateways in the public subnets.
        nat_azs = args.azs if args.nat_per_az else args.azs[:1]
        nats = []
        for az, s in zip(nat_azs, subnets["public"]):
            eip = ec2.Eip(f"{p}-nat-{az}", domain="vpc", tags=tags(COMPONENT, f"{p}-nat-{az}"), opts=o())
            nats.append(ec2.NatGateway(f"{p}-nat-{az}", allocation_id=eip.id, subnet_id=s.id, tags=tags(COMPONENT, f"{p}-nat-{az}"), opts=o(depends_on=[igw])))

        # Private route tables, one per AZ: nodes and endpoints go out through their AZ's NAT.
        self.private_route_tables = []
        for i, az in enumerate(args.azs):
            rt = ec2.RouteTable(f"{p}-private-{az}", vpc_id=vpc_id, tags=tags(COMPONENT, f"{p}-private-{az}"), opts=o())
            nat = nats[i] if args.nat_per_az else nats[0]
            ec2.Route(f"{p}-private-{az}-default", route_table_id=rt.id, destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id, opts=o())
            ec2.RouteTableAssociation(f"{p}-nodes-{az}", subnet_id=subnets["nodes"][i].id, route_table_id=rt.id, opts=o())
            ec2.RouteTableAssociation(f"{p}-endpoints-{az}", subnet_id=subnets["endpoints"][i].id, route_table_id=rt.id, opts=o())
            self.private_route_tables.append(rt)

        # Database route table: local routes only.
        db_rt = ec2.RouteTable(f"{p}-database-rt", vpc_id=vpc_id, tags=tags(COMPONENT, f"{p}-database"), opts=o())
        for az, s in zip(args.azs, subnets["database"]):
            ec2.RouteTableAssociation(f"{p}-database-{az}", subnet_id=s.id, route_table_id=db_rt.id, opts=o())

        # The seed's S3 gateway endpoint (free; keeps data-lake traffic off the NAT).
        self.s3_endpoint = ec2.VpcEndpoint(
            f"{p}-s3",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{ctx.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[rt.id for rt in self.private_route_tables],
            tags=tags(COMPONENT, f"{p}-s3"),
            opts=o(),
        )
        # Interface endpoints, reachable on 443 from inside the VPC only.
        self.endpoint_sg = ec2.SecurityGroup(f"{p}-endpoints", vpc_id=vpc_id, description="Interface VPC endpoints: HTTPS from the VPC", tags=tags(COMPONENT, f"{p}-endpoints"), opts=o())
        vpc_mod.SecurityGroupIngressRule(f"{p}-endpoints-https", security_group_id=self.endpoint_sg.id, ip_protocol="tcp", from_port=443, to_port=443, cidr_ipv4=args.cidr, description="HTTPS from the VPC", opts=o())
        self.interface_endpoints = {
            svc: ec2.VpcEndpoint(
                f"{p}-{svc.replace('.', '-')}",
                vpc_id=vpc_id,
                service_name=f"com.amazonaws.{ctx.region}.{svc}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in subnets["endpoints"]],
                security_group_ids=[self.endpoint_sg.id],
                tags=tags(COMPONENT, f"{p}-{svc}"),
                opts=o(),
            )
            for svc in args.interface_endpoints
        }

        if args.flow_logs:
            group = log_group(ctx, self, f"{p}-flow-logs", f"/aws/vpc/{p}-flow-logs", args.log_retention_days, COMPONENT)
            role = iam.Role(f"{p}-flow-logs", assume_role_policy=service_trust("vpc-flow-logs.amazonaws.com"), tags=tags(COMPONENT, f"{p}-flow-logs"), opts=o())
            iam.RolePolicy(
                f"{p}-flow-logs",
                role=role.id,
                policy=policy([{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], "Resource": group.arn.apply(lambda a: f"{a}:*")}]),
                opts=o(),
            )
            self.flow_log = ec2.FlowLog(
                f"{p}-vpc",
                vpc_id=vpc_id,
                traffic_type="ALL",
                log_destination_type="cloud-watch-logs",
                log_destination=group.arn,
                iam_role_arn=role.arn,
                max_aggregation_interval=60,
                tags=tags(COMPONENT, f"{p}-flow-logs"),
                opts=o(),
            )

        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.node_subnet_ids = [s.id for s in subnets["nodes"]]
        self.database_subnet_ids = [s.id for s in subnets["database"]]
        self.endpoint_subnet_ids = [s.id for s in subnets["endpoints"]]
        self.nat_gateways = nats
        self.register_outputs(
            {
                "vpcId": vpc_id,
                "publicSubnetIds": self.public_subnet_ids,
                "nodeSubnetIds": self.node_subnet_ids,
                "databaseSubnetIds": self.database_subnet_ids,
                "endpointSubnetIds": self.endpoint_subnet_ids,
            }
        )
