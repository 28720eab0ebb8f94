"""The autoclose and SLA decisions, pure: what should happen to a ticket at a given moment, and why.

Policy (settings → per mailbox → per queue; the most specific value wins):

* a ticket ``waiting_customer`` for ``remind_after_days`` without customer activity gets one reminder;
* after ``close_after_days`` it is closed ("abgeschlossen, da der Kunde nicht mehr geantwortet hat"),
  optionally with a closing mail;
* a customer's answer at any time stops the clock (the ingest reopens the ticket: it leaves the index).

Deadlines (SLA): a ticket's due date, and the queue's first-response target while nobody has answered
yet. A deadline that passes is alerted once; a new due date is a new deadline. Some time before it
passes (``deadline_warning_minutes``, default 60; 0: never) it is warned of once, unless it had passed
already when the job first saw it (then the alert says it all). Both are remembered on the ticket in
``sla_alerted``: a missed deadline by its key (``due:<at>``), a warned one as ``warn:<key>``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from .clock import iso, parse_iso
from .config import AutoclosePolicy, Mailbox, Queue
from .dataclass import dataclass


class Step(StrEnum):
    NONE = "none"
    REMIND = "remind"
    CLOSE = "close"


@dataclass(frozen=True)
class Plan:
    step: Step
    days_waiting: float
    reason: str


def effective_policy(base: AutoclosePolicy, mailbox: Mailbox | None, queue: Queue | None) -> AutoclosePolicy:
    """Global settings overridden by the mailbox, then by the queue."""
    remind, close = base.remind_after_days, base.close_after_days
    for override in (mailbox, queue):
        if override is None:
            continue
        remind = override.remind_after_days or remind
        close = override.close_after_days or close
    if close <= remind:
        remind = close  # an override may close before the global reminder would come: then no reminder
    return base.model_copy(update={"remind_after_days": remind, "close_after_days": close})


def plan(waiting_since: str, reminded_at: str | None, policy: AutoclosePolicy, at: datetime) -> Plan:
    days = (at - parse_iso(waiting_since)) / timedelta(days=1)
    if days >= policy.close_after_days:
        return Plan(Step.CLOSE, days, f"waiting {days:.1f} days ≥ {policy.close_after_days:g}")
    if policy.send_reminder and reminded_at is None and days >= policy.remind_after_days:
        return Plan(Step.REMIND, days, f"waiting {days:.1f} days ≥ {policy.remind_after_days:g}")
    return Plan(Step.NONE, days, "not yet")


def response_due(created_at: str, hours: float | None) -> str | None:
    """The first-response deadline for a queue's target, or None when the queue has none."""
    return iso(parse_iso(created_at) + timedelta(hours=hours)) if hours else None


def pending_deadlines(
    due_at: str | None, response_due_at: str | None, first_response_at: str | None, alerted: list[str]
) -> list[tuple[str, str]]:
    """``(key, at)`` of deadlines not alerted yet, earliest first. Keys name the deadline and its time."""
    found: list[tuple[str, str]] = []
    if due_at:
        found.append((f"due:{due_at}", due_at))
    if response_due_at and not first_response_at:
        found.append((f"response:{response_due_at}", response_due_at))
    return sorted(((k, v) for k, v in found if k not in alerted), key=lambda d: (d[1], d[0]))


WARN = "warn:"  # the prefix of a warned deadline's key in ``sla_alerted``


def pending_warnings(
    due_at: str | None,
    response_due_at: str | None,
    first_response_at: str | None,
    alerted: list[str],
    lead: timedelta,
    at: datetime,
) -> list[tuple[str, str]]:
    """``(warning key, deadline)`` of deadlines due within ``lead`` from ``at`` (not yet passed), neither
    alerted as missed nor warned of, earliest first. Keys: ``warn:<deadline key>``."""
    if lead <= timedelta(0):
        return []
    now, until = iso(at), iso(at + lead)
    return [
        (WARN + key, deadline)
        for key, deadline in pending_deadlines(due_at, response_due_at, first_response_at, alerted)
        if now <= deadline < until and WARN + key not in alerted
    ]
