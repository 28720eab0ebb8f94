"""What the parser returns: the parsed mail, its attachments, the upstream verdicts, and the limits."""

from __future__ import annotations

import hashlib
from dataclasses import field
from typing import Any

from ..dataclass import dataclass
from ..headers import Address


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


def size_words(limit: int) -> str:
    """A byte limit in words: ``40 MB``, ``512 KB``, ``1000 bytes``."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= factor and limit % factor == 0:
            return f"{limit // factor} {unit}"
    return f"{limit} bytes"
