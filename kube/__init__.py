"""Shared Kubernetes primitives, below both clouds/ and components/ (issue 11 item 1).

Both sides put objects in the same cluster, so the rules those objects share are written once,
here, and neither side imports the other for them:

- `metadata`: the platform's labels and selectors;
- `security`: the restricted Pod Security profile and the namespace admission labels;
- `workloads`: resources, one-shot Job specs, env from Secrets, scheduling, child options;
- `namespaces`: every namespace the program creates (the seed's two included);
- `charts` + `helm`: the one table of pinned charts and the release every chart goes through;
- `external_secrets`: the External Secrets API version and the operator install every cloud shares.

`import kube` gives the workload helpers (`kube.labels`, `kube.child`, ...); the other modules
are imported by name (`from kube import helm`), so importing the package stays light.
"""

from __future__ import annotations

from .metadata import MANAGED_BY, PART_OF, labels, owned_labels, selector
from .security import container_security, pod_security, pod_security_labels
from .workloads import (
    camel_keys,
    child,
    prefer_pool,
    resources,
    script_job_spec,
    secret_env,
    storage_class_name,
    tolerations_for,
)

__all__ = [
    "MANAGED_BY",
    "PART_OF",
    "camel_keys",
    "child",
    "container_security",
    "labels",
    "owned_labels",
    "pod_security",
    "pod_security_labels",
    "prefer_pool",
    "resources",
    "script_job_spec",
    "secret_env",
    "selector",
    "storage_class_name",
    "tolerations_for",
]
