"""Use cases: an agent answers the customer (mail through SES) or leaves an internal comment.

A reply is stored and sent like the auto-reply: the outbound message, its Message-ID in the index
and the ticket's new state are one transaction (``send_state = pending``); then the message is
claimed (``pending`` → ``sent``) and handed to SES. The subject carries ``[#number]``; In-Reply-To
and References point at the mail answered, so the customer's program threads it and the answer to
it threads back onto the ticket.
"""

from __future__ import annotations

import hmac
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field
from hashlib import sha256

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.clock import iso, parse_iso
from ..domain.config import ConfigSnapshot, Mailbox
from ..domain.headers import Address, clean_text
from ..domain.ids import new_id, new_message_id
from ..domain.outgoing import OutgoingAttachment, OutgoingMail, build_mime, header_safe
from ..domain.sanitize import sanitize_html, text_to_html
from ..domain.status import Status
from ..domain.templating import html_values, render, render_html
from ..store.models import AddressMap, AttachmentMap, CommentItem, MessageItem, MetaItem, TicketItem
from ..store.stats import stats_update
from ..store.tickets import TicketStore, new_event, timeline_sk
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, save_message, write_ticket
from .changes import ChangeError, Missing, apply, resolution_items, validate

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 25 * 1024 * 1024  # SES v2 accepts 40 MB; base64 grows attachments by a third
UPLOAD_PREFIX = "uploads/"


@dataclass
class ReplyRequest:
    body: str = ""
    html: str | None = None
    to: list[Address] | None = None
    cc: list[Address] | None = None
    template_id: str | None = None
    attach_original: bool = False
    upload_keys: list[str] = field(default_factory=list)
    status: str = Status.WAITING_CUSTOMER.value
    subject: str | None = None


@dataclass
class ReplyResult:
    ticket: TicketItem
    message: MessageItem
    sent: bool


class SendFailed(Exception):
    def __init__(self, message: MessageItem) -> None:
        super().__init__("the mail service refused the message; it is stored and can be sent again")
        self.message = message


# ----------------------------------------------------------------------------------------- customer links


def customer_token(secret: str, ticket_id: str, days: int, now: float | None = None) -> str:
    """``<ticket id>.<expiry>.<signature>``: an expiring, unforgeable link to one ticket's public view."""
    expires = int((now or time.time()) + days * 86400)
    payload = f"{ticket_id}.{expires}"
    signature = hmac.new(secret.encode(), payload.encode(), sha256).digest()[:18]
    return f"{payload}.{urlsafe_b64encode(signature).decode().rstrip('=')}"


def verify_customer_token(secret: str, token: str, now: float | None = None) -> str | None:
    """The ticket id the token grants, or None when it is forged, damaged or expired."""
    try:
        ticket_id, expires, signature = token.split(".")
        given = urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        expiry = int(expires)
    except ValueError:
        return None
    expected = hmac.new(secret.encode(), f"{ticket_id}.{expires}".encode(), sha256).digest()[:18]
    if not secret or not hmac.compare_digest(given, expected) or expiry < (now or time.time()):
        return None
    return ticket_id


# ------------------------------------------------------------------------------------------------- replies


def reply_defaults(
    ticket: TicketItem, messages: list[MessageItem], own: set[str]
) -> tuple[list[Address], list[Address], MessageItem | None]:
    """To, Cc and the message answered: the newest inbound mail's Reply-To/From, its Cc without our addresses."""
    inbound = [m for m in messages if m.direction == "inbound" and m.channel == "email"]
    last = max(inbound, key=lambda m: m.sk) if inbound else None
    if last is not None and last.from_addr is not None:
        to = [Address(last.from_addr.name or "", last.from_addr.address)]
    elif ticket.customer_email:
        to = [Address(ticket.customer_name or "", ticket.customer_email)]
    else:
        to = []
    cc = [
        Address(a.name or "", a.address)
        for a in (last.cc if last else [])
        if a.address not in own and a.address not in {t.address for t in to}
    ]
    return to, cc, last


