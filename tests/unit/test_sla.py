"""SLA clocks (issue 17 part 3): policy choice, pause and resume, weekends, DST, holidays, next look."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.domain.business_time import Calendar, business_between
from helpdesk.domain.config import WEEKDAYS, SlaCalendar, SlaPolicy
from helpdesk.domain.records import RecordError
from helpdesk.domain.sla import (
    Metric,
    Policy,
    State,
    Targets,
    TicketClockFacts,
    calendar_of,
    choose_policy,
    german_holidays,
    next_look,
    policies_of,
    policy_of,
    running_spans,
    standing,
)
from helpdesk.domain.status import Status

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = Calendar()  # Monday to Friday 08:00–17:00 Europe/Berlin
ALWAYS = Calendar(hours=tuple(((time(0), time(0)),) for _ in range(7)))


def at(text: str) -> datetime:
    """A Berlin wall-clock time as an aware instant."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def policy(**targets: timedelta | None) -> Policy:
    return Policy(id="p", name="Standard", calendar=OFFICE, targets={"*": Targets(**targets)})


def facts(
    created: str, *changes: tuple[str, Status], replies: tuple[str, ...] = (), customer: tuple[str, ...] = ()
) -> TicketClockFacts:
    return TicketClockFacts(
        created_at=at(created),
        statuses=((at(created), Status.NEW), *((at(when), status) for when, status in changes)),
        customer_messages=(at(created), *(at(c) for c in customer)),
        agent_replies=tuple(at(r) for r in replies),
        queue="support",
        customer="kunde@example.de",
    )


def test_first_response_runs_over_the_weekend_and_warns_an_hour_before() -> None:
    ticket = facts("2026-12-04 16:00")  # a Friday, one business hour left that day
    sla = policy(first_response=timedelta(hours=4))

    saturday = standing([sla], ticket, at("2026-12-05 12:00"))
    clock = saturday.clock(Metric.FIRST_RESPONSE)
    assert clock is not None
    assert clock.state is State.RUNNING
    assert clock.due_at == at("2026-12-07 11:00")  # Monday: 1 h on Friday + 3 h on Monday
    assert clock.warn_at == at("2026-12-07 10:00")
    assert clock.why.code == "sla.first_response.running"
    assert clock.why.params == {"minutes": 180}

    monday = standing([sla], ticket, at("2026-12-07 10:30")).clock(Metric.FIRST_RESPONSE)
    assert monday is not None and monday.state is State.WARNING

    late = standing([sla], ticket, at("2026-12-07 11:00")).clock(Metric.FIRST_RESPONSE)
    assert late is not None and late.state is State.BREACHED and late.due_at == at("2026-12-07 11:00")


def test_the_clock_pauses_while_waiting_for_the_customer_and_resumes_with_the_time_left() -> None:
    ticket = facts(
        "2026-12-07 09:00",
        ("2026-12-07 10:00", Status.WAITING_CUSTOMER),
        ("2026-12-08 10:00", Status.OPEN),
        replies=("2026-12-07 10:00",),
        customer=("2026-12-08 10:00",),
    )
    sla = policy(solution=timedelta(hours=8))

    # Monday 15:00, as the facts were then (Tuesday's change had not happened yet):
    then = facts("2026-12-07 09:00", ("2026-12-07 10:00", Status.WAITING_CUSTOMER), replies=("2026-12-07 10:00",))
    paused = standing([sla], then, at("2026-12-07 15:00")).clock(Metric.SOLUTION)
    assert paused is not None and paused.state is State.PAUSED and paused.due_at is None
    assert paused.used == timedelta(hours=1)
    assert paused.why.code == "sla.paused" and paused.why.params == {"status": "waiting_customer"}

    resumed = standing([sla], ticket, at("2026-12-08 11:00")).clock(Metric.SOLUTION)
    assert resumed is not None and resumed.state is State.RUNNING
    assert resumed.used == timedelta(hours=2)
    assert resumed.due_at == at("2026-12-08 17:00")  # 1 h Monday + 7 h from Tuesday 10:00


