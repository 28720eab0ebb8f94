"""The outgoing-header guard against RFC 2047 injection (issue 10, finding 1), on plain values.

Python 3.11's ``email`` package decodes encoded words in every header value it is given and writes
the decoded CR LF out as a header break (CVE-2024-6923 is not fixed here). These tests feed hostile
encoded words through the inbound decoder and the outbound builder, with a fixed seed.
"""

from __future__ import annotations

import base64
import quopri
from email import message_from_bytes, policy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.domain.config import DEFAULT_AUTOREPLY_SUBJECT, LocalizedText, Mailbox
from helpdesk.domain.header_guard import (
    HeaderInjection,
    as_mail_reads,
    check_generated,
    header_safe,
    plain_message_id,
    valid_address,
)
from helpdesk.domain.headers import Address, decode_header_value, header_line
from helpdesk.domain.mail import parse_mail
from helpdesk.domain.outgoing import OutgoingMail, build_mime
from helpdesk.domain.templating import render_line

# What an attacker wants in our headers: a header of their own, or the start of the body.
INJECTIONS = [
    "\r\nReply-To: billing@evil.test",
    "\r\nBcc: victim@evil.test",
    "\r\n\r\nPlease pay to IBAN DE00 0000",
    "\nX-Evil: 1",
    "\rX-Evil: 1",
    "\x00X-Evil: 1",
    "\x0bX-Evil: 1",
    "\x85X-Evil: 1",
    "\u2028X-Evil: 1",
]


def q_word(text: str, charset: str = "utf-8") -> str:
    encoded = quopri.encodestring(text.encode(charset), header=True).decode("ascii")
    encoded = encoded.replace("=\n", "").replace("\r", "=0D").replace("\n", "=0A").replace("?", "=3F")
    return f"=?{charset}?q?{encoded}?="


def b_word(text: str, charset: str = "utf-8") -> str:
    return f"=?{charset}?b?{base64.b64encode(text.encode(charset)).decode('ascii')}?="


@st.composite
def hostile(draw: st.DrawFn) -> str:
    """An ASCII header value carrying an injection in encoded words: q or b, double-encoded, next to a
    malformed word, folded over two lines, glued to text."""
    payload = "x" + draw(st.sampled_from(INJECTIONS))
    first = draw(st.sampled_from([q_word, b_word]))
    word = first(payload, draw(st.sampled_from(["utf-8", "iso-8859-1"])) if payload.isascii() else "utf-8")
    for _ in range(draw(st.integers(0, 2))):  # double- and triple-encoded
        word = draw(st.sampled_from([q_word, b_word]))(word)
    prefix = draw(st.sampled_from(["", "Hallo ", "Re: ", "Rechnung"]))  # "Rechnung=?…" is glued
    suffix = draw(st.sampled_from(["", " =?bad", " =?utf-8?b?A?=", " =?utf-8?x?zz?=", " =?utf-8?q?", " Ende"]))
    if draw(st.booleans()):
        return f"{prefix}{word}\r\n {suffix.strip() or 'x'}"  # folded
    return f"{prefix}{word}{suffix}"


def raw_mail(subject: str, name: str) -> bytes:
    return (
        f'From: "{name}" <kunde@kunde.example>\r\n'
        "To: support@example.com\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <hostile@kunde.example>\r\n"
        "Date: Wed, 02 Dec 2026 10:00:00 +0100\r\n"
        "\r\n"
        "Hallo\r\n"
    ).encode("ascii")


def settled(value: str) -> bool:
    """No control character, and the ``email`` package reads it back as itself."""
    return header_safe(value, "value") == value and as_mail_reads(value) == value


def generated_headers(raw: bytes) -> list[str]:
    return [name.lower() for name in message_from_bytes(raw, policy=policy.default)]


EXPECTED = [
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "auto-submitted",
    "x-auto-response-suppress",
    "precedence",
    "x-helpdesk-ticket",
    "x-loop",
    "content-type",
    "content-transfer-encoding",
    "mime-version",
]


@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=hostile(), name=hostile())
def test_hostile_subject_and_name_become_an_auto_reply_with_only_our_headers(subject: str, name: str) -> None:
    parsed = parse_mail(raw_mail(subject, name))
    assert settled(parsed.subject), parsed.subject
    assert settled(parsed.sender_name), parsed.sender_name
    assert parsed.sender == "kunde@kunde.example"
    # The auto-reply as the ingest builds it: the mailbox's subject template with the customer's subject.
    values = {"TICKET": "T-2026-000001", "BETREFF": parsed.subject, "SUBJECT": parsed.subject}
    reply = OutgoingMail(
        sender=Address("Support", "support@example.com"),
        to=[Address(parsed.sender_name, parsed.sender)],
        subject=render_line(DEFAULT_AUTOREPLY_SUBJECT.de, values),
        text="Danke",
        message_id="<ar@example.com>",
        in_reply_to=f"<{parsed.message_id}>",
        references=[f"<{parsed.message_id}>"],
        auto_submitted="auto-replied",
        ticket_number="T-2026-000001",
    )
    raw = build_mime(reply)
    assert generated_headers(raw) == EXPECTED
    sent = message_from_bytes(raw, policy=policy.default)
    assert "\n" not in str(sent["Subject"]) and "\r" not in str(sent["To"])
    assert sent.get_content().strip() == "Danke"


