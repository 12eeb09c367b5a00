"""ACR: the platform's private registry (Premium: private endpoint, zone redundancy, retention).

Admin user off, anonymous pull off, no public network access, untagged manifests purged after
`acrUntaggedRetentionDays` (the seed's ECR rule), AcrPull for the kubelet identity only, and its
login and repository events in Log Analytics (diagnostic settings).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.containerregistry as containerregistry
import pulumi_azure_native.monitor as monitor

from .common import ACR_PULL, Context, role_assignment
from .network import Network

COMPONENT = "registry"
LOG_CATEGORIES = ("ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents")


@dataclass(frozen=True)
class RegistryArgs:
    ctx: Context
    network: Network
    kubelet_object_id: pulumi.Input[str]
    untagged_retention_days: int
    zone_redundant: bool
    workspace_id: pulumi.Input[str]


class Registry(pulumi.ComponentResource):
    registry: containerregistry.Registry
    login_server: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:Registry", name, None, opts)
        ctx = args.ctx
        self.registry = containerregistry.Registry(
            f"{ctx.prefix}-acr",
            resource_group_name=ctx.resource_group,
            registry_name=ctx.unique_name("acr", max_len=50, dashes=False),
            sku={"name": "Premium"},
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled",
            network_rule_bypass_options="AzureServices",
            zone_redundancy="Enabled" if args.zone_redundant else "Disabled",
            data_endpoint_enabled=True,
            policies={"retention_policy": {"days": args.untagged_retention_days, "status": "enabled"}},
            tags=ctx.tags(COMPONENT),
            opts=ctx.opts(self, stateful=True),
        )
        ctx.lock(self, f"{ctx.prefix}-acr", self.registry.id)
        args.network.private_endpoint(self, "acr", self.registry.id, "registry")
        # Azure Monitor: who logged in, what was pushed, pulled and deleted.
        monitor.DiagnosticSetting(f"{ctx.prefix}-acr-diagnostics", name=f"{ctx.prefix}-acr-to-logs", resource_uri=self.registry.id,
                                  workspace_id=args.workspace_id, logs=[{"category": c, "enabled": True} for c in LOG_CATEGORIES],
                                  opts=ctx.opts(self))
        role_assignment(ctx, self, f"{ctx.prefix}-kubelet-acr-pull", principal_id=args.kubelet_object_id, role=ACR_PULL, scope=self.registry.id)
        self.login_server = self.registry.login_server
        self.register_outputs({"loginServer": self.login_server})
