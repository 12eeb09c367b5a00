"""Helm releases: the pack sees the Release resource, not what the chart renders.

The chart's pods, RBAC and Services are created by the provider from the chart at deploy time
and never reach a policy as resources, so the pod and secret policies can't check them: this
policy pins what can be checked (the chart version), and the chart values are reviewed where
the program sets them (its component tests), not here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .model import MANDATORY, UNKNOWN, Context, Resource, resource_rule

RELEASE = "kubernetes:helm.sh/v3:Release"
EXACT_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")


@resource_rule(
    "helm-chart-pinned", "Helm releases pin an exact chart version from an HTTPS or OCI repository.", MANDATORY,
    "Without an exact version a `pulumi up` installs whatever the repository serves that day. "
    "The pack cannot check what the chart renders (pods, RBAC) - only the release.",
)
def helm_chart_pinned(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type != RELEASE:
        return
    version = r.props.get("version")
    if version != UNKNOWN and not (isinstance(version, str) and EXACT_VERSION.match(version)):
        yield f"{r.name}: chart version {version!r} is not an exact version"
    repo = (r.props.get("repositoryOpts") or {}).get("repo") or ""
    chart = r.props.get("chart") or ""
    source = chart if str(chart).startswith("oci://") else repo
    if source and source != UNKNOWN and not str(source).startswith(("https://", "oci://")):
        yield f"{r.name}: chart source {source} is neither https:// nor oci://"
