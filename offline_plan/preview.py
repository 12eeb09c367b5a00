"""The console preview: the resource tree as `pulumi preview` draws it, counts, outputs."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from .runner import PlanResult


def tree_lines(result: PlanResult) -> list[str]:
    children = defaultdict(list)
    urns = {r.urn for r in result.registrations}
    for r in result.registrations:
        children[r.parent if r.parent in urns else result.stack_urn].append(r)
    rows: list[tuple[str, str]] = [("pulumi:pulumi:Stack", f"{result.project}-{result.stack}")]

    def walk(urn: str, prefix: str) -> None:
        kids = children.get(urn, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            rows.append((f"{prefix}{'└─ ' if last else '├─ '}{r.type}", r.name + ("  [protect]" if r.protect else "")))
            walk(r.urn, prefix + ("   " if last else "│  "))

    walk(result.stack_urn, "")
    width = max(len(t) for t, _ in rows) + 2
    return ["     Type" + " " * (width - 4) + "Name"] + [f" +   {t.ljust(width)}{n}" for t, n in rows]


def summary(result: PlanResult) -> str:
    total = len(result.registrations) + 1  # + the stack itself
    by_type = Counter(r.type for r in result.registrations)
    lines = [f"Resources: + {total} to create", "", "By type:"]
    lines += [f"    {n:>4}  {t}" for t, n in sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)


def outputs(result: PlanResult) -> str:
    lines = ["Outputs:"]
    for k in sorted(result.outputs):
        lines.append(f"    {k}: {json.dumps(result.outputs[k], sort_keys=True)}")
    return "\n".join(lines)


def render(result: PlanResult) -> str:
    head = f"Previewing update ({result.stack}) — offline plan under the Pulumi mock runtime; nothing is deployed.\n"
    return "\n".join([head, *tree_lines(result), "", outputs(result), "", summary(result)])


def policies(result: PlanResult) -> tuple[list[str], list[str]]:
    """The policy pack's summary line and advisories (stdout), and its mandatory violations
    (stderr, they fail the plan)."""
    report = result.policies
    if report is None:
        return [], []
    out = [report.summary()] + [f"advisory: policy {f.policy}: {f.message}" for f in report.advisory]
    return out, [f"error: policy {f.policy} (mandatory): {f.message}" for f in report.mandatory]
