"""Who may see which ticket: one decision, from facts only (no store, no request).

Admins see everything. Agents see the tickets of every queue without responsible agents, of the
queues they are responsible for and of those given in their agent record; a private ticket only
when it is assigned to them. Routes, references between tickets (parent, children, merges, links)
and aggregates (tags in use, reports) all ask :func:`access`; wherever another ticket names one the
viewer may not see, it is treated as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import ConfigSnapshot


@dataclass(frozen=True)
class Viewer:
    """Who is asking: a username and whether they are an admin (the role, narrowed by the configuration)."""

    username: str
    is_admin: bool = False


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str


ADMIN = Access(True, "admins see everything")
OPEN = Access(True, "the queue is open to this agent")


def access(
    viewer: Viewer, cfg: ConfigSnapshot, queue: str | None, *, private: bool = False, assignee: str | None = None
) -> Access:
    """May ``viewer`` see a ticket of ``queue`` (private or not, assigned to ``assignee``)?

    Asked with a queue alone, it answers whether the viewer may see (and so move tickets into) that queue.
    """
    if viewer.is_admin:
        return ADMIN
    if (queue or "") in cfg.hidden_queues(viewer.username, False):
        return Access(False, f"no access to queue {queue!r}")
    if private and assignee != viewer.username:
        return Access(False, "a private ticket of another agent")
    return OPEN
