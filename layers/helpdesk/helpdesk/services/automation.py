"""Use cases: triggers on ticket events, and their dry run (issue 17, docs/automation.md).

Every change of a ticket writes an event item in its transaction; the tickets table's stream brings them
here (the publisher function runs them: ``functions/publisher/app.py``), in order per ticket. For each
event the pure decision (``domain/automation.py``) says which occurrences it stands for and which triggers
fire, with every reason; this module carries it out:

1. the field changes of one run go through :func:`~.changes.change_ticket` as one change by "automation"
   (optimistic locking: a ticket changed meanwhile is read again and judged again, up to three times),
   together with an ``AutomationRan`` event that lists the triggers fired and the reasons;
2. then the effects: an internal comment (``replies.add_comment``), a notice to agents (the
   ``AutomationRan`` event names them: ``domain/notifications.py`` tells them like any other event),
   a template mailed to the customer (stored with the ticket, then handed to SES, with loop guards),
   an EventBridge event.

The changes triggers make are events by "automation": they never run triggers again (the cascade they
cause was judged in the same run, three levels deep at most), so nothing loops through the stream.
Without enabled triggers nothing is read but the configuration.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import field
from datetime import datetime, timedelta
from typing import Any

from ..aws.ses import Mailer
from ..domain.automation import (
    AUTOMATION,
    Effect,
    Occurrence,
    Run,
    TicketFacts,
    occurrences_of,
    run,
    template_mail_refused,
)
from ..domain.business_time import Calendar
from ..domain.clock import iso, now, parse_iso
from ..domain.config import ConfigSnapshot, Trigger
from ..domain.dataclass import dataclass
from ..domain.headers import Address
from ..domain.lifecycle import automatic_mail
from ..domain.notifications import TicketFacts as NoticeFacts
from ..domain.notifications import queue_people
from ..domain.reasons import Reason, reason
from ..domain.reasons import to_json as reason_json
from ..domain.templating import html_values, render, render_html, render_line
from ..domain.timed import TIME_EVENTS
from ..store.models import MessageItem, TicketItem
from ..store.tickets import TicketStore, apply_transition, new_event, state_of
from ..store.unit import Conflict
from ..store.writes import Snapshot, save_message, write_ticket
from .changes import ChangeError, Missing, Stale, change_ticket
from .outbound import (
    Answered,
    SendFailed,
    deliver,
    outbound_message,
    reply_defaults,
    template_values,
    thread_subject,
)
from .replies import add_comment

log = logging.getLogger(__name__)

ATTEMPTS = 3
TRIGGER_EVENTS = frozenset({"TicketCreated", "MessageAdded", "StatusChanged", "TicketUpdated"})
TEMPLATE_MAIL_GAP = timedelta(hours=1)  # at most one automatic template mail per ticket in this time
AGENT_MAY_SEND = ("automation.answer_to_automatic", "automation.mail_gap")  # guards of automatic mail only


@dataclass(frozen=True)
class StoredEvent:
    """One event item of the stream, as the automation needs it."""

    ticket_id: str
    sk: str  # its timeline key: events of one ticket sort by it
    type: str
    actor: str
    at: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, image: Mapping[str, Any]) -> StoredEvent | None:
        """From a stream record's new image (None: not an event item)."""
        if image.get("kind") != "event" or not image.get("pk") or not image.get("sk"):
            return None
        detail = image.get("detail")
        if isinstance(detail, str):
            detail = json.loads(detail)
        return cls(
            ticket_id=str(image["pk"]),
            sk=str(image["sk"]),
            type=str(image.get("type") or ""),
            actor=str(image.get("actor") or ""),
            at=str(image.get("created_at") or ""),
            detail=detail if isinstance(detail, Mapping) else {},
        )


@dataclass
class AutomationDeps:
    tickets: TicketStore
    config: Callable[[], ConfigSnapshot]
    mailer: Mailer
    mail_domain: str
    publish: Callable[[list[dict[str, Any]]], list[int]]  # EventBridge: the indexes it refused


@dataclass
class AutomationReport:
    events: int = 0
    runs: int = 0
    fired: int = 0
    changed: int = 0
    retried: int = 0
    mails: int = 0
    skipped: list[str] = field(default_factory=list)


