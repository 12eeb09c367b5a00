"""Run the real program (program.main) under the recording mock monitor.

Returns a `PlanResult` with every registration and the resolved stack outputs. Settings and
stack-file errors surface as `PlanError` with the one-line message, before any registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from policy import offline as policy_pack

from .mocks import PlatformMocks
from .monitor import SECRET_MARK, RecordingMonitor, Registration
from .stack_config import StackConfigError, load_stack_config

ROOT = Path(__file__).resolve().parent.parent


class PlanError(Exception):
    """Bad stack configuration: the message is the one line to show the user."""


@dataclass
class PlanResult:
    project: str
    stack: str
    cloud: str
    stack_urn: str
    registrations: list[Registration]
    outputs: dict[str, Any]
    policies: policy_pack.Report | None = None
    """The policy pack (policy/) evaluated over the registrations."""

    def by_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def one(self, type_: str, name: str) -> Registration:
        found = [r for r in self.registrations if r.type == type_ and r.name == name]
        if len(found) != 1:
            raise KeyError(f"{type_} {name}: {len(found)} registrations")
        return found[0]


def _resolve_outputs(outputs: dict[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for key, value in outputs.items():
        out = pulumi.Output.from_input(value)
        is_secret = _sync_await(out.is_secret())
        data = _sync_await(out.future())
        resolved[key] = SECRET_MARK if is_secret else json.loads(json.dumps(data, default=str))
    return resolved


def run_program(program: Callable[[], None], *, project: str, stack: str, config: Mapping[str, str] | None = None,
                secret_keys: Sequence[str] = ()) -> tuple[list[Registration], dict[str, Any], str]:
    """Run `program` under the recording mock monitor: its registrations sorted by URN, its
    resolved stack outputs and the stack's URN. `run` plans a stack file with it; tests run
    other programs with it (e.g. the platform on a hand-made Foundation, tests/conftest.py)."""
    runtime_settings.ROOT.set(None)
    monitor = RecordingMonitor(PlatformMocks())
    pulumi.runtime.set_mocks(PlatformMocks(), project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys))
    _sync_await(run_pulumi_func(program))
    root_stack = runtime_settings.get_root_resource()
    outputs = _resolve_outputs(dict(getattr(root_stack, "outputs", {}) or {}))
    # Registrations arrive in the order asynchronous outputs resolve, which varies between
    # runs; sorted by URN, every file the plan writes is the same for the same program.
    registrations = sorted(monitor.registrations, key=lambda r: r.urn)
    return registrations, outputs, monitor.stack_urn or f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"


def run(stack: str, root: Path = ROOT, policy_config: dict[str, Any] | None = None) -> PlanResult:
    """Plan `stack` from `root`'s Pulumi.yaml and Pulumi.<stack>.yaml; `policy_config` tunes the
    policy pack as `pulumi preview --policy-pack-config` would."""
    import program
    import settings as settings_mod

    try:
        cfg = load_stack_config(root, stack)
    except StackConfigError as e:
        raise PlanError(str(e)) from None
    # Validate before the runtime starts: a bad value never gets as far as a registration.
    try:
        settings = program.load_settings(cfg.values, stack)
    except settings_mod.SettingsError as e:
        raise PlanError(str(e)) from None

    try:
        registrations, outputs, stack_urn = run_program(program.main, project=cfg.project, stack=stack,
                                                        config=cfg.engine_strings(), secret_keys=list(cfg.secret_keys))
    except pulumi.RunError as e:  # a check the cloud can only make at run time (e.g. region's AZs)
        raise PlanError(str(e)) from None
    try:
        policies = policy_pack.evaluate(policy_pack.from_registrations(registrations), policy_config)
    except policy_pack.PolicyConfigError as e:
        raise PlanError(str(e)) from None
    return PlanResult(
        project=cfg.project,
        stack=stack,
        cloud=settings.cloud,
        stack_urn=stack_urn,
        registrations=registrations,
        outputs=outputs,
        policies=policies,
    )
