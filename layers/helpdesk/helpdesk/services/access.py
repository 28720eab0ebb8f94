"""Who may see and change which ticket, applied to stored tickets (the decision itself: :mod:`domain.access`).

* a ticket the request acts on (the ``{ticket_id}`` of a path, a batch item) that the viewer may not
  see is refused (403, in a batch "forbidden" per item);
* a ticket another field names (parent, merge target) that the viewer may not see is answered like a
  ticket that does not exist (:func:`referenced_ticket`), so a reference never tells it exists;
* a queue the viewer may not see cannot be given to a ticket (:func:`ensure_queue`, 403).
"""

from __future__ import annotations

from ..domain.access import Access, Viewer, access
from ..domain.config import ConfigSnapshot
from ..store.models import TicketItem
from ..store.tickets import TicketStore


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
