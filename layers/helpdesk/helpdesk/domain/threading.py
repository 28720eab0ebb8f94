"""Which ticket does an inbound mail belong to? A pure decision with its reasons.

Order of evidence (strongest first):

1. The mail's own Message-ID is already known: a redelivery (``duplicate``: the same content) or our
   own mail coming back (``own_echo``: from one of our addresses). Nothing new is stored. A different
   mail under a known Message-ID (other content, or our id on a stranger's mail) is not dropped: it
   goes on through the steps below, indexed under a variant id and flagged for review (:func:`reuse`).
2. In-Reply-To / References name a Message-ID **we sent** for a ticket: the sender has read our mail,
   so the mail is attached whoever sends it (a colleague replying to our answer). When that mail was a
   forward (or went to a forward's recipient) and the sender is no participant, the mail is appended on
   the forward side (``Decision.forward_side``): its sender does not join the customer's conversation.
3. In-Reply-To / References name a customer's Message-ID of a ticket, or the subject names a ticket
   number (``[#T-2026-000123]``, tolerant of ``Re:``/``AW:``/``WG:``/spacing/case): attached only when the
   sender is a participant of that ticket (customer, CC'd address). Otherwise a new ticket
   opens in ``clarify`` with an agent-only link to the ticket it claimed ("Ticket Trick",
   zammad/zammad#5064): a stranger who guesses a number can neither write into nor read someone
   else's ticket. A participant's address that failed authentication (DMARC, or SPF without DKIM)
   counts as a stranger's: forging the customer's From is the trick's next step.
   A mail from an agent's address (their e-mail or a registered alias, with SES's verdicts passed) that
   names a ticket either way joins it as the agent's own outbound mail (``Decision.agent_outside``), sent
   outside the helpdesk; a forged agent address is judged as a stranger's, with the reason said.
4. A ticket closed longer ago than ``reopen_max_age_days`` is not reopened: a new ticket opens,
   linked to the old one.
5. Otherwise: a new ticket.
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime
from enum import StrEnum

from .clock import days_between
from .dataclass import dataclass
from .ids import variant_message_id
from .reasons import Reason, reason

# ``MessageItem.side`` (and its ``MID#`` item's ``data.side``) of a forward, of the answers to it and of
# our answers to those: mail exchanged with a forward's recipients, not with the customer.
FORWARD_SIDE = "forward"


class Action(StrEnum):
    DUPLICATE = "duplicate"
    OWN_ECHO = "own_echo"
    APPEND = "append"
    NEW = "new"


@dataclass(frozen=True)
class KnownMessage:
    """A Message-ID index entry: which ticket it belongs to and who wrote it."""

    message_id: str
    ticket_id: str
    outbound: bool
    digest: str | None = None  # content digest of the inbound mail indexed here (None: not recorded)
    number: str | None = None
    forward: bool = False  # a mail we forwarded (or sent to a forward's recipient): not the customer's side


@dataclass(frozen=True)
class TicketFacts:
    """What the decision needs to know about a candidate ticket."""

    ticket_id: str
    number: str
    status: str
    participants: frozenset[str]
    closed_at: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class MailFacts:
    message_id: str
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    numbers: tuple[str, ...]  # ticket numbers found in the subject, canonical
    sender: str
    sender_unverified: str | None = None  # why the From address is not to be believed (SES verdicts)
    digest: str | None = None  # what the sender wrote (ids.content_digest); None: unknown, never "different"
    sender_is_own: bool = False  # From is one of our own addresses (or our mail domain)
    agent: str | None = None  # the agent (username) whose address (e-mail or alias) sent it, SES verdicts passed
    agent_forged: str | None = None  # an agent's address that failed authentication: not believed to be theirs

    @property
    def variant_id(self) -> str | None:
        """The index id this mail takes if its Message-ID turns out to belong to a different mail."""
        return variant_message_id(self.message_id, self.digest) if self.digest else None


@dataclass
class Decision:
    action: Action
    ticket_id: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    claimed_ticket_id: str | None = None  # a number/reference the sender may not use: link for agents
    previous_ticket_id: str | None = None  # a closed ticket too old to reopen: link to it
    by: str | None = None  # "reference" | "number"
    forward_side: bool = False  # an answer to a mail we forwarded: appended, its sender no participant
    agent_outside: bool = False  # an agent's own mail (sent outside the helpdesk): stored as their outbound mail
    agent: str | None = None  # with agent_outside: the agent (username)


def reference_order(mail: MailFacts) -> list[str]:
    """The Message-IDs a mail refers to, most telling first: In-Reply-To, then References newest first.

    A lookup that can read only so many keys reads them in this order, so the mail being answered and
    the newest of a long References chain are never the ones left out.
    """
    return list(dict.fromkeys([*mail.in_reply_to, *reversed(mail.references)]))


def candidates(
    mail: MailFacts, known: dict[str, KnownMessage], numbers: dict[str, str]
) -> list[tuple[str, Reason, bool]]:
    """Candidate tickets in order of evidence: ``(ticket_id, how, proven)``.

    ``proven`` is True when the mail references a Message-ID we sent for that ticket (a mail of the
    customer's side before one we forwarded: the forward's reason is ``threading.ref_forward``).
    """
    found: list[tuple[str, Reason, bool]] = []
    seen: set[str] = set()
    refs = reference_order(mail)
    ours = [(ref, known[ref]) for ref in refs if ref in known and known[ref].outbound]
    for ref, mine in sorted(ours, key=lambda pair: pair[1].forward):  # stable: newest first within each
        if mine.ticket_id not in seen:
            code = "threading.ref_forward" if mine.forward else "threading.ref_ours"
            found.append((mine.ticket_id, reason(code, ref=ref), True))
            seen.add(mine.ticket_id)
    for ref in refs:
        entry = known.get(ref)
        if entry and not entry.outbound and entry.ticket_id not in seen:
            found.append((entry.ticket_id, reason("threading.ref_customer", ref=ref), False))
            seen.add(entry.ticket_id)
    for number in mail.numbers:
        ticket_id = numbers.get(number)
        if ticket_id and ticket_id not in seen:
            found.append((ticket_id, reason("threading.subject_number", number=number), False))
            seen.add(ticket_id)
    return found


def first_lookup(mail: MailFacts, known: dict[str, KnownMessage]) -> Decision | None:
    """Step 1: this very mail is known (by its Message-ID and content): nothing is to be stored."""
    variant = known.get(mail.variant_id) if mail.variant_id else None
    if variant is not None:
        return Decision(
            Action.DUPLICATE, variant.ticket_id, [reason("threading.duplicate_content", message_id=mail.message_id)]
        )
    entry = known.get(mail.message_id)
    if entry is None or reuse(mail, known) is not None:
        return None
    if entry.outbound:
        return Decision(Action.OWN_ECHO, entry.ticket_id, [reason("threading.own_echo", message_id=mail.message_id)])
    return Decision(Action.DUPLICATE, entry.ticket_id, [reason("threading.duplicate", message_id=mail.message_id)])


@dataclass(frozen=True)
class Reuse:
    """A different mail under a Message-ID that is already taken: store it under ``index_id``, with ``note``."""

    index_id: str
    ticket_id: str
    note: str


def reuse(mail: MailFacts, known: dict[str, KnownMessage]) -> Reuse | None:
    """Is the mail's Message-ID taken by a different mail? Decided by content, not by the id alone.

    Inbound: the content digests differ (an index entry without a digest, or a mail without one,
    counts as the same: a redelivery). Outbound (an id we made): the mail is not from one of our own
    addresses, so it is not our mail coming back.
    """
    entry = known.get(mail.message_id)
    if entry is None or mail.variant_id is None:
        return None
    where = f"ticket {entry.number}" if entry.number else "another ticket"
    if entry.outbound:
        if mail.sender_is_own:
            return None
        note = (
            f"Message-ID <{mail.message_id}> is one we sent ({where}), but this mail is from "
            f"{mail.sender or '(no sender)'}; it is stored on its own"
        )
    elif entry.digest is None or entry.digest == mail.digest:
        return None
    else:
        note = (
            f"Message-ID <{mail.message_id}> was used before by a different mail ({where}); "
            "this mail is stored on its own"
        )
    return Reuse(mail.variant_id, entry.ticket_id, note)


def decide(
    mail: MailFacts,
    known: dict[str, KnownMessage],
    numbers: dict[str, str],
    ticket: TicketFacts | None,
    *,
    now: datetime,
    reopen_max_age_days: float,
    merged_from: str | None = None,
) -> Decision:
    """Decide for a mail whose own Message-ID is new. ``ticket`` is the first candidate's facts.

    When the first candidate was merged into another ticket, the caller passes the survivor's facts
    as ``ticket`` and the candidate's id as ``merged_from``: a merged ticket's number and Message-IDs
    keep threading, onto the ticket it was merged into.
    """
    found = candidates(mail, known, numbers)
    agent = bool(mail.agent)
    if not found:
        return Decision(
            Action.NEW, reasons=[reason("threading.no_match"), *_agent(mail)], agent_outside=agent, agent=mail.agent
        )
    ticket_id, how, proven = found[0]
    if ticket is None or (ticket.ticket_id != ticket_id and merged_from != ticket_id):
        return Decision(
            Action.NEW, reasons=[how, reason("threading.gone"), *_agent(mail)], agent_outside=agent, agent=mail.agent
        )
    reasons = [how]
    if ticket.ticket_id != ticket_id:
        reasons.append(reason("threading.merged", number=ticket.number))
    by = "reference" if how.code.startswith("threading.ref_") else "number"
    if mail.agent:
        # The team's own mail, sent from the agent's mail program: it joins the ticket it names as theirs,
        # whatever the ticket's state (the agent chose it); an answer to a forward's side stays there.
        reasons += _agent(mail)
        forward_side = how.code == "threading.ref_forward"
        return Decision(
            Action.APPEND,
            ticket.ticket_id,
            reasons,
            by=by,
            forward_side=forward_side,
            agent_outside=True,
            agent=mail.agent,
        )
    reasons += _agent(mail)  # a forged agent address: said why, then judged as anyone's
    listed = mail.sender in ticket.participants
    sender_is_participant = listed and not mail.sender_unverified
    if not proven and not sender_is_participant:
        return _claimed(mail, ticket, how, reasons, listed=listed)
    reasons.append(reason("threading.participant" if sender_is_participant else "threading.proof"))
    if ticket.status == "closed" and ticket.closed_at and days_between(ticket.closed_at, now) > reopen_max_age_days:
        reasons.append(reason("threading.too_old", number=ticket.number, days=reopen_max_age_days))
        return Decision(Action.NEW, reasons=reasons, previous_ticket_id=ticket.ticket_id)
    forward_side = how.code == "threading.ref_forward" and not sender_is_participant
    if forward_side:
        reasons.append(reason("threading.forward_side"))
    return Decision(Action.APPEND, ticket.ticket_id, reasons, by=by, forward_side=forward_side)


def _claimed(mail: MailFacts, ticket: TicketFacts, how: Reason, reasons: list[Reason], *, listed: bool) -> Decision:
    """A mail that names a ticket without proof from someone who is no (believed) participant: a new
    ticket, linked to the named one for agents only (a guessed number, a forged participant)."""
    if listed:
        why = reason(
            "threading.sender_unverified",
            sender=mail.sender,
            verdict=mail.sender_unverified or "",
            number=ticket.number,
        )
    else:
        why = reason("threading.not_participant", sender=mail.sender or "(none)", number=ticket.number)
    return Decision(
        Action.NEW,
        reasons=[*reasons, why],
        claimed_ticket_id=ticket.ticket_id,
        by="number" if how.code == "threading.subject_number" else "reference",
    )


def _agent(mail: MailFacts) -> list[Reason]:
    """Why the mail counts as an agent's own, or why its agent address is not believed."""
    if mail.agent:
        return [reason("threading.agent_own", agent=mail.agent, sender=mail.sender)]
    if mail.agent_forged:
        verdict = mail.sender_unverified or ""
        return [reason("threading.agent_unverified", agent=mail.agent_forged, sender=mail.sender, verdict=verdict)]
    return []
