"""A Kubernetes operator installed from its pinned Helm chart, in its own namespace.

The namespace is created here (not by Helm's `createNamespace`) so it carries the platform's
labels and Pod Security admission levels like the two application namespaces (enforce
baseline, warn/audit restricted: the charts' pods meet restricted with the values below, but a
chart upgrade that regresses should warn, not take the operator down).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .. import kube


@dataclass(frozen=True)
class Chart:
    """A pinned chart: where it comes from and which version."""

    name: str
    version: str
    repo: str


CNPG_CHART = Chart("cloudnative-pg", "0.26.1", "https://cloudnative-pg.github.io/charts")
"""CloudNativePG operator 1.27.1: `postgresql.synchronous`, `Database` CRs and in-tree
barman-cloud backups (deprecated upstream in favour of the Barman Cloud plugin, still supported)."""
ECK_CHART = Chart("eck-operator", "2.16.1", "https://helm.elastic.co")
"""Elastic Cloud on Kubernetes 2.16.1: supports Elasticsearch 8.15."""


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
    ns = k8s.core.v1.Namespace(
        namespace,
        metadata={
            "name": namespace,
            "labels": {
                "kubernetes.io/metadata.name": namespace,
                "app.kubernetes.io/part-of": kube.PART_OF,
                "app.kubernetes.io/managed-by": kube.MANAGED_BY,
                "data-platform/environment": environment,
                **kube.pod_security_labels("baseline", "restricted"),
            },
        },
        opts=kube.child(parent, provider, depends_on=depends_on),
    )
    return k8s.helm.v3.Release(
        name,
        k8s.helm.v3.ReleaseArgs(
            name=name,
            chart=chart.name,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo),
            namespace=ns.metadata["name"],
            values=dict(values),
            atomic=True,
            cleanup_on_fail=True,
            max_history=5,
        ),
        opts=kube.child(parent, provider, depends_on=[ns]),
    )