def agent_values(
    ticket: TicketItem, cfg: ConfigSnapshot, mailbox: Mailbox | None, agent: str, link: str
) -> dict[str, str]:
    from .ingest import template_values

    values = template_values(
        ticket, cfg, mailbox, ticket.subject, ticket.customer_name or "", ticket.customer_email or ""
    )
    me = cfg.agent(agent)
    values["AGENT"] = (me.name or me.username) if me else agent
    values["LINK"] = link
    return values


def send_reply(
    store: TicketStore,
    mail: MailStore,
    mailer: Mailer,
    cfg: ConfigSnapshot,
    ticket_id: str,
    request: ReplyRequest,
    *,
    actor: str,
    mail_domain: str,
    link_secret: str = "",
    public_url: str = "",
) -> ReplyResult:
    detail = store.detail(ticket_id)
    if detail is None:
        raise Missing(ticket_id)
    ticket = detail.ticket
    mailbox = cfg.mailbox(ticket.mailbox) or (cfg.mailboxes[0] if cfg.mailboxes else None)
    if mailbox is None:
        raise ChangeError("no mailbox is configured to send from", "mailbox")
    default_to, default_cc, answered = reply_defaults(ticket, detail.messages, cfg.own_addresses)
    to = request.to if request.to is not None else default_to
    cc = request.cc if request.cc is not None else default_cc
    if not to:
        raise ChangeError("the reply has no recipient", "to")

    link = ""
    if cfg.settings.customer_links and link_secret and public_url:
        token = customer_token(link_secret, ticket.pk, cfg.settings.customer_link_days)
        link = f"{public_url}/#/t/{token}"
    values = agent_values(ticket, cfg, mailbox, actor, link)
    text, html = _body(request, cfg, values)
    if link and "{LINK}" not in (request.body or "") and cfg.settings.customer_links:
        footer = "Ihr Ticket online / your ticket online: " if mailbox.language == "de" else "Your ticket online: "
        text += f"\n\n-- \n{footer}{link}"
        html += f'<p style="color:#666">-- <br>{text_to_html(footer)}<a href="{link}">{link}</a></p>'

    attachments, stored = _attachments(request, ticket, mail, answered)
    subject = thread_subject(ticket, request.subject)
    message = outbound_message(
        ticket,
        mailbox,
        to,
        cc,
        subject,
        text,
        html,
        Answered.of(answered),
        author=actor,
        mail_domain=mail_domain,
        summary=text,
        attachments=stored,
    )
    for attempt in range(3):
        try:
            _commit_reply(cfg, ticket, message, request, actor, to, cc, message.created_at)
            break
        except Conflict as exc:
            if "ticket" not in exc.tags or attempt == 2:
                raise
            fresh = store.get(ticket.pk, consistent=True)
            if fresh is None:
                raise Missing(ticket_id) from exc
            ticket = fresh
    sent = deliver(store, mailer, ticket, message, attachments)
    return ReplyResult(ticket, message, sent)


@dataclass(frozen=True)
class Answered:
    """The mail an outbound message answers: In-Reply-To and References are built from it."""

    message_id: str
    references: list[str]

    @classmethod
    def of(cls, message: MessageItem | None) -> Answered | None:
        return cls(message.message_id, list(message.references or [])) if message and message.message_id else None


def outbound_message(
    ticket: TicketItem,
    mailbox: Mailbox,
    to: list[Address],
    cc: list[Address],
    subject: str,
    text: str,
    html: str,
    answered: Answered | None,
    *,
    author: str,
    mail_domain: str,
    summary: str,
    attachments: list[AttachmentMap] | None = None,
    auto: bool = False,
    at: str | None = None,
) -> MessageItem:
    """A mail we send, stored on the ticket (``pending`` until handed to SES), threaded to ``answered``."""
    at = at or iso()
    msg_id = new_id()
    return MessageItem(
        pk=ticket.pk,
        sk=timeline_sk("MSG", at, msg_id),
        id=msg_id,
        direction="outbound",
        from_addr=AddressMap(name=mailbox.name, address=mailbox.sender),
        to=[AddressMap(name=a.name, address=a.address) for a in to],
        cc=[AddressMap(name=a.name, address=a.address) for a in cc],
        subject=subject,
        text=text,
        html=sanitize_html(html, block_remote=False).html,
        new_text=summary[:2000],
        message_id=new_message_id(mail_domain).strip("<>"),
        in_reply_to=[answered.message_id] if answered else [],
        references=[*answered.references[-10:], answered.message_id] if answered else [],
        mailbox=mailbox.id,
        author=author,
        auto_reply=auto,
        attachments=attachments or [],
        send_state="pending",
        created_at=at,
    )