def test_pause_across_a_weekend_keeps_the_time_used() -> None:
    ticket = facts(
        "2026-12-04 15:00",  # Friday
        ("2026-12-04 16:00", Status.WAITING_CUSTOMER),
        ("2026-12-07 09:00", Status.OPEN),  # Monday: the customer answered
        replies=("2026-12-04 16:00",),
        customer=("2026-12-07 09:00",),
    )
    clock = standing([policy(solution=timedelta(hours=3))], ticket, at("2026-12-07 09:30")).clock(Metric.SOLUTION)
    assert clock is not None
    assert clock.used == timedelta(hours=1, minutes=30)
    assert clock.due_at == at("2026-12-07 11:00")


def test_a_24_hour_target_on_a_round_the_clock_calendar_spans_the_spring_dst_change_in_real_time() -> None:
    sla = Policy(id="p", name="24/7", calendar=ALWAYS, targets={"*": Targets(solution=timedelta(hours=24))})
    ticket = facts("2027-03-27 12:00")  # Saturday before the clocks go forward
    clock = standing([sla], ticket, at("2027-03-27 13:00")).clock(Metric.SOLUTION)
    assert clock is not None
    assert clock.due_at == datetime(2027, 3, 28, 11, 0, tzinfo=UTC)  # 13:00 CEST: the day had 23 hours
    assert clock.due_at.astimezone(BERLIN).hour == 13


def test_holidays_of_a_bundesland_stop_the_clock() -> None:
    bavaria = Calendar(holidays=german_holidays("DE-BY", [2027]))
    assert at("2027-01-06 00:00").date() in bavaria.holidays  # Heilige Drei Könige: Bavaria only
    assert at("2027-01-06 00:00").date() not in german_holidays("DE-NW", [2027])
    with pytest.raises(ValueError, match="unknown German state 'DE-XX'"):
        german_holidays("DE-XX", [2027])
    sla = Policy(id="p", name="BY", calendar=bavaria, targets={"*": Targets(first_response=timedelta(hours=2))})
    ticket = facts("2027-01-05 16:00")  # Tuesday; Wednesday is a holiday in Bavaria
    clock = standing([sla], ticket, at("2027-01-05 16:30")).clock(Metric.FIRST_RESPONSE)
    assert clock is not None and clock.due_at == at("2027-01-07 09:00")


def test_an_answer_within_the_target_meets_it_and_a_late_one_is_recorded_as_breached() -> None:
    sla = policy(first_response=timedelta(hours=2))
    met = standing([sla], facts("2026-12-07 09:00", replies=("2026-12-07 10:30",)), at("2026-12-08 12:00"))
    clock = met.clock(Metric.FIRST_RESPONSE)
    assert clock is not None and clock.state is State.MET and clock.why.code == "sla.first_response.met"

    late = standing([sla], facts("2026-12-07 09:00", replies=("2026-12-07 12:00",)), at("2026-12-08 12:00"))
    clock = late.clock(Metric.FIRST_RESPONSE)
    assert clock is not None and clock.state is State.BREACHED
    assert clock.why.code == "sla.first_response.late" and clock.due_at == at("2026-12-07 11:00")


def test_next_response_counts_from_the_first_customer_message_after_an_answer() -> None:
    sla = policy(next_response=timedelta(hours=1))
    before_answer = standing([sla], facts("2026-12-07 09:00"), at("2026-12-07 09:10"))
    assert before_answer.clock(Metric.NEXT_RESPONSE) is None  # the first-response clock covers it

    ticket = facts(
        "2026-12-07 09:00",
        replies=("2026-12-07 09:30",),
        customer=("2026-12-07 10:00", "2026-12-07 10:20"),  # the second message does not restart it
    )
    clock = standing([sla], ticket, at("2026-12-07 10:30")).clock(Metric.NEXT_RESPONSE)
    assert clock is not None and clock.state is State.WARNING and clock.due_at == at("2026-12-07 11:00")

    answered = facts(
        "2026-12-07 09:00", replies=("2026-12-07 09:30", "2026-12-07 10:45"), customer=("2026-12-07 10:00",)
    )
    clock = standing([sla], answered, at("2026-12-07 12:00")).clock(Metric.NEXT_RESPONSE)
    assert clock is not None and clock.state is State.MET