def plain(value: object) -> object:
    """A field's value from the decision (a set of tags, a due time) as the API and the events store it."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    return iso(value) if isinstance(value, datetime) else value


def facts_of(ticket: TicketItem) -> TicketFacts:
    return TicketFacts(
        status=ticket.status,
        priority=ticket.priority,
        queue=ticket.queue,
        assignee=ticket.assignee,
        tags=frozenset(ticket.tags or []),
        type=ticket.type,
        project=ticket.project,
        customer=ticket.customer_email,
        subject=ticket.subject,
        due_at=parse_iso(ticket.due_at) if ticket.due_at else None,
    )


def event_triggers(cfg: ConfigSnapshot) -> list[Trigger]:
    """The enabled triggers on ticket events (the time events are the scheduled job's)."""
    return [t for t in cfg.triggers if t.enabled and t.event not in TIME_EVENTS]


def judge(
    triggers: Sequence[Trigger],
    occurrences: Sequence[Occurrence],
    facts: TicketFacts,
    at: datetime,
    calendar: Calendar | None = None,
) -> Run:
    """All occurrences of one event, one after the other, each seeing what the runs before it changed
    (``calendar``: business hours of the time triggers' ticket, services/timed.py)."""
    total = Run(facts)
    for occurrence in occurrences:
        one = run(triggers, occurrence, total.facts, now=at, calendar=calendar)
        for name, (before, after) in one.changed.items():
            total.changed[name] = (total.changed.get(name, (before, after))[0], after)
        total.facts = one.facts
        total.effects.extend(one.effects)
        total.fired.extend(one.fired)
        total.said.extend(one.said)
    return total


def changes_of(result: Run) -> dict[str, Any]:
    """The run's field changes as a PATCH would name them."""
    return {name: plain(after) for name, (_, after) in result.changed.items()}


def handle(deps: AutomationDeps, events: Sequence[StoredEvent]) -> AutomationReport:
    """A stream batch's events, in order; a ticket gone or a change refused is logged and skipped."""
    report = AutomationReport()
    if not any(e.type in TRIGGER_EVENTS and e.actor != AUTOMATION for e in events):
        return report  # nothing a trigger waits for: not even the configuration is read
    cfg = deps.config()
    triggers = event_triggers(cfg)
    if not triggers:
        return report
    for event in events:
        report.events += 1
        try:
            _handle_one(deps, cfg, triggers, event, report)
        except (Missing, ChangeError) as exc:
            report.skipped.append(f"{event.ticket_id}: {exc}")
            log.warning("automation skipped", extra={"ticket": event.ticket_id, "error": str(exc)})
    return report


def write_run(deps: AutomationDeps, cfg: ConfigSnapshot, ticket: TicketItem, result: Any, ran: Any) -> Any:
    """A run's field changes and its ``AutomationRan`` event as one change by the automation, on the version
    read (with what the caller set on ``ticket`` meanwhile); :class:`Stale` when it changed since."""
    return change_ticket(
        deps.tickets,
        cfg,
        ticket.pk,
        changes_of(result),
        version=int(ticket.version or 0),
        actor=AUTOMATION,
        viewer=None,
        ticket=ticket,
        extra=[ran],
    )


def _handle_one(
    deps: AutomationDeps, cfg: ConfigSnapshot, triggers: list[Trigger], event: StoredEvent, report: AutomationReport
) -> None:
    for _ in range(ATTEMPTS):
        ticket = deps.tickets.get(event.ticket_id, consistent=True)
        if ticket is None or ticket.merged_into:
            return
        if ticket.automation_through and event.sk <= ticket.automation_through:
            return  # a stream retry of an event the triggers already acted on
        first = event.type == "MessageAdded" and event.at == ticket.created_at
        occurrences = occurrences_of(event.type, event.actor, event.detail, first_message=first)
        if not occurrences:
            return
        at = now()
        result = judge(triggers, occurrences, facts_of(ticket), at)
        report.runs += 1
        if not result.fired:
            return
        result.effects = allowed_effects(deps, cfg, ticket, result, at)
        ran = _ran_event(ticket, event, occurrences, result, cfg)
        ticket.automation_through = event.sk  # written with the change: its effects follow at most once
        try:
            outcome = write_run(deps, cfg, ticket, result, ran)
        except Stale:
            report.retried += 1
            continue  # someone changed the ticket meanwhile: judge it again as it is now
        report.fired += len(result.fired)
        report.changed += int(bool(result.changed))
        carry_out(deps, cfg, outcome.ticket, result.effects, report, at)
        return
    report.skipped.append(f"{event.ticket_id}: changed {ATTEMPTS} times while the triggers ran")


def allowed_effects(
    deps: AutomationDeps, cfg: ConfigSnapshot, ticket: TicketItem, result: Run, at: datetime
) -> list[Effect]:
    """The effects that will be carried out; a template mail the loop guards refuse is dropped, and the run
    says why (before it is written, so the ticket's history shows it)."""
    kept: list[Effect] = []
    for effect in result.effects:
        if effect.kind == "send_template":
            refused = _template_refusal(deps, cfg, ticket, effect.value, at)
            if refused is not None:
                result.said.append(refused)
                continue
        kept.append(effect)
    return kept


@dataclass
class DryRun:
    """What the triggers would do now to a ticket for one occurrence, without writing anything; the same
    explanation format as the rule dry run (``fired``, ``explanation``) plus the reasons as codes."""

    fired: list[dict[str, str]]
    explanation: str
    reasons: list[dict[str, Any]]
    changes: dict[str, list[Any]]
    effects: list[dict[str, str]]


def dry_run(
    cfg: ConfigSnapshot,
    ticket: TicketItem,
    occurrence: Occurrence,
    triggers: Sequence[Trigger] | None = None,
    at: datetime | None = None,
) -> DryRun:
    """Which triggers (the saved ones, or ``triggers`` not saved yet) would fire on ``ticket`` for
    ``occurrence`` now, and why: the same decision a real run makes (``judge``), with nothing written."""
    chosen = list(triggers) if triggers is not None else event_triggers(cfg)
    result = judge(chosen, [occurrence], facts_of(ticket), at or now())
    names = {t.id: t.name for t in chosen}

    return DryRun(
        fired=[{"id": trigger_id, "name": names.get(trigger_id, trigger_id)} for trigger_id in result.fired],
        explanation="; ".join(result.said) if result.said else "no trigger waits for this event",
        reasons=[reason_json(r) for r in result.said],
        changes={name: [plain(before), plain(after)] for name, (before, after) in result.changed.items()},
        effects=[{"kind": e.kind, "value": e.value, "source": e.source} for e in result.effects],
    )


def notified(ticket: TicketItem, effects: Sequence[Effect], cfg: ConfigSnapshot) -> list[str]:
    """Who the ``notify`` effects name: the assignee, an agent, a queue's people (in order, once each)."""
    people: list[str] = []
    for effect in effects:
        if effect.kind != "notify":
            continue
        kind, _, name = effect.value.partition(":")
        if effect.value == "assignee":
            found = [ticket.assignee] if ticket.assignee else []
        elif kind == "agent":
            found = [name]
        else:
            facts = NoticeFacts(ticket.pk, ticket.number, name, private=bool(ticket.private))
            found = [user for user, _ in queue_people(facts, cfg)]
        people += [p for p in found if p and p not in people]
    return people


def _ran_event(
    ticket: TicketItem, event: StoredEvent, occurrences: Sequence[Occurrence], result: Run, cfg: ConfigSnapshot
) -> Any:
    notes = [e.value for e in result.effects if e.kind == "notify"]
    detail: dict[str, Any] = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "cause": {"event": event.type, "occurrences": [o.event for o in occurrences]},
        "fired": list(result.fired),
        "reasons": [reason_json(r) for r in result.said],
    }
    if notes:
        detail["notify"] = notified(ticket, result.effects, cfg)
    return new_event(ticket, "AutomationRan", AUTOMATION, detail)


