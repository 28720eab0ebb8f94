"""Use cases for customers, who have no accounts: their ticket behind a signed link, and the contact form.

* The link (``/#/t/<token>``) carries the ticket id, an expiry and an HMAC; it shows status and the
  mail exchange (never internal comments or events), and takes a reply that is stored like a mail.
* The contact form builds a real MIME message and hands it to the same ingest as SES mail (rules,
  numbering, auto-reply), marked as unverified: it never writes into an existing ticket.
* Both are rate-limited per IP address and per e-mail address (fixed windows in the meta table).
"""

from __future__ import annotations

from email.headerregistry import Address as MailAddress
from email.message import EmailMessage
from email.utils import format_datetime

from ..domain.clock import iso, now
from ..domain.conflicts import Verdict, reply_check
from ..domain.dataclass import dataclass
from ..domain.headers import header_line, normalize_address
from ..domain.ids import new_id
from ..domain.lifecycle import customer_answered
from ..domain.privacy import consent_record
from ..domain.status import Status
from ..domain.threading import FORWARD_SIDE
from ..store import ratelimit
from ..store.models import AddressMap, MessageItem, TicketItem
from ..store.stats import save_records
from ..store.tickets import TicketDetail, TicketStore, apply_transition, state_of, timeline_sk
from ..store.unit import Conflict
from ..store.writes import Snapshot, save_message, thread_unchanged, write_ticket
from .changes import ChangeError, Missing
from .ingest import IngestDeps, IngestResult, ingest_raw

WEB_PREFIX = "inbound-web/"  # not inbound/: those objects do not trigger the SQS ingest again


class Limited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; try again in {retry_after} s")
        self.retry_after = retry_after


def rate_limit(key: str, limit: int, window_seconds: int) -> None:
    """At most ``limit`` hits per fixed window for ``key`` (store/ratelimit.py)."""
    retry_after = ratelimit.hit(key, limit, window_seconds)
    if retry_after is not None:
        raise Limited(retry_after)


@dataclass
class ContactForm:
    name: str
    email: str
    subject: str
    body: str
    mailbox: str | None = None
    notice_lang: str | None = None  # the language of the privacy notice the form showed (None: none shown)


def submit_contact_form(form: ContactForm, deps: IngestDeps, *, source_ip: str, mail_domain: str) -> IngestResult:
    address = normalize_address(form.email)
    if not address:
        raise ChangeError("not an e-mail address", "email")
    rate_limit(f"contact-ip#{source_ip}", 5, 3600)
    rate_limit(f"contact-address#{address}", 3, 3600)
    cfg = deps.config.snapshot()
    mailbox = cfg.sending_mailbox(form.mailbox, None)  # the form's, else the team's default (its queue follows)
    to = mailbox.address if mailbox else f"support@{mail_domain}"
    msg = EmailMessage()
    msg["From"] = MailAddress(display_name=header_line(form.name), addr_spec=address) if form.name else address
    msg["To"] = to
    msg["Subject"] = header_line(form.subject) or "(Kontaktformular)"
    msg["Date"] = format_datetime(now())
    # Not our mail domain itself: the loop guard would (rightly) refuse to auto-reply to our own Message-IDs.
    msg["Message-ID"] = f"<{new_id().lower()}@contact-form.{mail_domain}>"
    msg["X-Helpdesk-Source"] = f"contact form from {source_ip}"
    msg.set_content(form.body)
    raw = msg.as_bytes()
    key = f"{WEB_PREFIX}{new_id().lower()}"
    deps.mail.put(key, raw, "message/rfc822")
    consent = None
    if form.notice_lang:
        url = cfg.settings.privacy_url.get(form.notice_lang)
        consent = consent_record(cfg.settings.company, url, form.notice_lang, iso())
    return ingest_raw(raw, key, deps, channel="contact_form", trusted_sender=False, consent=consent)


def public_view(store: TicketStore, ticket_id: str) -> TicketDetail:
    detail = store.detail(ticket_id)
    if detail is None or detail.ticket.merged_into:
        if detail is not None and detail.ticket.merged_into:
            merged = store.detail(detail.ticket.merged_into)
            if merged is not None:
                return _public(merged)
        raise Missing(ticket_id)
    return _public(detail)


