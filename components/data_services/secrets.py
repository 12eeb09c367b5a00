"""Generated credentials: a `pulumi_random` value kept in the cloud's secret manager (synced by
External Secrets) or, without one, only in Kubernetes Secrets (components/secrets.py).

Pulumi marks `RandomPassword.result` and Secret data as secret, so neither the state, the plan
nor the outputs carry the plaintext. Passwords have no special characters: they end up in
connection URLs (`MC_HOST_*`, JDBC) where quoting rules differ per client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_random as random

from ..context import PlatformContext
from ..secrets import PlatformSecret, platform_secret


def generated(name: str, parent: pulumi.Resource, length: int = 32) -> pulumi.Output[str]:
    """A random alphanumeric credential (secret Output)."""
    pw = random.RandomPassword(name, length=length, special=False, opts=pulumi.ResourceOptions(parent=parent))
    return pw.result


def secret(
    name: str,
    namespace: str,
    data: Mapping[str, pulumi.Input[str]],
    *,
    parent: pulumi.Resource,
    ctx: PlatformContext,
    labels: Mapping[str, str],
    type_: str = "Opaque",
    depends_on: tuple[pulumi.Resource, ...] = (),
    resource_name: Optional[str] = None,
) -> PlatformSecret:
    """A Secret named `name` in `namespace` holding `data` (string values), on `ctx`'s cluster and
    through its secret store when the Foundation has one (components/secrets.py)."""
    return platform_secret(name, namespace, data, ctx.secret_store, parent=parent, provider=ctx.provider,
                           labels=labels, type_=type_, depends_on=depends_on, resource_name=resource_name)
