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
