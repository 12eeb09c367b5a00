"""Every pod template the program registers (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
CronJob, Pod): restricted security context, requests and limits, probes on long-running
containers, pinned images.

Pods rendered by a Helm chart or created by an operator are not registered resources: the pack
sees only the `Release` or the custom resource, so their pods are the chart's business (see
`helm-chart-pinned`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .model import MANDATORY, UNKNOWN, Context, Resource, resource_rule

WORKLOADS = {
    "kubernetes:apps/v1:Deployment": "long", "kubernetes:apps/v1:StatefulSet": "long",
    "kubernetes:apps/v1:DaemonSet": "long", "kubernetes:apps/v1:ReplicaSet": "long",
    "kubernetes:batch/v1:Job": "batch", "kubernetes:batch/v1:CronJob": "batch", "kubernetes:core/v1:Pod": "pod",
}
ALLOWED_ADDED_CAPABILITIES = {"NET_BIND_SERVICE"}  # the only one Pod Security "restricted" allows


def pod_spec(r: Resource) -> dict[str, Any] | None:
    if r.type not in WORKLOADS:
        return None
    spec = r.props.get("spec") or {}
    if r.type == "kubernetes:core/v1:Pod":
        return spec
    if r.type == "kubernetes:batch/v1:CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or None


def long_running(r: Resource, spec: dict[str, Any]) -> bool:
    kind = WORKLOADS[r.type]
    return kind == "long" or (kind == "pod" and spec.get("restartPolicy", "Always") == "Always")


def containers(spec: dict[str, Any], *, init: bool = True) -> Iterator[dict[str, Any]]:
    for c in (spec.get("initContainers") or []) if init else []:
        if isinstance(c, dict):
            yield c
    for c in spec.get("containers") or []:
        if isinstance(c, dict):
            yield c


def _where(r: Resource, c: dict[str, Any]) -> str:
    return f"{r.name}/{c.get('name', '?')}"


@resource_rule(
    "pod-security-restricted",
    "Pods run as non-root with RuntimeDefault seccomp; containers drop ALL capabilities, can't escalate and aren't privileged.", MANDATORY,
    "The Pod Security 'restricted' profile: a compromised process stays an unprivileged user in its container.",
)
def pod_security_restricted(r: Resource, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    if spec is None:
        return
    psc = spec.get("securityContext") or {}
    if psc.get("runAsUser") == 0:
        yield f"{r.name}: pod runAsUser 0"
    seccomp = (psc.get("seccompProfile") or {}).get("type")
    for c in containers(spec):
        sc = c.get("securityContext") or {}
        where = _where(r, c)
        if sc.get("runAsNonRoot") is not True and not (psc.get("runAsNonRoot") is True and sc.get("runAsNonRoot") is None):
            yield f"{where}: runAsNonRoot is not true (pod or container)"
        if sc.get("runAsUser") == 0:
            yield f"{where}: runAsUser 0"
        if sc.get("allowPrivilegeEscalation") is not False:
            yield f"{where}: allowPrivilegeEscalation is not false"
        if sc.get("privileged") is True:
            yield f"{where}: privileged"
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            yield f"{where}: capabilities.drop does not contain ALL"
        added = set(caps.get("add") or []) - ALLOWED_ADDED_CAPABILITIES
        if added:
            yield f"{where}: adds capabilities {sorted(added)}"
        if (sc.get("seccompProfile") or {}).get("type", seccomp) not in ("RuntimeDefault", "Localhost"):
            yield f"{where}: seccompProfile is not RuntimeDefault or Localhost"


@resource_rule(
    "pod-resources", "Every container sets CPU and memory requests and limits.", MANDATORY,
    "Requests let the scheduler place pods and the cost estimate count them; limits stop one pod starving its node.",
    properties={
        "requests": {"type": "array", "items": {"type": "string"}, "default": ["cpu", "memory"], "description": "Resources every container must request."},
        "limits": {"type": "array", "items": {"type": "string"}, "default": ["cpu", "memory"], "description": "Resources every container must limit."},
    },
)
def pod_resources(r: Resource, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    if spec is None:
        return
    for c in containers(spec):
        res = c.get("resources") or {}
        if res == UNKNOWN:
            continue
        for part in ("requests", "limits"):
            missing = [k for k in ctx.config.get(part, ["cpu", "memory"]) if k not in (res.get(part) or {})]
            if missing:
                yield f"{_where(r, c)}: no {part} for {', '.join(missing)}"


@resource_rule(
    "pod-probes", "Long-running containers (not Jobs) have readiness and liveness probes.", MANDATORY,
    "Without readiness a rollout sends traffic to pods not ready; without liveness a hung process is never restarted.",
)
def pod_probes(r: Resource, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    if spec is None or not long_running(r, spec):
        return
    for c in containers(spec, init=False):
        missing = [p for p in ("readinessProbe", "livenessProbe") if not c.get(p)]
        if missing:
            yield f"{_where(r, c)}: no {' or '.join(missing)}"


_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def image_pinned(image: str) -> bool:
    """A digest, or a tag other than `latest` (a registry port is not a tag)."""
    if _DIGEST.search(image):
        return True
    last = image.rsplit("/", 1)[-1]
    return ":" in last and last.rsplit(":", 1)[1] not in ("", "latest")


@resource_rule(
    "images-pinned", "Every container image is pinned by tag (not `latest`) or digest.", MANDATORY,
    "An unpinned image changes under the stack without a diff: rollbacks and audits stop meaning anything.",
)
def images_pinned(r: Resource, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    if spec is None:
        return
    for c in containers(spec):
        image = c.get("image")
        if isinstance(image, str) and image != UNKNOWN and not image_pinned(image):
            yield f"{_where(r, c)}: image {image} is not pinned to a tag or digest"
