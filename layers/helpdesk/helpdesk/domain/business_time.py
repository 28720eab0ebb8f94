"""Business-time arithmetic for SLA clocks (issue 17): pure functions over a calendar.

A calendar is a time zone, business hours per weekday (local wall-clock windows) and holidays (local dates
without business hours). Durations are *real* elapsed time inside business windows: a window that spans a
DST change (a 24/7 calendar's Sunday in March) is an hour shorter or longer, as the clock on the wall says.

``add_business(cal, start, amount)``: the instant when ``amount`` of business time has passed after
``start`` (``amount`` zero: the first business instant at or after ``start``).
``business_between(cal, start, end)``: how much business time lies between two instants.

The two are inverses (``business_between(cal, a, add_business(cal, a, d)) == d``), which the property tests
check across DST changes and holidays. Instants are timezone-aware; results are in UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from .dataclass import dataclass

Window = tuple[time, time]  # local [start, end); end time(0) means midnight at the end of the day
MAX_DAYS_SEARCHED = 3 * 366  # a calendar whose next business hour is further away than this is broken

OFFICE_HOURS: tuple[tuple[Window, ...], ...] = (
    *([((time(8), time(17)),)] * 5),  # Monday to Friday, 08:00–17:00
    (),
    (),
)


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class Calendar:
    tz: str = "Europe/Berlin"
    hours: tuple[tuple[Window, ...], ...] = OFFICE_HOURS  # Monday .. Sunday
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if len(self.hours) != 7:
            raise CalendarError("business hours need seven weekdays (Monday first)")
        for day in self.hours:
            previous_end = time(0)
            for index, (start, end) in enumerate(day):
                if end != time(0) and end <= start:
                    raise CalendarError(f"a business window ends before it starts: {start}–{end}")
                if index and (start < previous_end or previous_end == time(0)):
                    raise CalendarError("a day's business windows must be in order and must not overlap")
                previous_end = end
        if not any(self.hours):
            raise CalendarError("a calendar needs business hours on at least one weekday")
        ZoneInfo(self.tz)  # an unknown zone fails here, not in the middle of a job

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The business windows of a local date, as UTC instants (none on holidays)."""
        if day in self.holidays:
            return []
        out = []
        for start, end in self.hours[day.weekday()]:
            begin = _instant(day, start, self.zone)
            finish = (
                _instant(day + timedelta(days=1), time(0), self.zone)
                if end == time(0)
                else _instant(day, end, self.zone)
            )
            if finish > begin:
                out.append((begin, finish))
        return out


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant. A time the clocks skip (spring forward) counts as the end of
    the gap; a time they repeat (fall back) as its first occurrence."""
    local = datetime.combine(day, at, tzinfo=zone)
    early = local.astimezone(UTC)  # fold=0: the offset before a transition
    if early.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return early
    late = local.replace(fold=1).astimezone(UTC)  # inside a gap: the transition lies between the two
    low, high = min(early, late), max(early, late)
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(microseconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise CalendarError("business time needs timezone-aware instants")
    return moment.astimezone(UTC)


def _windows_from(cal: Calendar, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business windows that end after ``moment``, in order, clipped to start no earlier than it."""
    day = moment.astimezone(cal.zone).date() - timedelta(days=1)  # a window of yesterday may reach into today
    for offset in range(MAX_DAYS_SEARCHED):
        for start, end in cal.windows(day + timedelta(days=offset)):
            if end > moment:
                yield max(start, moment), end
    raise CalendarError(f"no business hours within {MAX_DAYS_SEARCHED} days of {moment.isoformat()}")


def add_business(cal: Calendar, start: datetime, amount: timedelta) -> datetime:
    if amount < timedelta(0):
        raise CalendarError("business time cannot be negative")
    left = amount
    for begin, end in _windows_from(cal, _aware(start)):
        if left <= end - begin:
            return begin + left
        left -= end - begin
    raise AssertionError("unreachable: _windows_from raises when it runs out")  # pragma: no cover


def business_between(cal: Calendar, start: datetime, end: datetime) -> timedelta:
    """Business time in [start, end); zero when ``end`` is not after ``start``."""
    start, end = _aware(start), _aware(end)
    total = timedelta(0)
    if end <= start:
        return total
    for begin, finish in _windows_from(cal, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total