@settings(max_examples=100, derandomize=True, deadline=None)
@given(value=hostile())
def test_strict_values_with_an_encoded_line_break_are_refused(value: str) -> None:
    with pytest.raises(HeaderInjection):
        header_safe(value, "subject")
    with pytest.raises(HeaderInjection):
        build_mime(
            OutgoingMail(
                sender=Address("S", "support@example.com"),
                to=[Address("K", "k@kunde.example")],
                subject=value,
                text="x",
                message_id="<a@example.com>",
            )
        )
    assert settled(header_line(value))


@settings(max_examples=100, derandomize=True, deadline=None)
@given(value=hostile())
def test_an_admin_cannot_store_an_encoded_line_break_in_a_mailbox(value: str) -> None:
    from helpdesk.domain.records import RecordError

    with pytest.raises(RecordError):
        Mailbox.model_validate({"id": "m", "address": "support@example.com", "name": value})
    with pytest.raises(RecordError):
        Mailbox.model_validate({"id": "m", "address": "support@example.com", "autoreply_subject": {"de": value}})
    with pytest.raises(ValueError, match="line breaks"):  # also when code makes it
        Mailbox(id="m", address="support@example.com", autoreply_subject=LocalizedText(de=value, en="x"))


def test_the_attack_run_subjects_are_decoded_and_cleaned() -> None:
    # Found by the attack run: double-encoded, and followed by one malformed encoded word.
    double = q_word(q_word("x\r\nReply-To: billing@evil.test"))
    assert decode_header_value(double) == "x Reply-To: billing@evil.test"
    beside = "=?utf-8?q?x=0D=0AReply-To:_billing@evil.test?= =?utf-8?b?A?="
    defects: list[str] = []
    assert decode_header_value(beside, defects) == "x Reply-To: billing@evil.testA"
    assert settled(decode_header_value(beside))
    assert any("encoded word left after decoding" in d for d in defects)


def test_a_value_that_reads_back_as_itself_is_kept() -> None:
    assert header_safe("Ärger mit der Rechnung\t(2)", "subject") == "Ärger mit der Rechnung\t(2)"
    assert header_line("Preis = ? Euro") == "Preis = ? Euro"
    assert header_line("Re: Ihre Anfrage [#T-1]") == "Re: Ihre Anfrage [#T-1]"
    assert decode_header_value("=?utf-8?q?Gr=C3=BC=C3=9Fe?=") == "Grüße"


@pytest.mark.parametrize(
    ("address", "ok"),
    [
        ("kunde@kunde.example", True),
        ("jürgen@kunde.example", True),
        ("a\x0b@kunde.example", False),  # the attack run's \x0b passed validation, then failed with 502
        ("a@kunde.example\x0b", False),
        ("a@kunde.example\r", False),
        ("a b@kunde.example", False),
        ("a@kunde..example", False),
        ("a@-kunde.example", False),
        ("<a@kunde.example>", False),
        ("a@kunde.example, b@kunde.example", False),
        ("a@kunde.example>Bcc: v@evil.test", False),
        ("=?utf-8?q?a=0D=0A?=@kunde.example", False),
        ("joerg", False),
        ("@kunde.example", False),
        (".a@kunde.example", False),
    ],
)
def test_addresses_are_checked_by_a_parser(address: str, ok: bool) -> None:
    assert bool(valid_address(address)) is ok


def test_message_ids_we_quote_back_are_plain() -> None:
    assert plain_message_id("abc.123@kunde.example")
    assert not plain_message_id("=?utf-8?q?=0D=0A?=@kunde.example")
    assert not plain_message_id("a\x00b@kunde.example")
    assert not plain_message_id("")


def test_a_generated_mail_with_a_header_we_did_not_set_is_refused() -> None:
    raw = b"From: a@example.com\r\nReply-To: evil@evil.test\r\nSubject: x\r\n\r\nbody"
    check_generated(raw, ["From", "Reply-To", "Subject"])
    with pytest.raises(HeaderInjection):
        check_generated(raw, ["From", "Subject"])
    with pytest.raises(HeaderInjection):
        check_generated(b"From: a@example.com\r\nSubject: x\r\nIBAN DE00\r\n\r\nbody", ["From", "Subject"])


def test_the_domain_classes_match_exactly_the_characters_the_readable_ranges_name() -> None:
    """``_LABEL``/``_INSIDE`` are cheap-to-compile negated classes (a cold start compiled the readable
    ranges in about 10 ms); they must accept exactly the same characters, all 1,114,112 of them."""
    import re

    from helpdesk.domain import header_guard

    text = "".join(map(chr, range(0x110000)))
    for cheap, readable in (
        (header_guard._LABEL, r"[A-Za-z0-9\u0080-\uffff]"),
        (header_guard._INSIDE, r"[A-Za-z0-9\u0080-\uffff.-]"),
    ):
        assert re.findall(cheap, text) == re.findall(readable, text)
