"""Names of attachments: as the mail gives them (raw 8-bit, RFC 2231/2047), cleaned, or made up."""

from __future__ import annotations

import unicodedata
from email.message import Message

from ..headers import decode_bytes

EXTENSIONS = {
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


def data_name(name: str) -> str:
    """A file name as we keep it: composed, no path, no surrounding dots or blanks, bounded."""
    # macOS writes decomposed umlauts (u + U+0308); compose them so names compare and search as typed.
    name = unicodedata.normalize("NFC", name)
    # No paths, no control characters, bounded length: a filename is data.
    name = name.replace("\\", "/").split("/")[-1].strip().strip(".") or "attachment"
    return name[:200]


def get_filename(part: Message, defects: list[str]) -> str | None:
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


def numbered_name(ctype: str, index: int) -> str:
    return f"attachment-{index}.{EXTENSIONS.get(ctype, 'bin')}"
