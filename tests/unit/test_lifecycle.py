"""The ticket's lifecycle transitions (issue 11 part 1): fields, events, counters — the same for every caller."""

from __future__ import annotations

import pytest

from helpdesk.domain.lifecycle import (
    PREVIEW_CHARS,
    Records,
    TicketState,
    agent_answered,
    agent_answered_outside,
    automatic_mail,
    customer_answered,
    forwarded,
    mail_joined,
    merged,
    opened,
    reminded,
    reply_records,
    split_off,
    status_effects,
    status_records,
    status_set,
    ticket_updated,
)
from helpdesk.domain.reasons import reason

AT = "2026-12-07T10:00:00Z"


def state(status: str, **more: object) -> TicketState:
    return TicketState(id="T1", number="T-1", status=status, message_count=2, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("before", "after", "reopened"),
    [
        ("waiting_customer", "open", True),
        ("closed", "open", True),
        ("clarify", "open", True),
        ("open", "open", False),
        ("waiting_internal", "waiting_internal", False),
        ("trash", "trash", False),
        ("new", "new", False),
    ],
)
def test_the_customers_answer_reopens_as_the_status_rules_say(before: str, after: str, reopened: bool) -> None:
    t = customer_answered(
        state(before, closed_at="2026-12-01T00:00:00Z" if before == "closed" else None),
        at=AT,
        preview="Danke!",
        channel="mail",
        message={"message_id": "<a@b>"},
    )
    assert t.changes["status"] == after
    assert t.changes["closed_at"] is None
    assert t.changes["unread"] is True and t.changes["reminded_at"] is None
    assert t.changes["last_customer_at"] == AT and t.changes["updated_at"] == AT
    assert t.changes["message_count"] == 3
    assert t.records.counters == {"messages_in": 1, "reopened": int(reopened)}
    assert [e.type for e in t.events] == ["MessageAdded", *(["StatusChanged"] if reopened else [])]
    added = t.events[0]
    assert added.actor == "customer"
    expected = {"ticket_id": "T1", "number": "T-1", "direction": "inbound", "message_id": "<a@b>"}
    assert added.detail == {**expected, **({"reopened": True} if before == "closed" else {})}
    if reopened:
        changed = t.events[1].detail
        assert (changed["from"], changed["to"]) == (before, after)
        assert changed["reason"]["code"] == "status.customer_replied"


def test_an_answer_on_the_customer_page_says_so_in_the_reason() -> None:
    t = customer_answered(
        state("waiting_customer"), at=AT, preview="x" * 1000, channel="web", message={"channel": "web"}
    )
    assert t.events[1].detail["reason"]["code"] == "status.customer_replied_web"
    assert t.events[0].detail["channel"] == "web"
    assert len(t.changes["preview"]) == PREVIEW_CHARS


def test_an_agents_own_mail_leaves_status_and_reminder_alone() -> None:
    t = mail_joined(state("waiting_customer"), at=AT, preview="Hallo", actor="agent", message={"from": "anna@firma.de"})
    assert "status" not in t.changes and "reminded_at" not in t.changes and "last_customer_at" not in t.changes
    assert t.changes["unread"] is True and t.changes["message_count"] == 3
    assert [(e.type, e.actor) for e in t.events] == [("MessageAdded", "agent")]
    assert t.records.counters == {"messages_in": 1}
    closed = mail_joined(state("closed", closed_at=AT), at=AT, preview="", actor="third_party", message={})
    assert closed.events[0].actor == "third_party"
    assert "closed_at" not in closed.changes  # a closed ticket keeps its closing time


def test_status_effects_set_and_clear_the_closing_time_and_start_the_waiting_clock() -> None:
    assert status_effects("open", "closed", AT) == {"closed_at": AT}
    assert status_effects("closed", "closed", AT) == {}
    assert status_effects("closed", "open", AT) == {"closed_at": None}
    assert status_effects("open", "waiting_customer", AT) == {
        "closed_at": None,
        "waiting_since": AT,
        "reminded_at": None,
    }
    assert status_effects("waiting_customer", "waiting_customer", AT) == {"closed_at": None}


