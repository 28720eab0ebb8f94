"""Use cases: an agent answers the customer (mail through SES) or leaves an internal comment.

No double replies: a reply names the thread position its author saw (``seen_thread``). What arrived
since is judged by ``domain/conflicts.py: reply_check``; if it counts, :class:`ReplyConflict` (the API's
409) names it and nothing is stored or sent, unless the author confirms. The check is race-safe: the
reply's transaction is conditional on the ticket's ``thread_version`` being the one the decision was
made on; a reply that lost the race re-reads the thread and is judged again.

A reply is stored and sent like the auto-reply: the outbound message, its Message-ID in the index
and the ticket's new state are one transaction (``send_state = pending``); then the message is
claimed (``pending`` → ``sent``) and handed to SES. The subject carries ``[#number]``; In-Reply-To
and References point at the mail answered, so the customer's program threads it and the answer to
it threads back onto the ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from hashlib import sha256

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.clock import iso
from ..domain.composed import Quote, formatted, quote, text_of
from ..domain.composed import clean as clean_composed
from ..domain.config import ConfigSnapshot, Mailbox
from ..domain.conflicts import Verdict, reply_check
from ..domain.dataclass import dataclass
from ..domain.headers import Address
from ..domain.ids import new_id
from ..domain.lifecycle import agent_answered
from ..domain.links import customer_token
from ..domain.outgoing import OutgoingAttachment
from ..domain.reasons import reason
from ..domain.reply_footer import reply_signature, with_link_line, with_signature
from ..domain.sanitize import sanitize_html
from ..domain.status import Status
from ..domain.templating import html_values, render, render_html
from ..domain.threading import FORWARD_SIDE
from ..store.models import AttachmentMap, CommentItem, MessageItem, TicketItem
from ..store.stats import save_records
from ..store.tickets import TicketDetail, TicketStore, apply_transition, new_event, state_of, timeline_sk
from ..store.unit import Conflict
from ..store.writes import Snapshot, save_comment, save_message, thread_unchanged, write_ticket
from .changes import ChangeError, Missing, update, validate
from .outbound import (
    Answered,
    NoSuchMessage,
    SendFailed,
    agent_values,
    deliver,
    full_text,
    outbound_message,
    reply_defaults,
    thread_subject,
)

__all__ = [
    "ReplyConflict",
    "ReplyRequest",
    "ReplyResult",
    "SendFailed",
    "add_comment",
    "check_thread",
    "collect_attachments",
    "reply_values",
    "send_reply",
    "sending_mailbox",
]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_INLINE_BYTES = 5 * 1024 * 1024  # a pasted screenshot; the composer says so before uploading
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_TOTAL_BYTES = 25 * 1024 * 1024  # SES v2 accepts 40 MB; base64 grows attachments by a third
UPLOAD_PREFIX = "uploads/"
SENT_PREFIX = "attachments/"  # where a sent mail's files live as long as the ticket (as inbound ones do)


@dataclass
class ReplyRequest:
    body: str = ""
    html: str | None = None  # the composer's rich text: the text alternative is derived from it (``body`` unused)
    inline: list[tuple[str, str]] = field(default_factory=list)  # (content id, upload key): images the HTML shows
    quote: bool = False  # the mail answered, quoted below the reply (text and HTML)
    to: list[Address] | None = None
    cc: list[Address] | None = None
    bcc: list[Address] = field(default_factory=list)  # blind copies: kept on our message, never in the mail
    answer: str | None = None  # the id of the message answered; None: the newest inbound mail of the customer
    template_id: str | None = None
    attach_original: bool = False
    upload_keys: list[str] = field(default_factory=list)
    status: str = Status.WAITING_CUSTOMER.value
    subject: str | None = None
    seen_thread: int | None = None  # the ticket's thread_version its author saw; None: not checked (old clients)
    confirm_conflict: bool = False  # "Trotzdem senden": send although the thread grew since


@dataclass
class ReplyResult:
    ticket: TicketItem
    message: MessageItem
    sent: bool


class ReplyConflict(Exception):
    """The thread grew since the author saw it (``verdict.reason``); nothing was stored or sent.

    ``messages`` and ``comments`` are the new entries that count, ``ticket`` the ticket as it is now."""

    def __init__(self, verdict: Verdict, detail: TicketDetail) -> None:
        super().__init__(f"the ticket has new entries since you opened it ({verdict.reason.value})")
        self.verdict = verdict
        self.ticket = detail.ticket
        ids = {e.id for e in verdict.new}
        self.messages = sorted((m for m in detail.messages if m.id in ids), key=lambda m: m.sk)
        self.comments = sorted((c for c in detail.comments if c.id in ids), key=lambda c: c.sk)


# ------------------------------------------------------------------------------------------------- replies


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
    detail, mailbox = answerable(store, cfg, ticket_id, request.seen_thread, request.confirm_conflict, actor)
    ticket = detail.ticket
    try:
        default_to, default_cc, answered = reply_defaults(ticket, detail.messages, cfg.own_addresses, request.answer)
    except NoSuchMessage as exc:
        raise ChangeError(str(exc), "answer") from exc
    # Answering a forward's recipient stays on the forward's side: no participant, not the customer's thread.
    side = FORWARD_SIDE if answered is not None and answered.side == FORWARD_SIDE else None
    to = request.to if request.to is not None else default_to
    cc = request.cc if request.cc is not None else default_cc
    if not to:
        raise ChangeError("the reply has no recipient", "to")

    values = reply_values(cfg, ticket, mailbox, actor, link_secret, public_url)
    link = values["LINK"]
    text, html, rich = _body(request, cfg, values, reply_signature(cfg, mailbox, actor))
    if link and cfg.settings.customer_links:
        text, html = with_link_line(text, html, cfg.settings.customer_link_text.get(mailbox.language), link)
    if request.quote and answered is not None:
        quoted = quote_of(mail, answered, mailbox.language)
        text, html = f"{text}\n\n{quoted.text}", f"{html}\n{quoted.html}"

    attachments, stored = collect_attachments(
        mail,
        ticket,
        request.upload_keys,
        original=answered,
        attach_original=request.attach_original,
        inline=[(cid, key) for cid, key in request.inline if cid in _shown_cids(html)],
    )
    # The first mail of a ticket (a manual ticket's) answers nothing: no "Re:".
    first = answered is None and not any(m.direction == "outbound" for m in detail.messages)
    subject = thread_subject(ticket, request.subject, reply=not first)
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
        bcc=request.bcc,
        side=side,
        rich=rich,
    )

    def commit(current: TicketItem) -> None:
        _commit_reply(store, cfg, current, message, request, actor, to, cc, message.created_at)

    seen = (request.seen_thread, request.confirm_conflict)
    return commit_and_send(store, mailer, ticket, message, attachments, commit, seen, actor)


def commit_and_send(
    store: TicketStore,
    mailer: Mailer,
    ticket: TicketItem,
    message: MessageItem,
    attachments: list[OutgoingAttachment],
    commit: Callable[[TicketItem], None],
    seen: tuple[int | None, bool],
    actor: str,
) -> ReplyResult:
    """Store an agent's mail with its ticket (``commit``), then hand it to SES. When the ticket changed since
    it was read, read it again: a field change is committed again, a new entry in the thread is judged again
    (``seen``: the thread version the agent saw, and whether they confirmed sending anyway)."""
    for attempt in range(3):
        try:
            commit(ticket)
            break
        except Conflict as exc:
            if "ticket" not in exc.tags or attempt == 2:
                raise
            fresh = store.detail(ticket.pk, consistent=True)
            if fresh is None:
                raise Missing(ticket.pk) from exc
            check_thread(fresh, seen[0], seen[1], actor)
            ticket = fresh.ticket
    sent = deliver(store, mailer, ticket, message, attachments)
    return ReplyResult(ticket, message, sent)


def reply_values(
    cfg: ConfigSnapshot, ticket: TicketItem, mailbox: Mailbox, actor: str, link_secret: str, public_url: str
) -> dict[str, str]:
    """The variables of a reply by ``actor`` (templates, signatures): the ones the composer shows filled in
    are the ones sent."""
    link = ""
    if cfg.settings.customer_links and link_secret and public_url:
        token = customer_token(link_secret, ticket.pk, cfg.settings.customer_link_days)
        link = f"{public_url}/#/t/{token}"
    return agent_values(ticket, cfg, mailbox, actor, link)


def sending_mailbox(cfg: ConfigSnapshot, ticket: TicketItem) -> Mailbox:
    """The mailbox a reply or forward of this ticket goes out from (ConfigSnapshot.sending_mailbox: the
    ticket's, its queue's, the team's default — never just the first one)."""
    mailbox = cfg.sending_mailbox(ticket.mailbox, ticket.queue)
    if mailbox is None:
        raise ChangeError("no mailbox to send from: choose the ticket's mailbox or the team's default one", "mailbox")
    return mailbox


def answerable(
    store: TicketStore, cfg: ConfigSnapshot, ticket_id: str, seen: int | None, confirmed: bool, actor: str
) -> tuple[TicketDetail, Mailbox]:
    """The ticket an agent answers or forwards, read consistently, and the mailbox it goes out from:
    :class:`Missing` when it is gone, :class:`ReplyConflict` when its thread grew since ``seen``."""
    detail = store.detail(ticket_id, consistent=True)
    if detail is None:
        raise Missing(ticket_id)
    check_thread(detail, seen, confirmed, actor)
    return detail, sending_mailbox(cfg, detail.ticket)


def check_thread(detail: TicketDetail, seen: int | None, confirmed: bool, actor: str) -> None:
    """No double replies (and forwards): :class:`ReplyConflict` when the thread grew since ``seen``."""
    verdict = reply_check(seen, detail.thread(), actor=actor, confirmed=confirmed)
    if verdict.stale:
        raise ReplyConflict(verdict, detail)


def _body(request: ReplyRequest, cfg: ConfigSnapshot, values: dict[str, str], signature: str) -> tuple[str, str, bool]:
    """Text and HTML of the reply with its signature: from the composer's HTML (sanitized to its allow-list,
    the text derived from it) or from plain text. Variables are filled in either (values escaped in HTML).
    The flag: the agent formatted it (the thread shows its HTML; lines of plain text are shown as text)."""
    body = request.body or ""
    template = None
    if request.template_id:
        template = next((t for t in cfg.templates if t.id == request.template_id), None)
        if template is None:
            raise ChangeError(f"unknown template {request.template_id!r}", "template_id")
    if request.html is not None and request.html.strip():
        cids = {cid for cid, _ in request.inline}
        source = clean_composed(request.html, cids)[0]
        if template is not None:
            inserted = render_html(template.body, {})
            source = f"{source}<div>{inserted}</div>" if source else inserted
        if not text_of(source).strip() and "<img" not in source:
            raise ChangeError("the reply is empty", "html")
        html = render(source, html_values(values))
        return (*with_signature(text_of(html), html, text_of(source), signature, values), formatted(source))
    if template is not None:
        body = f"{body}\n\n{template.body}".strip() if body else template.body
    if not body.strip():
        raise ChangeError("the reply is empty", "body")
    text, html = with_signature(render(body, values), render_html(body, html_values(values)), body, signature, values)
    return text, html, False


def _shown_cids(html: str) -> set[str]:
    return set(sanitize_html(html, block_remote=False).cids)


def quote_of(mail: MailStore, message: MessageItem, language: str) -> Quote:
    """The mail answered as a quote below the reply: its whole text, who wrote it and when."""
    if message.direction == "inbound" and message.from_addr is not None:
        who = message.from_addr.address
        who = f"{message.from_addr.name} <{who}>" if message.from_addr.name else who
    else:
        who = (message.from_addr.name or message.from_addr.address) if message.from_addr else ""
    date = message.created_at[:16].replace("T", " ") + " UTC"
    return quote(full_text(mail, message), who, date, language)


def collect_attachments(
    mail: MailStore,
    ticket: TicketItem,
    upload_keys: list[str],
    *,
    original: MessageItem | None = None,
    picked: list[AttachmentMap] | None = None,
    attach_original: bool = False,
    inline: list[tuple[str, str]] | None = None,
) -> tuple[list[OutgoingAttachment], list[AttachmentMap]]:
    """The files of a reply or forward, checked, and copied to where they stay as long as the ticket.

    ``upload_keys``: files the agent uploaded; ``picked``: files of the ticket's messages chosen to go
    along (a forward); ``original``: the mail attached as ``.eml`` when ``attach_original`` ("Originalnachricht
    anhängen"); ``inline``: uploaded images the HTML shows as ``cid:`` (content id, upload key), images only,
    at most :data:`MAX_INLINE_BYTES` each.
    Uploads expire (the bucket's ``unfinished-uploads`` rule deletes ``uploads/`` after two days) and raw
    mail has its own retention: what is sent is copied to the ticket's attachment prefix (``attachments/``,
    where inbound files live too), and the message stores those keys, so its links outlive both.
    """
    outgoing: list[OutgoingAttachment] = []
    for key in upload_keys:
        _check_upload(mail, ticket, key, MAX_ATTACHMENT_BYTES, "attachments")
        filename = key.rsplit("/", 1)[-1]
        outgoing.append(OutgoingAttachment(filename, _guess(filename), mail.get(key)))
    for cid, key in inline or []:
        _check_upload(mail, ticket, key, MAX_INLINE_BYTES, "inline")
        filename = key.rsplit("/", 1)[-1]
        content_type = _guess(filename)
        if content_type not in INLINE_TYPES:
            raise ChangeError(f"an inline image must be PNG, JPEG, GIF or WebP, not {content_type}", "inline")
        outgoing.append(OutgoingAttachment(filename, content_type, mail.get(key), content_id=cid))
    for att in picked or []:
        outgoing.append(OutgoingAttachment(att.filename, att.content_type, mail.get(att.key)))
    if attach_original:
        if original is None or not original.raw_key:
            raise ChangeError("there is no original mail to attach", "attach_original")
        outgoing.append(OutgoingAttachment("original.eml", "message/rfc822", mail.get(original.raw_key)))
    if sum(len(a.data) for a in outgoing) > MAX_TOTAL_BYTES:
        raise ChangeError(f"attachments larger than {MAX_TOTAL_BYTES // (1024 * 1024)} MB in total", "attachments")
    prefix = f"{SENT_PREFIX}{ticket.pk}/{new_id().lower()}"
    stored: list[AttachmentMap] = []
    for index, attachment in enumerate(outgoing, start=1):
        kept = f"{prefix}/{index}"
        mail.put(kept, attachment.data, attachment.content_type)
        stored.append(
            AttachmentMap(
                id=new_id(),
                filename=attachment.filename,
                content_type=attachment.content_type,
                size=len(attachment.data),
                sha256=sha256(attachment.data).hexdigest(),
                key=kept,
                content_id=attachment.content_id,
                inline=attachment.content_id is not None,
            )
        )
    return outgoing, stored


def _check_upload(mail: MailStore, ticket: TicketItem, key: str, limit: int, what: str) -> None:
    if not key.startswith(f"{UPLOAD_PREFIX}{ticket.pk}/") or ".." in key:
        raise ChangeError("attachment upload does not belong to this ticket", what)
    size = mail.size(key)
    if size is None:
        raise ChangeError("attachment upload not found (upload it first)", what)
    if size > limit:
        thing = "image" if what == "inline" else "attachment"
        raise ChangeError(f"{thing} larger than {limit // (1024 * 1024)} MB", what)


def _guess(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _commit_reply(
    store: TicketStore,
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
    position = int(ticket.thread_version or 0)  # the thread the check judged: the write holds only if it still is
    clean = validate({"status": request.status}, ticket, cfg) if request.status != ticket.status else {}
    status = update(ticket, clean, actor, at, cfg, reason=reason("status.reply"))
    events = apply_transition(ticket, status, at)
    answered = agent_answered(
        state_of(ticket),
        at=at,
        actor=actor,
        message={
            "message_id": message.message_id,
            "to": [a.address for a in to],
            **({"side": message.side} if message.side else {}),
        },
        recipients=[a.address for a in to + cc],
        customer_side=message.side != FORWARD_SIDE,  # an answer to a forward's recipient is no response
    )
    events += apply_transition(ticket, answered, at)
    unit = store.unit()
    write_ticket(unit, ticket, before, events, condition=thread_unchanged(position))
    save_message(unit, ticket, message)
    save_records(unit, ticket, status.records, at)
    save_records(unit, ticket, answered.records, at)
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
        unit = store.unit()
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
        save_comment(unit, ticket, comment)
        try:
            unit.commit()
        except Conflict as exc:
            if "ticket" in exc.tags and attempt < 2:
                continue
            raise
        return ticket, comment
    raise AssertionError("unreachable")
