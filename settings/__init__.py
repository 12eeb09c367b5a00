"""Typed stack settings: read once, validated before any resource is registered."""

from collections.abc import Mapping
from typing import Optional

from .errors import PROJECT, SettingsError
from .model import Settings, load, stack_file_name
from .schema import Section

__all__ = ["PROJECT", "Settings", "SettingsError", "load", "stack_file_name", "from_pulumi"]


def from_pulumi(clouds: Mapping[str, Optional[type[Section]]]) -> Settings:
    """Read the running stack's config from the Pulumi runtime (engine or mocks); `clouds` as for `load`."""
    import pulumi
    from pulumi.runtime import config as rc

    raw = {**rc.get_config_env(), **rc.CONFIG.get()}
    return load(raw, pulumi.get_stack(), clouds)