def test_closing_records_the_resolution_time_and_reopening_counts() -> None:
    created = "2026-12-07T08:00:00Z"
    closing = status_records("open", "closed", created, AT)
    assert closing.counters == {"closed": 1} and closing.durations == (("resolution", 7200),)
    assert status_records("closed", "open", created, AT).counters == {"reopened": 1}
    assert status_records("closed", "closed", created, AT) == status_records("open", "waiting_customer", created, AT)
    assert status_records("open", "waiting_customer", created, AT).counters == {}


def test_only_the_first_reply_records_the_first_response_time() -> None:
    first = reply_records(None, "2026-12-07T09:30:00Z", AT)
    assert first.counters == {"replies": 1, "first_responses": 1}
    assert first.durations == (("first_response", 1800),)
    later = reply_records("2026-12-07T09:45:00Z", "2026-12-07T09:30:00Z", AT)
    assert later.counters == {"replies": 1} and later.durations == ()


def test_setting_a_status_carries_its_side_effects_event_and_records() -> None:
    ticket = TicketState(id="T1", number="T-1", status="waiting_customer", created_at="2026-12-07T09:00:00Z")
    t = status_set(
        ticket, "closed", at=AT, actor="system", why=reason("status.autoclose"), extra={"days_waiting": 14.0}
    )
    assert t.changes == {"status": "closed", "updated_at": AT, "closed_at": AT}
    [event] = t.events
    assert (event.type, event.actor) == ("StatusChanged", "system")
    assert event.detail["from"] == "waiting_customer" and event.detail["days_waiting"] == 14.0
    assert event.detail["reason"]["code"] == "status.autoclose"
    assert t.records.counters == {"closed": 1} and t.records.durations == (("resolution", 3600),)
    assert status_set(ticket, "waiting_customer", at=AT, actor="x", why=reason("status.reply")).changes == {}


def test_a_reminder_is_recorded_once_with_what_went_out() -> None:
    t = reminded(state("waiting_customer"), at=AT, days_waiting=7.04, mailed=False)
    assert t.changes == {"reminded_at": AT}
    assert t.events[0].detail == {"ticket_id": "T1", "number": "T-1", "days_waiting": 7.0, "mailed": False}
    assert t.records.counters == {"reminders": 1}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("new", "waiting_customer"),
        ("open", "waiting_customer"),
        ("clarify", "waiting_customer"),
        ("waiting_internal", "waiting_customer"),
        ("waiting_customer", "waiting_customer"),
        ("closed", "closed"),
        ("trash", "trash"),
    ],
)
def test_an_agents_mail_from_their_own_program_is_their_answer(before: str, after: str) -> None:
    """Issue 14 part 6: not a customer's answer (no reopening, not unread), but the agent's (first response,
    waiting for the customer), as a reply from the helpdesk would be."""
    t = agent_answered_outside(
        state(before, created_at="2026-12-07T09:00:00Z"), at=AT, agent="anna", message={"from": "anna@firma.de"}
    )
    assert t.changes.get("status", before) == after
    assert "unread" not in t.changes and "last_customer_at" not in t.changes and "preview" not in t.changes
    assert t.changes["first_response_at"] == AT and t.changes["last_agent_at"] == AT
    assert t.events[0].type == "MessageAdded" and t.events[0].actor == "anna"
    assert t.events[0].detail["direction"] == "outbound" and t.events[0].detail["outside"] is True
    assert t.records.counters["replies"] == 1 and t.records.durations == (("first_response", 3600),)
    if before != after:
        assert t.events[1].type == "StatusChanged" and t.events[1].detail["reason"]["code"] == "status.agent_outside"
        assert t.changes["waiting_since"] == AT
    else:
        assert len(t.events) == 1


