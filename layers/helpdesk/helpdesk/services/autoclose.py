"""Use case: the scheduled job. Reminds and closes tickets waiting for the customer; alerts on deadlines.

Safe to run twice at once and safe to stop anywhere:

* candidates come from Queries on sparse indexes, oldest first (``by_waiting``, ``by_sla``), never a Scan;
  deadlines soon due are the same ``by_sla`` index read from now to now + the warning time;
* every action is one transaction conditional on the version the job read: an agent's concurrent change
  (or a customer's answer, which reopens the ticket) wins and the ticket is skipped;
* a reminder sets ``reminded_at`` in the same transaction that stores the mail, and the mail is claimed
  before it is sent, so two overlapping runs send it once; a deadline's warning and its alert are
  remembered in ``sla_alerted`` in the transaction that records them, so each is given once;
* the job stops before its time budget ends; the next run starts again with the oldest candidates,
  and tickets already handled have left the index (closed) or are skipped (reminded, alerted).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import field
from datetime import datetime, timedelta
from typing import Any

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.autoclose import Plan, Step, effective_policy, pending_deadlines, pending_warnings, plan
from ..domain.clock import iso, now, parse_iso
from ..domain.config import (
    DEFAULT_CLOSE_BODY,
    DEFAULT_CLOSE_SUBJECT,
    DEFAULT_REMINDER_BODY,
    DEFAULT_REMINDER_SUBJECT,
    ConfigSnapshot,
    LocalizedText,
    Mailbox,
    Queue,
)
from ..domain.dataclass import dataclass
from ..domain.lifecycle import reminded, status_set
from ..domain.notifications import system_sender
from ..domain.reasons import reason
from ..domain.status import Priority, Status
from ..domain.templating import html_values, render, render_html, render_line
from ..store.config_store import ConfigStore
from ..store.models import MessageItem, TicketItem
from ..store.notifications import NotificationMail, NotificationStore
from ..store.stats import save_records, stats_update
from ..store.tickets import TicketStore, apply_transition, new_event, state_of
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, save_message, write_ticket
from .automation import AutomationDeps
from .notifications import retry_mails, send_mail
from .outbound import (
    Answered,
    RetryReport,
    SendFailed,
    deliver,
    outbound_message,
    reply_defaults,
    retry_due,
    template_values,
    thread_subject,
)
from .timed import run_due

MARGIN_SECONDS = 20.0  # stop this long before the Lambda's time budget ends
PAGE_SIZE = 100


@dataclass
class Action:
    ticket_id: str
    number: str
    step: str  # remind | close | overdue | warn
    age_days: float
    reason: str
    result: str = "planned"  # planned (dry run) | done | skipped


@dataclass
class AutocloseReport:
    examined: int = 0
    reminded: int = 0
    closed: int = 0
    escalated: int = 0
    warned: int = 0
    skipped: int = 0
    stopped_early: bool = False
    actions: list[Action] = field(default_factory=list)
    looked: int = 0  # tickets whose SLA clocks or time triggers were due a look (services/timed.py)
    triggers_fired: int = 0


@dataclass
class AutocloseDeps:
    config: ConfigStore
    tickets: TicketStore
    mailer: Mailer
    mail_domain: str
    mail: MailStore | None = None  # the outbox sweep reads a retried mail's files
    # notification mails and deadline alerts SES refused for now wait in its outbox
    notifications: NotificationStore = field(default_factory=NotificationStore)
    automation: AutomationDeps | None = None  # time triggers' effects (EventBridge); None: the job's own wiring


def sweep_outbox(
    deps: AutocloseDeps, *, at: datetime | None = None, time_left: Callable[[], float] | None = None
) -> RetryReport:
    """The scheduled job's other task: send again the mails SES refused for now (services/outbound.py),
    the tickets' and the agents' notification mails and deadline alerts (services/notifications.py)."""
    assert deps.mail is not None, "the outbox sweep reads the mails' files"
    report = retry_due(deps.tickets, deps.mail, deps.mailer, at=at, time_left=time_left)
    told = retry_mails(deps.notifications, deps.mailer, deps.mail_domain, at=at, time_left=time_left)
    for name in ("due", "sent", "refused", "stale", "errors"):
        setattr(report, name, getattr(report, name) + getattr(told, name))
    return report


def run(
    deps: AutocloseDeps,
    *,
    at: datetime | None = None,
    dry_run: bool = False,
    time_left: Callable[[], float] | None = None,
) -> AutocloseReport:
    """One run of the job: stale "warten auf Kunde" reminded or closed, missed deadlines alerted, deadlines
    near warned — in that order, each pass until done or the time budget ends (``stopped_early``)."""
    job = _Run(deps, deps.config.snapshot(), at or now(), dry_run, time_left)
    for step in (_looks, _stale, _overdue, _warnings):
        if not step(job):
            break
    return job.report


@dataclass
class _Run:
    deps: AutocloseDeps
    cfg: ConfigSnapshot
    moment: datetime
    dry_run: bool
    time_left: Callable[[], float] | None
    report: AutocloseReport = field(default_factory=AutocloseReport)

    def out_of_time(self) -> bool:
        if self.time_left is not None and self.time_left() < MARGIN_SECONDS:
            self.report.stopped_early = True
            return True
        return False

    def act(self, action: Action) -> bool:
        """Record ``action``; whether to carry it out (not in a dry run)."""
        self.report.actions.append(action)
        return not self.dry_run

    def done(self, action: Action, done: bool) -> None:
        action.result = "done" if done else "skipped"
        self.report.skipped += not done


def _stale(job: _Run) -> bool:
    """Tickets waiting for the customer longer than their policy allows: reminded, or closed."""
    deps, cfg, moment, report = job.deps, job.cfg, job.moment, job.report
    earliest = min(_days(cfg))
    for ticket in deps.tickets.waiting_since_before(iso(moment - timedelta(days=earliest)), page_size=PAGE_SIZE):
        if job.out_of_time():
            return False
        if not ticket.waiting_since:  # the store yields none of these; for the type checker
            continue
        report.examined += 1
        policy = effective_policy(cfg.settings.autoclose, cfg.mailbox(ticket.mailbox), cfg.queue(ticket.queue))
        decision = plan(ticket.waiting_since, ticket.reminded_at, policy, moment)
        if decision.step is Step.NONE:
            continue
        action = Action(ticket.pk, ticket.number, decision.step.value, round(decision.days_waiting, 1), decision.reason)
        if not job.act(action):
            continue
        if decision.step is Step.CLOSE:
            done = close(deps, cfg, ticket, decision, send_mail=policy.send_close_mail, at=moment)
            report.closed += done
        else:
            done = remind(deps, cfg, ticket, decision, at=moment)
            report.reminded += done
        job.done(action, done)
    return True


def _no_bus(events: list[dict[str, Any]]) -> list[int]:
    return list(range(len(events)))  # without an event bus wired every event is refused (and logged)


def _looks(job: _Run) -> bool:
    """Tickets whose next look (SLA warning or due, a time trigger) has come: clocks brought up to date, time
    triggers run, the next look set (services/timed.py). First, so the deadline passes below read the
    ``by_sla`` index with these tickets moved on."""
    if job.dry_run:
        return True
    deps = job.deps
    wired = deps.automation or AutomationDeps(
        deps.tickets, deps.config.snapshot, deps.mailer, deps.mail_domain, _no_bus
    )
    done = run_due(
        wired,
        lambda until: deps.tickets.deadlines_between(None, until, page_size=PAGE_SIZE),
        at=job.moment,
        time_left=job.time_left,
        margin=MARGIN_SECONDS,
    )
    job.report.looked += done.saved
    job.report.triggers_fired += done.fired
    job.report.stopped_early |= done.stopped_early
    return not done.stopped_early


def _overdue(job: _Run) -> bool:
    """Tickets past a deadline not alerted yet: the deadline alert."""
    moment, report = job.moment, job.report
    for ticket in job.deps.tickets.deadlines_between(None, iso(moment), page_size=PAGE_SIZE):
        if job.out_of_time():
            return False
        report.examined += 1
        missed = [
            d
            for d in pending_deadlines(
                ticket.due_at, ticket.response_due_at, ticket.first_response_at, list(ticket.sla_alerted or [])
            )
            if d[1] < iso(moment)
        ]
        if not missed:
            continue
        age = (moment - parse_iso(missed[0][1])) / timedelta(days=1)
        reason = ", ".join(f"{key.split(':')[0]} deadline {at}" for key, at in missed)
        action = Action(ticket.pk, ticket.number, "overdue", round(age, 2), reason)
        if not job.act(action):
            continue
        done = escalate(job.deps, job.cfg, ticket, missed, at=moment)
        report.escalated += done
        job.done(action, done)
    return True


def _warnings(job: _Run) -> bool:
    """Tickets whose deadline comes within the team's warning lead: warned once."""
    moment, report = job.moment, job.report
    lead = timedelta(minutes=job.cfg.settings.autoclose.deadline_warning_minutes)
    if lead <= timedelta(0):
        return True
    for ticket in job.deps.tickets.deadlines_between(iso(moment), iso(moment + lead), page_size=PAGE_SIZE):
        if job.out_of_time():
            return False
        report.examined += 1
        due = pending_warnings(
            ticket.due_at,
            ticket.response_due_at,
            ticket.first_response_at,
            list(ticket.sla_alerted or []),
            lead,
            moment,
        )
        if not due:
            continue  # warned already: it stays in this range until the deadline passes or is met
        minutes = (parse_iso(due[0][1]) - moment) / timedelta(minutes=1)
        reason = ", ".join(f"{key.split(':')[1]} deadline {at}" for key, at in due)
        action = Action(ticket.pk, ticket.number, "warn", round(-minutes / (24 * 60), 3), reason)
        if not job.act(action):
            continue
        done = warn(job.deps, ticket, due, at=moment)
        report.warned += done
        job.done(action, done)
    return True


def _days(cfg: ConfigSnapshot) -> list[float]:
    base = cfg.settings.autoclose
    values = [base.remind_after_days, base.close_after_days]
    overrides: list[Mailbox | Queue] = [*cfg.queues, *cfg.mailboxes]
    for item in overrides:
        values += [v for v in (item.remind_after_days, item.close_after_days) if v]
    return values


def _mailbox(cfg: ConfigSnapshot, ticket: TicketItem) -> Mailbox | None:
    return cfg.sending_mailbox(ticket.mailbox, ticket.queue)


def _texts(
    cfg: ConfigSnapshot, kind: str, subject: LocalizedText, body: LocalizedText, mailbox: Mailbox
) -> tuple[str, str]:
    template = next(
        (
            t
            for t in cfg.templates
            if t.kind == kind and t.language == mailbox.language and t.applies_to(mailbox.id, None)
        ),
        None,
    )
    if template is not None:
        return template.subject or subject.get(mailbox.language), template.body
    return subject.get(mailbox.language), body.get(mailbox.language)


def _customer_mail(
    deps: AutocloseDeps,
    cfg: ConfigSnapshot,
    ticket: TicketItem,
    kind: str,
    subject_t: LocalizedText,
    body_t: LocalizedText,
    days: float,
) -> MessageItem | None:
    """The reminder or closing mail, threaded onto the customer's last mail; None when there is no recipient."""

    mailbox = _mailbox(cfg, ticket)
    if mailbox is None or not ticket.customer_email:
        return None
    messages = deps.tickets.messages(ticket.pk)
    to, _, answered = reply_defaults(ticket, messages, cfg.own_addresses)
    if not to:
        return None
    subject_template, body_template = _texts(cfg, kind, subject_t, body_t, mailbox)
    values = template_values(ticket, cfg, mailbox, ticket.subject, ticket.customer_name or "", ticket.customer_email)
    values["DAYS"] = f"{days:.0f}"
    subject = thread_subject(ticket, render_line(subject_template, values))
    text = render(body_template, values)
    html = render_html(body_template, html_values(values))
    return outbound_message(
        ticket,
        mailbox,
        to,
        [],
        subject,
        text,
        html,
        Answered.of(answered),
        author="system",
        mail_domain=deps.mail_domain,
        summary=text,
        auto=True,
        auto_submitted="auto-generated",
    )


