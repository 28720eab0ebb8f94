""" "Ungelesen" per agent (issue 12, part 5): is a ticket unread for me?

A ticket is unread for an agent when its last customer message (inbound mail, a reply on the customer
page, the contact form) is newer than the agent's last opening of it, or when the agent marked it
unread by hand. Pure: the facts come from the ticket item and the agent's read mark
(``store/models.py: ReadItem``).

Tickets from before the per-agent marks: an agent without a mark falls back to the ticket's team-wide
``unread`` flag, which every customer message sets and nothing clears any more. So a ticket the team
had read before the change stays read for everyone until the customer writes again, and a ticket that
never heard from a customer (entered by an agent) is not unread for anyone.
"""

from __future__ import annotations

from .dataclass import dataclass


@dataclass(frozen=True)
class ReadMark:
    """What an agent has seen of a ticket: the time of its last customer message when they last opened it
    (``seen_through``; None: there was none yet), and whether they marked it unread by hand since.

    The watermark is the customer message's own time, not the clock at opening: a message that arrives
    while the ticket is being read (between the read and the mark) stays unread."""

    seen_through: str | None
    marked_unread: bool = False


def unread_for(last_customer_at: str | None, team_unread: bool, mark: ReadMark | None) -> bool:
    """Is the ticket unread for the agent whose ``mark`` this is (``None``: they never opened or marked it)?"""
    if mark is None:
        return bool(team_unread) and last_customer_at is not None
    if mark.marked_unread:
        return True
    if last_customer_at is None:
        return False
    return mark.seen_through is None or last_customer_at > mark.seen_through
