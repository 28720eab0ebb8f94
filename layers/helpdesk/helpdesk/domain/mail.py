"""Parse one raw mail into what the helpdesk needs, with the stdlib ``email`` package.

Principles:

* **Never fatal.** Anything that is a mail at all parses; what was odd is listed in ``defects``.
* **Bounded.** Raw size, part count, nesting depth, header count/size and decoded attachment size
  are capped (:class:`Limits`). Past a cap the mail still becomes a ticket, flagged for review
  (``limit_exceeded``), with what could be read safely.
* **Data, not markup.** Subjects, names and addresses are plain text with control characters
  removed; HTML is returned raw here and sanitized by :mod:`helpdesk.domain.sanitize`.
"""

from __future__ import annotations

import base64
import binascii
import email
import hashlib
import html as html_lib
import quopri
import re
import unicodedata
from dataclasses import dataclass, field

# compat32 lives in _policybase; importing it from there skips email.policy's header registry
# (20 ms of every cold start) that this parser never uses.
from email._policybase import compat32
from email.message import Message
from email.utils import collapse_rfc2231_value, parsedate_to_datetime
from typing import Any

from .clock import iso
from .headers import Address, bounded, clean_text, decode_bytes, decode_header_value, parse_addresses
from .htmltext import html_to_text
from .ids import content_digest, message_ids_in, normalize_message_id, synthetic_message_id
from .quotes import split_reply
from .signatures import strip_signature


@dataclass(frozen=True)
class Limits:
    max_raw_bytes: int = 40 * 1024 * 1024  # SES accepts up to 40 MB
    max_parts: int = 500
    max_depth: int = 20
    max_headers: int = 1000
    max_header_bytes: int = 512 * 1024
    max_attachment_bytes: int = 30 * 1024 * 1024
    max_text_chars: int = 2_000_000


DEFAULT_LIMITS = Limits()


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None
    inline: bool = False
    note: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def summary(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass
class Verdicts:
    """What SES (or any upstream filter) said about the mail: ``PASS``/``FAIL``/``GRAY``/… or None."""

    spam: str | None = None
    virus: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None

    @property
    def is_spam(self) -> bool:
        return (self.spam or "").upper() == "FAIL"

    @property
    def is_virus(self) -> bool:
        return (self.virus or "").upper() == "FAIL"

    @property
    def sender_unverified(self) -> str | None:
        """Why the From address is not to be believed (it proves no participation), or None.

        DMARC fail, or SPF fail without a DKIM pass. A missing verdict (no SES in front, e.g. locally)
        is not a failure.
        """
        if (self.dmarc or "").upper() == "FAIL":
            return "DMARC fail"
        if (self.spf or "").upper() == "FAIL" and (self.dkim or "").upper() != "PASS":
            return "SPF fail without a DKIM pass"
        return None

    def as_dict(self) -> dict[str, str | None]:
        return {"spam": self.spam, "virus": self.virus, "spf": self.spf, "dkim": self.dkim, "dmarc": self.dmarc}


@dataclass
class ParsedMail:
    from_: Address | None
    to: list[Address]
    cc: list[Address]
    reply_to: list[Address]
    recipients: list[str]  # envelope-ish recipients: Received "for", Delivered-To, X-Original-To, To, Cc
    subject: str
    date: str | None
    message_id: str
    message_id_synthetic: bool
    in_reply_to: list[str]
    references: list[str]
    text: str
    html: str  # raw, unsanitized: pass it through sanitize_html before storing or showing
    new_text: str
    attachments: list[Attachment]
    auto_submitted: str | None  # why the mail is automatic (RFC 3834 & friends), or None
    headers: dict[str, str]  # selected headers, decoded (loop detection, rules, audit)
    verdicts: Verdicts
    defects: list[str] = field(default_factory=list)
    limit_exceeded: list[str] = field(default_factory=list)
    encrypted: bool = False
    signed: bool = False
    size: int = 0
    digest: str = ""  # what the sender wrote (ids.content_digest): a redelivery has the same, a reuse not

    @property
    def sender(self) -> str:
        return self.from_.address if self.from_ else ""

    @property
    def sender_name(self) -> str:
        return self.from_.name if self.from_ else ""

    def to_json(self, sanitized_html: str | None = None) -> dict[str, Any]:
        """The JSON of ``helpdesk parse`` (DESIGN §9)."""
        return {
            "from": self.from_.as_dict() if self.from_ else None,
            "to": [a.as_dict() for a in self.to],
            "cc": [a.as_dict() for a in self.cc],
            "subject": self.subject,
            "date": self.date,
            "message_id": self.message_id,
            "in_reply_to": self.in_reply_to[0] if self.in_reply_to else None,
            "references": self.references,
            "text": self.text,
            "html": sanitized_html if sanitized_html is not None else self.html,
            "new_text": self.new_text,
            "attachments": [a.summary() for a in self.attachments],
            "auto_submitted": self.auto_submitted,
            "defects": self.defects,
            "limit_exceeded": self.limit_exceeded,
            "verdicts": self.verdicts.as_dict(),
            "encrypted": self.encrypted,
            "signed": self.signed,
        }


# Headers kept (decoded) for loop detection, rules and the audit trail.
KEPT_HEADERS = (
    "auto-submitted",
    "content-language",  # the auto-reply's language (autoreply_mail.py)
    "precedence",
    "x-auto-response-suppress",
    "x-loop",
    "list-id",
    "list-unsubscribe",
    "list-post",
    "x-autoreply",
    "x-autorespond",
    "x-mailer",
    "user-agent",
    "return-path",
    "sender",
    "x-ses-spam-verdict",
    "x-ses-virus-verdict",
    "received-spf",
    "authentication-results",
    "x-spam-flag",
    "x-spam-status",
    "x-original-to",
    "delivered-to",
    "x-helpdesk-ticket",
    "x-ms-exchange-generated-message-source",
    "feedback-id",
    "x-failed-recipients",
)

_NOREPLY = re.compile(
    r"^(mailer-daemon|postmaster|abuse|root|no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|notifications?[-_.]?noreply)"
    r"([+\-_.]|@)",
    re.IGNORECASE,
)
_RECEIVED_FOR = re.compile(r"\sfor\s+<?([^\s<>;]+@[^\s<>;]+)>?\s*;", re.IGNORECASE)


def automatic_reason(headers: dict[str, str], sender: str, content_type: str = "") -> str | None:
    """Why this mail is automatic (and must not get an auto-reply), or None.

    RFC 3834 plus what Zammad and OTRS learned: Auto-Submitted, Precedence, List-*, X-Loop,
    X-Auto-Response-Suppress, vacation markers, bounces (multipart/report, mailer-daemon senders).
    """
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto[:60]}"
    precedence = headers.get("precedence", "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if headers.get(name):
            return f"{name.title()} present (mailing list)"
    if headers.get("x-loop"):
        return "X-Loop present"
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if any(token in suppress for token in ("all", "autoreply", "oof")):
        return f"X-Auto-Response-Suppress: {suppress[:60]}"
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return "X-Autoreply present"
    if headers.get("x-ms-exchange-generated-message-source"):
        return "generated by Exchange"
    if headers.get("x-failed-recipients") or content_type == "multipart/report":
        return "delivery status report (bounce)"
    if sender and _NOREPLY.match(sender):
        return f"sender {sender.split('@')[0]} is a system address"
    if not sender:
        return "no sender address"
    return None


# Authentication-Results are believed only from these authserv-ids (RFC 8601 §5: a receiver must
# ignore results claimed by others). ``headers`` holds the topmost occurrence of each header, which
# for mail stored by SES (ScanEnabled) is SES's own; a sender's fake copy sits further down.
TRUSTED_AUTHSERV_IDS = frozenset({"amazonses.com"})


def _verdicts(headers: dict[str, str]) -> Verdicts:
    auth = headers.get("authentication-results", "")
    trusted = auth.split(";", 1)[0].strip().lower() in TRUSTED_AUTHSERV_IDS

    def _from_auth(kind: str) -> str | None:
        match = re.search(rf"\b{kind}=(\w+)", auth, re.IGNORECASE) if trusted else None
        return match.group(1).upper() if match else None

    spf = _from_auth("spf") or headers.get("received-spf", "").split(" ", 1)[0].upper()
    return Verdicts(
        spam=(headers.get("x-ses-spam-verdict") or "").upper() or None,
        virus=(headers.get("x-ses-virus-verdict") or "").upper() or None,
        spf=spf or None,
        dkim=_from_auth("dkim"),
        dmarc=_from_auth("dmarc"),
    )


class Body:
    """One inline body of a mail: a text part, an HTML part, or the two versions of a multipart/alternative.

    (A plain class: a dataclass costs a millisecond of every cold start.)
    """

    __slots__ = ("html", "text")

    def __init__(self, text: str | None, html: str | None) -> None:
        self.text = text
        self.html = html

    def as_text(self) -> str:
        return self.text if self.text is not None else html_to_text(self.html or "")

    def as_html(self) -> str:
        return self.html if self.html is not None else text_as_html(self.text or "")


def text_as_html(text: str) -> str:
    """A text part in the HTML view: escaped, its line breaks kept."""
    lines = text.strip("\n").split("\n")
    return "<div>" + "<br>\n".join(html_lib.escape(line, quote=False) for line in lines) + "</div>"


def _same_message(text: str, markup: str) -> bool:
    """Are a text part and the HTML part next to it two versions of one message (as form mailers put
    them into multipart/mixed instead of multipart/alternative)?"""
    words = text.split()
    return bool(words) and words == html_to_text(markup).split()


def _merged(bodies: list[Body]) -> list[Body]:
    """Adjacent text and HTML parts that say the same thing become one body with two versions."""
    out: list[Body] = []
    for body in bodies:
        pair = _pair(out[-1], body) if out else None
        if pair is not None:
            out[-1] = pair
        else:
            out.append(body)
    return out


def _pair(first: Body, second: Body) -> Body | None:
    for plain, rich in ((first, second), (second, first)):
        if plain.html is None and rich.text is None and plain.text is not None and rich.html is not None:
            return Body(plain.text, rich.html) if _same_message(plain.text, rich.html) else None
    return None


def render_text(bodies: list[Body]) -> str:
    """The text view: every body as text, in order (HTML-only parts rendered as text)."""
    texts = (body.as_text().strip("\n") for body in bodies)
    return "\n\n".join(t for t in texts if t.strip())


def render_html(bodies: list[Body]) -> str:
    """The HTML view, when there is HTML at all: every body as HTML, in order (text parts escaped)."""
    if not any(body.html is not None for body in bodies):
        return ""
    return "\n".join(body.as_html() for body in bodies if body.html is not None or (body.text or "").strip())


class _Walker:
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
                inner = _merged(self._collect(child, depth + 1))
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
        if part.get_content_type() == "text/plain" and _param(part, "format").lower() == "flowed":
            text = unflow(text, delsp=_param(part, "delsp").lower() == "yes")
        if part.get_content_type() == "text/plain" and "begin " in text:
            text = self._uudecode(text)
        return text

    def _uudecode(self, text: str) -> str:
        """The text without its uuencoded blocks; their files become attachments."""
        from .uudecode import extract_uuencoded  # only for text with "begin " in it

        text, files = extract_uuencoded(text)
        if files:
            import mimetypes

            for raw_name, data in files:
                name = _data_name(raw_name)
                self.defects.append(f"uuencoded attachment {name!r} in the text; decoded")
                ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
                self._keep(name, ctype, data, note="uuencoded in the text")
        return text

    def _filename(self, part: Message) -> str:
        try:
            raw = _get_filename(part, self.defects)
        except Exception:
            self.defects.append("malformed filename parameter")
            raw = None
        if not raw:
            return ""
        return _data_name(decode_header_value(raw, self.defects))  # RFC 2047 words in quoted filenames (Outlook)

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
        filename = self._filename(part) or default_name or _default_name(ctype, len(self.attachments) + 1)
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
                f"attachment {filename!r} larger than {_size(self.limits.max_attachment_bytes)}"
                " (not stored separately; it stays in the raw mail)"
            )
            return
        self.attachment_bytes += len(data)
        self.attachments.append(Attachment(filename, ctype, data, content_id=content_id, inline=inline, note=note))


_EXTENSIONS = {
    "text/calendar": "ics",
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "text/plain": "txt",
    "text/html": "html",
    "application/ms-tnef": "dat",
    "application/pkcs7-signature": "p7s",
    "application/pgp-signature": "asc",
    "application/pkcs7-mime": "p7m",
    "message/rfc822": "eml",
    "message/delivery-status": "txt",
    "message/disposition-notification": "txt",
    "text/rfc822-headers": "txt",
}


def _data_name(name: str) -> str:
    """A file name as we keep it: composed, no path, no surrounding dots or blanks, bounded."""
    # macOS writes decomposed umlauts (u + U+0308); compose them so names compare and search as typed.
    name = unicodedata.normalize("NFC", name)
    # No paths, no control characters, bounded length: a filename is data.
    name = name.replace("\\", "/").split("/")[-1].strip().strip(".") or "attachment"
    return name[:200]


def _get_filename(part: Message, defects: list[str]) -> str | None:
    """``part.get_filename()``, with raw 8-bit bytes in the name read as UTF-8 (else Windows-1252).

    compat32 replaces such bytes with U+FFFD before it splits the parameters (``gro��.bin``).
    """
    heads = [(k, str(v)) for k, v in part.raw_items() if k.lower() in ("content-type", "content-disposition")]
    if all(v.isascii() for _, v in heads):
        return part.get_filename()
    defects.append("raw 8-bit characters in a header")
    shadow = Message()
    for key, value in heads:
        shadow[key] = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return shadow.get_filename()


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    if isinstance(value, tuple):  # RFC 2231 form
        value = collapse_rfc2231_value(value)
    return str(value or "")


