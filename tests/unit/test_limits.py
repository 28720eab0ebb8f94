"""MIME-bomb limits of domain/mail/ (prescan, walk): hostile mails still become tickets, flagged, with what was read.

Every mail here is built in the test. Where a default limit would need a big input, a tightened
:class:`Limits` keeps the input small; the defaults are checked where that is cheap.
"""

from __future__ import annotations

import base64

from helpdesk.domain.headers import Address
from helpdesk.domain.mail import DEFAULT_LIMITS, Limits, ParsedMail, parse_mail
from helpdesk.domain.mail.raw import header_end, raw_body

HEAD = (
    b"From: =?utf-8?q?J=C3=B6rg_=C3=84rger?= <joerg@kunde.example>\r\n"
    b"To: support@helpdesk.example\r\n"
    b"Subject: =?utf-8?q?Pr=C3=BCfung?= der Rechnung\r\n"
    b"Message-ID: <bomb-1@kunde.example>\r\n"
    b"Date: Thu, 26 Nov 2026 10:00:00 +0100\r\n"
    b"MIME-Version: 1.0\r\n"
)


def multipart(parts: list[bytes], subtype: bytes = b"mixed", boundary: bytes = b"b0") -> bytes:
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
    return (
        b"Content-Type: multipart/"
        + subtype
        + b"; boundary="
        + boundary
        + b"\r\n\r\n"
        + body
        + b"--"
        + boundary
        + b"--"
    )


def text_part(text: str, headers: bool = True) -> bytes:
    head = b'Content-Type: text/plain; charset="utf-8"\r\n' if headers else b""
    return head + b"\r\n" + text.encode("utf-8")


def attachment(name: str, data: bytes) -> bytes:
    return (
        b'Content-Type: application/octet-stream; name="' + name.encode() + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(data)
    )


def nested(depth: int, inner: bytes) -> bytes:
    """``depth`` multipart/mixed containers, each holding the next; ``inner`` in the deepest one."""
    entity = inner
    for level in range(depth, 0, -1):
        entity = multipart([entity], boundary=b"lvl%d" % level)
    return entity


def assert_readable(mail: ParsedMail) -> None:
    assert mail.subject == "Prüfung der Rechnung"
    assert mail.from_ == Address("Jörg Ärger", "joerg@kunde.example")
    assert mail.message_id == "bomb-1@kunde.example"
    assert mail.date == "2026-11-26T09:00:00.000000Z"


# ------------------------------------------------------------------------------------------- baseline


def test_an_ordinary_mail_exceeds_nothing() -> None:
    mail = parse_mail(HEAD + multipart([text_part("Hallo"), attachment("a.bin", b"x" * 100)]))
    assert_readable(mail)
    assert mail.limit_exceeded == []
    assert mail.text == "Hallo"
    assert [a.filename for a in mail.attachments] == ["a.bin"]


def test_the_default_limits() -> None:
    expected = Limits(
        max_raw_bytes=40 * 1024 * 1024,
        max_parts=500,
        max_depth=20,
        max_headers=1000,
        max_header_bytes=512 * 1024,
        max_attachment_bytes=30 * 1024 * 1024,
        max_text_chars=2_000_000,
    )
    assert expected == DEFAULT_LIMITS


# -------------------------------------------------------------------------------------------- parts


def test_more_than_max_parts_stops_reading_parts() -> None:
    """bpo-31449 class: 1200 parts, within the pre-scan's margin; the walker stops at the 500th."""
    parts = [text_part(f"Teil {i}") for i in range(1200)]
    mail = parse_mail(HEAD + multipart(parts))
    assert_readable(mail)
    assert mail.limit_exceeded == ["more than 500 MIME parts"]
    assert mail.text.startswith("Teil 0\n\nTeil 1\n\n")
    assert "Teil 498" in mail.text
    assert "Teil 499" not in mail.text  # the container itself is the first of the 500


