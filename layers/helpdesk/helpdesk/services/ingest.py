"""Use case: one inbound mail (an S3 object SES wrote) becomes the right ticket, exactly once.

AWS calls per mail (counted in tests/integration/test_ingest.py: test_aws_calls_per_mail):

new ticket      S3 GetObject, DynamoDB BatchGetItem (Message-IDs, numbers, counter, auto-reply window and day count),
                TransactWriteItems, [UpdateItem: claim the auto-reply, SES SendEmail, TransactWriteItems: settle
                its state and count it]  + 1 PutObject per attachment
follow-up       S3 GetObject, BatchGetItem, GetItem (the ticket), TransactWriteItems

Exactly once: the mail's Message-ID index item is written with ``attribute_not_exists`` in the same
transaction as the ticket, the message, the number index, the counter (``value = <read>`` condition)
and the events. A crash before the commit leaves nothing; after it, the redelivery finds the
Message-ID and stops (finishing an auto-reply that was still pending).

Auto-replies go out at most once: the stored auto-reply (``pending``) is claimed (→ ``sending``) with a
conditional write before it is handed to SES, then settled (services/outbound.py): ``sent`` when SES
accepted it (only then does ``/stats`` count it as sent); ``retry`` when SES refused it for now
(throttling: the scheduled outbox sweep sends it later); ``failed`` with SES's reason when SES rejected
it (counted as failed; an agent can send it again). A refusal is not the mail's failure: the SQS record
succeeds. A ``sending`` left behind (the process died or SES's answer was lost) is never sent again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from dataclasses import field, replace
from datetime import datetime, timedelta
from typing import Any

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.autoclose import response_due
from ..domain.autoreply_mail import AutoReplyText, render_autoreply
from ..domain.clock import iso, now
from ..domain.config import Agent, ConfigSnapshot, Mailbox
from ..domain.dataclass import dataclass
from ..domain.headers import Address, clean_text
from ..domain.ids import new_id, object_message_id, without_trace_headers
from ..domain.intake import (
    NewTicketFacts,
    NewTicketFields,
    SenderHistory,
    decide_new_ticket,
    rules_outcome,
)
from ..domain.lifecycle import (
    PREVIEW_CHARS,
    Records,
    agent_answered_outside,
    customer_answered,
    mail_joined,
    reply_records,
)
from ..domain.mail import DEFAULT_LIMITS, Limits, ParsedMail, Verdicts, parse_mail
from ..domain.mail_domains import on_our_domains
from ..domain.notifications import is_own_notification, system_sender
from ..domain.numbering import number_format
from ..domain.reasons import Reason, reason
from ..domain.reasons import to_json as reason_json
from ..domain.rules import Outcome
from ..domain.sanitize import sanitize_html
from ..domain.status import Status
from ..domain.threading import (
    FORWARD_SIDE,
    Action,
    Decision,
    KnownMessage,
    MailFacts,
    TicketFacts,
    candidates,
    decide,
    first_lookup,
    reference_order,
    reuse,
)
from ..store.config_store import ConfigStore
from ..store.models import (
    TICKET_SK,
    AddressMap,
    AttachmentMap,
    CustomerItem,
    EventItem,
    LinkMap,
    MessageItem,
    MetaItem,
    TicketItem,
)
from ..store.stats import save_records, stats_update
from ..store.tickets import (
    Lookup,
    TicketStore,
    apply_index_keys,
    apply_transition,
    autoreply_day_key,
    autoreply_key,
    new_event,
    state_of,
    timeline_sk,
)
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, save_message, write_ticket
from .numbering import Number, counter_scope, next_number, read_again
from .outbound import Answered, SendFailed, deliver, outbound_message, template_values

# DynamoDB items are limited to 400 KB of UTF-8 (a 4-byte character counts 4): sizes are bytes, not characters.
BODY_INLINE_BYTES = 150_000  # text + HTML + new text kept in the message item; larger bodies go to S3
EXCERPT_BYTES = 20_000  # what the item keeps of the text (and of the new text) when the body is in S3
MAX_ATTEMPTS = 30  # optimistic counter under contention; past this, SQS retries the mail later

log = logging.getLogger("helpdesk.ingest")


@dataclass
class IngestDeps:
    mail: MailStore
    tickets: TicketStore
    config: ConfigStore
    mailer: Mailer
    mail_domain: str  # the first mail domain (system mail, Message-IDs)
    limits: Limits = DEFAULT_LIMITS
    mail_domains: tuple[str, ...] = ()  # every mail domain of the deployment (empty: just mail_domain)

    @property
    def domains(self) -> tuple[str, ...]:
        return self.mail_domains or ((self.mail_domain,) if self.mail_domain else ())


@dataclass
class IngestResult:
    outcome: str  # created | appended | duplicate | own_echo | own_notification
    message_id: str
    ticket_id: str | None = None
    number: str | None = None
    reasons: list[str] = field(default_factory=list)
    # sent | suppressed | none | failed | unknown (SES's answer was lost) | pending (not yet handed to SES)
    autoreply: str = "none"
    autoreply_reason: str = ""
    quarantined: bool = False
    review: list[str] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    rule_warnings: list[str] = field(default_factory=list)  # conditions that could not be decided
    attachments: int = 0
    # The auto-reply to hand to SES once the mail is stored (pending, or failed before): ticket, message.
    pending_autoreply: tuple[TicketItem, MessageItem] | None = field(default=None, repr=False)


# ------------------------------------------------------------------------------------------- entry points


def ingest_object(bucket: str, key: str, deps: IngestDeps, last_try: bool = False) -> IngestResult:
    """The Lambda's use case: the S3 object SES (or the local SMTP server) stored.

    ``last_try``: SQS will not deliver this record again (its receive count reached maxReceiveCount).
    A mail that fails then is not left to cycle through the dead-letter queue: it becomes a quarantine
    ticket (flagged for review, the error in its note, the raw mail attached). Only a mail whose object
    cannot be read (nothing to keep) or whose quarantine fails too is left to the dead-letter queue.
    """
    raw = deps.mail.get(key, bucket)
    try:
        result = _store(raw, key, deps, "email", trusted_sender=True)
    except Exception as exc:
        if not last_try:
            raise
        log.exception("ingest failed on the last try; storing %s as a quarantine ticket", key)
        result = _store(raw, key, deps, "email", trusted_sender=True, failed=exc)
    return _finish_autoreply(result, deps, retry_later=not last_try)


def ingest_raw(
    raw: bytes,
    raw_key: str | None,
    deps: IngestDeps,
    channel: str = "email",
    trusted_sender: bool = True,
    retry_later: bool = False,
    consent: dict[str, str] | None = None,
) -> IngestResult:
    """Store one raw mail, then send its auto-reply. ``trusted_sender=False`` (contact form: the address is
    unverified) never appends to an existing ticket; a named ticket becomes an agent-only ``claimed``
    link instead. ``retry_later``: the caller runs this mail again when it fails (SQS), so an auto-reply
    whose sending had an unknown outcome raises (the redelivery finds it ``sending``: never sent twice).
    An auto-reply SES refused is not the mail's failure: the outbox sweep retries it, or it is ``failed``
    with the reason for an agent to re-send (services/outbound.py). ``consent``: the privacy notice the contact
    form showed (domain/privacy.py: consent_record), kept in a new ticket's ``TicketCreated`` event."""
    result = _store(raw, raw_key, deps, channel, trusted_sender, consent=consent)
    return _finish_autoreply(result, deps, retry_later)