def unflow(text: str, delsp: bool = False) -> str:
    """Undo ``format=flowed`` (RFC 3676): join soft-broken lines, remove space-stuffing.

    Quoted lines keep their ``>`` marks (as ``"> "``, one per level) so quote detection still sees them.
    """
    out: list[str] = []
    buffer: str | None = None
    buffer_depth = 0

    def flush(hard: bool = True) -> None:
        nonlocal buffer
        if buffer is not None:
            line = (">" * buffer_depth + " " if buffer_depth and buffer else ">" * buffer_depth) + buffer
            out.append(line if hard else line.rstrip(" "))  # a hard line keeps "-- " intact
            buffer = None

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the space after the quote marks)
        soft = content.endswith(" ") and content.rstrip(" ") != "--"
        if buffer is not None and depth != buffer_depth:
            flush(hard=False)  # a flowed paragraph never continues across quote depths
        if soft and delsp:
            content = content[:-1]
        buffer = content if buffer is None else buffer + content
        buffer_depth = depth
        if not soft:
            flush()
    flush(hard=False)
    return "\n".join(out)


def _default_name(ctype: str, index: int) -> str:
    return f"attachment-{index}.{_EXTENSIONS.get(ctype, 'bin')}"


def _size(limit: int) -> str:
    """A byte limit in words: ``40 MB``, ``512 KB``, ``1000 bytes``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"


_BOUNDARY_PARAM = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))')
_DELIMITER_LINE = re.compile(rb"\n--([^\r\n]{1,210})")


def _structure(lowered: bytes, limits: Limits) -> tuple[int, int]:
    """Delimiter lines and deepest nesting of the boundaries the (lower-cased) mail declares, unparsed.

    Parts need no Content-Type header of their own, so counting those headers misses parts; and the
    parser checks every line against the boundaries of all open multiparts. Stops once past the limits.
    """
    declared = {quoted or bare for quoted, bare in _BOUNDARY_PARAM.findall(lowered)}
    stack: list[bytes] = []
    delimiters = deepest = 0
    if not declared:
        return delimiters, deepest
    for match in _DELIMITER_LINE.finditer(lowered):
        token = match.group(1).rstrip(b" \t\r")
        closing = token.endswith(b"--") and token[:-2] in declared
        boundary = token[:-2] if closing else token
        if boundary not in declared:
            continue
        delimiters += 1
        if boundary in stack:
            del stack[stack.index(boundary) + (0 if closing else 1) :]  # inner multiparts end with it
        elif not closing:
            stack.append(boundary)
            deepest = max(deepest, len(stack))
        if delimiters > limits.max_parts * 4 or deepest > limits.max_depth * 2:
            break
    return delimiters, deepest


def header_end(raw: bytes) -> int:
    """Where the header block ends: the first blank line, CRLF or bare LF (whichever comes first); -1 if none.

    The block is ``raw[:end]``; the body, with the blank line that ends the block, is ``raw[end:]``."""
    crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
    found = [at for at in (crlf, lf) if at >= 0]
    return min(found) if found else -1


def _prescan(raw: bytes, limits: Limits, exceeded: list[str]) -> bool:
    """Cheap checks before the parser runs. False means: parse the headers only."""
    ok = True
    if len(raw) > limits.max_raw_bytes:
        exceeded.append(f"mail larger than {_size(limits.max_raw_bytes)} (headers read only)")
        ok = False
    end = header_end(raw)
    header_block = raw if end < 0 else raw[:end]
    if len(header_block) > limits.max_header_bytes:
        exceeded.append(f"header block larger than {_size(limits.max_header_bytes)}")
        ok = False
    if not ok:
        return ok
    # The parser's work grows with the number of parts (bpo-31449) and, per line, with the number of
    # open multiparts: count and measure before parsing. The walker enforces the exact limits; this
    # leaves a margin so that a mail just past them is still read as far as it may be.
    lowered = raw.lower()
    delimiters, depth = _structure(lowered, limits)
    if max(lowered.count(b"content-type:"), delimiters) > limits.max_parts * 4:
        exceeded.append(f"more than {limits.max_parts} MIME parts (headers read only)")
        ok = False
    if depth > limits.max_depth * 2:
        exceeded.append(f"MIME nesting deeper than {limits.max_depth} (headers read only)")
        ok = False
    return ok


BODY_NOT_READ = "(The body was not read: see the limits noted on this ticket.)"


def _raw_body(raw: bytes) -> bytes:
    """The bytes after the header block (with the blank line that ends it), as they arrived."""
    end = header_end(raw)
    return raw[end:] if end >= 0 else b""


def _header_only(raw: bytes, limits: Limits) -> bytes:
    end = header_end(raw)
    end = end if end >= 0 else len(raw)
    block = raw[: min(end, limits.max_header_bytes)]
    if end > limits.max_header_bytes and b"\n" in block:
        block = block[: block.rfind(b"\n")]  # a header cut in half would read as the start of the body
    return block.rstrip(b"\r\n") + b"\r\n\r\n"


def _decoded_headers(msg: Message, limits: Limits, exceeded: list[str]) -> dict[str, list[str]]:
    raw_items = list(msg.raw_items()) if hasattr(msg, "raw_items") else list(msg.items())
    if len(raw_items) > limits.max_headers:
        exceeded.append(f"more than {limits.max_headers} header lines")
        raw_items = raw_items[: limits.max_headers]
    headers: dict[str, list[str]] = {}
    for name, value in raw_items:
        headers.setdefault(str(name).lower(), []).append(str(value))
    return headers


def _date(value: str | None, defects: list[str]) -> str | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        defects.append(f"unparseable Date header {clean_text(value)[:60]!r}")
        return None
    if parsed.tzinfo is None:
        return None
    try:
        return iso(parsed)
    except (OverflowError, ValueError):
        return None


def _recipients(headers: dict[str, list[str]], to: list[Address], cc: list[Address]) -> list[str]:
    found: list[str] = []
    for received in headers.get("received", [])[:3]:
        match = _RECEIVED_FOR.search(" " + re.sub(r"\s+", " ", received))
        if match:
            found.append(match.group(1).lower())
    for name in ("x-original-to", "delivered-to", "envelope-to", "x-envelope-to"):
        for value in headers.get(name, []):
            found.extend(a.address for a in parse_addresses([value]))
    found.extend(a.address for a in to + cc)
    return list(dict.fromkeys(found))


def parse_mail(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedMail:
    """Parse raw RFC 5322 bytes. Never raises for bytes; odd things become ``defects``."""
    defects: list[str] = []
    exceeded: list[str] = []
    full = _prescan(raw, limits, exceeded)
    source = raw if full else _header_only(raw, limits)
    try:
        msg = email.message_from_bytes(source, policy=compat32)
    except RecursionError:  # nesting the pre-scan cannot see (message/rfc822 in message/rfc822 …)
        exceeded.append("MIME structure too deep to read (headers read only)")
        full = False
        msg = email.message_from_bytes(_header_only(raw, limits), policy=compat32)
    for defect in getattr(msg, "defects", [])[:20]:
        defects.append(type(defect).__name__)

    headers = _decoded_headers(msg, limits, exceeded)

    def first(name: str) -> str:
        values = headers.get(name)
        return values[0] if values else ""

    from_list = parse_addresses(headers.get("from", []), defects)
    if not from_list:
        from_list = parse_addresses(headers.get("sender", []) + headers.get("return-path", []), defects)
    to = parse_addresses(headers.get("to", []), defects)
    cc = parse_addresses(headers.get("cc", []), defects)
    reply_to = parse_addresses(headers.get("reply-to", []), defects)
    # RFC 5322 §2.1.1: a line is at most 998 characters; a longer subject is cut, the raw mail keeps it.
    subject = bounded(decode_header_value(first("subject"), defects), 998, "Subject header", defects)

    mid = normalize_message_id(first("message-id"))
    synthetic = mid is None
    if mid is None:
        defects.append("no Message-ID")
        mid = synthetic_message_id(first("from"), first("to"), first("date"), first("subject"), _raw_body(raw))
    in_reply_to = message_ids_in(first("in-reply-to"))
    references = message_ids_in(" ".join(headers.get("references", [])))

    kept = {
        name: bounded(decode_header_value(first(name), defects), 500, f"{name.title()} header", defects)
        for name in KEPT_HEADERS
        if headers.get(name)
    }

    walker = _Walker(limits, defects, exceeded)
    if not full:
        # Only the headers were parsed: their Content-Type (multipart/…) describes a body we did not read.
        walker.bodies.append(Body(BODY_NOT_READ, None))
    else:
        try:
            walker.walk(msg)
        except RecursionError:
            exceeded.append("MIME structure too deep to read")
    bodies = _merged(walker.bodies)
    text = render_text(bodies)
    html = render_html(bodies)
    if walker.encrypted and not text:
        text = "(Verschlüsselte Nachricht: der Inhalt liegt als Anhang bei. / Encrypted message: see attachment.)"
    new_text = strip_signature(split_reply(text)[0])
    if full:  # decoded: a relay that re-encodes the body (8bit → quoted-printable) changes nothing here
        content: list[str | bytes] = [text, html, *(a.sha256 for a in walker.attachments)]
    else:
        content = [_raw_body(raw).replace(b"\r\n", b"\n")]
    digest = content_digest(*(" ".join(first(name).split()) for name in ("from", "date", "subject")), *content)

    sender = from_list[0].address if from_list else ""
    return ParsedMail(
        from_=from_list[0] if from_list else None,
        to=to,
        cc=cc,
        reply_to=reply_to,
        recipients=_recipients(headers, to, cc),
        subject=subject,
        date=_date(first("date"), defects),
        message_id=mid,
        message_id_synthetic=synthetic,
        in_reply_to=in_reply_to,
        references=references,
        text=text,
        html=html,
        new_text=new_text,
        attachments=walker.attachments,
        auto_submitted=automatic_reason(kept, sender, msg.get_content_type()),
        headers=kept,
        verdicts=_verdicts(kept),
        defects=list(dict.fromkeys(defects))[:50],
        limit_exceeded=exceeded,
        encrypted=walker.encrypted,
        signed=walker.signed,
        size=len(raw),
        digest=digest,
    )
