"""Pinned Helm releases, written once: every chart the program installs goes through `release`
(clouds and components alike), with a chart from the one table (`charts.chart(name)`).

Same behaviour everywhere: the chart's version is pinned, the namespace is created by us (with
labels and Pod Security levels, see `namespaces.namespace`) rather than by Helm, a failed
install or upgrade rolls back (`atomic`) and cleans up, and the history is bounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

from .charts import Chart


def release(
    resource_name: str,
    *,
    chart: Chart,
    namespace: pulumi.Input[str],
    values: pulumi.Input[Mapping[str, Any]],
    provider: pulumi.ProviderResource,
    parent: pulumi.Resource,
    release_name: Optional[str] = None,
    depends_on: Sequence[pulumi.Resource] = (),
    timeout: int = 600,
    atomic: bool = True,
) -> k8s.helm.v3.Release:
    """Install `chart` as `release_name` (default: the resource name) in `namespace`."""
    return k8s.helm.v3.Release(
        resource_name,
        k8s.helm.v3.ReleaseArgs(
            name=release_name or resource_name,
            chart=chart.name,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo),
            namespace=namespace,
            create_namespace=False,
            values=dict(values) if isinstance(values, Mapping) else values,
            atomic=atomic,
            cleanup_on_fail=True,
            max_history=10,
            timeout=timeout,
        ),
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )
