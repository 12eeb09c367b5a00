"""A MockMonitor that records every registration exactly as the engine would receive it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor

SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET_MARK = "[secret]"


def scrub(value: Any) -> Any:
    """Wire-format property values -> plain JSON: secrets as "[secret]", resource references as
    their URN, unknowns as "[unknown]"."""
    if isinstance(value, dict):
        sig = value.get(SECRET_SIG)
        if sig == SECRET_VALUE:
            return SECRET_MARK
        if sig == RESOURCE_SIG:
            return value.get("urn")
        return {k: scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if value == UNKNOWN:
        return "[unknown]"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf Struct carries every number as a double
    return value


def secret_map_keys(raw: dict) -> dict[str, list[str]]:
    """Top-level inputs that are one secret wrapping a map (a Secret's `stringData`/`data`, which
    the Kubernetes SDK marks secret as a whole): their keys, so the plan can show which keys a
    Secret holds while `scrub` keeps every value hidden."""
    out = {}
    for name, value in raw.items():
        if isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE and isinstance(value.get("value"), dict):
            out[name] = sorted(value["value"])
    return out


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    inputs: dict
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    protect: bool
    retain_on_delete: bool
    ignore_changes: list[str]
    additional_secret_outputs: list[str]
    delete_before_replace: bool = False
    state: dict = field(default_factory=dict)
    secret_keys: dict[str, list[str]] = field(default_factory=dict)
    """`secret_map_keys` of the raw inputs: keys of whole-secret maps, never their values."""
    aliases: list = field(default_factory=list)
    """The resource's alias specs (name/type/parent of URNs it used to have)."""


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self.stack_urn: str = ""

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        self.registrations.append(
            Registration(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                inputs=scrub(raw),
                # Sorted: the SDK sends them in whatever order its futures resolved.
                dependencies=sorted(request.dependencies),
                property_dependencies={k: sorted(v.urns) for k, v in sorted(request.propertyDependencies.items())},
                protect=bool(request.protect) if request.HasField("protect") else False,
                retain_on_delete=bool(request.retainOnDelete) if request.HasField("retainOnDelete") else False,
                ignore_changes=list(request.ignoreChanges),
                additional_secret_outputs=list(request.additionalSecretOutputs),
                delete_before_replace=bool(request.deleteBeforeReplace),
                secret_keys=secret_map_keys(raw),
                aliases=[json_format.MessageToDict(a, preserving_proto_field_name=True) for a in request.aliases],
                state={**scrub(json_format.MessageToDict(response.object, preserving_proto_field_name=True)), "id": response.id} if request.custom else {},
            )
        )
        return response
