"""What a rule sees and returns, independent of the runner (Pulumi CLI or offline plan).

A rule is a pure function. A resource rule takes one `Resource` and a `Context` and yields
messages; a stack rule takes every resource and yields `Violation`s (a message and the URN it is
about). Properties are the resource's inputs as the engine receives them (camelCase, as
registered); a value not known yet (during a preview) is the string `UNKNOWN`, and rules treat it
as "set, value unknown": they never fail a resource for what only the deployment will tell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

UNKNOWN = "[unknown]"
"""An input whose value is computed by the deployment (the offline plan's marker too)."""

MANDATORY: Literal["mandatory"] = "mandatory"
ADVISORY: Literal["advisory"] = "advisory"
DISABLED: Literal["disabled"] = "disabled"
LEVELS = (ADVISORY, MANDATORY, DISABLED)


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    protect: bool = False
    provider_props: Mapping[str, Any] = field(default_factory=dict)
    """The inputs of the resource's provider (where AWS default tags live)."""
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Input name -> URNs of the resources it was computed from (e.g. a policy's `bucket`)."""


@dataclass(frozen=True)
class Context:
    config: Mapping[str, Any] = field(default_factory=dict)
    """This policy's properties: its defaults overridden by the policy-pack config."""
    stack_tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    message: str
    urn: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    level: str
    """Default enforcement level; the policy-pack config can change it."""
    why: str
    """One paragraph for docs/policies.md: what it prevents."""
    check: Callable[..., Iterable[Any]]
    scope: Literal["resource", "stack"] = "resource"
    properties: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON-schema of the policy's config properties, each with a `default`."""

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.properties.items() if "default" in v}


def resource_rule(name: str, description: str, level: str, why: str, **kw: Any) -> Callable[[Callable], Rule]:
    return lambda fn: Rule(name, description, level, why, fn, "resource", **kw)


def stack_rule(name: str, description: str, level: str, why: str, **kw: Any) -> Callable[[Callable], Rule]:
    return lambda fn: Rule(name, description, level, why, fn, "stack", **kw)


# --- small helpers every rule family uses -------------------------------------------------------


def known(value: Any) -> bool:
    return value is not None and value != UNKNOWN


def is_true(value: Any) -> bool:
    """True, also as the strings some providers take (`"true"`); unknown is not true."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_json(value: Any) -> Any:
    """Provider inputs and IAM policy documents arrive JSON-encoded; decode when they are."""
    if isinstance(value, str) and value not in ("", UNKNOWN):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def by_type(resources: Iterable[Resource], *types: str) -> list[Resource]:
    return [r for r in resources if r.type in types]


def token(resource_type: str) -> str:
    """`aws:s3/bucket:Bucket` -> `Bucket` (the last segment, for messages)."""
    return resource_type.rsplit(":", 1)[-1]
