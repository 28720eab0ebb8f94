"""Fair assignment (issue 17, part 5): who gets a ticket that enters a queue unassigned.

Pure: the queue's mode and the candidates' facts in, an agent (or nobody) and the reason out.

* ``round_robin``: the next eligible agent after the one who got the queue's previous ticket, in a fixed
  order (by username), so every agent gets the same share over time;
* ``least_open``: the eligible agent with the fewest open tickets; ties go to whoever got a ticket longest
  ago, then by username;
* ``off``: nobody (the ticket stays unassigned).

Eligible: responsible for the queue (every active agent when the queue names nobody), active, not away,
and, when the queue asks for it, present (the app open right now, from the live presence).
"""

from __future__ import annotations

from collections.abc import Sequence

from .config import Agent, Queue
from .dataclass import dataclass
from .reasons import Reason, reason


@dataclass(frozen=True)
class Candidate:
    username: str
    open_tickets: int = 0
    last_assigned_at: str = ""  # ISO instant of the last ticket this agent got by assignment ("": never)
    present: bool = False


@dataclass(frozen=True)
class Choice:
    assignee: str | None
    why: Reason


def eligible(queue: Queue, agents: Sequence[Agent], present: set[str]) -> list[str]:
    """Usernames that may get the queue's tickets now, in the fixed round-robin order."""
    names = sorted(
        a.username
        for a in agents
        if a.active and not a.away and (not queue.responsible or a.username in queue.responsible)
    )
    return [n for n in names if n in present] if queue.assign_only_present else names


def choose(queue: Queue, candidates: Sequence[Candidate], previous: str | None) -> Choice:
    """``candidates``: the eligible agents' facts (see :func:`eligible`); ``previous``: who got the queue's
    last ticket by round robin."""
    if queue.assignment == "off":
        return Choice(None, reason("assignment.off", queue=queue.name))
    if not candidates:
        return Choice(None, reason("assignment.nobody", queue=queue.name))
    if queue.assignment == "round_robin":
        order = sorted(c.username for c in candidates)
        following = [name for name in order if previous is None or name > previous]
        chosen = (following or order)[0]
        return Choice(chosen, reason("assignment.round_robin", agent=chosen, queue=queue.name))
    best = min(candidates, key=lambda c: (c.open_tickets, c.last_assigned_at, c.username))
    return Choice(
        best.username,
        reason("assignment.least_open", agent=best.username, queue=queue.name, open=best.open_tickets),
    )
