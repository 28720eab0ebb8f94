"""Mail fidelity (issue 18): every part, uuencoded attachments, over-long headers.

The mails are built here with the stdlib ``email`` package in the header styles of the programs that
send them; the fixtures in tests/data/mails have their own tests in test_mail_corpus.py.
"""

from __future__ import annotations

import binascii
from email.message import EmailMessage

import pytest

from helpdesk.domain.mail import Limits, parse_mail


def _base(subject: str = "Test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jörg Bäcker <j.baecker@kunde.example>"
    msg["To"] = "support@example-helpdesk.de"
    msg["Subject"] = subject
    msg["Date"] = "Thu, 12 Mar 2026 10:15:00 +0100"
    msg["Message-ID"] = "<fidelity@kunde.example>"
    return msg


# ------------------------------------------------------------------------------- over-long headers


def test_subject_longer_than_998_characters_is_cut_with_a_defect() -> None:
    subject = "Rückfrage " + "sehr lang " * 150  # 1510 characters, folded by the generator
    msg = _base(subject.strip())
    raw = msg.as_bytes()
    mail = parse_mail(raw)
    assert mail.subject == subject.strip()[:998]
    assert "Subject header longer than 998 characters; cut (the full value stays in the raw mail)" in mail.defects
    assert mail.limit_exceeded == []


def test_subject_of_998_characters_is_whole_and_no_defect() -> None:
    subject = "Ä" + "x" * 997
    mail = parse_mail(_base(subject).as_bytes())
    assert mail.subject == subject
    assert not any("longer than" in d for d in mail.defects)


def test_kept_header_longer_than_its_bound_is_cut_with_a_defect() -> None:
    msg = _base()
    msg["X-Mailer"] = "Mailer " + "x" * 700
    mail = parse_mail(msg.as_bytes())
    assert mail.headers["x-mailer"] == ("Mailer " + "x" * 700)[:500]
    assert "X-Mailer header longer than 500 characters; cut (the full value stays in the raw mail)" in mail.defects


def test_display_name_longer_than_its_bound_is_cut_with_a_defect() -> None:
    msg = _base()
    del msg["From"]
    msg["From"] = '"' + "Müller " * 40 + '" <m@kunde.example>'
    mail = parse_mail(msg.as_bytes())
    assert mail.sender_name == ("Müller " * 40).strip()[:200]
    assert "display name longer than 200 characters; cut (the full value stays in the raw mail)" in mail.defects


# -------------------------------------------------------------------------------- several inline parts


def _mixed(*parts: tuple[str, str]) -> bytes:
    msg = _base("Inline-Teile")
    msg.make_mixed()
    for body, subtype in parts:
        part = EmailMessage()
        part.set_content(body, subtype=subtype, charset="utf-8")
        del part["MIME-Version"]
        msg.attach(part)
    return msg.as_bytes()


def test_a_text_footer_after_html_is_in_the_html_view() -> None:
    # A gateway appends its footer as a text/plain part to an HTML mail.
    raw = _mixed(
        ("<p>Die Heizung im 2. OG fällt seit heute Morgen aus.</p>", "html"),
        ("--\nGesendet über das Mieterportal <https://portal.example> & geprüft", "plain"),
    )
    mail = parse_mail(raw)
    assert mail.text == (
        "Die Heizung im 2. OG fällt seit heute Morgen aus.\n\n"
        "--\nGesendet über das Mieterportal <https://portal.example> & geprüft"
    )
    assert mail.html.startswith("<p>Die Heizung im 2. OG fällt seit heute Morgen aus.</p>")
    # The text part is escaped into the HTML view, line breaks kept.
    assert "--<br>\nGesendet über das Mieterportal &lt;https://portal.example&gt; &amp; geprüft" in mail.html
    # new_text is the message, not just the footer.
    assert mail.new_text.startswith("Die Heizung im 2. OG fällt seit heute Morgen aus.")


def test_text_parts_between_html_parts_keep_their_order() -> None:
    raw = _mixed(("<p>Erster Teil</p>", "html"), ("Zweiter Teil", "plain"), ("<p>Dritter Teil</p>", "html"))
    mail = parse_mail(raw)
    assert mail.text == "Erster Teil\n\nZweiter Teil\n\nDritter Teil"
    assert mail.html.index("Erster") < mail.html.index("Zweiter") < mail.html.index("Dritter")


def test_text_only_mixed_parts_make_no_html() -> None:
    mail = parse_mail(_mixed(("Erster Teil", "plain"), ("Zweiter Teil", "plain")))
    assert mail.text == "Erster Teil\n\nZweiter Teil"
    assert mail.html == ""


def test_text_and_html_copies_of_the_same_message_in_mixed_are_not_doubled() -> None:
    # Form mailers that put both versions into multipart/mixed instead of multipart/alternative.
    raw = _mixed(
        ("Guten Tag,\n\nbitte rufen Sie mich zurück.\n\nMfG Jörg Bäcker", "plain"),
        ("<p>Guten Tag,</p><p>bitte rufen Sie mich zurück.</p><p>MfG Jörg Bäcker</p>", "html"),
    )
    mail = parse_mail(raw)
    assert mail.text == "Guten Tag,\n\nbitte rufen Sie mich zurück.\n\nMfG Jörg Bäcker"
    assert mail.html.count("rufen Sie mich") == 1
    assert mail.html.startswith("<p>Guten Tag,</p>")


# ------------------------------------------------------------------------------------------ uuencode


def _uu(name: str, data: bytes, mode: str = "644") -> str:
    lines = [f"begin {mode} {name}"]
    lines += [binascii.b2a_uu(data[i : i + 45]).decode().rstrip("\n") for i in range(0, len(data), 45)]
    return "\n".join([*lines, "`", "end"])


def _plain(body: str, cte: str | None = None) -> bytes:
    msg = _base("uuencode")
    msg.set_content(body, charset="utf-8", cte=cte)
    return msg.as_bytes()


def test_uuencoded_block_in_a_mime_text_part() -> None:
    data = bytes(range(256)) * 3
    text = f"Hallo,\n\nhier die Datei:\n\n{_uu('bild.png', data)}\n\nGrüße\nJörg"
    mail = parse_mail(_plain(text, "quoted-printable"))
    [att] = mail.attachments
    assert (att.filename, att.content_type, att.data) == ("bild.png", "image/png", data)
    assert mail.text == "Hallo,\n\nhier die Datei:\n\nGrüße\nJörg"
    assert "uuencoded attachment 'bild.png' in the text; decoded" in mail.defects


def test_uuencoded_lines_without_their_trailing_spaces() -> None:
    # Mail programs strip trailing spaces, and a space is a zero in uuencode: the line gets short.
    data = b"abc" + bytes(42)  # ends in zero bytes, encoded as trailing spaces (without backtick)
    block = "\n".join(
        [
            "begin 600 nullen.bin",
            binascii.b2a_uu(data).decode().rstrip("\n").rstrip(" "),
            "`",
            "end",
        ]
    )
    mail = parse_mail(_plain(f"Datei:\n{block}\n", "base64"))
    [att] = mail.attachments
    assert att.data == data
    assert (att.filename, att.content_type) == ("nullen.bin", "application/octet-stream")


def test_uuencoded_name_is_data_not_a_path() -> None:
    mail = parse_mail(_plain(_uu("../../etc/Prüfung.txt", b"hallo\n", mode="0644")))
    [att] = mail.attachments
    assert att.filename == "Prüfung.txt"
    assert att.data == b"hallo\n"


@pytest.mark.parametrize(
    "text",
    [
        "Wir begin 644 Projekte im Jahr.",  # not at the start of a line
        "begin 644 Projekte im Jahr, sagen wir.\nDas ist viel.\nend",  # no uuencoded lines
        "begin 644 datei.bin\nM86)C\n",  # no end line: a cut-off block stays as it is
    ],
)
def test_text_that_only_looks_like_uuencode_stays_text(text: str) -> None:
    mail = parse_mail(_plain(text))
    assert mail.attachments == []
    assert mail.text == text.strip("\n")


def test_uuencoded_block_larger_than_the_attachment_limit() -> None:
    data = bytes(range(256)) * 8
    mail = parse_mail(_plain(f"Text\n{_uu('gross.bin', data)}\n"), Limits(max_attachment_bytes=1000))
    assert mail.attachments == []
    assert mail.text == "Text"
    assert mail.limit_exceeded == [
        "attachment 'gross.bin' larger than 1000 bytes (not stored separately; it stays in the raw mail)"
    ]


# -------------------------------------------------------------------------------------- robustness


def test_raw_8bit_content_id_does_not_fail_the_mail() -> None:
    # compat32 hands out a Header object (not a str) for a header with raw 8-bit bytes.
    raw = (
        b"From: a@example.de\r\nMessage-ID: <m@example.de>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
        b"--B\r\nContent-Type: text/plain\r\n\r\nText\r\n--B\r\nContent-Type: image/png\r\n"
        b"Content-ID: <bild\xfc@example.de>\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--B--\r\n"
    )
    mail = parse_mail(raw)
    [image] = mail.attachments
    assert image.data == b"\x89PNG\r\n\x1a\n"
    assert mail.text == "Text"
