"""Use case: an agent's read marks ("Ungelesen" per agent, issue 12 part 5).

Opening a ticket (``GET /tickets/{id}``), ``POST /tickets/{id}/read`` and ``…/unread``, ``PATCH`` with
``unread`` and the batch actions "mark read", "mark unread" and "Ungelesen ins Archiv" set the acting
agent's mark, and only theirs. A mark is no change of the ticket: no version, no event; its stream
record tells only that agent's sockets (``services/live.py``). The rule itself is ``domain/reading.py``.
"""

from __future__ import annotations

from ..store.models import TicketItem
from ..store.tickets import TicketDetail, is_unread, mark_of, read_marks, save_read_mark


def set_read(ticket: TicketItem, agent: str, *, unread: bool) -> bool:
    """Mark the ticket read (everything the customer wrote so far) or unread for ``agent``; returns ``unread``."""
    save_read_mark(ticket, agent, unread=unread)
    return unread


def unread_map(agent: str, tickets: list[TicketItem]) -> dict[str, bool]:
    """Unread for ``agent``, per ticket: one BatchGetItem for their marks."""
    if not tickets:
        return {}
    marks = read_marks(agent, [t.pk for t in tickets])
    return {t.pk: is_unread(t, marks.get(t.pk)) for t in tickets}


def opened(detail: TicketDetail, agent: str, *, mark: bool) -> bool:
    """The agent opened the ticket: unread for them before? With ``mark``, it is read for them now (a
    PutItem only when it was unread). Returns whether it is unread for them after this."""
    unread = is_unread(detail.ticket, mark_of(detail.reads.get(agent)))
    if unread and mark:
        save_read_mark(detail.ticket, agent, unread=False)
        return False
    return unread
