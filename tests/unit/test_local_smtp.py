"""helpdesk_local.smtp: the local SMTP inbound accepts what SES accepts, spoken to with a real smtplib client.

SES documents one limit for mail it receives: 40 MB per message, headers included. Its 1,000-character
line limit (RFC 5321) is documented for sending only, and real mail has longer lines (HTML without line
breaks, long References). The envelope sender is taken as sent: an RFC 2047 word in it is just ASCII.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage

import pytest

from helpdesk_local.smtp import MAX_MESSAGE_BYTES, InboundHandler, InboundServer
from tests.conftest import free_port


class Inbound:
    def __init__(self) -> None:
        self.stored: dict[str, bytes] = {}
        self.port = free_port()
        self.server = InboundServer(
            InboundHandler(self.stored.__setitem__, lambda: {"example.com"}), "127.0.0.1", self.port
        )

    def client(self) -> smtplib.SMTP:
        return smtplib.SMTP("127.0.0.1", self.port, timeout=10)

    def only_mail(self) -> bytes:
        assert len(self.stored) == 1
        return next(iter(self.stored.values()))


@pytest.fixture
def inbound() -> Iterator[Inbound]:
    server = Inbound()
    server.server.start()
    try:
        yield server
    finally:
        server.server.stop()


def mail(body: str = "Guten Tag", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jürgen Müller <j@kunde.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = "Lieferung"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes(policy=policy.SMTP)


def test_lines_over_1000_characters_are_accepted_unchanged(inbound: Inbound) -> None:
    """Issue 10: a real mail with a line over 1,000 characters got "500 Line too long"."""
    html_line = b"<p>" + "Sehr lange Zeile ohne Umbruch, schöne Grüße. ".encode() * 200 + b"</p>"
    references = b"References: " + b" ".join(b"<m%d@kunde.example>" % i for i in range(120))
    raw = (
        b"From: j@kunde.example\r\nTo: support@example.com\r\nSubject: Lang\r\n"
        + references
        + b"\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + html_line
        + b"\r\n"
    )
    assert len(references) > 2000 and len(html_line) > 9000
    with inbound.client() as smtp:
        assert smtp.sendmail("j@kunde.example", ["support@example.com"], raw) == {}
    assert inbound.only_mail().endswith(raw)


@pytest.mark.parametrize(
    "sender",
    [
        "=?utf-8?q?j=FCrgen?=@kunde.example",  # an encoded word that does not decode (was: 500 UnicodeEncodeError)
        "=?iso-8859-1?q?J=FCrgen?=@kunde.example",
        "=?unknown-8bit?b?/A==?=@kunde.example",
    ],
)
def test_an_rfc_2047_word_in_the_envelope_sender_is_taken_as_sent(inbound: Inbound, sender: str) -> None:
    with inbound.client() as smtp:
        assert smtp.sendmail(sender, ["support@example.com"], mail()) == {}
    assert inbound.only_mail().startswith(f"Return-Path: <{sender}>\r\n".encode())


def test_8bit_bytes_in_the_envelope_sender_are_kept_as_sent(inbound: Inbound) -> None:
    """A client that sends Latin-1 in MAIL FROM (no SMTPUTF8): stored with the bytes it sent."""
    with inbound.client() as smtp:
        smtp.ehlo()
        smtp.send(b"MAIL FROM:<j\xfcrgen@kunde.example>\r\n")
        assert smtp.getreply()[0] == 250
        assert smtp.rcpt("support@example.com")[0] == 250
        assert smtp.data(mail())[0] == 250
    assert inbound.only_mail().startswith(b"Return-Path: <j\xfcrgen@kunde.example>\r\n")


def test_a_bounce_has_the_null_return_path(inbound: Inbound) -> None:
    with inbound.client() as smtp:
        assert smtp.sendmail("<>", ["support@example.com"], mail()) == {}
    assert inbound.only_mail().startswith(b"Return-Path: <>\r\n")  # was "<<>>"


def test_what_ses_refuses_is_still_refused(inbound: Inbound) -> None:
    with inbound.client() as smtp:
        smtp.ehlo()
        assert smtp.has_extn("size") and int(smtp.esmtp_features["size"]) == MAX_MESSAGE_BYTES
        assert smtp.mail("j@kunde.example", [f"SIZE={MAX_MESSAGE_BYTES + 1}"])[0] == 552
        assert smtp.mail("j@kunde.example")[0] == 250
        assert smtp.rcpt("someone@elsewhere.example")[0] == 550
    assert inbound.stored == {}
