"""Use cases: SLA clocks applied to tickets, and triggers on time events (issue 17, docs/automation.md).

:func:`look` is the one home of a ticket's SLA and time fields (``sla``, ``sla_state``, ``look_at``,
``timed_fired``): no other service sets them. It reads the ticket and its history (one
Query of the ticket's events), computes the clocks of the policy that applies (``domain/sla.py``) and
when each time trigger is due (``domain/timed.py``), and stores the compact state with the next look
(``look_at``, which the ``by_sla`` index holds as ``sla_at`` with the first-response deadline: no new index).

* The publisher function calls it for every ticket its stream batch changed (``refresh``): the clocks follow
  every change a moment later, without a version of their own (an agent's open ticket stays current).
* The scheduled job calls it for the tickets whose look is due (``run_due``, a Query of ``by_sla`` up to
  now, never a Scan) with ``fire``: time triggers due now are judged by the same decision as the event
  triggers (``services/automation.judge``), their changes and an ``AutomationRan`` event written as one
  change by "automation", their effects carried out after. Each trigger is judged once per episode (the
  markers ``timed_fired`` are written with the run: an overlapping run finds the ticket changed, reads it
  again and finds them), then the next look is set.

A clock that becomes breached or met counts for the reports (``sla_<metric>_breached``/``_met``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from datetime import datetime
from typing import Any

from ..domain import sla
from ..domain.automation import AUTOMATION, Occurrence
from ..domain.business_time import Calendar
from ..domain.clock import iso, now, parse_iso
from ..domain.config import ConfigSnapshot, Trigger
from ..domain.dataclass import dataclass
from ..domain.reasons import to_json as reason_json
from ..domain.status import Status
from ..domain.timed import Due, TimedFacts, plan, time_triggers
from ..store.models import EventItem, TicketItem
from ..store.stats import private_owner, stats_update
from ..store.tickets import every_ticket, new_event, save_look
from ..store.unit import Conflict, Unit
from .automation import (
    AutomationDeps,
    AutomationReport,
    allowed_effects,
    carry_out,
    event_triggers,
    judge,
    notified,
    write_run,
)
from .automation import facts_of as trigger_facts
from .changes import ChangeError, Missing, Stale

log = logging.getLogger(__name__)

ATTEMPTS = 3
PAGE_SIZE = 100
OFFICE = Calendar()  # time triggers of a ticket no SLA policy applies to count office hours (Mon–Fri 8–17)


@dataclass
class LookReport:
    examined: int = 0
    saved: int = 0
    fired: int = 0  # triggers fired
    judged: int = 0  # time triggers judged (fired or not)
    retried: int = 0
    skipped: list[str] = field(default_factory=list)
    stopped_early: bool = False


def _at(text: str | None) -> datetime | None:
    return parse_iso(text) if text else None


def clock_facts(ticket: TicketItem, events: Sequence[EventItem]) -> sla.TicketClockFacts:
    created = parse_iso(ticket.created_at)
    rows = [(parse_iso(e.created_at), e.type, e.actor, dict(e.detail or {})) for e in events]
    return sla.clock_facts_of(
        created,
        rows,
        status=Status(ticket.status),
        updated_at=parse_iso(ticket.updated_at or ticket.created_at),
        priority=ticket.priority,
        queue=ticket.queue,
        customer=ticket.customer_email,
    )


def _warn_at(stored: dict[str, Any] | None) -> datetime | None:
    moments = [
        parse_iso(c["warn_at"])
        for c in (stored or {}).get("clocks", {}).values()
        if c.get("warn_at") and c.get("state") in ("running", "warning")
    ]
    return min(moments, default=None)


@dataclass
class _Computed:
    fields: dict[str, Any]
    ready: list[Due]
    calendar: Calendar


def compute(
    cfg: ConfigSnapshot, ticket: TicketItem, events: Sequence[EventItem], at: datetime, fire: bool
) -> _Computed:
    """The ticket's SLA and time fields at ``at``, and the time triggers due now (only when ``fire``)."""
    facts = clock_facts(ticket, events)
    standing = sla.standing(sla.built_policies(cfg.sla_policies, at), facts, at)
    record = next((p for p in cfg.sla_policies if standing.policy and p.id == standing.policy.id), None)
    stored = sla.stored(standing, bool(record and record.show_to_customer))
    since = max((when for when, _ in facts.statuses), default=facts.created_at)
    calendar = standing.policy.calendar if standing.policy else OFFICE
    timed = TimedFacts(
        status=ticket.status,
        status_since=since,
        last_customer_at=_at(ticket.last_customer_at),
        last_agent_at=_at(ticket.last_agent_at),
        due_at=_at(ticket.due_at),
        sla_warn_at=_warn_at(stored),
    )
    known = {t.id for t in time_triggers(cfg.triggers)}
    fired = {k: v for k, v in dict(ticket.timed_fired or {}).items() if k in known}
    ready, later = plan(cfg.triggers, timed, calendar, fired, at)
    if not fire:  # the stream only keeps the look: a trigger due already waits for the job
        later = min([d.at for d in ready] + ([later] if later else []), default=None)
        ready = []
    fired |= {d.trigger: d.episode for d in ready}
    looks = [m for m in (sla.look_of(stored, at), later) if m is not None]
    fields = {
        "sla": stored,
        "sla_state": sla.worst_state(stored, at),
        "look_at": iso(min(looks)) if looks else None,
        "timed_fired": fired or None,
    }
    return _Computed(fields, ready, calendar)


