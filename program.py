"""The Pulumi program: settings -> the selected cloud's Foundation -> DataPlatform -> outputs.

Kept apart from __main__.py so the offline plan and the tests run exactly this function.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

import clouds
import settings as settings_mod
from components.platform import DataPlatform, DataPlatformArgs
from settings import recovery


def load_settings(raw: Mapping[str, Any], stack: str) -> settings_mod.Settings:
    """`settings.load` with every built cloud's section: the composition root hands them in."""
    return settings_mod.load(raw, stack, clouds.registry())


def main() -> None:
    try:
        s = settings_mod.from_pulumi(clouds.registry())
    except settings_mod.SettingsError as e:
        # RunError: the engine prints the message alone, without a Python traceback.
        raise pulumi.RunError(str(e)) from None
    foundation = clouds.build(s)
    if s.backups.standby:
        # The DR site stands by: the foundation only; failover sets backups.standby false.
        pulumi.export("cloud", s.cloud)
        pulumi.export("environment", s.environment)
        pulumi.export("standby", True)
        for key, value in foundation.outputs.items():
            pulumi.export(key, value)
        return
    platform = DataPlatform(s.prefix, DataPlatformArgs(foundation=foundation, settings=s))
    pulumi.export("cloud", s.cloud)
    pulumi.export("environment", s.environment)
    pulumi.export("availability", {"target": s.profile.availability, "rto": s.backups.rto, "rpo": s.backups.rpo})
    pulumi.export("recoveryPoints", recovery.outputs(s))
    for key, value in foundation.outputs.items():
        pulumi.export(key, value)
    for key, value in platform.outputs.items():
        pulumi.export(key, value)
