"""Five-field cron schedules: field ranges, and the longest gap between two runs.

The gap is what a schedule-only backup (no continuous log) can lose in the worst case, so the
RPO rules (settings/recovery.py) need it exactly, not guessed from the text. Pure functions,
property-tested against a brute-force walk of the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Eight years (two leap days): every day-of-month/month/weekday combination that can happen
# happens, and every gap between runs, up to 29 February's four years, lies inside the window.
_START = dt.date(2024, 1, 1)
_DAYS = (dt.date(2032, 1, 1) - _START).days


class CronError(ValueError):
    """The schedule is not a valid five-field cron; the message says which field."""


def parse(schedule: str) -> tuple[frozenset[int], ...]:
    """The set of values of each of the five fields, parsed by `checks.cron_field` (the one
    parser of cron fields; day of week 0 is Sunday)."""
    from .checks import CRON_FIELDS, Invalid, cron_field

    parts = schedule.split()
    if len(parts) != 5:
        raise CronError("five fields: minute hour day-of-month month day-of-week")
    try:
        return tuple(cron_field(p, lo, hi, names, any_mark) for p, (_, lo, hi, names, any_mark) in zip(parts, CRON_FIELDS))
    except Invalid as e:
        raise CronError(str(e)) from None


def _restricted(field: str) -> bool:
    return not field.startswith(("*", "?"))


def run_days(schedule: str) -> list[int]:
    """Day offsets from _START, over eight years, on which the schedule fires (cron's rule: when
    both day-of-month and day-of-week are restricted, either one matching is enough)."""
    _, _, dom, month, dow = parse(schedule)
    fields = schedule.split()
    either = _restricted(fields[2]) and _restricted(fields[4])
    days = []
    for i in range(_DAYS):
        d = _START + dt.timedelta(days=i)
        if d.month not in month:
            continue
        m_dom, m_dow = d.day in dom, (d.isoweekday() % 7) in dow
        if (m_dom or m_dow) if either else (m_dom and m_dow):
            days.append(i)
    return days


def run_minutes_of_day(schedule: str) -> list[int]:
    minute, hour, *_ = parse(schedule)
    return sorted(h * 60 + m for h in hour for m in minute)


def max_gap_minutes(schedule: str) -> int:
    """The longest time between two consecutive runs, in minutes (29 February: four years)."""
    days, times = run_days(schedule), run_minutes_of_day(schedule)
    if not days:
        raise CronError("that day of month never occurs in the months given")
    within = max((b - a for a, b in zip(times, times[1:])), default=0)
    between = max((b - a for a, b in zip(days, days[1:])), default=0)
    return max(within, between * 1440 - times[-1] + times[0]) if between else max(within, 1440)


def runs(schedule: str, days: Iterable[int]) -> list[int]:
    """Absolute run minutes on the given day offsets (for tests and docs)."""
    times = run_minutes_of_day(schedule)
    return [d * 1440 + t for d in days for t in times]


def quartz_fields(schedule: str) -> str:
    """A five-field cron -> Quartz's five date fields (minute hour day-of-month month
    day-of-week): one of day-of-month/day-of-week `?`, days of week numbered 1-7 from Sunday
    instead of 0-6. AWS (EventBridge/Backup) and Elasticsearch (SLM, Watcher) both read them."""
    parse(schedule)  # valid first
    minute, hour, dom, month, dow = schedule.split()
    if _restricted(dom) and _restricted(dow):
        raise CronError("day of month or day of week, not both: a Quartz-style cron cannot express their union")
    if "/" in dow:
        raise CronError("days of week as a list or range (no step): Quartz numbers them differently")
    if not _restricted(dow):
        return f"{minute} {hour} {dom} {month} ?"

    def day(n: str) -> str:
        return str(int(n) % 7 + 1)

    def part(p: str) -> str:
        a, dash, b = p.partition("-")
        if dash and int(b) == 7 and int(a) > 0:  # 5-7: Friday..Sunday -> 6-7,1
            return f"{day(a)}-7,1"
        return day(a) + (dash + day(b) if dash else "")

    return f"{minute} {hour} ? {month} {','.join(part(p) for p in dow.split(','))}"


def aws_schedule(schedule: str) -> str:
    """A five-field cron -> an AWS (EventBridge/Backup) `cron(...)`: Quartz's fields and a year."""
    return f"cron({quartz_fields(schedule)} *)"


def elasticsearch_schedule(schedule: str) -> str:
    """A five-field cron -> Elasticsearch's cron (SLM `schedule`): seconds first, then Quartz's fields."""
    return f"0 {quartz_fields(schedule)}"


UTC = "Etc/UTC"


def _offsets(zone: str) -> tuple[int, int]:
    """(standard, daylight) UTC offsets of `zone` in minutes: the smaller and the larger of its
    offsets on 1 January and 1 July (equal where the zone has no daylight saving time)."""
    from zoneinfo import ZoneInfo

    z = ZoneInfo(zone)
    offs = sorted(_utc_offset_minutes(dt.datetime(2026, m, 1, 12, tzinfo=z)) for m in (1, 7))
    return offs[0], offs[1]


def _utc_offset_minutes(when: dt.datetime) -> int:
    offset = when.utcoffset()
    if offset is None:  # only a naive datetime has none
        raise ValueError(f"{when}: no time zone")
    return int(offset.total_seconds() // 60)


def dst_minutes(zone: str) -> int:
    """How much longer than the cron's own gap two runs may be apart in `zone` (the
    daylight-saving shift; 0 in UTC): what a "too old" alert must allow for."""
    standard, daylight = _offsets(zone)
    return daylight - standard


def utc_schedule(schedule: str, zone: str) -> str:
    """A daily five-field cron meant in `zone` as the UTC cron of the same runs in the zone's
    *standard* time: for schedulers that only know UTC (CloudNativePG's ScheduledBackup,
    cloudnative-pg#9382; Elasticsearch's SLM). Under daylight saving time the runs happen
    `dst_minutes(zone)` later on the wall clock. Only schedules whose day fields are all `*` can be
    moved (a shift across midnight would change the day), and only when every hour keeps the
    same minutes."""
    parse(schedule)
    standard, _ = _offsets(zone)
    if standard == 0:
        return schedule
    minute, hour, *days = schedule.split()
    if any(f != "*" for f in days):
        raise CronError(f"a daily schedule (day of month, month and day of week '*') to be moved from {zone} to UTC")
    minutes, hours, *_ = parse(schedule)
    runs = sorted({(h * 60 + m - standard) % 1440 for h in hours for m in minutes})
    by_hour: dict[int, set[int]] = {}
    for t in runs:
        by_hour.setdefault(t // 60, set()).add(t % 60)
    if len({frozenset(v) for v in by_hour.values()}) != 1:
        raise CronError(f"the same minutes in every hour once moved from {zone} to UTC (a half-hour offset splits them)")
    mins = sorted(next(iter(by_hour.values())))
    minute_field = "*" if len(mins) == 60 else ",".join(map(str, mins))
    hour_field = "*" if len(by_hour) == 24 else ",".join(map(str, sorted(by_hour)))
    return f"{minute_field} {hour_field} * * *"
