"""The reply check (domain/conflicts.py): what counts as new since the position a reply's author saw."""

from __future__ import annotations

from helpdesk.domain.conflicts import Entry, ReplyCheck, reply_check

CUSTOMER_MAIL = Entry(1, "message", "inbound", None, "m1")
AUTO_REPLY = Entry(2, "message", "outbound", "system", "m2")
ANNA_REPLY = Entry(3, "message", "outbound", "anna", "m3")
BEN_COMMENT = Entry(4, "comment", None, "ben", "c1")
ANNA_COMMENT = Entry(5, "comment", None, "anna", "c2")
FOLLOW_UP = Entry(6, "message", "inbound", None, "m4")


def test_without_a_seen_position_the_reply_is_not_checked() -> None:
    verdict = reply_check(None, [CUSTOMER_MAIL, ANNA_REPLY, FOLLOW_UP], actor="ben")
    assert verdict.reason is ReplyCheck.UNCHECKED and not verdict.stale and verdict.new == ()


def test_nothing_since_the_seen_position_is_current() -> None:
    verdict = reply_check(2, [AUTO_REPLY, CUSTOMER_MAIL], actor="ben")
    assert verdict.reason is ReplyCheck.CURRENT and not verdict.stale


def test_another_agents_reply_since_is_new_reply() -> None:
    verdict = reply_check(2, [CUSTOMER_MAIL, AUTO_REPLY, ANNA_REPLY], actor="ben")
    assert verdict.reason is ReplyCheck.NEW_REPLY and verdict.stale and verdict.new == (ANNA_REPLY,)


def test_the_agents_own_reply_since_counts_too_a_double_click_is_a_double_reply() -> None:
    assert reply_check(2, [ANNA_REPLY], actor="anna").reason is ReplyCheck.NEW_REPLY


def test_a_customer_message_wins_over_replies_and_comments_as_the_reason() -> None:
    verdict = reply_check(2, [BEN_COMMENT, FOLLOW_UP, ANNA_REPLY], actor="carla")
    assert verdict.reason is ReplyCheck.NEW_MESSAGE
    assert [e.id for e in verdict.new] == ["m3", "c1", "m4"]  # oldest first, whatever the order given


def test_a_colleagues_comment_counts_ones_own_does_not() -> None:
    assert reply_check(3, [BEN_COMMENT, ANNA_COMMENT], actor="anna").reason is ReplyCheck.NEW_COMMENT
    verdict = reply_check(4, [BEN_COMMENT, ANNA_COMMENT], actor="anna")
    assert verdict.reason is ReplyCheck.CURRENT


def test_confirmed_replies_go_out_and_still_name_what_was_new() -> None:
    verdict = reply_check(2, [ANNA_REPLY], actor="ben", confirmed=True)
    assert verdict.reason is ReplyCheck.CONFIRMED and not verdict.stale and verdict.new == (ANNA_REPLY,)


def test_confirming_when_nothing_is_new_is_simply_current() -> None:
    assert reply_check(3, [ANNA_REPLY], actor="ben", confirmed=True).reason is ReplyCheck.CURRENT


def test_entries_from_before_positions_existed_never_count() -> None:
    legacy = Entry(0, "message", "inbound", None, "old")
    assert reply_check(0, [legacy], actor="ben").reason is ReplyCheck.CURRENT


def test_for_the_customer_only_our_mails_since_count() -> None:
    assert reply_check(2, [ANNA_REPLY], actor=None).reason is ReplyCheck.NEW_REPLY
    # internal comments they never see; their own mails they know about
    assert reply_check(3, [BEN_COMMENT, FOLLOW_UP], actor=None).reason is ReplyCheck.CURRENT
