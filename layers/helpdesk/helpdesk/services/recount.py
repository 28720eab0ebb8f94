"""Maintenance: rebuild the per-queue live counters (``BACKLOG`` and ``IN_USE``, ``sk = queue#<queue>``)
and those of private tickets per queue and owner (``sk = private#<queue>#<owner>``).

Every ticket write keeps them (``store/writes.py``), but tickets written before they existed were
never counted in them: an agent who may not see every queue would get too few tags in ``/meta``
and a wrong backlog in ``/stats``, and others' private tickets would count for every agent.
``helpdesk recount`` rebuilds them from the tickets, once, after deploying (one Scan of the tickets
table); day counters and durations are not rebuilt (those recorded before still count private
tickets for everyone). Run it at a quiet moment: a ticket written while it runs
may be counted off by one in its queue until the next recount.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from ..store.stats import BACKLOG_KEY, IN_USE_KEY, QUEUE_SK, replace_scoped_counters
from ..store.tickets import every_ticket
from ..store.writes import Snapshot


def recount_queue_counters() -> dict[str, int]:
    """Set every queue's ``BACKLOG`` and ``IN_USE`` item to what its tickets say; tickets counted per queue."""
    backlog: dict[str, Counter[str]] = defaultdict(Counter)
    in_use: dict[str, Counter[str]] = defaultdict(Counter)
    tickets: Counter[str] = Counter()
    for ticket in every_ticket():
        snapshot = Snapshot.of(ticket)
        # keyed by the counter item's sk: the queue's, and a private ticket's own besides
        for sk in filter(None, (QUEUE_SK + snapshot.queue, snapshot.private_sk)):
            backlog[sk].update(f"b_{key}" for key in snapshot.backlog_keys())
            in_use[sk].update(snapshot.in_use_keys())
        tickets[snapshot.queue] += 1
    replace_scoped_counters(BACKLOG_KEY[0], backlog)
    replace_scoped_counters(IN_USE_KEY[0], in_use)
    return dict(tickets)
