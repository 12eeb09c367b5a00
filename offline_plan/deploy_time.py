"""Deploy-time estimate: how long `pulumi up` of a new stack takes, and which chain decides it.

The engine creates a resource as soon as everything it waits for exists, so the duration of a
first `up` is the longest path through the dependency graph, each resource weighted by its
typical create time (tables/create_times.json). A resource waits for:
- its `dependencies` (explicit `depends_on` and the resources behind its input Outputs);
  a dependency on a component waits for every descendant of that component, as in the engine;
- its provider (the Kubernetes provider waits for the cluster behind its kubeconfig).
Reads plan.json's documented shape (plain dicts), so it runs on any recorded plan.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).parent / "tables" / "create_times.json"

# A type whose create time depends on one input: the table key is `<type>[<variant>]`.
_VARIANTS: Mapping[str, Callable[[Mapping[str, Any]], Any]] = {
    "aws:rds/instance:Instance": lambda i: "multiAz" if i.get("multiAz") else None,
    "aws:eks/addon:Addon": lambda i: i.get("addonName"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": lambda i: i.get("vpcEndpointType"),
    "kubernetes:core/v1:Service": lambda i: (i.get("spec") or {}).get("type"),
    "azure-native:dbforpostgresql:Server": lambda i: "highAvailability" if ((i.get("highAvailability") or {}).get("mode") or "Disabled") != "Disabled" else None,
    "gcp:sql/databaseInstance:DatabaseInstance": lambda i: (i.get("settings") or {}).get("availabilityType"),
}


@cache
def load_table(path: Path = TABLE_PATH) -> dict[str, Any]:
    return json.loads(path.read_text())


def create_seconds(resource: Mapping[str, Any], table: Mapping[str, Any]) -> int:
    """The table's create time for one resource (0 for components: they create nothing)."""
    rtype = resource["type"]
    if not resource.get("custom", True):
        return 0
    types = table["types"]
    variant = _VARIANTS.get(rtype, lambda _i: None)(resource.get("inputs") or {})
    if variant is not None and f"{rtype}[{variant}]" in types:
        return types[f"{rtype}[{variant}]"]
    if rtype in types:
        return types[rtype]
    return table["default"].get(rtype.split(":", 1)[0], table["default"]["kubernetes"])


@dataclass(frozen=True)
class Step:
    urn: str
    type: str
    name: str
    start: int
    seconds: int

    @property
    def end(self) -> int:
        return self.start + self.seconds


@dataclass(frozen=True)
class Estimate:
    total_seconds: int
    critical_path: tuple[Step, ...]
    """First to last: each step is what the next one waited for longest."""


def waits_for(resources: Sequence[Mapping[str, Any]]) -> dict[str, set[str]]:
    """URN -> the custom resources it waits for directly (components expanded to descendants)."""
    by_urn = {r["urn"]: r for r in resources}
    children: dict[str, list[str]] = defaultdict(list)
    for r in resources:
        if r.get("parent"):
            children[r["parent"]].append(r["urn"])

    @cache
    def customs_under(urn: str) -> frozenset[str]:
        r = by_urn.get(urn)
        if r is None:
            return frozenset()
        own = {urn} if r.get("custom", True) else set()
        return frozenset(own.union(*(customs_under(c) for c in children.get(urn, ()))))

    out: dict[str, set[str]] = {}
    for r in resources:
        direct = set(r.get("dependencies") or ())
        direct |= {u for us in (r.get("propertyDependencies") or {}).values() for u in us}
        if r.get("provider"):
            direct.add(r["provider"].rsplit("::", 1)[0])  # a provider reference is `<urn>::<id>`
        out[r["urn"]] = {c for d in direct for c in customs_under(d)} - {r["urn"]}
    return out


def estimate(resources: Sequence[Mapping[str, Any]], table: Mapping[str, Any] | None = None) -> Estimate:
    """Earliest start of every resource = the latest end of what it waits for; the total is the
    latest end of all, and the critical path is followed back from it."""
    table = table or load_table()
    by_urn = {r["urn"]: r for r in resources}
    deps = waits_for(resources)
    end: dict[str, int] = {}
    before: dict[str, str | None] = {}

    def finish(urn: str, visiting: frozenset = frozenset()) -> int:
        if urn in end:
            return end[urn]
        if urn in visiting:
            raise ValueError(f"dependency cycle through {urn}")
        latest, prev = 0, None
        for d in sorted(deps.get(urn, ())):
            if d in by_urn and (e := finish(d, visiting | {urn})) > latest:
                latest, prev = e, d
        before[urn] = prev
        end[urn] = latest + create_seconds(by_urn[urn], table)
        return end[urn]

    for urn in by_urn:
        finish(urn)
    if not end:
        return Estimate(0, ())
    last = max(sorted(end), key=lambda u: end[u])
    path: list[Step] = []
    cur: str | None = last
    while cur is not None:
        r = by_urn[cur]
        secs = create_seconds(r, table)
        path.append(Step(cur, r["type"], r["name"], end[cur] - secs, secs))
        cur = before[cur]
    path.reverse()
    # Zero-time steps (random passwords, providers) say nothing about the duration.
    return Estimate(end[last], tuple(s for s in path if s.seconds))


def minutes(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds % 60 else f"{seconds // 60} min"


def render(est: Estimate) -> str:
    lines = [f"Deploy time (new stack, estimated): {minutes(est.total_seconds)}, from the dependency graph and "
             f"the typical create times in offline_plan/tables/create_times.json (as of {load_table()['date']})",
             "  critical path:"]
    lines += [f"    {minutes(s.start):>12} +{s.seconds:>5} s  {s.type}  {s.name}" for s in est.critical_path]
    return "\n".join(lines)


def document(est: Estimate) -> dict[str, Any]:
    """The estimate as plan.json records it."""
    return {
        "totalSeconds": est.total_seconds,
        "table": str(TABLE_PATH.relative_to(TABLE_PATH.parent.parent.parent)),
        "criticalPath": [{"urn": s.urn, "type": s.type, "name": s.name, "startSeconds": s.start, "seconds": s.seconds} for s in est.critical_path],
    }
