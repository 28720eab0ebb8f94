"""Use case: an agent forwards a message, or the whole ticket, by mail (a supplier, a colleague elsewhere).

A forward is an outbound message of the ticket on the **forward side** (``MessageItem.side =
"forward"``): it goes out from the ticket's mailbox with our Message-ID and ``[#number]`` once in the
subject, and its ``MID#`` item says so. Its recipients' answers name that Message-ID, so they thread
back onto the ticket (docs/threading.md) — but they stay on the forward side: the recipients do not
become participants of the customer's conversation (no reply-all to them, no customer-page entry, a
later mail of theirs naming the number alone opens a ``clarify`` ticket like a stranger's).

Not the customer's: a forward neither answers the customer (no first response, no ``replies``
counter, no "Einreichen als") nor shows on the customer's page. Like a reply it is held back when the
thread grew since its author looked (409, ``seen_thread``), and it is stored ``pending`` in the
ticket's transaction before SES gets it (services/outbound.py: claimed once, retried, re-sendable).
"""

from __future__ import annotations

from dataclasses import field

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.clock import iso
from ..domain.composed import compose, formatted
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.headers import Address, header_line
from ..domain.lifecycle import forwarded
from ..domain.sanitize import text_to_html
from ..domain.threading import FORWARD_SIDE
from ..store.models import AttachmentMap, MessageItem, TicketItem
from ..store.stats import save_records
from ..store.tickets import TicketDetail, TicketStore, apply_transition, state_of
from ..store.writes import Snapshot, save_message, thread_unchanged, write_ticket
from .changes import ChangeError
from .outbound import full_text, outbound_message, thread_subject
from .replies import ReplyResult, answerable, collect_attachments, commit_and_send

__all__ = ["ForwardRequest", "forward"]

MAX_NOTE = 100_000


@dataclass
class ForwardRequest:
    to: list[Address]
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    note: str = ""
    note_html: str | None = None  # the composer's rich text: the note's text is derived from it (``note`` unused)
    inline: list[tuple[str, str]] = field(default_factory=list)  # (content id, upload key): images the note shows
    message: str | None = None  # the id of the message forwarded; None: the whole ticket
    attachment_ids: list[str] = field(default_factory=list)  # files of the forwarded message(s) to go along
    upload_keys: list[str] = field(default_factory=list)
    attach_original: bool = False  # the forwarded mail as .eml (a message with its raw mail only)
    seen_thread: int | None = None
    confirm_conflict: bool = False


# The forwarded text's headings, in the mailbox's language.
_LABELS = {
    "de": {
        "head": "---------- Weitergeleitete Nachricht ----------",
        "ticket": "---------- Weitergeleitetes Ticket {number}: {subject} ----------",
        "from": "Von",
        "date": "Datum",
        "subject": "Betreff",
        "to": "An",
        "cc": "Cc",
        "note": "Notiz",
    },
    "en": {
        "head": "---------- Forwarded message ----------",
        "ticket": "---------- Forwarded ticket {number}: {subject} ----------",
        "from": "From",
        "date": "Date",
        "subject": "Subject",
        "to": "To",
        "cc": "Cc",
        "note": "Note",
    },
}


def forward(
    store: TicketStore,
    mail: MailStore,
    mailer: Mailer,
    cfg: ConfigSnapshot,
    ticket_id: str,
    request: ForwardRequest,
    *,
    actor: str,
    mail_domain: str,
) -> ReplyResult:
    """Store the forward on the ticket (``pending``, with its event) and hand it to SES."""
    if not request.to:
        raise ChangeError("the forward has no recipient", "to")
    if len(request.note) > MAX_NOTE:
        raise ChangeError("the note is too long", "note")
    detail, mailbox = answerable(store, cfg, ticket_id, request.seen_thread, request.confirm_conflict, actor)
    ticket = detail.ticket
    messages = forwarded_messages(detail, request.message)
    labels = _LABELS["en" if mailbox.language == "en" else "de"]

    bodies = [full_text(mail, m) for m in messages]
    note, note_html = request.note, ""
    if request.note_html is not None and request.note_html.strip():
        composed = compose(request.note_html, {cid for cid, _ in request.inline})
        note, note_html = composed.text, composed.html
    text = forward_text(ticket, messages, note, labels, bodies)
    html = _html(note, forward_text(ticket, messages, "", labels, bodies), note_html)
    offered = {a.id: a for m in messages for a in m.attachments or [] if not a.inline}
    unknown = [i for i in request.attachment_ids if i not in offered]
    if unknown:
        raise ChangeError(f"no such attachment of the forwarded mail: {', '.join(unknown)}", "attachment_ids")
    picked: list[AttachmentMap] = [offered[i] for i in dict.fromkeys(request.attachment_ids)]
    original = messages[0] if request.message else None
    if request.attach_original and original is None:
        raise ChangeError("the original mail can be attached to the forward of one message only", "attach_original")
    shown = set(compose(note_html, {cid for cid, _ in request.inline}).cids) if note_html else set()
    attachments, stored = collect_attachments(
        mail,
        ticket,
        request.upload_keys,
        original=original,
        attach_original=request.attach_original,
        picked=picked,
        inline=[(cid, key) for cid, key in request.inline if cid in shown],
    )
    base = header_line(messages[0].subject if request.message and messages[0].subject else ticket.subject)
    message = outbound_message(
        ticket,
        mailbox,
        request.to,
        request.cc,
        thread_subject(ticket, f"Fwd: {base}"),
        text,
        html,
        None,  # a new conversation for its recipients: no In-Reply-To, no References to the customer's mail
        author=actor,
        mail_domain=mail_domain,
        summary=note or text,
        attachments=stored,
        bcc=request.bcc,
        side=FORWARD_SIDE,
        rich=formatted(note_html),
    )
    what = request.message or "ticket"

    def commit(current: TicketItem) -> None:
        _commit(store, current, message, what, actor)

    seen = (request.seen_thread, request.confirm_conflict)
    return commit_and_send(store, mailer, ticket, message, attachments, commit, seen, actor)


