"""Orchestration: raw bytes in, :class:`~.types.ParsedMail` out (pre-scan, parse, headers, walk, digest)."""

from __future__ import annotations

import email
import re

# compat32 lives in _policybase; importing it from there skips email.policy's header registry
# (20 ms of every cold start) that this parser never uses.
from email._policybase import compat32
from email.message import Message
from email.utils import parsedate_to_datetime

from ..clock import iso
from ..headers import Address, bounded, clean_text, decode_header_value, parse_addresses
from ..ids import content_digest, message_ids_in, normalize_message_id, synthetic_message_id
from ..quotes import split_reply
from ..signatures import strip_signature
from .auth import verdicts_of
from .automatic import automatic_reason
from .bodies import Body, merged, render_html, render_text
from .prescan import prescan
from .raw import header_only, raw_body
from .types import DEFAULT_LIMITS, Limits, ParsedMail
from .walk import Walker

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


_RECEIVED_FOR = re.compile(r"\sfor\s+<?([^\s<>;]+@[^\s<>;]+)>?\s*;", re.IGNORECASE)


BODY_NOT_READ = "(The body was not read: see the limits noted on this ticket.)"


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
    msg, full = _message(raw, limits, exceeded)
    for defect in getattr(msg, "defects", [])[:20]:
        defects.append(type(defect).__name__)
    headers = _decoded_headers(msg, limits, exceeded)
    from_list = parse_addresses(headers.get("from", []), defects)
    if not from_list:
        from_list = parse_addresses(headers.get("sender", []) + headers.get("return-path", []), defects)
    to = parse_addresses(headers.get("to", []), defects)
    cc = parse_addresses(headers.get("cc", []), defects)
    reply_to = parse_addresses(headers.get("reply-to", []), defects)
    # RFC 5322 §2.1.1: a line is at most 998 characters; a longer subject is cut, the raw mail keeps it.
    subject = bounded(decode_header_value(_first(headers, "subject"), defects), 998, "Subject header", defects)
    mid, synthetic = _message_id(headers, raw, defects)
    kept = {
        name: bounded(decode_header_value(_first(headers, name), defects), 500, f"{name.title()} header", defects)
        for name in KEPT_HEADERS
        if headers.get(name)
    }
    walker = _walk(msg, full, limits, defects, exceeded)
    text, html = _views(walker)
    sender = from_list[0].address if from_list else ""
    return ParsedMail(
        from_=from_list[0] if from_list else None,
        to=to,
        cc=cc,
        reply_to=reply_to,
        recipients=_recipients(headers, to, cc),
        subject=subject,
        date=_date(_first(headers, "date"), defects),
        message_id=mid,
        message_id_synthetic=synthetic,
        in_reply_to=message_ids_in(_first(headers, "in-reply-to")),
        references=message_ids_in(" ".join(headers.get("references", []))),
        text=text,
        html=html,
        new_text=strip_signature(split_reply(text)[0]),
        attachments=walker.attachments,
        auto_submitted=automatic_reason(kept, sender, msg.get_content_type()),
        headers=kept,
        verdicts=verdicts_of(kept),
        defects=list(dict.fromkeys(defects))[:50],
        limit_exceeded=exceeded,
        encrypted=walker.encrypted,
        signed=walker.signed,
        size=len(raw),
        digest=_digest(headers, raw, full, text, html, walker),
    )


def _message(raw: bytes, limits: Limits, exceeded: list[str]) -> tuple[Message, bool]:
    """The parsed message, and whether its body was parsed (False: the headers only, past a limit)."""
    full = prescan(raw, limits, exceeded)
    source = raw if full else header_only(raw, limits)
    try:
        return email.message_from_bytes(source, policy=compat32), full
    except RecursionError:  # nesting the pre-scan cannot see (message/rfc822 in message/rfc822 …)
        exceeded.append("MIME structure too deep to read (headers read only)")
        return email.message_from_bytes(header_only(raw, limits), policy=compat32), False


def _first(headers: dict[str, list[str]], name: str) -> str:
    values = headers.get(name)
    return values[0] if values else ""


def _message_id(headers: dict[str, list[str]], raw: bytes, defects: list[str]) -> tuple[str, bool]:
    """``(Message-ID, synthetic)``: a mail without one gets an id from its headers and body."""
    mid = normalize_message_id(_first(headers, "message-id"))
    if mid is not None:
        return mid, False
    defects.append("no Message-ID")
    fields = (_first(headers, name) for name in ("from", "to", "date", "subject"))
    return synthetic_message_id(*fields, raw_body(raw)), True


def _walk(msg: Message, full: bool, limits: Limits, defects: list[str], exceeded: list[str]) -> Walker:
    walker = Walker(limits, defects, exceeded)
    if not full:
        # Only the headers were parsed: their Content-Type (multipart/…) describes a body we did not read.
        walker.bodies.append(Body(BODY_NOT_READ, None))
    else:
        try:
            walker.walk(msg)
        except RecursionError:
            exceeded.append("MIME structure too deep to read")
    return walker


def _views(walker: Walker) -> tuple[str, str]:
    """The text and HTML views of the bodies the walker found."""
    bodies = merged(walker.bodies)
    text = render_text(bodies)
    if walker.encrypted and not text:
        text = "(Verschlüsselte Nachricht: der Inhalt liegt als Anhang bei. / Encrypted message: see attachment.)"
    return text, render_html(bodies)


def _digest(headers: dict[str, list[str]], raw: bytes, full: bool, text: str, html: str, walker: Walker) -> str:
    """What the sender wrote (ids.content_digest): a redelivery has the same, a reuse of the id not."""
    if full:  # decoded: a relay that re-encodes the body (8bit → quoted-printable) changes nothing here
        content: list[str | bytes] = [text, html, *(a.sha256 for a in walker.attachments)]
    else:
        content = [raw_body(raw).replace(b"\r\n", b"\n")]
    return content_digest(*(" ".join(_first(headers, name).split()) for name in ("from", "date", "subject")), *content)
