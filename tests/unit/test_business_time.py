"""Business-time arithmetic (domain/business_time.py): worked examples and properties across DST and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpdesk.domain.business_time import Calendar, CalendarError, add_business, business_between

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = Calendar()  # Monday–Friday 08:00–17:00, Europe/Berlin
ALWAYS = Calendar(hours=tuple([((time(0), time(0)),)] * 7))  # 24/7
CHRISTMAS = frozenset({date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 31)})
SPLIT = Calendar(
    hours=(*([((time(8), time(12)), (time(13), time(17, 30)))] * 4), ((time(8), time(14)),), (), ()),
    holidays=CHRISTMAS,
)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_friday_afternoon_plus_two_hours_is_monday_morning() -> None:
    assert add_business(OFFICE, berlin(2026, 12, 4, 16), timedelta(hours=2)) == berlin(2026, 12, 7, 9)


def test_a_mail_at_night_starts_the_clock_at_eight() -> None:
    assert add_business(OFFICE, berlin(2026, 12, 2, 23, 30), timedelta(0)) == berlin(2026, 12, 3, 8)
    assert business_between(OFFICE, berlin(2026, 12, 2, 23), berlin(2026, 12, 3, 9)) == timedelta(hours=1)


def test_holidays_have_no_business_hours() -> None:
    # Wednesday 23rd, 16:00 + 8 h: 1.5 h that day; 24th and 25th holidays, weekend; Monday 4 h + 2.5 h → 15:30
    assert add_business(SPLIT, berlin(2026, 12, 23, 16), timedelta(hours=8)) == berlin(2026, 12, 28, 15, 30)


def test_the_lunch_break_does_not_count() -> None:
    assert business_between(SPLIT, berlin(2026, 12, 1, 11), berlin(2026, 12, 1, 14)) == timedelta(hours=2)


def test_a_24_7_clock_counts_the_real_hours_across_dst() -> None:
    # Spring forward (29 March 2026): Saturday noon to Monday noon is 47 real hours; fall back (25 Oct): 49.
    assert business_between(ALWAYS, berlin(2026, 3, 28, 12), berlin(2026, 3, 30, 12)) == timedelta(hours=47)
    assert business_between(ALWAYS, berlin(2026, 10, 24, 12), berlin(2026, 10, 26, 12)) == timedelta(hours=49)


def test_office_hours_are_nine_hours_on_the_monday_after_a_dst_change() -> None:
    monday = berlin(2026, 3, 30, 0)
    assert business_between(OFFICE, monday, monday + timedelta(days=1)) == timedelta(hours=9)
    assert add_business(OFFICE, berlin(2026, 3, 27, 16), timedelta(hours=2)) == berlin(2026, 3, 30, 9)


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clocks_have_jumped() -> None:
    night = Calendar(hours=tuple([((time(2, 30), time(4)),)] * 7))
    start = add_business(night, berlin(2026, 3, 29, 0), timedelta(0))
    assert start == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST, the end of the gap
    assert business_between(night, berlin(2026, 3, 29, 0), berlin(2026, 3, 29, 12)) == timedelta(hours=1)


@pytest.mark.parametrize(
    "hours",
    [
        (),
        tuple([()] * 7),
        tuple([((time(17), time(8)),)] * 7),
        tuple([((time(8), time(12)), (time(11), time(14)))] * 7),
    ],
)
def test_a_broken_calendar_is_refused(hours: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(CalendarError):
        Calendar(hours=hours)


def test_naive_instants_and_negative_amounts_are_refused() -> None:
    with pytest.raises(CalendarError):
        add_business(OFFICE, datetime(2026, 12, 1, 9), timedelta(hours=1))
    with pytest.raises(CalendarError):
        add_business(OFFICE, berlin(2026, 12, 1, 9), timedelta(hours=-1))


# ------------------------------------------------------------------------------------------ properties
# Instants around both 2026 DST changes and Christmas, to the minute; amounts up to three weeks of business.
def _instants() -> st.SearchStrategy[datetime]:
    anchors = [berlin(2026, 3, 26), berlin(2026, 10, 22), berlin(2026, 12, 20)]
    return st.builds(
        lambda anchor, minutes: (anchor + timedelta(minutes=minutes)).astimezone(UTC),
        st.sampled_from(anchors),
        st.integers(min_value=0, max_value=14 * 24 * 60),
    )


CALENDARS = st.sampled_from([OFFICE, ALWAYS, SPLIT, Calendar(tz="America/New_York")])
AMOUNTS = st.integers(min_value=0, max_value=3 * 5 * 9 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=300, deadline=None)
@given(CALENDARS, _instants(), AMOUNTS)
def test_between_undoes_add(cal: Calendar, start: datetime, amount: timedelta) -> None:
    assert business_between(cal, start, add_business(cal, start, amount)) == amount


@settings(max_examples=200, deadline=None)
@given(CALENDARS, _instants(), AMOUNTS, AMOUNTS)
@example(OFFICE, berlin(2026, 3, 26, 8), timedelta(hours=9), timedelta(0))  # lands on a window's end (failed once)
def test_adding_in_two_steps_is_adding_once(cal: Calendar, start: datetime, x: timedelta, y: timedelta) -> None:
    once = add_business(cal, start, x + y)
    twice = add_business(cal, add_business(cal, start, x), y)
    if y:
        assert twice == once
    else:  # adding nothing moves a window's end on to the next window's start: the same business moment
        assert twice == add_business(cal, once, timedelta(0))
        assert business_between(cal, once, twice) == timedelta(0)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, _instants(), _instants(), _instants())
def test_between_adds_up_and_never_exceeds_real_time(cal: Calendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert business_between(cal, a, b) + business_between(cal, b, c) == business_between(cal, a, c)
    assert timedelta(0) <= business_between(cal, a, c) <= c - a


@settings(max_examples=200, deadline=None)
@given(CALENDARS, _instants(), AMOUNTS, AMOUNTS)
def test_more_business_time_is_never_earlier(cal: Calendar, start: datetime, x: timedelta, y: timedelta) -> None:
    small, large = sorted((x, y))
    assert add_business(cal, start, small) <= add_business(cal, start, large)