def carry_out(
    deps: AutomationDeps,
    cfg: ConfigSnapshot,
    ticket: TicketItem,
    effects: Sequence[Effect],
    report: AutomationReport,
    at: datetime,
) -> None:
    for effect in effects:
        if effect.kind == "add_comment":
            add_comment(deps.tickets, ticket.pk, effect.value, [], [], actor=AUTOMATION)
        elif effect.kind == "publish":
            event = {
                "type": f"Automation.{effect.value}",
                "detail": {"ticket_id": ticket.pk, "number": ticket.number, "source": effect.source},
            }
            if deps.publish([event]):
                log.warning("EventBridge refused an automation event", extra={"ticket": ticket.number})
        elif effect.kind == "send_template":
            out = Sender(deps.tickets, deps.mailer, deps.mail_domain)
            report.mails += int(send_template(out, cfg, ticket.pk, effect.value, at) is None)


@dataclass(frozen=True)
class Sender:
    """What sending a template mail needs."""

    tickets: TicketStore
    mailer: Mailer
    mail_domain: str


def send_template(
    out: Sender,
    cfg: ConfigSnapshot,
    ticket_id: str,
    template_id: str,
    at: datetime,
    *,
    author: str = AUTOMATION,
) -> Reason | None:
    """Mail template ``template_id`` to the ticket's customer, threaded onto their last mail. A trigger's
    (``author`` "automation") is an automatic mail (``Auto-Submitted: auto-generated``) under the loop guards
    of ``domain/automation.template_mail_refused``; an agent's macro is their own mail, sent as they chose.
    Returns None when it went out (or was stored for the outbox sweep), else why not."""
    automatic = author == AUTOMATION
    template = next((t for t in cfg.templates if t.id == template_id), None)
    for _ in range(ATTEMPTS):
        ticket = out.tickets.get(ticket_id, consistent=True)
        if ticket is None or template is None:
            return reason("automation.template_missing", value=template_id)
        mailbox = cfg.sending_mailbox(ticket.mailbox, ticket.queue)
        messages = out.tickets.messages(ticket.pk)
        refused, to, answered = _template_guard(cfg, ticket, messages, at)
        if not automatic and refused is not None and refused.code in AGENT_MAY_SEND:
            refused = None  # an agent's macro: they chose to send it
        if refused is not None or mailbox is None:
            return refused or reason("automation.no_mailbox")
        name = ticket.customer_name or ""
        values = template_values(ticket, cfg, mailbox, ticket.subject, name, ticket.customer_email)
        subject = thread_subject(ticket, render_line(template.subject or ticket.subject, values))
        text = render(template.body, values)
        message = outbound_message(
            ticket,
            mailbox,
            to,
            [],
            subject,
            text,
            render_html(template.body, html_values(values)),
            Answered.of(answered),
            author=author,
            mail_domain=out.mail_domain,
            summary=text,
            auto=automatic,
            auto_submitted="auto-generated" if automatic else None,
        )
        if _store_mail(out.tickets, ticket, message, author):
            with suppress(SendFailed):  # stored: the outbox sweep retries it, or it fails for an agent to re-send
                deliver(out.tickets, out.mailer, ticket, message)
            return None
    return reason("automation.busy")


