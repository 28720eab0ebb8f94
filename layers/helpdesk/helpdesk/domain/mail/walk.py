"""One walk through the MIME tree, within the limits: inline bodies, attachments, signed/encrypted."""

from __future__ import annotations

import base64
import binascii
import email
import quopri
import re
import unicodedata

# compat32 lives in _policybase; importing it from there skips email.policy's header registry
# (20 ms of every cold start) that this parser never uses.
from email._policybase import compat32
from email.message import Message
from email.utils import collapse_rfc2231_value

from ..headers import decode_bytes, decode_header_value
from ..ids import normalize_message_id
from .bodies import Body, merged, render_html, render_text
from .filenames import data_name, get_filename, numbered_name
from .flowed import unflow
from .raw import header_end
from .types import Attachment, Limits, size_words


class Walker:
    """Walks the MIME tree once, with depth and part limits, collecting bodies and attachments."""

    def __init__(self, limits: Limits, defects: list[str], exceeded: list[str]) -> None:
        self.limits = limits
        self.defects = defects
        self.exceeded = exceeded
        self.parts = 0
        self.bodies: list[Body] = []  # the inline text and HTML parts, in the order of the mail
        self.attachments: list[Attachment] = []
        self.encrypted = False
        self.signed = False
        self.attachment_bytes = 0

    def walk(self, part: Message, depth: int = 0) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            self._note(f"more than {self.limits.max_parts} MIME parts")
            return
        if depth > self.limits.max_depth:
            self._note(f"MIME nesting deeper than {self.limits.max_depth}")
            return
        ctype = part.get_content_type()
        # Checked before is_multipart(): the parser stores an encapsulated mail (message/rfc822) and
        # the blocks of a delivery report as a list payload, so they look like multiparts. They are
        # attachments: a forwarded mail must not merge into the text of the mail that carries it.
        if ctype.startswith("message/"):
            data = self._message_bytes(part)
            forwarded = ctype in ("message/rfc822", "message/global")
            self._attach(part, ctype, default_name=self._forward_name(data) if forwarded else None, data=data)
            return
        if part.is_multipart():
            self._multipart(part, ctype, depth)
            return
        disposition = (part.get_content_disposition() or "").lower()
        filename = self._filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            body = self._text(part)
            self.bodies.append(Body(body, None) if ctype == "text/plain" else Body(None, body))
            return
        if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
            if "signed-data" in str(part.get("content-type", "")).lower():
                self.signed = True  # opaque signed: the text is inside the PKCS #7 structure
            else:
                self.encrypted = True
        self._attach(part, ctype)

    def _collect(self, part: Message, depth: int) -> list[Body]:
        """The bodies of ``part`` on their own (its attachments are collected as usual)."""
        outer, self.bodies = self.bodies, []
        try:
            self.walk(part, depth)
            return self.bodies
        finally:
            self.bodies = outer

    def _note(self, note: str) -> None:
        if note not in self.exceeded:
            self.exceeded.append(note)

    def _multipart(self, part: Message, ctype: str, depth: int) -> None:
        payload = part.get_payload()
        if not isinstance(payload, list):
            self.defects.append(f"{ctype} without parts")
            return
        children: list[Message] = [c for c in payload if isinstance(c, Message)]
        if ctype == "multipart/alternative":
            # Take the richest text and the richest HTML; other alternatives (calendar, AMP) attach.
            plain = [c for c in children if c.get_content_type() == "text/plain"]
            html = [c for c in children if c.get_content_type() == "text/html"]
            nested = [c for c in children if c.is_multipart()]
            # Every text alternative was parsed, read or not: each counts towards max_parts.
            self.parts += len(plain) + len(html)
            if self.parts > self.limits.max_parts:
                self._note(f"more than {self.limits.max_parts} MIME parts")
                return
            text = self._text(plain[-1]) if plain else None
            markup = self._text(html[-1]) if html else None
            # A nested multipart (multipart/related around the HTML, Apple Mail's multipart/mixed of HTML
            # pieces) is the richer alternative where no HTML part stands beside the text.
            for child in nested:
                inner = merged(self._collect(child, depth + 1))
                if markup is None and any(b.html is not None for b in inner):
                    markup = render_html(inner)
                if text is None and inner:
                    text = render_text(inner)
            if text is not None or markup is not None:
                self.bodies.append(Body(text, markup))
            taken = {id(c) for c in plain + html + nested}
            for child in children:
                if id(child) not in taken:
                    self.walk(child, depth + 1)
            return
        if ctype == "multipart/signed":
            self.signed = True
        if ctype == "multipart/encrypted":
            self.encrypted = True
        for child in children:
            self.walk(child, depth + 1)

    def _text(self, part: Message) -> str:
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # broken base64/qp: take the raw payload
            self.defects.append("undecodable transfer encoding in a text part")
            payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
        if not isinstance(payload, bytes):
            payload = b""
        text = decode_bytes(payload, part.get_content_charset(), self.defects)
        if len(text) > self.limits.max_text_chars:
            self._note(f"text part longer than {self.limits.max_text_chars} characters (cut)")
            text = text[: self.limits.max_text_chars]
        text = text.replace("\r\n", "\n").replace("\x00", "")
        if part.get_content_type() == "text/plain" and param(part, "format").lower() == "flowed":
            text = unflow(text, delsp=param(part, "delsp").lower() == "yes")
        if part.get_content_type() == "text/plain" and "begin " in text:
            text = self._uudecode(text)
        return text

    def _uudecode(self, text: str) -> str:
        """The text without its uuencoded blocks; their files become attachments."""
        from ..uudecode import extract_uuencoded  # only for text with "begin " in it

        text, files = extract_uuencoded(text)
        if files:
            import mimetypes

            for raw_name, data in files:
                name = data_name(raw_name)
                self.defects.append(f"uuencoded attachment {name!r} in the text; decoded")
                ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
                self._keep(name, ctype, data, note="uuencoded in the text")
        return text

    def _filename(self, part: Message) -> str:
        try:
            raw = get_filename(part, self.defects)
        except Exception:
            self.defects.append("malformed filename parameter")
            raw = None
        if not raw:
            return ""
        return data_name(decode_header_value(raw, self.defects))  # RFC 2047 words in quoted filenames (Outlook)

    def _forward_name(self, data: bytes) -> str:
        """``<subject of the forwarded mail>.eml``."""
        subject = ""
        if data:
            end = header_end(data)
            head = email.message_from_bytes(data[: end if end >= 0 else 64 * 1024], policy=compat32)
            subject = decode_header_value(head.get("subject", ""), self.defects)
        subject = unicodedata.normalize("NFC", subject)
        safe = re.sub(r"[^\w\s.-]", "_", subject).strip()[:80] or "forwarded-message"
        return f"{safe}.eml"

    def _message_bytes(self, part: Message) -> bytes:
        """The bytes of an encapsulated ``message/*`` part (a forwarded mail, the blocks of a report)."""
        inner = part.get_payload()
        out = compat32.clone(linesep="\r\n", max_line_length=0)  # 0: keep headers folded as they came
        if isinstance(inner, list):
            data = b"".join(m.as_bytes(policy=out) for m in inner if isinstance(m, Message))
        else:
            data = str(inner).encode("utf-8", "surrogateescape")
        cte = str(part.get("content-transfer-encoding", "")).strip().lower()
        if cte in ("base64", "quoted-printable"):
            # Not allowed by RFC 2046, sent anyway (an .eml file attached by Outlook): the parser took the
            # encoded text for a headerless mail. Undo the transfer encoding.
            encoded = data.lstrip(b"\r\n")
            try:
                data = base64.b64decode(encoded) if cte == "base64" else quopri.decodestring(encoded)
            except (binascii.Error, ValueError):
                self.defects.append(f"undecodable {cte} in a {part.get_content_type()} part")
        return data

    def _attach(self, part: Message, ctype: str, default_name: str | None = None, data: bytes | None = None) -> None:
        filename = self._filename(part) or default_name or numbered_name(ctype, len(self.attachments) + 1)
        if data is None:
            try:
                payload = part.get_payload(decode=True)
            except Exception:
                payload = None
            if not isinstance(payload, bytes):
                self.defects.append(f"undecodable attachment {filename!r}; kept as raw text")
                payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
            data = payload
        note = None
        if ctype == "application/ms-tnef" or filename.lower() == "winmail.dat":
            note = "Outlook TNEF container (winmail.dat), kept as it came"
        elif ctype == "text/calendar":
            note = "calendar invitation"
        elif ctype in ("application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"):
            note = "signature"
        elif ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"):
            note = "encrypted content"
        raw_cid = part.get("content-id")  # a Header object, not a str, when it holds raw 8-bit bytes
        content_id = normalize_message_id(str(raw_cid)) if raw_cid else None
        disposition = (part.get_content_disposition() or "").lower()
        inline = disposition == "inline" or (content_id is not None and disposition != "attachment")
        self._keep(filename, ctype, data, content_id=content_id, inline=inline, note=note)

    def _keep(
        self,
        filename: str,
        ctype: str,
        data: bytes,
        *,
        content_id: str | None = None,
        inline: bool = False,
        note: str | None = None,
    ) -> None:
        """An attachment, if it is within the size limit."""
        if len(data) > self.limits.max_attachment_bytes:
            self.exceeded.append(
                f"attachment {filename!r} larger than {size_words(self.limits.max_attachment_bytes)}"
                " (not stored separately; it stays in the raw mail)"
            )
            return
        self.attachment_bytes += len(data)
        self.attachments.append(Attachment(filename, ctype, data, content_id=content_id, inline=inline, note=note))


def param(part: Message, name: str) -> str:
    value = part.get_param(name)
    if isinstance(value, tuple):  # RFC 2231 form
        value = collapse_rfc2231_value(value)
    return str(value or "")
