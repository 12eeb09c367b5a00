"""The observability namespaces, labelled like the platform's own.

Both need host access, so both *enforce* the `privileged` Pod Security level (and warn/audit at
`baseline`, so anything else that drifts is still reported):

- `monitoring`: prometheus-node-exporter (a kube-prometheus-stack subchart) uses the host's
  network and PID namespaces and mounts `/`, `/proc` and `/sys` read-only to report node CPU,
  memory, disk and network;
- `logging`: Fluent Bit mounts the node's `/var/log` (read-only) to tail container logs, and a
  dedicated `/var/lib/fluent-bit` for its read positions and buffer.

Nothing else runs in them; the platform namespaces keep enforcing `baseline`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from .. import kube

MONITORING = "monitoring"
LOGGING = "logging"


def namespace(name: str, parent: pulumi.Resource, provider: k8s.Provider, environment: str,
              depends_on: Sequence[pulumi.Resource] = ()) -> k8s.core.v1.Namespace:
    return k8s.core.v1.Namespace(
        name,
        metadata={"name": name, "labels": {
            "kubernetes.io/metadata.name": name,
            "app.kubernetes.io/part-of": kube.PART_OF,
            "app.kubernetes.io/managed-by": kube.MANAGED_BY,
            "data-platform/environment": environment,
            **kube.pod_security_labels("privileged", "baseline"),
        }},
        opts=kube.child(parent, provider, depends_on=depends_on),
    )
