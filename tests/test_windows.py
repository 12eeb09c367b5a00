"""RDS windows: parsing and overlap on the day and the week (settings/windows.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settings import windows
from settings.checks import Invalid

times = st.tuples(st.integers(0, 23), st.integers(0, 59))


def hhmm(t: tuple[int, int]) -> str:
    return f"{t[0]:02d}:{t[1]:02d}"


@pytest.mark.parametrize("text,window", [("03:00-04:00", (180, 60)), ("23:30-00:30", (1410, 60)), ("00:00-23:59", (0, 1439))])
def test_daily_window_minutes(text, window):
    assert windows.daily(text) == window


@pytest.mark.parametrize("bad", ["24:00-01:00", "03:60-04:30", "3:00-4:00", "03:00-03:29", "03:00-03:00", "03:00", "sun:03:00-sun:04:00", 300])
def test_daily_window_rejects(bad):
    with pytest.raises(Invalid):
        windows.daily(bad)


@pytest.mark.parametrize("text,window", [("mon:00:00-mon:00:30", (0, 30)), ("sun:04:00-sun:05:00", (6 * 1440 + 240, 60)), ("sun:23:00-mon:01:00", (6 * 1440 + 1380, 120))])
def test_weekly_window_minutes(text, window):
    assert windows.weekly(text) == window


@pytest.mark.parametrize("bad", ["sun:04:00-sun:04:15", "Sun:04:00-Sun:05:00", "sun:25:00-sun:26:00", "sunday:04:00-sunday:05:00", "04:00-05:00"])
def test_weekly_window_rejects(bad):
    with pytest.raises(Invalid):
        windows.weekly(bad)


@given(times, times)
def test_a_valid_daily_window_is_its_length_from_its_start(a, b):
    length = ((b[0] * 60 + b[1]) - (a[0] * 60 + a[1])) % windows.DAY
    text = f"{hhmm(a)}-{hhmm(b)}"
    if length < 30:
        with pytest.raises(Invalid):
            windows.daily(text)
    else:
        assert windows.daily(text) == (a[0] * 60 + a[1], length)


def minutes(w: windows.Window, period: int) -> set[int]:
    return {(w[0] + i) % period for i in range(w[1])}


@given(st.integers(2, 60).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, p - 1), st.integers(1, p - 1), st.integers(0, p - 1), st.integers(1, p - 1))))
def test_overlap_is_sharing_a_minute_on_the_circle(args):
    period, a0, la, b0, lb = args
    a, b = (a0, la), (b0, lb)
    assert windows.overlap(a, b, period) == bool(minutes(a, period) & minutes(b, period)) == windows.overlap(b, a, period)


@given(times, st.integers(30, 300), st.integers(0, windows.WEEK - 1), st.integers(30, 600))
def test_a_daily_window_meets_a_weekly_one_iff_they_share_a_minute_of_some_day(start, day_len, week_start, week_len):
    daily = (start[0] * 60 + start[1], day_len)
    every_day = set().union(*(minutes((d * windows.DAY + daily[0], day_len), windows.WEEK) for d in range(7)))
    assert windows.daily_overlaps_weekly(daily, (week_start, week_len)) == bool(every_day & minutes((week_start, week_len), windows.WEEK))
