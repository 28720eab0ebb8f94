"""Who is told about a change of a ticket, why, and on which channel: one decision from plain facts.

Input: one event of a ticket's history (:class:`Change`), the ticket as it is (:class:`TicketFacts`), the
team (:class:`~.config.ConfigSnapshot`: agents, queues, who may see what) and each agent's preferences
(event kind × channel). Output: at most one :class:`Notice` per agent, with a reason code, and for every
agent considered but left out the code of why (:class:`Decision.skipped`). No I/O.

Rules (issue 12, part 4; the seeds: "Gleichzeitig werden die verantwortlichen Personen über den Eingang
eines neuen Tickets informiert"):

* ``new_ticket``: a ticket arrived in a queue — to the queue's responsible agents and the agents given
  the queue in their record; a queue that names nobody is everyone's, so every agent who may see it.
  A ticket a rule assigned at once goes to its assignee as ``assigned`` instead.
* ``assigned``: the ticket was assigned to me (by someone else).
* ``customer_replied``: the customer wrote on my ticket, or on an unassigned ticket of my queue.
* ``forward_answered``: someone we forwarded a message to (a supplier, a colleague elsewhere: issue 14)
  answered, and the answer threaded back onto my ticket (or an unassigned ticket of my queue). A kind of
  its own, not ``customer_replied``: the customer did not write (the ticket's status and clocks stay),
  and an agent may want the one without the other.
* ``mentioned``: "@me" in an internal comment (with the comment's text).
* ``reopened``: a ticket assigned to me left ``closed``. A customer's mail that reopens it is one
  notice (``reopened``), not also ``customer_replied``: its ``MessageAdded`` says ``reopened``.
* ``deadline_warning``: a due date or first-response target of my ticket passes soon (the scheduled
  job's ``DeadlineWarning``, once per deadline; to the queue's people when it is unassigned).
* ``deadline_missed``: a due date or first-response target of my ticket passed (likewise).
* ``automation``: a trigger's or macro's ``notify`` action named me (``AutomationRan``/``MacroApplied``).

Never the actor of their own action, never an inactive agent, never an agent who may not see the ticket
(restricted queues, private tickets: :func:`.access.access`), never a ticket in the trash.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import field
from enum import StrEnum
from typing import Any, Literal

from .access import Viewer, access
from .config import Agent, ConfigSnapshot
from .dataclass import dataclass
from .threading import FORWARD_SIDE

Channel = Literal["app", "mail"]
CHANNELS: tuple[Channel, ...] = ("app", "mail")
TTL_DAYS = 30  # notifications are deleted (DynamoDB TTL) this long after they were made
EXCERPT_CHARS = 500  # of a comment's text in a mention


class Kind(StrEnum):
    NEW_TICKET = "new_ticket"
    ASSIGNED = "assigned"
    CUSTOMER_REPLIED = "customer_replied"
    FORWARD_ANSWERED = "forward_answered"
    MENTIONED = "mentioned"
    REOPENED = "reopened"
    DEADLINE_WARNING = "deadline_warning"
    DEADLINE_MISSED = "deadline_missed"
    AUTOMATION = "automation"


KINDS: tuple[Kind, ...] = tuple(Kind)

# What an agent gets until they say otherwise: everything in the app; mail for what is addressed to
# them personally, and a deadline's warning (it is worth something only if seen in time). Missed deadlines
# already go by mail from the scheduled job's alert (services/autoclose.py).
DEFAULTS: dict[Kind, frozenset[Channel]] = {
    Kind.NEW_TICKET: frozenset({"app"}),
    Kind.ASSIGNED: frozenset({"app", "mail"}),
    Kind.CUSTOMER_REPLIED: frozenset({"app"}),
    Kind.FORWARD_ANSWERED: frozenset({"app"}),
    Kind.MENTIONED: frozenset({"app", "mail"}),
    Kind.REOPENED: frozenset({"app"}),
    Kind.DEADLINE_WARNING: frozenset({"app", "mail"}),
    Kind.DEADLINE_MISSED: frozenset({"app"}),
    Kind.AUTOMATION: frozenset({"app", "mail"}),
}


class Reason(StrEnum):
    """Why an agent is told (the client translates these codes)."""

    ASSIGNEE = "assignee"  # the ticket is theirs
    QUEUE_RESPONSIBLE = "queue_responsible"  # named responsible for the ticket's queue
    QUEUE_MEMBER = "queue_member"  # the queue is given in their agent record
    QUEUE_OPEN = "queue_open"  # the queue names nobody: it is everyone's
    MENTIONED = "mentioned"  # "@username" in the comment
    TRIGGER = "trigger"  # a trigger's notify action named them


class Skip(StrEnum):
    """Why an agent the rule named is not told."""

    ACTOR = "actor"  # it is their own action
    INACTIVE = "inactive"  # deactivated, or no agent record
    NO_ACCESS = "no_access"  # restricted queue or another agent's private ticket
    MUTED = "muted"  # their preferences switch this kind off on every channel
    DUPLICATE = "duplicate"  # already told about this event for another reason


@dataclass(frozen=True)
class Preferences:
    """One agent's choice per kind: the channels it goes to (kinds not named: :data:`DEFAULTS`)."""

    channels: Mapping[str, frozenset[Channel]] = field(default_factory=dict)

    def for_kind(self, kind: Kind) -> frozenset[Channel]:
        chosen = self.channels.get(kind.value)
        return DEFAULTS[kind] if chosen is None else chosen

    def table(self) -> dict[str, dict[str, bool]]:
        """Every kind × channel, as the API shows it."""
        return {k.value: {c: c in self.for_kind(k) for c in CHANNELS} for k in KINDS}

    @staticmethod
    def from_table(table: Mapping[str, Mapping[str, bool]]) -> Preferences:
        known = {k.value for k in KINDS}
        return Preferences(
            {kind: frozenset(c for c in CHANNELS if bool(row.get(c))) for kind, row in table.items() if kind in known}
        )


