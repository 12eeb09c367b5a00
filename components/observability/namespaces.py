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

from kube.namespaces import namespace as make_namespace

MONITORING = "monitoring"
LOGGING = "logging"


def namespace(name: str, parent: pulumi.Resource, provider: k8s.Provider, environment: str,
              depends_on: Sequence[pulumi.Resource] = ()) -> k8s.core.v1.Namespace:
    """`monitoring` or `logging`: enforce privileged, warn/audit baseline (see above)."""
    return make_namespace(name, provider=provider, parent=parent, environment=environment,
                          enforce="privileged", warn="baseline", depends_on=depends_on)