def remind(deps: AutocloseDeps, cfg: ConfigSnapshot, ticket: TicketItem, decision: Plan, *, at: datetime) -> bool:
    message = _customer_mail(
        deps, cfg, ticket, "reminder", DEFAULT_REMINDER_SUBJECT, DEFAULT_REMINDER_BODY, decision.days_waiting
    )
    stamp = iso(at)
    before = Snapshot.of(ticket)
    transition = reminded(state_of(ticket), at=stamp, days_waiting=decision.days_waiting, mailed=message is not None)
    events = apply_transition(ticket, transition, stamp)
    unit = deps.tickets.unit()
    write_ticket(unit, ticket, before, events)  # conditional on the version read: a concurrent change wins
    if message is not None:
        save_message(unit, ticket, message)
    save_records(unit, ticket, transition.records, stamp)
    return _commit_then_mail(deps, unit, ticket, message)


def close(
    deps: AutocloseDeps, cfg: ConfigSnapshot, ticket: TicketItem, decision: Plan, *, send_mail: bool, at: datetime
) -> bool:
    message = (
        _customer_mail(deps, cfg, ticket, "close", DEFAULT_CLOSE_SUBJECT, DEFAULT_CLOSE_BODY, decision.days_waiting)
        if send_mail
        else None
    )
    stamp = iso(at)
    before = Snapshot.of(ticket)
    transition = status_set(
        state_of(ticket),
        Status.CLOSED.value,
        at=stamp,
        actor="system",
        why=reason("status.autoclose"),
        extra={"days_waiting": round(decision.days_waiting, 1)},
    )
    events = apply_transition(ticket, transition, stamp)
    unit = deps.tickets.unit()
    write_ticket(unit, ticket, before, events)
    if message is not None:
        save_message(unit, ticket, message)
    save_records(unit, ticket, transition.records, stamp)
    stats_update(unit, stamp, {"autoclosed": 1})
    return _commit_then_mail(deps, unit, ticket, message)


