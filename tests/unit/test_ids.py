"""Identifiers: ULIDs sort in creation order; Message-IDs are normalised for the index."""

from __future__ import annotations

import re

from helpdesk.domain.ids import message_ids_in, new_id, new_message_id, normalize_message_id, synthetic_message_id


def test_ulids_made_one_after_another_sort_in_that_order() -> None:
    ids = [new_id() for _ in range(5000)]  # thousands per millisecond: the monotonic branch is exercised
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)


def test_message_ids() -> None:
    assert re.fullmatch(r"<[0-9a-z]{26}\.helpdesk@example\.com>", new_message_id("example.com"))
    assert normalize_message_id("  <Abc.Def@Mail.Example>  ") == "Abc.Def@Mail.Example"
    assert normalize_message_id("no brackets@x") is None  # whitespace inside: not an id
    assert normalize_message_id("") is None
    assert message_ids_in("<a@x> <b@x>\r\n <a@x> junk <c@x>") == ["a@x", "b@x", "c@x"]
    assert synthetic_message_id("a", b"same") == synthetic_message_id("a", b"same") != synthetic_message_id("a", b"x")
    assert synthetic_message_id("ab", "c") != synthetic_message_id("a", "bc")  # parts are delimited


def test_mail_without_message_id_gets_the_same_id_whatever_trace_headers_were_added() -> None:
    from helpdesk.domain.mail import parse_mail

    original = b"From: a@kunde.example\r\nTo: support@example.com\r\nSubject: ohne ID\r\n\r\nHallo\r\n"
    trace = b"Received: from mx1 by inbound-smtp for support@example.com; now\r\nX-SES-Spam-Verdict: PASS\r\n"
    via_ses = trace + original
    via_other = b"Received: from mx2 by relay; later\r\n" + original
    first, second, third = parse_mail(original), parse_mail(via_ses), parse_mail(via_other)
    assert first.message_id_synthetic
    assert first.message_id == second.message_id == third.message_id
    changed = parse_mail(original.replace(b"Hallo", b"Hallo!"))
    assert changed.message_id != first.message_id
