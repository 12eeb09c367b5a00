"""Generated credentials: a `pulumi_random` value kept only in Kubernetes Secrets.

Pulumi marks `RandomPassword.result` and Secret data as secret, so neither the state, the plan
nor the outputs carry the plaintext. Passwords have no special characters: they end up in
connection URLs (`MC_HOST_*`, JDBC) where quoting rules differ per client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from .. import kube


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
    provider: pulumi.ProviderResource,
    labels: Mapping[str, str],
    type_: str = "Opaque",
    depends_on: tuple[pulumi.Resource, ...] = (),
    resource_name: Optional[str] = None,
) -> k8s.core.v1.Secret:
    """A Secret named `name` in `namespace` holding `data` (string values)."""
    return k8s.core.v1.Secret(
        resource_name or f"{namespace}-{name}",
        metadata={"name": name, "namespace": namespace, "labels": dict(labels)},
        type=type_,
        string_data=dict(data),
        opts=kube.child(parent, provider, depends_on=depends_on),
    )
