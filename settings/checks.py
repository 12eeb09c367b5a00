"""Value checks for stack settings.

Each check takes the raw value (stack files give YAML scalars; the Pulumi engine gives strings)
and returns the normalised value, or raises `Invalid` with what is allowed. They are pure so
they can be property-tested.
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any

Check = Callable[[Any], Any]


class Invalid(ValueError):
    """The value is not allowed; the message says what is."""


_CPU = re.compile(r"^(\d+(\.\d{1,3})?|\d+m)$")
_MEM = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|K|M|G|T|P)?$")
_DNS_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DNS_NAME = re.compile(rf"^(?=.{{1,253}}$){_DNS_LABEL}(\.{_DNS_LABEL})*$")
_K8S_NAME = re.compile(rf"^(?=.{{1,63}}$){_DNS_LABEL}$")
_VERSION = re.compile(r"^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.-]+)?$")
_IMAGE = re.compile(
    r"^[a-z0-9]+([._/-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$"
)
_CRON_TERM = re.compile(r"^(?P<range>\*|\?|(?P<lo>\w+)(-(?P<hi>\w+))?)(/(?P<step>\d+))?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# (name, lowest, highest, names of the values from the lowest, `?` allowed): robfig/cron's standard
# five fields, the parser behind Kubernetes CronJobs and CloudNativePG's ScheduledBackup.
CRON_FIELDS = (
    ("minute", 0, 59, (), False),
    ("hour", 0, 23, (), False),
    ("day of month", 1, 31, (), True),
    ("month", 1, 12, _MONTHS, False),
    ("day of week", 0, 6, _WEEKDAYS, True),
)
_CRON_ALLOWED = ("a five-field cron schedule such as '0 2 * * *' (minute 0-59, hour 0-23, day of month 1-31, "
                 "month 1-12 or jan-dec, day of week 0-6 or sun-sat; each field *, n, a-b, */s or a-b/s, comma-separated)")
_MEM_FACTORS = {
    "": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
}


def one_of(*allowed: str) -> Check:
    """An enum: the value must be one of `allowed` (case-sensitive, as written in docs)."""

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise Invalid("one of " + ", ".join(allowed))
        return value

    return check


def integer(lo: int, hi: int) -> Check:
    """A whole number in [lo, hi]; the engine passes declared integers as strings."""

    def check(value: Any) -> int:
        if isinstance(value, bool):
            raise Invalid(f"an integer from {lo} to {hi}")
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            value = int(value)
        if not isinstance(value, int) or not lo <= value <= hi:
            raise Invalid(f"an integer from {lo} to {hi}")
        return value

    return check


def boolean(value: Any) -> bool:
    """true/false; the engine passes declared booleans as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise Invalid("true or false")


def text(pattern: str = r".+", what: str = "a non-empty string") -> Check:
    """A string matching `pattern` (full match)."""
    rx = re.compile(pattern)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not rx.fullmatch(value):
            raise Invalid(what)
        return value

    return check


def iso_date(value: Any) -> str:
    """A calendar date `YYYY-MM-DD` (an unquoted YAML date arrives as a date object)."""
    if isinstance(value, datetime.date):
        return value.isoformat()[:10]
    what = "a date such as 2027-06-30 (YYYY-MM-DD)"
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise Invalid(what)
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise Invalid("a real calendar date such as 2027-06-30 (YYYY-MM-DD)") from None
    return value


def optional(inner: Check) -> Check:
    """None or an empty string means 'not set'; anything else goes through `inner`."""

    def check(value: Any) -> Any:
        if value is None or value == "":
            return None
        return inner(value)

    return check


def cpu(value: Any) -> str:
    """A Kubernetes CPU quantity: `2`, `0.5`, `500m`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _CPU.match(value) or cpu_millis(value) <= 0:
        raise Invalid("a CPU quantity greater than zero such as 500m, 2 or 0.5")
    return value


def cpu_millis(quantity: str) -> int:
    """`500m` -> 500, `2` -> 2000."""
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return round(float(quantity) * 1000)


def memory(value: Any) -> str:
    """A Kubernetes memory/storage quantity with a unit: `512Mi`, `4Gi`, `100Gi`."""
    if not isinstance(value, str) or not _MEM.match(value) or memory_bytes(value) <= 0:
        raise Invalid("a quantity greater than zero such as 512Mi, 4Gi or 100Gi")
    return value


def memory_pages(value: Any) -> str:
    """A memory quantity that is a whole number of 8 KiB pages (PostgreSQL's buffers, as managed
    databases take them): `64Mi`, `1Gi`, `4Gi`."""
    value = memory(value)
    if memory_bytes(value) % 8192:
        raise Invalid("a whole number of 8 KiB pages such as 64Mi, 1Gi or 4Gi")
    return value


def memory_bytes(quantity: str) -> int:
    """`4Gi` -> 4294967296."""
    m = re.match(r"^(\d+(?:\.\d+)?)([A-Za-z]*)$", quantity)
    if not m or m.group(2) not in _MEM_FACTORS:
        raise Invalid("a quantity such as 512Mi or 4Gi")
    return int(float(m.group(1)) * _MEM_FACTORS[m.group(2)])


def cidr(value: Any) -> str:
    """An IPv4 network in CIDR notation with no host bits set: `10.0.0.0/16`."""
    try:
        if not isinstance(value, str) or "/" not in value:
            raise ValueError
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise Invalid("an IPv4 CIDR block such as 10.0.0.0/16 (prefix 0-32, no host bits)") from None
    return str(net)


def cidr_list(value: Any) -> tuple[str, ...]:
    """A list of CIDR blocks (e.g. who may reach a public endpoint)."""
    if not isinstance(value, (list, tuple)):
        raise Invalid("a list of IPv4 CIDR blocks such as [203.0.113.0/24]")
    return tuple(cidr(v) for v in value)


def dns_name(value: Any) -> str:
    """A lower-case DNS name: `data.example.com`."""
    if not isinstance(value, str) or not _DNS_NAME.match(value):
        raise Invalid("a lower-case DNS name such as data.example.com")
    return value


def k8s_name(value: Any) -> str:
    """A Kubernetes object name (RFC 1123 label)."""
    if not isinstance(value, str) or not _K8S_NAME.match(value):
        raise Invalid("a lower-case RFC 1123 name (a-z, 0-9, '-', at most 63 characters)")
    return value


def version(value: Any) -> str:
    """A version such as `1.31`, `16.4`, `8.15.0` or `v1.2.3-eksbuild.1`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _VERSION.match(value):
        raise Invalid("a version such as 1.31, 16.4 or 8.15.0")
    return value


