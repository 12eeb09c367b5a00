"""The seed's two namespaces with standard and Pod Security admission labels.

`data-platform` (applications) and `data-storage` (data services). Both *enforce* the
`baseline` Pod Security level and *warn/audit* at `restricted`: every pod this program writes
meets `restricted`, but upstream charts (Airbyte's job pods) and operators are not all
guaranteed to, and a rejected pod is worse than a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from .kube import MANAGED_BY, PART_OF

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


class Namespaces(pulumi.ComponentResource):
    apps: k8s.core.v1.Namespace
    storage: k8s.core.v1.Namespace

    def __init__(self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:Namespaces", name, None, opts)
        made = {}
        for ns in (APPS, STORAGE):
            made[ns] = k8s.core.v1.Namespace(
                ns,
                metadata={
                    "name": ns,
                    "labels": {
                        "kubernetes.io/metadata.name": ns,
                        "app.kubernetes.io/part-of": PART_OF,
                        "app.kubernetes.io/managed-by": MANAGED_BY,
                        "data-platform/environment": args.environment,
                        "pod-security.kubernetes.io/enforce": args.enforce,
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/warn": args.warn,
                        "pod-security.kubernetes.io/warn-version": "latest",
                        "pod-security.kubernetes.io/audit": args.warn,
                        "pod-security.kubernetes.io/audit-version": "latest",
                    },
                },
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider),
            )
        self.apps = made[APPS]
        self.storage = made[STORAGE]
        self.register_outputs({"apps": self.apps.metadata["name"], "storage": self.storage.metadata["name"]})