def test_an_agents_own_mail_keeps_the_first_response_and_on_a_forwards_side_counts_nothing() -> None:
    answered = state("open", created_at="2026-12-07T09:00:00Z", first_response_at="2026-12-07T09:30:00Z")
    t = agent_answered_outside(answered, at=AT, agent="anna", message={})
    assert t.changes["first_response_at"] == "2026-12-07T09:30:00Z" and t.records.counters == {"replies": 1}
    side = agent_answered_outside(answered, at=AT, agent="anna", message={}, customer_side=False)
    assert set(side.changes) == {"updated_at", "message_count"} and side.records.counters == {}


# --- the transitions every other service calls (issue 11's rest): none sets lifecycle fields itself


def test_a_change_sets_only_what_differs_and_lists_old_and_new() -> None:
    t = ticket_updated(
        state("open"),
        {"priority": "medium", "tags": {"b", "a"}},
        {"priority": "high", "tags": ["a", "b"]},
        at=AT,
        actor="anna",
    )
    assert dict(t.changes) == {"priority": "high", "updated_at": AT}
    assert [e.type for e in t.events] == ["TicketUpdated"]
    assert t.events[0].detail == {"ticket_id": "T1", "number": "T-1", "changes": {"priority": ["medium", "high"]}}
    assert t.records == Records()


def test_a_change_that_changes_nothing_is_no_transition() -> None:
    t = ticket_updated(state("open"), {"status": "open"}, {"status": "open"}, at=AT, actor="anna")
    assert not t.changes and not t.events


def test_a_status_change_brings_its_effects_its_event_with_the_reason_and_its_records() -> None:
    t = ticket_updated(
        state("open", created_at="2026-12-07T08:00:00Z"),
        {"status": "open"},
        {"status": "closed"},
        at=AT,
        actor="anna",
        why=reason("status.reply"),
    )
    assert t.changes["status"] == "closed" and t.changes["closed_at"] == AT
    updated, changed = t.events
    assert updated.detail["changes"] == {"status": ["open", "closed"]}
    assert changed.type == "StatusChanged" and changed.detail["from"] == "open" and changed.detail["to"] == "closed"
    assert changed.detail["reason"]["code"] == "status.reply"
    assert t.records == Records({"closed": 1}, (("resolution", 7200),))


def test_a_new_queue_restarts_the_first_response_target_only_before_the_first_answer() -> None:
    fresh = state("open", created_at="2026-12-07T08:00:00Z")
    t = ticket_updated(fresh, {"queue": "a"}, {"queue": "b"}, at=AT, actor="anna", response_hours=4)
    assert t.changes["response_due_at"] == "2026-12-07T12:00:00.000000Z"
    answered_state = state("open", created_at="2026-12-07T08:00:00Z", first_response_at=AT)
    t = ticket_updated(answered_state, {"queue": "a"}, {"queue": "b"}, at=AT, actor="anna", response_hours=4)
    assert "response_due_at" not in t.changes


def test_an_agents_first_answer_to_the_customer_counts_as_the_first_response() -> None:
    before = state("open", created_at="2026-12-07T09:00:00Z", participants=frozenset({"kunde@example.com"}))
    t = agent_answered(before, at=AT, actor="anna", message={"message_id": "m@x", "to": ["k@x"]}, recipients=["k@x"])
    assert t.changes == {
        "updated_at": AT,
        "message_count": 3,
        "first_response_at": AT,
        "last_agent_at": AT,
        "participants": {"kunde@example.com", "k@x"},
    }
    (added,) = t.events
    assert added.type == "MessageAdded" and added.actor == "anna"
    assert added.detail == {
        "ticket_id": "T1",
        "number": "T-1",
        "direction": "outbound",
        "message_id": "m@x",
        "to": ["k@x"],
    }
    assert t.records == Records({"replies": 1, "first_responses": 1}, (("first_response", 3600),))
    later = agent_answered(
        state("open", first_response_at="2026-12-07T09:30:00Z"), at=AT, actor="anna", message={}, recipients=[]
    )
    assert later.changes["first_response_at"] == "2026-12-07T09:30:00Z" and later.records == Records({"replies": 1})


