"""Ticket status, priority and the status machine.

Status codes are English identifiers; labels are German (default) and English.
The machine is deliberately permissive for agents (they may move a ticket between any
working states) but has three firm rules:

* nothing goes back to ``new``: ``new`` only means "nobody has looked at this yet";
* the customer's answer reopens ``waiting_customer``, ``closed`` and ``clarify`` to ``open``
  and leaves every other status alone (``trash`` stays trash: spam does not come back);
* the buckets (``active``, ``closed``, ``trash``) decide what the default inbox shows.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_INTERNAL = "waiting_internal"
    WAITING_CUSTOMER = "waiting_customer"
    CLARIFY = "clarify"
    CLOSED = "closed"
    TRASH = "trash"

    @property
    def bucket(self) -> str:
        """The list bucket: the default inbox is the ``active`` bucket."""
        if self is Status.CLOSED:
            return "closed"
        if self is Status.TRASH:
            return "trash"
        return "active"

    def label(self, lang: str = "de") -> str:
        return STATUS_LABELS[lang if lang in STATUS_LABELS else "de"][self]


STATUS_LABELS: dict[str, dict[Status, str]] = {
    "de": {
        Status.NEW: "neu",
        Status.OPEN: "offen",
        Status.WAITING_INTERNAL: "warten auf Intern",
        Status.WAITING_CUSTOMER: "warten auf Kunde",
        Status.CLARIFY: "klären",
        Status.CLOSED: "abgeschlossen",
        Status.TRASH: "Papierkorb",
    },
    "en": {
        Status.NEW: "new",
        Status.OPEN: "open",
        Status.WAITING_INTERNAL: "waiting for internal",
        Status.WAITING_CUSTOMER: "waiting for customer",
        Status.CLARIFY: "to clarify",
        Status.CLOSED: "closed",
        Status.TRASH: "trash",
    },
}

BUCKETS: tuple[str, ...] = ("active", "closed", "trash")
ACTIVE_STATUSES: frozenset[Status] = frozenset(s for s in Status if s.bucket == "active")

# Agent transitions: from -> allowed targets. Everything may be trashed or closed; nothing returns to NEW.
_WORKING = {Status.OPEN, Status.WAITING_INTERNAL, Status.WAITING_CUSTOMER, Status.CLARIFY}
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset(_WORKING | {Status.CLOSED, Status.TRASH}),
    Status.OPEN: frozenset((_WORKING - {Status.OPEN}) | {Status.CLOSED, Status.TRASH}),
    Status.WAITING_INTERNAL: frozenset((_WORKING - {Status.WAITING_INTERNAL}) | {Status.CLOSED, Status.TRASH}),
    Status.WAITING_CUSTOMER: frozenset((_WORKING - {Status.WAITING_CUSTOMER}) | {Status.CLOSED, Status.TRASH}),
    Status.CLARIFY: frozenset((_WORKING - {Status.CLARIFY}) | {Status.CLOSED, Status.TRASH}),
    Status.CLOSED: frozenset({Status.OPEN, Status.WAITING_CUSTOMER, Status.TRASH}),
    Status.TRASH: frozenset({Status.OPEN, Status.CLOSED}),
}

# Statuses a customer's answer moves to OPEN.
REOPENED_BY_CUSTOMER: frozenset[Status] = frozenset({Status.WAITING_CUSTOMER, Status.CLOSED, Status.CLARIFY})


class TransitionError(ValueError):
    def __init__(self, current: Status, target: Status) -> None:
        super().__init__(f"status {current.value!r} cannot change to {target.value!r}")
        self.current = current
        self.target = target


def can_transition(current: Status, target: Status) -> bool:
    return current == target or target in TRANSITIONS[current]


def check_transition(current: Status, target: Status) -> Status:
    if not can_transition(current, target):
        raise TransitionError(current, target)
    return target


def status_after_customer_reply(current: Status) -> Status:
    return Status.OPEN if current in REOPENED_BY_CUSTOMER else current


class Priority(StrEnum):
    LOWEST = "lowest"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        return list(Priority).index(self)

    def raised(self) -> Priority:
        order = list(Priority)
        return order[min(self.rank + 1, len(order) - 1)]

    def label(self, lang: str = "de") -> str:
        return PRIORITY_LABELS[lang if lang in PRIORITY_LABELS else "de"][self]


PRIORITY_LABELS: dict[str, dict[Priority, str]] = {
    "de": {
        Priority.LOWEST: "niedrigste",
        Priority.LOW: "niedrig",
        Priority.MEDIUM: "mittel",
        Priority.HIGH: "hoch",
        Priority.URGENT: "dringend",
    },
    "en": {
        Priority.LOWEST: "lowest",
        Priority.LOW: "low",
        Priority.MEDIUM: "medium",
        Priority.HIGH: "high",
        Priority.URGENT: "urgent",
    },
}
