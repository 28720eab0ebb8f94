"""Notifications (issue 12, part 4): from the tickets table's stream to each agent's bell, socket and mail;
and the agent's own use cases (list, unread count, mark read, preferences).

Who is told is decided by ``domain/notifications.py``; here it is fed and carried out:

1. the event items of a stream batch (the live fan-out's records, ``functions/live/app.py:fanout``)
   with the tickets as they are now and the team's configuration → :func:`~..domain.notifications.decide`;
2. each notice is stored with a conditional put keyed by the event (a stream retry stores nothing
   twice, so nothing is pushed or mailed twice);
3. new notices shown in the app are pushed as a ``notification`` message to the agent's own sockets
   (the client re-reads its bell over the REST API), and those with the mail channel are mailed
   (``outbound.send_internal``):
   plain text, ``Auto-Submitted: auto-generated``, from the system sender, to the agent only.

A mail SES refuses for now (throttling, SES's own trouble: domain/sending.py) is kept as rendered in the
notifications table's outbox and sent again by the scheduled outbox sweep (:func:`retry_mails`) with the
pauses of every other mail; one SES rejects, or whose retries ran out, is ``mail: failed``. The app
notification stays either way.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field, replace
from datetime import datetime
from typing import Any, Protocol

from ..aws.live import Delivery
from ..aws.ses import Mailer, refusal_code
from ..domain.clock import iso, now
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.headers import Address
from ..domain.live import encode, token_expired
from ..domain.notifications import (
    EVENT_TYPES,
    TTL_DAYS,
    Change,
    Kind,
    Notice,
    Preferences,
    TicketFacts,
    decide,
    excerpt,
    mail_text,
    notification_key,
    system_sender,
    ticket_link,
)
from ..domain.sending import refusal
from ..store.config_store import ConfigStore
from ..store.live import INBOX, LiveStore
from ..store.models import TicketItem
from ..store.notifications import Notification, NotificationMail, NotificationStore, Page
from ..store.plain import from_item
from ..store.tickets import TicketStore, timeline_sk
from .outbound import RetryReport, send_internal

log = logging.getLogger("helpdesk.notifications")


class Poster(Protocol):
    def post_many(self, messages: Sequence[tuple[str, bytes]]) -> Delivery: ...


@dataclass
class NotifyDeps:
    store: NotificationStore
    tickets: TicketStore
    config: ConfigStore
    mailer: Mailer
    mail_domain: str
    public_url: str = ""
    live: LiveStore | None = None
    poster: Poster | None = None
    clock: Callable[[], float] = time.time


@dataclass
class NotifyReport:
    events: int = 0
    stored: int = 0
    repeated: int = 0  # already stored (a retried stream batch)
    pushed: int = 0
    mailed: int = 0
    mail_deferred: int = 0  # refused for now: the outbox sweep sends it again
    mail_failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


def changes_of(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, Change]]:
    """Stream records → the inserted events that can notify anyone, as (ticket id, change), in order."""
    found: list[tuple[str, Change]] = []
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        image = (record.get("dynamodb") or {}).get("NewImage") or {}
        if image.get("kind", {}).get("S") != "event" or image.get("type", {}).get("S") not in EVENT_TYPES:
            continue
        plain = from_item(image)
        detail = plain.get("detail")
        if isinstance(detail, str):  # pynamodb's JSONAttribute is stored as a JSON string
            try:
                detail = json.loads(detail)
            except ValueError:
                detail = {}
        change = Change(
            event_id=str(plain.get("id", "")),
            type=str(plain.get("type", "")),
            actor=str(plain.get("actor", "")),
            at=str(plain.get("created_at", "")),
            detail=detail if isinstance(detail, dict) else {},
        )
        found.append((str(plain.get("pk", "")), change))
    return found


def facts_of(ticket: TicketItem) -> TicketFacts:
    return TicketFacts(
        id=ticket.pk,
        number=ticket.number,
        queue=ticket.queue,
        bucket=ticket.bucket,
        status=ticket.status,
        assignee=ticket.assignee,
        private=bool(ticket.private),
        created_at=ticket.created_at,
    )


def notify(deps: NotifyDeps, records: Iterable[Mapping[str, Any]]) -> NotifyReport:
    """One stream batch → stored, pushed and mailed notifications (each at most once per event and agent)."""
    report = NotifyReport()
    changes = changes_of(records)
    report.events = len(changes)
    if not changes:
        return report
    tickets = deps.tickets.batch_tickets([tid for tid, _ in changes])
    cfg = deps.config.snapshot()
    prefs: dict[str, Preferences] = {}

    def prefs_of(user: str) -> Preferences:
        if user not in prefs:
            prefs[user] = deps.store.preferences(user)
        return prefs[user]

    fresh: list[Notification] = []
    mail: list[Notification] = []
    for ticket_id, change in changes:
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        decision = decide(change, facts_of(ticket), cfg, prefs_of)
        for skip in decision.skipped.values():
            report.skipped[skip.value] = report.skipped.get(skip.value, 0) + 1
        text = (
            _comment_text(deps.tickets, ticket, change)
            if any(n.kind is Kind.MENTIONED for n in decision.notices)
            else ""
        )
        for notice in decision.notices:
            note = _notification(notice, ticket, change, text)
            if not deps.store.add(note):
                report.repeated += 1
                continue
            report.stored += 1
            if note.listed:
                fresh.append(note)
            if "mail" in notice.channels:
                mail.append(note)
    if fresh:
        _push(deps, fresh, report)  # the bell first: mails take longer
    for note in mail:
        _mail(deps, cfg, note, report)
    return report


def _notification(notice: Notice, ticket: TicketItem, change: Change, text: str) -> Notification:
    at = change.at or iso()
    return Notification(
        user=notice.user,
        id=notification_key(at, change.event_id),
        kind=notice.kind.value,
        reason=notice.reason.value,
        ticket_id=ticket.pk,
        number=ticket.number,
        subject=(ticket.subject or "")[:300],
        actor=change.actor,
        text=text if notice.kind is Kind.MENTIONED else "",
        event_type=change.type,
        created_at=at,
        channels=tuple(sorted(notice.channels)),
        expires_at=int(time.time()) + TTL_DAYS * 86400,
    )


def _comment_text(tickets: TicketStore, ticket: TicketItem, change: Change) -> str:
    comment_id = change.detail.get("comment_id")
    if not isinstance(comment_id, str) or not comment_id:
        return ""
    comment = tickets.comment(ticket.pk, timeline_sk("CMT", change.at, comment_id))
    return excerpt(comment.body or "") if comment is not None else ""


def _mail(deps: NotifyDeps, cfg: ConfigSnapshot, note: Notification, report: NotifyReport) -> None:
    agent = cfg.agent(note.user)
    if agent is None or not agent.email:
        return
    sender = system_sender(cfg.settings.notification_sender, deps.mail_domain)
    actor = cfg.agent(note.actor)
    content = mail_text(
        Kind(note.kind),
        agent.language,
        note.number,
        note.subject,
        ticket_link(deps.public_url, note.ticket_id),
        (actor.name or actor.username) if actor else note.actor,
        note.text,
    )
    mail = NotificationMail(
        note.user, note.sk, sender, cfg.settings.company, agent.email, agent.name or "", content.subject, content.text
    )
    state = send_mail(deps.store, deps.mailer, deps.mail_domain, mail)
    report.mailed += state == "sent"
    report.mail_deferred += state == "retry"
    report.mail_failed += state == "failed"


def send_mail(
    store: NotificationStore, mailer: Mailer, mail_domain: str, mail: NotificationMail, at: datetime | None = None
) -> str:
    """One try of a notification mail (``mail.attempts`` tries before this one); the state it leaves:
    ``sent``, ``retry`` (refused for now: in the outbox until its pause is over) or ``failed``."""
    attempts = mail.attempts + 1
    try:
        send_internal(
            mailer,
            Address(mail.sender_name, mail.sender),
            Address(mail.to_name, mail.to),
            mail.subject,
            mail.text,
            mail_domain,
            mail.ticket_number,
        )
    except Exception as exc:
        refused = refusal_code(exc)
        who = mail.user or mail.note_sk
        if refused is None:  # SES's answer was lost: it may have the mail, so it is not sent again
            log.exception("notification mail to %s: no answer from the mail service", who)
            _mail_state(store, mail, "failed", "no answer from the mail service")
            return "failed"
        moment = at or now()
        verdict = refusal(*refused, attempts, moment)
        log.warning("notification mail to %s refused (%s): %s", who, verdict.state, verdict.reason)
        if verdict.retry_at is not None:
            retry = replace(mail, attempts=attempts)
            store.defer_mail(retry, iso(verdict.retry_at), verdict.reason, int(moment.timestamp()))
        else:
            _mail_state(store, mail, "failed", verdict.reason)
        return verdict.state
    _mail_state(store, mail, "sent")
    return "sent"


def _mail_state(store: NotificationStore, mail: NotificationMail, state: str, error: str | None = None) -> None:
    if mail.has_notification:  # a deadline alert has no notification item to follow its state
        store.set_mail_state(mail.user, mail.note_sk, state, error)


def retry_mails(
    store: NotificationStore,
    mailer: Mailer,
    mail_domain: str,
    *,
    at: datetime | None = None,
    time_left: Callable[[], float] | None = None,
) -> RetryReport:
    """The outbox sweep's part for notification mails: every one SES refused for now whose pause is over,
    sent again. Safe to run twice at once: each is claimed (taken out of the outbox) before it is sent."""
    moment = at or now()
    report = RetryReport()
    for mail in store.due_mails(iso(moment)):
        if time_left is not None and time_left() < 20:
            break
        report.due += 1
        if not store.claim_mail(mail):
            report.stale += 1
            continue
        state = send_mail(store, mailer, mail_domain, mail, moment)
        report.sent += state == "sent"
        report.refused += state != "sent"
    return report


def notification_message(note: Notification) -> dict[str, Any]:
    """The live socket's ``notification`` message: ids only (the client re-reads its bell over REST)."""
    return {
        "type": "notification",
        "notification": {"id": note.id, "kind": note.kind, "ticket_id": note.ticket_id, "number": note.number},
    }


def _push(deps: NotifyDeps, fresh: list[Notification], report: NotifyReport) -> None:
    if deps.live is None or deps.poster is None:
        return
    now = deps.clock()
    by_user: dict[str, list[Notification]] = {}
    for note in fresh:
        by_user.setdefault(note.user, []).append(note)
    messages: list[tuple[str, bytes]] = []
    for sub in deps.live.subscribers(INBOX):  # every view of the web client subscribes to the inbox
        if sub.user in by_user and not token_expired(sub.token_exp, now):
            messages += [(sub.connection_id, encode(notification_message(n))) for n in by_user[sub.user]]
    if messages:
        delivery = deps.poster.post_many(messages)
        report.pushed += delivery.sent


# ------------------------------------------------------------------------------------ the agent's own


def my_page(store: NotificationStore, user: str, limit: int, cursor: str | None, unread_only: bool) -> Page:
    return store.page(user, limit, cursor, unread_only)


def my_preferences(store: NotificationStore, user: str) -> Preferences:
    return store.preferences(user)


def set_my_preferences(store: NotificationStore, user: str, table: Mapping[str, Mapping[str, bool]]) -> Preferences:
    prefs = Preferences.from_table(table)
    store.put_preferences(user, prefs, iso())
    return prefs