def deliver(
    store: TicketStore,
    mailer: Mailer,
    ticket: TicketItem,
    message: MessageItem,
    attachments: list[OutgoingAttachment] | None = None,
    *,
    auto_submitted: str | None = None,
) -> bool:
    """Claim the stored message (``pending`` → ``sent``: at most once) and hand it to SES."""
    outgoing = outgoing_mail(ticket, message, attachments, auto_submitted=auto_submitted)
    if not store.claim_send(message):
        return False
    try:
        mailer.send_raw(outgoing.sender.address, outgoing.recipients, build_mime(outgoing))
    except Exception as exc:
        store.mark_send_failed(message)
        message.send_state = "failed"
        raise SendFailed(message) from exc
    message.send_state = "sent"
    return True


def outgoing_mail(
    ticket: TicketItem,
    message: MessageItem,
    attachments: list[OutgoingAttachment] | None = None,
    *,
    auto_submitted: str | None = None,
) -> OutgoingMail:
    """The mail SES is handed for a stored outbound message."""
    sender = message.from_addr
    assert sender is not None
    return OutgoingMail(
        sender=Address(sender.name or "", sender.address),
        to=[Address(a.name or "", a.address) for a in message.to],
        cc=[Address(a.name or "", a.address) for a in message.cc],
        subject=message.subject,
        text=message.text,
        html=message.html,
        message_id=f"<{message.message_id}>",
        in_reply_to=f"<{message.in_reply_to[0]}>" if message.in_reply_to else None,
        references=[f"<{r}>" for r in message.references],
        attachments=attachments or [],
        auto_submitted=auto_submitted,
        ticket_number=ticket.number,
    )


def thread_subject(ticket: TicketItem, subject: str | None = None) -> str:
    """``Re: <subject> [#number]``, header-safe."""
    text = clean_text(subject or _reply_subject(ticket.subject))
    if f"#{ticket.number}" not in text:
        text = f"{text} [#{ticket.number}]"
    return header_safe(text, "subject")


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:")) else f"Re: {subject}"


def _body(request: ReplyRequest, cfg: ConfigSnapshot, values: dict[str, str]) -> tuple[str, str]:
    body = request.body or ""
    if request.template_id:
        template = next((t for t in cfg.templates if t.id == request.template_id), None)
        if template is None:
            raise ChangeError(f"unknown template {request.template_id!r}", "template_id")
        body = f"{body}\n\n{template.body}".strip() if body else template.body
    if not body.strip() and not request.html:
        raise ChangeError("the reply is empty", "body")
    if cfg.settings.signature and cfg.settings.signature not in body:
        body = f"{body}\n\n{cfg.settings.signature}"
    text = render(body, values)
    html = (
        sanitize_html(request.html, block_remote=False).html if request.html else render_html(body, html_values(values))
    )
    return text, html


def _attachments(
    request: ReplyRequest, ticket: TicketItem, mail: MailStore, answered: MessageItem | None
) -> tuple[list[OutgoingAttachment], list[AttachmentMap]]:
    outgoing: list[OutgoingAttachment] = []
    stored: list[AttachmentMap] = []
    total = 0
    for key in request.upload_keys:
        if not key.startswith(f"{UPLOAD_PREFIX}{ticket.pk}/") or ".." in key:
            raise ChangeError("attachment upload does not belong to this ticket", "attachments")
        size = mail.size(key)
        if size is None:
            raise ChangeError("attachment upload not found (upload it first)", "attachments")
        if size > MAX_ATTACHMENT_BYTES:
            raise ChangeError(f"attachment larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB", "attachments")
        data = mail.get(key)
        filename = key.rsplit("/", 1)[-1]
        content_type = _guess(filename)
        outgoing.append(OutgoingAttachment(filename, content_type, data))
        stored.append(
            AttachmentMap(
                id=new_id(),
                filename=filename,
                content_type=content_type,
                size=len(data),
                sha256=sha256(data).hexdigest(),
                key=key,
            )
        )
        total += len(data)
    if request.attach_original:
        if answered is None or not answered.raw_key:
            raise ChangeError("there is no original mail to attach", "attach_original")
        data = mail.get(answered.raw_key)
        outgoing.append(OutgoingAttachment("original.eml", "message/rfc822", data))
        stored.append(
            AttachmentMap(
                id=new_id(),
                filename="original.eml",
                content_type="message/rfc822",
                size=len(data),
                key=answered.raw_key,
            )
        )
        total += len(data)
    if total > MAX_TOTAL_BYTES:
        raise ChangeError(f"attachments larger than {MAX_TOTAL_BYTES // (1024 * 1024)} MB in total", "attachments")
    return outgoing, stored


