"""How a settings section is declared and read.

A section is a frozen dataclass whose fields carry a check, a doc and their default
(`setting(check, doc, default=...)`; `per_env(dev=, staging=, prod=)` when it depends on the
environment), so each default sits next to the field it belongs to. Its stack-file key is `data-platform:<KEY>` and
holds an object whose keys are the camelCase field names. Reading a section rejects unknown
keys and reports the first bad value with the full dotted key.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from .checks import Check, Invalid, cpu_millis, memory_bytes
from .errors import MISSING, PROJECT, SettingsError

if TYPE_CHECKING:
    from .model import Settings
    from .recovery import NativeCopy, RecoveryPoint


class PerEnv:
    """A default that depends on the environment: dr mirrors prod unless given."""

    def __init__(self, pick: Callable[[str], Any]):
        self._pick = pick

    def of(self, env: str) -> Any:
        return self._pick(env)


def per_env(*, dev: Any, staging: Any, prod: Any, dr: Any = None) -> PerEnv:
    """`setting(..., default=per_env(dev=1, staging=2, prod=3))`: dr mirrors prod unless given."""
    table = {"dev": dev, "staging": staging, "prod": prod, "dr": prod if dr is None else dr}
    return PerEnv(table.__getitem__)


def from_env(pick: Callable[[str], Any]) -> PerEnv:
    """A default computed from the environment's name (e.g. its profile's RPO)."""
    return PerEnv(pick)


_REQUIRED = object()


def setting(check: Check, doc: str, default: Any = _REQUIRED) -> Any:
    """Declare a section field: its check, the one-line doc shown in the config reference and its
    default (a value, or `per_env(...)`); without one, the key is required in the stack file."""
    return dataclasses.field(metadata={"check": check, "doc": doc, **({} if default is _REQUIRED else {"default": default})})


def section_fields(section: type[Section] | Section) -> tuple[dataclasses.Field[Any], ...]:
    """A section's declared fields: every Section subclass is a `@dataclass(frozen=True)`."""
    if not dataclasses.is_dataclass(section):
        raise TypeError(f"{section!r}: a settings section must be a @dataclass(frozen=True)")
    return dataclasses.fields(section)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@dataclasses.dataclass(frozen=True)
class FrontTls:
    """A cloud L7 load balancer in front of the Gateway, and the one `tlsIssuer` that works behind it."""

    issuer: str
    """The issuer this front needs (its default too, outside dev)."""
    allowed: str
    """What the SettingsError for any other issuer says is allowed, naming the key that selects the front."""


