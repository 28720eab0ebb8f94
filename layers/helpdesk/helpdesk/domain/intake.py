"""What a new inbound mail becomes: its rules' outcome, its new ticket's fields, its auto-reply facts.

Pure decisions over plain facts, taken by the ingest (services/ingest.py) for every mail that opens a
ticket and by the rule dry run (``POST /admin/rules/dry-run``) for the mail an admin tries: one source,
so the dry run shows what the ingest does (queue fallback, close on import, SES's spam and virus
verdicts, a sender that failed DMARC).
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime

from .autoreply import AutoReplyFacts, autoreply_verdict
from .config import ConfigSnapshot, Mailbox, Rule
from .dataclass import dataclass
from .headers import Address
from .mail import ParsedMail, automatic_reason
from .mail.auth import verdicts_of
from .reasons import Reason
from .rules import Outcome, evaluate, view_of
from .status import Status


def rules_outcome(mail: ParsedMail, mailbox: Mailbox | None, rules: list[Rule]) -> Outcome:
    """What the (enabled, ordered) rules do with this mail, as it arrived at ``mailbox``."""
    return evaluate(view_of(mail, mailbox.address if mailbox else ""), rules)


@dataclass(frozen=True)
class NewTicketFacts:
    """What decides a new ticket's fields: the mail, where it arrived, what the rules said, and how the
    ingest came to open a ticket for it."""

    mail: ParsedMail
    mailbox: Mailbox | None
    rules: Outcome
    default_queue: str  # the team's (settings.default_queue), for a mailbox without one
    quarantine: str | None = None  # why the mail could not be read or stored (a review note)
    index_note: str | None = None  # the Message-ID was taken by a different mail (a review note)
    claimed_ticket_id: str | None = None  # the mail names a ticket its sender may not append to


@dataclass(frozen=True)
class NewTicketFields:
    """The new ticket's fields, and why it is flagged for review (``review``, the notes an agent reads)."""

    subject: str
    status: Status
    stored_closed: bool  # closed as it is stored (import, a rule): it gets no auto-reply
    priority: str
    queue: str
    assignee: str | None
    project: str | None
    type: str | None
    tags: list[str]
    private: bool
    personal: bool
    prio: bool
    review: list[str] = field(default_factory=list)

    @property
    def quiet(self) -> bool:
        """Stored closed or in the trash: no auto-reply (``autoreply.stored_closed``)."""
        return self.stored_closed or self.status is Status.TRASH


def new_ticket_fields(facts: NewTicketFacts) -> NewTicketFields:
    mail, mailbox, rules = facts.mail, facts.mailbox, facts.rules
    status, stored_closed = _status(facts)
    return NewTicketFields(
        subject=mail.subject or "(kein Betreff)",
        status=status,
        stored_closed=stored_closed,
        priority=rules.priority or "medium",
        queue=rules.queue or (mailbox.default_queue if mailbox else None) or facts.default_queue,
        assignee=rules.assignee,
        project=rules.project or (mailbox.default_project if mailbox else None),
        type=rules.type,
        tags=list(rules.tags),
        private=rules.private,
        personal=rules.personal,
        prio=rules.prio,
        review=_review(facts),
    )


def _status(facts: NewTicketFacts) -> tuple[Status, bool]:
    """``(status, stored_closed)``: new; to clarify when it claims a ticket; closed on import; a rule's last."""
    mailbox, rules = facts.mailbox, facts.rules
    status, stored_closed = (Status.CLARIFY if facts.claimed_ticket_id else Status.NEW), False
    if mailbox and (mailbox.close_on_import or before_import_date(facts.mail, mailbox)):
        status, stored_closed = Status.CLOSED, True
    if rules.status:
        status = Status(rules.status)
        stored_closed = stored_closed or status is Status.CLOSED
    return status, stored_closed