def test_too_many_parts_are_not_parsed_at_all() -> None:
    """Past four times max_parts the body is not handed to the parser (its work grows with the parts)."""
    parts = [attachment(f"f{i}.bin", b"x") for i in range(1100)]
    mail = parse_mail(HEAD + multipart([text_part("Hallo"), *parts]), Limits(max_parts=250))
    assert_readable(mail)
    assert mail.limit_exceeded == ["more than 250 MIME parts (headers read only)"]
    assert mail.attachments == []
    assert mail.text == "(The body was not read: see the limits noted on this ticket.)"


def test_parts_without_headers_count_too() -> None:
    """Parts need no Content-Type header (text/plain is the default): the pre-scan counts boundaries."""
    parts = [text_part(f"{i}", headers=False) for i in range(1100)]
    mail = parse_mail(HEAD + multipart(parts), Limits(max_parts=250))
    assert_readable(mail)
    assert mail.limit_exceeded == ["more than 250 MIME parts (headers read only)"]
    assert mail.attachments == []


def test_thousands_of_alternatives_hit_the_part_limit() -> None:
    parts = [text_part(f"Variante {i}", headers=False) for i in range(1200)]
    mail = parse_mail(HEAD + multipart(parts, b"alternative"))
    assert_readable(mail)
    assert mail.limit_exceeded == ["more than 500 MIME parts"]


def test_many_sibling_multiparts_are_neither_too_many_nor_too_deep() -> None:
    """50 forwarded-style alternatives side by side: 151 parts, nesting 2; nothing is cut."""
    siblings = [
        multipart([text_part(f"Text {i}"), text_part(f"Noch {i}")], b"alternative", b"alt%d" % i) for i in range(50)
    ]
    mail = parse_mail(HEAD + multipart(siblings))
    assert mail.limit_exceeded == []
    assert mail.text.split("\n\n") == [f"Noch {i}" for i in range(50)]


def test_lines_that_only_look_like_boundaries_do_not_count() -> None:
    table = "\r\n".join(["-----+-----", "-- ", "--b0x", "--"] * 1000)
    mail = parse_mail(HEAD + multipart([text_part(table)]), Limits(max_parts=100))
    assert mail.limit_exceeded == []
    assert mail.text.count("-----+-----") == 1000


def test_a_normal_alternative_is_read() -> None:
    html = b'Content-Type: text/html; charset="utf-8"\r\n\r\n<p>Hallo <b>Welt</b></p>'
    mail = parse_mail(HEAD + multipart([text_part("Hallo Welt"), html], b"alternative"))
    assert mail.limit_exceeded == []
    assert mail.text == "Hallo Welt"
    assert mail.html == "<p>Hallo <b>Welt</b></p>"


# -------------------------------------------------------------------------------------------- depth


def test_nesting_deeper_than_max_depth_reads_the_upper_levels() -> None:
    body = multipart([text_part("oben"), nested(25, text_part("ganz unten"))], boundary=b"top")
    mail = parse_mail(HEAD + body)
    assert_readable(mail)
    assert mail.limit_exceeded == ["MIME nesting deeper than 20"]
    assert mail.text == "oben"


def test_nesting_at_max_depth_is_read() -> None:
    mail = parse_mail(HEAD + nested(20, text_part("ganz unten")))
    assert mail.limit_exceeded == []
    assert mail.text == "ganz unten"


def test_absurd_nesting_does_not_break_the_parser() -> None:
    """1000 levels: deeper than Python's recursion limit in the stdlib parser."""
    mail = parse_mail(HEAD + nested(1000, text_part("ganz unten")))
    assert_readable(mail)
    assert mail.limit_exceeded == ["MIME nesting deeper than 20 (headers read only)"]
    assert mail.text == "(The body was not read: see the limits noted on this ticket.)"


def test_deep_nesting_is_refused_before_parsing_with_a_tight_limit() -> None:
    mail = parse_mail(HEAD + nested(12, text_part("ganz unten")), Limits(max_depth=5))
    assert_readable(mail)
    assert mail.limit_exceeded == ["MIME nesting deeper than 5 (headers read only)"]


