"""Outgoing mail as proper MIME: text + HTML, UTF-8, our Message-ID, threading headers, loop markers.

Header injection: this Python (3.11.7) lacks the CVE-2024-6923 fix, so every value that reaches a
header passes :mod:`.header_guard` (after decoding, as the ``email`` package would decode it), and the
generated message is checked to carry exactly the headers set here.
"""

from __future__ import annotations

from dataclasses import field
from email.utils import format_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .clock import now
from .dataclass import dataclass
from .header_guard import HeaderInjection, check_generated, checked_address, header_safe
from .headers import Address

__all__ = ["HeaderInjection", "OutgoingAttachment", "OutgoingMail", "build_mime", "header_safe"]


if TYPE_CHECKING:
    from email.headerregistry import Address as HeaderAddress
    from email.policy import EmailPolicy


@lru_cache(maxsize=1)
def _policy() -> EmailPolicy:
    """``email.policy.SMTP`` that folds In-Reply-To and References between their ids.

    The stdlib treats both as unstructured text and turns an id that does not fit on a line into an
    RFC 2047 encoded word, which mail programs do not decode there: the customer's thread breaks.
    Built on first use: ``email.policy`` and its header registry cost 20 ms of import, and most
    ingested mails send nothing.
    """
    from email.policy import EmailPolicy

    class SmtpPolicy(EmailPolicy):
        def fold_binary(self, name: str, value: Any) -> bytes:
            text = str(value)
            if name.lower() not in ("in-reply-to", "references") or not text.isascii():
                return super().fold_binary(name, value)
            lines = [f"{name}:"]
            for msg_id in text.split():  # as many ids per line as fit; a long id gets its own line (ids <= 900)
                if len(lines[-1]) + 1 + len(msg_id) > (self.max_line_length or 998) and lines[-1] != f"{name}:":
                    lines.append("")
                lines[-1] += " " + msg_id
            return (self.linesep.join(lines) + self.linesep).encode("ascii")

    return SmtpPolicy(linesep="\r\n")


@dataclass
class OutgoingAttachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None  # an inline image the HTML shows as ``cid:<content_id>`` (without brackets)


@dataclass
class OutgoingMail:
    sender: Address
    to: list[Address]
    subject: str
    text: str
    message_id: str  # with angle brackets
    html: str | None = None
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)  # envelope only: never a header of the mail
    reply_to: Address | None = None
    in_reply_to: str | None = None  # with angle brackets
    references: list[str] = field(default_factory=list)  # with angle brackets
    auto_submitted: str | None = None  # "auto-replied" | "auto-generated" | None for human replies
    attachments: list[OutgoingAttachment] = field(default_factory=list)
    ticket_number: str | None = None

    @property
    def recipients(self) -> list[str]:
        """Everyone the mail goes to (the envelope): To, Cc and Bcc. Bcc is never written into the mail."""
        return list(dict.fromkeys(a.address for a in self.to + self.cc + self.bcc))


def _address(addr: Address, what: str) -> HeaderAddress:
    checked = checked_address(addr, what)
    local, _, domain = checked.address.rpartition("@")
    from email.headerregistry import Address as HeaderAddress

    return HeaderAddress(display_name=checked.name, username=local, domain=domain)


def build_mime(mail: OutgoingMail) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage(policy=_policy())
    msg["From"] = _address(mail.sender, "sender")
    msg["To"] = [_address(a, "recipient") for a in mail.to]
    if mail.cc:
        msg["Cc"] = [_address(a, "cc") for a in mail.cc]
    for bcc in mail.bcc:
        checked_address(bcc, "bcc")  # checked like the others, though it goes to the envelope only
    if mail.reply_to:
        msg["Reply-To"] = _address(mail.reply_to, "reply-to")
    msg["Subject"] = header_safe(mail.subject, "subject")
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = header_safe(mail.message_id, "message id")
    if mail.in_reply_to:
        msg["In-Reply-To"] = header_safe(mail.in_reply_to, "in-reply-to")
    if mail.references:
        msg["References"] = header_safe(" ".join(mail.references[-20:]), "references")
    if mail.auto_submitted:
        msg["Auto-Submitted"] = header_safe(mail.auto_submitted, "auto-submitted")
        msg["X-Auto-Response-Suppress"] = "All"
        msg["Precedence"] = "auto_reply"
    if mail.ticket_number:
        msg["X-Helpdesk-Ticket"] = header_safe(mail.ticket_number, "ticket number")
    msg["X-Loop"] = header_safe(mail.sender.address, "sender")
    # Quoted-printable: 7-bit on the wire, so no hop needs 8BITMIME, and umlauts stay readable in the source.
    msg.set_content(mail.text or "", charset="utf-8", cte="quoted-printable")
    if mail.html:
        msg.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
        # Inline images beside the HTML they belong to: multipart/related(text/html, image…) in the alternative.
        html_part = msg.get_body(preferencelist=("html",))
        for att in mail.attachments:
            if att.content_id and html_part is not None:
                maintype, _, subtype = header_safe(att.content_type, "attachment type").partition("/")
                html_part.add_related(
                    att.data,
                    maintype=maintype or "image",
                    subtype=subtype or "png",
                    cid=f"<{header_safe(att.content_id, 'content id')}>",
                    disposition="inline",
                    filename=header_safe(att.filename, "attachment name"),
                )
    for att in mail.attachments:
        if att.content_id and mail.html:
            continue
        maintype, _, subtype = header_safe(att.content_type, "attachment type").partition("/")
        msg.add_attachment(
            att.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=header_safe(att.filename, "attachment name"),
        )
    raw = msg.as_bytes()
    check_generated(raw, list(msg.keys()))
    return raw
