"""Render docs/config-reference.md from the settings declarations (`make docs`).

Generated, so the reference can't drift from what the program reads; a test checks it's current.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .environments import ENVIRONMENTS
from .errors import PROJECT
from .project import SCALARS
from .schema import Section, describe
from .sections import SECTIONS, ordered


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, tuple, dict, bool)):
        return "`" + json.dumps(value) + "`"
    return f"`{value}`"


def render(cloud_sections: Iterable[type[Section]]) -> str:
    """The reference of the project's settings and of `cloud_sections` (`clouds.sections()`)."""
    out = [
        "# Configuration reference",
        "",
        "Generated from `settings/` by `make docs`; do not edit by hand.",
        "",
        "Every key lives in the `data-platform` namespace. A bad value stops `pulumi preview`/`up` and",
        "`make plan` before any resource is registered, with one line naming the stack file, the key,",
        "the value and what is allowed.",
        "",
        "## Top-level settings (declared in Pulumi.yaml)",
        "",
        "Set with `pulumi config set data-platform:<key> <value>`.",
        "",
        "| key | type | default | description |",
        "|---|---|---|---|",
    ]
    for s in SCALARS:
        default = "(see description)" if s.default is None else '`""`' if s.default == "" else _fmt(s.default)
        out.append(f"| `{s.key}` | {s.type} | {default} | {s.doc} |")
    out += [
        "",
        "## Component sections (objects in the stack file)",
        "",
        "Set one field with `pulumi config set --path '" + PROJECT + ":<section>.<field>' <value>`, or write the",
        "object in `Pulumi.<stack>.yaml`. Defaults depend on `environment` (dr uses prod's).",
    ]
    envs = [e for e in ENVIRONMENTS if e != "dr"]
    for sec in ordered((*SECTIONS, *cloud_sections)):
        out += ["", f"### `{PROJECT}:{sec.KEY}`", "", sec.DOC + ".", "",
                "| field | " + " | ".join(envs) + " | description |", "|---|" + "---|" * len(envs) + "---|"]
        rows = {e: describe(sec, e) for e in envs}
        for i, (key, _, doc) in enumerate(rows[envs[0]]):
            out.append(f"| `{key}` | " + " | ".join(_fmt(rows[e][i][1]) for e in envs) + f" | {doc} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":  # an entry point is a composition root: it hands the clouds' sections in
    from clouds import sections

    print(render(sections()), end="")
