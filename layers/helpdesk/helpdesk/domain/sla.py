"""SLA clocks (issue 17, part 3): which policy applies to a ticket, and where each of its clocks stands.

Pure: facts in (the ticket's status history, when the customer wrote and when agents answered), clocks
out, each with a :class:`~helpdesk.domain.reasons.Reason`. Three clocks, as Zammad, Znuny and Zendesk
count them:

* **first response**: from the ticket's creation to the first agent reply;
* **next response**: from the first customer message after the latest agent reply to the next reply
  (only once an agent has answered at all; before that the first-response clock covers it);
* **solution**: from creation to closing; a reopened ticket goes on from the time already used.

Clocks count *business* time on the policy's calendar (:mod:`helpdesk.domain.business_time`) and stand
still while the ticket is in a pausing status (``warten auf Kunde`` by default) and while it is closed
or in the trash. A clock that is running has a ``due_at`` (when it breaches) and a ``warn_at`` (that much
business time earlier); :func:`next_look` is the earliest of those still ahead, which is when the
scheduled job has to look at the ticket again (a sparse index key, no Scan).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from .business_time import Calendar, CalendarError, Window, add_business, business_between
from .clock import iso, parse_iso
from .config import WEEKDAYS, SlaCalendar, SlaPolicy
from .dataclass import dataclass
from .reasons import Reason, reason
from .status import Priority, Status

STOPPED_STATUSES = frozenset({Status.CLOSED, Status.TRASH})
ANY_PRIORITY = "*"


class Metric(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    SOLUTION = "solution"


class State(StrEnum):
    RUNNING = "running"
    WARNING = "warning"  # running, less than the warning time left
    PAUSED = "paused"
    BREACHED = "breached"  # the target passed without the clock stopping (also: stopped too late)
    MET = "met"
    CANCELLED = "cancelled"  # closed without an answer: nothing was owed any more


@dataclass(frozen=True)
class Targets:
    """Business time allowed per clock; ``None``: this clock is not kept."""

    first_response: timedelta | None = None
    next_response: timedelta | None = None
    solution: timedelta | None = None

    def of(self, metric: Metric) -> timedelta | None:
        value: timedelta | None = getattr(self, metric.value)
        return value


@dataclass(frozen=True)
class Policy:
    """An SLA policy: when it applies (queues, customers; empty means any) and the targets per priority
    (key ``"*"``: every priority without its own entry)."""

    id: str
    name: str
    calendar: Calendar
    targets: Mapping[str, Targets]
    queues: frozenset[str] = frozenset()
    customers: frozenset[str] = frozenset()  # addresses, or "@domain" for a whole domain
    pause_in: frozenset[Status] = frozenset({Status.WAITING_CUSTOMER})
    warn_before: timedelta = timedelta(hours=1)

    def targets_for(self, priority: str) -> Targets | None:
        return self.targets.get(priority) or self.targets.get(ANY_PRIORITY)


@dataclass(frozen=True)
class TicketClockFacts:
    """What the clocks are computed from. ``statuses`` are the status changes in order, the first one at
    creation; ``customer_messages`` and ``agent_replies`` are when they were received / sent."""

    created_at: datetime
    statuses: Sequence[tuple[datetime, Status]]
    customer_messages: Sequence[datetime] = ()
    agent_replies: Sequence[datetime] = ()
    priority: str = Priority.MEDIUM.value
    queue: str = ""
    customer: str | None = None


@dataclass(frozen=True)
class Clock:
    metric: Metric
    state: State
    target: timedelta
    used: timedelta  # business time used so far (until the clock stopped, or now)
    why: Reason
    due_at: datetime | None = None  # when it breaches (breached: when it did)
    warn_at: datetime | None = None


@dataclass(frozen=True)
class Standing:
    """The policy chosen for a ticket (None: no policy applies) and its clocks."""

    policy: Policy | None
    clocks: tuple[Clock, ...]
    why: Reason

    def clock(self, metric: Metric) -> Clock | None:
        return next((c for c in self.clocks if c.metric is metric), None)

    @property
    def worst(self) -> State | None:
        """The state a list shows: breached before warning before running before paused before met."""
        order = (State.BREACHED, State.WARNING, State.RUNNING, State.PAUSED, State.MET, State.CANCELLED)
        states = {c.state for c in self.clocks}
        return next((s for s in order if s in states), None)


def _customer_matches(patterns: frozenset[str], customer: str | None) -> bool:
    if not patterns:
        return True
    if not customer:
        return False
    address = customer.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    return address in patterns or domain in patterns


def choose_policy(policies: Iterable[Policy], facts: TicketClockFacts) -> tuple[Policy | None, Reason]:
    """The first policy (in the given order) whose queues and customers match and that has targets for
    the ticket's priority."""
    for policy in policies:
        if policy.queues and facts.queue not in policy.queues:
            continue
        if not _customer_matches(policy.customers, facts.customer):
            continue
        if policy.targets_for(facts.priority) is None:
            continue
        return policy, reason("sla.policy", name=policy.name, queue=facts.queue, priority=facts.priority)
    return None, reason("sla.no_policy", queue=facts.queue, priority=facts.priority)