def forwarded_messages(detail: TicketDetail, message_id: str | None) -> list[MessageItem]:
    """The message forwarded, or the whole ticket: the customer's conversation in order (no internal
    comments, nothing of an earlier forward's side)."""
    ordered = sorted(detail.messages, key=lambda m: m.sk)
    if message_id is not None:
        found = [m for m in ordered if m.id == message_id]
        if not found:
            raise ChangeError(f"no message {message_id!r} in this ticket", "message_id")
        return found
    conversation = [m for m in ordered if m.side != FORWARD_SIDE]
    if not conversation:
        raise ChangeError("the ticket has no messages to forward", "message_id")
    return conversation


def forward_text(
    ticket: TicketItem, messages: list[MessageItem], note: str, labels: dict[str, str], texts: list[str]
) -> str:
    """The note, then each forwarded mail under a heading with its From, Date, Subject, To, Cc."""
    parts = [note.strip()] if note.strip() else []
    if len(messages) > 1:
        parts.append(labels["ticket"].format(number=ticket.number, subject=header_line(ticket.subject)))
    for message, body in zip(messages, texts, strict=True):
        head = [labels["head"]]
        if message.from_addr is not None:
            head.append(f"{labels['from']}: {_address(message.from_addr.name, message.from_addr.address)}")
        head.append(f"{labels['date']}: {message.created_at[:16].replace('T', ' ')} UTC")
        head.append(f"{labels['subject']}: {header_line(message.subject or ticket.subject)}")
        if message.to:
            head.append(f"{labels['to']}: {', '.join(_address(a.name, a.address) for a in message.to)}")
        if message.cc:
            head.append(f"{labels['cc']}: {', '.join(_address(a.name, a.address) for a in message.cc)}")
        parts.append("\n".join(head) + "\n\n" + body.strip())
    return "\n\n".join(parts)


def _address(name: str | None, address: str) -> str:
    return f"{name} <{address}>" if name else address


def _html(note: str, forwarded: str, note_html: str = "") -> str:
    parts = [note_html] if note_html else [f"<p>{text_to_html(note.strip())}</p>"] if note.strip() else []
    parts.append(f'<div style="border-left:2px solid #ccc;padding-left:8px">{text_to_html(forwarded)}</div>')
    return "\n".join(parts)


def _commit(store: TicketStore, ticket: TicketItem, message: MessageItem, what: str, actor: str) -> None:
    """The forward, its ``MID#`` item (marked: answers to it stay on the forward side), its event."""
    at = message.created_at
    before = Snapshot.of(ticket)
    position = int(ticket.thread_version or 0)
    transition = forwarded(
        state_of(ticket),
        at=at,
        actor=actor,
        message={
            "message_id": message.message_id,
            "forwarded": what,  # the id of the message forwarded, or "ticket"
            "to": [a.address for a in message.to],
            "cc": [a.address for a in message.cc],
            "bcc": [a.address for a in message.bcc],
        },
    )
    events = apply_transition(ticket, transition, at or iso())
    unit = store.unit()
    write_ticket(unit, ticket, before, events, condition=thread_unchanged(position))
    save_message(unit, ticket, message, data={"side": FORWARD_SIDE})
    save_records(unit, ticket, transition.records, at)
    unit.commit()
