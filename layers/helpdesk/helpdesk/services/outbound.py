"""Outbound mail, one room: template values, building the stored message, threading, claiming, sending.

Every mail we send (auto-reply, agent reply, reminder, closing mail, a manual ticket's first mail) is
first stored on its ticket as a ``pending`` outbound message (:func:`outbound_message`, in the same
transaction as the change that causes it), then claimed (``pending`` → ``sending``, at most once),
handed to SES and settled (:func:`deliver`): ``sent`` with SES's MessageId, or — SES refused it —
``retry`` (the scheduled sweep, :func:`retry_due`, tries again with growing pauses) or ``failed`` with
the reason (an agent re-sends it: :func:`resend`). domain/sending.py decides which. Header values pass
``domain.header_guard`` on the way.

Why a sweep and not a queue: the retry item is written in the same transaction as the message's state,
so a refusal can never be recorded without its retry (a queue message cannot join a DynamoDB
transaction); the pauses grow to hours (an SQS delay is at most 15 minutes); and the scheduled function
that sends reminders already has what it needs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from ..aws.s3 import MailStore
from ..aws.ses import Mailer, refusal_code
from ..domain.clock import iso, now, parse_iso
from ..domain.config import ConfigSnapshot, Mailbox
from ..domain.dataclass import dataclass
from ..domain.header_guard import plain_message_id
from ..domain.headers import Address, header_line
from ..domain.ids import new_id, new_message_id
from ..domain.outgoing import OutgoingAttachment, OutgoingMail, build_mime, header_safe
from ..domain.sanitize import sanitize_html
from ..domain.sending import DONE, RESENDABLE, refusal
from ..domain.sla import TicketClockFacts, due_text, first_look
from ..domain.status import Status
from ..domain.threading import FORWARD_SIDE
from ..store.models import AddressMap, AttachmentMap, MessageItem, TicketItem
from ..store.tickets import TicketStore, timeline_sk

log = logging.getLogger(__name__)


class SendFailed(Exception):
    def __init__(self, message: MessageItem) -> None:
        if message.send_state == "retry":
            text = "the mail service refused the message for now; it is stored and sent again automatically"
        elif message.send_state == "sending":
            text = "the mail service did not answer; the message is stored, whether it was sent is unknown"
        else:
            text = "the mail service refused the message; it is stored and can be sent again"
        super().__init__(f"{text} ({message.send_error})" if message.send_error else text)
        self.message = message


class NotResendable(Exception):
    """Only a failed outbound mail (or one waiting for its retry) can be sent again."""


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
        **dict.fromkeys(("FAELLIG", "DUE"), expected_solution(ticket, cfg, mailbox.language if mailbox else "de")),
    }


def expected_solution(ticket: TicketItem, cfg: ConfigSnapshot, lang: str) -> str:
    """When the customer may expect a solution (the SLA's solution due date, where the policy shows it to
    customers; else empty). A new ticket's clocks are computed here (the auto-reply goes out before the
    publisher's first look: services/timed.py)."""
    stored = ticket.sla
    if stored is None and cfg.sla_policies and ticket.created_at:
        created = parse_iso(ticket.created_at)
        facts = TicketClockFacts(
            created_at=created,
            statuses=[(created, Status(ticket.status))],
            priority=ticket.priority,
            queue=ticket.queue,
            customer=ticket.customer_email,
        )
        stored = first_look(cfg.sla_policies, facts, now())
    return due_text(stored, lang)


class NoSuchMessage(Exception):
    """The message named to answer (or forward, or split) is not one of this ticket's."""


