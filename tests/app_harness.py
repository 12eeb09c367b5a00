"""Plan the real program and keep the DataServicesResult the applications were given.

Application tests compare what an app is configured with (hosts, logins, buckets) against the
typed result the data-services layer handed it, so nothing is asserted against a literal
service name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_CACHE: dict[Any, Any] = {}


def plan(config: dict[str, Any], tmp: Path, stack: str = "test"):
    """Plan `config` (as `plan_config` does); `result.ds` is the DataServicesResult the apps got."""
    import yaml

    from components.platform import DataPlatform
    from tests.conftest import _qualify, run_config

    key = (stack, yaml.safe_dump(_qualify(config), sort_keys=True))
    if key in _CACHE:
        return _CACHE[key]
    captured: dict[str, Any] = {}
    original = DataPlatform.__init__

    def capture(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        captured["ds"] = self.data_services.result

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DataPlatform, "__init__", capture)
        result = run_config(config, tmp, stack)
    result.ds = captured["ds"]
    _CACHE[key] = result
    return result


def secret_results(registrations) -> list[str]:
    """Every RandomPassword result the mocks produced."""
    from offline_plan.mocks import fake_password

    return [fake_password(r.name, int(r.inputs.get("length", 32)))
            for r in registrations if r.type == "random:index/randomPassword:RandomPassword"]


def resolve(value: Any) -> Any:
    """The plain value of a pulumi Input after the run (the runner resolves outputs the same way)."""
    import pulumi
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(pulumi.Output.from_input(value).future())
