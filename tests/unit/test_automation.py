"""Triggers and macros as pure decisions (issue 17 part 1/2): actions, cascades, loop guards, reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk.domain.automation import (
    MAX_DEPTH,
    Occurrence,
    TicketFacts,
    apply_actions,
    in_business_hours,
    run,
)
from helpdesk.domain.business_time import Calendar
from helpdesk.domain.config import Action, ConfigSnapshot, Macro, Trigger
from helpdesk.domain.records import RecordError
from helpdesk.domain.rules import mail_view

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 12, 7, 10, tzinfo=BERLIN)
SUNDAY_10 = datetime(2026, 12, 6, 10, tzinfo=BERLIN)
TICKET = TicketFacts(status="open", queue="support", customer="anna@kunde.de", subject="Rechnung fehlt")


def trigger(tid: str, event: str, actions: list[dict[str, str]], **more: Any) -> Trigger:
    return Trigger.model_validate({"id": tid, "name": tid.upper(), "event": event, "actions": actions, **more})


def codes(said: list[Any]) -> list[str]:
    return [r.code for r in said]


def test_actions_are_validated_when_saved() -> None:
    with pytest.raises(RecordError, match="'done' is not a valid Status"):
        Action.model_validate({"kind": "set_status", "value": "done"})
    with pytest.raises(ValueError, match="needs a value"):  # also when code makes it
        Action(kind="add_tag")
    with pytest.raises(RecordError, match="between 0 and 8760"):
        Action.model_validate({"kind": "set_due_in_hours", "value": "0"})
    with pytest.raises(RecordError, match="needs 'hours'"):
        trigger("t", "no_agent_reply", [{"kind": "set_priority", "value": "high"}])
    with pytest.raises(RecordError, match="needs 'status'"):
        trigger("t", "in_status", [{"kind": "set_priority", "value": "high"}], hours=48)
    Action(kind="unassign")  # needs no value


def test_apply_actions_changes_fields_collects_effects_and_names_what_the_change_causes() -> None:
    actions = [
        Action(kind="set_status", value="waiting_customer"),
        Action(kind="add_tag", value="rueckfrage"),
        Action(kind="set_assignee", value="anna"),
        Action(kind="add_comment", value="Rückfrage gestellt"),
        Action(kind="send_template", value="rueckfrage"),
    ]
    applied = apply_actions(actions, TICKET, source="macro:rueckfrage", now=MONDAY_10)
    assert applied.facts.status == "waiting_customer"
    assert applied.facts.tags == frozenset({"rueckfrage"})
    assert applied.changed == {
        "status": ("open", "waiting_customer"),
        "tags": (frozenset(), frozenset({"rueckfrage"})),
        "assignee": (None, "anna"),
    }
    assert [(e.kind, e.value, e.source) for e in applied.effects] == [
        ("add_comment", "Rückfrage gestellt", "macro:rueckfrage"),
        ("send_template", "rueckfrage", "macro:rueckfrage"),
    ]
    assert [(o.event, o.caused_by, o.depth) for o in applied.caused] == [
        ("status_changed", "macro:rueckfrage", 1),
        ("assigned", "macro:rueckfrage", 1),
        ("tag_added", "macro:rueckfrage", 1),
    ]
    assert codes(applied.said) == ["automation.set"] * 3 + ["automation.add_comment", "automation.send_template"]


def test_a_value_set_twice_reports_one_change_from_the_first_value() -> None:
    actions = [Action(kind="set_priority", value="high"), Action(kind="set_priority", value="urgent")]
    applied = apply_actions(actions, TICKET, source="macro:m", now=MONDAY_10)
    assert applied.changed == {"priority": ("medium", "urgent")}
    assert [o.event for o in applied.caused] == ["priority_changed"]


def test_due_in_business_hours_counts_on_the_calendar() -> None:
    friday_16 = datetime(2026, 12, 4, 16, tzinfo=BERLIN)
    applied = apply_actions(
        [Action(kind="set_due_in_hours", value="4")], TICKET, source="t", now=friday_16, calendar=Calendar()
    )
    assert applied.facts.due_at == datetime(2026, 12, 7, 11, tzinfo=BERLIN)  # Monday 11:00
    plain = apply_actions([Action(kind="set_due_in_hours", value="4")], TICKET, source="t", now=friday_16)
    assert plain.facts.due_at == friday_16 + timedelta(hours=4)


def test_a_trigger_fires_when_its_conditions_hold_and_its_change_fires_the_next_one() -> None:
    reopened = trigger(
        "reopen",
        "customer_replied",
        [{"kind": "set_status", "value": "open"}, {"kind": "add_tag", "value": "antwort"}],
        conditions=[{"field": "queue", "op": "is", "value": "support"}],
    )
    escalate = trigger(
        "escalate",
        "status_changed",
        [{"kind": "set_priority", "value": "high"}, {"kind": "notify", "value": "queue:support"}],
        status="open",
    )
    other_queue = trigger(
        "sales",
        "customer_replied",
        [{"kind": "add_tag", "value": "x"}],
        conditions=[{"field": "queue", "value": "sales"}],
    )
    waiting = TicketFacts(status="waiting_customer", queue="support")
    result = run([escalate, other_queue, reopened], Occurrence("customer_replied"), waiting, now=MONDAY_10)
    assert result.fired == ["reopen", "escalate"]
    assert result.facts.status == "open" and result.facts.priority == "high"
    assert result.facts.tags == frozenset({"antwort"})
    assert [(e.kind, e.value, e.source) for e in result.effects] == [("notify", "queue:support", "trigger:escalate")]
    assert "automation.condition" in codes(result.said)  # why "sales" did not fire, for the dry run
    assert (
        str(result.said[codes(result.said).index("automation.condition")])
        == "trigger SALES: queue is 'sales' does not hold"
    )
    said = result.said[codes(result.said).index("automation.condition")]
    assert {k: said.params[k] for k in ("field", "op", "value")} == {"field": "queue", "op": "is", "value": "sales"}


def test_a_trigger_never_fires_on_its_own_change() -> None:
    flip = trigger("flip", "status_changed", [{"kind": "set_status", "value": "clarify"}])
    result = run([flip], Occurrence("status_changed", status="open"), TICKET, now=MONDAY_10)
    assert result.fired == ["flip"]
    assert "automation.own_change" in codes(result.said)
    assert result.facts.status == "clarify"


def test_two_triggers_that_feed_each_other_end_after_one_round() -> None:
    ping = trigger("ping", "tag_added", [{"kind": "add_tag", "value": "pong"}])
    pong = trigger("pong", "tag_added", [{"kind": "add_tag", "value": "ping"}])
    result = run([ping, pong], Occurrence("tag_added", tag="start"), TICKET, now=MONDAY_10)
    assert result.fired == ["ping", "pong"]
    assert result.facts.tags == frozenset({"ping", "pong"})
    assert "automation.once" in codes(result.said)


def test_a_chain_of_triggers_stops_at_the_depth_limit() -> None:
    # Each step needs the tag the step before it adds, and runs before it in the order: so each level of
    # the cascade fires exactly one step (triggers later in the order would see an earlier one's change).
    chain = [
        trigger(
            f"step{n}",
            "tag_added",
            [{"kind": "add_tag", "value": f"t{n + 1}"}],
            conditions=[{"field": "tag", "value": f"t{n}"}],
            order=10 - n,
        )
        for n in range(6)
    ]
    start = TicketFacts(tags=frozenset({"t0"}))
    result = run(chain, Occurrence("tag_added", tag="t0"), start, now=MONDAY_10)
    assert result.fired == ["step0", "step1", "step2", "step3"]  # the first, then MAX_DEPTH levels of consequences
    assert len(result.fired) == MAX_DEPTH + 1
    depth_skips = [r for r in result.said if r.code == "automation.depth"]
    assert [r.params for r in depth_skips] == [{"trigger": "STEP4", "limit": MAX_DEPTH}]


def test_stop_keeps_later_triggers_from_running() -> None:
    first = trigger("a", "ticket_created", [{"kind": "add_tag", "value": "a"}], order=1, stop=True)
    second = trigger("b", "ticket_created", [{"kind": "add_tag", "value": "b"}], order=2)
    result = run([second, first], Occurrence("ticket_created"), TICKET, now=MONDAY_10)
    assert result.fired == ["a"] and codes(result.said)[-1] == "automation.stop"
    disabled = first.model_copy(update={"enabled": False})
    assert run([second, disabled], Occurrence("ticket_created"), TICKET, now=MONDAY_10).fired == ["b"]


def test_business_hours_decide_when_a_trigger_may_run() -> None:
    night = trigger("night", "ticket_created", [{"kind": "add_tag", "value": "nachts"}], business_hours="outside")
    cal = Calendar()
    assert in_business_hours(cal, MONDAY_10) and not in_business_hours(cal, SUNDAY_10)
    assert run([night], Occurrence("ticket_created"), TICKET, now=SUNDAY_10, calendar=cal).fired == ["night"]
    weekday = run([night], Occurrence("ticket_created"), TICKET, now=MONDAY_10, calendar=cal)
    assert weekday.fired == [] and codes(weekday.said) == ["automation.hours_outside"]


def test_mail_conditions_use_the_rules_conditions_and_need_the_mail() -> None:
    invoice = trigger(
        "invoice",
        "ticket_created",
        [{"kind": "set_queue", "value": "billing"}],
        mail_conditions=[{"field": "subject", "op": "contains", "value": "rechnung"}],
    )
    mail = mail_view(
        sender="anna@kunde.de",
        sender_name="Anna",
        to=["support@firma.de"],
        cc=[],
        recipients=["support@firma.de"],
        subject="Rechnung fehlt",
        body="Hallo",
        mailbox="support@firma.de",
        attachment_names=[],
        verdicts={},
        headers={},
    )
    assert run([invoice], Occurrence("ticket_created"), TICKET, now=MONDAY_10, mail=mail).facts.queue == "billing"
    without = run([invoice], Occurrence("ticket_created"), TICKET, now=MONDAY_10)
    assert without.fired == [] and codes(without.said) == ["automation.mail_condition"]


def test_ticket_conditions_cover_tags_customer_domain_and_unset_fields() -> None:
    facts = TicketFacts(tags=frozenset({"vip"}), customer="chef@grosskunde.de", subject="Dringend: Ausfall")
    holds = trigger(
        "vip",
        "ticket_created",
        [{"kind": "set_priority", "value": "urgent"}],
        conditions=[
            {"field": "tag", "value": "VIP"},
            {"field": "customer_domain", "value": "grosskunde.de"},
            {"field": "assignee", "op": "not_set"},
            {"field": "subject", "op": "contains", "value": "ausfall"},
            {"field": "project", "op": "is_not", "value": "intern"},
        ],
    )
    assert run([holds], Occurrence("ticket_created"), facts, now=MONDAY_10).fired == ["vip"]
    # "any" of: the tag or "nobody assigned": a ticket without the tag, assigned, matches neither.
    any_of = holds.model_copy(update={"match": "any", "conditions": holds.conditions[:1] + holds.conditions[2:3]})
    assert run([any_of], Occurrence("ticket_created"), TicketFacts(assignee="ben"), now=MONDAY_10).fired == []
    assert run([any_of], Occurrence("ticket_created"), TicketFacts(), now=MONDAY_10).fired == ["vip"]


def test_the_configuration_holds_triggers_and_macros() -> None:
    snapshot = ConfigSnapshot.model_validate(
        {
            "triggers": [{"id": "t", "name": "T", "event": "agent_replied", "actions": [{"kind": "unassign"}]}],
            "macros": [{"id": "rueckfrage", "name": "Rückfrage", "actions": [{"kind": "add_tag", "value": "x"}]}],
        }
    )
    assert snapshot.triggers[0].event == "agent_replied"
    assert isinstance(snapshot.macros[0], Macro) and snapshot.macros[0].owner is None


# ------------------------------------------------------------------------------------------------ from events
def _occ(event_type: str, actor: str, detail: dict[str, Any], first: bool = False) -> list[tuple[str, Any]]:
    from helpdesk.domain.automation import occurrences_of

    return [(o.event, o.status or o.tag) for o in occurrences_of(event_type, actor, detail, first_message=first)]


def test_stored_events_stand_for_the_occurrences_triggers_wait_for() -> None:
    assert _occ("TicketCreated", "system", {}) == [("ticket_created", None)]
    assert _occ("MessageAdded", "customer", {"direction": "inbound"}) == [("customer_replied", None)]
    assert _occ("MessageAdded", "customer", {"direction": "inbound"}, first=True) == []  # told as ticket_created
    assert _occ("MessageAdded", "third_party", {"direction": "inbound"}) == [("customer_replied", None)]
    assert _occ("MessageAdded", "anna", {"direction": "outbound"}) == [("agent_replied", None)]
    assert _occ("MessageAdded", "system", {"direction": "outbound"}) == []  # an auto-reply or reminder
    assert _occ("StatusChanged", "anna", {"from": "new", "to": "open"}) == [("status_changed", "open")]
    changes = {"assignee": [None, "tom"], "tags": [["a"], ["a", "b", "c"]], "priority": ["low", "high"]}
    assert _occ("TicketUpdated", "anna", {"changes": changes}) == [
        ("assigned", None),
        ("tag_added", "b"),
        ("tag_added", "c"),
        ("priority_changed", None),
    ]
    assert _occ("TicketUpdated", "anna", {"changes": {"assignee": ["tom", None]}}) == [("unassigned", None)]
    assert _occ("CommentAdded", "anna", {}) == []


def test_what_the_triggers_changed_themselves_runs_no_trigger_again() -> None:
    assert _occ("StatusChanged", "automation", {"to": "open"}) == []
    assert _occ("TicketUpdated", "automation", {"changes": {"priority": ["low", "high"]}}) == []
    assert _occ("MessageAdded", "automation", {"direction": "outbound"}) == []


def test_a_template_mail_keeps_the_auto_replys_loop_guards() -> None:
    from helpdesk.domain.automation import template_mail_refused

    at = datetime(2026, 12, 3, 10, tzinfo=ZoneInfo("UTC"))
    ok: dict[str, Any] = {
        "has_mailbox": True,
        "recipients": 1,
        "answered_auto_submitted": None,
        "last_automatic_mail": None,
        "now": at,
        "gap": timedelta(hours=1),
    }

    def code(**changes: Any) -> str | None:
        found = template_mail_refused(**{**ok, **changes})
        return found.code if found else None

    assert code() is None
    assert code(answered_auto_submitted="no") is None
    assert code(answered_auto_submitted="Auto-Submitted: auto-replied") == "automation.answer_to_automatic"
    assert code(last_automatic_mail=at - timedelta(minutes=59)) == "automation.mail_gap"
    assert code(last_automatic_mail=at - timedelta(minutes=61)) is None
    assert code(has_mailbox=False) == "automation.no_mailbox"
    assert code(recipients=0) == "automation.no_recipient"


def test_unknown_references_name_what_is_missing() -> None:
    from helpdesk.domain.automation import unknown_references
    from helpdesk.domain.config import Queue

    cfg = ConfigSnapshot(queues=[Queue(id="support", name="Support")])
    actions = [
        Action(kind="set_queue", value="support"),
        Action(kind="set_queue", value="weg"),
        Action(kind="send_template", value="fehlt"),
        Action(kind="notify", value="queue:support"),
        Action(kind="notify", value="jeder"),
    ]
    problems = unknown_references(actions, cfg)
    assert problems[0] == "unknown queue 'weg'" and problems[1] == "unknown template 'fehlt'"
    assert len(problems) == 3 and "'jeder'" in problems[2]