def _commit_then_mail(deps: AutocloseDeps, unit: Unit, ticket: TicketItem, message: MessageItem | None) -> bool:
    """Commit the change; only then hand its mail (stored ``pending`` in the same transaction) to SES.

    ``False`` when the ticket changed since it was read (an agent or the customer won): nothing written, nothing sent.
    """
    try:
        unit.commit()
    except Conflict:
        return False
    if message is not None:
        with suppress(SendFailed):  # stored: retried by the outbox sweep, or failed for an agent to re-send
            deliver(deps.tickets, deps.mailer, ticket, message)
    return True


def escalate(
    deps: AutocloseDeps, cfg: ConfigSnapshot, ticket: TicketItem, missed: list[tuple[str, str]], *, at: datetime
) -> bool:
    """Flag the missed deadlines once, raise the priority once if the policy says so, tell who is responsible."""
    stamp = iso(at)
    before = Snapshot.of(ticket)
    ticket.sla_alerted = [*list(ticket.sla_alerted or []), *(key for key, _ in missed)][-20:]
    ticket.overdue_at = stamp
    raised = None
    if cfg.settings.autoclose.raise_priority_when_overdue:
        new = Priority(ticket.priority).raised().value
        if new != ticket.priority:
            raised, ticket.priority = (ticket.priority, new), new
    recipients = _responsible(cfg, ticket)
    detail = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "notified": recipients,
        "deadlines": [{"kind": key.split(":")[0], "at": deadline} for key, deadline in missed],
        **({"priority": list(raised)} if raised else {}),
    }
    unit = deps.tickets.unit()
    write_ticket(unit, ticket, before, [new_event(ticket, "DeadlineMissed", "system", detail, stamp)])
    stats_update(unit, stamp, {"deadlines_missed": 1})
    try:
        unit.commit()
    except Conflict:
        return False
    if recipients:
        _notify(deps, cfg, ticket, missed, recipients)
    return True


