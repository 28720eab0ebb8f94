"""No double replies: has the thread grown since the author of a reply last saw it? One decision, from facts only.

Every ticket counts the entries of its thread (messages in and out, internal comments) in its
``thread_version``; each entry carries the position it got (``thread_seq``). Field changes (status,
assignee, tags, …) do not add to the thread and leave the position alone. A reply carries the
position its author saw; :func:`reply_check` says whether it may go out, and why (a reason code),
and which of the entries since then count:

* for an agent: every message since (a customer's mail, another agent's reply or their own from another
  tab, a system mail such as a reminder) and every comment of someone else (their own comments they
  know about);
* for a customer on the web: the mails sent to them since (our replies; internal comments they never
  see, their own mails they know about).

A reply without a position (clients from before this check) is ``unchecked`` and goes out as before;
one whose author saw the news and confirms ("Trotzdem senden") is ``confirmed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from .dataclass import dataclass


class ReplyCheck(StrEnum):
    """Reason codes (the API's ``reason`` on 409 and what the services log)."""

    UNCHECKED = "unchecked"  # no seen position given: accepted, as before the check existed
    CURRENT = "current"  # nothing that counts arrived since
    CONFIRMED = "confirmed"  # something did, and the author confirmed after seeing it
    NEW_MESSAGE = "new_message"  # the customer wrote since
    NEW_REPLY = "new_reply"  # a mail went to the customer since (another agent's reply, a system mail)
    NEW_COMMENT = "new_comment"  # a colleague commented since

    @property
    def stale(self) -> bool:
        return self in (ReplyCheck.NEW_MESSAGE, ReplyCheck.NEW_REPLY, ReplyCheck.NEW_COMMENT)


@dataclass(frozen=True)
class Entry:
    """A thread entry as the decision needs it: where it stands, what it is, who wrote it."""

    position: int  # thread_seq: 1, 2, …; 0 for entries stored before positions existed
    kind: str  # "message" | "comment"
    direction: str | None = None  # messages: "inbound" | "outbound"
    author: str | None = None  # agent (outbound mail, comment), "system", or None (the customer)
    id: str = ""


@dataclass(frozen=True)
class Verdict:
    reason: ReplyCheck
    new: tuple[Entry, ...] = ()  # the entries since the seen position that count, oldest first

    @property
    def stale(self) -> bool:
        return self.reason.stale


def _counts_for_agent(entry: Entry, actor: str) -> bool:
    if entry.kind == "comment":
        return entry.author != actor
    return entry.kind == "message"


def _counts_for_customer(entry: Entry) -> bool:
    return entry.kind == "message" and entry.direction == "outbound"


def _reason(new: Iterable[Entry]) -> ReplyCheck:
    entries = list(new)
    if any(e.kind == "message" and e.direction == "inbound" for e in entries):
        return ReplyCheck.NEW_MESSAGE
    if any(e.kind == "message" for e in entries):
        return ReplyCheck.NEW_REPLY
    return ReplyCheck.NEW_COMMENT


def reply_check(
    seen: int | None,
    entries: Iterable[Entry],
    *,
    actor: str | None,
    confirmed: bool = False,
) -> Verdict:
    """May a reply whose author saw the thread up to position ``seen`` go out now?

    ``entries`` is the thread as it is (any order); ``actor`` the agent replying, or ``None`` for the
    customer. Entries at or before ``seen`` never count, whatever the order they were stored in.
    """
    if seen is None:
        return Verdict(ReplyCheck.UNCHECKED)
    since = sorted((e for e in entries if e.position > seen), key=lambda e: e.position)
    counting = tuple(e for e in since if (_counts_for_customer(e) if actor is None else _counts_for_agent(e, actor)))
    if not counting:
        return Verdict(ReplyCheck.CURRENT)
    if confirmed:
        return Verdict(ReplyCheck.CONFIRMED, counting)
    return Verdict(_reason(counting), counting)


# ------------------------------------------------------------------- batch actions on a ticket being answered

# Batch actions that take a ticket away from under a colleague writing a reply (close it, bin it, move
# it to another queue or agent; a macro, which may do all that and mail the customer). Flags, priority, tags and
# read marks do not disturb a reply.
DISRUPTIVE_BATCH_ACTIONS = frozenset({"spam", "archive_unread", "status", "queue", "assignee", "macro"})
REPLY_IN_PROGRESS = "reply_in_progress"


def batch_check(action: str, typists: Iterable[str], *, actor: str, confirmed: bool = False) -> str | None:
    """Skip this ticket in a batch? ``REPLY_IN_PROGRESS`` when someone other than ``actor`` is writing a reply
    on it (presence "typing") and ``action`` would disturb them, unless the request confirms; else None."""
    if confirmed or action not in DISRUPTIVE_BATCH_ACTIONS:
        return None
    return REPLY_IN_PROGRESS if any(user != actor for user in typists) else None
