"""Report aggregates kept up to date on write: one counter item per day (``STAT#day`` / ``YYYY-MM-DD``),
and one per day and queue (``STAT#queue-day`` / ``YYYY-MM-DD#<queue>``) for agents who may not see
every queue.

Counters are added inside the same transaction as the change they count, so the figures never
drift from the tickets. Reports read a range of days with one Query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..aws import clients
from .models import MetaItem
from .unit import Unit, read_counters

BACKLOG_KEY = ("BACKLOG", "all")  # tickets per status, and per queue and per agent while active
IN_USE_KEY = ("IN_USE", "all")  # tickets per tag (t_…) and per project (p_…): what the client offers

STAT_DAY = "STAT#day"
STAT_QUEUE_DAY = "STAT#queue-day"
QUEUE_SK = "queue#"  # per-queue counter items of BACKLOG and IN_USE: sk = "queue#<queue>"


def stats_update(unit: Unit, at: str, counters: dict[str, int]) -> None:
    """ADD the non-zero counters to today's item (the item is created by the first ADD), and to today's
    item of the queue of the ticket the unit writes."""
    amounts = {f"c_{name}": amount for name, amount in counters.items() if amount}
    unit.count(STAT_DAY, at[:10], amounts)
    unit.count_for_queue(STAT_QUEUE_DAY, at[:10], amounts)


def query(pk: str, start: str, end: str) -> list[dict[str, Any]]:
    """Every item of ``pk`` with ``start <= sk <= end`` (raw DynamoDB items; pages followed)."""
    return _pages("pk = :pk AND sk BETWEEN :a AND :b", {":pk": {"S": pk}, ":a": {"S": start}, ":b": {"S": end}})


def query_prefix(pk: str, prefix: str) -> list[dict[str, Any]]:
    """Every item of ``pk`` whose ``sk`` starts with ``prefix``."""
    return _pages("pk = :pk AND begins_with(sk, :p)", {":pk": {"S": pk}, ":p": {"S": prefix}})


def _pages(condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    ddb = clients.dynamodb()
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": MetaItem.Meta.table_name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
    }
    while True:
        page = ddb.query(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def get_counters(key: tuple[str, str], prefix: str) -> dict[str, int]:
    item = (
        clients.dynamodb()
        .get_item(TableName=MetaItem.Meta.table_name, Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
        .get("Item", {})
    )
    return read_counters(item, prefix)


def queue_counters(pk: str, prefix: str, visible: Callable[[str], bool]) -> dict[str, int]:
    """The counters of ``pk``'s per-queue items (``sk = "queue#<queue>"``), summed over the visible queues."""
    totals: dict[str, int] = {}
    for item in query_prefix(pk, QUEUE_SK):
        if visible(item["sk"]["S"].removeprefix(QUEUE_SK)):
            for name, value in read_counters(item, prefix).items():
                totals[name] = totals.get(name, 0) + value
    return totals
