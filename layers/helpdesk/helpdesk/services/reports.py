"""Use case: reports (``GET /stats``), read from aggregates kept on write, never from a scan of tickets.

* volume, replies, auto-replies sent/suppressed, closed, reopened: day counters (``STAT#day``), one Query;
* first-response and resolution time (median, p90): one duration item per ticket event, one Query per month;
* backlog by status, queue and agent: live counters moved in every ticket write (``BACKLOG``), one GetItem.

For an agent who may not see every queue (``visible``) the same figures come from their per-queue
twins, summed over the queues they may see: ``STAT#queue-day`` items, the ``queue`` of each duration,
``BACKLOG``/``queue#<queue>`` items (one Query each instead of the GetItem).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..store.stats import BACKLOG_KEY, STAT_DAY, STAT_QUEUE_DAY, get_counters, query, queue_counters
from ..store.unit import read_counters

Visible = Callable[[str], bool] | None  # which queues count; None: all (team-wide figures)


@dataclass
class Durations:
    count: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass
class Report:
    start: str
    end: str
    granularity: str
    series: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    first_response: Durations = field(default_factory=Durations)
    resolution: Durations = field(default_factory=Durations)
    backlog: dict[str, dict[str, int]] = field(default_factory=dict)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = fraction * (len(ordered) - 1)
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _durations(kind: str, start: date, end: date, visible: Visible) -> Durations:
    values: list[float] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        for item in query(f"DUR#{kind}#{month:%Y-%m}", start.isoformat(), f"{end.isoformat()}~"):
            # (durations recorded before they carried their queue count for the team-wide figures only)
            if visible is None or ("queue" in item and visible(item["queue"]["S"])):
                values.append(int(item["value"]["N"]) / 3600)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if not values:
        return Durations()
    return Durations(len(values), round(percentile(values, 0.5), 2), round(percentile(values, 0.9), 2))


def _days(start: date, end: date, visible: Visible) -> dict[str, dict[str, int]]:
    """Day → counters: the team's day items, or the visible queues' day items summed."""
    if visible is None:
        return {
            item["sk"]["S"]: read_counters(item, "c_") for item in query(STAT_DAY, start.isoformat(), end.isoformat())
        }
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for item in query(STAT_QUEUE_DAY, start.isoformat(), f"{end.isoformat()}$"):  # "$" sorts right after "#"
        day, _, queue = item["sk"]["S"].partition("#")
        if visible(queue):
            for name, value in read_counters(item, "c_").items():
                days[day][name] += value
    return {day: dict(counters) for day, counters in days.items()}


def report(start: date, end: date, granularity: str = "day", visible: Visible = None) -> Report:
    """The figures of ``start`` … ``end``; ``visible`` says which queues count (None: every queue)."""
    days = _days(start, end, visible)
    buckets: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    totals: dict[str, int] = defaultdict(int)
    day = start
    while day <= end:
        key = day.isoformat() if granularity == "day" else (day - timedelta(days=day.weekday())).isoformat()
        buckets[key]  # every period appears, empty ones too
        for name, value in days.get(day.isoformat(), {}).items():
            buckets[key][name] += value
            totals[name] += value
        day += timedelta(days=1)
    counters = get_counters(BACKLOG_KEY, "b_") if visible is None else queue_counters(BACKLOG_KEY[0], "b_", visible)
    backlog: dict[str, dict[str, int]] = {"status": {}, "queue": {}, "agent": {}}
    for name, value in counters.items():
        kind, _, key = name.partition("_")
        if kind in backlog and value:
            backlog[kind][key] = value
    return Report(
        start=start.isoformat(),
        end=end.isoformat(),
        granularity=granularity,
        series=[{"period": period, **values} for period, values in sorted(buckets.items())],
        totals=dict(totals),
        first_response=_durations("first_response", start, end, visible),
        resolution=_durations("resolution", start, end, visible),
        backlog=backlog,
    )