def test_closing_meets_the_solution_target_and_cancels_an_unanswered_first_response() -> None:
    sla = policy(first_response=timedelta(hours=4), solution=timedelta(hours=8))
    closed = standing([sla], facts("2026-12-07 09:00", ("2026-12-07 10:00", Status.CLOSED)), at("2026-12-09 09:00"))
    first, solution = closed.clock(Metric.FIRST_RESPONSE), closed.clock(Metric.SOLUTION)
    assert first is not None and first.state is State.CANCELLED
    assert solution is not None and solution.state is State.MET and solution.used == timedelta(hours=1)
    assert next_look(closed, at("2026-12-09 09:00")) is None

    reopened = facts("2026-12-07 09:00", ("2026-12-07 10:00", Status.CLOSED), ("2026-12-08 09:00", Status.OPEN))
    clock = standing([sla], reopened, at("2026-12-08 09:00")).clock(Metric.SOLUTION)
    assert clock is not None and clock.state is State.RUNNING
    assert clock.due_at == at("2026-12-08 16:00")  # goes on from the hour used before closing


def test_the_first_matching_policy_with_targets_for_the_priority_applies() -> None:
    vip = Policy(
        id="vip",
        name="VIP",
        calendar=OFFICE,
        targets={"urgent": Targets(first_response=timedelta(hours=1))},
        customers=frozenset({"@example.de"}),
    )
    sales = Policy(id="s", name="Vertrieb", calendar=OFFICE, targets={"*": Targets()}, queues=frozenset({"sales"}))
    default = policy(first_response=timedelta(hours=8))
    ticket = facts("2026-12-07 09:00")

    chosen, why = choose_policy([vip, sales, default], ticket)
    assert chosen is default  # VIP has no target for "medium"; Vertrieb is another queue
    assert why.code == "sla.policy" and why.params["name"] == "Standard"

    urgent = TicketClockFacts(**{**vars(ticket), "priority": "urgent"})
    assert choose_policy([vip, sales, default], urgent)[0] is vip

    nobody = TicketClockFacts(**{**vars(ticket), "queue": "billing"})
    assert choose_policy([vip, sales], nobody)[0] is None
    assert standing([vip, sales], nobody, at("2026-12-07 10:00")).why.code == "sla.no_policy"


def test_next_look_is_the_earliest_warning_or_breach_still_ahead() -> None:
    sla = policy(first_response=timedelta(hours=2), solution=timedelta(hours=8))
    state = standing([sla], facts("2026-12-07 09:00"), at("2026-12-07 09:00"))
    assert next_look(state, at("2026-12-07 09:00")) == at("2026-12-07 10:00")  # first response's warning
    later = standing([sla], facts("2026-12-07 09:00"), at("2026-12-07 10:30"))
    assert next_look(later, at("2026-12-07 10:30")) == at("2026-12-07 11:00")  # its breach
    assert later.worst is State.WARNING


def test_a_status_the_clock_never_ran_in_gives_no_spans() -> None:
    ticket = facts("2026-12-07 09:00", ("2026-12-07 09:00", Status.WAITING_CUSTOMER))
    assert running_spans(ticket, ticket.created_at, None, frozenset({Status.WAITING_CUSTOMER})) == []


