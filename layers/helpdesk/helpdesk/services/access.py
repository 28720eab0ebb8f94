"""Who may see and change which ticket (queue-scoped access, private tickets)."""

from __future__ import annotations

from ..domain.config import ConfigSnapshot
from ..store.models import TicketItem


def may_access(ticket: TicketItem, username: str, is_admin: bool, cfg: ConfigSnapshot) -> bool:
    """Admins: everything. Agents: tickets of queues open to them; private tickets only when assigned."""
    if is_admin:
        return True
    if not cfg.may_see_queue(username, is_admin, ticket.queue):
        return False
    return not ticket.private or ticket.assignee == username