def test_forwarded_mails_nested_past_the_recursion_limit() -> None:
    """message/rfc822 inside message/rfc822 (no boundaries at all), 1000 times: the parser recurses."""
    inner = b"Subject: innen\r\n\r\nText"
    for _ in range(1000):
        inner = b"Content-Type: message/rfc822\r\n\r\n" + inner
    mail = parse_mail(HEAD + inner)
    assert_readable(mail)
    assert mail.limit_exceeded == ["MIME structure too deep to read (headers read only)"]
    assert mail.text == "(The body was not read: see the limits noted on this ticket.)"
    assert mail.attachments == []


# ------------------------------------------------------------------------------------------ headers


def test_thousands_of_header_lines() -> None:
    filler = b"".join(b"X-Filler-%d: %d\r\n" % (i, i) for i in range(5000))
    mail = parse_mail(HEAD + filler + b"Content-Type: text/plain\r\n\r\nHallo")
    assert_readable(mail)
    assert mail.limit_exceeded == ["more than 1000 header lines"]
    assert mail.text == "Hallo"


def test_an_oversized_header_block_is_read_up_to_the_limit() -> None:
    filler = b"X-Filler: " + b"a" * 70 + b"\r\n"
    mail = parse_mail(HEAD + filler * 100 + b"\r\nHallo", Limits(max_header_bytes=4 * 1024))
    assert_readable(mail)
    assert mail.limit_exceeded == ["header block larger than 4 KB"]
    assert mail.text == "(The body was not read: see the limits noted on this ticket.)"
    assert mail.defects == []  # the header the limit cuts in half is dropped, not read as the body


def test_an_oversized_header_block_with_default_limits() -> None:
    filler = b"X-Filler: " + b"a" * 990 + b"\r\n"
    mail = parse_mail(HEAD + filler * 530 + b"\r\nHallo")
    assert_readable(mail)
    assert mail.limit_exceeded == ["header block larger than 512 KB"]


def test_a_mail_that_is_only_a_huge_header() -> None:
    mail = parse_mail(HEAD + b"X-Filler: " + b"a" * 10_000, Limits(max_header_bytes=1024))
    assert_readable(mail)
    assert mail.limit_exceeded == ["header block larger than 1 KB"]


# ------------------------------------------------------------------------------------------ sizes


def test_a_mail_over_max_raw_bytes_is_read_as_headers_only() -> None:
    body = multipart([text_part("Hallo"), attachment("gross.bin", b"x" * 30_000)])
    mail = parse_mail(HEAD + body, Limits(max_raw_bytes=16 * 1024))
    assert_readable(mail)
    assert mail.limit_exceeded == ["mail larger than 16 KB (headers read only)"]
    assert mail.attachments == []
    assert mail.size == len(HEAD + body)


def test_the_raw_limit_is_named_in_bytes_when_it_is_no_round_number() -> None:
    mail = parse_mail(HEAD + b"\r\n" + b"x" * 20_000, Limits(max_raw_bytes=10_000))
    assert_readable(mail)
    assert mail.limit_exceeded == ["mail larger than 10000 bytes (headers read only)"]


def test_an_attachment_over_the_limit_is_not_stored_separately() -> None:
    body = multipart(
        [text_part("Anbei die Dateien"), attachment("klein-ä.bin", b"k" * 100), attachment("groß.bin", b"g" * 5000)]
    )
    mail = parse_mail(HEAD + body, Limits(max_attachment_bytes=1024))
    assert_readable(mail)
    assert mail.limit_exceeded == [
        "attachment 'groß.bin' larger than 1 KB (not stored separately; it stays in the raw mail)"
    ]
    assert [(a.filename, a.size) for a in mail.attachments] == [("klein-ä.bin", 100)]  # raw UTF-8 names
    assert mail.text == "Anbei die Dateien"


def test_an_attachment_limit_in_megabytes() -> None:
    data = b"\x00" * (2 * 1024 * 1024 + 1)
    mail = parse_mail(HEAD + multipart([attachment("a.bin", data)]), Limits(max_attachment_bytes=2 * 1024 * 1024))
    assert mail.limit_exceeded == [
        "attachment 'a.bin' larger than 2 MB (not stored separately; it stays in the raw mail)"
    ]
    assert mail.attachments == []


