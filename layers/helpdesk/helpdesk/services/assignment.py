"""Fair assignment carried out (issue 17 part 5; the decision is ``domain/assignment.py``).

A ticket enters a queue when it is created there (mail, contact form, phone, split) or moved there (PATCH,
batch, trigger, macro): its ``TicketCreated`` event, or a ``TicketUpdated``/``MacroApplied`` event whose
changes name the queue. The publisher hands every event of the tickets stream here after the triggers
judged it (``functions/publisher/app.py``), so a trigger that assigns or moves the ticket comes first, and
every path into a queue is covered in one place. For such an event, when the ticket is active, unassigned
and its queue assigns (``round_robin``/``least_open``):

1. the facts: the queue's eligible agents (active, not away, responsible; with ``assign_only_present`` only
   those with the app open: the live table's ``ONLINE`` items, one Query), their open tickets (the
   ``BACKLOG`` counters ``agent_<user>``: one GetItem), who got the queue's last ticket and when each got
   one (the queue's pointer, ``store/assignment.py``: one GetItem);
2. the pure decision (:func:`~helpdesk.domain.assignment.choose`) with its reason;
3. the change: ``assignee`` through :func:`~.changes.change_ticket` by "system", with an ``AutoAssigned``
   event carrying the reason, and in the same transaction the pointer's move (:func:`pointers.claim`: the
   agent's time, round robin's turn), conditional on the queue having assigned nothing since step 1. Two
   tickets entering at once never decide on the same facts: the one refused reads the pointer and the
   open-ticket counters again (they moved in the other's transaction), and so does a ticket that changed
   meanwhile (optimistic locking). A change that fails leaves the pointer as it was. When nobody is
   available the event says so and the ticket stays unassigned.

A retried stream record finds the ticket assigned and does nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from functools import partial
from typing import Any

from ..domain.assignment import Candidate, Choice, choose, eligible
from ..domain.clock import iso
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.reasons import to_json as reason_json
from ..store import assignment as pointers
from ..store.stats import BACKLOG_KEY, get_counters
from ..store.tickets import TicketStore, new_event
from .changes import Also, ChangeError, Missing, Refused, Stale, change_ticket

log = logging.getLogger(__name__)

ATTEMPTS = 5  # the queue assigned another ticket meanwhile, or the ticket changed meanwhile: read again
ACTOR = "system"
ENTERING = frozenset({"TicketCreated", "TicketUpdated", "MacroApplied"})


@dataclass(frozen=True)
class AssignmentDeps:
    tickets: TicketStore
    config: Callable[[], ConfigSnapshot]
    online: Callable[[], set[str]]  # usernames with the app open now (the live table)
    open_tickets: Callable[[], Mapping[str, int]] = lambda: get_counters(BACKLOG_KEY, "b_")


@dataclass
class AssignmentReport:
    assigned: list[str] = field(default_factory=list)  # "<ticket>: <agent>"
    nobody: int = 0
    skipped: list[str] = field(default_factory=list)


def entered_queue(event_type: str, detail: Mapping[str, Any]) -> bool:
    """Whether an event stands for the ticket entering a queue (created in it, or moved to it)."""
    if event_type == "TicketCreated":
        return True
    changes = detail.get("changes")
    return event_type in ENTERING and isinstance(changes, Mapping) and "queue" in changes


def handle(deps: AssignmentDeps, events: Sequence[tuple[str, str, Mapping[str, Any]]]) -> AssignmentReport:
    """Events as (ticket id, type, detail), in order; nothing is read unless one enters a queue."""
    report = AssignmentReport()
    entering = [ticket_id for ticket_id, type_, detail in events if entered_queue(type_, detail)]
    if not entering:
        return report
    cfg = deps.config()
    if all(q.assignment == "off" for q in cfg.queues):
        return report
    for ticket_id in entering:
        try:
            assign(deps, cfg, ticket_id, report)
        except (Missing, ChangeError) as exc:
            report.skipped.append(f"{ticket_id}: {exc}")
            log.warning("assignment skipped", extra={"ticket": ticket_id, "error": str(exc)})
    return report


def assign(deps: AssignmentDeps, cfg: ConfigSnapshot, ticket_id: str, report: AssignmentReport) -> Choice | None:
    """Assign one ticket that entered its queue, if it is active, unassigned and the queue assigns."""
    for _ in range(ATTEMPTS):
        ticket = deps.tickets.get(ticket_id, consistent=True)
        if ticket is None or ticket.merged_into or ticket.assignee or ticket.bucket != "active":
            return None
        queue = cfg.queue(ticket.queue)
        if queue is None or queue.assignment == "off":
            return None
        online = deps.online() if queue.assign_only_present else set()
        names = eligible(queue, cfg.agents, online)
        pointer = pointers.pointer(queue.id)
        counts = deps.open_tickets() if queue.assignment == "least_open" and names else {}
        candidates = [
            Candidate(name, counts.get(f"agent_{name}", 0), pointer.last_at.get(name, ""), name in online)
            for name in names
        ]
        choice = choose(queue, candidates, pointer.last)
        at = iso()
        detail = {
            "ticket_id": ticket.pk,
            "number": ticket.number,
            "queue": queue.id,
            "mode": queue.assignment,
            "assignee": choice.assignee,
            "reason": reason_json(choice.why),
        }
        event = new_event(ticket, "AutoAssigned", ACTOR, detail, at)
        changes = {"assignee": choice.assignee} if choice.assignee else {}
        also = None
        if choice.assignee is not None:
            turn = queue.assignment == "round_robin"
            claim = partial(pointers.claim, queue=queue.id, agent=choice.assignee, at=at, seen=pointer, turn=turn)
            also = Also(frozenset({pointers.TAG}), claim)
        try:
            change_ticket(
                deps.tickets,
                cfg,
                ticket.pk,
                changes,
                version=int(ticket.version or 0),
                actor=ACTOR,
                viewer=None,
                ticket=ticket,
                extra=[event],
                also=also,
            )
        except (Stale, Refused):
            continue  # the ticket or the queue's assignments changed meanwhile: judge it again as it is now
        if choice.assignee:
            report.assigned.append(f"{ticket.pk}: {choice.assignee}")
        else:
            report.nobody += 1
        return choice
    report.skipped.append(f"{ticket_id}: changed {ATTEMPTS} times while it was assigned")
    log.warning("assignment skipped", extra={"ticket": ticket_id, "error": f"refused {ATTEMPTS} times"})
    return None


def online_now(store: Any) -> Callable[[], set[str]]:
    """The live store's ``online`` as of the call (``store``: a ``LiveStore``)."""
    return lambda: set(store.online(time.time()))
