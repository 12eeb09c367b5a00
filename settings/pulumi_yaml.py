"""Render Pulumi.yaml from settings/project.py, so the declared config never drifts from the
settings the program really reads. `make pulumi-yaml` writes it; a test checks it is current.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from .errors import PROJECT
from .project import SCALARS
from .schema import Section
from .sections import SECTIONS, ordered

HEADER: dict[str, Any] = {
    "name": PROJECT,
    "description": "A modern data platform (Airbyte, Dremio, dbt, Superset, PostgreSQL, MinIO, Elasticsearch) "
    "on Kubernetes: on AWS or any local cluster, one stack per environment.",
    "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
}
# Provider settings shared by every stack; stack files may override them. Only `value` is
# allowed for another namespace's key.
PROVIDER_DEFAULTS: dict[str, Any] = {
    "aws:region": {"value": "eu-west-1"},
}


def render(cloud_sections: Iterable[type[Section]]) -> str:
    """Pulumi.yaml, its comment listing the project's sections and `cloud_sections` (`clouds.sections()`)."""
    config: dict[str, Any] = {}
    for s in SCALARS:
        decl: dict[str, Any] = {"type": s.type, "description": s.doc}
        if s.default is not None:
            decl["default"] = s.default
        config[s.key] = decl
    config.update(PROVIDER_DEFAULTS)
    body = {**HEADER, "config": config}
    sections = "\n".join(f"#   {PROJECT}:{s.KEY:<14} {s.DOC}" for s in ordered((*SECTIONS, *cloud_sections)))
    return (
        "# Generated from settings/project.py by `make pulumi-yaml`; edit that file, not this one.\n"
        "# Structured per-component settings are objects in the stack files, undeclared here\n"
        "# (the engine has no object type); see the README's config reference:\n"
        f"{sections}\n"
        + yaml.safe_dump(body, sort_keys=False, width=120)
    )


if __name__ == "__main__":  # an entry point is a composition root: it hands the clouds' sections in
    from clouds import sections

    print(render(sections()), end="")
