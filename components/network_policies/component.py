"""The NetworkPolicies ComponentResource: registers the planned policies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

import kube

from ..context import PlatformContext
from .model import Policy, Topology
from .plan import plan_policies
from .render import manifest_spec


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    topology: Topology
    depends_on: Sequence[pulumi.Resource] = ()


class NetworkPolicies(pulumi.ComponentResource):
    policies: list[Policy]

    def __init__(self, name: str, args: NetworkPoliciesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:platform:NetworkPolicies", name, None, opts)
        self.policies = plan_policies(args.topology)
        child = kube.child(self, args.ctx.provider, depends_on=list(args.depends_on))
        self.resources = [
            k8s.networking.v1.NetworkPolicy(
                f"{p.namespace}-{p.name}",
                metadata={"name": p.name, "namespace": p.namespace, "labels": kube.labels("network-policy", p.name)},
                spec=manifest_spec(p),
                opts=child,
            )
            for p in self.policies
        ]
        self.register_outputs({"policies": [f"{p.namespace}/{p.name}" for p in self.policies]})
