"""The ticket's lifecycle (issue 11, part 1): what a transition changes on a ticket and which events it causes.

Pure: a transition reads the ticket's lifecycle fields (:class:`TicketState`) and returns a
:class:`Transition`: the fields to set, the events to record (type, actor, detail; the store adds ids and
keys) and the report counters to add. The services load the ticket, call a transition, let the store apply
it (:func:`helpdesk.store.tickets.apply_transition`) and write everything in one transaction; none of them
sets a lifecycle field itself. Status rules (what reopens, what closes) stay in :mod:`.status`.

Transitions: a ticket opened by an agent (phone, visit) or split off another; the customer answered (by
mail or on the customer page); another mail joined the ticket (an agent's own, a forward's answer); an
agent answered (in the helpdesk, or from their own mail program: sent outside the helpdesk); an agent
forwarded; fields changed (PATCH, batch actions, a reply's status: ``TicketUpdated``);
the status set (the job, rules); the job reminded; one ticket merged into another; a mail split off; the
side effects every status change has (closed_at, waiting_since, reminded_at), and the records a status
change and a first answer leave for the reports (counters, first-response and resolution times).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from typing import Any, Literal

from .autoclose import response_due
from .clock import parse_iso
from .dataclass import dataclass
from .reasons import Reason, reason
from .reasons import to_json as reason_json
from .status import Status, status_after_customer_reply

PREVIEW_CHARS = 300  # the list's preview of the newest message


@dataclass(frozen=True)
class TicketState:
    """The lifecycle fields of a ticket, as stored."""

    id: str
    number: str
    status: str
    created_at: str = ""
    closed_at: str | None = None
    message_count: int = 0
    first_response_at: str | None = None
    participants: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Happened:
    type: str  # MessageAdded | StatusChanged | …
    actor: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class Records:
    """What a change leaves for the reports: counters of the day, and durations (kind, seconds) such as the
    first-response and the resolution time (the store writes them as ``DUR#<kind>#<month>`` items)."""

    counters: Mapping[str, int] = field(default_factory=dict)
    durations: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Transition:
    changes: Mapping[str, Any]  # ticket field → new value
    events: tuple[Happened, ...] = ()
    records: Records = field(default_factory=lambda: Records())  # for the reports (store/stats.save_records)

    def status_changed(self, before: TicketState) -> bool:
        return "status" in self.changes and self.changes["status"] != before.status


def status_effects(before: str, after: str, at: str) -> dict[str, Any]:
    """Fields every status change sets besides the status: the closing time, and a fresh waiting clock
    (and no reminder yet) when the ticket starts waiting for the customer."""
    effects: dict[str, Any] = {}
    if after == Status.CLOSED.value and before != after:
        effects["closed_at"] = at
    elif after != Status.CLOSED.value:
        effects["closed_at"] = None
    if after == Status.WAITING_CUSTOMER.value and before != after:
        effects["waiting_since"] = at
        effects["reminded_at"] = None
    return effects


def _status_event(
    state: TicketState, to: str, actor: str, why: Reason, extra: Mapping[str, Any] | None = None
) -> Happened:
    detail = {"ticket_id": state.id, "number": state.number, "from": state.status, "to": to}
    return Happened("StatusChanged", actor, {**detail, "reason": reason_json(why), **(extra or {})})


def status_set(
    state: TicketState, to: str, *, at: str, actor: str, why: Reason, extra: Mapping[str, Any] | None = None
) -> Transition:
    """Someone (an agent, the job, a rule) set the status: its side effects, the event, the reports' records."""
    if to == state.status:
        return Transition({})
    changes = {"status": to, "updated_at": at, **status_effects(state.status, to, at)}
    event = _status_event(state, to, actor, why, extra)
    return Transition(changes, (event,), status_records(state.status, to, state.created_at, at))


def reminded(state: TicketState, *, at: str, days_waiting: float, mailed: bool) -> Transition:
    """The job reminded the customer (``mailed``: a reminder mail went out with it)."""
    detail = {"ticket_id": state.id, "number": state.number, "days_waiting": round(days_waiting, 1), "mailed": mailed}
    return Transition({"reminded_at": at}, (Happened("ReminderSent", "system", detail),), Records({"reminders": 1}))


def _message_in(state: TicketState, at: str, preview: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """What every inbound message does to a ticket, and the base of its ``MessageAdded`` detail."""
    changes: dict[str, Any] = {
        "updated_at": at,
        "unread": True,
        "message_count": state.message_count + 1,
        "preview": preview[:PREVIEW_CHARS],
    }
    return changes, {"ticket_id": state.id, "number": state.number, "direction": "inbound"}


def customer_answered(
    state: TicketState,
    *,
    at: str,
    preview: str,
    channel: Literal["mail", "web"],
    message: Mapping[str, Any],
) -> Transition:
    """The customer wrote (a mail that joined the ticket, or the customer page): the status reopens as
    :func:`~.status.status_after_customer_reply` says, the ticket is unread, a reminder is forgotten.
    ``message`` is the detail of the ``MessageAdded`` event (what the message was)."""
    status = status_after_customer_reply(Status(state.status)).value
    changes, base = _message_in(state, at, preview)
    changes |= {
        "status": status,
        "closed_at": None if status != Status.CLOSED.value else state.closed_at,
        "last_customer_at": at,
        "reminded_at": None,
    }
    # A closed ticket the answer reopens says so on the message too (notifications tell it once, as reopened).
    closed_reopened = state.status == Status.CLOSED.value != status
    events = [
        Happened("MessageAdded", "customer", {**base, **message, **({"reopened": True} if closed_reopened else {})})
    ]
    reopened = status != state.status
    if reopened:
        code = "status.customer_replied_web" if channel == "web" else "status.customer_replied"
        events.append(_status_event(state, status, "customer", reason(code)))
    return Transition(changes, tuple(events), Records({"messages_in": 1, "reopened": int(reopened)}))


def mail_joined(
    state: TicketState,
    *,
    at: str,
    preview: str,
    actor: Literal["agent", "third_party"],
    message: Mapping[str, Any],
) -> Transition:
    """A mail that is not the customer's joined the ticket: a third party's answer to a mail we forwarded
    (an agent's own mail is :func:`agent_answered_outside`). Recorded and unread for the team; the customer's status,
    clocks and reminder stay as they were."""
    changes, base = _message_in(state, at, preview)
    if state.status != Status.CLOSED.value:
        changes["closed_at"] = None
    if actor == "third_party":  # mail from outside: unread again for every agent ("Ungelesen", per agent)
        changes["last_customer_at"] = at
    return Transition(changes, (Happened("MessageAdded", actor, {**base, **message}),), Records({"messages_in": 1}))


# What an agent's answer leaves a ticket in: waiting for the customer, unless it is closed (or in the trash,
# or waiting already). An agent's own mail does not close or reopen a ticket.
_ANSWERED_FROM = (Status.NEW.value, Status.OPEN.value, Status.CLARIFY.value, Status.WAITING_INTERNAL.value)


def agent_answered_outside(
    state: TicketState,
    *,
    at: str,
    agent: str,
    message: Mapping[str, Any],
    customer_side: bool = True,
) -> Transition:
    """An agent's mail sent from their own mail program joined the ticket (docs/threading.md: agents' own
    mail): it is their answer, as a reply from the helpdesk would be, though never mailed by us. On the
    customer's side the ticket waits for the customer (from new, open, clarify, waiting internally), the first
    response is recorded, the ticket is not unread for the team. On a forward's side (an answer to a forward's
    recipient) only the message counts: no first response, no status change."""
    changes: dict[str, Any] = {"updated_at": at, "message_count": state.message_count + 1}
    base = {"ticket_id": state.id, "number": state.number, "direction": "outbound", "outside": True}
    events = [Happened("MessageAdded", agent, {**base, **message})]
    if not customer_side:
        return Transition(changes, tuple(events))
    changes |= {"last_agent_at": at, "first_response_at": state.first_response_at or at}
    records = reply_records(state.first_response_at, state.created_at, at)
    if state.status in _ANSWERED_FROM:
        to = Status.WAITING_CUSTOMER.value
        changes |= {"status": to, **status_effects(state.status, to, at)}
        events.append(_status_event(state, to, agent, reason("status.agent_outside")))
        moved = status_records(state.status, to, state.created_at, at)
        records = Records({**records.counters, **moved.counters}, records.durations + moved.durations)
    return Transition(changes, tuple(events), records)


def _seconds(start: str, end: str) -> int:
    return round((parse_iso(end) - parse_iso(start)).total_seconds())


def status_records(before: str, after: str, created_at: str, at: str) -> Records:
    """Closing counts as closed and records the resolution time; leaving closed counts as reopened."""
    closed = Status.CLOSED.value
    if after == closed and before != closed:
        return Records({"closed": 1}, (("resolution", _seconds(created_at, at)),))
    if before == closed and after != closed:
        return Records({"reopened": 1})
    return Records()


def reply_records(first_response_at: str | None, created_at: str, at: str) -> Records:
    """An agent's reply counts; the first one also records the first-response time."""
    if first_response_at is None:
        return Records({"replies": 1, "first_responses": 1}, (("first_response", _seconds(created_at, at)),))
    return Records({"replies": 1})


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, list | set | frozenset) else value


def ticket_updated(
    state: TicketState,
    current: Mapping[str, Any],
    requested: Mapping[str, Any],
    *,
    at: str,
    actor: str,
    why: Reason | str | None = None,
    response_hours: float | None = None,
) -> Transition:
    """Someone changed fields (PATCH, a batch action, a reply's status): ``requested`` (validated) against
    their ``current`` values. Only what differs changes; ``TicketUpdated`` lists old → new; a status change
    brings its side effects, ``StatusChanged`` (with ``why``) and its records; a queue named while no
    first answer was sent restarts the first-response target from the new queue's ``response_hours``."""
    changed = {name: [_plain(current.get(name)), value] for name, value in requested.items()}
    changed = {name: pair for name, pair in changed.items() if pair[0] != pair[1]}
    if not changed:
        return Transition({})
    changes: dict[str, Any] = {name: new for name, (_, new) in changed.items()} | {"updated_at": at}
    base = {"ticket_id": state.id, "number": state.number}
    events = [Happened("TicketUpdated", actor, {**base, "changes": changed})]
    records = Records()
    if "status" in changed:
        before, after = changed["status"]
        changes |= status_effects(before, after, at)
        extra = {"reason": reason_json(why)} if why else {}
        events.append(Happened("StatusChanged", actor, {**base, "from": before, "to": after, **extra}))
        records = status_records(before, after, state.created_at, at)
    if "queue" in requested and not state.first_response_at:
        changes["response_due_at"] = response_due(state.created_at, response_hours)
    return Transition(changes, tuple(events), records)


def agent_answered(
    state: TicketState,
    *,
    at: str,
    actor: str,
    message: Mapping[str, Any],
    recipients: Iterable[str],
    customer_side: bool = True,
) -> Transition:
    """An agent's reply was stored: counted on the ticket; to the customer's side (not to a forward's
    recipient) it is a response: the first one starts nothing again, its recipients join the participants,
    the reports count it (and the first-response time once). ``message``: the ``MessageAdded`` detail."""
    changes: dict[str, Any] = {"updated_at": at, "message_count": state.message_count + 1}
    records = Records()
    if customer_side:
        changes["first_response_at"] = state.first_response_at or at
        changes["last_agent_at"] = at
        changes["participants"] = (set(state.participants) | set(recipients)) or None
        records = reply_records(state.first_response_at, state.created_at, at)
    detail = {"ticket_id": state.id, "number": state.number, "direction": "outbound", **message}
    return Transition(changes, (Happened("MessageAdded", actor, detail),), records)


def automatic_mail(state: TicketState, *, at: str, actor: str, message: Mapping[str, Any]) -> Transition:
    """A mail the helpdesk wrote on its own (a trigger's template mail) was stored: counted on the ticket, but
    no response to the customer (first response, participants and the reports' replies stay as they are).
    ``message``: the ``MessageAdded`` detail."""
    return agent_answered(state, at=at, actor=actor, message=message, recipients=(), customer_side=False)


def forwarded(state: TicketState, *, at: str, actor: str, message: Mapping[str, Any]) -> Transition:
    """An agent forwarded the ticket (or a message of it) to a third party: counted as a message, no
    response to the customer. ``message``: the ``MessageForwarded`` detail."""
    changes = {"updated_at": at, "message_count": state.message_count + 1}
    detail = {"ticket_id": state.id, "number": state.number, **message}
    return Transition(changes, (Happened("MessageForwarded", actor, detail),), Records({"forwards": 1}))


def opened(
    *,
    status: str,
    at: str,
    preview: str,
    response_hours: float | None,
    customer: bool,
    unread: bool,
) -> dict[str, Any]:
    """The lifecycle fields of a ticket an agent records (phone, visit) or splits off another: one message,
    the first-response target of its queue, closed at once when recorded closed."""
    return {
        "status": status,
        "unread": unread,
        "preview": preview[:PREVIEW_CHARS],
        "message_count": 1,
        "created_at": at,
        "updated_at": at,
        "last_customer_at": at if customer else None,
        "closed_at": at if status == Status.CLOSED.value else None,
        "response_due_at": response_due(at, response_hours),
    }


def merged(
    source: TicketState,
    target: TicketState,
    *,
    at: str,
    actor: str,
    moved: int,
    moved_messages: int,
    thread_position: int,
) -> tuple[Transition, Transition]:
    """``source`` merged into ``target``: the source closes, empty, pointing to the target; the target takes
    its ``moved`` items (``moved_messages`` of them messages, its thread now at ``thread_position``) and its
    participants. Both histories tell it (``TicketMerged``)."""
    detail = {
        "source": source.id,
        "source_number": source.number,
        "target": target.id,
        "target_number": target.number,
        "moved": moved,
    }
    closing = {
        "merged_into": target.id,
        "status": Status.CLOSED.value,
        "closed_at": at,
        "updated_at": at,
        "message_count": 0,
    }
    taking = {
        "message_count": target.message_count + moved_messages,
        "thread_version": thread_position,
        "participants": (set(target.participants) | set(source.participants)) or None,
        "updated_at": at,
    }
    return (
        Transition(closing, (Happened("TicketMerged", actor, detail),)),
        Transition(taking, (Happened("TicketMerged", actor, detail),)),
    )


def split_off(source: TicketState, target: TicketState, *, at: str, actor: str, message_id: str) -> Transition:
    """A message of ``source`` became the new ticket ``target``: the source has one message less; both
    histories tell it (``TicketSplit``; the new ticket's own transition is this one's event too)."""
    detail = {
        "source": source.id,
        "source_number": source.number,
        "target": target.id,
        "target_number": target.number,
        "message": message_id,
    }
    changes = {"message_count": max(source.message_count - 1, 0), "updated_at": at}
    return Transition(changes, (Happened("TicketSplit", actor, detail),))