@settings(max_examples=150, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    pause=st.integers(min_value=0, max_value=96 * 60),
    pause_after=st.integers(min_value=0, max_value=24 * 60),
    target_minutes=st.integers(min_value=1, max_value=60 * 60),
)
def test_a_running_clock_is_due_exactly_when_its_business_time_is_used(
    start: datetime, pause: int, pause_after: int, target_minutes: int
) -> None:
    """Across DST changes, weekends and a pause of any length: the business time the clock runs between
    creation and its due instant, minus the pause, is the target."""
    created = start.replace(tzinfo=BERLIN, microsecond=0, second=0)
    paused_at = created + timedelta(minutes=pause_after)
    resumed_at = paused_at + timedelta(minutes=pause)
    ticket = TicketClockFacts(
        created_at=created,
        statuses=((created, Status.OPEN), (paused_at, Status.WAITING_CUSTOMER), (resumed_at, Status.OPEN)),
    )
    target = timedelta(minutes=target_minutes)
    sla = Policy(id="p", name="p", calendar=OFFICE, targets={"*": Targets(solution=target)})
    clock = standing([sla], ticket, resumed_at).clock(Metric.SOLUTION)
    assert clock is not None and clock.due_at is not None
    ran = business_between(OFFICE, created, clock.due_at) - business_between(
        OFFICE, paused_at, min(resumed_at, clock.due_at)
    )
    if clock.state is State.BREACHED:  # the target was used up before the pause ended
        assert business_between(OFFICE, created, min(paused_at, clock.due_at)) == target
    else:
        assert ran == target


def test_instants_without_a_time_zone_are_refused() -> None:
    naive = TicketClockFacts(created_at=datetime(2026, 12, 7, 9), statuses=((datetime(2026, 12, 7, 9), Status.OPEN),))
    with pytest.raises(ValueError, match="timezone-aware"):
        standing([policy(solution=timedelta(hours=1))], naive, datetime(2026, 12, 7, 10, tzinfo=UTC))


def test_a_configured_policy_becomes_the_pure_one_with_its_states_holidays() -> None:
    record = SlaPolicy.model_validate(
        {
            "id": "standard",
            "name": "Standard",
            "targets": {"*": {"first_response_hours": 4}, "urgent": {"first_response_hours": 1, "solution_hours": 8}},
            "calendar": {"holidays_region": "DE-BY", "extra_holidays": ["2027-12-24"], "friday": ["08:00-12:00"]},
            "customers": ["@Example.DE", "Chef@Kunde.de"],
        }
    )
    built = policy_of(record, [2027])
    assert built.calendar.holidays >= {date(2027, 1, 6), date(2027, 12, 24)}
    assert built.calendar.hours[4] == ((time(8), time(12)),)
    assert built.customers == frozenset({"@example.de", "chef@kunde.de"})
    assert built.targets_for("urgent") == Targets(first_response=timedelta(hours=1), solution=timedelta(hours=8))
    assert built.targets_for("low") == Targets(first_response=timedelta(hours=4))
    assert built.warn_before == timedelta(hours=1) and built.pause_in == frozenset({Status.WAITING_CUSTOMER})
    always = SlaCalendar.model_validate({d: ["00:00-24:00"] for d in WEEKDAYS} | {"holidays_region": ""})
    assert calendar_of(always, [2027]).holidays == frozenset()

    disabled = record.model_copy(update={"id": "off", "enabled": False, "order": 1})
    assert [p.id for p in policies_of([record, disabled], [2027])] == ["standard"]


@pytest.mark.parametrize(
    ("calendar", "message"),
    [
        ({"monday": ["12:00-09:00"]}, "must be in order"),
        ({"monday": ["08:00-12:00", "11:00-13:00"]}, "must not overlap"),
        ({"monday": ["8-12"]}, "matching regex"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({d: [] for d in WEEKDAYS}, "at least one weekday"),
        ({"holidays_region": "Bayern"}, "matching regex"),
    ],
)
def test_a_broken_calendar_is_refused_when_saved(calendar: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        SlaCalendar.model_validate(calendar)


def test_closed_cannot_be_a_pausing_status_and_customers_must_be_addresses_or_domains() -> None:
    base = {"id": "p", "name": "P", "targets": {"*": {"solution_hours": 8}}}
    with pytest.raises(RecordError, match="cannot be pausing"):
        SlaPolicy.model_validate(base | {"pause_in": ["closed"]})
    with pytest.raises(RecordError, match="neither an address nor an @domain"):
        SlaPolicy.model_validate(base | {"customers": ["nobody"]})
    with pytest.raises(RecordError, match="length >= 1"):
        SlaPolicy.model_validate(base | {"targets": {}})
