"""Identifiers: ULIDs sort in creation order; Message-IDs are normalised for the index."""

from __future__ import annotations

import re

from helpdesk.domain.ids import (
    message_ids_in,
    new_id,
    new_message_id,
    normalize_message_id,
    object_message_id,
    synthetic_message_id,
    variant_message_id,
)


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


SENT = b"From: a@kunde.example\r\nTo: support@example.com\r\nSubject: Hallo\r\n\r\nText\r\n"


def test_trace_headers_are_dropped_from_the_top_only() -> None:
    from helpdesk.domain.ids import without_trace_headers

    relayed = (
        b"Return-Path: <a@kunde.example>\r\n"
        b"Received: from mx.kunde.example (mx.kunde.example [203.0.113.5])\r\n"
        b"\tby inbound-smtp.eu-central-1.amazonaws.com with SMTP id abc\r\n"
        b" for support@example.com; Thu, 26 Nov 2026 12:00:00 +0000\r\n"
        b"X-SES-Spam-Verdict: PASS\r\n"
        b"Authentication-Results: amazonses.com; spf=pass; dkim=pass\r\n"
        b"ARC-Seal: i=1; a=rsa-sha256; cv=none\r\n"
    )
    assert without_trace_headers(relayed + SENT) == SENT
    assert without_trace_headers(SENT) == SENT
    # a Received field written below the sender's own fields is the sender's, and stays
    late = SENT.replace(b"Subject: Hallo\r\n", b"Subject: Hallo\r\nReceived: by hand\r\n")
    assert without_trace_headers(late) == late
    assert without_trace_headers(b"Received: from nowhere") == b""  # nothing but a trace field
    assert without_trace_headers(b"") == b""


def test_a_mail_without_message_id_is_told_apart_by_its_inbound_object() -> None:
    assert object_message_id("inbound/a") == object_message_id("inbound/a") != object_message_id("inbound/b")
    assert object_message_id("inbound/a").endswith("@no-message-id.invalid")


def test_a_variant_id_is_no_message_id_a_mail_can_name() -> None:
    variant = variant_message_id("x@kunde.example", "0123abcd")
    assert normalize_message_id(f"<{variant}>") is None
    assert message_ids_in(f"<{variant}>") != [variant]


def test_the_content_digest_ignores_how_a_mail_travelled() -> None:
    from helpdesk.domain.mail import parse_mail

    original = (
        b"From: a@kunde.example\r\nTo: support@example.com\r\nSubject: Hallo\r\nMessage-ID: <m@kunde.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe\r\n"
    )
    relayed = b"Received: from mx2 by relay; later\r\n" + original.replace(b"support@", b"sales@")
    reencoded = original.replace(b"8bit", b"quoted-printable").replace(b"Gr\xc3\xbc\xc3\x9fe", b"Gr=C3=BC=C3=9Fe")
    digests = {parse_mail(raw).digest for raw in (original, relayed, reencoded, original.replace(b"\r\n", b"\n"))}
    assert len(digests) == 1
    assert parse_mail(original.replace(b"Gr\xc3\xbc", b"Hall")).digest not in digests
    assert parse_mail(original.replace(b"Subject: Hallo", b"Subject: Hallo!")).digest not in digests
