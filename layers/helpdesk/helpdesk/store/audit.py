"""The audit log: who changed the configuration, deleted a ticket for good, erased a customer — and when.

One item per entry in the meta table, one partition per month (``AUDIT#<YYYY-MM>``, ``sk`` =
``<time>#<id>``), so listing a month is one Query, newest first, and no partition grows without end.
An erased customer is named by a hash of the address (``domain/privacy.py: subject_hash``), a ticket by
its number. Configuration entries keep the record before and after the change (mailboxes, queues, rules,
templates, agents, settings, saved views): where a team put a customer into a record (a view of her
tickets, a rule on her address), her erasure redacts those entries too (:func:`scan_page`, :func:`rewrite`).
"""

from __future__ import annotations

from typing import Any

from ..domain.clock import iso
from ..domain.dataclass import dataclass
from ..domain.ids import new_id
from .models import MetaItem

PREFIX = "AUDIT#"


@dataclass
class AuditEntry:
    id: str
    at: str
    actor: str
    action: str  # config.put | config.delete | config.redacted | ticket.deleted | customer.deleted | …
    target: str  # "queue#support", "T-2026-000007", "customer #3f2a…"
    before: Any = None
    after: Any = None
    detail: dict[str, Any] | None = None


def month_of(at: str) -> str:
    return at[:7]


def record(
    action: str,
    target: str,
    actor: str,
    *,
    before: Any = None,
    after: Any = None,
    detail: dict[str, Any] | None = None,
    at: str | None = None,
) -> AuditEntry:
    moment = at or iso()
    entry = AuditEntry(new_id(), moment, actor, action, target, before, after, detail)
    MetaItem(
        f"{PREFIX}{month_of(moment)}",
        f"{moment}#{entry.id}",
        data={
            "actor": actor,
            "action": action,
            "target": target,
            "before": before,
            "after": after,
            "detail": detail or {},
        },
        created_at=moment,
    ).save()
    return entry


def entries(month: str, limit: int = 200) -> list[AuditEntry]:
    """A month's entries (``YYYY-MM``), newest first."""
    found: list[AuditEntry] = []
    for item in MetaItem.query(f"{PREFIX}{month}", scan_index_forward=False, limit=limit):
        data = item.data if isinstance(item.data, dict) else {}
        at, _, entry_id = item.sk.partition("#")
        found.append(
            AuditEntry(
                id=entry_id,
                at=at,
                actor=str(data.get("actor", "")),
                action=str(data.get("action", "")),
                target=str(data.get("target", "")),
                before=data.get("before"),
                after=data.get("after"),
                detail=data.get("detail") or {},
            )
        )
    return found


def scan_page(limit: int, start: dict[str, Any] | None = None) -> tuple[list[MetaItem], dict[str, Any] | None]:
    """One page of a Scan for the entries of every month (an erasure looks for the customer's address in
    configuration entries' before and after): the entries, and the key to continue from (None: done)."""
    page = MetaItem._get_connection().scan(
        filter_condition=MetaItem.pk.startswith(PREFIX),
        limit=limit,
        exclusive_start_key=start,  # type: ignore[arg-type]  # a key map is accepted (pynamodb)
    )
    return [MetaItem.from_raw_data(raw) for raw in page.get("Items", [])], page.get("LastEvaluatedKey") or None


def rewrite(item: MetaItem, data: dict[str, Any]) -> None:
    """Replace an entry's content (an erasure's redaction); its time, actor and action stay."""
    item.data = data
    item.save()
