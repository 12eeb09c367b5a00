"""Stack config as the engine would give it: Pulumi.yaml defaults + Pulumi.<stack>.yaml.

`secure:` values are never decrypted here: they become a placeholder marked secret, so the
program sees a secret Output exactly as under `pulumi up`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "offline-plan-placeholder-secret"


class StackConfigError(Exception):
    """The stack file is missing or not valid YAML (one line, no traceback)."""


@dataclass(frozen=True)
class StackConfig:
    project: str
    stack: str
    values: dict[str, Any]
    """Full key (`data-platform:cloud`, `aws:region`) -> value as YAML gives it."""
    secret_keys: tuple[str, ...]

    def engine_strings(self) -> dict[str, str]:
        """The engine passes every value as a string; objects and arrays as JSON."""
        out = {}
        for k, v in self.values.items():
            if isinstance(v, str):
                out[k] = v
            elif isinstance(v, bool):
                out[k] = "true" if v else "false"
            else:
                out[k] = json.dumps(v)
        return out


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise StackConfigError(f"{path.name}: not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise StackConfigError(f"{path.name}: expected a YAML mapping at the top level")
    return data


def load_stack_config(root: Path, stack: str) -> StackConfig:
    project_file = _read_yaml(root / "Pulumi.yaml")
    project = project_file["name"]
    stack_path = root / f"Pulumi.{stack}.yaml"
    if not stack_path.exists():
        stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in root.glob("Pulumi.*.yaml"))
        raise StackConfigError(f"{stack_path.name}: no such stack file; stacks in this repository: {', '.join(stacks)}")

    values: dict[str, Any] = {}
    for key, decl in (project_file.get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(decl, dict):
            if "value" in decl:
                values[full] = decl["value"]
            elif "default" in decl:
                values[full] = decl["default"]
        else:
            values[full] = decl

    secret_keys = []
    for key, value in (_read_yaml(stack_path).get("config") or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = SECRET_PLACEHOLDER
            secret_keys.append(full)
        else:
            values[full] = value
    return StackConfig(project=project, stack=stack, values=values, secret_keys=tuple(secret_keys))
