"""DataPlatform: everything that runs on Kubernetes, laid on any cloud's Foundation.

Order (each layer consumes the typed result of the one before, never a hard-coded name):
namespaces -> data services (PostgreSQL, MinIO, Elasticsearch) -> applications (Dremio,
Airbyte, Superset, dbt) -> ingress/TLS -> network policies.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from foundation import Foundation
from settings import Settings

from .namespaces import Namespaces, NamespacesArgs


@dataclass(frozen=True)
class DataPlatformArgs:
    foundation: Foundation
    settings: Settings


class DataPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: DataPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:DataPlatform", name, None, opts)
        f, s = args.foundation, args.settings
        self.namespaces = Namespaces(
            "namespaces",
            NamespacesArgs(provider=f.provider, environment=s.environment),
            pulumi.ResourceOptions(parent=self, depends_on=list(f.cluster_ready)),
        )
        # --- data services (components/data_services) ---
        # --- end data services ---

        # --- applications (components/apps) ---
        # --- end applications ---

        # --- ingress and TLS (components/ingress.py) ---
        # --- end ingress ---

        # --- network policies (components/network_policies.py) ---
        # --- end network policies ---

        self.outputs: dict[str, pulumi.Input] = {
            "namespaces": [self.namespaces.apps.metadata["name"], self.namespaces.storage.metadata["name"]],
        }
        self.register_outputs(self.outputs)
