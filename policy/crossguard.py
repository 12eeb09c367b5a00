"""The rules as pulumi_policy policies, for `pulumi preview --policy-pack policy`.

The engine hands a policy the resource's inputs as registered (camelCase, the same as the
offline plan's plan.json) wrapped in proxies that raise on values unknown during a preview;
`plain()` unwraps them to plain JSON with unknowns as the rules' `UNKNOWN`, so a rule never
aborts on an unknown and treats it as "set, value unknown".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from .rules import RULES
from .rules.model import UNKNOWN, Context, Resource, Rule

PACK_NAME = "data-platform"
_SENTINELS = {UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
              UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE}
_LEVELS = {"mandatory": EnforcementLevel.MANDATORY, "advisory": EnforcementLevel.ADVISORY, "disabled": EnforcementLevel.DISABLED}


def _unknowns(value: Any) -> Any:
    if isinstance(value, str) and value in _SENTINELS:
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: _unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknowns(v) for v in value]
    return value


def plain(props: Any) -> dict[str, Any]:
    """Engine props (proxies, unknown sentinels) -> plain JSON-like dict."""
    return _unknowns(serialize_properties(props)) if props is not None else {}


def _resource(type_: str, name: str, urn: str, props: Any, opts: Any, provider: Any, deps: Mapping[str, Sequence[Any]] | None = None) -> Resource:
    return Resource(
        type=type_, name=name, urn=urn, props=plain(props),
        protect=bool(getattr(opts, "protect", False)),
        provider_props=plain(provider.props) if provider is not None else {},
        property_dependencies={k: [d.urn for d in v] for k, v in (deps or {}).items()},
    )


def _context(rule: Rule, config: Mapping[str, Any], stack_tags: Mapping[str, str]) -> Context:
    return Context(config={**rule.defaults(), **dict(config or {})}, stack_tags=dict(stack_tags or {}))


def resource_policy(rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        r = _resource(args.resource_type, args.name, args.urn, args.props, args.opts, args.provider)
        for message in rule.check(r, _context(rule, args.get_config(), args.stack_tags)):
            report_violation(message, None)

    return ResourceValidationPolicy(name=rule.name, description=rule.description, validate=validate,
                                    enforcement_level=_LEVELS[rule.level], config_schema=_schema(rule))


def stack_policy(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = [_resource(r.resource_type, r.name, r.urn, r.props, r.opts, r.provider, r.property_dependencies) for r in args.resources]
        for v in rule.check(resources, _context(rule, args.get_config(), args.stack_tags)):
            report_violation(v.message, v.urn or None)

    return StackValidationPolicy(name=rule.name, description=rule.description, validate=validate,
                                 enforcement_level=_LEVELS[rule.level], config_schema=_schema(rule))


def _schema(rule: Rule) -> PolicyConfigSchema | None:
    return PolicyConfigSchema(properties={k: dict(v) for k, v in rule.properties.items()}) if rule.properties else None


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    return [stack_policy(r) if r.scope == "stack" else resource_policy(r) for r in RULES]
