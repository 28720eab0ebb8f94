"""Use case: reports (``GET /stats``), read from aggregates kept on write, never from a scan of tickets.

* volume, replies, auto-replies sent/suppressed, closed, reopened: day counters (``STAT#day``), one Query;
* first-response and resolution time (median, p90): one duration item per ticket event, one Query per month;
* backlog by status, queue and agent: live counters moved in every ticket write (``BACKLOG``), one GetItem.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..aws import clients
from ..store.models import MetaItem
from ..store.stats import STAT_DAY
from ..store.unit import read_counters
from ..store.writes import BACKLOG_KEY


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


def _query(pk: str, start: str, end: str) -> list[dict[str, Any]]:
    ddb = clients.dynamodb()
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": MetaItem.Meta.table_name,
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":a": {"S": start}, ":b": {"S": end}},
    }
    while True:
        page = ddb.query(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = fraction * (len(ordered) - 1)
    low, high = int(rank), min(int(rank) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _durations(kind: str, start: date, end: date) -> Durations:
    values: list[float] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        for item in _query(f"DUR#{kind}#{month:%Y-%m}", start.isoformat(), f"{end.isoformat()}~"):
            values.append(int(item["value"]["N"]) / 3600)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    if not values:
        return Durations()
    return Durations(len(values), round(percentile(values, 0.5), 2), round(percentile(values, 0.9), 2))


def report(start: date, end: date, granularity: str = "day") -> Report:
    days = {item["sk"]["S"]: read_counters(item, "c_") for item in _query(STAT_DAY, start.isoformat(), end.isoformat())}
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
    backlog_raw = (
        clients.dynamodb()
        .get_item(TableName=MetaItem.Meta.table_name, Key={"pk": {"S": BACKLOG_KEY[0]}, "sk": {"S": BACKLOG_KEY[1]}})
        .get("Item", {})
    )
    counters = read_counters(backlog_raw, "b_")
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
        first_response=_durations("first_response", start, end),
        resolution=_durations("resolution", start, end),
        backlog=backlog,
    )
