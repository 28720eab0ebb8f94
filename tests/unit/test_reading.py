"""domain/reading.py: "Ungelesen" per agent — unread when the last customer message is newer than my opening."""

from __future__ import annotations

from helpdesk.domain.reading import ReadMark, unread_for

T1, T2, T3 = "2026-05-01T10:00:00.000Z", "2026-05-01T11:00:00.000Z", "2026-05-01T12:00:00.000Z"


def test_a_customer_message_after_my_opening_is_unread_for_me() -> None:
    assert unread_for(T2, True, ReadMark(seen_through=T1)) is True
    assert unread_for(T2, True, ReadMark(seen_through=T2)) is False
    assert unread_for(T2, True, ReadMark(seen_through=None)) is True  # opened before the customer wrote


def test_marked_unread_by_hand_stays_unread_even_without_customer_messages() -> None:
    assert unread_for(T1, True, ReadMark(seen_through=T1, marked_unread=True)) is True
    assert unread_for(None, False, ReadMark(seen_through=None, marked_unread=True)) is True


def test_a_ticket_without_customer_messages_is_read() -> None:
    assert unread_for(None, False, None) is False
    assert unread_for(None, True, ReadMark(seen_through=None)) is False


def test_without_a_mark_the_team_flag_of_old_tickets_decides() -> None:
    assert unread_for(T3, True, None) is True  # never opened by me
    assert unread_for(T3, False, None) is False  # read by the team before marks were per agent