def reply_defaults(
    ticket: TicketItem, messages: list[MessageItem], own: set[str], answer: str | None = None
) -> tuple[list[Address], list[Address], MessageItem | None]:
    """To, Cc and the message answered (reply-all), the one home of these defaults (the API hands them to
    the composer with every message: ``reply_all``).

    ``answer`` names the message to answer (its id); by default the newest inbound mail of the customer's
    side (an answer to a forward is not the customer's). Answering a mail we received: its sender, and
    everyone in its To and Cc, minus our own addresses; answering a mail we sent: its To and Cc again.
    """
    if answer is not None:
        picked = next((m for m in messages if m.id == answer), None)
        if picked is None:
            raise NoSuchMessage(f"no message {answer!r} in this ticket")
        to, cc = reply_all(picked, own)
        return to, cc, picked
    inbound = [m for m in messages if m.direction == "inbound" and m.channel == "email" and m.side != FORWARD_SIDE]
    last = max(inbound, key=lambda m: m.sk) if inbound else None
    if last is not None and last.from_addr is not None:
        to, cc = reply_all(last, own)
    elif ticket.customer_email:
        to, cc = [Address(ticket.customer_name or "", ticket.customer_email)], []
    else:
        to, cc = [], []
    return to, cc, last


def reply_all(message: MessageItem, own: set[str]) -> tuple[list[Address], list[Address]]:
    """Reply-all to one message: To and Cc without our own addresses, each address once."""
    first = [message.from_addr] if message.direction == "inbound" and message.from_addr is not None else []
    seen: set[str] = set()

    def keep(addresses: list[AddressMap]) -> list[Address]:
        kept = []
        for a in addresses:
            address = (a.address or "").lower()
            if address and address not in own and address not in seen:
                seen.add(address)
                kept.append(Address(a.name or "", address))
        return kept

    to = keep([*first, *(message.to or [])])
    return to, keep(list(message.cc or []))


def agent_values(
    ticket: TicketItem, cfg: ConfigSnapshot, mailbox: Mailbox | None, agent: str, link: str
) -> dict[str, str]:
    values = template_values(
        ticket, cfg, mailbox, ticket.subject, ticket.customer_name or "", ticket.customer_email or ""
    )
    me = cfg.agent(agent)
    values["AGENT"] = (me.name or me.username) if me else agent
    values["PHONE"] = me.phone if me else ""
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
    auto_submitted: str | None = None,
    at: str | None = None,
    bcc: list[Address] | None = None,
    side: str | None = None,
    rich: bool = False,
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
        bcc=[AddressMap(name=a.name, address=a.address) for a in bcc or []],
        side=side,
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
        rich=rich or None,
        auto_submitted=auto_submitted,  # its Auto-Submitted header, also when it is sent again
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
    claimable: tuple[str, ...] = ("pending",),
    at: datetime | None = None,
) -> bool:
    """Claim the stored message (``claimable`` → ``sending``: at most once), hand it to SES, settle it.

    ``False``: another process has it. Raises :class:`SendFailed` when SES refused it (stored ``retry``
    or ``failed``, domain/sending.py) or its answer was lost (left ``sending``: never sent twice).
    """
    outgoing = outgoing_mail(ticket, message, attachments, auto_submitted=message.auto_submitted)
    if not store.claim_send(message, claimable):
        return False
    attempts = int(message.send_attempts or 1)  # the claim counted this try (pynamodb reads the item back)
    try:
        ses_id = mailer.send_raw(outgoing.sender.address, outgoing.recipients, build_mime(outgoing))
    except Exception as exc:
        refused = refusal_code(exc)
        if refused is None:
            raise SendFailed(message) from exc
        verdict = refusal(*refused, attempts, at or now())
        gave_up = "autoreplies_failed" if verdict.state == "failed" and _autoreply(message) else None
        retry_at = iso(verdict.retry_at) if verdict.retry_at else None
        store.settle_refused(message, ticket.queue, verdict.state, verdict.reason, retry_at, gave_up)
        raise SendFailed(message) from exc
    store.settle_sent(message, ticket.queue, ses_id, "autoreplies_sent" if _autoreply(message) else None)
    return True


def _autoreply(message: MessageItem) -> bool:
    """An auto-reply to an inbound mail: counted in ``/stats`` as sent or failed once SES answered."""
    return message.auto_submitted == "auto-replied"


def stored_attachments(mail: MailStore, message: MessageItem) -> list[OutgoingAttachment]:
    """The files of a stored outbound message, read back to send it again (inline images stay inline)."""
    return [
        OutgoingAttachment(a.filename, a.content_type, mail.get(a.key), content_id=a.content_id if a.inline else None)
        for a in message.attachments or []
    ]