Span = tuple[datetime, datetime | None]  # [start, end); None: still running


def running_spans(
    facts: TicketClockFacts, start: datetime, stop: datetime | None, pause_in: frozenset[Status]
) -> list[Span]:
    """The stretches within [start, stop) in which the clock runs: the status neither pauses nor stops it."""
    halted = pause_in | STOPPED_STATUSES
    changes = _in_order(facts)
    spans: list[Span] = []
    for index, (at, status) in enumerate(changes):
        end = changes[index + 1][0] if index + 1 < len(changes) else None
        if status in halted:
            continue
        begin = max(at, start)
        if stop is not None:
            end = stop if end is None else min(end, stop)
        if end is not None and end <= begin:
            continue
        spans.append((begin, end))
    return spans


def _walk(cal: Calendar, spans: Sequence[Span], target: timedelta, now: datetime) -> tuple[timedelta, datetime | None]:
    """Business time used by ``now``, and the instant the used time reaches ``target`` (in the past, or
    projected into the open last span; None when the spans end first)."""
    used = timedelta(0)
    reached: datetime | None = None
    for begin, end in spans:
        upto = now if end is None else min(end, now)
        part = business_between(cal, begin, upto)
        if reached is None and (used + part >= target or end is None):
            reached = add_business(cal, begin, max(target - used, timedelta(0)))
        used += part
    return used, reached


def _clock(
    metric: Metric,
    policy: Policy,
    target: timedelta,
    spans: Sequence[Span],
    stopped_at: datetime | None,
    current: Status,
    now: datetime,
) -> Clock:
    cal = policy.calendar
    used, due = _walk(cal, spans, target, now)
    hours = round(target.total_seconds() / 3600, 2)
    if stopped_at is not None:
        if used > target:
            return Clock(metric, State.BREACHED, target, used, reason(f"sla.{metric}.late", hours=hours), due)
        return Clock(metric, State.MET, target, used, reason(f"sla.{metric}.met", hours=hours))
    if used > target or (due is not None and due <= now):
        return Clock(metric, State.BREACHED, target, used, reason(f"sla.{metric}.breached", hours=hours), due)
    if current in STOPPED_STATUSES:
        return Clock(metric, State.CANCELLED, target, used, reason("sla.cancelled", status=current.value))
    if current in policy.pause_in or due is None:
        return Clock(metric, State.PAUSED, target, used, reason("sla.paused", status=current.value))
    _, warn = _walk(cal, spans, max(target - policy.warn_before, timedelta(0)), now)
    left = round(max(target - used, timedelta(0)).total_seconds() / 60)
    if warn is not None and warn <= now:
        return Clock(metric, State.WARNING, target, used, reason(f"sla.{metric}.warning", minutes=left), due, warn)
    return Clock(metric, State.RUNNING, target, used, reason(f"sla.{metric}.running", minutes=left), due, warn)


def _in_order(facts: TicketClockFacts) -> list[tuple[datetime, Status]]:
    """Status changes by time; changes at the same instant keep the order they were given in."""
    return sorted(facts.statuses, key=lambda change: change[0])


