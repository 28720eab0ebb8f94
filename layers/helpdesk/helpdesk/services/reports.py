"""Use case: reports (``GET /stats``), read from aggregates kept on write, never from a scan of tickets.

* volume, replies, auto-replies sent/suppressed, closed, reopened: day counters (``STAT#day``), one Query;
* first-response and resolution time (median, p90): one duration item per ticket event, one Query per month;
* backlog by status, queue and agent: live counters moved in every ticket write (``BACKLOG``), one GetItem;
* SLA clocks met and breached per metric (breach rate): day counters too, no further read.

For an agent (``scope``, :func:`~helpdesk.domain.access.aggregate_scope`) the figures count only the
tickets they may see, still without reading tickets:

* an agent who may not see every queue gets the per-queue twins summed over the queues they may see
  (``STAT#queue-day`` items, the ``queue`` of each duration, ``BACKLOG``/``queue#<queue>``);
* every agent gets the private tickets of others taken out: their twins per queue and owner
  (``STAT#private-day`` items, one Query over the range; the ``owner`` of each duration;
  ``BACKLOG``/``private#<queue>#<owner>``, read in the same Query as the backlog).

Admins read exactly what they read before (one Query, one GetItem, one Query per month).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import field
from datetime import date, timedelta
from typing import Any

from ..domain.access import Scope
from ..domain.dataclass import dataclass
from ..store.stats import (
    BACKLOG_KEY,
    STAT_DAY,
    STAT_PRIVATE_DAY,
    STAT_QUEUE_DAY,
    day_counters,
    durations,
    scoped_counters,
    split_private_key,
)


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
    sla: dict[str, SlaRate] = field(default_factory=dict)


@dataclass
class SlaRate:
    met: int = 0
    breached: int = 0
    breach_rate: float | None = None


SLA_METRICS = ("first_response", "next_response", "solution")


def sla_rates(totals: dict[str, int]) -> dict[str, SlaRate]:
    """Per SLA metric: clocks met and breached (day counters ``sla_<metric>_met``/``_breached`` that
    services/timed.py adds when a clock settles), and the breach rate."""
    rates = {}
    for metric in SLA_METRICS:
        met, breached = totals.get(f"sla_{metric}_met", 0), totals.get(f"sla_{metric}_breached", 0)
        rate = round(breached / (met + breached), 4) if met + breached else None
        rates[metric] = SlaRate(met, breached, rate)
    return rates


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = fraction * (len(ordered) - 1)
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _durations(kind: str, start: date, end: date, scope: Scope | None) -> Durations:
    """Median and p90 of the durations ``scope`` counts (None: every one). (Durations recorded before they
    carried their queue count for the team-wide figures only; before they carried their owner, for everyone.)"""
    values = [d.seconds / 3600 for d in durations(kind, start, end) if scope is None or scope.counts(d.queue, d.owner)]
    if not values:
        return Durations()
    return Durations(len(values), round(percentile(values, 0.5), 2), round(percentile(values, 0.9), 2))


def _days(start: date, end: date, scope: Scope | None) -> dict[str, dict[str, int]]:
    """Day → counters: the team's day items, or the visible queues' day items summed; for an agent minus
    the day items of the private tickets they may not see."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if scope is None or scope.queues is None:
        for day, counters in day_counters(STAT_DAY, start.isoformat(), end.isoformat()):
            days[day].update(counters)
        if scope is None:
            return {day: dict(counters) for day, counters in days.items()}
    else:
        for sk, counters in day_counters(STAT_QUEUE_DAY, start.isoformat(), f"{end.isoformat()}$"):  # "$": after "#"
            day, _, queue = sk.partition("#")
            if scope.queues(queue):
                for name, value in counters.items():
                    days[day][name] += value
    for sk, counters in day_counters(STAT_PRIVATE_DAY, start.isoformat(), f"{end.isoformat()}$"):
        day, _, key = sk.partition("#")
        queue, owner = split_private_key(key)
        if (scope.queues is None or scope.queues(queue)) and not scope.sees_private(queue, owner):
            for name, value in counters.items():
                days[day][name] -= value
    return {day: dict(counters) for day, counters in days.items()}


def report(start: date, end: date, granularity: str = "day", scope: Scope | None = None) -> Report:
    """The figures of ``start`` … ``end`` that ``scope`` counts (None: every ticket's)."""
    days = _days(start, end, scope)
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
    counters = scoped_counters(BACKLOG_KEY, "b_", scope)
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
        first_response=_durations("first_response", start, end, scope),
        resolution=_durations("resolution", start, end, scope),
        backlog=backlog,
        sla=sla_rates(totals),
    )
