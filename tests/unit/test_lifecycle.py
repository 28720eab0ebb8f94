"""The ticket's lifecycle transitions (issue 11 part 1): fields, events, counters — the same for every caller."""

from __future__ import annotations

import pytest

from helpdesk.domain.lifecycle import (
    PREVIEW_CHARS,
    TicketState,
    customer_answered,
    mail_joined,
    reply_records,
    status_effects,
    status_records,
)

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
    assert t.counters == {"messages_in": 1, "reopened": int(reopened)}
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
    assert t.counters == {"messages_in": 1}
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
