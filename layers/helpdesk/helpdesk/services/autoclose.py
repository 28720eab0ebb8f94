"""Use case: close tickets that waited for the customer too long (reminders and due dates: see issue 6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.clock import iso, now
from ..domain.status import Status
from ..store.config_store import ConfigStore
from ..store.models import ByWaiting, TicketItem, TicketTableItem
from ..store.stats import stats_update
from ..store.tickets import WAITING_PK, new_event
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, write_ticket


@dataclass
class AutocloseReport:
    examined: int = 0
    closed: list[str] = field(default_factory=list)
    skipped: int = 0
    planned: list[dict[str, object]] = field(default_factory=list)


def run(config: ConfigStore, *, at: datetime | None = None, dry_run: bool = False) -> AutocloseReport:
    moment = at or now()
    policy = config.snapshot().settings.autoclose
    cutoff = iso(moment - timedelta(days=policy.close_after_days))
    report = AutocloseReport()
    for candidate in TicketTableItem.by_waiting.query(WAITING_PK, ByWaiting.waiting_since < cutoff):
        report.examined += 1
        if not isinstance(candidate, TicketItem):
            continue
        report.planned.append({"ticket": candidate.number, "action": "close", "waiting_since": candidate.waiting_since})
        if dry_run:
            continue
        if close_ticket(candidate, moment):
            report.closed.append(candidate.number)
        else:
            report.skipped += 1
    return report


def close_ticket(ticket: TicketItem, moment: datetime) -> bool:
    at = iso(moment)
    before = Snapshot.of(ticket)
    ticket.status = Status.CLOSED.value
    ticket.closed_at = at
    ticket.updated_at = at
    event = new_event(
        ticket,
        "StatusChanged",
        "system",
        {
            "ticket_id": ticket.pk,
            "number": ticket.number,
            "from": Status.WAITING_CUSTOMER.value,
            "to": "closed",
            "reason": "der Kunde hat nicht mehr geantwortet / the customer did not answer",
        },
        at,
    )
    unit = Unit()
    write_ticket(unit, ticket, before, [event])
    stats_update(unit, at, {"autoclosed": 1, "closed": 1})
    try:
        unit.commit()
    except Conflict:
        return False  # an agent or the customer changed the ticket meanwhile: their change wins
    return True