def _public(detail: TicketDetail) -> TicketDetail:
    """Only what the customer may see: the mail exchange with them (no comments, no events, no internal data,
    no forwards and nothing exchanged with a forward's recipients)."""
    mine = [m for m in detail.messages if m.side != FORWARD_SIDE]
    return TicketDetail(ticket=detail.ticket, messages=sorted(mine, key=lambda m: m.sk))


class CustomerConflict(Exception):
    """We wrote to the customer since they opened the page (``verdict.reason``); nothing was stored.

    ``messages`` are our new mails, as the customer may see them; ``ticket`` the ticket as it is now."""

    def __init__(self, verdict: Verdict, detail: TicketDetail) -> None:
        super().__init__("there are new messages since you opened this page")
        self.verdict = verdict
        self.ticket = detail.ticket
        ids = {e.id for e in verdict.new}
        self.messages = sorted((m for m in detail.messages if m.id in ids), key=lambda m: m.sk)


def _seen_position(detail: TicketDetail, seen_message_id: str | None) -> int | None:
    if seen_message_id is None:
        return None
    seen = next((m for m in detail.messages if m.id == seen_message_id), None)
    if seen is None:
        raise ChangeError("no such message in this ticket", "seen_message_id")
    return int(seen.thread_seq or 0)


def public_reply(
    store: TicketStore,
    ticket_id: str,
    body: str,
    *,
    source_ip: str,
    seen_message_id: str | None = None,
    confirm_conflict: bool = False,
) -> MessageItem:
    """The customer's answer on the web. ``seen_message_id`` (the newest message their page showed) makes it
    wait for a confirmation when we wrote to them since (:class:`CustomerConflict`); race-safe as an
    agent's reply is (services/replies.py)."""
    if not body.strip():
        raise ChangeError("the message is empty", "body")
    rate_limit(f"public-reply-ip#{source_ip}", 20, 3600)
    rate_limit(f"public-reply-ticket#{ticket_id}", 10, 3600)
    for attempt in range(3):
        detail = store.detail(ticket_id, consistent=True)
        if detail is None or detail.ticket.status == Status.TRASH.value:
            raise Missing(ticket_id)
        ticket = detail.ticket
        verdict = reply_check(
            _seen_position(detail, seen_message_id), _public(detail).thread(), actor=None, confirmed=confirm_conflict
        )
        if verdict.stale:
            raise CustomerConflict(verdict, detail)
        message = _reply_message(ticket, body)
        try:
            _commit_public_reply(store, ticket, message)
        except Conflict as exc:
            if "ticket" in exc.tags and attempt < 2:
                continue
            raise
        return message
    raise AssertionError("unreachable")


def _reply_message(ticket: TicketItem, body: str) -> MessageItem:
    at = iso()
    msg_id = new_id()
    return MessageItem(
        pk=ticket.pk,
        sk=timeline_sk("MSG", at, msg_id),
        id=msg_id,
        direction="inbound",
        channel="web",
        from_addr=AddressMap(name=ticket.customer_name or "", address=ticket.customer_email)
        if ticket.customer_email
        else None,
        subject=f"Re: {ticket.subject}",
        text=body,
        new_text=body[:2000],
        message_id=f"{msg_id.lower()}@web.invalid",
        created_at=at,
    )


def _commit_public_reply(store: TicketStore, ticket: TicketItem, message: MessageItem) -> None:
    at = message.created_at
    before = Snapshot.of(ticket)
    position = int(ticket.thread_version or 0)
    transition = customer_answered(
        state_of(ticket), at=at, preview=message.text, channel="web", message={"channel": "web"}
    )
    events = apply_transition(ticket, transition, at)
    unit = store.unit()
    write_ticket(unit, ticket, before, events, condition=thread_unchanged(position))
    save_message(unit, ticket, message)
    save_records(unit, ticket, transition.records, at)
    unit.commit()
