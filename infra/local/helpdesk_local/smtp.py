"""SMTP inbound on 127.0.0.1 standing in for SES: accept mail for our domains, store it in S3 as SES does.

* ``RCPT TO`` for a domain that is not configured gets ``550 5.1.1`` (as SES rejects unknown recipients).
* ``DATA`` is stored under ``inbound/<id>`` in the mail bucket with SES-style trace headers
  (``Return-Path``, ``Received … for <rcpt>``, ``X-SES-Spam-Verdict``, ``X-SES-Virus-Verdict``), and
  ``250`` is answered only after S3 has the object. The bucket's notification then reaches SQS.
* It accepts what SES accepts: messages up to 40 MB, headers included (the one limit SES documents for
  receiving), with lines of any length (SES's 1,000-character line limit is documented for sending
  only; real mail has longer lines). The envelope sender is kept as sent: an RFC 2047 word in it is
  just ASCII (aiosmtpd would decode it), 8-bit bytes stay the bytes they were.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from helpdesk.domain.clock import now
from helpdesk.domain.ids import new_id

log = logging.getLogger("helpdesk.local.smtp")
MAX_MESSAGE_BYTES = 40 * 1024 * 1024  # what SES accepts


def literal_path(arg: str) -> str | None:
    """The reverse-path of a ``MAIL`` command's argument (``FROM:<path> params``) as the client wrote it."""
    if arg[:5].upper() != "FROM:":
        return None
    rest = arg[5:].strip()
    if rest.startswith("<"):
        end = rest.find(">")
        return rest[1:end] if end > 0 else None
    return rest.split(" ", 1)[0] or None


def _wire(text: str) -> bytes:
    """Back to the bytes that came in (aiosmtpd decodes command arguments as UTF-8 with surrogateescape)."""
    return text.encode("utf-8", "surrogateescape")


class SesLikeSMTP(SMTP):
    """aiosmtpd's SMTP session, made to accept what SES accepts (see the module's docstring)."""

    line_length_limit = MAX_MESSAGE_BYTES  # command lines keep aiosmtpd's own limit (512)

    async def smtp_MAIL(self, arg: str) -> None:
        await super().smtp_MAIL(arg)
        # aiosmtpd parses the path as a header would be and decodes encoded words in it (lossy, and
        # with surrogates when the word does not decode); SES, as any MTA, keeps the path as sent.
        # The null path ``<>`` (bounces) stays "<>": aiosmtpd needs a non-empty sender for RCPT.
        literal = literal_path(arg) if arg else None
        if self.envelope is not None and self.envelope.mail_from and literal:
            self.envelope.mail_from = literal


class SesLikeController(Controller):
    def factory(self) -> SMTP:
        return SesLikeSMTP(self.handler, **self.SMTP_kwargs)


class InboundHandler:
    def __init__(
        self,
        store: Callable[[str, bytes], None],
        domains: Callable[[], set[str]],
        on_stored: Callable[[str, Envelope], None] | None = None,
    ) -> None:
        self.store = store
        self.domains = domains
        self.on_stored = on_stored

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        domain = address.rpartition("@")[2].lower().strip(">")
        if domain not in self.domains():
            shown = _wire(address).decode("utf-8", "replace")  # a reply can carry no lone surrogates
            return f"550 5.1.1 <{shown}>: recipient domain not handled here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        key = f"inbound/{new_id().lower()}"
        peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer)
        rcpt = envelope.rcpt_tos[0] if len(envelope.rcpt_tos) == 1 else None
        path = "" if envelope.mail_from in (None, "<>") else envelope.mail_from
        trace = _wire(
            f"Return-Path: <{path}>\r\n"
            f"Received: from {session.host_name or 'unknown'} ({peer})\r\n"
            f" by inbound-smtp.local.helpdesk with SMTP id {key.rpartition('/')[2]}"
            + (f"\r\n for {rcpt}" if rcpt else "")
            + f";\r\n {format_datetime(now())}\r\n"
            "X-SES-Spam-Verdict: PASS\r\n"
            "X-SES-Virus-Verdict: PASS\r\n"
        )
        try:
            self.store(key, trace + content)
        except Exception:  # the client must retry: nothing was stored
            log.exception("could not store inbound mail")
            return "451 4.3.0 could not store the message, try again later"
        if self.on_stored:
            self.on_stored(key, envelope)
        return f"250 2.0.0 Ok: stored as {key}"


class InboundServer:
    def __init__(self, handler: InboundHandler, host: str, port: int) -> None:
        self.controller: Any = SesLikeController(
            handler,
            hostname=host,
            port=port,
            server_hostname="inbound-smtp.local.helpdesk",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
            decode_data=False,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
