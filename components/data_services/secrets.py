"""Generated credentials: a `pulumi_random` value kept in the cloud's secret manager (synced by
External Secrets) or, without one, only in Kubernetes Secrets (components/secrets.py).

Pulumi marks `RandomPassword.result` and Secret data as secret, so neither the state, the plan
nor the outputs carry the plaintext. Passwords have no special characters: they end up in
connection URLs (`MC_HOST_*`, JDBC) where quoting rules differ per client.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random


def generated(name: str, parent: pulumi.Resource, length: int = 32) -> pulumi.Output[str]:
    """A random alphanumeric credential (secret Output)."""
    pw = random.RandomPassword(name, length=length, special=False, opts=pulumi.ResourceOptions(parent=parent))
    return pw.result