def _review(facts: NewTicketFacts) -> list[str]:
    mail = facts.mail
    review = [note for note in (facts.quarantine, facts.index_note) if note]
    review += [f"limit: {note}" for note in mail.limit_exceeded]
    if facts.mailbox is None:
        review.append("sent to no configured mailbox (" + (", ".join(mail.recipients[:3]) or "no recipient") + ")")
    if facts.claimed_ticket_id:
        forged = mail.verdicts.sender_unverified
        review.append(
            f"claims an existing ticket, but the sender address failed authentication ({forged}): "
            "possibly forged; check before merging"
            if forged
            else "claims an existing ticket the sender is not part of; check before merging"
        )
    return review


def before_import_date(mail: ParsedMail, mailbox: Mailbox) -> bool:
    """Is the mail dated before the mailbox's "E-Mails ab Datum" (stored closed, no auto-reply)?"""
    return bool(mailbox.import_from and mail.date and mail.date[:10] < mailbox.import_from.isoformat())


@dataclass(frozen=True)
class SenderHistory:
    """What the ingest read about the sender's auto-replies (the dry run assumes none)."""

    last_sent_at: str | None = None  # within the window, else None
    sent_today: int = 0
    suppressed: str | None = None  # why the address gets no automatic mail (bounced for good, complained)


def autoreply_facts(
    facts: NewTicketFacts,
    fields: NewTicketFields,
    cfg: ConfigSnapshot,
    own_domain: str | tuple[str, ...],
    history: SenderHistory | None = None,
) -> AutoReplyFacts:
    """The facts :func:`~.autoreply.autoreply_verdict` decides on, for a mail that opens a ticket."""
    mail, mailbox, rules = facts.mail, facts.mailbox, facts.rules
    history = history or SenderHistory()
    domains = (own_domain,) if isinstance(own_domain, str) else own_domain
    return AutoReplyFacts(
        mailbox_autoreply=bool(mailbox and mailbox.autoreply),
        automatic_reason=mail.auto_submitted,
        sender=mail.sender,
        message_id=mail.message_id,
        own_domain=domains[0] if domains else "",
        other_domains=tuple(domains[1:]),
        own_addresses=frozenset(cfg.own_addresses),
        spam=mail.verdicts.is_spam or rules.spam,
        virus=mail.verdicts.is_virus,
        rule_suppressed=rules.suppress_autoreply,
        stored_closed=fields.quiet,
        last_sent_at=history.last_sent_at,
        window_hours=cfg.settings.autoreply_window_hours,
        sender_unverified=mail.verdicts.sender_unverified,
        sent_today=history.sent_today,
        max_per_day=cfg.settings.autoreply_max_per_day,
        suppressed=history.suppressed,
    )


@dataclass(frozen=True)
class NewTicketDecision:
    fields: NewTicketFields
    autoreply: bool  # send one
    autoreply_reason: Reason  # why (not)


def decide_new_ticket(
    facts: NewTicketFacts,
    cfg: ConfigSnapshot,
    own_domain: str | tuple[str, ...],
    now: datetime,
    history: SenderHistory | None = None,
) -> NewTicketDecision:
    """The new ticket's fields and whether it gets an auto-reply: the ingest's decision, and the dry run's."""
    fields = new_ticket_fields(facts)
    send, why = autoreply_verdict(autoreply_facts(facts, fields, cfg, own_domain, history), now)
    return NewTicketDecision(fields, send, why)


def typed_mail(
    *, sender: str, sender_name: str, to: list[str], subject: str, body: str, headers: dict[str, str]
) -> ParsedMail:
    """A mail an admin typed into the rule dry run's form (no raw mail), as the parser would return it:
    its headers decide whether it is automatic and what SES said, as a parsed mail's do."""
    kept = {name.lower(): value for name, value in headers.items()}
    return ParsedMail(
        from_=Address(sender_name, sender),
        to=[Address("", address) for address in to],
        cc=[],
        reply_to=[],
        recipients=list(to),
        subject=subject,
        date=None,
        message_id="",
        message_id_synthetic=False,
        in_reply_to=[],
        references=[],
        text=body,
        html="",
        new_text=body,
        attachments=[],
        auto_submitted=automatic_reason(kept, sender),
        headers=kept,
        verdicts=verdicts_of(kept),
    )
