"""Run the pack over recorded registrations (the offline plan), with the CLI's config semantics.

The config is the file `pulumi preview --policy-pack-config` takes:
`{"all": "advisory", "<policy>": "mandatory" | {"enforcementLevel": "...", "<property>": value}}`.
A policy's level is its own entry's, else `all`'s, else the pack's default; its properties are
its defaults overridden by its entry. Unknown policies, properties or levels are errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .rules import BY_NAME, RULES
from .rules.model import DISABLED, LEVELS, MANDATORY, Context, Resource, Rule, Violation


class PolicyConfigError(ValueError):
    """A bad policy-pack config: the message is the one line to show."""


@dataclass(frozen=True)
class Finding:
    policy: str
    level: str
    message: str
    urn: str = ""


@dataclass
class Report:
    levels: dict[str, str]
    findings: list[Finding] = field(default_factory=list)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.level == MANDATORY]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.level != MANDATORY]

    @property
    def passed(self) -> list[str]:
        failed = {f.policy for f in self.findings}
        return [name for name, level in self.levels.items() if level != DISABLED and name not in failed]

    def summary(self) -> str:
        return f"policies: {len(self.passed)} passed, {len(self.mandatory)} mandatory violations, {len(self.advisory)} advisory"

    def document(self) -> dict[str, Any]:
        """The `policies` key of plan.json."""
        return {
            "pack": "data-platform",
            "summary": {"passed": len(self.passed), "mandatory": len(self.mandatory), "advisory": len(self.advisory)},
            "levels": dict(sorted(self.levels.items())),
            "passed": sorted(self.passed),
            "violations": [{"policy": f.policy, "level": f.level, "urn": f.urn or None, "message": f.message} for f in self.findings],
        }


def _entry(config: Mapping[str, Any], name: str, where: str) -> tuple[str | None, dict[str, Any]]:
    value = config.get(name)
    if value is None:
        return None, {}
    if isinstance(value, str):
        value = {"enforcementLevel": value}
    if not isinstance(value, Mapping):
        raise PolicyConfigError(f"{where}: {name} must be a level or an object, got {value!r}")
    level = value.get("enforcementLevel")
    if level is not None and level not in LEVELS:
        raise PolicyConfigError(f"{where}: {name}.enforcementLevel is {level!r}; allowed: {', '.join(LEVELS)}")
    return level, {k: v for k, v in value.items() if k != "enforcementLevel"}


def resolve(config: Mapping[str, Any] | None, where: str = "policy config") -> dict[str, tuple[str, dict[str, Any]]]:
    """Policy name -> (level, properties)."""
    config = dict(config or {})
    unknown = sorted(set(config) - set(BY_NAME) - {"all"})
    if unknown:
        raise PolicyConfigError(f"{where}: unknown policy {unknown[0]!r}; the pack has: {', '.join(sorted(BY_NAME))}")
    all_level, all_props = _entry(config, "all", where)
    if all_props:
        raise PolicyConfigError(f"{where}: `all` takes an enforcement level only")
    out = {}
    for rule in RULES:
        level, props = _entry(config, rule.name, where)
        extra = sorted(set(props) - set(rule.properties))
        if extra:
            allowed = ", ".join(sorted(rule.properties)) or "none"
            raise PolicyConfigError(f"{where}: {rule.name} has no property {extra[0]!r} (properties: {allowed})")
        out[rule.name] = (level or all_level or rule.level, {**rule.defaults(), **props})
    return out


def load_config(path: str | Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as e:
        raise PolicyConfigError(f"{path}: can't read the policy config: {e}") from None
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{path}: the policy config must be a JSON object")
    resolve(data, str(path))
    return data


def run_rule(rule: Rule, resources: list[Resource], ctx: Context) -> Iterable[Violation]:
    if rule.scope == "stack":
        yield from rule.check(resources, ctx)
        return
    for r in resources:
        for message in rule.check(r, ctx):
            yield Violation(message, r.urn)


def evaluate(resources: list[Resource], config: Mapping[str, Any] | None = None, stack_tags: Mapping[str, str] | None = None) -> Report:
    settings = resolve(config)
    report = Report(levels={name: level for name, (level, _) in settings.items()})
    for rule in RULES:
        level, props = settings[rule.name]
        if level == DISABLED:
            continue
        ctx = Context(config=props, stack_tags=dict(stack_tags or {}))
        report.findings += [Finding(rule.name, level, v.message, v.urn) for v in run_rule(rule, resources, ctx)]
    return report


def from_registrations(registrations: Iterable[Any]) -> list[Resource]:
    """The offline plan's registrations (type, name, urn, inputs, protect, provider reference,
    property dependencies) as the resources a policy sees."""
    registrations = list(registrations)
    by_urn = {r.urn: r for r in registrations}
    out = []
    for r in registrations:
        provider = by_urn.get((r.provider or "").rsplit("::", 1)[0])
        out.append(Resource(
            type=r.type, name=r.name, urn=r.urn, props=r.inputs, protect=r.protect,
            provider_props=provider.inputs if provider else {},
            property_dependencies=r.property_dependencies,
        ))
    return out
