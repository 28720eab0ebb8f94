"""Demo mails, sent through the real pipeline (SMTP → S3 → SQS → ingest), so the inbox is useful at once."""

from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid

DEMO_MAILS: list[dict[str, str]] = [
    {
        "from": "Jürgen Müller <juergen.mueller@kunde-gmbh.de>",
        "to": "support",
        "subject": "Lieferung fehlt noch",
        "body": "Guten Tag,\n\nmeine Bestellung 4711 vom 12. November ist noch nicht angekommen. Können Sie bitte "
        "nachsehen, wo sie steckt?\n\nViele Grüße\nJürgen Müller",
    },
    {
        "from": "Sabine Schäfer <s.schaefer@beispiel-shop.de>",
        "to": "support",
        "subject": "Rechnung 2026-1183 doppelt",
        "body": "Hallo,\n\nwir haben die Rechnung 2026-1183 zweimal erhalten und auch zweimal bezahlt. Bitte um "
        "Gutschrift.\n\nMit freundlichen Grüßen\nSabine Schäfer\nBuchhaltung",
    },
    {
        "from": "Max Mustermann <max@mustermann.example>",
        "to": "sales",
        "subject": "Angebot für 50 Lizenzen",
        "body": "Sehr geehrte Damen und Herren,\n\nbitte senden Sie uns ein Angebot für 50 Lizenzen inkl. "
        "Schulung.\n\nBeste Grüße\nMax Mustermann",
    },
    {
        "from": "Olivia Brown <olivia@brown-trading.co.uk>",
        "to": "support",
        "subject": "URGENT: cannot log in",
        "body": "Hi,\n\nsince this morning none of our users can log in. Please help asap.\n\nOlivia",
    },
    {
        "from": "Newsletter <news@angebote.example>",
        "to": "support",
        "subject": "Nur heute: 50 % auf alles!",
        "body": "Sensationelle Angebote …",
        "list": "1",
    },
    {
        "from": "Karl Köhler <karl.koehler@handwerk-koehler.de>",
        "to": "support",
        "subject": "Reklamation: Gerät defekt",
        "body": "Guten Tag,\n\ndas gelieferte Gerät lässt sich nicht "
        "einschalten. Fotos anbei folgen.\n\nGruß\nKarl Köhler",
    },
]


def demo_message(mail: dict[str, str], domain: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail["from"]
    msg["To"] = f"{mail['to']}@{domain}"
    msg["Subject"] = mail["subject"]
    msg["Message-ID"] = make_msgid(domain=mail["from"].rpartition("@")[2].strip(">"))
    if mail.get("list"):
        msg["List-Unsubscribe"] = "<mailto:unsubscribe@angebote.example>"
        msg["Precedence"] = "bulk"
    msg.set_content(mail["body"])
    html = "".join(f"<p>{line}</p>" for line in mail["body"].split("\n\n"))
    msg.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    return msg


def send_demo_mails(host: str, port: int, domain: str, tries: int = 5, pause: float = 0.5) -> int:
    """Send every demo mail; a temporary refusal (4xx) is retried, as any mail program would.

    Raises the last error when a mail is still refused after ``tries``; the caller decides whether
    a missing demo inbox is fatal (it is not for ``helpdesk local``).
    """
    for mail in DEMO_MAILS:
        for attempt in range(1, tries + 1):
            try:
                with smtplib.SMTP(host, port, timeout=30) as smtp:
                    smtp.send_message(demo_message(mail, domain))
                break
            except smtplib.SMTPResponseException as exc:
                if not 400 <= exc.smtp_code < 500 or attempt == tries:
                    raise
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if not all(400 <= code < 500 for code in codes) or attempt == tries:
                    raise
            time.sleep(pause * attempt)
    return len(DEMO_MAILS)
