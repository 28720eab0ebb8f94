"""Mail fidelity (issue 18): every part, uuencoded attachments, over-long headers.

The mails are built here with the stdlib ``email`` package in the header styles of the programs that
send them; the fixtures in tests/data/mails have their own tests in test_mail_corpus.py.
"""

from __future__ import annotations

from email.message import EmailMessage

from helpdesk.domain.mail import parse_mail


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