def test_an_attachment_exactly_at_the_limit_is_kept() -> None:
    mail = parse_mail(HEAD + multipart([attachment("a.bin", b"a" * 1024)]), Limits(max_attachment_bytes=1024))
    assert mail.limit_exceeded == []
    assert [a.size for a in mail.attachments] == [1024]


def test_an_over_long_text_part_is_cut() -> None:
    mail = parse_mail(
        HEAD + b'Content-Type: text/plain; charset="utf-8"\r\n\r\n' + ("ä" * 5000).encode(), Limits(max_text_chars=1000)
    )
    assert_readable(mail)
    assert mail.limit_exceeded == ["text part longer than 1000 characters (cut)"]
    assert mail.text == "ä" * 1000


def test_several_over_long_text_parts_are_noted_once() -> None:
    body = multipart([text_part("a" * 2000), text_part("b" * 2000)])
    mail = parse_mail(HEAD + body, Limits(max_text_chars=1000))
    assert mail.limit_exceeded == ["text part longer than 1000 characters (cut)"]
    assert mail.text == "a" * 1000 + "\n\n" + "b" * 1000


def test_several_limits_at_once() -> None:
    filler = b"".join(b"X-F: %d\r\n" % i for i in range(50))
    body = multipart([text_part("x" * 500), attachment("a.bin", b"a" * 500)])
    mail = parse_mail(HEAD + filler + body, Limits(max_headers=20, max_text_chars=100, max_attachment_bytes=100))
    assert_readable(mail)
    assert mail.limit_exceeded == [
        "more than 20 header lines",
        "text part longer than 100 characters (cut)",
        "attachment 'a.bin' larger than 100 bytes (not stored separately; it stays in the raw mail)",
    ]


def test_lf_only_headers_end_at_the_first_blank_line_even_if_the_body_has_a_crlf_one_later() -> None:
    """The header block ends at the first blank line, LF or CRLF. An LF-only mail (procmail, mbox exports)
    whose body has a CRLF blank line further down was cut there: the body read as one huge header block
    ("header block larger than 512 KB", body not read)."""
    body = ("Zeile mit Text\n" * 40_000) + "Anhang folgt:\r\n\r\nEnde\n"
    raw = (
        "From: Kundin <kundin@kunde.example>\nTo: support@example.com\nSubject: LF-Mail\n"
        "Message-ID: <lf-1@kunde.example>\n\n" + body
    ).encode()
    mail = parse_mail(raw)
    assert mail.limit_exceeded == []
    assert mail.subject == "LF-Mail"
    assert mail.text.startswith("Zeile mit Text") and "Ende" in mail.text


def test_a_mail_without_a_blank_line_is_all_header_block() -> None:
    """header_end says -1 when no blank line ends the headers: the block is the whole mail, the body empty."""
    raw = b"From: a@kunde.example\r\nTo: support@example.com\r\nSubject: Alarm\r\nX-Trace: 1"
    assert header_end(raw) == -1
    assert raw_body(raw) == b""
    assert header_end(b"Subject: x\n\nText\r\n\r\nmehr") == len(b"Subject: x")


def test_a_headers_only_mail_without_message_id_takes_no_header_byte_for_its_body() -> None:
    """Issue 11's review: with no blank line, the body behind the synthetic Message-ID was sliced
    ``raw[-1:]`` (the last byte of the headers), so two alerts that differ only in a trace header's last
    character got different ids. Without a blank line the body is empty; only From/To/Date/Subject count."""
    head = b"From: monitor@kunde.example\r\nTo: support@example.com\r\nSubject: DISK FULL\r\nX-Trace: "
    first, second = parse_mail(head + b"1"), parse_mail(head + b"2")
    assert first.message_id_synthetic and second.message_id_synthetic
    assert first.message_id == second.message_id
