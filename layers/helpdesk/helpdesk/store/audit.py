"""The audit log: who changed the configuration, deleted a ticket for good, erased a customer — and when.

One item per entry in the meta table, one partition per month (``AUDIT#<YYYY-MM>``, ``sk`` =
``<time>#<id>``), so listing a month is one Query, newest first, and no partition grows without end.
Entries never carry a customer's personal data: an erased customer is named by a hash of the
address (``domain/privacy.py: subject_hash``), a ticket by its number. Configuration entries keep the
record before and after the change (mailboxes, queues, rules, templates, agents, settings).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.clock import iso
from ..domain.ids import new_id
from .models import MetaItem

PREFIX = "AUDIT#"


@dataclass
class AuditEntry:
    id: str
    at: str
    actor: str
    action: str  # config.put | config.delete | ticket.deleted | customer.deleted | customer.anonymized
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
