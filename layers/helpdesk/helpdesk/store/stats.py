"""Report aggregates kept up to date on write: one counter item per day (``STAT#day`` / ``YYYY-MM-DD``),
and one per day and queue (``STAT#queue-day`` / ``YYYY-MM-DD#<queue>``) for agents who may not see
every queue.

Private tickets (visible to their assignee and admins only) count in all of these, and besides in
twins per queue and owner: ``STAT#private-day`` / ``YYYY-MM-DD#<queue>#<owner>``, and
``BACKLOG``/``IN_USE`` items ``private#<queue>#<owner>`` (owner ``-``: assigned to nobody). An agent's
figures are the team's (or their queues') minus the twins of the private tickets they may not see:
one more Query of a few items, never a read of tickets (:func:`scoped_counters`).

Counters are added inside the same transaction as the change they count, so the figures never
drift from the tickets. Reports read a range of days with one Query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ..aws import clients
from ..domain.access import NO_OWNER, Scope
from ..domain.dataclass import dataclass
from ..domain.lifecycle import Records
from .models import MetaItem, TicketItem
from .unit import Unit, counter_attribute, read_counters

BACKLOG_KEY = ("BACKLOG", "all")  # tickets per status, and per queue and per agent while active
IN_USE_KEY = ("IN_USE", "all")  # tickets per tag (t_…) and per project (p_…): what the client offers

STAT_DAY = "STAT#day"
STAT_QUEUE_DAY = "STAT#queue-day"
STAT_PRIVATE_DAY = "STAT#private-day"
QUEUE_SK = "queue#"  # per-queue counter items of BACKLOG and IN_USE: sk = "queue#<queue>"
PRIVATE_SK = "private#"  # per queue and owner of private tickets: sk = "private#<queue>#<owner>"


def private_owner(ticket: TicketItem) -> str | None:
    """Whose private ticket this is (:data:`NO_OWNER`: nobody's yet), None when it is not private."""
    return (ticket.assignee or NO_OWNER) if ticket.private else None


def private_key(queue: str, owner: str) -> str:
    """``<queue>#<owner>`` (queue ids and usernames have no ``#``)."""
    return f"{queue}#{owner}"


def split_private_key(key: str) -> tuple[str, str]:
    queue, _, owner = key.rpartition("#")
    return queue, owner


def stats_update(unit: Unit, at: str, counters: dict[str, int]) -> None:
    """ADD the non-zero counters to today's item (the item is created by the first ADD), and to today's
    item of the queue of the ticket the unit writes."""
    amounts = {f"c_{name}": amount for name, amount in counters.items() if amount}
    unit.count(STAT_DAY, at[:10], amounts)
    unit.count_for_queue(STAT_QUEUE_DAY, at[:10], amounts, private_pk=STAT_PRIVATE_DAY)


def duration_pk(kind: str, month: str) -> str:
    """The partition of one kind's durations (``first_response``, ``resolution``) of a month (``YYYY-MM``)."""
    return f"DUR#{kind}#{month}"


def save_records(unit: Unit, ticket: TicketItem, records: Records, at: str) -> None:
    """Write what a lifecycle change leaves for the reports (domain/lifecycle.py) into ``unit``."""
    for kind, seconds in records.durations:
        unit.save(
            "duration",
            MetaItem(
                duration_pk(kind, at[:7]),
                f"{at}#{ticket.pk}",
                ticket_id=ticket.pk,
                value=seconds,
                queue=ticket.queue,
                owner=private_owner(ticket),
                created_at=at,
            ),
        )
    if records.counters:
        stats_update(unit, at, dict(records.counters))


@dataclass(frozen=True)
class Duration:
    """One recorded duration (``DUR#<kind>#<month>`` / ``<at>#<ticket>``); queue and owner are None on
    records from before they carried them."""

    seconds: int
    queue: str | None
    owner: str | None


def durations(kind: str, start: date, end: date) -> list[Duration]:
    """The durations of ``kind`` recorded from ``start`` to ``end`` (inclusive): one Query per month."""
    found: list[Duration] = []
    month = date(start.year, start.month, 1)
    while month <= end:
        for item in query(duration_pk(kind, f"{month:%Y-%m}"), start.isoformat(), f"{end.isoformat()}~"):
            queue = item["queue"]["S"] if "queue" in item else None
            owner = item["owner"]["S"] if "owner" in item else None
            found.append(Duration(int(item["value"]["N"]), queue, owner))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return found


def day_counters(pk: str, start: str, end: str) -> list[tuple[str, dict[str, int]]]:
    """The report counters (``c_…``) of the day items of ``pk`` from ``start`` to ``end``, by sort key."""
    return [(item["sk"]["S"], read_counters(item, "c_")) for item in query(pk, start, end)]


def query(pk: str, start: str, end: str) -> list[dict[str, Any]]:
    """Every item of ``pk`` with ``start <= sk <= end`` (raw DynamoDB items; pages followed)."""
    return _pages("pk = :pk AND sk BETWEEN :a AND :b", {":pk": {"S": pk}, ":a": {"S": start}, ":b": {"S": end}})


def replace_scoped_counters(pk: str, per_item: Mapping[str, Mapping[str, int]]) -> None:
    """Set the per-queue and private counter items of ``pk`` (``BACKLOG``, ``IN_USE``) to ``per_item`` (their
    ``sk`` → counts, as written: one PutItem each); such items not named there are deleted (``helpdesk recount``)."""
    ddb = clients.dynamodb()
    table = MetaItem.Meta.table_name
    found = {item["sk"]["S"] for prefix in (QUEUE_SK, PRIVATE_SK) for item in query_prefix(pk, prefix)}
    for sk in sorted(found - set(per_item)):
        ddb.delete_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
    for sk, counts in sorted(per_item.items()):
        item = {counter_attribute(name): {"N": str(n)} for name, n in counts.items()}
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}, **item})


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


def scoped_counters(key: tuple[str, str], prefix: str, scope: Scope | None) -> dict[str, int]:
    """The counters of ``key`` (``BACKLOG``/``IN_USE``) as ``scope`` sees them (None: every ticket, one
    GetItem). Otherwise one Query of the partition (the team's item, one per queue, one per queue and
    owner of private tickets): the team's or the visible queues' counters, minus the private tickets'
    the viewer may not see."""
    if scope is None:
        return get_counters(key, prefix)
    totals: dict[str, int] = {}

    def add(item: dict[str, Any], sign: int) -> None:
        for name, value in read_counters(item, prefix).items():
            totals[name] = totals.get(name, 0) + sign * value

    for item in _pages("pk = :pk", {":pk": {"S": key[0]}}):
        sk = item["sk"]["S"]
        if scope.queues is None:
            base = sk == key[1]
        else:
            base = sk.startswith(QUEUE_SK) and scope.queues(sk.removeprefix(QUEUE_SK))
        if base:
            add(item, 1)
        elif sk.startswith(PRIVATE_SK):
            queue, owner = split_private_key(sk.removeprefix(PRIVATE_SK))
            if (scope.queues is None or scope.queues(queue)) and not scope.sees_private(queue, owner):
                add(item, -1)
    return totals