def _same(ticket: TicketItem, fields: dict[str, Any]) -> bool:
    return all((getattr(ticket, name) or None) == (value or None) for name, value in fields.items())


def look(
    deps: AutomationDeps,
    cfg: ConfigSnapshot,
    ticket_id: str,
    at: datetime,
    report: LookReport,
    *,
    fire: bool = False,
    ticket: TicketItem | None = None,
) -> None:
    """Compute and store a ticket's SLA and time fields; with ``fire``, run the time triggers due now. Without
    SLA policies and time triggers a ticket that has none of these fields costs its GetItem only."""
    idle = not cfg.sla_policies and not time_triggers(cfg.triggers)
    for attempt in range(ATTEMPTS):
        current = ticket if attempt == 0 and ticket is not None else deps.tickets.get(ticket_id, consistent=True)
        if current is None or current.merged_into:
            return
        if idle and not (current.sla or current.look_at or current.timed_fired):
            return
        report.examined += 1
        computed = compute(cfg, current, deps.tickets.events(current.pk), at, fire)
        before = current.sla
        if computed.ready:
            done = _fire(deps, cfg, current, computed, at, report)
        elif _same(current, computed.fields):
            return
        else:
            done = _save(current, computed.fields, before, at)
        if done:
            report.saved += 1
            return
        report.retried += 1
        ticket = None
    report.skipped.append(f"{ticket_id}: changed {ATTEMPTS} times while its clocks were computed")


def _save(ticket: TicketItem, fields: dict[str, Any], before: dict[str, Any] | None, at: datetime) -> bool:
    version = int(ticket.version or 0)
    for name, value in fields.items():
        setattr(ticket, name, value)
    unit = Unit()
    save_look(unit, ticket, version)
    counters = sla.settled(before, ticket.sla, at)
    if counters:
        unit.note_ticket_queue(ticket.queue, private_owner(ticket))
        stats_update(unit, iso(at), counters)
    try:
        unit.commit()
    except Conflict:
        return False
    return True