def _guess(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _commit_reply(
    cfg: ConfigSnapshot,
    ticket: TicketItem,
    message: MessageItem,
    request: ReplyRequest,
    actor: str,
    to: list[Address],
    cc: list[Address],
    at: str,
) -> None:
    before = Snapshot.of(ticket)
    before_status = ticket.status
    clean = validate({"status": request.status}, ticket, cfg) if request.status != ticket.status else {}
    events = apply(ticket, clean, actor, at, reason="reply") if clean else []
    first = ticket.first_response_at is None
    ticket.first_response_at = ticket.first_response_at or at
    ticket.last_agent_at = at
    ticket.updated_at = at
    ticket.unread = False
    ticket.message_count = int(ticket.message_count or 0) + 1
    ticket.participants = (set(ticket.participants or set()) | {a.address for a in to + cc}) or None
    events.append(
        new_event(
            ticket,
            "MessageAdded",
            actor,
            {
                "ticket_id": ticket.pk,
                "number": ticket.number,
                "direction": "outbound",
                "message_id": message.message_id,
                "to": [a.address for a in to],
            },
            at,
        )
    )
    unit = Unit()
    write_ticket(unit, ticket, before, events)
    save_message(unit, ticket, message)
    resolution_items(unit, ticket, before_status, at)
    counters = {"replies": 1}
    if first:
        seconds = (parse_iso(at) - parse_iso(ticket.created_at)).total_seconds()
        unit.save(
            "duration",
            MetaItem(
                f"DUR#first_response#{at[:7]}",
                f"{at}#{ticket.pk}",
                ticket_id=ticket.pk,
                value=round(seconds),
                created_at=at,
            ),
        )
        counters["first_responses"] = 1
    stats_update(unit, at, counters)
    unit.commit()


# ------------------------------------------------------------------------------------------------ comments


def add_comment(
    store: TicketStore, ticket_id: str, body: str, tags: list[str], mentions: list[str], *, actor: str
) -> tuple[TicketItem, CommentItem]:
    """An internal note: never mailed. Its tags are added to the ticket, so the inbox can filter by them."""
    if not body.strip():
        raise ChangeError("the comment is empty", "body")
    for attempt in range(3):
        ticket = store.get(ticket_id, consistent=True)
        if ticket is None:
            raise Missing(ticket_id)
        before = Snapshot.of(ticket)
        at = iso()
        comment_id = new_id()
        comment = CommentItem(
            pk=ticket.pk,
            sk=timeline_sk("CMT", at, comment_id),
            id=comment_id,
            author=actor,
            body=body,
            tags=sorted(set(tags)),
            mentions=sorted(set(mentions)),
            created_at=at,
        )
        ticket.tags = sorted(set(ticket.tags or []) | set(tags))
        ticket.updated_at = at
        unit = Unit()
        write_ticket(
            unit,
            ticket,
            before,
            [
                new_event(
                    ticket,
                    "CommentAdded",
                    actor,
                    {
                        "ticket_id": ticket.pk,
                        "number": ticket.number,
                        "comment_id": comment_id,
                        "mentions": comment.mentions,
                        "tags": comment.tags,
                    },
                    at,
                )
            ],
        )
        unit.save("comment", comment)
        try:
            unit.commit()
        except Conflict as exc:
            if "ticket" in exc.tags and attempt < 2:
                continue
            raise
        return ticket, comment
    raise AssertionError("unreachable")