def _status_now(facts: TicketClockFacts) -> Status:
    changes = _in_order(facts)
    return changes[-1][1] if changes else Status.NEW


def _closed_at(facts: TicketClockFacts) -> datetime | None:
    changes = _in_order(facts)
    return changes[-1][0] if changes and changes[-1][1] in STOPPED_STATUSES else None


def _next_response_window(facts: TicketClockFacts) -> tuple[datetime, datetime | None] | None:
    """From the first customer message after an agent reply to the reply after it (None: still owed).
    The latest such window counts; None when no agent has answered yet or nothing is owed."""
    replies = sorted(facts.agent_replies)
    if not replies:
        return None
    window: tuple[datetime, datetime | None] | None = None
    for message in sorted(facts.customer_messages):
        if message <= replies[0] or (window is not None and (window[1] is None or message < window[1])):
            continue
        answer = next((r for r in replies if r > message), None)
        window = (message, answer)
    return window


def standing(policies: Iterable[Policy], facts: TicketClockFacts, now: datetime) -> Standing:
    """The ticket's SLA clocks now."""
    policy, why = choose_policy(policies, facts)
    if policy is None:
        return Standing(None, (), why)
    targets = policy.targets_for(facts.priority)
    assert targets is not None  # choose_policy only picks policies with targets for the priority
    current = _status_now(facts)
    clocks: list[Clock] = []
    replies = sorted(facts.agent_replies)
    windows: dict[Metric, tuple[datetime, datetime | None] | None] = {
        Metric.FIRST_RESPONSE: (facts.created_at, replies[0] if replies else None),
        Metric.NEXT_RESPONSE: _next_response_window(facts),
        Metric.SOLUTION: (facts.created_at, _closed_at(facts)),
    }
    for metric, window in windows.items():
        target = targets.of(metric)
        if target is None or window is None:
            continue
        start, stop = window
        spans = running_spans(facts, start, stop, policy.pause_in)
        clocks.append(_clock(metric, policy, target, spans, stop, current, now))
    return Standing(policy, tuple(clocks), why)


def next_look(state: Standing, now: datetime) -> datetime | None:
    """When the scheduled job must look at the ticket again: the earliest warning or breach still ahead."""
    ahead = [
        moment
        for clock in state.clocks
        if clock.state in (State.RUNNING, State.WARNING)
        for moment in (clock.warn_at, clock.due_at)
        if moment is not None and moment > now
    ]
    return min(ahead, default=None)