def _fire(
    deps: AutomationDeps, cfg: ConfigSnapshot, ticket: TicketItem, computed: _Computed, at: datetime, report: LookReport
) -> bool:
    """Judge the time triggers due (with the event triggers, for the changes they cause), write the run."""
    due = {d.trigger for d in computed.ready}
    chosen: list[Trigger] = [t for t in cfg.triggers if t.id in due] + event_triggers(cfg)
    events = list(dict.fromkeys(d.event for d in computed.ready))
    result = judge(chosen, [Occurrence(e) for e in events], trigger_facts(ticket), at, calendar=computed.calendar)
    report.judged += len(due)
    if not result.fired:
        return _save(ticket, computed.fields, ticket.sla, at)
    before = ticket.sla
    result.effects = allowed_effects(deps, cfg, ticket, result, at)
    detail = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "cause": {"event": "time", "occurrences": events, "episodes": sorted(d.episode for d in computed.ready)},
        "fired": list(result.fired),
        "reasons": [reason_json(r) for r in result.said],
    }
    if any(e.kind == "notify" for e in result.effects):
        detail["notify"] = notified(ticket, result.effects, cfg)
    ran = new_event(ticket, "AutomationRan", AUTOMATION, detail)
    for name, value in computed.fields.items():
        setattr(ticket, name, value)
    try:
        outcome = write_run(deps, cfg, ticket, result, ran)
    except Stale:
        return False
    except (Missing, ChangeError) as exc:
        report.skipped.append(f"{ticket.pk}: {exc}")
        return True
    report.fired += len(result.fired)
    counters = sla.settled(before, computed.fields["sla"], at)
    if counters:  # after the run (a crash in between under-counts, never twice)
        unit = Unit()
        unit.note_ticket_queue(outcome.ticket.queue, private_owner(outcome.ticket))
        stats_update(unit, iso(at), counters)
        unit.commit()
    carry_out(deps, cfg, outcome.ticket, result.effects, AutomationReport(), at)
    return True


def refresh(deps: AutomationDeps, ticket_ids: Sequence[str], at: datetime | None = None) -> LookReport:
    """After changes (the publisher's stream batch): the clocks and next looks of these tickets."""
    report = LookReport()
    cfg = deps.config()
    moment = at or now()
    for ticket_id in dict.fromkeys(ticket_ids):
        look(deps, cfg, ticket_id, moment, report)
    return report


STOPPED = frozenset({Status.CLOSED.value, Status.TRASH.value})


def refresh_open(
    deps: AutomationDeps,
    tickets: Iterable[TicketItem] | None = None,
    *,
    at: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> LookReport:
    """Every open ticket's clocks and next look (``helpdesk sla-refresh``): after an SLA policy or a time
    trigger was added or changed, for the tickets that would otherwise get them at their next change only.
    ``tickets``: every ticket (default: a Scan of the tickets table, a maintenance read like ``recount``);
    closed and trashed ones are passed over. Idempotent: a ticket whose fields are already right is not
    written. Fires no trigger (the scheduled job does, when a look is due)."""
    report = LookReport()
    cfg = deps.config()
    moment = at or now()
    seen = 0
    for item in every_ticket() if tickets is None else tickets:
        seen += 1
        if progress is not None and seen % 500 == 0:
            progress(seen)
        if str(item.status) in STOPPED and not item.look_at:
            continue
        try:
            look(deps, cfg, item.pk, moment, report, ticket=item)
        except ChangeError as exc:
            report.skipped.append(f"{item.pk}: {exc}")
    return report


def run_due(
    deps: AutomationDeps,
    tickets: Callable[[str], Any],
    *,
    at: datetime | None = None,
    time_left: Callable[[], float] | None = None,
    margin: float = 20.0,
) -> LookReport:
    """The scheduled job's part: every ticket whose look is due (``tickets(until)``: the ``by_sla`` Query up
    to now), its clocks brought up to date and its time triggers due run; then its next look."""
    report = LookReport()
    cfg = deps.config()
    moment = at or now()
    until = iso(moment)
    for ticket in tickets(until):
        if time_left is not None and time_left() < margin:
            report.stopped_early = True
            break
        if not ticket.look_at or ticket.look_at > until:
            continue  # in the index for a first-response deadline only: the deadline alert's
        try:
            look(deps, cfg, ticket.pk, moment, report, fire=True, ticket=ticket)
        except ChangeError as exc:
            report.skipped.append(f"{ticket.pk}: {exc}")
    return report