def image(value: Any) -> str:
    """A container image reference pinned by tag or digest (never `latest`)."""
    if not isinstance(value, str) or not _IMAGE.match(value) or (":" not in value.rsplit("/", 1)[-1] and "@" not in value):
        raise Invalid("an image reference pinned by tag or digest such as dremio/dremio-oss:26.0")
    if value.rsplit("/", 1)[-1].split("@")[0].endswith(":latest"):
        raise Invalid("an image pinned to a version; 'latest' is not reproducible")
    return value


def cron_field(text: str, lo: int, hi: int, names: tuple[str, ...] = (), any_mark: bool = False) -> frozenset[int]:
    """The values one cron field matches, as robfig/cron parses it: comma-separated terms, each `*`
    (or `?` in the day fields), `n` or `a-b` (numbers or names), optionally `/step`; `n/step` runs
    from n to the field's end. Raises `Invalid` for what the parser (and so the API server or the
    operator) would refuse: values outside [lo, hi], a range that ends before it starts, step 0."""

    def value(token: str) -> int:
        if token.lower() in names:
            return lo + names.index(token.lower())
        if not token.isdigit() or not lo <= int(token) <= hi:
            raise Invalid(f"{token!r} is not from {lo} to {hi}" + (f" or {names[0]}-{names[-1]}" if names else ""))
        return int(token)

    matched: set[int] = set()
    for term in text.split(","):
        m = _CRON_TERM.match(term)
        if not m or (m["range"] == "?" and not any_mark):
            raise Invalid(f"{term!r} is not *, n, a-b, */s or a-b/s")
        start, end = (lo, hi) if m["range"] in ("*", "?") else (value(m["lo"]), value(m["hi"]) if m["hi"] else None)
        step = int(m["step"]) if m["step"] else 1
        if end is None:
            end = hi if m["step"] else start
        if step == 0 or start > end:
            raise Invalid(f"{term!r} is an empty range" if start > end else f"{term!r} has a step of 0")
        matched.update(range(start, end + 1, step))
    return frozenset(matched)


def cron(value: Any) -> str:
    """A five-field cron schedule whose every field is in range: `0 2 * * *`."""
    if not isinstance(value, str) or len(value.split()) != 5:
        raise Invalid(_CRON_ALLOWED)
    for field, (name, lo, hi, field_names, any_mark) in zip(value.split(), CRON_FIELDS):
        try:
            cron_field(field, lo, hi, field_names, any_mark)
        except Invalid as e:
            raise Invalid(f"its {name} {e} ({_CRON_ALLOWED})") from None
    from .cron import CronError, max_gap_minutes

    try:
        max_gap_minutes(value)  # a date that never comes (30 February) never runs
    except CronError as e:
        raise Invalid(f"{e} ({_CRON_ALLOWED})") from None
    return value


@functools.cache
def _iana_zones() -> frozenset[str]:
    """The IANA zone names of the pinned tzdata package (not the host's /usr/share/zoneinfo, so
    every machine accepts the same names)."""
    return frozenset(importlib.resources.files("tzdata").joinpath("zones").read_text().split())


def time_zone(value: Any) -> str:
    """An IANA time zone name, as a CronJob's `timeZone` needs (the API server refuses others)."""
    if not isinstance(value, str) or value not in _iana_zones():
        raise Invalid("an IANA time zone name such as Europe/Paris, America/New_York or UTC (case-sensitive)")
    return value


_DURATION = re.compile(r"^([1-9]\d{0,4})(m|h|d)$")
_DURATION_UNITS = {"m": 60, "h": 3600, "d": 86400}


def duration(value: Any) -> str:
    """A duration in minutes, hours or days: `15m`, `4h`, `1d` (RPO/RTO targets, timeouts)."""
    if not isinstance(value, str) or not _DURATION.match(value):
        raise Invalid("a duration such as 5m, 4h or 1d")
    return value


def duration_seconds(value: str) -> int:
    """`15m` -> 900."""
    m = _DURATION.match(value)
    if not m:
        raise Invalid("a duration such as 5m, 4h or 1d")
    return int(m.group(1)) * _DURATION_UNITS[m.group(2)]


def human_duration(seconds: int) -> str:
    """900 -> `15m`, 86400 -> `24h`, 90 -> `90s`: the largest unit that divides it."""
    if seconds == 0:
        return "0"
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def string_list(item: Check = text()) -> Check:
    """A list whose items each pass `item`."""

    def check(value: Any) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise Invalid("a list")
        return tuple(item(v) for v in value)

    return check


def mapping(value: Any) -> dict:
    """A free-form string map (e.g. extra labels)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise Invalid("a map of string keys")
    return {k: str(v) for k, v in value.items()}


def all_of(*checks: Check) -> Check:
    def check(value: Any) -> Any:
        for c in checks:
            value = c(value)
        return value

    return check


def names(values: Iterable[str]) -> str:
    return ", ".join(values)