def _store(
    raw: bytes,
    raw_key: str | None,
    deps: IngestDeps,
    channel: str,
    trusted_sender: bool,
    failed: Exception | None = None,
    consent: dict[str, str] | None = None,
) -> IngestResult:
    """Store the mail (not its auto-reply). ``failed``: storing it failed on the last try, so store it as
    a quarantine ticket instead (as a mail the parser could not read: no threading, no rules)."""
    mail, quarantine = _read(raw, raw_key, deps, failed)
    cfg = deps.config.snapshot()
    if quarantine is None and is_own_notification(
        mail.sender,
        mail.auto_submitted,
        mail.verdicts.sender_unverified,
        system_sender(cfg.settings.notification_sender, deps.mail_domain),
    ):
        # One of our notification mails came back (an agent's address on a mailbox domain): never a ticket.
        return IngestResult(
            outcome="own_notification",
            message_id=mail.message_id,
            reasons=["one of our own notification mails (system sender, Auto-Submitted): not a ticket"],
        )
    at = now()
    facts = _mail_facts(mail, quarantine, cfg, deps)
    lookup = _lookup(facts, cfg, deps, at)
    known = _known(lookup)
    repeat = first_lookup(facts, known)
    if repeat is not None:
        return _repeat(repeat, facts, lookup, deps)
    index = _index(mail, facts, known)
    ticket, decision = _thread(facts, known, lookup, cfg, deps, at, quarantine, trusted_sender)
    attachments = _store_attachments(mail, deps)
    if quarantine is not None and raw_key:
        attachments.append(_original(raw, raw_key))
    body = _body(mail, cfg, deps)
    inbound = _Inbound(mail, raw_key, channel, quarantine, attachments, body, index, at, cfg, consent)
    return _write(inbound, facts, ticket, decision, lookup, deps)


@dataclass
class _Inbound:
    """One mail on its way in, as :func:`_store` prepared it for :func:`_create` (and the retries)."""

    mail: ParsedMail
    raw_key: str | None
    channel: str
    quarantine: str | None  # why it is stored as a quarantine ticket (not read, not stored), or None
    attachments: list[AttachmentMap]
    body: _Body
    index: _Index  # decided again when another Lambda takes the Message-ID first
    moment: datetime
    cfg: ConfigSnapshot
    consent: dict[str, str] | None = None  # the contact form's privacy notice, kept in TicketCreated


def _read(raw: bytes, raw_key: str | None, deps: IngestDeps, failed: Exception | None) -> tuple[ParsedMail, str | None]:
    """The parsed mail, and why it is quarantined (or None)."""
    if failed is None:
        mail, quarantine = parse_safely(raw, deps.limits)
    else:
        quarantine = f"quarantine: the mail could not be stored on its last try ({_describe(failed)})"
        mail = unreadable(raw, quarantine)
    if mail.message_id_synthetic and quarantine is None and raw_key:
        mail.message_id = object_message_id(raw_key)  # no Message-ID: the inbound object tells mails apart
    return mail, quarantine


def _mail_facts(mail: ParsedMail, quarantine: str | None, cfg: ConfigSnapshot, deps: IngestDeps) -> MailFacts:
    fmt = number_format(cfg.settings.number_format)
    # An agent's address (e-mail or alias) is believed only with SES's verdicts passed, as a customer's is.
    agent = cfg.agent_by_address(mail.sender) if quarantine is None else None
    forged = agent is not None and mail.verdicts.sender_unverified is not None
    return MailFacts(
        agent=agent.username if agent is not None and not forged else None,
        agent_forged=agent.username if agent is not None and forged else None,
        message_id=mail.message_id,
        in_reply_to=tuple(mail.in_reply_to),
        references=tuple(mail.references),
        numbers=tuple(fmt.find_in_subject(mail.subject)) if quarantine is None else (),
        sender=mail.sender,
        sender_unverified=mail.verdicts.sender_unverified,
        digest=mail.digest or None,
        sender_is_own=_is_own(mail.sender, cfg, deps),
    )


def _lookup(facts: MailFacts, cfg: ConfigSnapshot, deps: IngestDeps, at: datetime) -> Lookup:
    """Everything the ingest decides on, in one BatchGetItem."""
    return deps.tickets.lookup(
        own_ids=_own_ids(facts),
        numbers=facts.numbers,
        references=reference_order(facts),
        counter_scope=counter_scope(cfg, at),
        autoreply_address=facts.sender or None,
        autoreply_day=_day(at),
    )


