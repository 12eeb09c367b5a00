"""The labels every Kubernetes object of the platform carries, written once.

- `labels()`: the Kubernetes recommended labels plus the seed's `app:` label (its
  NetworkPolicies select on `app`).
- `selector()`: the stable subset of them a selector may use.
- `owned_labels()`: part-of + managed-by, for the cluster-scoped objects the clouds create
  (StorageClasses, ClusterSecretStores, ...).
"""

from __future__ import annotations

from typing import Optional

PART_OF = "data-platform"
MANAGED_BY = "pulumi"


def owned_labels() -> dict[str, str]:
    """`app.kubernetes.io/part-of` and `managed-by`: what says an object is the program's."""
    return {"app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": MANAGED_BY}


def labels(app: str, component: Optional[str] = None, *, instance: Optional[str] = None) -> dict[str, str]:
    """Selector-safe labels for `app` (e.g. dremio) and its `component` (e.g. executor)."""
    out = {
        "app": app,
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": instance or app,
        **owned_labels(),
    }
    if component:
        out["app.kubernetes.io/component"] = component
    return out


def selector(app: str, component: Optional[str] = None) -> dict[str, str]:
    """The stable subset of `labels()` used in selectors (never changes after creation)."""
    out = {"app.kubernetes.io/name": app, "app.kubernetes.io/instance": app}
    if component:
        out["app.kubernetes.io/component"] = component
    return out
