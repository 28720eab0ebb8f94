"""Identifiers: ULIDs for records, RFC 5322 Message-IDs for mail we send."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = [0, 0]  # millisecond, random part of the last id made in this process


def new_id() -> str:
    """A ULID (https://github.com/ulid/spec): 48-bit millisecond time + 80 random bits, Crockford base32.

    Monotonic within a process (the spec's variant): ids made in the same millisecond count up from
    the previous one, so records created one after another (a mail and its auto-reply) sort in that
    order. Written out here because the spec is this short and the library spent 30 ms of every cold
    start importing importlib.metadata.
    """
    with _lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last[0]:
            millis, randomness = _last[0], _last[1] + 1
            if randomness >= 1 << 80:  # 2^80 ids in one millisecond: move on to the next one
                millis, randomness = millis + 1, int.from_bytes(os.urandom(10), "big")
        else:
            randomness = int.from_bytes(os.urandom(10), "big")
        _last[0], _last[1] = millis, randomness
    value = millis << 80 | randomness
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_message_id(domain: str) -> str:
    """A Message-ID for mail we send, in angle brackets as it appears in headers."""
    return f"<{new_id().lower()}.helpdesk@{domain}>"


_MSGID = re.compile(r"<([^<>\s]+)>")


def normalize_message_id(value: str | None) -> str | None:
    """The canonical form we index by: without angle brackets and whitespace, case kept.

    Message-IDs are case-sensitive in the local part by RFC 5322, but mail programs preserve them
    byte for byte, so we keep the case and only strip the brackets and surrounding noise.
    """
    if not value:
        return None
    match = _MSGID.search(value)
    token = match.group(1) if match else value.strip().strip("<>").strip()
    if not token or any(ch.isspace() for ch in token) or len(token) > 900:
        return None
    return token


def message_ids_in(value: str | None, limit: int = 50) -> list[str]:
    """All Message-IDs in a References/In-Reply-To header, in order, without duplicates."""
    if not value:
        return []
    seen: list[str] = []
    for token in _MSGID.findall(value):
        if token not in seen and len(token) <= 900:
            seen.append(token)
    if not seen:
        single = normalize_message_id(value)
        if single:
            seen.append(single)
    return seen[-limit:]


def synthetic_message_id(*parts: str | bytes) -> str:
    """A stable Message-ID for mail that has none, from what its sender wrote (idempotency).

    Callers pass the sender's own headers and the body, not the trace headers that relays and SES
    prepend, so the same mail delivered twice, by any path, gets the same id.
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return f"{digest.hexdigest()[:40]}@no-message-id.invalid"


def content_digest(*parts: str | bytes) -> str:
    """A digest of what a mail says (32 hex digits): two deliveries of one mail have the same one.

    Used with the Message-ID to tell a redelivery (same id, same content: store nothing) from a
    different mail that reuses a known Message-ID (a broken mailer, or someone hiding a mail): the
    latter is stored. Callers pass what the sender wrote, not how it travelled (no trace fields, no
    envelope, no transfer encoding).
    """
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()[:32]


def variant_message_id(message_id: str, digest: str) -> str:
    """The index id of a different mail under a Message-ID another mail already has: ``<id> <digest>``.

    No Message-ID we index contains whitespace (:func:`normalize_message_id`), so no mail can take a
    variant's id by naming it, and a redelivery of the second mail finds it.
    """
    return f"{message_id} {digest}"


def object_message_id(object_key: str) -> str:
    """A Message-ID for mail that has none, from the inbound object it arrived in.

    SES stores every mail it receives as an object of its own: an alert sent twice with the same text
    (and no Date) is two mails, while the same object announced twice (S3 and SQS deliver at least
    once) is one. Text alone cannot tell these apart.
    """
    return synthetic_message_id("inbound object", object_key)


# Fields that relays and SES prepend on the way (RFC 5322 §3.6.7 trace fields and their kin); what
# follows them is what the sender wrote.
_TRACE_FIELD = re.compile(
    rb"(return-path|received|received-spf|authentication-results|arc-[a-z-]+|delivered-to|x-original-to"
    rb"|x-received|x-ses-[a-z0-9-]+|x-forwarded-(?:to|for)|x-gm-message-state|x-google-smtp-source)\s*:",
    re.IGNORECASE,
)


def without_trace_headers(raw: bytes) -> bytes:
    """``raw`` without the block of trace header fields at its top (folded lines included).

    The same mail delivered along two paths differs only there, so a digest of the rest identifies it
    (used for mail that cannot even be parsed, whose Message-ID cannot be read).
    """
    position = 0
    while position < len(raw):
        if not _TRACE_FIELD.match(raw, position):
            break
        end = raw.find(b"\n", position)
        while end != -1 and raw[end + 1 : end + 2] in (b" ", b"\t"):  # continuation lines
            end = raw.find(b"\n", end + 1)
        if end == -1:
            return b""
        position = end + 1
    return raw[position:]
