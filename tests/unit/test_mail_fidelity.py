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
