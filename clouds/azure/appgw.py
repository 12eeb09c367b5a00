"""The seed's Application Gateway (WAF_v2) in front of the edge (`azure.loadBalancer: appgw`).

Built by Pulumi, not by an in-cluster controller (README, design section): the public IP, the
WAF policy, the gateway's identity and its Key Vault access exist with the foundation; the
gateway itself is the `L7Frontend` the platform's Edge builds once Traefik's release exists,
for that Gateway's hosts (`appgw_config.py` has its listeners, rules and probes). The edge's
controller Service is an internal Standard Load Balancer on a fixed address of the `ingress`
subnet, which is the gateway's only backend. Access and firewall logs go to Log Analytics.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.network as network

from foundation import EdgeBackend, L7Frontend

from . import appgw_config
from .common import KEY_VAULT_SECRETS_USER, Context, role_assignment

COMPONENT = "app-gateway"
UPLOAD_LIMIT_MB = 525
"""The WAF's multipart file-upload limit: at least the seed's 500 MiB (524.3 MB) whichever unit
Azure's "MB" means, so a body Traefik's 500 MiB Middleware accepts is never refused first."""
LOG_CATEGORIES = ("ApplicationGatewayAccessLog", "ApplicationGatewayFirewallLog")


@dataclass(frozen=True)
class AppGatewayArgs:
    ctx: Context
    subnet_id: pulumi.Input[str]
    zones: tuple[str, ...]
    backend_ip: str
    certificate_secret_id: str
    certificate_vault_id: str
    min_capacity: int
    max_capacity: int
    workspace_id: pulumi.Input[str]


class AppGateway(pulumi.ComponentResource):
    """Public IP, WAF policy, identity (Key Vault Secrets User on the certificate's vault); the
    gateway comes from `frontend()` when the platform builds its edge."""

    public_ip: network.PublicIPAddress
    waf: network.WebApplicationFirewallPolicy

    def __init__(self, name: str, args: AppGatewayArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:AppGateway", name, None, opts)
        self._args = args
        ctx, rg, p = args.ctx, args.ctx.resource_group, args.ctx.prefix
        self.public_ip = network.PublicIPAddress(
            f"{p}-appgw", resource_group_name=rg, public_ip_address_name=f"{p}-appgw", sku={"name": "Standard", "tier": "Regional"},
            public_ip_allocation_method="Static", zones=list(args.zones), tags=ctx.tags(COMPONENT), opts=ctx.opts(self),
        )
        self.waf = network.WebApplicationFirewallPolicy(
            f"{p}-waf", resource_group_name=rg, policy_name=f"{p}-waf", policy_settings=appgw_config.waf_policy_settings(UPLOAD_LIMIT_MB),
            managed_rules={"managed_rule_sets": appgw_config.MANAGED_RULE_SETS}, tags=ctx.tags(COMPONENT), opts=ctx.opts(self),
        )
        self.identity = managedidentity.UserAssignedIdentity(f"{p}-appgw", resource_group_name=rg, resource_name_=f"{p}-appgw",
                                                             tags=ctx.tags(COMPONENT), opts=ctx.opts(self))
        # The listener certificate is read from Key Vault by this identity (RBAC vault).
        self.vault_access = role_assignment(ctx, self, f"{p}-appgw-certificate-reader", principal_id=self.identity.principal_id,
                                            role=KEY_VAULT_SECRETS_USER, scope=args.certificate_vault_id)
        self.address = self.public_ip.ip_address
        self.register_outputs({"publicIp": self.address})

    def frontend(self) -> L7Frontend:
        return L7Frontend(build=self._build)

    def _build(self, name: str, backend: EdgeBackend, opts: pulumi.ResourceOptions) -> dict[str, pulumi.Resource]:
        """The gateway for `backend`'s hosts, after the controller's release (`opts.depends_on`)."""
        a, ctx = self._args, self._args.ctx
        gw_name = f"{ctx.prefix}-appgw"
        gateway_id = pulumi.Output.all(ctx.subscription_id, ctx.resource_group).apply(
            lambda v: f"/subscriptions/{v[0]}/resourceGroups/{v[1]}/providers/Microsoft.Network/applicationGateways/{gw_name}")
        props = pulumi.Output.all(gateway_id, a.subnet_id, self.public_ip.id).apply(lambda v: appgw_config.gateway_properties(
            v[0], hosts=backend.hosts, backend_address=a.backend_ip, https_port=backend.https_port, http_port=80,
            subnet_id=v[1], public_ip_id=v[2], certificate_secret_id=a.certificate_secret_id))
        gateway = network.ApplicationGateway(
            gw_name, resource_group_name=ctx.resource_group, application_gateway_name=gw_name,
            sku={"name": "WAF_v2", "tier": "WAF_v2"},
            autoscale_configuration={"min_capacity": a.min_capacity, "max_capacity": a.max_capacity},
            zones=list(a.zones),
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            firewall_policy={"id": self.waf.id}, force_firewall_policy_association=True, enable_http2=True,
            gateway_ip_configurations=props.apply(lambda d: d["gateway_ip_configurations"]),
            frontend_ip_configurations=props.apply(lambda d: d["frontend_ip_configurations"]),
            frontend_ports=props.apply(lambda d: d["frontend_ports"]),
            ssl_certificates=props.apply(lambda d: d["ssl_certificates"]),
            ssl_policy=props.apply(lambda d: d["ssl_policy"]),
            backend_address_pools=props.apply(lambda d: d["backend_address_pools"]),
            backend_http_settings_collection=props.apply(lambda d: d["backend_http_settings_collection"]),
            probes=props.apply(lambda d: d["probes"]),
            http_listeners=props.apply(lambda d: d["http_listeners"]),
            redirect_configurations=props.apply(lambda d: d["redirect_configurations"]),
            url_path_maps=props.apply(lambda d: d["url_path_maps"]),
            request_routing_rules=props.apply(lambda d: d["request_routing_rules"]),
            tags=ctx.tags(COMPONENT),
            opts=ctx.opts(self, depends_on=[self.vault_access, *_dependencies(opts)]),
        )
        diagnostics = monitor.DiagnosticSetting(
            f"{gw_name}-diagnostics", name=f"{gw_name}-to-logs", resource_uri=gateway.id, workspace_id=a.workspace_id,
            logs=[{"category": c, "enabled": True} for c in LOG_CATEGORIES], opts=ctx.opts(self))
        return {"gateway": gateway, "diagnostics": diagnostics}


def _dependencies(opts: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    """The resources `opts` depends on (the Edge passes plain resources, never an Output of them)."""
    deps = opts.depends_on
    if deps is None:
        return []
    listed = list(deps) if isinstance(deps, (list, tuple)) else [deps]
    resources = [d for d in listed if isinstance(d, pulumi.Resource)]
    if len(resources) != len(listed):
        raise TypeError("the L7 front's depends_on must list resources, not Outputs or awaitables of them")
    return resources
