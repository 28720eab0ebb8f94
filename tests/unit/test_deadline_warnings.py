"""domain/autoclose.py: which deadlines are warned of, once each, before they pass."""

from __future__ import annotations

from datetime import timedelta

from helpdesk.domain.autoclose import pending_deadlines, pending_warnings
from helpdesk.domain.clock import iso, parse_iso

NOW = parse_iso("2026-12-03T10:00:00.000000Z")
HOUR = timedelta(hours=1)


def at(minutes: float) -> str:
    return iso(NOW + timedelta(minutes=minutes))


def test_a_deadline_within_the_lead_is_warned_of_earliest_first() -> None:
    due, response = at(50), at(20)
    assert pending_warnings(due, response, None, [], HOUR, NOW) == [
        (f"warn:response:{response}", response),
        (f"warn:due:{due}", due),
    ]
    assert pending_warnings(at(61), None, None, [], HOUR, NOW) == []  # not yet
    assert pending_warnings(at(-1), None, None, [], HOUR, NOW) == []  # passed: the alert's job
    assert pending_warnings(at(30), None, None, [], timedelta(0), NOW) == []  # switched off


def test_warned_answered_or_missed_deadlines_are_not_warned_again() -> None:
    due = at(30)
    assert pending_warnings(due, None, None, [f"warn:due:{due}"], HOUR, NOW) == []
    assert pending_warnings(due, None, None, [f"due:{due}"], HOUR, NOW) == []
    assert pending_warnings(None, at(30), at(-5), [], HOUR, NOW) == []  # answered: no first-response target
    moved = at(40)  # a new due date is a new deadline
    assert pending_warnings(moved, None, None, [f"warn:due:{due}"], HOUR, NOW) == [(f"warn:due:{moved}", moved)]


def test_a_warning_leaves_the_deadline_pending_for_its_alert() -> None:
    due = at(30)
    assert pending_deadlines(due, None, None, [f"warn:due:{due}"]) == [(f"due:{due}", due)]


def test_pending_deadlines_are_in_time_order_not_key_order() -> None:
    """The earliest one is the ticket's ``sla_at`` in the by_sla index: a due date in five days sorted
    before a first-response target in eight hours (by key, 'due' < 'response'), which the job then
    found only when the due date came (it failed before)."""
    due, response = at(5 * 24 * 60), at(8 * 60)
    assert pending_deadlines(due, response, None, []) == [(f"response:{response}", response), (f"due:{due}", due)]