def german_holidays(region: str, years: Iterable[int]) -> frozenset[date]:
    """Public holidays of Germany or one of its states (``"DE"``, ``"DE-BY"``, ``"BY"``), from the kept
    ``holidays`` library. Imported here, on first use, so Lambdas without SLA calendars never load it."""
    import holidays  # data for one optional feature: a cold start should not pay for it

    code = region.strip().upper().removeprefix("DE").lstrip("-") or None
    try:
        table = holidays.country_holidays("DE", subdiv=code, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(f"unknown German state {region!r} (use DE or DE-BW, DE-BY, … DE-TH)") from exc
    return frozenset(table.keys())


def _window(text: str) -> Window:
    start, end = text.split("-")
    return time.fromisoformat(start), time(0) if end == "24:00" else time.fromisoformat(end)


def calendar_of(record: SlaCalendar, years: Iterable[int]) -> Calendar:
    """The calendar a configured one describes, with the public holidays of ``years``; a calendar the
    business-time code cannot use raises :class:`~helpdesk.domain.business_time.CalendarError`."""
    holidays = set(record.extra_holidays)
    if record.holidays_region:
        holidays |= german_holidays(record.holidays_region, years)
    try:
        hours = tuple(tuple(_window(w) for w in getattr(record, day)) for day in WEEKDAYS)
        return Calendar(tz=record.tz, hours=hours, holidays=frozenset(holidays))
    except (ValueError, KeyError) as exc:  # an unknown time zone is a KeyError (ZoneInfoNotFoundError)
        raise CalendarError(str(exc)) from exc


def _hours(value: float | None) -> timedelta | None:
    return timedelta(hours=value) if value is not None else None


def policy_of(record: SlaPolicy, years: Iterable[int]) -> Policy:
    """The pure policy a configured one describes (holidays of ``years``: the job passes this year and next)."""
    return Policy(
        id=record.id,
        name=record.name,
        calendar=calendar_of(record.calendar, years),
        targets={
            priority: Targets(
                first_response=_hours(t.first_response_hours),
                next_response=_hours(t.next_response_hours),
                solution=_hours(t.solution_hours),
            )
            for priority, t in record.targets.items()
        },
        queues=frozenset(record.queues),
        customers=frozenset(record.customers),
        pause_in=frozenset(record.pause_in),
        warn_before=timedelta(minutes=record.warn_before_minutes),
    )


def policies_of(records: Iterable[SlaPolicy], years: Iterable[int]) -> list[Policy]:
    """The enabled policies in the order they apply."""
    wanted = list(years)
    return [policy_of(r, wanted) for r in sorted(records, key=lambda r: (r.order, r.id)) if r.enabled]


# ------------------------------------------------------------------ the compact state a ticket carries
# A ticket stores its clocks as {"policy": id, "show": bool, "clocks": {metric: {"state", "due_at", "warn_at"}}}
# (:func:`stored`); what the list shows is the most urgent clock (:func:`view`), advanced to the moment it is
# read: a running clock whose warning or due instant passed is a warning or a breach even before the
# scheduled job looked at the ticket (time alone moves a clock only from running to warning to breached).
URGENCY = (State.BREACHED, State.WARNING, State.RUNNING, State.PAUSED, State.MET, State.CANCELLED)


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment else None


def stored(state: Standing, show_to_customer: bool = False) -> dict[str, Any] | None:
    """The compact form of a standing kept on the ticket (None: no policy applies)."""
    if state.policy is None:
        return None
    clocks = {
        c.metric.value: {"state": c.state.value, "due_at": _iso(c.due_at), "warn_at": _iso(c.warn_at)}
        for c in state.clocks
    }
    return {"policy": state.policy.id, "show": show_to_customer, "tz": state.policy.calendar.tz, "clocks": clocks}


_built: dict[str, list[Policy]] = {}  # the configured policies built, per configuration and years


def built_policies(records: Sequence[SlaPolicy], at: datetime) -> list[Policy]:
    """The enabled policies with the public holidays of this year and the next, built once per configuration."""
    years = (at.year, at.year + 1)
    key = repr((years, [r.model_dump_json() for r in records]))
    if key not in _built:
        _built.clear()
        _built[key] = policies_of(records, years)
    return _built[key]


def first_look(records: Sequence[SlaPolicy], facts: TicketClockFacts, now: datetime) -> dict[str, Any] | None:
    """The stored state of a ticket's clocks computed from ``facts`` alone (a new ticket's, before its first
    look: the auto-reply's expected solution time)."""
    if not records:
        return None
    state = standing(built_policies(records, now), facts, now)
    record = next((r for r in records if state.policy and r.id == state.policy.id), None)
    return stored(state, bool(record and record.show_to_customer))


def due_text(sla: Mapping[str, Any] | None, lang: str = "de") -> str:
    """The solution's due instant for the customer (``show_to_customer`` only), local to the policy's calendar:
    ``30.03.2027, 12:00`` (de) or ``2027-03-30 12:00`` (en); empty when not shown."""
    due = solution_due(sla)
    if not due or not sla:
        return ""
    local = parse_iso(due).astimezone(ZoneInfo(str(sla.get("tz") or "Europe/Berlin")))
    return local.strftime("%d.%m.%Y, %H:%M") if lang == "de" else local.strftime("%Y-%m-%d %H:%M")


def advanced(clock: Mapping[str, Any], now: datetime) -> State:
    """A stored clock's state at ``now``: a running clock past its warning is a warning, past its due a breach."""
    state = State(clock["state"])
    if state not in (State.RUNNING, State.WARNING):
        return state
    due, warn = clock.get("due_at"), clock.get("warn_at")
    if due and _parse(due) <= now:
        return State.BREACHED
    if warn and _parse(warn) <= now:
        return State.WARNING
    return state


def _parse(text: str) -> datetime:
    return parse_iso(text)


def view(sla: Mapping[str, Any] | None, now: datetime) -> dict[str, Any] | None:
    """The most urgent clock of a stored state at ``now``: ``{"policy", "state", "metric", "due_at"}`` (the
    API's ``sla``); ties of the same state: the earliest due first."""
    if not sla or not sla.get("clocks"):
        return None
    found = [(metric, advanced(clock, now), clock.get("due_at")) for metric, clock in sla["clocks"].items()]
    metric, state, due = min(found, key=lambda f: (URGENCY.index(f[1]), f[2] or "~", f[0]))
    return {"policy": sla["policy"], "state": state.value, "metric": metric, "due_at": due}


def worst_state(sla: Mapping[str, Any] | None, now: datetime) -> str | None:
    shown = view(sla, now)
    return shown["state"] if shown else None


def look_of(sla: Mapping[str, Any] | None, now: datetime) -> datetime | None:
    """When a stored state must be looked at again: the earliest warning or due instant still ahead."""
    ahead = [
        _parse(moment)
        for clock in (sla or {}).get("clocks", {}).values()
        if advanced(clock, now) in (State.RUNNING, State.WARNING)
        for moment in (clock.get("warn_at"), clock.get("due_at"))
        if moment and _parse(moment) > now
    ]
    return min(ahead, default=None)


def settled(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, now: datetime) -> dict[str, int]:
    """The report counters a change of the stored state adds: a clock that became breached
    (``sla_<metric>_breached``) or met (``sla_<metric>_met``). A next response owed again and met again counts
    again; the breach rate per metric is breached / (breached + met)."""
    old = {m: State(c["state"]) for m, c in (before or {}).get("clocks", {}).items()}  # as stored, not advanced
    counters: dict[str, int] = {}
    for metric, clock in (after or {}).get("clocks", {}).items():
        state = advanced(clock, now)
        if state in (State.BREACHED, State.MET) and old.get(metric) is not state:
            counters[f"sla_{metric}_{state.value}"] = 1
    return counters


def solution_due(sla: Mapping[str, Any] | None) -> str | None:
    """The solution clock's due instant, when the policy shows it to the customer (None otherwise)."""
    if not sla or not sla.get("show"):
        return None
    clock = sla.get("clocks", {}).get(Metric.SOLUTION.value)
    return clock.get("due_at") if clock and clock.get("state") in ("running", "warning", "paused") else None


def clock_facts_of(
    created_at: datetime,
    events: Iterable[tuple[datetime, str, str, Mapping[str, Any]]],
    *,
    status: Status,
    updated_at: datetime,
    priority: str,
    queue: str,
    customer: str | None,
) -> TicketClockFacts:
    """The clocks' facts from a ticket's events (when, type, actor, detail) in order: status changes
    (``StatusChanged``), the customer's messages and agents' replies (``MessageAdded`` in and out). The first
    status is the first change's ``from`` (else the status now); a status reached without an event (a merge)
    counts from the ticket's last change."""
    statuses: list[tuple[datetime, Status]] = []
    customer_messages: list[datetime] = []
    agent_replies: list[datetime] = []
    for at, kind, actor, detail in events:
        if kind == "StatusChanged" and detail.get("to") in Status.__members__.values():
            if not statuses and detail.get("from") in Status.__members__.values():
                statuses.append((created_at, Status(detail["from"])))
            statuses.append((at, Status(detail["to"])))
        elif kind == "MessageAdded" and at > created_at:
            inbound = detail.get("direction", "inbound") == "inbound"
            if inbound and actor == "customer":
                customer_messages.append(at)
            elif not inbound and actor not in ("system", "automation", "customer") and not actor.startswith("rule:"):
                agent_replies.append(at)
    if not statuses:
        statuses.append((created_at, status))
    elif statuses[-1][1] is not status:
        statuses.append((max(updated_at, statuses[-1][0]), status))
    return TicketClockFacts(
        created_at=created_at,
        statuses=statuses,
        customer_messages=customer_messages,
        agent_replies=agent_replies,
        priority=priority,
        queue=queue,
        customer=customer,
    )