def full_text(mail: MailStore, message: MessageItem) -> str:
    """A message's whole text (a long body lives in S3; the item keeps a shortened one)."""
    if message.body_key:
        data = json.loads(mail.get(message.body_key))
        return str(data.get("text", "")) or message.text or ""
    return message.text or ""


def resend(
    store: TicketStore, mail: MailStore, mailer: Mailer, ticket: TicketItem, message: MessageItem
) -> MessageItem:
    """An agent sends a failed mail again. Idempotent: a mail already sent (or being sent, also by a
    concurrent re-send) is returned as it is; the conditional claim lets only one call hand it to SES."""
    if message.direction != "outbound" or message.send_state not in RESENDABLE | DONE:
        raise NotResendable(f"only a failed outbound mail can be sent again (it is {message.send_state or 'inbound'})")
    if message.send_state in DONE:
        return message
    if not deliver(store, mailer, ticket, message, stored_attachments(mail, message), claimable=tuple(RESENDABLE)):
        fresh = store.message(ticket.pk, message.sk)
        return fresh or message
    return message


@dataclass
class RetryReport:
    due: int = 0
    sent: int = 0
    refused: int = 0
    stale: int = 0  # sent meanwhile (an agent's re-send), or gone
    errors: int = 0  # failed otherwise: left for the next run (claimed meanwhile: dropped then as stale)


def retry_due(
    store: TicketStore,
    mail: MailStore,
    mailer: Mailer,
    *,
    at: datetime | None = None,
    time_left: Callable[[], float] | None = None,
) -> RetryReport:
    """The outbox sweep (scheduled): every mail SES refused for now whose pause is over, sent again.

    Safe to run twice at once: each mail is claimed before it is sent; the claim of the loser fails.
    """
    moment = at or now()
    report = RetryReport()
    for item in store.due_retries(iso(moment)):
        if time_left is not None and time_left() < 20:
            break
        report.due += 1
        message = store.message(str(item.ticket_id), str(item.msg_sk))
        ticket = store.get(str(item.ticket_id))
        if message is None or ticket is None or message.send_state != "retry":
            report.stale += 1
        else:
            try:
                sent = deliver(
                    store, mailer, ticket, message, stored_attachments(mail, message), claimable=("retry",), at=moment
                )
            except SendFailed:
                report.refused += 1
            except Exception:  # one broken mail (a file gone, a refused write) does not stop the others
                log.exception("outbox sweep: %s of ticket %s failed; kept for the next run", message.id, ticket.pk)
                report.errors += 1
                continue
            else:
                report.sent += sent
                report.stale += not sent
        store.drop_retry(item)
    return report


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
        bcc=[Address(a.name or "", a.address) for a in message.bcc or []],
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


def thread_subject(ticket: TicketItem, subject: str | None = None, *, reply: bool = True) -> str:
    """``Re: <subject> [#number]`` (``reply=False``, a ticket's first mail: without ``Re:``), header-safe."""
    text = header_line(subject or (_reply_subject(ticket.subject) if reply else ticket.subject))
    if f"#{ticket.number}" not in text:
        text = f"{text} [#{ticket.number}]"
    return header_safe(text, "subject")


def _reply_subject(subject: str) -> str:
    return subject if subject.lower().startswith(("re:", "aw:")) else f"Re: {subject}"


def send_internal(
    mailer: Mailer,
    sender: Address,
    to: Address,
    subject: str,
    text: str,
    mail_domain: str,
    ticket_number: str | None = None,
) -> None:
    """A mail to one of our agents (or a queue's address), not stored on a ticket (a notification, a
    deadline alert): plain text only, ``Auto-Submitted: auto-generated`` (ingest drops it should it come
    back from our system sender). Raises what SES raises; the caller decides what a refused one means."""
    mail = OutgoingMail(
        sender=sender,
        to=[to],
        subject=header_line(subject),
        text=text,
        message_id=new_message_id(mail_domain),
        auto_submitted="auto-generated",
        ticket_number=ticket_number or None,
    )
    mailer.send_raw(sender.address, mail.recipients, build_mime(mail))
