"""architecture.md: a Mermaid diagram drawn from the real resource graph.

Drawn at the level a reader can hold: every component (ComponentResource) that holds resources
is one box listing what it contains (`3 StatefulSet, 2 Service, ...`), components that hold other
components are frames around them, and an arrow A --> B means some resource in A depends on one
in B. Individual resources (hundreds on a cloud stack) are in plan.json; drawing each one would
exceed what Mermaid renders (its default limit is 500 edges).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from .runner import PlanResult

SKIP = ("pulumi:providers:",)


def _kind(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def mermaid(result: PlanResult) -> str:
    regs = [r for r in result.registrations if not r.type.startswith(SKIP)]
    by_urn = {r.urn: r for r in regs}
    components = {r.urn for r in regs if not r.custom}
    kids = defaultdict(list)
    for r in regs:
        kids[r.parent if r.parent in by_urn else ""].append(r)

    def has_sub_components(urn: str) -> bool:
        return any(k.urn in components for k in kids[urn])

    # The box that stands for each resource: its nearest component ancestor (or itself, at the top).
    def owner(r) -> str:
        u = r.urn if not r.custom else r.parent
        while u in by_urn and u not in components:
            u = by_urn[u].parent
        return u if u in by_urn else r.urn

    ids: dict[str, str] = {}

    def node_id(key: str) -> str:
        return ids.setdefault(key, f"n{len(ids)}")

    own_kinds: dict[str, Counter] = defaultdict(Counter)
    for r in regs:
        if r.custom:
            own_kinds[owner(r)][_kind(r.type)] += 1

    def label(title: str, counts: Counter) -> str:
        parts = [f"{n} {k}" for k, n in counts.most_common(4)]
        if len(counts) > 4:
            parts.append(f"+{sum(counts.values()) - sum(n for _, n in counts.most_common(4))} more")
        return f"{title}<br/><small>{', '.join(parts)}</small>" if parts else title

    lines = ["flowchart LR"]

    def emit(urn: str, depth: int) -> None:
        pad = "  " * depth
        for r in kids[urn]:
            if r.custom:
                if urn == "" or urn not in components:
                    lines.append(f'{pad}{node_id(r.urn)}["{_kind(r.type)}<br/>{r.name}"]')
                continue
            title = f"{_kind(r.type)}: {r.name}"
            if has_sub_components(r.urn):
                lines.append(f'{pad}subgraph {node_id(r.urn + "#frame")}["{title}"]')
                if own_kinds[r.urn]:
                    lines.append(f'{pad}  {node_id(r.urn)}["{label(r.name, own_kinds[r.urn])}"]')
                emit(r.urn, depth + 1)
                lines.append(f"{pad}end")
            else:
                lines.append(f'{pad}{node_id(r.urn)}["{label(title, own_kinds[r.urn])}"]')

    emit("", 1)
    edges = set()
    for r in regs:
        if not r.custom:
            continue
        src = owner(r)
        for d in set(r.dependencies) | {u for us in r.property_dependencies.values() for u in us}:
            if d in by_urn:
                dst = owner(by_urn[d]) if by_urn[d].custom else d
                if dst != src and src in ids and dst in ids:
                    edges.add((ids[src], ids[dst]))
    lines += [f"  {a} --> {b}" for a, b in sorted(edges)]
    return "\n".join(lines)


def write(result: PlanResult, out_dir: Path) -> Path:
    path = out_dir / "architecture.md"
    counts = sum(1 for r in result.registrations if r.custom)
    path.write_text(
        f"# {result.project} — stack `{result.stack}` ({result.cloud})\n\n"
        f"Drawn by the offline plan from the {len(result.registrations)} registered resources "
        f"({counts} custom). Each box is a component with what it contains; frames group components; "
        f"an arrow points from a component to one it depends on. Every resource is in plan.json.\n\n"
        f"```mermaid\n{mermaid(result)}\n```\n"
    )
    return path
