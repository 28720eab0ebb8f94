"""Use case: an agent changes a ticket (PATCH, batch actions, merge, reply status).

Optimistic locking: the caller names the version it saw. A stale version is refused before
anything is written (:class:`Stale` carries the current ticket), and the write itself is
conditional on the version it read, so a change that lands in between is refused too.
Every change is an audit event (``TicketUpdated`` with old → new per field, ``StatusChanged``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import Any

from ..domain.access import Viewer
from ..domain.clock import iso, parse_iso
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.headers import normalize_address
from ..domain.lifecycle import Transition, ticket_updated
from ..domain.reasons import Reason
from ..domain.status import Priority, Status, TransitionError, check_transition
from ..store.models import EventItem, TicketItem
from ..store.stats import save_records
from ..store.tickets import TicketStore, apply_transition, state_of
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, relink_parent, write_ticket
from .access import ensure_queue, may_access, referenced_ticket

# ("unread" is no field of the ticket any more: it is per agent, a read mark — services/reading.py)
EDITABLE = (
    "status", "priority", "queue", "assignee", "tags", "due_at", "type", "project", "customer_email",
    "customer_name", "parent_id", "private", "personal", "prio", "review",
)  # fmt: skip
MAX_TAGS = 30
NULLABLE = {"assignee", "due_at", "type", "project", "customer_email", "customer_name", "parent_id"}
NO_PARENT = "the parent ticket does not exist"  # also for a parent the agent may not see


class ChangeError(ValueError):
    """A change that is not allowed; ``field`` names the culprit (400)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Stale(Exception):
    """The version the caller saw is not the current one (409)."""

    def __init__(self, current: TicketItem) -> None:
        super().__init__(f"ticket {current.number} was changed meanwhile (now version {current.version})")
        self.current = current


class Missing(Exception):
    pass


@dataclass(frozen=True)
class Also:
    """Writes a caller adds to a change's transaction (``write`` adds them to the unit, tagged ``tags``), so
    they land with the change or not at all: fair assignment's pointer (``services/assignment.py``)."""

    tags: frozenset[str]
    write: Callable[[Unit], None]


class Refused(Exception):
    """A write of :class:`Also` was refused (its condition no longer held): nothing was written."""


@dataclass
class Outcome:
    ticket: TicketItem
    changed: dict[str, list[Any]] = field(default_factory=dict)


def validate(changes: dict[str, Any], ticket: TicketItem, cfg: ConfigSnapshot) -> dict[str, Any]:
    """Check and normalise the requested values against the configuration and the state machine."""
    clean: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ChangeError(f"{name} cannot be changed", name)
        if value is None and name not in NULLABLE:
            raise ChangeError(f"{name} cannot be empty", name)
        try:
            clean[name] = _value(name, value, ticket, cfg)
        except ChangeError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            raise ChangeError(f"invalid {name}: {exc}", name) from exc
    return clean


def _value(name: str, value: Any, ticket: TicketItem, cfg: ConfigSnapshot) -> Any:
    """One validated, normalised value (ValueError/TypeError for malformed input)."""
    match name:
        case "status":
            try:
                return check_transition(Status(ticket.status), Status(value)).value
            except TransitionError as exc:
                raise ChangeError(str(exc), name) from exc
        case "priority":
            return Priority(value).value
        case "queue":
            if cfg.queues and cfg.queue(value) is None:
                raise ChangeError(f"unknown queue {value!r}", name)
            return value
        case "assignee":
            if value is not None and cfg.agents and cfg.agent(value) is None:
                raise ChangeError(f"unknown agent {value!r}", name)
            return value or None
        case "tags":
            tags = sorted({str(t).strip() for t in value if str(t).strip()})
            if len(tags) > MAX_TAGS:
                raise ChangeError(f"at most {MAX_TAGS} tags", name)
            return tags
        case "due_at":
            return iso(parse_iso(value)) if value else None
        case "customer_email":
            address = normalize_address(value) if value else ""
            if value and not address:
                raise ChangeError("not an e-mail address", name)
            return address or None
        case "parent_id":
            if value == ticket.pk:
                raise ChangeError("a ticket cannot be its own parent", name)
            return value or None
    return value


def _parent_cycle(ticket_id: str, parent_id: str, store: TicketStore) -> bool:
    seen = {ticket_id}
    current: str | None = parent_id
    for _ in range(20):
        if current is None:
            return False
        if current in seen:
            return True
        seen.add(current)
        parent = store.get(current)
        if parent is None:
            raise ChangeError(NO_PARENT, "parent_id")
        current = parent.parent_id
    return True  # deeper than 20 levels: refuse, like a cycle


