"""domain/outgoing.py (build_mime) and domain/templating.py: proper MIME out, no header injection, safe templates."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

import pytest

from helpdesk.domain.headers import Address
from helpdesk.domain.outgoing import HeaderInjection, OutgoingAttachment, OutgoingMail, build_mime, header_safe
from helpdesk.domain.templating import html_values, render, render_html, render_line

SENDER = Address("Support Müller & Söhne", "support@helpdesk.example")
CUSTOMER = Address("Jörg Ärger", "joerg@kunde.example")
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4


def outgoing(**changes: Any) -> OutgoingMail:
    base = OutgoingMail(
        sender=SENDER,
        to=[CUSTOMER],
        subject="Ihre Anfrage [#T-2026-000123]: Überweisung für März",
        text="Guten Tag Jörg,\n\nwir kümmern uns darum.\n\nGrüße\n",
        message_id="<01kmw3z1q2y7h5x4v6n8b9c0d1.helpdesk@helpdesk.example>",
        html="<p>Guten Tag Jörg,</p><p>wir kümmern uns darum.</p>",
    )
    return dataclasses.replace(base, **changes)


def parsed(mail: OutgoingMail) -> EmailMessage:
    msg = email.message_from_bytes(build_mime(mail), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def header_block(raw: bytes) -> str:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii")


def unfolded(raw: bytes, name: str) -> str:
    """The raw value of one header, unfolded, not decoded."""
    match = re.search(rf"^{name}: (.*?)\r\n(?! )", header_block(raw) + "\r\n", re.MULTILINE | re.DOTALL)
    assert match, name
    return re.sub(r"\r\n ", " ", match.group(1))


# ----------------------------------------------------------------------------------------- build_mime


def test_addresses_and_subject_round_trip_with_umlauts() -> None:
    msg = parsed(outgoing(cc=[Address("Anna Übel", "anna@kunde.example"), Address("", "chef@kunde.example")]))
    assert msg["From"].addresses[0].display_name == "Support Müller & Söhne"
    assert msg["From"].addresses[0].addr_spec == "support@helpdesk.example"
    assert [(a.display_name, a.addr_spec) for a in msg["To"].addresses] == [("Jörg Ärger", "joerg@kunde.example")]
    assert [(a.display_name, a.addr_spec) for a in msg["Cc"].addresses] == [
        ("Anna Übel", "anna@kunde.example"),
        ("", "chef@kunde.example"),
    ]
    assert msg["Subject"] == "Ihre Anfrage [#T-2026-000123]: Überweisung für März"
    assert msg["Date"] is not None
    assert msg["Reply-To"] is None
    assert msg["Bcc"] is None


def test_the_raw_headers_are_ascii_with_encoded_words() -> None:
    raw = build_mime(outgoing())
    head = header_block(raw)  # decodes as ASCII or raises
    assert "=?utf-8?" in unfolded(raw, "Subject")
    assert "Überweisung" not in head
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only


def test_reply_to() -> None:
    msg = parsed(outgoing(reply_to=Address("Team", "team@helpdesk.example")))
    assert str(msg["Reply-To"]) == "Team <team@helpdesk.example>"


def test_message_id_and_threading_headers() -> None:
    references = [f"<ref-{i}@kunde.example>" for i in range(25)]
    raw = build_mime(outgoing(in_reply_to="<ref-24@kunde.example>", references=references))
    assert unfolded(raw, "References") == " ".join(references[-20:])
    assert max(len(line) for line in header_block(raw).split("\r\n")) <= 78  # short ids share lines
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Message-ID"] == "<01kmw3z1q2y7h5x4v6n8b9c0d1.helpdesk@helpdesk.example>"
    assert msg["In-Reply-To"] == "<ref-24@kunde.example>"
    assert msg["References"].split() == references[-20:]  # the newest 20


def test_long_message_ids_are_never_encoded_words() -> None:
    """Mail programs thread by the literal ids: an RFC 2047 encoded word in In-Reply-To/References breaks that."""
    long_ids = [f"<{'x' * 60}-{i}@mail.kunde-mit-sehr-langem-domainnamen.example>" for i in range(5)]
    raw = build_mime(outgoing(in_reply_to=long_ids[-1], references=long_ids))
    assert unfolded(raw, "In-Reply-To") == long_ids[-1]
    assert unfolded(raw, "References") == " ".join(long_ids)
    assert max(len(line) for line in header_block(raw).split("\r\n")) <= 998
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["References"].split() == long_ids


def test_no_threading_headers_for_a_first_mail() -> None:
    msg = parsed(outgoing())
    assert msg["In-Reply-To"] is None
    assert msg["References"] is None
    assert msg["X-Helpdesk-Ticket"] is None


def test_automatic_mail_is_marked_as_such() -> None:
    msg = parsed(outgoing(auto_submitted="auto-replied", ticket_number="T-2026-000123"))
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Precedence"] == "auto_reply"
    assert msg["X-Helpdesk-Ticket"] == "T-2026-000123"
    assert msg["X-Loop"] == "support@helpdesk.example"


def test_a_human_reply_has_no_automatic_markers() -> None:
    msg = parsed(outgoing(ticket_number="T-2026-000123"))
    assert msg["Auto-Submitted"] is None
    assert msg["X-Auto-Response-Suppress"] is None
    assert msg["Precedence"] is None
    assert msg["X-Helpdesk-Ticket"] == "T-2026-000123"


def test_text_and_html_alternatives_in_utf8() -> None:
    msg = parsed(outgoing())
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.iter_parts()
    assert (text.get_content_type(), text.get_content_charset()) == ("text/plain", "utf-8")
    assert (html.get_content_type(), html.get_content_charset()) == ("text/html", "utf-8")
    assert text.get_content() == "Guten Tag Jörg,\r\n\r\nwir kümmern uns darum.\r\n\r\nGrüße\r\n"
    assert html.get_content() == "<p>Guten Tag Jörg,</p><p>wir kümmern uns darum.</p>\r\n"


def test_text_only() -> None:
    msg = parsed(outgoing(html=None))
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content() == "Guten Tag Jörg,\r\n\r\nwir kümmern uns darum.\r\n\r\nGrüße\r\n"


def test_attachments_with_umlaut_names_round_trip() -> None:
    attachments = [
        OutgoingAttachment("Prüfbericht März 2026.pdf", "application/pdf", PDF),
        OutgoingAttachment(
            "Übersicht – sehr langer Dateiname mit Umlauten äöüß und noch mehr Text.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK\x03\x04" + b"x" * 100,
        ),
        OutgoingAttachment("ohne-typ.bin", "", b"\x00\x01"),
    ]
    msg = parsed(outgoing(attachments=attachments))
    assert msg.get_content_type() == "multipart/mixed"
    body, *files = msg.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [(f.get_filename(), f.get_content_type(), f.get_payload(decode=True)) for f in files] == [
        (a.filename, a.content_type or "application/octet-stream", a.data) for a in attachments
    ]
    assert all(f.get_content_disposition() == "attachment" for f in files)


def test_recipients_are_to_and_cc_without_duplicates() -> None:
    mail = outgoing(cc=[Address("", "chef@kunde.example"), Address("Jörg", "joerg@kunde.example")])
    assert mail.recipients == ["joerg@kunde.example", "chef@kunde.example"]


# ------------------------------------------------------------------------------------ header injection


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\n", "\x00"])
@pytest.mark.parametrize(
    "field",
    [
        "subject",
        "sender_name",
        "sender_address",
        "to_name",
        "to_address",
        "cc_name",
        "cc_address",
        "reply_to_name",
        "message_id",
        "in_reply_to",
        "references",
        "attachment_name",
        "attachment_type",
        "ticket_number",
        "auto_submitted",
    ],
)
def test_line_breaks_and_nul_are_refused_everywhere(field: str, bad: str) -> None:
    evil = f"x{bad}Bcc: victim@evil.example"
    cases: dict[str, dict[str, Any]] = {
        "subject": {"subject": evil},
        "sender_name": {"sender": Address(evil, "support@helpdesk.example")},
        "sender_address": {"sender": Address("S", f"support@helpdesk.example{bad}")},
        "to_name": {"to": [Address(evil, "a@kunde.example")]},
        "to_address": {"to": [Address("", f"a@kunde.example{bad}Bcc: v@evil.example")]},
        "cc_name": {"cc": [Address(evil, "a@kunde.example")]},
        "cc_address": {"cc": [Address("", f"a@kunde.example{bad}")]},
        "reply_to_name": {"reply_to": Address(evil, "team@helpdesk.example")},
        "message_id": {"message_id": f"<a@b.example>{bad}Bcc: v@evil.example"},
        "in_reply_to": {"in_reply_to": f"<a@b.example>{bad}Bcc: v@evil.example"},
        "references": {"references": ["<a@b.example>", f"<c@d.example>{bad}Bcc: v@evil.example"]},
        "attachment_name": {"attachments": [OutgoingAttachment(evil + ".pdf", "application/pdf", b"x")]},
        "attachment_type": {
            "attachments": [OutgoingAttachment("a.pdf", f"application/pdf{bad}Bcc: v@evil.example", b"x")]
        },
        "ticket_number": {"ticket_number": f"T-2026-000123{bad}Bcc: v@evil.example"},
        "auto_submitted": {"auto_submitted": f"auto-replied{bad}Bcc: v@evil.example"},
    }
    with pytest.raises(HeaderInjection):
        build_mime(outgoing(**cases[field]))


def test_an_address_without_domain_is_refused() -> None:
    with pytest.raises(HeaderInjection, match="recipient is not an address"):
        build_mime(outgoing(to=[Address("", "joerg")]))
    with pytest.raises(HeaderInjection, match="sender is not an address"):
        build_mime(outgoing(sender=Address("", "@helpdesk.example")))


def test_header_safe_passes_clean_values_through() -> None:
    assert header_safe("Ärger mit der Rechnung\t(2)", "subject") == "Ärger mit der Rechnung\t(2)"
    with pytest.raises(HeaderInjection, match=r"^subject contains a line break, NUL or another control character$"):
        header_safe("a\nb", "subject")


def test_a_hostile_value_in_a_subject_template_stays_on_one_line() -> None:
    values = {"TICKET": "T-2026-000123", "BETREFF": "Hallo\r\nBcc: x@evil.example\r\n\r\nneuer Body\x00"}
    subject = render_line("Ihre Anfrage [#{TICKET}]: {BETREFF}", values)
    assert subject == "Ihre Anfrage [#T-2026-000123]: Hallo Bcc: x@evil.example neuer Body"
    raw = build_mime(outgoing(subject=subject))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Bcc"] is None
    assert msg["Subject"] == subject
    assert not any(line.lower().startswith("bcc:") for line in header_block(raw).split("\r\n"))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\t"])
def test_render_line_removes_every_kind_of_line_break(separator: str) -> None:
    subject = render_line("Re: {BETREFF}", {"BETREFF": f"Hallo{separator}Welt"})
    assert subject == "Re: Hallo Welt"
    assert len(subject.splitlines()) == 1
    assert parsed(outgoing(subject=subject))["Subject"] == "Re: Hallo Welt"


def test_render_line_cleans_the_template_and_bounds_the_length() -> None:
    assert render_line("  Re:\r\n {BETREFF}  ", {"BETREFF": "x"}) == "Re: x"
    assert render_line("{BETREFF}", {"BETREFF": "ä" * 2000}) == "ä" * 900


# ------------------------------------------------------------------------------------------ templating


def test_render_fills_known_variables_and_leaves_unknown_ones_visible() -> None:
    template = "Hallo {NAME}, Ticket {TICKET} ({UNBEKANNT}) {name} {X} {TICKET}"
    assert render(template, {"NAME": "Jörg", "TICKET": "T-2026-000123"}) == (
        "Hallo Jörg, Ticket T-2026-000123 ({UNBEKANNT}) {name} {X} T-2026-000123"
    )


def test_render_does_not_expand_variables_inside_values() -> None:
    assert (
        render("{BETREFF}", {"BETREFF": "{TICKET} {LINK}", "TICKET": "T-1", "LINK": "https://x"}) == "{TICKET} {LINK}"
    )


def test_render_keeps_line_breaks_and_handles_empty_templates() -> None:
    assert render("Zeile 1\nZeile 2: {NAME}\n", {"NAME": "a\nb"}) == "Zeile 1\nZeile 2: a\nb\n"
    assert render("", {"NAME": "x"}) == ""


def test_render_html_escapes_values_and_the_templates_own_markup_and_keeps_line_breaks() -> None:
    template = 'Hallo {NAME},\n<b>Ihr Ticket</b> {TICKET} & "{BETREFF}"\n{UNBEKANNT}'
    values = {"NAME": "<script>alert('x')</script>", "TICKET": "T-2026-000123", "BETREFF": "A & B <i>"}
    assert render_html(template, html_values(values)) == (
        "Hallo &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;,<br>\n"
        "&lt;b&gt;Ihr Ticket&lt;/b&gt; T-2026-000123 &amp; &quot;A &amp; B &lt;i&gt;&quot;<br>\n"
        "{UNBEKANNT}"
    )


def test_html_values_escapes_every_value() -> None:
    assert html_values({"A": '<a href="x">', "B": "Müller & Co"}) == {
        "A": "&lt;a href=&quot;x&quot;&gt;",
        "B": "Müller &amp; Co",
    }


def test_bcc_goes_to_the_envelope_and_never_into_the_mail() -> None:
    mail = outgoing(bcc=[Address("Chefin", "chefin@example.org")], cc=[Address("", "cc@kunde.example")])
    raw = build_mime(mail)
    assert b"chefin" not in raw.lower() and b"bcc" not in header_block(raw).lower().encode()
    assert mail.recipients[-1] == "chefin@example.org" and "cc@kunde.example" in mail.recipients


def test_a_bcc_address_with_a_line_break_is_refused() -> None:
    with pytest.raises(HeaderInjection):
        build_mime(outgoing(bcc=[Address("x\r\nBcc: evil@evil.example", "chefin@example.org")]))
