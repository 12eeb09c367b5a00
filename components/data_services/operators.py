"""A Kubernetes operator installed from its pinned Helm chart, in its own namespace.

The namespace is ours (kube/namespaces.py), not Helm's `createNamespace`, so it carries
the platform's labels and Pod Security levels (enforce baseline, warn/audit restricted: the
charts' pods meet restricted with the values below, but a chart upgrade that regresses should
warn, not take the operator down).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

import kube
from kube.charts import Chart
from kube.helm import release
from kube.namespaces import namespace as make_namespace


def restricted_values(pod_key: str, container_key: str) -> dict[str, Any]:
    """Chart values pinning the restricted profile on an operator pod (chart key names differ)."""
    return {
        pod_key: {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        container_key: kube.camel_keys(kube.container_security(read_only_root=True)),
    }


def install_operator(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    *,
    name: str,
    namespace: str,
    chart: Chart,
    values: Mapping[str, Any],
    environment: str,
    depends_on: Sequence[pulumi.Resource] = (),
) -> k8s.helm.v3.Release:
    ns = make_namespace(namespace, provider=provider, parent=parent, environment=environment, depends_on=depends_on)
    return release(name, chart=chart, namespace=ns.metadata["name"], values=values, provider=provider, parent=parent, depends_on=[ns])
