"""`pulumi up` creates in dependency order, so ordering must be in the graph, not in luck.

- every namespaced object depends (transitively) on its Namespace, when the program creates it;
- every custom resource depends (transitively) on a Helm release, since the CRDs come from
  operator charts (cert-manager, CloudNativePG, ECK, External Secrets, Traefik's Middleware);
- Gateway API objects depend on the program's own CustomResourceDefinitions of their kinds.
Depending on a component means depending on all of its children, as in the engine.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from conftest import stack_names
from offline_plan.manifests import api_version_of

BUILTIN_GROUPS = ("core/", "apps/", "batch/", "policy/", "networking.k8s.io/", "autoscaling/", "rbac.authorization.k8s.io/",
                  "storage.k8s.io/", "scheduling.k8s.io/", "apiextensions.k8s.io/", "admissionregistration.k8s.io/")
RELEASE = "kubernetes:helm.sh/v3:Release"


def closure(result):
    regs = {r.urn: r for r in result.registrations}
    children = defaultdict(list)
    for r in result.registrations:
        children[r.parent].append(r.urn)

    def expand(urn, seen):
        # depending on a component = depending on every descendant
        stack = [urn]
        while stack:
            u = stack.pop()
            if u in seen:
                continue
            seen.add(u)
            stack.extend(children.get(u, []))

    memo: dict[str, set[str]] = {}

    def deps(urn: str) -> set[str]:
        if urn in memo:
            return memo[urn]
        memo[urn] = set()
        r = regs[urn]
        direct: set[str] = set()
        for d in set(r.dependencies) | {u for us in r.property_dependencies.values() for u in us}:
            if d in regs:
                expand(d, direct)
        out = set(direct)
        for d in direct:
            out |= deps(d)
        memo[urn] = out
        return out

    return regs, deps


@pytest.mark.parametrize("stack", stack_names())
def test_namespaced_objects_wait_for_their_namespace(plan_stack, stack):
    result = plan_stack(stack)
    regs, deps = closure(result)
    namespaces = {r.inputs.get("metadata", {}).get("name"): r.urn for r in result.registrations if r.type == "kubernetes:core/v1:Namespace"}
    missing = []
    for r in result.registrations:
        if not r.custom or not r.type.startswith("kubernetes:") or r.type in ("kubernetes:core/v1:Namespace", RELEASE):
            continue
        ns = (r.inputs.get("metadata") or {}).get("namespace")
        if ns in namespaces and namespaces[ns] not in deps(r.urn):
            missing.append(f"{r.type} {r.name} (namespace {ns})")
    assert missing == []


@pytest.mark.parametrize("stack", stack_names())
def test_custom_resources_wait_for_the_chart_that_installs_their_crd(plan_stack, stack):
    result = plan_stack(stack)
    regs, deps = closure(result)
    missing = []
    for r in result.registrations:
        if not r.custom or not r.type.startswith("kubernetes:") or r.type in (RELEASE,) or r.type.startswith("pulumi:"):
            continue
        group_version, _ = api_version_of(r.type)
        if "/" not in group_version or r.type.split(":")[1].startswith(BUILTIN_GROUPS):
            continue
        if not any(regs[d].type == RELEASE for d in deps(r.urn)):
            missing.append(f"{r.type} {r.name}")
    assert missing == []


@pytest.mark.parametrize("stack", stack_names())
def test_gateway_api_objects_wait_for_the_crd_of_their_kind(plan_stack, stack):
    """The Gateway API CRDs are the program's own objects, not a chart's: every Gateway and
    HTTPRoute depends on the CustomResourceDefinition that defines its kind."""
    result = plan_stack(stack)
    regs, deps = closure(result)
    crds = {r.inputs["spec"]["names"]["kind"]: r.urn for r in result.registrations
            if r.type == "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" and r.inputs["spec"]["group"] == "gateway.networking.k8s.io"}
    objs = [r for r in result.registrations if r.type.startswith("kubernetes:gateway.networking.k8s.io/")]
    if not any(r.type == "data-platform:platform:DataPlatform" for r in result.registrations):  # a DR site standing by: no platform, no edge
        assert objs == [] and crds == {}
        return
    assert {r.type.rsplit(":", 1)[-1] for r in objs} == {"Gateway", "HTTPRoute"}
    missing = [f"{r.type} {r.name}" for r in objs if crds[r.type.rsplit(":", 1)[-1]] not in deps(r.urn)]
    assert missing == []
