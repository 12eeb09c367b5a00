"""Every namespace the program creates, with standard and Pod Security admission labels: the
seed's two, the operators', the edge's, observability's and the clouds' (External Secrets).

The seed's two are `data-platform` (applications) and `data-storage` (data services). Both *enforce* the
`baseline` Pod Security level and *warn/audit* at `restricted`: every pod this program writes
meets `restricted`, but upstream charts (Airbyte's job pods) and operators are not all
guaranteed to, and a rejected pod is worse than a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from .metadata import owned_labels
from .security import pod_security_labels

APPS = "data-platform"
STORAGE = "data-storage"


@dataclass(frozen=True)
class NamespacesArgs:
    provider: k8s.Provider
    environment: str
    enforce: str = "baseline"
    """Pod Security level enforced (privileged | baseline | restricted)."""
    warn: str = "restricted"
    """Pod Security level warned about and audited."""


def namespace(
    name: str,
    *,
    provider: pulumi.ProviderResource,
    parent: pulumi.Resource,
    environment: str,
    enforce: str = "baseline",
    warn: str = "restricted",
    depends_on: Sequence[pulumi.Resource] = (),
) -> k8s.core.v1.Namespace:
    """A namespace with the platform's labels and Pod Security admission levels (every namespace
    the program creates — the two of the seed, operators', ingress, observability — is made here)."""
    return k8s.core.v1.Namespace(
        name,
        metadata={
            "name": name,
            "labels": {
                "kubernetes.io/metadata.name": name,
                **owned_labels(),
                "data-platform/environment": environment,
                **pod_security_labels(enforce, warn),
            },
        },
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )


class Namespaces(pulumi.ComponentResource):
    apps: k8s.core.v1.Namespace
    storage: k8s.core.v1.Namespace

    def __init__(self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:Namespaces", name, None, opts)
        self.apps, self.storage = (
            namespace(ns, provider=args.provider, parent=self, environment=args.environment, enforce=args.enforce, warn=args.warn)
            for ns in (APPS, STORAGE)
        )
        self.register_outputs({"apps": self.apps.metadata["name"], "storage": self.storage.metadata["name"]})