def update(
    ticket: TicketItem,
    clean: dict[str, Any],
    actor: str,
    at: str,
    cfg: ConfigSnapshot,
    reason: Reason | str | None = None,
) -> Transition:
    """Validated changes as the lifecycle's ``TicketUpdated`` transition (domain/lifecycle.py); the caller
    applies it to ``ticket`` (store.tickets.apply_transition) and writes its events and records."""
    queue = cfg.queue(clean["queue"]) if "queue" in clean else None
    return ticket_updated(
        state_of(ticket),
        {name: getattr(ticket, name) for name in clean},
        clean,
        at=at,
        actor=actor,
        why=reason,
        response_hours=queue.first_response_hours if queue else None,
    )


def check_references(
    store: TicketStore,
    cfg: ConfigSnapshot,
    viewer: Viewer | None,
    *,
    queue: str | None = None,
    parent_id: str | None = None,
) -> None:
    """What a change names must be visible to who makes it (``viewer`` None: the system): a queue it may
    not see is refused (:class:`~helpdesk.services.access.NoAccess`), a parent it may not see does not
    exist for it. PATCH, batch items and new tickets all ask here."""
    if queue is not None:
        ensure_queue(viewer, cfg, queue)
    if parent_id and referenced_ticket(store, cfg, viewer, parent_id) is None:
        raise ChangeError(NO_PARENT, "parent_id")


HIDDEN_PARENT = "the parent cannot be changed"


def _keep_hidden_parent(
    store: TicketStore, cfg: ConfigSnapshot, viewer: Viewer | None, current: TicketItem, clean: dict[str, Any]
) -> None:
    """A parent the viewer may not see is never touched by their change (it would lose its child link).

    The viewer is shown no parent (``parent_id`` null), so ``parent_id: null`` is what they already see:
    it is dropped from the change, and the link stays. Another parent would unlink the hidden one:
    refused (400, without naming it).
    """
    if "parent_id" not in clean or not current.parent_id or clean["parent_id"] == current.parent_id:
        return
    if viewer is None:
        return
    parent = store.get(current.parent_id, consistent=True)
    if parent is None or may_access(parent, viewer, cfg):
        return
    if clean["parent_id"] is None:
        del clean["parent_id"]
        return
    raise ChangeError(HIDDEN_PARENT, "parent_id")


def change_ticket(
    store: TicketStore,
    cfg: ConfigSnapshot,
    ticket_id: str,
    changes: dict[str, Any],
    *,
    version: int,
    actor: str,
    viewer: Viewer | None,
    reason: str | None = None,
    ticket: TicketItem | None = None,
    extra: list[EventItem] | None = None,
    also: Also | None = None,
) -> Outcome:
    """Change a ticket the caller may access; ``viewer`` (None: the system) must also see what the change names.
    ``also``: the caller's own writes in the same transaction (:class:`Refused` when one is refused)."""
    current = ticket or store.get(ticket_id, consistent=True)
    if current is None:
        raise Missing(ticket_id)
    check_references(store, cfg, viewer, queue=changes.get("queue"))
    if int(current.version or 0) != version:
        raise Stale(current)
    clean = validate(changes, current, cfg)
    check_references(store, cfg, viewer, parent_id=clean.get("parent_id"))
    _keep_hidden_parent(store, cfg, viewer, current, clean)
    if clean.get("parent_id") and _parent_cycle(current.pk, clean["parent_id"], store):
        raise ChangeError("that parent would make a cycle", "parent_id")
    for attempt in range(3):
        try:
            return _change(store, cfg, current, clean, actor, reason, extra, also)
        except Conflict as exc:
            if also is not None and also.tags & set(exc.tags):
                raise Refused(", ".join(sorted(also.tags & set(exc.tags)))) from exc
            fresh = store.get(ticket_id, consistent=True)
            if fresh is None:
                raise Missing(ticket_id) from exc
            if "ticket" in exc.tags or attempt == 2 or int(fresh.version or 0) != version:
                raise Stale(fresh) from exc
            current = fresh  # only a parent changed meanwhile: read it again and retry
    raise AssertionError("unreachable")


def _change(
    store: TicketStore,
    cfg: ConfigSnapshot,
    current: TicketItem,
    clean: dict[str, Any],
    actor: str,
    reason: str | None,
    extra: list[EventItem] | None,
    also: Also | None = None,
) -> Outcome:
    old_parent_id = current.parent_id
    before = Snapshot.of(current)
    at = iso()
    transition = update(current, clean, actor, at, cfg, reason)
    events = apply_transition(current, transition, at)
    if not events and not extra:
        return Outcome(current)
    unit = store.unit()
    write_ticket(unit, current, before, [*events, *(extra or [])])
    if current.parent_id != old_parent_id:
        relink_parent(
            unit,
            current,
            store.get(old_parent_id, consistent=True) if old_parent_id else None,
            store.get(current.parent_id, consistent=True) if current.parent_id else None,
        )
    save_records(unit, current, transition.records, at)
    if also is not None:
        also.write(unit)
    unit.commit()
    changed: Any = next((e.detail.get("changes", {}) for e in events if e.type == "TicketUpdated"), {})
    return Outcome(current, dict(changed) if isinstance(changed, dict) else {})