def test_an_answer_to_a_forwards_recipient_is_no_response_to_the_customer() -> None:
    t = agent_answered(
        state("open"), at=AT, actor="anna", message={"side": "forward"}, recipients=["dritter@x"], customer_side=False
    )
    assert t.changes == {"updated_at": AT, "message_count": 3}
    assert t.records == Records()


def test_an_automatic_mail_counts_a_message_and_is_no_response() -> None:
    t = automatic_mail(state("open"), at=AT, actor="automation", message={"message_id": "a@x", "to": ["k@x"]})
    assert t.changes == {"updated_at": AT, "message_count": 3}
    assert t.records == Records()
    (added,) = t.events
    assert (added.type, added.actor) == ("MessageAdded", "automation")
    assert added.detail == {
        "ticket_id": "T1",
        "number": "T-1",
        "direction": "outbound",
        "message_id": "a@x",
        "to": ["k@x"],
    }


def test_a_forward_counts_a_message_and_a_forward() -> None:
    t = forwarded(state("open"), at=AT, actor="anna", message={"forwarded": "ticket"})
    assert t.changes == {"updated_at": AT, "message_count": 3}
    assert t.events[0].type == "MessageForwarded" and t.events[0].detail["forwarded"] == "ticket"
    assert t.records == Records({"forwards": 1})


@pytest.mark.parametrize(("status", "closed_at"), [("open", None), ("closed", AT)])
def test_a_ticket_an_agent_records_has_one_message_and_its_queues_target(status: str, closed_at: str | None) -> None:
    fields = opened(status=status, at=AT, preview="x" * 400, response_hours=2, customer=True, unread=False)
    assert fields["closed_at"] == closed_at and fields["message_count"] == 1 and len(fields["preview"]) == 300
    assert fields["response_due_at"] == "2026-12-07T12:00:00.000000Z" and fields["last_customer_at"] == AT
    bare = opened(status="new", at=AT, preview="", response_hours=None, customer=False, unread=True)
    assert (bare["response_due_at"], bare["last_customer_at"], bare["unread"]) == (None, None, True)


def test_a_merge_closes_and_empties_the_source_and_the_target_takes_its_messages_and_people() -> None:
    source = TicketState("S", "T-2", "waiting_customer", message_count=2, participants=frozenset({"a@x"}))
    target = TicketState("T", "T-1", "open", message_count=3, participants=frozenset({"b@x"}))
    closing, taking = merged(source, target, at=AT, actor="anna", moved=3, moved_messages=2, thread_position=7)
    assert closing.changes == {
        "merged_into": "T",
        "status": "closed",
        "closed_at": AT,
        "updated_at": AT,
        "message_count": 0,
    }
    assert taking.changes == {"message_count": 5, "thread_version": 7, "participants": {"a@x", "b@x"}, "updated_at": AT}
    assert closing.events == taking.events and closing.events[0].type == "TicketMerged"
    assert closing.events[0].detail == {
        "source": "S",
        "source_number": "T-2",
        "target": "T",
        "target_number": "T-1",
        "moved": 3,
    }


def test_a_split_takes_one_message_off_the_source_and_tells_both() -> None:
    source = TicketState("S", "T-1", "open", message_count=1)
    t = split_off(source, TicketState("N", "T-9", "open"), at=AT, actor="anna", message_id="M1")
    assert t.changes == {"message_count": 0, "updated_at": AT}
    assert t.events[0].type == "TicketSplit" and t.events[0].detail["target_number"] == "T-9"
