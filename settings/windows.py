"""RDS backup and maintenance windows as minutes of a day or of the week (pure, property-tested).

RDS takes a daily backup window `hh24:mi-hh24:mi` and a weekly maintenance window
`ddd:hh24:mi-ddd:hh24:mi`, both in UTC and at least 30 minutes long, and refuses a backup window
that overlaps the maintenance window. Either may wrap: past midnight (`23:30-00:30`) or past the
end of the week (`sun:23:00-mon:01:00`). A window is `(start, length)` on a circle of `period`
minutes, half-open: one that ends at 04:00 does not overlap one that starts at 04:00.
"""

from __future__ import annotations

import re

from .checks import Invalid

DAY = 24 * 60
WEEK = 7 * DAY
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_MINUTES = 30
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
_DAILY = re.compile(rf"{_TIME}-{_TIME}")
_WEEKLY = re.compile(rf"({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}")

Window = tuple[int, int]
"""(start minute, length in minutes) on a circle of a day or a week."""


def _window(start: int, end: int, period: int, allowed: str) -> Window:
    length = (end - start) % period
    if length < MIN_MINUTES:
        raise Invalid(f"{allowed}, at least {MIN_MINUTES} minutes long")
    return start, length


def daily(text: object) -> Window:
    """`03:00-04:00` -> (180, 60); `23:30-00:30` -> (1410, 60)."""
    allowed = "a UTC window hh24:mi-hh24:mi such as 03:00-04:00"
    m = _DAILY.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise Invalid(allowed)
    h1, m1, h2, m2 = map(int, m.groups())
    return _window(h1 * 60 + m1, h2 * 60 + m2, DAY, allowed)


def weekly(text: object) -> Window:
    """`sun:04:00-sun:05:00` -> (8880, 60), counted from Monday 00:00."""
    allowed = "a UTC window ddd:hh24:mi-ddd:hh24:mi (mon..sun, lower case) such as sun:04:00-sun:05:00"
    m = _WEEKLY.fullmatch(text) if isinstance(text, str) else None
    if not m:
        raise Invalid(allowed)
    d1, h1, m1, d2, h2, m2 = m.groups()
    at = lambda d, h, mi: DAYS.index(d) * DAY + int(h) * 60 + int(mi)  # noqa: E731
    return _window(at(d1, h1, m1), at(d2, h2, m2), WEEK, allowed)


def overlap(a: Window, b: Window, period: int) -> bool:
    """Whether two windows on a circle of `period` minutes share a minute."""
    return (b[0] - a[0]) % period < a[1] or (a[0] - b[0]) % period < b[1]


def daily_overlaps_weekly(day_window: Window, week_window: Window) -> bool:
    """Whether a window repeated every day meets a weekly one on any day of the week."""
    return any(overlap((d * DAY + day_window[0], day_window[1]), week_window, WEEK) for d in range(7))
