"""PlatformContext: the values every component of one stack shares, built once by DataPlatform.

Each component's Args takes `ctx` instead of restating the cluster's provider, the environment,
the domain, `protect`, the storage roles, the workload identities and the secret store as loose
fields; the Args keep only what is specific to that component (its settings section, the
producers' results).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi_kubernetes as k8s

from foundation import Foundation, InterruptiblePool, SecretStore, WorkloadIdentity, identity_of
from settings import Settings

from .storage import StorageRoles


@dataclass(frozen=True)
class PlatformContext:
    provider: k8s.Provider
    """The cluster's Kubernetes provider (Foundation.provider): every workload uses it."""
    environment: str
    """dev | staging | prod | dr (settings `environment`): namespace labels, sizing, names."""
    domain: str
    """The platform's DNS domain: UI hosts `<app>.<domain>`, service users' e-mail addresses."""
    protect: bool
    """Pulumi `protect` on what holds data (databases, volumes, catalogs)."""
    highly_available: bool
    """Spread replicas across zones as a requirement, not a preference."""
    storage: StorageRoles
    """The seed's `fast-ssd` and `standard` roles resolved to this cloud's StorageClasses."""
    interruptible: Optional[InterruptiblePool] = None
    """Foundation.interruptible: the cloud's reclaimable nodes (None: none)."""
    workload_identities: Mapping[str, WorkloadIdentity] = field(default_factory=dict)
    """Foundation.workload_identity; read it with `identity(app)`."""
    secret_store: Optional[SecretStore] = None
    """Foundation.secret_store: where every platform Secret's values go (components/secrets.py;
    None: plain Kubernetes Secrets). Carried here, not bound to the provider in a module-level
    registry, so a second platform or a test builds its Secrets from the context it was given."""

    @classmethod
    def of(cls, f: Foundation, s: Settings) -> PlatformContext:
        return cls(provider=f.provider, environment=s.environment, domain=s.domain, protect=s.protect,
                   highly_available=s.highly_available, storage=StorageRoles.from_foundation(f.storage_classes),
                   interruptible=f.interruptible, workload_identities=f.workload_identity,
                   secret_store=f.secret_store)

    def identity(self, app: str) -> WorkloadIdentity:
        """`app`'s cloud identity (ServiceAccount annotations, pod labels), or NO_IDENTITY."""
        return identity_of(self.workload_identities, app)
