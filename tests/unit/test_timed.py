"""Time events of triggers and the SLA state a ticket stores (domain/timed.py, domain/sla.py): pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpdesk.domain import sla
from helpdesk.domain.business_time import Calendar
from helpdesk.domain.config import Action, SlaCalendar, SlaPolicy, SlaTargets, Trigger
from helpdesk.domain.status import Status
from helpdesk.domain.timed import TimedFacts, plan

OFFICE = Calendar()
MONDAY_9 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
TAG = [Action(kind="add_tag", value="x")]


def trigger(event: str, **kwargs: object) -> Trigger:
    return Trigger.model_validate({"id": event, "name": event, "event": event, "actions": TAG, **kwargs})


def test_no_agent_reply_counts_business_hours_and_waits_for_the_next_message_once_judged() -> None:
    late = trigger("no_agent_reply", hours=4)
    facts = TimedFacts(status="open", last_customer_at=MONDAY_9 + timedelta(hours=6))  # 15:00: 2 h left that day
    ready, later = plan([late], facts, OFFICE, {}, MONDAY_9 + timedelta(hours=7))
    assert ready == [] and later == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)  # Tuesday 10:00 Berlin
    ready, later = plan([late], facts, OFFICE, {}, datetime(2027, 3, 2, 9, 0, tzinfo=UTC))
    assert [d.trigger for d in ready] == ["no_agent_reply"] and later is None
    judged = {"no_agent_reply": ready[0].episode}
    assert plan([late], facts, OFFICE, judged, datetime(2027, 3, 3, tzinfo=UTC)) == ([], None)  # once
    answered = TimedFacts(status="open", last_customer_at=MONDAY_9, last_agent_at=MONDAY_9 + timedelta(minutes=5))
    assert plan([late], answered, OFFICE, {}, datetime(2027, 3, 3, tzinfo=UTC)) == ([], None)


def test_in_status_due_soon_and_sla_warning_are_due_at_their_instants() -> None:
    triggers = [
        trigger("in_status", status="waiting_internal", hours=2),
        trigger("due_soon", hours=3),
        trigger("sla_warning"),
    ]
    facts = TimedFacts(
        status="waiting_internal",
        status_since=MONDAY_9,
        due_at=MONDAY_9 + timedelta(hours=10),
        sla_warn_at=MONDAY_9 + timedelta(hours=1),
    )
    ready, later = plan(triggers, facts, OFFICE, {}, MONDAY_9 + timedelta(hours=2))
    assert sorted(d.trigger for d in ready) == ["in_status", "sla_warning"]
    assert later == MONDAY_9 + timedelta(hours=7)  # due_soon: three hours before the due date
    closed = TimedFacts(status="closed", status_since=MONDAY_9, due_at=MONDAY_9)
    assert plan(triggers, closed, OFFICE, {}, MONDAY_9 + timedelta(days=9)) == ([], None)


def test_the_stored_clocks_advance_with_time_and_the_most_urgent_is_shown() -> None:
    stored = {
        "policy": "std",
        "clocks": {
            "solution": {"state": "running", "due_at": "2027-03-05T10:00:00.000000Z", "warn_at": None},
            "first_response": {
                "state": "running",
                "due_at": "2027-03-01T12:00:00.000000Z",
                "warn_at": "2027-03-01T11:00:00.000000Z",
            },
        },
    }
    at = datetime(2027, 3, 1, 10, tzinfo=UTC)
    assert sla.view(stored, at) == {
        "policy": "std",
        "state": "running",
        "metric": "first_response",
        "due_at": "2027-03-01T12:00:00.000000Z",
    }
    assert sla.worst_state(stored, at + timedelta(hours=1, minutes=1)) == "warning"
    assert sla.worst_state(stored, at + timedelta(hours=2, minutes=1)) == "breached"
    assert sla.look_of(stored, at) == datetime(2027, 3, 1, 11, tzinfo=UTC)
    assert sla.view(None, at) is None


def test_a_clock_counts_for_the_reports_once_when_it_settles() -> None:
    running = {"clocks": {"first_response": {"state": "warning", "due_at": "2027-03-01T12:00:00.000000Z"}}}
    breached = {"clocks": {"first_response": {"state": "breached", "due_at": "2027-03-01T12:00:00.000000Z"}}}
    met = {"clocks": {"first_response": {"state": "met"}, "solution": {"state": "running"}}}
    at = datetime(2027, 3, 1, 13, tzinfo=UTC)
    assert sla.settled(running, breached, at) == {"sla_first_response_breached": 1}
    assert sla.settled(breached, breached, at) == {}
    assert sla.settled(None, met, at) == {"sla_first_response_met": 1}


def test_the_expected_solution_is_told_only_where_the_policy_shows_it() -> None:
    policy = SlaPolicy(
        id="std",
        name="Standard",
        targets={"*": SlaTargets(solution_hours=8)},
        calendar=SlaCalendar(holidays_region=""),
        show_to_customer=True,
    )
    facts = sla.TicketClockFacts(created_at=MONDAY_9, statuses=[(MONDAY_9, Status.NEW)])
    shown = sla.first_look([policy], facts, MONDAY_9)
    assert sla.due_text(shown, "de") == "01.03.2027, 17:00"
    assert sla.due_text(shown, "en") == "2027-03-01 17:00"
    hidden = sla.first_look([policy.model_copy(update={"show_to_customer": False})], facts, MONDAY_9)
    assert sla.due_text(hidden) == "" and sla.solution_due(hidden) is None


def test_the_clock_facts_come_from_the_history() -> None:
    created = MONDAY_9
    events = [
        (created + timedelta(hours=1), "StatusChanged", "anna", {"from": "new", "to": "waiting_customer"}),
        (created + timedelta(hours=1), "MessageAdded", "anna", {"direction": "outbound"}),
        (created + timedelta(hours=3), "MessageAdded", "customer", {"direction": "inbound"}),
        (created + timedelta(hours=3), "StatusChanged", "customer", {"from": "waiting_customer", "to": "open"}),
        (created + timedelta(hours=4), "MessageAdded", "automation", {"direction": "outbound"}),
    ]
    facts = sla.clock_facts_of(
        created, events, status=Status.OPEN, updated_at=created, priority="high", queue="q", customer=None
    )
    assert facts.statuses == [
        (created, Status.NEW),
        (created + timedelta(hours=1), Status.WAITING_CUSTOMER),
        (created + timedelta(hours=3), Status.OPEN),
    ]
    assert facts.agent_replies == [created + timedelta(hours=1)]  # the automation's mail is no answer
    assert facts.customer_messages == [created + timedelta(hours=3)]
