"""architecture.md: a Mermaid diagram drawn from the real resource graph.

Components are subgraphs (nested as they are parented), custom resources are nodes, and an
edge is drawn for every explicit or property dependency between resources.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .runner import PlanResult

SKIP = ("pulumi:providers:",)


def _label(type_: str, name: str) -> str:
    kind = type_.rsplit(":", 1)[-1]
    return f"{kind}<br/>{name}".replace('"', "'")


def mermaid(result: PlanResult) -> str:
    regs = [r for r in result.registrations if not r.type.startswith(SKIP)]
    ids = {r.urn: f"n{i}" for i, r in enumerate(regs)}
    children = defaultdict(list)
    for r in regs:
        children[r.parent if r.parent in ids else ""].append(r)
    lines = ["flowchart LR"]

    def emit(parent: str, depth: int) -> None:
        pad = "  " * depth
        for r in children[parent]:
            if r.custom:
                lines.append(f'{pad}{ids[r.urn]}["{_label(r.type, r.name)}"]')
            else:
                lines.append(f'{pad}subgraph {ids[r.urn]}["{_label(r.type, r.name)}"]')
                emit(r.urn, depth + 1)
                lines.append(f"{pad}end")

    emit("", 1)
    edges = set()
    for r in regs:
        deps = set(r.dependencies) | {u for urns in r.property_dependencies.values() for u in urns}
        for d in deps:
            if d in ids and d != r.parent:
                edges.add((ids[r.urn], ids[d]))
    lines += [f"  {a} --> {b}" for a, b in sorted(edges)]
    return "\n".join(lines)


def write(result: PlanResult, out_dir: Path) -> Path:
    path = out_dir / "architecture.md"
    counts = sum(1 for r in result.registrations if r.custom)
    path.write_text(
        f"# {result.project} — stack `{result.stack}` ({result.cloud})\n\n"
        f"Drawn by the offline plan from the {len(result.registrations)} registered resources "
        f"({counts} custom). Boxes are components; an arrow points from a resource to what it depends on.\n\n"
        f"```mermaid\n{mermaid(result)}\n```\n"
    )
    return path