@dataclass(frozen=True)
class Change:
    """One event of a ticket's history as stored (``EVT#`` item)."""

    event_id: str
    type: str  # TicketCreated | MessageAdded | TicketUpdated | StatusChanged | CommentAdded | DeadlineMissed | …
    actor: str  # an agent's username, "customer", "system", "rule:<id>"
    at: str
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketFacts:
    id: str
    number: str
    queue: str
    bucket: str = "active"
    status: str = "new"
    assignee: str | None = None
    private: bool = False
    created_at: str = ""


@dataclass(frozen=True)
class Notice:
    """Tell ``user`` about ``kind`` (because of ``reason``) on ``channels``."""

    user: str
    kind: Kind
    reason: Reason
    channels: frozenset[Channel]


@dataclass
class Decision:
    notices: list[Notice] = field(default_factory=list)
    skipped: dict[str, Skip] = field(default_factory=dict)

    def users(self) -> list[str]:
        return [n.user for n in self.notices]


# ------------------------------------------------------------------------------------------------ rules

Named = list[tuple[str, Kind, Reason]]  # who a rule names, in order of precedence


def queue_people(ticket: TicketFacts, cfg: ConfigSnapshot) -> list[tuple[str, Reason]]:
    """The agents a queue's news is for: its responsible agents and those given it in their record;
    nobody named → every agent (each still has to be allowed to see the ticket)."""
    queue = cfg.queue(ticket.queue)
    responsible = list(queue.responsible) if queue is not None else []
    people = [(name, Reason.QUEUE_RESPONSIBLE) for name in responsible]
    people += [(a.username, Reason.QUEUE_MEMBER) for a in cfg.agents if ticket.queue in a.queues]
    if not people:
        people = [(a.username, Reason.QUEUE_OPEN) for a in cfg.agents]
    return people