def _write(
    inbound: _Inbound,
    facts: MailFacts,
    ticket: TicketItem | None,
    decision: Decision,
    lookup: Lookup,
    deps: IngestDeps,
) -> IngestResult:
    """Append or create in one transaction; after a conflict, read again what changed and try again."""
    blocked: Reason | None = None  # the auto-reply lost a race for the sender's window or daily count
    for attempt in range(MAX_ATTEMPTS):
        try:
            if decision.action is Action.APPEND and ticket is not None:
                return _append(inbound, ticket, decision, deps)
            return _create(inbound, decision, lookup, deps, blocked)
        except Conflict as conflict:
            guard = bool({"autoreply_window", "autoreply_day"} & set(conflict.tags))
            if guard:
                # Another Lambda just committed an auto-reply to this sender: this mail gets none.
                blocked = reason("autoreply.race")
            if "mid" in conflict.tags:
                repeat = _message_id_taken(inbound, facts, lookup, deps)
                if repeat is not None:
                    return repeat
            elif "counter" in conflict.tags or "number" in conflict.tags:
                _read_counter_again(conflict, lookup, inbound, deps)
            elif "ticket" in conflict.tags and ticket is not None:
                ticket = _load_candidate(ticket.pk, deps)
                if ticket is None:
                    decision = Decision(Action.NEW, reasons=[*decision.reasons, reason("threading.vanished")])
            elif not guard and not any(r in ("TransactionConflict", "ThrottlingError") for r in conflict.reasons):
                raise
            time.sleep(min(0.02 * 2**attempt, 0.5) * random.random())  # noqa: S311 - full jitter, not crypto
    raise RuntimeError(f"could not store <{inbound.mail.message_id}> after {MAX_ATTEMPTS} attempts")


def _message_id_taken(inbound: _Inbound, facts: MailFacts, lookup: Lookup, deps: IngestDeps) -> IngestResult | None:
    """Another Lambda stored a mail under this Message-ID a moment ago: the same mail (a redelivery now:
    its result), or a different one (this mail is stored under a variant id: None)."""
    lookup.message_ids.update(deps.tickets.message_index(_own_ids(facts)))
    known = _known(lookup)
    repeat = first_lookup(facts, known)
    if repeat is not None:
        return _repeat(repeat, facts, lookup, deps)
    inbound.index = _index(inbound.mail, facts, known)
    return None


def _read_counter_again(conflict: Conflict, lookup: Lookup, inbound: _Inbound, deps: IngestDeps) -> None:
    lookup.counter = read_again(deps.tickets, counter_scope(inbound.cfg, inbound.moment), conflict.tags)


def _thread(
    facts: MailFacts,
    known: dict[str, KnownMessage],
    lookup: Lookup,
    cfg: ConfigSnapshot,
    deps: IngestDeps,
    at: datetime,
    quarantine: str | None,
    trusted_sender: bool,
) -> tuple[TicketItem | None, Decision]:
    """The ticket the mail belongs to (if any) and the threading decision. A quarantine opens a ticket;
    an untrusted sender (the contact form) never appends: a named ticket becomes a ``claimed`` link."""
    if quarantine is not None:
        return None, Decision(Action.NEW, reasons=[reason("threading.quarantine")])
    numbers = {n: item.ticket_id for n, item in lookup.numbers.items() if item.ticket_id}
    found = candidates(facts, known, numbers)
    ticket = _load_candidate(found[0][0], deps) if found else None
    merged_from = found[0][0] if found and ticket is not None and ticket.pk != found[0][0] else None
    decision = decide(
        facts,
        known,
        numbers,
        _facts_of(ticket),
        now=at,
        reopen_max_age_days=cfg.settings.reopen_max_age_days,
        merged_from=merged_from,
    )
    if not trusted_sender and decision.action is Action.APPEND:
        decision = Decision(
            Action.NEW,
            reasons=[*decision.reasons, reason("threading.web_form")],
            claimed_ticket_id=decision.ticket_id,
        )
    return ticket, decision


# ---------------------------------------------------------------------------------------------- parsing


def _describe(exc: Exception) -> str:
    """The error for a review note; pynamodb's errors name DynamoDB's reason only in their cause."""
    text = f"{type(exc).__name__}: {clean_text(str(exc))[:200]}"
    code, reason = getattr(exc, "cause_response_code", None), getattr(exc, "cause_response_message", None)
    return f"{text} ({code}: {clean_text(str(reason))[:200]})" if code else text


def parse_safely(raw: bytes, limits: Limits) -> tuple[ParsedMail, str | None]:
    """Parse; if the parser itself fails (a bug, not a broken mail), quarantine instead of losing it."""
    try:
        return parse_mail(raw, limits), None
    except Exception as exc:  # the mail is kept raw and becomes a ticket flagged for review
        note = f"quarantine: the mail could not be parsed ({_describe(exc)})"
        return unreadable(raw, note), note


def unreadable(raw: bytes, note: str) -> ParsedMail:
    """A stand-in for a mail we could not read or store: its subject if the first lines name one, a
    text saying the original is kept, and an id from the raw bytes without the relays' trace fields
    (the same mail arriving again, by any path, lands on the same quarantine ticket)."""
    head = raw[:4096].decode("utf-8", "replace")
    subject = next((clean_text(line[8:]) for line in head.splitlines() if line.lower().startswith("subject:")), "")
    return ParsedMail(
        from_=None,
        to=[],
        cc=[],
        reply_to=[],
        recipients=[],
        subject=subject or "(unlesbare Nachricht)",
        date=None,
        message_id=f"{hashlib.sha256(without_trace_headers(raw)).hexdigest()[:40]}@quarantine.invalid",
        message_id_synthetic=True,
        in_reply_to=[],
        references=[],
        text="Diese Nachricht konnte nicht gelesen werden; die Originalnachricht ist angehängt.\n"
        "This message could not be read; the original is attached.",
        html="",
        new_text="",
        attachments=[],
        auto_submitted="unreadable mail",
        headers={},
        verdicts=Verdicts(),
        defects=[note],
        limit_exceeded=[],
        size=len(raw),
    )


