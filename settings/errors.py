"""The one error a user sees for bad stack configuration.

It names the stack file, the key, the bad value and what is allowed, on one line, so
`pulumi up` and `make plan` can print it without a traceback.
"""

from __future__ import annotations

PROJECT = "data-platform"


class SettingsError(Exception):
    """A stack configuration value is invalid. `str()` is the whole user-facing line."""

    def __init__(self, stack_file: str, key: str, value: object, allowed: str):
        self.stack_file = stack_file
        self.key = key
        self.value = value
        self.allowed = allowed
        shown = "<missing>" if value is _MISSING else repr(value)
        super().__init__(f"{stack_file}: {key} = {shown} is not valid: {allowed}")


class _Missing:
    def __repr__(self) -> str:  # pragma: no cover - only shown in messages
        return "<missing>"


_MISSING = _Missing()
MISSING = _MISSING
