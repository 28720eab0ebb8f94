"""Who may see which ticket: one decision, from facts only (no store, no request).

Admins see everything. Agents see the tickets of every queue without responsible agents, of the
queues they are responsible for and of those given in their agent record; a private ticket only
when it is assigned to them. Routes, references between tickets (parent, children, merges, links)
and aggregates (tags in use, reports) all ask :func:`access`; wherever another ticket names one the
viewer may not see, it is treated as if it did not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field
from functools import cached_property
from typing import Any

from .config import ConfigSnapshot
from .dataclass import dataclass


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


def queue_scope(viewer: Viewer, cfg: ConfigSnapshot) -> Callable[[str], bool] | None:
    """For aggregates (tags in use, reports): None when the viewer may see every queue (the team-wide
    figures serve), else which queues' figures count for them."""
    if viewer.is_admin or not cfg.hidden_queues(viewer.username, False):
        return None
    return lambda queue: access(viewer, cfg, queue).allowed


NO_OWNER = "-"  # the owner of a private ticket nobody is assigned to (no username can be "-")


@dataclass(frozen=True)
class Scope:
    """Which tickets an aggregate (tags in use, reports) counts for a viewer who is no admin.

    ``queues``: which queues' figures count (None: every queue, the team-wide figures serve as the base);
    ``sees_private(queue, owner)``: whether a private ticket of that queue assigned to ``owner``
    (:data:`NO_OWNER`: to nobody) counts. The figures of private tickets are kept apart per queue and
    owner, so the ones the viewer may not see are taken out of the base (never a read of tickets).
    """

    queues: Callable[[str], bool] | None
    sees_private: Callable[[str, str], bool]

    def counts(self, queue: str | None, owner: str | None) -> bool:
        """Whether a figure of a ticket of ``queue`` (private for ``owner``; None: not private) counts."""
        if self.queues is not None and (queue is None or not self.queues(queue)):
            return False
        return owner is None or queue is None or self.sees_private(queue, owner)


def aggregate_scope(viewer: Viewer, cfg: ConfigSnapshot) -> Scope | None:
    """What aggregates count for ``viewer`` (None: an admin, every ticket counts): the same decision as
    for one ticket, :func:`access`, asked per queue and per owner of private tickets."""
    if viewer.is_admin:
        return None

    def sees_private(queue: str, owner: str) -> bool:
        return access(viewer, cfg, queue, private=True, assignee=None if owner == NO_OWNER else owner).allowed

    return Scope(queue_scope(viewer, cfg), sees_private)


REDACTED = "…"


@dataclass(frozen=True)
class Hidden:
    """Tickets a viewer may not see, by id and number: what a response about other tickets leaves out."""

    ids: frozenset[str] = field(default_factory=frozenset)
    numbers: frozenset[str] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return bool(self.ids)

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        names = sorted(self.ids | self.numbers, key=len, reverse=True)
        if not names:
            return None
        return re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(map(re.escape, names)) + r")(?![0-9A-Za-z])")

    def redact(self, value: Any) -> Any:
        """``value`` (an event's details: dicts, lists, strings) with every hidden id and number replaced
        by "…". A ``subject`` stays as written: it is the ticket's own, which the viewer sees anyway (a
        stranger's mail may name a hidden ticket's number in it)."""
        pattern = self._pattern
        if pattern is None:
            return value
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {k: v if k == "subject" else self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value


NOTHING_HIDDEN = Hidden()
