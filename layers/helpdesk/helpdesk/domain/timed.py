"""Time events of triggers (issue 17): when each is due for a ticket, and once per episode.

Pure: a ticket's time facts and the enabled time triggers in, the triggers due now and the next instant
the scheduled job must look at the ticket out. Four events:

* ``no_agent_reply``: ``hours`` business hours after the customer's last message without an agent's
  reply since (episode: that message: a new one starts the wait again);
* ``in_status``: ``hours`` (wall-clock) in ``status`` (episode: that stay in the status);
* ``due_soon``: ``hours`` before the due date (episode: that due date);
* ``sla_warning``: an SLA clock's warning instant (episode: that instant; a clock paused and resumed has a
  new one).

A trigger is judged once per episode (``fired``: trigger id → the episode judged, kept on the ticket and
written with the run): whether its conditions held then or not, it waits for the next episode. Closed and
trashed tickets have no time events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from .business_time import Calendar, add_business
from .clock import iso
from .config import Trigger
from .dataclass import dataclass
from .status import Status

TIME_EVENTS = ("no_agent_reply", "in_status", "due_soon", "sla_warning")
_STOPPED = (Status.CLOSED.value, Status.TRASH.value)


@dataclass(frozen=True)
class TimedFacts:
    status: str
    status_since: datetime | None = None
    last_customer_at: datetime | None = None
    last_agent_at: datetime | None = None
    due_at: datetime | None = None
    sla_warn_at: datetime | None = None  # the earliest warning instant of a running SLA clock


@dataclass(frozen=True)
class Due:
    trigger: str  # its id
    event: str
    at: datetime  # when it is due
    episode: str  # what it is judged once for


def time_triggers(triggers: Iterable[Trigger]) -> list[Trigger]:
    return [t for t in triggers if t.enabled and t.event in TIME_EVENTS]


def _due(trigger: Trigger, facts: TimedFacts, calendar: Calendar) -> Due | None:
    hours = timedelta(hours=trigger.hours or 0)
    match trigger.event:
        case "no_agent_reply":
            since = facts.last_customer_at
            if since is None or (facts.last_agent_at is not None and facts.last_agent_at >= since):
                return None
            return Due(trigger.id, trigger.event, add_business(calendar, since, hours), f"c:{iso(since)}")
        case "in_status":
            if trigger.status is None or facts.status != trigger.status.value or facts.status_since is None:
                return None
            episode = f"s:{facts.status}:{iso(facts.status_since)}"
            return Due(trigger.id, trigger.event, facts.status_since + hours, episode)
        case "due_soon":
            if facts.due_at is None:
                return None
            return Due(trigger.id, trigger.event, facts.due_at - hours, f"d:{iso(facts.due_at)}")
        case "sla_warning":
            if facts.sla_warn_at is None:
                return None
            return Due(trigger.id, trigger.event, facts.sla_warn_at, f"w:{iso(facts.sla_warn_at)}")
    return None


def pending(triggers: Sequence[Trigger], facts: TimedFacts, calendar: Calendar, fired: Mapping[str, str]) -> list[Due]:
    """The time triggers waiting for their instant in the ticket's current episodes (not judged yet)."""
    if facts.status in _STOPPED:
        return []
    found = (_due(t, facts, calendar) for t in time_triggers(triggers))
    return [d for d in found if d is not None and fired.get(d.trigger) != d.episode]


def plan(
    triggers: Sequence[Trigger], facts: TimedFacts, calendar: Calendar, fired: Mapping[str, str], now: datetime
) -> tuple[list[Due], datetime | None]:
    """The triggers due now (in trigger order), and when the next one will be (None: none waits)."""
    waiting = pending(triggers, facts, calendar, fired)
    ready = [d for d in waiting if d.at <= now]
    later = min((d.at for d in waiting if d.at > now), default=None)
    return ready, later
