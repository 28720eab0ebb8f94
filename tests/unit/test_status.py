"""domain/status.py: the seven statuses, their labels and buckets, the status machine, priorities."""

from __future__ import annotations

import pytest

from helpdesk.domain.status import (
    ACTIVE_STATUSES,
    BUCKETS,
    Priority,
    Status,
    TransitionError,
    can_transition,
    check_transition,
    status_after_customer_reply,
)


def test_the_seven_statuses_in_order() -> None:
    assert [s.value for s in Status] == [
        "new",
        "open",
        "waiting_internal",
        "waiting_customer",
        "clarify",
        "closed",
        "trash",
    ]


@pytest.mark.parametrize(
    ("status", "de", "en"),
    [
        (Status.NEW, "neu", "new"),
        (Status.OPEN, "offen", "open"),
        (Status.WAITING_INTERNAL, "warten auf Intern", "waiting for internal"),
        (Status.WAITING_CUSTOMER, "warten auf Kunde", "waiting for customer"),
        (Status.CLARIFY, "klären", "to clarify"),
        (Status.CLOSED, "abgeschlossen", "closed"),
        (Status.TRASH, "Papierkorb", "trash"),
    ],
)
def test_labels(status: Status, de: str, en: str) -> None:
    assert status.label() == de
    assert status.label("de") == de
    assert status.label("en") == en
    assert status.label("fr") == de  # unknown languages fall back to German


def test_buckets() -> None:
    assert BUCKETS == ("active", "closed", "trash")
    assert {s: s.bucket for s in Status} == {
        Status.NEW: "active",
        Status.OPEN: "active",
        Status.WAITING_INTERNAL: "active",
        Status.WAITING_CUSTOMER: "active",
        Status.CLARIFY: "active",
        Status.CLOSED: "closed",
        Status.TRASH: "trash",
    }
    assert frozenset({Status.NEW, Status.OPEN, Status.WAITING_INTERNAL, Status.WAITING_CUSTOMER, Status.CLARIFY}) == (
        ACTIVE_STATUSES
    )


def test_statuses_are_their_codes() -> None:
    assert Status("waiting_customer") is Status.WAITING_CUSTOMER
    assert Status.CLARIFY.value == "clarify"
    assert str(Status.CLARIFY) == "clarify"
    with pytest.raises(ValueError, match="'neu' is not a valid Status"):
        Status("neu")


# ---------------------------------------------------------------------------------------- transitions


@pytest.mark.parametrize("current", [s for s in Status if s is not Status.NEW])
def test_nothing_goes_back_to_new(current: Status) -> None:
    assert can_transition(current, Status.NEW) is False
    with pytest.raises(TransitionError) as info:
        check_transition(current, Status.NEW)
    assert info.value.current is current
    assert info.value.target is Status.NEW
    assert str(info.value) == f"status {current.value!r} cannot change to 'new'"


@pytest.mark.parametrize("status", list(Status))
def test_staying_in_a_status_is_always_allowed(status: Status) -> None:
    assert check_transition(status, status) is status


WORKING = [Status.OPEN, Status.WAITING_INTERNAL, Status.WAITING_CUSTOMER, Status.CLARIFY]


@pytest.mark.parametrize("current", [Status.NEW, *WORKING])
@pytest.mark.parametrize("target", [*WORKING, Status.CLOSED, Status.TRASH])
def test_agents_move_freely_between_working_states_and_may_close_or_trash(current: Status, target: Status) -> None:
    assert check_transition(current, target) is target


def test_a_closed_ticket_can_reopen() -> None:
    assert check_transition(Status.CLOSED, Status.OPEN) is Status.OPEN
    assert check_transition(Status.CLOSED, Status.WAITING_CUSTOMER) is Status.WAITING_CUSTOMER
    assert check_transition(Status.CLOSED, Status.TRASH) is Status.TRASH


@pytest.mark.parametrize("target", [Status.WAITING_INTERNAL, Status.CLARIFY])
def test_a_closed_ticket_reopens_only_to_open_or_waiting_for_the_customer(target: Status) -> None:
    assert can_transition(Status.CLOSED, target) is False
    with pytest.raises(TransitionError, match="status 'closed' cannot change to"):
        check_transition(Status.CLOSED, target)


def test_trash_can_be_restored_to_open_or_closed_only() -> None:
    assert {t for t in Status if t is not Status.TRASH and can_transition(Status.TRASH, t)} == {
        Status.OPEN,
        Status.CLOSED,
    }


def test_transition_error_is_a_value_error() -> None:
    assert issubclass(TransitionError, ValueError)


# --------------------------------------------------------------------------------- the customer's reply


@pytest.mark.parametrize(
    ("current", "after"),
    [
        (Status.WAITING_CUSTOMER, Status.OPEN),
        (Status.CLOSED, Status.OPEN),
        (Status.CLARIFY, Status.OPEN),
        (Status.NEW, Status.NEW),
        (Status.OPEN, Status.OPEN),
        (Status.WAITING_INTERNAL, Status.WAITING_INTERNAL),
        (Status.TRASH, Status.TRASH),
    ],
)
def test_status_after_customer_reply(current: Status, after: Status) -> None:
    assert status_after_customer_reply(current) is after


# ------------------------------------------------------------------------------------------- priority


def test_priority_order() -> None:
    assert [p.value for p in Priority] == ["lowest", "low", "medium", "high", "urgent"]
    assert [p.rank for p in Priority] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("priority", "raised"),
    [
        (Priority.LOWEST, Priority.LOW),
        (Priority.LOW, Priority.MEDIUM),
        (Priority.MEDIUM, Priority.HIGH),
        (Priority.HIGH, Priority.URGENT),
        (Priority.URGENT, Priority.URGENT),
    ],
)
def test_raised_caps_at_urgent(priority: Priority, raised: Priority) -> None:
    assert priority.raised() is raised


@pytest.mark.parametrize(
    ("priority", "de", "en"),
    [
        (Priority.LOWEST, "niedrigste", "lowest"),
        (Priority.LOW, "niedrig", "low"),
        (Priority.MEDIUM, "mittel", "medium"),
        (Priority.HIGH, "hoch", "high"),
        (Priority.URGENT, "dringend", "urgent"),
    ],
)
def test_priority_labels(priority: Priority, de: str, en: str) -> None:
    assert priority.label() == de
    assert priority.label("en") == en
    assert priority.label("xx") == de