class Section:
    """Base for settings sections. Subclasses are `@dataclass(frozen=True)`.

    A cloud's section (clouds/<name>/settings.py) also answers the questions whose answer depends
    on the cloud (its capabilities, its L7 front, what its managed services can lose), so the
    rules that span sections (settings/model.py, settings/recovery.py) never name a cloud. Only
    the selected cloud's section is asked; a cloud without a section (local) has none of it."""

    KEY: ClassVar[str]
    POSITION: ClassVar[int] = 100
    """Where the section is read (the first bad value is the one reported) and documented in
    docs/config-reference.md, among all sections; a section without one comes last."""
    DOC: ClassVar[str]
    HAS_NATIVE_LAKE: ClassVar[bool] = False
    """The cloud builds the lake in its own buckets (`objectStore: native`, then the default)."""
    HAS_MANAGED_DATABASE: ClassVar[bool] = False
    """The cloud has a managed PostgreSQL (`database: managed`, then the default)."""

    @classmethod
    def field_name(cls) -> str:
        """The `Settings` attribute of this section: KEY in snake_case (clusterNetwork -> cluster_network)."""
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in cls.KEY)

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        """Field name -> default for this environment, from the fields' `default=`."""
        out = {}
        for f in section_fields(cls):
            if "default" in f.metadata:
                d = f.metadata["default"]
                out[f.name] = d.of(env) if isinstance(d, PerEnv) else d
        return out

    @classmethod
    def check_stack(cls, stack: str) -> None:
        """Raise `Invalid` if the stack's name cannot name this section's resources (a cloud's
        section checks it when its cloud is selected)."""

    @classmethod
    def check_names(cls, stack: str, raw: Mapping[str, Any], object_store: str) -> None:
        """Raise `CrossFieldInvalid` (field: the keys at fault, value: theirs) if the stack name and
        the provider's own keys in `raw` (e.g. `gcp:project`) cannot name this cloud's resources
        with the top-level `objectStore` choice (the selected cloud's section is asked)."""

    def cross_check(self) -> None:
        """Raise `Invalid` with a `field` attribute naming the camelCase key for rules that span
        several fields (e.g. min <= max)."""

    def front_tls(self) -> Optional[FrontTls]:
        """The L7 load balancer this section puts in front of the Gateway, if its certificate
        handling dictates the `tlsIssuer` (None: the Gateway's certificate is what users see)."""
        return None

    def check_recovery(self, settings: Settings, target_seconds: int) -> None:
        """Raise `CrossFieldInvalid` (field: the full key at fault) if this cloud's services miss
        the RPO target (`backups.rpo`, in seconds) or its DR options do not fit the settings."""

    def database_recovery_point(self, settings: Settings) -> RecoveryPoint:
        """What the managed database (`database: managed`) can lose, and what survives the site."""
        raise NotImplementedError(f"{self.KEY}: no managed database")

    def archive_copy(self, settings: Settings) -> NativeCopy:
        """Where CloudNativePG archives in this cloud's backups bucket (`objectStore: native`), and
        what of the archive survives the loss of the site."""
        raise NotImplementedError(f"{self.KEY}: no native backups bucket")

    def lake_recovery_point(self, settings: Settings) -> Optional[RecoveryPoint]:
        """What the cloud's lake buckets can lose (`objectStore: native`); None: the applications'
        lake is the in-cluster MinIO's."""
        return None

    def snapshot_copy(self, settings: Settings) -> Optional[NativeCopy]:
        """Where Elasticsearch's snapshots go in this cloud's store (`objectStore: native`), and what
        of them survives the site; None: in the in-cluster MinIO."""
        return None


class CrossFieldInvalid(Invalid):
    def __init__(self, field: str, value: Any, message: str):
        super().__init__(message)
        self.field = field
        self.value = value


def read_section(cls: type[Section], raw: Any, stack_file: str, env: str) -> Section:
    key = f"{PROJECT}:{cls.KEY}"
    if raw is None:
        raw = {}
    if isinstance(raw, str):  # the engine passes structured config as JSON text
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise SettingsError(stack_file, key, raw, "an object of settings") from None
    if not isinstance(raw, dict):
        raise SettingsError(stack_file, key, raw, "an object of settings")
    fields = {camel(f.name): f for f in section_fields(cls)}
    for k, v in raw.items():
        if k not in fields:
            raise SettingsError(stack_file, f"{key}.{k}", v, "a known key: " + ", ".join(sorted(fields)))
    defaults = cls.defaults(env)
    values = {}
    for ck, f in fields.items():
        value = raw.get(ck, defaults.get(f.name, MISSING))
        try:
            values[f.name] = f.metadata["check"](value)
        except Invalid as e:
            raise SettingsError(stack_file, f"{key}.{ck}", value, str(e)) from None
    obj = cls(**values)
    try:
        check_requests_within_limits(obj)
        obj.cross_check()
    except CrossFieldInvalid as e:
        raise SettingsError(stack_file, f"{key}.{e.field}", e.value, str(e)) from None
    return obj


def check_requests_within_limits(obj: Section) -> None:
    """Every `<x>_request` field is at most its `<x>_limit` twin (cpu and memory alike), for
    every section, so no component can schedule a pod Kubernetes would reject."""
    names = {f.name for f in section_fields(obj)}
    for name in sorted(names):
        if not name.endswith("_request"):
            continue
        twin = name[: -len("_request")] + "_limit"
        if twin not in names:
            continue
        amount = cpu_millis if "cpu" in name else memory_bytes
        request, limit = getattr(obj, name), getattr(obj, twin)
        if amount(request) > amount(limit):
            raise CrossFieldInvalid(camel(name), request, f"at most {camel(twin)} ({limit})")


def describe(cls: type[Section], env: str) -> list[tuple[str, Any, str]]:
    """(camelKey, default for env, doc) rows for the config reference."""
    d = cls.defaults(env)
    return [(camel(f.name), d.get(f.name), f.metadata["doc"]) for f in section_fields(cls)]
