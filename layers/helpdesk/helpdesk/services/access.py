"""Who may see and change which ticket, applied to stored tickets (the decision itself: :mod:`domain.access`).

* a ticket the request acts on (the ``{ticket_id}`` of a path, a batch item, a live subscription) that
  the viewer may not see is answered like one that does not exist (404, in a batch "not_found" per
  item), so no route tells that it exists;
* a ticket another field names (parent, merge target) that the viewer may not see is answered like a
  ticket that does not exist (:func:`referenced_ticket`), so a reference never tells it exists;
* a queue the viewer may not see cannot be given to a ticket (:func:`ensure_queue`, 403);
* what a response says about other tickets (parent, links, related tickets, history) leaves out the
  ones the viewer may not see (:func:`hidden_references`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domain.access import NOTHING_HIDDEN, Access, Hidden, Viewer, access
from ..domain.config import ConfigSnapshot
from ..store.models import TicketItem
from ..store.tickets import TicketStore, valid_ticket_id


class NoAccess(Exception):
    """The viewer may not use what the request names (403)."""


def ticket_access(viewer: Viewer, cfg: ConfigSnapshot, ticket: TicketItem) -> Access:
    return access(viewer, cfg, ticket.queue, private=bool(ticket.private), assignee=ticket.assignee)


def may_access(ticket: TicketItem, viewer: Viewer, cfg: ConfigSnapshot) -> bool:
    return ticket_access(viewer, cfg, ticket).allowed


def ensure_queue(viewer: Viewer | None, cfg: ConfigSnapshot, queue: str | None) -> None:
    """A ticket may go to a queue only if who puts it there may see that queue (``None``: the system)."""
    if viewer is None:
        return
    verdict = access(viewer, cfg, queue)
    if not verdict.allowed:
        raise NoAccess(verdict.reason)


def referenced_ticket(
    store: TicketStore, cfg: ConfigSnapshot, viewer: Viewer | None, ticket_id: str
) -> TicketItem | None:
    """The ticket a field names, or None when there is none *or the viewer may not see it*: the caller
    answers both alike. ``viewer`` None is the system, which sees every ticket."""
    ticket = store.get(ticket_id, consistent=True)
    if ticket is None or viewer is None or may_access(ticket, viewer, cfg):
        return ticket
    return None


def references(ticket: TicketItem) -> list[tuple[str, str]]:
    """The other tickets a ticket names, as ``(ticket_id, relation)``: links, parent, merge target."""
    found = [(link.ticket_id, link.type) for link in ticket.links or []]
    if ticket.parent_id:
        found.append((ticket.parent_id, "parent"))
    if ticket.merged_into:
        found.append((ticket.merged_into, "merged_into"))
    return found


def ticket_ids_in(value: Any) -> set[str]:
    """Every ticket id found as a value in event details (nested dicts and lists)."""
    if isinstance(value, str):
        return {value} if valid_ticket_id(value) else set()
    if isinstance(value, dict):
        return set().union(*(ticket_ids_in(v) for v in value.values())) if value else set()
    if isinstance(value, list | tuple):
        return set().union(*(ticket_ids_in(v) for v in value)) if value else set()
    return set()


def hidden_among(viewer: Viewer, cfg: ConfigSnapshot, tickets: Iterable[TicketItem]) -> Hidden:
    hidden = [t for t in tickets if not may_access(t, viewer, cfg)]
    if not hidden:
        return NOTHING_HIDDEN
    return Hidden(frozenset(t.pk for t in hidden), frozenset(t.number for t in hidden if t.number))


def hidden_references(
    store: TicketStore,
    cfg: ConfigSnapshot,
    viewer: Viewer,
    tickets: Iterable[TicketItem],
    also: Iterable[str] = (),
) -> Hidden:
    """The tickets that ``tickets`` name (and the ids in ``also``) which the viewer may not see.

    Admins see every ticket: no read. Otherwise one BatchGetItem, and only when something is named.
    """
    if viewer.is_admin:
        return NOTHING_HIDDEN
    tickets = list(tickets)
    shown = {t.pk for t in tickets}
    named = ({tid for t in tickets for tid, _ in references(t)} | set(also)) - shown
    if not named:
        return NOTHING_HIDDEN
    return hidden_among(viewer, cfg, store.batch_tickets(sorted(named)).values())
