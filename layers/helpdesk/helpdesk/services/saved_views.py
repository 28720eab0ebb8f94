"""Saved views ("Eigene Ordner", issue 17 part 4): which views an agent sees, and each one's count, bounded.

A view is a named filter and sort of the inbox (``domain/config.py`` :class:`SavedView`, kept in the
configuration as kind ``view``): shared with the team (kept by admins) or one agent's own (kept by them).
The inbox's fixed tabs are the built-in views (:data:`BUILT_IN`), with the same parameters as before.

Counts read what the list reads, never a Scan (docs/data-model.md "Saved views"):

* a view that filters by status only, or by one queue or one agent among the active tickets, is counted
  from the live backlog counters (``BACKLOG``: one Query of a few items for every such view together);
* any other view is counted by reading its list as the inbox would (the same Query on the same index),
  at most :data:`COUNT_CAP` tickets and :data:`COUNT_BUDGET` items evaluated: beyond that the count says
  "at least" (``more``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import fields, replace

from ..domain.config import ConfigSnapshot, SavedView, ViewQuery
from ..domain.dataclass import dataclass
from ..domain.status import Status
from ..store.listing import TicketFilter, list_tickets

COUNT_CAP = 100  # tickets a list-read count goes up to ("100+" beyond)
COUNT_BUDGET = 1000  # items a list-read count evaluates at most (the list's own budget for a page)

BUILT_IN: tuple[SavedView, ...] = (
    SavedView(id="inbox", name="Posteingang", order=0),
    SavedView(id="mine", name="In Bearbeitung", query=ViewQuery(assignee="me"), order=1),
    SavedView(id="unread", name="Ungelesen", query=ViewQuery(unread="true"), order=2),
    SavedView(id="review", name="Zu prüfen", query=ViewQuery(review="true"), order=3),
    SavedView(id="trash", name="Papierkorb", query=ViewQuery(status="trash"), order=4),
)
BUILT_IN_IDS = frozenset(v.id for v in BUILT_IN)
ACTIVE_STATUSES = frozenset(s for s in Status if s.bucket == "active")


def new_view_id() -> str:
    return f"v-{secrets.token_hex(5)}"


def visible(cfg: ConfigSnapshot, username: str) -> list[SavedView]:
    """The built-in views, then the team's shared ones and the agent's own, each group by order and name."""
    kept = [v for v in cfg.views if v.id not in BUILT_IN_IDS and v.owner in (None, username)]
    kept.sort(key=lambda v: (v.owner is not None, v.order, v.name.lower(), v.id))
    return [*BUILT_IN, *kept]


def may_change(view: SavedView, username: str, is_admin: bool) -> bool:
    """Admins keep shared views (and may tidy anyone's); an agent keeps their own."""
    if view.id in BUILT_IN_IDS:
        return False
    return is_admin or (view.owner is not None and view.owner == username)


@dataclass(frozen=True)
class Count:
    count: int
    more: bool = False  # at least ``count``: the read stopped at its cap or budget
    source: str = "counters"  # "counters" | "list": how it was counted (docs/data-model.md)


# What the backlog counters keep, and what only orders or scopes the list: every other field of the filter
# narrows it (a field added to TicketFilter later counts as narrowing until it is named here).
_COUNTED_OR_NOT_NARROWING = frozenset(
    {"statuses", "queue", "assignee", "sort", "descending", "hidden_queues", "viewer", "viewer_is_admin"}
)


def _only(flt: TicketFilter) -> bool:
    """The filter narrows by nothing the backlog counters do not keep (status, queue, agent)."""
    return not any(
        getattr(flt, f.name) not in (None, "", {}, []) for f in fields(flt) if f.name not in _COUNTED_OR_NOT_NARROWING
    )


def counter_names(flt: TicketFilter) -> list[str] | None:
    """The backlog counters (``b_…`` without the prefix) whose sum is the filter's count, or None when the
    counters cannot tell it exactly."""
    if not _only(flt):
        return None
    wanted = set(flt.statuses) if flt.statuses else set(ACTIVE_STATUSES)
    if flt.queue and flt.assignee:
        return None
    if flt.queue or flt.assignee:
        if wanted != ACTIVE_STATUSES:  # queue and agent are counted among the active tickets only
            return None
        return [f"queue_{flt.queue}"] if flt.queue else [f"agent_{flt.assignee}"]
    return [f"status_{s.value}" for s in sorted(wanted)]


def count(flt: TicketFilter, backlog: Callable[[], Mapping[str, int]]) -> Count:
    """The view's count for its viewer. ``backlog``: the viewer's backlog counters (read once per request
    by the caller, for every view counted from them)."""
    names = counter_names(flt)
    if names is not None:
        counters = backlog()
        return Count(max(0, sum(counters.get(name, 0) for name in names)))
    page = list_tickets(replace(flt, sort="updated", descending=None), limit=COUNT_CAP, max_scanned=COUNT_BUDGET)
    return Count(len(page.items), more=page.cursor is not None, source="list")
