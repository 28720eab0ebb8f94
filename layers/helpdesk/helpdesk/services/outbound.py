"""Outbound mail, one room: template values, building the stored message, threading, claiming, sending.

Every mail we send (auto-reply, agent reply, reminder, closing mail, a manual ticket's first mail) is
first stored on its ticket as a ``pending`` outbound message (:func:`outbound_message`, in the same
transaction as the change that causes it), then claimed (``pending`` → ``sent``, at most once) and
handed to SES (:func:`deliver`). Header values pass ``domain.header_guard`` on the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..aws.ses import Mailer
from ..domain.clock import iso
from ..domain.config import ConfigSnapshot, Mailbox
from ..domain.header_guard import plain_message_id
from ..domain.headers import Address, header_line
from ..domain.ids import new_id, new_message_id
from ..domain.outgoing import OutgoingAttachment, OutgoingMail, build_mime, header_safe
from ..domain.sanitize import sanitize_html
from ..domain.status import Status
from ..store.models import AddressMap, AttachmentMap, MessageItem, TicketItem
from ..store.tickets import TicketStore, timeline_sk


class SendFailed(Exception):
    def __init__(self, message: MessageItem) -> None:
        super().__init__("the mail service refused the message; it is stored and can be sent again")
        self.message = message


def template_values(
    ticket: TicketItem, cfg: ConfigSnapshot, mailbox: Mailbox | None, subject: str, name: str, email: str
) -> dict[str, str]:
    queue = cfg.queue(ticket.queue)
    return {
        "TICKET": ticket.number,
        "BETREFF": subject,
        "SUBJECT": subject,
        "NAME": name or email,
        "EMAIL": email,
        "QUEUE": queue.name if queue else ticket.queue,
        "MAILBOX": (mailbox.name or mailbox.address) if mailbox else cfg.settings.company,
        "COMPANY": cfg.settings.company,
        "STATUS": Status(ticket.status).label(mailbox.language if mailbox else "de"),
        "DATE": iso()[:10],
    }


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
    values = template_values(
        ticket, cfg, mailbox, ticket.subject, ticket.customer_name or "", ticket.customer_email or ""
    )
    me = cfg.agent(agent)
    values["AGENT"] = (me.name or me.username) if me else agent
    values["LINK"] = link
    return values


@dataclass(frozen=True)
class Answered:
    """The mail an outbound message answers: In-Reply-To and References are built from it."""

    message_id: str
    references: list[str]

    @classmethod
    def of(cls, message: MessageItem | None) -> Answered | None:
        return cls(message.message_id, list(message.references or [])) if message and message.message_id else None

    def threading(self) -> tuple[list[str], list[str]]:
        """In-Reply-To and References for the answer: only ids we may quote back (a hostile mail's id
        with an encoded word or a control character is left out rather than failing the answer)."""
        if not plain_message_id(self.message_id):
            return [], [r for r in self.references[-10:] if plain_message_id(r)]
        return [self.message_id], [*(r for r in self.references[-10:] if plain_message_id(r)), self.message_id]


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
    in_reply_to, references = answered.threading() if answered else ([], [])
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
        in_reply_to=in_reply_to,
        references=references,
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
    text = header_line(subject or _reply_subject(ticket.subject))
    if f"#{ticket.number}" not in text:
        text = f"{text} [#{ticket.number}]"
    return header_safe(text, "subject")


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:")) else f"Re: {subject}"


def send_internal(mailer: Mailer, sender: Address, to: Address, subject: str, text: str, mail_domain: str) -> None:
    """A mail to one of our agents, not stored on a ticket (a notification): plain text only,
    ``Auto-Submitted: auto-generated`` (ingest drops it should it come back from our system sender).
    Raises what SES raises; the caller decides what a refused one means."""
    mail = OutgoingMail(
        sender=sender,
        to=[to],
        subject=header_line(subject),
        text=text,
        message_id=new_message_id(mail_domain),
        auto_submitted="auto-generated",
    )
    mailer.send_raw(sender.address, mail.recipients, build_mime(mail))
