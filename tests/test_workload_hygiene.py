"""Every pod this program writes: requests and limits, probes, restricted security context.

Checked over the rendered manifests of every stack, so a new workload can't forget one.
(Pods created by operators or Helm charts are the charts' business and are checked in their
own component tests where we set the values.)
"""

from __future__ import annotations

import pytest

from conftest import stack_names
from offline_plan import manifests

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}


def pod_spec(obj):
    spec = obj["spec"]
    if obj["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def workloads(result):
    for obj in manifests.objects(result):
        if obj["kind"] in WORKLOADS:
            yield f"{obj['kind']} {obj['metadata'].get('namespace')}/{obj['metadata']['name']}", obj


@pytest.mark.parametrize("stack", stack_names())
def test_every_container_has_requests_limits_and_restricted_security(plan_stack, stack):
    problems = []
    for ident, obj in workloads(plan_stack(stack)):
        spec = pod_spec(obj)
        psc = spec.get("securityContext") or {}
        if psc.get("runAsNonRoot") is not True:
            problems.append(f"{ident}: pod runAsNonRoot")
        if (psc.get("seccompProfile") or {}).get("type") != "RuntimeDefault":
            problems.append(f"{ident}: pod seccompProfile")
        for c in spec.get("initContainers", []) + spec["containers"]:
            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    if r not in (res.get(part) or {}):
                        problems.append(f"{ident}/{c['name']}: {part}.{r}")
            sc = c.get("securityContext") or {}
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{ident}/{c['name']}: allowPrivilegeEscalation")
            if (sc.get("capabilities") or {}).get("drop") != ["ALL"]:
                problems.append(f"{ident}/{c['name']}: capabilities.drop ALL")
            if sc.get("privileged"):
                problems.append(f"{ident}/{c['name']}: privileged")
    assert problems == []


@pytest.mark.parametrize("stack", stack_names())
def test_long_running_containers_have_liveness_and_readiness_probes(plan_stack, stack):
    problems = []
    for ident, obj in workloads(plan_stack(stack)):
        if obj["kind"] in ("Job", "CronJob"):
            continue
        for c in pod_spec(obj)["containers"]:
            for probe in ("livenessProbe", "readinessProbe"):
                if probe not in c:
                    problems.append(f"{ident}/{c['name']}: {probe}")
    assert problems == []


@pytest.mark.parametrize("stack", stack_names())
def test_images_are_pinned(plan_stack, stack):
    for ident, obj in workloads(plan_stack(stack)):
        spec = pod_spec(obj)
        for c in spec.get("initContainers", []) + spec["containers"]:
            image = c["image"]
            assert (":" in image.rsplit("/", 1)[-1] or "@sha256:" in image) and not image.endswith(":latest"), f"{ident}: {image}"
