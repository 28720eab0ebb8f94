"""parse_mail against mails shaped like the ones real programs send (tests/data/mails) and CPython's corpus.

Every fixture has its own test with the exact results an agent would see: sender, subject, attachment
names (umlauts!), the new text without the quoted history, the automatic-mail verdict, the defects.
"""

from __future__ import annotations

import base64
import email
import json
import re
import sysconfig
import unicodedata
from email import policy
from pathlib import Path

import pytest

from helpdesk.domain.headers import Address, decode_header_value
from helpdesk.domain.mail import Attachment, Limits, ParsedMail, automatic_reason, parse_mail, unflow
from helpdesk.domain.sanitize import BLOCKED_IMAGE, sanitize_html

MAILS = Path(__file__).resolve().parents[1] / "data" / "mails"
HELPDESK = "support@example-helpdesk.de"

# Fixtures whose raw bytes use bare LF (a Maildir file as Postfix writes it); all others are CRLF.
LF_FIXTURES = {"postfix_bounce.eml"}


def raw(name: str) -> bytes:
    return (MAILS / name).read_bytes()


def parse(name: str) -> ParsedMail:
    return parse_mail(raw(name))


def only(mail: ParsedMail, filename: str) -> Attachment:
    found = [a for a in mail.attachments if a.filename == filename]
    assert len(found) == 1, [a.filename for a in mail.attachments]
    return found[0]


def declared_size(data: bytes, filename_marker: bytes) -> int:
    """The ``size=`` Outlook writes into the Content-Disposition after ``filename_marker``."""
    match = re.search(re.escape(filename_marker) + rb"[^\r\n]*;\s*size=(\d+)", data)
    assert match, filename_marker
    return int(match.group(1))


# ----------------------------------------------------------------------------------------- all fixtures

FIXTURES = sorted(p.name for p in MAILS.glob("*.eml"))


def test_every_fixture_has_its_own_test() -> None:
    tested = {
        name.removeprefix("test_").replace("__", ".")
        for name in globals()
        if name.startswith("test_") and name.endswith("__eml")
    }
    assert len(FIXTURES) >= 14
    assert set(FIXTURES) == tested


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_invariants(name: str) -> None:
    data = raw(name)
    if name in LF_FIXTURES:
        assert b"\r" not in data
    else:
        assert data.count(b"\n") == data.count(b"\r\n") > 10, "fixture must use CRLF line ends"
    mail = parse_mail(data)
    assert mail.from_ is not None
    assert "@" in mail.sender
    assert mail.message_id
    assert not mail.message_id_synthetic
    assert mail.date is not None
    assert mail.date.startswith("2026-03-1")
    assert mail.subject
    assert "=?" not in mail.subject
    if name not in LF_FIXTURES:
        assert not mail.subject.isascii(), "the fixtures carry umlauts in their subjects"
    assert mail.text.strip()
    assert mail.new_text.strip()
    assert mail.limit_exceeded == []
    for att in mail.attachments:
        assert att.size > 0
        assert att.filename
        assert "/" in att.content_type
        assert unicodedata.is_normalized("NFC", att.filename)
    sanitized = sanitize_html(mail.html)
    if mail.html:
        assert sanitized.html.strip()
    assert json.loads(json.dumps(mail.to_json(sanitized.html)))["message_id"] == mail.message_id