def _known(lookup: Lookup) -> dict[str, KnownMessage]:
    return {
        mid: KnownMessage(
            mid,
            item.ticket_id,
            item.direction == "outbound",
            _data(item).get("digest"),
            item.number,
            forward=_data(item).get("side") == FORWARD_SIDE,
        )
        for mid, item in lookup.message_ids.items()
        if item.ticket_id
    }


def _data(item: MetaItem) -> dict[str, Any]:
    return item.data if isinstance(item.data, dict) else {}


def _own_ids(facts: MailFacts) -> list[str]:
    return [facts.message_id, *([facts.variant_id] if facts.variant_id else [])]


def _is_own(address: str, cfg: ConfigSnapshot, deps: IngestDeps) -> bool:
    return bool(address) and (address in cfg.own_addresses or on_our_domains(address, deps.domains))


@dataclass(frozen=True)
class _Index:
    """How the mail's ``MID#`` item is written: under which id, with which content digest, and why."""

    id: str
    digest: str
    note: str | None = None  # a review note: the Message-ID was taken by a different mail


def _index(mail: ParsedMail, facts: MailFacts, known: dict[str, KnownMessage]) -> _Index:
    reused = reuse(facts, known)
    if reused is None:
        return _Index(mail.message_id, mail.digest)
    return _Index(reused.index_id, mail.digest, reused.note)


def _load_candidate(ticket_id: str, deps: IngestDeps) -> TicketItem | None:
    ticket = deps.tickets.get(ticket_id)
    hops = 0
    while ticket is not None and ticket.merged_into and hops < 5:  # a merged ticket's number still threads
        ticket = deps.tickets.get(ticket.merged_into)
        hops += 1
    return ticket


def _facts_of(ticket: TicketItem | None) -> TicketFacts | None:
    if ticket is None:
        return None
    return TicketFacts(
        ticket_id=ticket.pk,
        number=ticket.number,
        status=ticket.status,
        participants=frozenset(ticket.participants or set()),
        closed_at=ticket.closed_at,
        merged_into=ticket.merged_into,
    )


# ------------------------------------------------------------------------------------------ bodies, files


@dataclass
class _Body:
    text: str
    html: str
    new_text: str
    remote_images: int
    body_key: str | None


def _object_prefix(mail: ParsedMail) -> str:
    """Deterministic per Message-ID and content: a retried ingest overwrites instead of leaving orphans,
    and a different mail reusing a Message-ID does not overwrite the first one's files."""
    return hashlib.sha256(f"{mail.message_id} {mail.digest}".encode()).hexdigest()[:32]


def _body(mail: ParsedMail, cfg: ConfigSnapshot, deps: IngestDeps) -> _Body:
    sanitized = sanitize_html(mail.html, block_remote=cfg.settings.block_external_content)
    text, html, new_text = mail.text, sanitized.html, mail.new_text
    body_key = None
    if sum(utf8_size(part) for part in (text, html, new_text)) > BODY_INLINE_BYTES:
        body_key = f"bodies/{_object_prefix(mail)}.json"
        data = json.dumps({"text": text, "html": html}, ensure_ascii=False).encode()
        deps.mail.put(body_key, data, "application/json")
        text, html, new_text = clip_utf8(text, EXCERPT_BYTES), "", clip_utf8(new_text, EXCERPT_BYTES)
    return _Body(text, html, new_text, sanitized.remote_images, body_key)


def utf8_size(text: str) -> int:
    """What ``text`` weighs in DynamoDB and S3: its UTF-8 bytes."""
    return len(text.encode("utf-8", "surrogatepass"))


