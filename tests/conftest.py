"""Shared fixtures: run the real program under the mock runtime, as the offline plan does.

- `plan_stack("dev")`: the plan of a stack file in the repository (cached per session).
- `plan_config({...})`: the plan of an ad-hoc stack file (keys without a namespace get
  `data-platform:`), e.g. `plan_config({"environment": "prod"})` for a prod-sized local stack.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from offline_plan.runner import PlanResult, run  # noqa: E402

_CACHE: dict[Any, PlanResult] = {}


def stack_names() -> list[str]:
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in ROOT.glob("Pulumi.*.yaml"))


def _qualify(config: dict[str, Any]) -> dict[str, Any]:
    return {k if ":" in k else f"data-platform:{k}": v for k, v in config.items()}


def run_config(config: dict[str, Any], tmp: Path, stack: str = "test") -> PlanResult:
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "Pulumi.yaml", tmp / "Pulumi.yaml")
    full = {"data-platform:cloud": "local", **_qualify(config)}
    (tmp / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": full}))
    return run(stack, root=tmp)


@pytest.fixture(scope="session")
def plan_stack() -> Callable[[str], PlanResult]:
    def get(stack: str) -> PlanResult:
        if stack not in _CACHE:
            _CACHE[stack] = run(stack)
        return _CACHE[stack]

    return get


@pytest.fixture(scope="session")
def plan_config(tmp_path_factory) -> Callable[..., PlanResult]:
    def get(config: dict[str, Any], stack: str = "test") -> PlanResult:
        key = (stack, yaml.safe_dump(_qualify(config), sort_keys=True))
        if key not in _CACHE:
            _CACHE[key] = run_config(config, tmp_path_factory.mktemp("stack"), stack)
        return _CACHE[key]

    return get


@pytest.fixture(scope="session")
def plan_foundation() -> Callable[..., PlanResult]:
    """`plan_foundation(make, config)`: the whole DataPlatform (components/platform.py) on the
    Foundation `make()` returns, with the settings of `config` (as `plan_config` takes them), under
    the same mock runtime as the offline plan. `make` runs inside the program, where a
    Foundation's Kubernetes provider and Outputs can exist. One plan per (make, config) per session.

    No cloud is built: this proves the platform's side of the contract on hand-made Foundations
    (tests/foundation_shapes.py), before or apart from the clouds that will fill them."""
    import pulumi

    import settings as settings_mod
    from components.platform import DataPlatform, DataPlatformArgs
    from offline_plan.runner import run_program

    def get(make: Callable[[], Any], config: dict[str, Any], stack: str = "contract") -> PlanResult:
        key = ("foundation", make, stack, yaml.safe_dump(_qualify(config), sort_keys=True))
        if key not in _CACHE:
            s = settings_mod.load(_qualify(config), stack)

            def program() -> None:
                platform = DataPlatform(s.prefix, DataPlatformArgs(foundation=make(), settings=s))
                for name, value in platform.outputs.items():
                    pulumi.export(name, value)

            registrations, outputs, urn = run_program(program, project="data-platform", stack=stack)
            _CACHE[key] = PlanResult(project="data-platform", stack=stack, cloud=s.cloud, stack_urn=urn,
                                     registrations=registrations, outputs=outputs)
        return _CACHE[key]

    return get