def warn(deps: AutocloseDeps, ticket: TicketItem, due: list[tuple[str, str]], *, at: datetime) -> bool:
    """Record ``DeadlineWarning`` once per deadline (its ``warn:`` key in ``sla_alerted``, in the same
    conditional transaction): the live fan-out tells the assignee, or the queue's people, from the event
    (notification kind ``deadline_warning``, by app and mail as each chose)."""
    stamp = iso(at)
    before = Snapshot.of(ticket)
    ticket.sla_alerted = [*list(ticket.sla_alerted or []), *(key for key, _ in due)][-20:]
    detail = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "deadlines": [{"kind": key.split(":")[1], "at": deadline} for key, deadline in due],
    }
    unit = deps.tickets.unit()
    write_ticket(unit, ticket, before, [new_event(ticket, "DeadlineWarning", "system", detail, stamp)])
    try:
        unit.commit()
    except Conflict:
        return False
    return True


def _responsible(cfg: ConfigSnapshot, ticket: TicketItem) -> list[str]:
    agent = cfg.agent(ticket.assignee)
    if agent is not None and agent.active:
        return [agent.email]
    queue = cfg.queue(ticket.queue)
    if queue is not None and queue.notify_address:
        return [queue.notify_address]
    if queue is not None and queue.responsible:
        return [a.email for a in (cfg.agent(name) for name in queue.responsible) if a is not None and a.active]
    return []


def _notify(
    deps: AutocloseDeps, cfg: ConfigSnapshot, ticket: TicketItem, missed: list[tuple[str, str]], recipients: list[str]
) -> None:
    """Internal alert mails (not stored on the ticket; the event records it), one per recipient, from the
    system sender like every notification mail, so one that comes back to a mailbox is not made a ticket
    (ingest). One SES refuses for now waits in the notifications' outbox and the outbox sweep sends it
    again (:func:`.notifications.send_mail`): the deadline is recorded as alerted, so a lost alert was
    never sent again (and an exception here stopped the job's run)."""
    sender = system_sender(cfg.settings.notification_sender, deps.mail_domain)
    names = {"due": ("Fälligkeit", "due date"), "response": ("Erstreaktionszeit", "first-response target")}
    lines = [f"- {names[key.split(':')[0]][0]} / {names[key.split(':')[0]][1]}: {at}" for key, at in missed]
    subject = f"Überfällig / overdue: {ticket.subject} [#{ticket.number}]"[:300]
    text = f"Ticket {ticket.number} ({ticket.subject}) ist überfällig / is overdue:\n" + "\n".join(lines) + "\n"
    alert = f"ALERT#{ticket.pk}#{len(ticket.sla_alerted or [])}"
    for recipient in recipients:
        mail = NotificationMail(
            user="",  # no agent's notification follows it: it may go to a queue's address
            note_sk=f"{alert}#{recipient}",
            sender=sender,
            sender_name=cfg.settings.company,
            to=recipient,
            to_name="",
            subject=subject,
            text=text,
            ticket_number=ticket.number,
        )
        send_mail(deps.notifications, deps.mailer, deps.mail_domain, mail)
