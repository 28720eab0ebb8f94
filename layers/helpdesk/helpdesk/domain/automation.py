"""Automation (issue 17): actions, macros and triggers as pure decisions over plain ticket facts.

* An :class:`Action` changes one field of a ticket (status, priority, queue, assignee, tags, type,
  project, due date) or asks for an effect a service carries out (an internal comment, a notification,
  a template mailed to the customer, an event published). :func:`apply_actions` applies a list of them to
  :class:`TicketFacts` and returns the new facts, what changed, the effects and the events the changes
  cause, each with a reason. Macros (a named list of actions an agent applies) and triggers share it.
* A :class:`Trigger` is "when ⟨event⟩ and ⟨conditions⟩ then ⟨actions⟩". :func:`run` evaluates the
  ordered triggers for one occurrence, lets each fired trigger's changes cause further occurrences (a
  status set by a trigger is a ``status_changed``), and stops at :data:`MAX_DEPTH`. A trigger never fires
  on a change it caused itself and at most once per run, so a cascade always ends. Every decision (fired,
  conditions not met, outside business hours, own change, too deep, stopped) is a reason: the dry run
  shows exactly what a real run would do.

The services load the facts, call these functions, and write the result in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from datetime import datetime, timedelta
from typing import Any

from .business_time import Calendar, add_business
from .config import Action, ConfigSnapshot, TicketCondition, Trigger
from .dataclass import dataclass
from .reasons import Reason, reason
from .rules import MailView, RegexTimeout, condition_matches
from .status import Priority, Status

MAX_DEPTH = 3  # a trigger's change may cause another trigger's, this many levels deep


@dataclass(frozen=True)
class TicketFacts:
    status: str = Status.NEW.value
    priority: str = Priority.MEDIUM.value
    queue: str = ""
    assignee: str | None = None
    tags: frozenset[str] = frozenset()
    type: str | None = None
    project: str | None = None
    customer: str | None = None
    subject: str = ""
    due_at: datetime | None = None


@dataclass(frozen=True)
class Occurrence:
    event: str
    caused_by: str | None = None  # the trigger whose action caused it
    depth: int = 0
    status: str | None = None  # status_changed: the new status
    tag: str | None = None  # tag_added: which tag


@dataclass(frozen=True)
class Effect:
    kind: str  # add_comment | notify | send_template | publish
    value: str
    source: str  # "trigger:<id>" or "macro:<id>"


@dataclass
class Applied:
    facts: TicketFacts
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)  # field → (before, after)
    effects: list[Effect] = field(default_factory=list)
    caused: list[Occurrence] = field(default_factory=list)
    said: list[Reason] = field(default_factory=list)


def _set(applied: Applied, name: str, value: object) -> None:
    before = getattr(applied.facts, name)
    if before == value:
        return
    first = applied.changed.get(name, (before, value))[0]
    applied.changed[name] = (first, value)
    change: dict[str, Any] = {name: value}
    applied.facts = replace(applied.facts, **change)
    shown = ", ".join(sorted(value)) if isinstance(value, frozenset) else ("—" if value is None else str(value))
    applied.said.append(reason("automation.set", field=name, value=shown))


def _apply_one(applied: Applied, action: Action, source: str, now: datetime, calendar: Calendar | None) -> None:
    facts, value = applied.facts, action.value
    match action.kind:
        case "set_status":
            _set(applied, "status", value)
        case "set_priority":
            _set(applied, "priority", value)
        case "set_queue":
            _set(applied, "queue", value)
        case "set_assignee":
            _set(applied, "assignee", value)
        case "unassign":
            _set(applied, "assignee", None)
        case "add_tag":
            _set(applied, "tags", facts.tags | {value})
        case "remove_tag":
            _set(applied, "tags", facts.tags - {value})
        case "set_type":
            _set(applied, "type", value)
        case "set_project":
            _set(applied, "project", value)
        case "set_due_in_hours":
            amount = timedelta(hours=float(value))
            _set(applied, "due_at", add_business(calendar, now, amount) if calendar else now + amount)
        case _:
            applied.effects.append(Effect(action.kind, value, source))
            applied.said.append(reason(f"automation.{action.kind}", value=value[:80]))


def _caused(before: TicketFacts, after: TicketFacts, source: str, depth: int) -> list[Occurrence]:
    """The occurrences the change from ``before`` to ``after`` causes (for triggers further down)."""
    out: list[Occurrence] = []
    if after.status != before.status:
        out.append(Occurrence("status_changed", source, depth, status=after.status))
    if after.assignee != before.assignee:
        out.append(Occurrence("assigned" if after.assignee else "unassigned", source, depth))
    out.extend(Occurrence("tag_added", source, depth, tag=tag) for tag in sorted(after.tags - before.tags))
    if after.priority != before.priority:
        out.append(Occurrence("priority_changed", source, depth))
    return out


def apply_actions(
    actions: Sequence[Action],
    facts: TicketFacts,
    *,
    source: str,
    now: datetime,
    calendar: Calendar | None = None,
    depth: int = 0,
) -> Applied:
    """Apply ``actions`` in order; ``source`` ("trigger:<id>", "macro:<id>") marks the effects and the
    occurrences the changes cause (one level deeper than ``depth``)."""
    applied = Applied(facts)
    for action in actions:
        _apply_one(applied, action, source, now, calendar)
    applied.caused = _caused(facts, applied.facts, source, depth + 1)
    return applied


# ------------------------------------------------------------------------------------------------ from events
AUTOMATION = "automation"  # the actor of the changes triggers make (their events never run triggers again)
PEOPLE = ("customer", "third_party")  # who answers from outside (a forward's recipient: third_party)


def occurrences_of(
    event_type: str, actor: str, detail: Mapping[str, Any], *, first_message: bool = False
) -> list[Occurrence]:
    """The trigger occurrences one stored event (``EVT#`` item) stands for.

    A change the triggers made themselves (``actor`` "automation") stands for none: its cascade was judged
    in the run that made it (:func:`run`), so triggers never loop through the stream. ``first_message``:
    the ticket's creating mail, told as ``ticket_created`` (not also as ``customer_replied``).
    """
    if actor == AUTOMATION or actor.startswith("trigger:"):
        return []
    match event_type:
        case "TicketCreated":
            return [Occurrence("ticket_created")]
        case "MessageAdded":
            direction = detail.get("direction", "inbound")
            if direction == "inbound" and actor in PEOPLE and not first_message:
                return [Occurrence("customer_replied")]
            if direction == "outbound" and actor not in ("system", *PEOPLE) and not actor.startswith("rule:"):
                return [Occurrence("agent_replied")]
            return []
        case "StatusChanged":
            to = detail.get("to")
            return [Occurrence("status_changed", status=str(to))] if to else []
        case "TicketUpdated":
            changes = detail.get("changes")
            return _updated(changes) if isinstance(changes, Mapping) else []
    return []


def _updated(changes: Mapping[str, Any]) -> list[Occurrence]:
    def pair(name: str) -> tuple[Any, Any] | None:
        value = changes.get(name)
        return (value[0], value[1]) if isinstance(value, list | tuple) and len(value) == 2 else None

    out: list[Occurrence] = []
    if (assignee := pair("assignee")) is not None:
        out.append(Occurrence("assigned" if assignee[1] else "unassigned"))
    if (tags := pair("tags")) is not None:
        added = set(tags[1] or []) - set(tags[0] or [])
        out.extend(Occurrence("tag_added", tag=str(tag)) for tag in sorted(added))
    if pair("priority") is not None:
        out.append(Occurrence("priority_changed"))
    return out


def unknown_references(actions: Sequence[Action], cfg: ConfigSnapshot) -> list[str]:
    """What the actions name that the configuration does not have (refused on save, with these words)."""
    problems: list[str] = []
    for action in actions:
        value = action.value
        if action.kind == "set_queue" and cfg.queue(value) is None:
            problems.append(f"unknown queue {value!r}")
        elif action.kind == "set_assignee" and cfg.agent(value) is None:
            problems.append(f"unknown agent {value!r}")
        elif action.kind == "send_template" and not any(t.id == value for t in cfg.templates):
            problems.append(f"unknown template {value!r}")
        elif action.kind == "notify":
            kind, _, name = value.partition(":")
            if value != "assignee" and not (
                (kind == "agent" and cfg.agent(name)) or (kind == "queue" and cfg.queue(name))
            ):
                problems.append(f"notify needs 'assignee', 'agent:<username>' or 'queue:<id>', not {value!r}")
    return problems


def template_mail_refused(
    *,
    has_mailbox: bool,
    recipients: int,
    answered_auto_submitted: str | None,
    last_automatic_mail: datetime | None,
    now: datetime,
    gap: timedelta,
) -> Reason | None:
    """The loop guards of a template a trigger mails to the customer (RFC 3834 as for the auto-reply): never
    in answer to an automatic mail (``Auto-Submitted`` other than ``no``), at most one automatic mail per
    ticket within ``gap``, and only with a mailbox to send from and someone to send to."""
    if not has_mailbox:
        return reason("automation.no_mailbox")
    if recipients == 0:
        return reason("automation.no_recipient")
    if answered_auto_submitted and answered_auto_submitted.strip().lower() != "no":
        return reason("automation.answer_to_automatic", value=answered_auto_submitted[:80])
    if last_automatic_mail is not None and now - last_automatic_mail < gap:
        return reason("automation.mail_gap", minutes=int(gap.total_seconds() // 60))
    return None


def _field_values(facts: TicketFacts, name: str) -> tuple[str, ...]:
    if name == "tag":
        return tuple(sorted(facts.tags))
    if name == "customer_domain":
        return ((facts.customer or "").rpartition("@")[2],) if facts.customer else ()
    value = getattr(facts, name)
    return (str(value),) if value else ()


def ticket_condition_holds(facts: TicketFacts, cond: TicketCondition) -> bool:
    values = tuple(v.lower() for v in _field_values(facts, cond.field))
    wanted = cond.value.strip().lower()
    match cond.op:
        case "is":
            return wanted in values
        case "is_not":
            return wanted not in values
        case "contains":
            return any(wanted in v for v in values)
        case "not_contains":
            return not any(wanted in v for v in values)
        case "is_set":
            return bool(values)
        case "not_set":
            return not values
    return False  # pragma: no cover - the Literal allows nothing else


def _describe(cond: TicketCondition) -> str:
    return f"{cond.field} {cond.op.replace('_', ' ')} '{cond.value}'" if cond.value else f"{cond.field} {cond.op}"


def in_business_hours(calendar: Calendar, now: datetime) -> bool:
    return add_business(calendar, now, timedelta(0)) == now


@dataclass
class Run:
    """What a run of the triggers decided: the facts after it, every change, effect and reason."""

    facts: TicketFacts
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)
    effects: list[Effect] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)  # trigger ids, in firing order
    said: list[Reason] = field(default_factory=list)


def _event_matches(trigger: Trigger, occ: Occurrence) -> bool:
    if trigger.event != occ.event:
        return False
    if occ.event == "status_changed" and trigger.status is not None:
        return occ.status == trigger.status.value
    return True


def _conditions_hold(trigger: Trigger, facts: TicketFacts, mail: MailView | None, run: Run) -> bool:
    results: list[bool] = []
    for cond in trigger.conditions:
        ok = ticket_condition_holds(facts, cond)
        results.append(ok)
        if not ok:
            # ``condition`` is the English sentence; field, op and value let the client say it in German
            run.said.append(
                reason(
                    "automation.condition",
                    trigger=trigger.name,
                    condition=_describe(cond),
                    field=cond.field,
                    op=cond.op,
                    value=cond.value or "",
                )
            )
    for mail_cond in trigger.mail_conditions:
        try:
            ok = mail is not None and condition_matches(mail, mail_cond)
        except RegexTimeout:
            ok = False
        results.append(ok)
        if not ok:
            run.said.append(reason("automation.mail_condition", trigger=trigger.name, field=mail_cond.field))
    if not results:
        return True
    return all(results) if trigger.match == "all" else any(results)


def _skip_reason(
    trigger: Trigger, occ: Occurrence, fired: set[str], now: datetime, calendar: Calendar | None
) -> Reason | None:
    if occ.caused_by == f"trigger:{trigger.id}":
        return reason("automation.own_change", trigger=trigger.name)
    if trigger.id in fired:
        return reason("automation.once", trigger=trigger.name)
    if trigger.business_hours != "any" and calendar is not None:
        inside = in_business_hours(calendar, now)
        if inside != (trigger.business_hours == "inside"):
            return reason(f"automation.hours_{trigger.business_hours}", trigger=trigger.name)
    return None


def run(
    triggers: Sequence[Trigger],
    occurrence: Occurrence,
    facts: TicketFacts,
    *,
    now: datetime,
    calendar: Calendar | None = None,
    mail: MailView | None = None,
) -> Run:
    """Evaluate the enabled triggers (by order, then id) for ``occurrence`` and for every occurrence their
    changes cause, breadth first. ``mail`` is the mail involved, if any (mail conditions need one)."""
    ordered = sorted((t for t in triggers if t.enabled), key=lambda t: (t.order, t.id))
    result = Run(facts)
    pending = [occurrence]
    fired: set[str] = set()
    while pending:
        occ = pending.pop(0)
        for trigger in ordered:
            if not _event_matches(trigger, occ):
                continue
            skip = _skip_reason(trigger, occ, fired, now, calendar)
            if skip is not None:
                result.said.append(skip)
                continue
            if not _conditions_hold(trigger, result.facts, mail if occ.depth == 0 else None, result):
                continue
            if occ.depth > MAX_DEPTH:  # judged last: the dry run says "too deep" only where it would fire
                result.said.append(reason("automation.depth", trigger=trigger.name, limit=MAX_DEPTH))
                continue
            fired.add(trigger.id)
            result.fired.append(trigger.id)
            result.said.append(reason("automation.fired", trigger=trigger.name, event=occ.event))
            applied = apply_actions(
                trigger.actions,
                result.facts,
                source=f"trigger:{trigger.id}",
                now=now,
                calendar=calendar,
                depth=occ.depth,
            )
            for name, (before, after) in applied.changed.items():
                result.changed[name] = (result.changed.get(name, (before, after))[0], after)
            result.facts = applied.facts
            result.effects.extend(applied.effects)
            result.said.extend(applied.said)
            pending.extend(applied.caused)
            if trigger.stop:
                result.said.append(reason("automation.stop", trigger=trigger.name))
                break
    return result