def clip_utf8(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` UTF-8 bytes, never inside a character."""
    if len(text) * 4 <= max_bytes:
        return text
    return text.encode("utf-8", "surrogatepass")[:max_bytes].decode("utf-8", "ignore")


def _original(raw: bytes, raw_key: str) -> AttachmentMap:
    """The raw mail as SES stored it, attached to a quarantine ticket (no copy: the inbound object)."""
    digest = hashlib.sha256(raw).hexdigest()
    return AttachmentMap(
        id=f"{digest[:12]}-0",
        filename="original.eml",
        content_type="message/rfc822",
        size=len(raw),
        sha256=digest,
        key=raw_key,
    )


def _store_attachments(mail: ParsedMail, deps: IngestDeps) -> list[AttachmentMap]:
    prefix = _object_prefix(mail)
    stored: list[AttachmentMap] = []
    for index, att in enumerate(mail.attachments, start=1):
        key = f"attachments/{prefix}/{index}"
        deps.mail.put(key, att.data, att.content_type)
        stored.append(
            AttachmentMap(
                id=f"{prefix[:12]}-{index}",
                filename=att.filename,
                content_type=att.content_type,
                size=att.size,
                sha256=att.sha256,
                key=key,
                content_id=att.content_id,
                inline=att.inline,
                note=att.note,
            )
        )
    return stored


# -------------------------------------------------------------------------------------------- messages


def _message_item(
    ticket_id: str,
    mail: ParsedMail,
    raw_key: str | None,
    body: _Body,
    attachments: list[AttachmentMap],
    mailbox: Mailbox | None,
    at: str,
) -> MessageItem:
    msg_id = new_id()
    return MessageItem(
        pk=ticket_id,
        sk=timeline_sk("MSG", at, msg_id),
        id=msg_id,
        direction="inbound",
        from_addr=AddressMap(name=mail.sender_name, address=mail.sender) if mail.sender else None,
        to=[AddressMap(name=a.name, address=a.address) for a in mail.to[:50]],
        cc=[AddressMap(name=a.name, address=a.address) for a in mail.cc[:50]],
        subject=mail.subject,
        text=body.text,
        html=body.html,
        new_text=body.new_text,
        body_key=body.body_key,
        remote_images=body.remote_images,
        message_id=mail.message_id,
        in_reply_to=mail.in_reply_to[:5],
        references=mail.references[-20:],
        raw_key=raw_key,
        mailbox=mailbox.id if mailbox else None,
        attachments=attachments,
        verdicts=mail.verdicts.as_dict(),
        auto_submitted=mail.auto_submitted,
        defects=mail.defects[:20],
        limit_exceeded=mail.limit_exceeded,
        created_at=at,
    )


def _participants(mail: ParsedMail, own: set[str]) -> set[str]:
    addresses = {mail.sender} | {a.address for a in mail.cc + mail.to + mail.reply_to}
    return {a for a in addresses if a and a not in own}


# ------------------------------------------------------------------------------------------ new ticket


def _create(
    inbound: _Inbound, decision: Decision, lookup: Lookup, deps: IngestDeps, blocked: Reason | None = None
) -> IngestResult:
    """A new ticket: its number, its fields (domain/intake.py), the auto-reply verdict; one transaction."""
    mail, cfg, moment = inbound.mail, inbound.cfg, inbound.moment
    number = next_number(cfg, lookup.counter, moment)
    mailbox = cfg.mailbox_for(mail.recipients)
    rules = rules_outcome(mail, mailbox, cfg.sorted_rules()) if inbound.quarantine is None else Outcome()
    facts = NewTicketFacts(
        mail,
        mailbox,
        rules,
        cfg.settings.default_queue,
        quarantine=inbound.quarantine,
        index_note=inbound.index.note,
        claimed_ticket_id=decision.claimed_ticket_id,
    )
    decided = decide_new_ticket(facts, cfg, deps.domains, moment, _sender_history(lookup, moment))
    fields, send, why = decided.fields, decided.autoreply, decided.autoreply_reason
    agent = cfg.agent(decision.agent) if decision.agent_outside else None
    if agent is not None:  # never an auto-reply to the team's own mail
        send, why = False, reason("autoreply.agent", agent=agent.username)
    written = _agent_wrote(agent, mail, cfg, deps)
    if written is not None:  # said in this attempt's decision only (a retry after a conflict decides again)
        why_new = reason("threading.agent_new", agent=written.agent.username, customer=written.customer.address)
        decision = replace(decision, reasons=[*decision.reasons, why_new])
    ticket = _ticket_item(inbound, fields, number.text, mailbox, decision, iso(moment), written)
    # Before the auto-reply's: within one moment the timeline sorts by id, the customer's mail first.
    message = _message_item(ticket.pk, mail, inbound.raw_key, inbound.body, inbound.attachments, mailbox, iso(moment))
    if written is not None:
        message = _agent_message(
            ticket.pk, mail, inbound.raw_key, inbound.body, inbound.attachments, mailbox, agent, iso(moment)
        )
    if send and blocked:
        send, why = False, blocked
    autoreply = _autoreply_message(ticket, mail, mailbox, cfg, deps, iso(moment)) if send else None
    new = _NewTicket(ticket, message, number, mailbox, decision, rules, why, autoreply, written)
    _commit_created(inbound, new, deps)
    result = IngestResult(
        outcome="created",
        message_id=mail.message_id,
        ticket_id=ticket.pk,
        number=number.text,
        reasons=[str(r) for r in decision.reasons],
        autoreply="suppressed" if not send else "pending",
        autoreply_reason=why,
        quarantined=inbound.quarantine is not None,
        review=fields.review,
        rules=rules.fired,
        rule_warnings=rules.warnings,
        attachments=len(inbound.attachments),
    )
    if autoreply is not None:
        result.pending_autoreply = (ticket, autoreply[0])
    return result


@dataclass(frozen=True)
class _NewTicket:
    """What :func:`_create` decided, for the transaction that stores it."""

    ticket: TicketItem
    message: MessageItem  # the customer's
    number: Number
    mailbox: Mailbox | None
    decision: Decision
    rules: Outcome
    autoreply_reason: Reason
    autoreply: tuple[MessageItem, AutoReplyText] | None  # the auto-reply to store pending, or None
    written: _AgentWrote | None = None  # an agent's own mail to a customer: whom they wrote to


def _commit_created(inbound: _Inbound, new: _NewTicket, deps: IngestDeps) -> None:
    """One transaction: counter, message (and its Message-ID index), number, customer, auto-reply and the
    sender's loop guard, ticket and events, stats. Conditions make a racing Lambda's commit fail whole."""
    mail, ticket, at = inbound.mail, new.ticket, iso(inbound.moment)
    unit = deps.tickets.unit()
    new.number.write(unit, ticket.pk, at)
    data = {"digest": inbound.index.digest} if inbound.index.digest else {}
    if new.autoreply is not None:
        data["autoreply_sk"] = new.autoreply[0].sk
    save_message(unit, ticket, new.message, data=data or None, index_id=inbound.index.id)
    if new.written is not None:
        _customer_upsert(unit, new.written.customer.address, new.written.customer.name, at)
    else:
        _customer_upsert(unit, mail.sender, mail.sender_name, at)
    autoreply_text = new.autoreply[1] if new.autoreply is not None else None
    events = _created_events(
        ticket, inbound, new.decision, new.rules, new.autoreply_reason, autoreply_text, at, new.written
    )
    if new.autoreply is not None:
        save_message(unit, ticket, new.autoreply[0], tag="autoreply")
        _claim_loop_guard(unit, mail.sender, ticket.pk, inbound.cfg, inbound.moment)
    write_ticket(unit, ticket, None, events, new=True)
    # sent (or failed) is counted once SES answered: see _send_autoreply
    suppressed = 1 if new.mailbox and new.autoreply is None else 0
    if new.written is not None:  # the agent's first answer, sent outside the helpdesk
        stats_update(unit, at, {"tickets_created": 1, "autoreplies_suppressed": suppressed})
        save_records(unit, ticket, reply_records(None, at, at), at)
    else:
        stats_update(unit, at, {"tickets_created": 1, "messages_in": 1, "autoreplies_suppressed": suppressed})
    unit.commit()


@dataclass(frozen=True)
class _AgentWrote:
    """An agent's own mail that names no ticket but went to someone outside: a new ticket for that customer."""

    agent: Agent
    customer: Address
    recipients: list[Address]


def _agent_wrote(agent: Agent | None, mail: ParsedMail, cfg: ConfigSnapshot, deps: IngestDeps) -> _AgentWrote | None:
    """Zammad's rule for an agent's mail that names no ticket: a ticket for whom it went to (the first
    recipient outside the helpdesk and the team), with the agent's mail as their answer. Without such a
    recipient (mail only to our mailboxes: an internal request, a customer's mail forwarded in) it is a
    ticket like any mail's, with the agent as requester (no auto-reply)."""
    if agent is None:
        return None
    recipients = _outside_recipients(mail, cfg, deps)
    if not recipients:
        return None
    return _AgentWrote(agent, recipients[0], recipients)


def _ticket_item(
    inbound: _Inbound,
    fields: NewTicketFields,
    number: str,
    mailbox: Mailbox | None,
    decision: Decision,
    at: str,
    written: _AgentWrote | None = None,
) -> TicketItem:
    mail, body, cfg = inbound.mail, inbound.body, inbound.cfg
    ticket = TicketItem(
        pk=new_id(),
        sk=TICKET_SK,
        number=number,
        subject=fields.subject,
        status=fields.status.value,
        priority=fields.priority,
        queue=fields.queue,
        assignee=fields.assignee,
        customer_email=mail.sender or None,
        customer_name=mail.sender_name or None,
        mailbox=mailbox.id if mailbox else None,
        project=fields.project,
        type=fields.type,
        channel=inbound.channel,
        tags=fields.tags,
        private=fields.private,
        personal=fields.personal,
        prio=fields.prio,
        unread=True,
        review=bool(fields.review),
        review_notes=fields.review[:10],
        participants=_participants(mail, cfg.own_addresses) or None,
        preview=(body.new_text or body.text)[:PREVIEW_CHARS],
        message_count=1,
        created_at=at,
        updated_at=at,
        last_customer_at=at,
        closed_at=at if fields.status is Status.CLOSED else None,
    )
    queue = cfg.queue(ticket.queue)
    ticket.response_due_at = response_due(at, queue.first_response_hours if queue else None)
    if written is not None:  # the agent wrote first: the customer's ticket, answered, waiting for them
        ticket.customer_email, ticket.customer_name = written.customer.address, written.customer.name or None
        ticket.participants = {a.address for a in written.recipients} or None
        ticket.assignee = ticket.assignee or written.agent.username
        ticket.unread, ticket.last_customer_at = False, None
        ticket.first_response_at = ticket.last_agent_at = at
        ticket.response_due_at = None
        if not fields.stored_closed:
            ticket.status = Status.WAITING_CUSTOMER.value
            ticket.waiting_since = at
    ticket.links = [LinkMap(type="claimed", ticket_id=decision.claimed_ticket_id)] if decision.claimed_ticket_id else []
    if decision.previous_ticket_id:
        ticket.links.append(LinkMap(type="previous", ticket_id=decision.previous_ticket_id))
    apply_index_keys(ticket)
    return ticket


def _created_events(
    ticket: TicketItem,
    inbound: _Inbound,
    decision: Decision,
    rules: Outcome,
    why: Reason,
    autoreply_text: AutoReplyText | None,
    at: str,
    written: _AgentWrote | None = None,
) -> list[EventItem]:
    detail: dict[str, Any] = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "queue": ticket.queue,
        "mailbox": ticket.mailbox,
        "customer": ticket.customer_email,
        "channel": inbound.channel,
        "threading": [reason_json(r) for r in decision.reasons],
        "rules": rules.fired,
        "autoreply": reason_json(why),
    }
    if rules.warnings:
        detail["rule_warnings"] = [reason_json(w) for w in rules.warnings]
    if inbound.consent:  # the privacy notice the contact form showed: what the customer saw, and when
        detail["consent"] = inbound.consent
    if autoreply_text is not None:  # which language the auto-reply speaks, and why (autoreply_mail.py)
        detail["autoreply_language"] = {"lang": autoreply_text.lang, "reason": autoreply_text.lang_reason}
    message: dict[str, Any] = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "direction": "inbound",
        "message_id": inbound.mail.message_id,
        "from": inbound.mail.sender,
    }
    if written is not None:  # the agent's own mail, sent outside the helpdesk
        to = [a.address for a in written.recipients]
        message |= {"direction": "outbound", "outside": True, "to": to, "threading": detail["threading"]}
        return [
            new_event(ticket, "TicketCreated", written.agent.username, detail, at),
            new_event(ticket, "MessageAdded", written.agent.username, message, at),
        ]
    return [
        new_event(ticket, "TicketCreated", "system", detail, at),
        new_event(ticket, "MessageAdded", "customer", message, at),
    ]


def _customer_upsert(unit: Unit, address: str, name: str, at: str) -> None:
    if not address:
        return
    actions: list[Any] = [
        CustomerItem.kind.set("customer"),
        CustomerItem.created_at.set(CustomerItem.created_at | at),
        CustomerItem.updated_at.set(at),
        CustomerItem.last_ticket_at.set(at),
        CustomerItem.ticket_count.add(1),
    ]
    if name:
        actions += [
            CustomerItem.name.set(name),
            CustomerItem.name_key.set(f"{name.lower()}#{address}"),
        ]
    else:
        actions += [CustomerItem.name_key.set(CustomerItem.name_key | f"{address}#{address}")]
    unit.update("customer", CustomerItem(address), actions)


# ------------------------------------------------------------------------------------------- follow-up


@dataclass(frozen=True)
class _Joining:
    """A mail that joins an existing ticket: what :func:`_append` and :func:`_append_agent_mail` store."""

    inbound: _Inbound
    ticket: TicketItem
    decision: Decision
    mailbox: Mailbox | None
    at: str

    def message_detail(self, **extra: Any) -> dict[str, Any]:
        """The ``message`` of the transition's event: which mail, from whom, and why it joined."""
        mail = self.inbound.mail
        detail = {"message_id": mail.message_id, "from": mail.sender, **extra}
        detail["threading"] = [reason_json(r) for r in self.decision.reasons]
        return detail | ({"side": FORWARD_SIDE} if self.decision.forward_side else {})


def _append(inbound: _Inbound, ticket: TicketItem, decision: Decision, deps: IngestDeps) -> IngestResult:
    at = iso()
    mail, cfg = inbound.mail, inbound.cfg
    joining = _Joining(inbound, ticket, decision, cfg.mailbox_for(mail.recipients) or cfg.mailbox(ticket.mailbox), at)
    if decision.agent_outside:
        return _append_agent_mail(joining, deps)
    # An answer to a mail we forwarded: on the ticket and unread for every agent (``last_customer_at`` is the
    # last mail from outside), but not the customer's conversation: its sender joins no participants, the
    # status and the reminder clock stay (docs/threading.md).
    forward_side = decision.forward_side
    snapshot = Snapshot.of(ticket)
    state = state_of(ticket)
    preview = inbound.body.new_text or inbound.body.text
    message_detail = joining.message_detail()
    transition = (
        mail_joined(state, at=at, preview=preview, actor="third_party", message=message_detail)
        if forward_side
        else customer_answered(state, at=at, preview=preview, channel="mail", message=message_detail)
    )
    events = apply_transition(ticket, transition, at)
    if not forward_side:
        ticket.participants = (set(ticket.participants or set()) | _participants(mail, cfg.own_addresses)) or None
    i = inbound
    message = _message_item(ticket.pk, mail, i.raw_key, i.body, i.attachments, joining.mailbox, at)
    return _commit_joined(joining, snapshot, events, message, transition.records, deps)


def _commit_joined(
    joining: _Joining,
    snapshot: Snapshot,
    events: list[EventItem],
    message: MessageItem,
    records: Records,
    deps: IngestDeps,
) -> IngestResult:
    """One transaction: the ticket (with its version: an agent's concurrent change wins, we retry), the
    message and its Message-ID index, the reports' records."""
    ticket, index, at = joining.ticket, joining.inbound.index, joining.at
    forward_side = joining.decision.forward_side
    if index.note:
        ticket.review = True
        ticket.review_notes = [*(ticket.review_notes or []), index.note][-10:]
    message.side = FORWARD_SIDE if forward_side else None
    unit = deps.tickets.unit()
    write_ticket(unit, ticket, snapshot, events)
    data: dict[str, Any] = {"digest": index.digest} if index.digest else {}
    if forward_side:  # answers to this mail thread back on the forward's side too
        data["side"] = FORWARD_SIDE
    save_message(unit, ticket, message, data=data or None, index_id=index.id)
    save_records(unit, ticket, records, at)
    unit.commit()
    return IngestResult(
        outcome="appended",
        message_id=joining.inbound.mail.message_id,
        ticket_id=ticket.pk,
        number=ticket.number,
        reasons=[str(r) for r in joining.decision.reasons],
        review=[index.note] if index.note else [],
        attachments=len(joining.inbound.attachments),
    )


# ---------------------------------------------------------------------------------- agents' own mail


def _outside_recipients(mail: ParsedMail, cfg: ConfigSnapshot, deps: IngestDeps | None = None) -> list[Address]:
    """Whom an agent's own mail went to, besides the helpdesk and the team: our mailboxes, addresses on our
    mail domains and agents' addresses are left out."""
    team = {address for agent in cfg.agents for address in agent.addresses}
    found: list[Address] = []
    for address in mail.to + mail.cc:
        own = address.address in cfg.own_addresses or address.address in team
        if not address.address or own or (deps is not None and on_our_domains(address.address, deps.domains)):
            continue
        if address.address not in {a.address for a in found}:
            found.append(address)
    return found


def _agent_message(
    ticket_id: str,
    mail: ParsedMail,
    raw_key: str | None,
    body: _Body,
    attachments: list[AttachmentMap],
    mailbox: Mailbox | None,
    agent: Agent | None,
    at: str,
) -> MessageItem:
    """An agent's own mail as their outbound message, sent outside the helpdesk: shown as from the agent,
    kept with its raw mail, never handed to SES (``send_state = outside``)."""
    message = _message_item(ticket_id, mail, raw_key, body, attachments, mailbox, at)
    message.direction = "outbound"
    message.author = agent.username if agent is not None else None
    message.send_state = "outside"
    if agent is not None and agent.name and message.from_addr is not None:
        message.from_addr = AddressMap(name=mail.sender_name or agent.name, address=mail.sender)
    return message


def _append_agent_mail(joining: _Joining, deps: IngestDeps) -> IngestResult:
    """An agent's mail from their own mail program that names the ticket: their answer, sent outside the
    helpdesk (domain/lifecycle.py: agent_answered_outside). Its recipients join the conversation as a
    reply's do; the team sees it read; nothing is mailed."""
    inbound, ticket, decision, at = joining.inbound, joining.ticket, joining.decision, joining.at
    cfg = inbound.cfg
    agent = cfg.agent(decision.agent)
    forward_side = decision.forward_side
    snapshot = Snapshot.of(ticket)
    recipients = _outside_recipients(inbound.mail, cfg)
    detail = joining.message_detail(to=[a.address for a in recipients])
    actor = decision.agent or "agent"
    transition = agent_answered_outside(
        state_of(ticket), at=at, agent=actor, message=detail, customer_side=not forward_side
    )
    events = apply_transition(ticket, transition, at)
    if not forward_side:
        ticket.participants = (set(ticket.participants or set()) | {a.address for a in recipients}) or None
    i = inbound
    message = _agent_message(ticket.pk, i.mail, i.raw_key, i.body, i.attachments, joining.mailbox, agent, at)
    return _commit_joined(joining, snapshot, events, message, transition.records, deps)


# ----------------------------------------------------------------------------------------- auto-replies


def _sender_history(lookup: Lookup, moment: datetime) -> SenderHistory:
    """What the lookup read about the sender's auto-replies (a window item past its end is none)."""
    last = lookup.autoreply
    last_sent = last.created_at if last is not None and not _expired(last, moment) else None
    return SenderHistory(last_sent_at=last_sent, sent_today=lookup.autoreplies_today, suppressed=lookup.suppressed)


def _claim_loop_guard(unit: Unit, sender: str, ticket_id: str, cfg: ConfigSnapshot, moment: datetime) -> None:
    """Take the sender's window and one of today's auto-replies in the ticket's transaction.

    Both writes are conditional on what the verdict read (no window open, fewer than the cap today):
    two Lambdas racing for the same sender cannot both send; the loser's transaction is cancelled
    and it stores its ticket without an auto-reply.
    """
    at = iso(moment)
    hours = cfg.settings.autoreply_window_hours
    if hours > 0:
        unit.save(
            "autoreply_window",
            MetaItem(*autoreply_key(sender), ticket_id=ticket_id, created_at=at, expires_at=_window_end(moment, cfg)),
            condition=MetaItem.pk.does_not_exist()
            | (MetaItem.created_at <= iso(moment - timedelta(hours=hours)))
            | (MetaItem.expires_at <= moment),
        )
    unit.update(
        "autoreply_day",
        MetaItem(*autoreply_day_key(sender, _day(moment))),
        [
            MetaItem.value.add(1),
            MetaItem.created_at.set(MetaItem.created_at | at),
            MetaItem.expires_at.set(moment + timedelta(days=2)),
        ],
        condition=MetaItem.pk.does_not_exist() | (MetaItem.value < cfg.settings.autoreply_max_per_day),
    )


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _expired(item: MetaItem, moment: datetime) -> bool:
    return item.expires_at is not None and item.expires_at <= moment


def _window_end(moment: datetime, cfg: ConfigSnapshot) -> datetime:
    return moment + timedelta(hours=max(cfg.settings.autoreply_window_hours, 1))


def _autoreply_message(
    ticket: TicketItem, mail: ParsedMail, mailbox: Mailbox | None, cfg: ConfigSnapshot, deps: IngestDeps, at: str
) -> tuple[MessageItem, AutoReplyText]:
    assert mailbox is not None  # the verdict requires a mailbox with auto-reply on
    values = template_values(ticket, cfg, mailbox, mail.subject, mail.sender_name, mail.sender)
    declared, text = mail.headers.get("content-language", ""), mail.new_text or mail.text
    reply = render_autoreply(mailbox, ticket.number, values, declared, text, status=Status(ticket.status))
    message = outbound_message(
        ticket,
        mailbox,
        [Address(mail.sender_name, mail.sender)],
        [],
        reply.subject,
        reply.text,
        reply.html,
        Answered(mail.message_id, mail.references),
        author="system",
        mail_domain=deps.mail_domain,
        summary=reply.text,
        auto=True,
        auto_submitted="auto-replied",
        at=at,
    )
    return message, reply


def _finish_autoreply(result: IngestResult, deps: IngestDeps, retry_later: bool) -> IngestResult:
    if result.pending_autoreply is not None:
        ticket, msg = result.pending_autoreply
        result.pending_autoreply = None
        result.autoreply = _send_autoreply(ticket, msg, deps, retry_later)
    return result


def _send_autoreply(ticket: TicketItem, msg: MessageItem, deps: IngestDeps, retry_later: bool) -> str:
    """Claim the auto-reply (``pending`` → ``sending``: at most once), hand it to SES, settle it
    (services/outbound.py: ``deliver``).

    Counted in ``/stats`` only once SES answered: ``autoreplies_sent``, or ``autoreplies_failed`` when SES
    refused it for good. A refusal that passes (throttling) leaves it ``retry`` for the outbox sweep: the
    mail itself is stored, so its SQS record succeeds (no redelivery, no alarm). An error after which SES
    may have the mail (a lost answer) leaves ``sending``: never sent twice, counted neither way; it is
    raised while a retry of the record will come (as after a crash), else logged.
    """
    try:
        if not deliver(deps.tickets, deps.mailer, ticket, msg):
            return "none"  # another delivery of this mail has it
    except SendFailed as exc:
        if msg.send_state != "sending":
            log.warning("auto-reply of %s refused by SES: %s (%s)", ticket.number, msg.send_error, msg.send_state)
            return str(msg.send_state)  # retry | failed
        if retry_later:
            raise
        log.exception("auto-reply of %s: SES's answer was lost; it is not sent again", ticket.number, exc_info=exc)
        return "unknown"
    return "sent"


def _repeat(decision: Decision, facts: MailFacts, lookup: Lookup, deps: IngestDeps) -> IngestResult:
    """This mail was stored before: store nothing; finish an auto-reply a crash left pending."""
    key = facts.variant_id if facts.variant_id in lookup.message_ids else facts.message_id
    mid = lookup.message_ids.get(key or facts.message_id)
    result = IngestResult(
        outcome=decision.action.value,
        message_id=facts.message_id,
        ticket_id=decision.ticket_id,
        number=mid.number if mid is not None else None,
        reasons=[str(r) for r in decision.reasons],
    )
    pending_sk = _data(mid).get("autoreply_sk") if mid is not None else None
    if decision.action is Action.DUPLICATE and pending_sk and decision.ticket_id:
        msg = deps.tickets.message(decision.ticket_id, pending_sk)
        ticket = deps.tickets.get(decision.ticket_id)
        if msg is not None and ticket is not None and msg.send_state == "pending":
            result.autoreply = "pending"
            result.pending_autoreply = (ticket, msg)
    return result