def _ticket_created(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
    named: Named = []
    if ticket.assignee:
        named.append((ticket.assignee, Kind.ASSIGNED, Reason.ASSIGNEE))
    named += [(user, Kind.NEW_TICKET, reason) for user, reason in queue_people(ticket, cfg)]
    return named


def _ticket_updated(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
    changes = change.detail.get("changes") or {}
    assignee = changes.get("assignee") if isinstance(changes, Mapping) else None
    if isinstance(assignee, list | tuple) and len(assignee) == 2 and assignee[1] and assignee[1] != assignee[0]:
        return [(str(assignee[1]), Kind.ASSIGNED, Reason.ASSIGNEE)]
    return []


def _message_added(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:
    if change.detail.get("direction", "inbound") != "inbound":
        return []
    if change.actor == "third_party" and change.detail.get("side") == FORWARD_SIDE:
        if ticket.assignee:
            return [(ticket.assignee, Kind.FORWARD_ANSWERED, Reason.ASSIGNEE)]
        return [(user, Kind.FORWARD_ANSWERED, reason) for user, reason in queue_people(ticket, cfg)]
    if change.actor != "customer":
        return []  # an agent's own mail from their mail program
    if ticket.created_at and change.at == ticket.created_at:
        return []  # the ticket's first mail: told as new_ticket
    if ticket.assignee:
        if change.detail.get("reopened"):
            return []  # the mail reopened the ticket: its owner is told once, by the StatusChanged (reopened)
        return [(ticket.assignee, Kind.CUSTOMER_REPLIED, Reason.ASSIGNEE)]
    return [(user, Kind.CUSTOMER_REPLIED, reason) for user, reason in queue_people(ticket, cfg)]


def _comment_added(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
    mentions = change.detail.get("mentions") or []
    return [(m.lower(), Kind.MENTIONED, Reason.MENTIONED) for m in mentions if isinstance(m, str)]


def _automation_ran(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
    named = change.detail.get("notify") or []
    return [(str(user).lower(), Kind.AUTOMATION, Reason.TRIGGER) for user in named if isinstance(user, str)]


def _status_changed(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
    if change.detail.get("from") == "closed" and change.detail.get("to") != "closed" and ticket.assignee:
        return [(ticket.assignee, Kind.REOPENED, Reason.ASSIGNEE)]
    return []


def _deadline(kind: Kind) -> Callable[[Change, TicketFacts, ConfigSnapshot], Named]:
    def rule(change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Named:  # noqa: ARG001 - one signature
        if ticket.assignee:
            return [(ticket.assignee, kind, Reason.ASSIGNEE)]
        return [(user, kind, reason) for user, reason in queue_people(ticket, cfg)]

    return rule


_RULES: dict[str, Callable[[Change, TicketFacts, ConfigSnapshot], Named]] = {
    "TicketCreated": _ticket_created,
    "TicketUpdated": _ticket_updated,
    "MessageAdded": _message_added,
    "CommentAdded": _comment_added,
    "StatusChanged": _status_changed,
    "DeadlineWarning": _deadline(Kind.DEADLINE_WARNING),
    "DeadlineMissed": _deadline(Kind.DEADLINE_MISSED),
    "AutomationRan": _automation_ran,
    "MacroApplied": _automation_ran,  # a macro's notify action: the same notice, never to its own agent
}
EVENT_TYPES = frozenset(_RULES)  # the event types that can notify anyone


def may_see(agent: Agent, ticket: TicketFacts, cfg: ConfigSnapshot) -> bool:
    viewer = Viewer(agent.username, agent.role == "admin")
    return access(viewer, cfg, ticket.queue, private=ticket.private, assignee=ticket.assignee).allowed


def decide(
    change: Change,
    ticket: TicketFacts,
    cfg: ConfigSnapshot,
    preferences: Mapping[str, Preferences] | Callable[[str], Preferences],
) -> Decision:
    """Who is told about ``change``: one notice per agent at most (the first reason a rule names wins)."""
    decision = Decision()
    rule = _RULES.get(change.type)
    if rule is None or ticket.bucket == "trash":
        return decision
    prefs_of: Callable[[str], Preferences] = (
        preferences if callable(preferences) else (lambda user: preferences.get(user, Preferences()))
    )
    told: set[str] = set()
    for user, kind, reason in rule(change, ticket, cfg):
        if user in told:
            continue
        skip = _skip(user, change, ticket, cfg)
        if skip is None:
            channels = prefs_of(user).for_kind(kind)
            if not channels:
                skip = Skip.MUTED
            else:
                told.add(user)
                decision.skipped.pop(user, None)
                decision.notices.append(Notice(user, kind, reason, channels))
                continue
        decision.skipped.setdefault(user, skip)
    return decision


def _skip(user: str, change: Change, ticket: TicketFacts, cfg: ConfigSnapshot) -> Skip | None:
    if user == change.actor:
        return Skip.ACTOR
    agent = cfg.agent(user)
    if agent is None or not agent.active:
        return Skip.INACTIVE
    if not may_see(agent, ticket, cfg):
        return Skip.NO_ACCESS
    return None


def notification_key(at: str, event_id: str) -> str:
    """A notification's id in its agent's partition: in time order, and the same for the same event
    whenever it is decided again (a stream retry writes nothing twice). URL-safe: it is a path parameter."""
    return f"{at}_{event_id}"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def ticket_link(public_url: str, ticket_id: str) -> str:
    return f"{public_url.rstrip('/')}/#/ticket/{ticket_id}"


# ------------------------------------------------------------------------------------------------- mail

_SUBJECTS: dict[str, dict[Kind, str]] = {
    "de": {
        Kind.NEW_TICKET: "Neues Ticket",
        Kind.ASSIGNED: "Ihnen zugewiesen",
        Kind.CUSTOMER_REPLIED: "Antwort des Kunden",
        Kind.FORWARD_ANSWERED: "Antwort auf eine Weiterleitung",
        Kind.MENTIONED: "Sie wurden erwähnt",
        Kind.REOPENED: "Wieder geöffnet",
        Kind.DEADLINE_WARNING: "Frist läuft bald ab",
        Kind.DEADLINE_MISSED: "Frist überschritten",
        Kind.AUTOMATION: "Hinweis eines Auslösers",
    },
    "en": {
        Kind.NEW_TICKET: "New ticket",
        Kind.ASSIGNED: "Assigned to you",
        Kind.CUSTOMER_REPLIED: "Customer replied",
        Kind.FORWARD_ANSWERED: "Answer to a forward",
        Kind.MENTIONED: "You were mentioned",
        Kind.REOPENED: "Reopened",
        Kind.DEADLINE_WARNING: "Deadline approaching",
        Kind.DEADLINE_MISSED: "Deadline missed",
        Kind.AUTOMATION: "A trigger's notice",
    },
}
_FOOTER = {
    "de": "Diese Benachrichtigung wurde automatisch erstellt; Antworten darauf werden nicht gelesen.\n"
    "Einstellungen: im Helpdesk unter „Benachrichtigungen“.",
    "en": "This notification was generated automatically; replies to it are not read.\n"
    "Settings: in the helpdesk under “Notifications”.",
}
_BY = {"de": "von", "en": "by"}


@dataclass(frozen=True)
class MailText:
    subject: str
    text: str


def mail_text(
    kind: Kind, language: str, number: str, subject: str, link: str, actor: str = "", comment: str = ""
) -> MailText:
    """A notification mail, plain text only: what happened, the ticket's number and subject, the link.
    Never a customer's HTML; a mention carries the comment's text (an agent's own words)."""
    lang = language if language in _SUBJECTS else "de"
    what = _SUBJECTS[lang][kind]
    lines = [f"{what}: {number}", subject, ""]
    if comment:
        lines += [f"{_BY[lang]} {actor}:" if actor else "", *(f"> {line}" for line in comment.splitlines()), ""]
    lines += [link, "", "-- ", _FOOTER[lang]]
    title = f"{what}: {number} {subject}".strip()
    return MailText(" ".join(title.split())[:200], "\n".join(lines) + "\n")


def is_own_notification(
    sender: str, auto_submitted: str | None, sender_unverified: str | bool | None, notification_sender: str
) -> bool:
    """Ingest: is this one of our own notification mails come back (an agent's address on a mailbox
    domain, a forward)? Then it must not become a ticket. Decided on the system sender together with
    the Auto-Submitted header, and only when the sender's authentication did not fail (a stranger
    forging our sender cannot make their mail vanish)."""
    return (
        bool(sender)
        and sender.lower() == notification_sender.lower()
        and auto_submitted is not None
        and not sender_unverified  # why the sender's authentication failed, if it did
    )


def system_sender(setting: str | None, mail_domain: str) -> str:
    """The address notification mails come from: the team's setting, else ``notifications@<mail domain>``."""
    return (setting or f"notifications@{mail_domain}").lower()


def sender_refused(address: str | None, mail_domain: str | tuple[str, ...]) -> str | None:
    """Why ``address`` cannot send the notification mails (None: it can, or it is empty: the default).

    SES sends only from its verified identities, the deployment's mail domains (template.yaml grants
    ``ses:FromAddress *@<each MailDomain>``): an address elsewhere would have every notification refused."""
    if not address:
        return None
    domains = [d.lower() for d in ((mail_domain,) if isinstance(mail_domain, str) else mail_domain)]
    if address.rpartition("@")[2].lower() not in domains:
        allowed = " or ".join(f"@{d}" for d in domains)
        return f"the notification sender must be an address {allowed} (the mail domains SES sends from)"
    return None
    domain = address.rpartition("@")[2].lower()
    if domain != mail_domain.lower():
        return f"the notification sender must be an address @{mail_domain.lower()} (the mail domain SES sends from)"
    return None