@pytest.mark.parametrize("name", FIXTURES)
def test_truncated_fixtures_never_raise(name: str) -> None:
    data = raw(name)
    for cut in range(0, len(data), max(1, len(data) // 25)):
        mail = parse_mail(data[:cut])
        json.dumps(mail.to_json())
    # The CRLF fixtures read as LF-only files (a mail saved on Unix) give the same results.
    if name not in LF_FIXTURES:
        unix = parse_mail(data.replace(b"\r\n", b"\n"))
        dos = parse_mail(data)
        assert (unix.subject, unix.text, unix.new_text) == (dos.subject, dos.text, dos.new_text)
        assert [(a.filename, a.content_type) for a in unix.attachments] == [
            (a.filename, a.content_type) for a in dos.attachments
        ]


# ---------------------------------------------------------------------------------------------- Outlook


def test_outlook_de_reply_inline_logo__eml() -> None:
    data = raw("outlook_de_reply_inline_logo.eml")
    mail = parse_mail(data)
    assert mail.from_ == Address("Jürgen Weiß", "j.weiss@weiss-bau.example")
    assert mail.to == [Address("Kundenservice", HELPDESK)]
    assert mail.subject == "AW: [Ticket#2026031010000012] Prüfung der Unterlagen für Antrag 4711"
    assert mail.date == "2026-03-12T09:41:06.000000Z"
    assert mail.in_reply_to == ["01HQ7ZK3M4N5P6Q7R8S9T0V1W2.helpdesk@example-helpdesk.de"]
    assert mail.message_id == "AM0PR10MB2345F1E2D3C4B5A697887766554433A9@AM0PR10MB2345.EURPRD10.PROD.OUTLOOK.COM"
    # Windows-1252 quoted-printable: the euro sign is =80, which ISO-8859-1 does not have.
    assert "Die Gebühr von 85,00 € für die Prüfung haben wir heute überwiesen" in mail.text
    assert "fehlen uns noch der Grundriss und die Baubeschreibung" in mail.text
    assert mail.new_text.startswith("Sehr geehrte Frau Köhler,\n\nanbei wie besprochen der Grundriss.")
    # The sign-off block (greeting, name, company, address, phone) is not new text; the text keeps it.
    assert mail.new_text.endswith("bitte bestätigen Sie kurz den Eingang.")
    assert "Lindwurmstraße 12 · 80337 München\nTel. +49 89 1234567" in mail.text
    for history in ("fehlen uns noch", "Gesendet:", "Betreff:", "______"):
        assert history not in mail.new_text
    [logo] = mail.attachments
    assert (logo.filename, logo.content_type, logo.inline) == ("image001.png", "image/png", True)
    assert logo.content_id == "image001.png@01DAB1C2.3D4E5F60"
    assert logo.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert logo.size == declared_size(data, b'filename="image001.png"')
    assert 'src="cid:image001.png@01DAB1C2.3D4E5F60"' in mail.html
    assert sanitize_html(mail.html).cids == ["image001.png@01DAB1C2.3D4E5F60"]
    assert (mail.auto_submitted, mail.signed, mail.encrypted, mail.defects) == (None, False, False, [])


def test_outlook_smtp_related_in_alternative__eml() -> None:
    mail = parse("outlook_smtp_related_in_alternative.eml")
    assert mail.from_ == Address("Günther Föhr", "g.foehr@foehr-elektro.example")
    # Outlook wraps display names in single quotes: "'Kundenservice'".
    assert mail.to == [Address("Kundenservice", HELPDESK)]
    # iso-8859-1 label, =96 is the Windows-1252 en dash.
    assert mail.subject == ("AW: [Ticket#2026031110000023] Rechnung 2026-117 fehlt noch immer – bitte erneut zusenden")
    assert mail.headers["x-mailer"] == "Microsoft Outlook 16.0"
    assert "die Rechnung 2026-117 über 412,50 € ist bei uns noch nicht angekommen" in mail.text
    assert mail.new_text.endswith("Könnten Sie sie bitte noch einmal schicken?")
    assert "Schöne Grüße aus Würzburg\nGünther Föhr\nFöhr Elektrotechnik" in mail.text
    assert "Ursprüngliche Nachricht" not in mail.new_text
    assert "am Montag per Post" not in mail.new_text
    assert "am Montag per Post" in mail.text
    # The HTML sits in the multipart/related inside the multipart/alternative.
    assert "Schöne Grüße aus Würzburg" in mail.html
    [logo] = mail.attachments
    assert (logo.filename, logo.content_id, logo.inline) == ("image001.png", "image001.png@01DCB24E.7A3F9C10", True)
    assert logo.data.startswith(b"\x89PNG")
    assert mail.defects == []


def test_outlook_tnef_winmail__eml() -> None:
    mail = parse("outlook_tnef_winmail.eml")
    assert mail.from_ == Address("Björn Schäfer", "b.schaefer@schaefer-geruestbau.example")
    assert mail.subject == "Angebot Gerüstbau Südseite"
    assert "unser Angebot für den Gerüstbau an der Südseite" in mail.new_text
    assert mail.html == ""
    [tnef] = mail.attachments
    assert (tnef.filename, tnef.content_type, tnef.inline) == ("winmail.dat", "application/ms-tnef", False)
    assert tnef.data[:4] == b"\x78\x9f\x3e\x22"  # TNEF signature 0x223E9F78
    assert tnef.note is not None
    assert "TNEF" in tnef.note
    assert mail.auto_submitted is None


def test_outlook_encoded_filenames__eml() -> None:
    data = raw("outlook_encoded_filenames.eml")
    mail = parse_mail(data)
    assert mail.from_ == Address("Dörte Maaß", "d.maass@hv-maass.example")
    assert mail.subject == "Übersicht Prüfung und Prüfbericht"
    assert [a.filename for a in mail.attachments] == [
        "Übersicht Prüfung.xlsx",
        "Prüfbericht Brandschutz Gebäude Süd – März 2026.pdf",
    ]
    xlsx, pdf = mail.attachments
    assert xlsx.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.data.startswith(b"PK\x03\x04")
    assert xlsx.size == declared_size(data, b'filename="=?utf-8?B?w5xiZXJzaWNodCBQcsO8ZnVuZy54bHN4?="')
    assert pdf.content_type == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert not xlsx.inline
    assert not pdf.inline
    assert "anbei die Übersicht zur Prüfung" in mail.new_text
    assert mail.defects == []


def test_outlook_forward_as_attachment__eml() -> None:
    data = raw("outlook_forward_as_attachment.eml")
    mail = parse_mail(data)
    assert mail.from_ == Address("Ute Löffler", "u.loeffler@loeffler-kg.example")
    assert mail.subject == "WG: Angebot Überdachung für Terrasse"
    assert mail.text.endswith("Welcher Preis gilt denn nun?\n\nGruß\nUte Löffler")
    # The forwarded mail is an attachment, not part of the text of the mail that carries it.
    assert "8.450,00" not in mail.text
    [fwd] = mail.attachments
    assert fwd.filename == "WG_ Angebot Überdachung für Terrasse.eml"
    assert fwd.content_type == "message/rfc822"
    inner = email.message_from_bytes(fwd.data, policy=policy.compat32)
    assert decode_header_value(inner["subject"]) == "WG: Angebot Überdachung für Terrasse"
    assert decode_header_value(inner["from"]) == "Ralf Böhm <r.boehm@terrassenbau-boehm.example>"
    body = inner.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert body.decode("cp1252").startswith(
        "Sehr geehrte Frau Löffler,\r\n\r\nanbei unser Angebot für die Überdachung Ihrer Terrasse: 8.450,00 € brutto"
    )
    # Byte for byte what was forwarded (headers not refolded: a DKIM signature inside stays checkable).
    start = data.index(b"Received: from PR3PR09MB5555")
    assert fwd.data == data[start : data.index(b"\r\n--_003_", start)]


def test_outlook_calendar_invite__eml() -> None:
    mail = parse("outlook_calendar_invite.eml")
    assert mail.subject == "Begehung Baustelle Großhadern"
    assert "zur Begehung der Baustelle mit dem Prüfer ein" in mail.new_text
    assert "Sicherheitsschuhe" in mail.html
    [ics] = mail.attachments
    assert (ics.filename, ics.content_type, ics.note) == ("attachment-1.ics", "text/calendar", "calendar invitation")
    assert ics.data.startswith(b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n")
    assert "SUMMARY;LANGUAGE=de-DE:Begehung Baustelle Großhadern".encode() in ics.data
    assert mail.auto_submitted is None


def test_outlook_smime_encrypted__eml() -> None:
    data = raw("outlook_smime_encrypted.eml")
    mail = parse_mail(data)
    assert mail.from_ == Address("André Strauß", "a.strauss@kanzlei-strauss.example")
    assert mail.subject == "Vertrauliche Unterlagen Mandat Müller"
    assert (mail.encrypted, mail.signed) == (True, False)
    assert "Verschlüsselte Nachricht" in mail.text
    assert "Encrypted message" in mail.text
    assert mail.new_text == mail.text
    [p7m] = mail.attachments
    assert (p7m.filename, p7m.content_type, p7m.note) == ("smime.p7m", "application/pkcs7-mime", "encrypted content")
    body = data.split(b"\r\n\r\n", 1)[1]
    assert p7m.data == base64.b64decode(body)
    assert p7m.data[:2] == b"\x30\x82"


def test_outlook_out_of_office__eml() -> None:
    mail = parse("outlook_out_of_office.eml")
    assert mail.from_ == Address("Jürgen Weiß", "j.weiss@weiss-bau.example")
    assert mail.subject == "Automatische Antwort: [Ticket#2026031210000056] Prüfung abgeschlossen"
    assert mail.auto_submitted == "Auto-Submitted: auto-replied"
    assert mail.headers["x-auto-response-suppress"] == "All"
    assert "nicht im Büro" in mail.text
    assert "Frau Bärbel Krüger" in mail.text
    # Without Auto-Submitted the Exchange marker alone still stops an auto-reply loop.
    without = {k: v for k, v in mail.headers.items() if k != "auto-submitted"}
    assert automatic_reason(without, mail.sender) == "X-Auto-Response-Suppress: all"


# ------------------------------------------------------------------------------------------ Thunderbird


def test_thunderbird_flowed_rfc2231__eml() -> None:
    mail = parse("thunderbird_flowed_rfc2231.eml")
    assert mail.from_ == Address("Sabine Körner", "s.koerner@koerner-immobilien.example")
    assert mail.to == [Address("Max Mustermann", HELPDESK)]
    assert mail.subject == "Re: [Ticket#2026031210000034] Abrechnung Wartung März"
    assert mail.headers["user-agent"] == "Mozilla Thunderbird"
    # format=flowed: soft line breaks are joined again, in the reply and in the quote.
    assert (
        "Die Rechnung für März habe ich Ihnen angehängt. Bitte prüfen Sie noch einmal die Position 3 "
        "(Wartung der Heizungsanlage), die wurde meiner Meinung nach doppelt berechnet."
    ) in mail.text
    assert "> damit wir die Abrechnung prüfen können, senden Sie uns bitte die Rechnung als PDF zu." in mail.text
    assert "\n-- \nSabine Körner\n" in mail.text  # the signature separator keeps its space
    assert mail.new_text.startswith("Hallo Herr Mustermann,")
    # Sign-off and "-- " signature stay in the text, not in the new text.
    assert mail.new_text.endswith("die wurde meiner Meinung nach doppelt berechnet.")
    assert (
        "doppelt berechnet.\n\nMit freundlichen Grüßen\nSabine Körner\n\n-- \nSabine Körner\n"
        "Körner Immobilien · Schillerstraße 4 · 04109 Leipzig\n\nAm 12.03.2026"
    ) in mail.text
    assert "schrieb Max Mustermann" not in mail.new_text
    assert "damit wir die Abrechnung" not in mail.new_text
    [pdf] = mail.attachments
    assert (pdf.filename, pdf.content_type, pdf.inline) == ("Rechnung März 2026.pdf", "application/pdf", False)
    assert pdf.data.startswith(b"%PDF-")
    assert mail.defects == []


def test_thunderbird_rfc2231_continuations__eml() -> None:
    data = raw("thunderbird_rfc2231_continuations.eml")
    assert b"filename*1*=" in data
    assert b"filename*3*=%93" in data
    mail = parse_mail(data)
    assert mail.from_ == Address("Hans-Jörg Brückner", "hj.brueckner@brueckner-partner.example")
    assert mail.subject == "Entwurf Übersicht Prüfungsergebnisse 2025"
    [pdf] = mail.attachments
    assert pdf.filename == "Übersicht der Prüfungsergebnisse für das Geschäftsjahr 2025 – Entwurf.pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert (
        "im Anhang finden Sie den Entwurf der Übersicht der Prüfungsergebnisse für das Geschäftsjahr 2025. "
        "Die endgültige Fassung folgt nach der Sitzung des Aufsichtsrats."
    ) in mail.new_text
    # Space-stuffed lines lose exactly the stuffing space.
    assert "\n * Seite 4 ist noch nicht freigegeben.\n * Die Anlagen folgen per Post.\n" in mail.text
    assert mail.defects == []


def test_thunderbird_smime_signed__eml() -> None:
    mail = parse("thunderbird_smime_signed.eml")
    assert mail.from_ == Address("Dr. Annegret Völker", "a.voelker@praxis-voelker.example")
    assert mail.subject == "Kündigung Wartungsvertrag 2024-0815"
    assert (mail.signed, mail.encrypted) == (True, False)
    assert (
        "hiermit kündige ich den Wartungsvertrag Nr. 2024-0815 fristgerecht zum 30.06.2026. Bitte bestätigen Sie"
    ) in mail.new_text
    [sig] = mail.attachments
    assert (sig.filename, sig.content_type, sig.note) == ("smime.p7s", "application/pkcs7-signature", "signature")
    assert sig.data[:2] == b"\x30\x82"
    assert sig.inline is False


# -------------------------------------------------------------------------------------- Apple and Gmail


def test_apple_mail_split_html__eml() -> None:
    data = raw("apple_mail_split_html.eml")
    assert b"Apple-Mail=_" in data
    assert b"Ku%CC%88che.pdf" in data
    mail = parse_mail(data)
    assert mail.from_ == Address("Sören Kühn", "soeren.kuehn@icloud.example")
    assert mail.to == [Address("Jürgen Müller", HELPDESK)]
    assert mail.subject == "Re: Wasserschaden Küche"
    assert mail.headers["x-mailer"] == "Apple Mail (2.3774.600.62)"
    assert mail.new_text == (
        "Hallo Herr Müller,\n\nhier das Foto vom Wasserschaden unter der Spüle:\n\n"
        "Den Kostenvoranschlag für die neue Küche habe ich Ihnen auch angehängt. Können Sie bitte prüfen, "
        "ob die Versicherung das übernimmt?"
    )
    assert "ob die Versicherung das übernimmt?\n\n\n\nViele Grüße\nSören Kühn\n\n\nAm 12.03.2026" in mail.text
    assert "bitte schicken Sie uns ein Foto" in mail.text
    # The HTML alternative comes in three pieces around the image and the PDF: all of them are kept.
    for piece in ("hier das Foto vom Wasserschaden", "Kostenvoranschlag für die neue Küche", "Sören Kühn"):
        assert piece in mail.html
    photo, pdf = mail.attachments
    assert (photo.filename, photo.content_type, photo.inline) == ("IMG_4711.jpeg", "image/jpeg", True)
    assert photo.content_id == "3E5A7C9B-1D2F-4B6A-8C0E-2F4A6B8C0D1E"
    assert photo.data[:2] == b"\xff\xd8"
    assert pdf.filename == "Kostenvoranschlag Küche.pdf"  # composed (NFC)
    assert (pdf.content_type, pdf.inline, pdf.content_id) == ("application/pdf", False, None)


def test_iphone_mail_split_text__eml() -> None:
    mail = parse("iphone_mail_split_text.eml")
    assert mail.from_ == Address("Kläre Grünewald", "gruenewald.k@icloud.example")
    assert mail.subject == "Tür im Flur schließt nicht mehr"
    # Two text/plain parts around the photo, in order.
    assert mail.text == (
        "Guten Abend,\n\ndie Wohnungstür im Flur schließt seit gestern nicht mehr richtig, siehe Foto:\n\n"
        "Können Sie bitte einen Handwerker schicken? Ich bin ab 17 Uhr zuhause.\n\nKläre Grünewald\n\n"
        "Von meinem iPhone gesendet"
    )
    # The mobile footer is not new text; the name above it stays (no sign-off marks it).
    assert mail.new_text == mail.text.removesuffix("\n\nVon meinem iPhone gesendet")
    [photo] = mail.attachments
    assert photo.filename == "Türrahmen Schaden.jpeg"
    assert (photo.content_type, photo.inline, photo.content_id) == ("image/jpeg", True, None)


def test_gmail_reply_base64__eml() -> None:
    mail = parse("gmail_reply_base64.eml")
    assert mail.from_ == Address("Tobias Weißenbäck", "tobias.weissenbaeck@gmail.example")
    assert re.fullmatch(r"CAB[^@]+@mail\.gmail\.com", mail.message_id)
    assert mail.subject == "Re: Ihre Bestellung 100-4711 – Bürostuhl beschädigt"
    assert mail.to == [Address("Kundenservice Büromöbel Schäfer", "service@bueromoebel-schaefer.example")]
    assert mail.cc == [Address("", HELPDESK)]
    assert HELPDESK in mail.recipients
    assert mail.new_text == (
        "Hallo liebes Serviceteam,\n\ndie Lieferung ist heute angekommen, aber der Bürostuhl hat einen Riss in der\n"
        "Rückenlehne. Ich hätte gern einen Ersatz, keine Gutschrift."
    )
    assert "keine Gutschrift.\n\nSchöne Grüße\nTobias Weißenbäck" in mail.text
    assert "Sendungsnummer" in mail.text
    assert "Sendungsnummer" not in mail.new_text
    assert 'class="gmail_quote' in mail.html
    sanitized = sanitize_html(mail.html)
    assert sanitized.remote_images == 1
    assert 'data-remote-src="https://track.bueromoebel-schaefer.example/o/7f3a.gif"' in sanitized.html
    assert mail.attachments == []
    assert mail.defects == []


def test_gmx_html_only__eml() -> None:
    data = raw("gmx_html_only.eml")
    assert b"text/plain" not in data
    assert b"X-UI-Message-Type: mail" in data
    mail = parse_mail(data)
    assert mail.from_ == Address("Gisela Dümmler", "gisela.duemmler@gmx.example")
    assert mail.to == [Address("Kundenservice Stadtwerke", HELPDESK)]
    assert mail.subject == "Aw: [Ticket#2026031110000078] Zugang Kundenportal gesperrt – Passwort ungültig"
    # No text part: the text is the rendering of the HTML.
    assert 'Beim Anmelden kommt die Meldung "Passwort ungültig", obwohl ich es gestern zurückgesetzt habe.' in (
        mail.text
    )
    assert "Einmalkennwort" in mail.text
    assert mail.new_text.endswith("obwohl ich es gestern zurückgesetzt habe.")
    assert "Mit freundlichen Grüßen\n\nGisela Dümmler" in mail.text
    for history in ("Gesendet:", "Von:", "Betreff:", "Einmalkennwort", "Thomas Jäger"):
        assert history not in mail.new_text
    assert "<b>Gesendet:</b>" in mail.html


# ----------------------------------------------------------------------------------------- broken mail


def test_php_contactform_8bit__eml() -> None:
    data = raw("php_contactform_8bit.eml")
    assert "Subject: Kontaktformular: Rückfrage".encode() in data  # raw UTF-8, no encoded word
    mail = parse_mail(data)
    assert mail.from_ == Address("Jörg Dämmrich", "joerg.daemmrich@t-online.example")
    assert mail.reply_to == [Address("Jörg Dämmrich", "joerg.daemmrich@t-online.example")]
    assert mail.subject == "Kontaktformular: Rückfrage zur Rechnung – Esstisch „Eiche massiv“"
    # Declared us-ascii, really Windows-1252: € is 0x80, ä is 0xE4.
    assert "Name: Jörg Dämmrich" in mail.text
    assert "Ich habe den Esstisch „Eiche massiv“ für 1.249,00 € bestellt" in mail.new_text
    assert "raw 8-bit characters in a header" in mail.defects
    assert "text declared 'us-ascii' contains 8-bit bytes; read as cp1252" in mail.defects
    assert mail.headers["x-mailer"].startswith("PHP/8.1")
    assert mail.auto_submitted is None


def test_legacy_erp_bad_charsets__eml() -> None:
    mail = parse("legacy_erp_bad_charsets.eml")
    assert mail.subject == "Lieferverzögerung Auftrag 2026-0312"
    assert mail.from_ == Address("Großhandlung Böttcher", "auftrag@grosshandlung-boettcher.example")
    assert "verzögert sich um voraussichtlich zwei Wochen" in mail.text
    assert "da der Zulieferer die Türgriffe nicht rechtzeitig liefern kann." in mail.new_text
    assert "\ufffd" not in mail.text
    assert "charset 'x-unknown' names no charset; read as utf-8" in mail.defects
    assert "text declared 'utf8' is not valid utf-8; read as cp1252" in mail.defects


def test_unknown_charset_label_is_a_defect_not_an_error() -> None:
    mail = parse_mail(
        b"From: a@example.de\r\nMessage-ID: <x@example.de>\r\n"
        b"Subject: =?x-mac-nonsense?Q?Pr=C3=BCfung?= =?utf-8*de?Q?_f=C3=BCr_Sie?=\r\n\r\nText\r\n"
    )
    assert mail.subject == "Prüfung für Sie"
    assert "unknown charset 'x-mac-nonsense'" in mail.defects
    assert not any("utf-8*de" in d for d in mail.defects)  # RFC 2231 language suffix is fine


# ------------------------------------------------------------------------------- automatic and bounces


def test_newsletter_bulk__eml() -> None:
    mail = parse("newsletter_bulk.eml")
    assert mail.from_ == Address("Gartenbedarf Grünfink", "newsletter@gruenfink.example")
    assert mail.subject == "🌷 Frühlingsangebote: 20 % auf Gewächshäuser"
    assert mail.auto_submitted == "Precedence: bulk"
    without = {k: v for k, v in mail.headers.items() if k != "precedence"}
    assert automatic_reason(without, mail.sender) == "List-Unsubscribe present (mailing list)"
    assert "Nur bis Sonntag: 20 % auf alle Gewächshäuser und Hochbeete." in mail.new_text
    sanitized = sanitize_html(mail.html)
    assert sanitized.remote_images == 1
    assert f'src="{BLOCKED_IMAGE}" data-remote-src="https://news.gruenfink.example/o/3f2a1b.gif"' in sanitized.html


def test_postfix_bounce__eml() -> None:
    mail = parse("postfix_bounce.eml")
    assert mail.from_ == Address("Mail Delivery System", "mailer-daemon@mail.example-helpdesk.de")
    assert mail.subject == "Undelivered Mail Returned to Sender"
    assert mail.auto_submitted == "Auto-Submitted: auto-replied"
    without = {k: v for k, v in mail.headers.items() if k != "auto-submitted"}
    assert automatic_reason(without, mail.sender, "multipart/report") == "delivery status report (bounce)"
    assert automatic_reason({}, "MAILER-DAEMON@mail.example.de") == "sender MAILER-DAEMON is a system address"
    assert "Recipient address rejected: User unknown" in mail.text
    # The returned mail is an attachment; its text is not mixed into the bounce text.
    assert "Zählerstände" not in mail.text
    status, returned = mail.attachments
    assert status.content_type == "message/delivery-status"
    assert status.filename == "attachment-1.txt"
    assert b"Final-Recipient: rfc822; hans.groeger@example.org" in status.data
    assert b"Status: 5.1.1" in status.data
    assert returned.content_type == "message/rfc822"
    assert returned.filename == "_Ticket_2026031210000090_ Ihre Anfrage zur Zählerablesung.eml"
    assert "vielen Dank für Ihre Zählerstände".encode() in returned.data
    assert mail.recipients == [HELPDESK]


# ----------------------------------------------------------------------------------- parser regressions


def _mime(body: bytes, content_type: bytes) -> bytes:
    return (
        b"From: =?utf-8?Q?J=C3=B6rg?= <j@example.de>\r\nTo: support@example-helpdesk.de\r\n"
        b"Message-ID: <t@example.de>\r\nSubject: Test\r\nMIME-Version: 1.0\r\nContent-Type: "
        + content_type
        + b"\r\n\r\n"
        + body
    )


def test_base64_encoded_message_rfc822_is_decoded() -> None:
    inner = b"Subject: =?utf-8?Q?Angebot_K=C3=BCche?=\r\nFrom: r@example.de\r\n\r\nInnerer Text\r\n"
    body = (
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSiehe Anhang.\r\n"
        b"--B\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment\r\n\r\n" + base64.encodebytes(inner) + b"--B--\r\n"
    )
    mail = parse_mail(_mime(body, b'multipart/mixed; boundary="B"'))
    [att] = mail.attachments
    assert att.filename == "Angebot Küche.eml"
    assert att.data == inner
    assert mail.text == "Siehe Anhang."


def test_opaque_signed_smime_is_signed_not_encrypted() -> None:
    body = base64.encodebytes(b"\x30\x82\x01\x00" + bytes(256))
    mail = parse_mail(_mime(body, b'application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"'))
    assert (mail.signed, mail.encrypted) == (True, False)
    assert [a.filename for a in mail.attachments] == ["smime.p7m"]


def test_unflow() -> None:
    flowed = "Erste Zeile geht \nweiter.\n> zitiert und \n> weiter\n>> tiefer \n>> auch\n-- \n Stuffed\n"
    assert unflow(flowed) == ("Erste Zeile geht weiter.\n> zitiert und weiter\n>> tiefer auch\n-- \nStuffed\n")
    assert unflow("Kaf \nfee\n", delsp=True) == "Kaffee\n"


def test_limits_keep_parsing() -> None:
    data = raw("outlook_encoded_filenames.eml")
    mail = parse_mail(data, Limits(max_attachment_bytes=400))
    assert [a.filename for a in mail.attachments] == ["Übersicht Prüfung.xlsx"]
    assert mail.limit_exceeded
    assert "Prüfbericht" in mail.limit_exceeded[0]
    assert "anbei die Übersicht zur Prüfung" in mail.text


# --------------------------------------------------------------------------------------- CPython corpus


def _cpython_corpus() -> Path:
    return Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"


def test_cpython_email_corpus_parses() -> None:
    corpus = _cpython_corpus()
    if not corpus.is_dir():
        pytest.fail(
            f"CPython's email test corpus is missing ({corpus}): install the Python test suite "
            "(e.g. the python3-test / libpython3-testsuite package, or a full CPython build)."
        )
    files = sorted(corpus.glob("msg_*.txt"))
    assert len(files) >= 40
    for path in files:
        mail = parse_mail(path.read_bytes())
        assert mail.message_id, path.name
        json.dumps(mail.to_json(sanitize_html(mail.html).html))


def test_ses_stored_forged_sender__eml() -> None:
    """As SES stores a mail (ScanEnabled): its verdicts on top. The sender forged the customer's
    From and added "pass" results of their own further down; only SES's topmost ones count."""
    mail = parse("ses_stored_forged_sender.eml")
    assert mail.from_ == Address("Jürgen Müller", "juergen.mueller@kunde-gmbh.de")
    assert mail.verdicts.as_dict() == {"spam": "PASS", "virus": "PASS", "spf": "FAIL", "dkim": "NONE", "dmarc": "FAIL"}
    assert mail.verdicts.sender_unverified == "DMARC fail"
    assert not mail.verdicts.is_spam


def test_authentication_results_of_other_servers_are_ignored() -> None:
    """RFC 8601 §5: results claimed by an authserv-id we do not trust say nothing."""
    text = raw("ses_stored_forged_sender.eml").decode()
    head, _, body = text.partition("\r\n\r\n")
    lines = head.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("X-SES-Spam-Verdict"))
    end = next(i for i, line in enumerate(lines) if line.startswith("From:"))
    # Without anything SES added: only "Authentication-Results: mx.kunde-gmbh.de; dmarc=pass" is left.
    kept = lines[:start] + [line for line in lines[start:end] if line.startswith("Authentication-Results: mx.")]
    mail = parse_mail(("\r\n".join(kept + lines[end:]) + "\r\n\r\n" + body).encode())
    assert mail.headers["authentication-results"] == "mx.kunde-gmbh.de; dmarc=pass header.from=kunde-gmbh.de"
    assert mail.verdicts.as_dict() == {"spam": None, "virus": None, "spf": None, "dkim": None, "dmarc": None}
    assert mail.verdicts.sender_unverified is None


# ------------------------------------------------------------------------------------ East Asian mail


def test_outlook_jp_iso2022jp_cp50220__eml() -> None:
    """Outlook (Japanese) writes ISO-2022-JP as Windows' CP50220: NEC row 13 (①, ㈱) in JIS form,
    which no strict ISO-2022-JP codec reads."""
    data = raw("outlook_jp_iso2022jp_cp50220.eml")
    assert b"\x1b$B-!" in data  # ① as JIS row 13
    mail = parse_mail(data)
    assert mail.from_ == Address("山田 太郎", "t.yamada@yamada-shoji.example")
    assert mail.subject == "①納品書の再発行と②請求書の宛名変更について"
    assert mail.text == (
        "株式会社サンプル\nサポートご担当者様\n\nお世話になっております。山田です。\n"
        "以下の２点、ご確認をお願いいたします。\n\n①納品書の再発行\n"
        "②請求書の宛名変更（㈱ヤマダ商事 → 株式会社ヤマダ商事）\n\n"
        "よろしくお願いいたします。\n\n山田 太郎"
    )
    assert "\x1b" not in mail.text + mail.subject
    assert mail.defects == [
        "text declared 'iso-2022-jp' is not valid iso2022_jp; read as cp50220 (Microsoft's extension characters)"
    ]


def test_formmail_sjis_raw_subject__eml() -> None:
    """A web form mailer puts raw Shift_JIS into the Subject, undeclared: only a detector can tell."""
    data = raw("formmail_sjis_raw_subject.eml")
    assert "Subject: お問い合わせ".encode("cp932") in data
    mail = parse_mail(data)
    assert mail.subject == "お問い合わせ：配送先の変更について"
    assert mail.text == "配送先を以下に変更してください。\n\n〒100-0001 東京都千代田区千代田1-1\n佐藤 花子"
    assert "\ufffd" not in mail.subject
    assert mail.defects == [
        "raw 8-bit characters in a header",
        "undeclared 8-bit text; read as cp932 (guessed by charset-normalizer)",
    ]


def test_apple_mail_mixed_inline_parts__eml() -> None:
    """Text and pictures alternating: text/plain, image, text/html, image, text/plain in a multipart/mixed.
    Every text part is in the text and in the HTML view, in order."""
    mail = parse("apple_mail_mixed_inline_parts.eml")
    assert mail.from_ == Address("Klaus Brenner", "k.brenner@icloud.example")
    assert mail.subject == "Zählerstand und Fotos Zählerschrank"
    assert mail.text == (
        "Hallo Frau Köhler,\n\nanbei zwei Fotos vom Zählerschrank. Das erste zeigt den alten Zähler:\n\n"
        "Und hier der neue Zähler, Stand 4711,5 kWh am 12.03.2026:\n\n"
        "Bitte korrigieren Sie die Abrechnung entsprechend.\n\nViele Grüße\nKlaus Brenner"
    )
    assert mail.new_text == (
        "Hallo Frau Köhler,\n\nanbei zwei Fotos vom Zählerschrank. Das erste zeigt den alten Zähler:\n\n"
        "Und hier der neue Zähler, Stand 4711,5 kWh am 12.03.2026:\n\n"
        "Bitte korrigieren Sie die Abrechnung entsprechend."
    )
    pieces = ["Das erste zeigt den alten Zähler:", "Stand <b>4711,5 kWh</b>", "Bitte korrigieren Sie"]
    positions = [mail.html.find(piece) for piece in pieces]
    assert -1 not in positions, mail.html
    assert positions == sorted(positions)
    assert "Viele Grüße<br>" in mail.html
    old, new = mail.attachments
    assert (old.filename, old.inline) == ("Zähler alt.jpeg", True)
    assert old.content_id == "8F2A6C1E-4B3D-4E5F-A1B2-C3D4E5F6A7B8"
    assert (new.filename, new.inline) == ("Zähler neu.jpeg", True)
    assert mail.defects == []


def test_mailx_uuencoded_attachments__eml() -> None:
    """``(echo …; uuencode file name) | mail``: no MIME, the files are ``begin 644 name`` blocks in the text."""
    data = raw("mailx_uuencoded_attachments.eml")
    assert b"\r\nbegin 644 monatsbericht-2026-03.pdf\r\nM)5!$1BTQ" in data
    mail = parse_mail(data)
    assert mail.from_ == Address("ERP Berichte", "reports@erp.stadtwerke-nord.example")
    assert mail.subject == "Monatsbericht März 2026 (Zählerstände)"
    assert mail.text == (
        "Guten Morgen,\n\nanbei der Monatsbericht und die Zaehlerstaende fuer Maerz.\n\n"
        "-- \nautomatisch erzeugt von erp.stadtwerke-nord.example"
    )
    assert mail.new_text == "Guten Morgen,\n\nanbei der Monatsbericht und die Zaehlerstaende fuer Maerz."
    pdf, csv = mail.attachments
    assert (pdf.filename, pdf.content_type, pdf.inline) == ("monatsbericht-2026-03.pdf", "application/pdf", False)
    assert pdf.data.startswith(b"%PDF-1.4\n") and pdf.data.endswith(b"%%EOF\n")
    assert bytes(range(256)) in pdf.data
    assert pdf.note == "uuencoded in the text"
    assert (csv.filename, csv.content_type) == ("zaehlerstaende.csv", "text/csv")
    assert csv.data == "Zähler;Stand;Datum\r\n4711;1234,5;01.03.2026\r\n4712;987,0;01.03.2026\r\n".encode("cp1252")
    assert mail.defects == [
        "uuencoded attachment 'monatsbericht-2026-03.pdf' in the text; decoded",
        "uuencoded attachment 'zaehlerstaende.csv' in the text; decoded",
    ]