def _template_guard(
    cfg: ConfigSnapshot, ticket: TicketItem, messages: list[MessageItem], at: datetime
) -> tuple[Reason | None, list[Address], MessageItem | None]:
    """Why a template mail to this ticket's customer is refused now (None: it may go), its recipient and
    the mail it answers."""
    to, _, answered = reply_defaults(ticket, messages, cfg.own_addresses)
    to = to[:1]  # the customer only: an automatic mail is no reply-all
    last_auto = max(
        (m.created_at for m in messages if m.direction == "outbound" and m.author == AUTOMATION), default=None
    )
    refused = template_mail_refused(
        has_mailbox=cfg.sending_mailbox(ticket.mailbox, ticket.queue) is not None,
        recipients=len(to),
        answered_auto_submitted=answered.auto_submitted if answered else None,
        last_automatic_mail=parse_iso(last_auto) if last_auto else None,
        now=at,
        gap=TEMPLATE_MAIL_GAP,
    )
    return refused, to, answered


def _template_refusal(
    deps: AutomationDeps, cfg: ConfigSnapshot, ticket: TicketItem, template_id: str, at: datetime
) -> Reason | None:
    if not any(t.id == template_id for t in cfg.templates):
        return reason("automation.template_missing", value=template_id)
    return _template_guard(cfg, ticket, deps.tickets.messages(ticket.pk), at)[0]


def _store_mail(store: TicketStore, ticket: TicketItem, message: MessageItem, author: str) -> bool:
    before = Snapshot.of(ticket)
    at = message.created_at
    to = [a.address for a in message.to]
    stored = automatic_mail(state_of(ticket), at=at, actor=author, message={"message_id": message.message_id, "to": to})
    events = apply_transition(ticket, stored, at)
    unit = store.unit()
    write_ticket(unit, ticket, before, events)
    save_message(unit, ticket, message)
    try:
        unit.commit()
    except Conflict:
        return False
    return True
