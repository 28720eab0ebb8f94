"""Header decoding that survives real mail: RFC 2047 words in any (or a wrong) charset, raw 8-bit.

The stdlib's ``policy.default`` header objects raise or leave surrogates on broken input; we decode
the raw header values ourselves so that a broken header costs a defect note, never the mail.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header
from email.utils import getaddresses
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

# Labels seen in the wild that Python does not know, or that lie about what they carry.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",  # Windows-1252 mislabelled as Latin-1 is the rule, not the exception
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "x-user-defined": "cp1252",
    "utf8": "utf-8",
    "utf-16le": "utf-16-le",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-mac-roman": "mac-roman",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
}

# Labels that name no charset at all: whatever we read behind them is a guess worth noting.
_PLACEHOLDER_LABELS = {"x-unknown", "unknown-8bit", "unknown", "x-user-defined"}
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us"}

# C0/C1 controls and the Unicode line and paragraph separators: str.splitlines() and the email
# package's header check treat NEL (U+0085), U+2028 and U+2029 as line breaks too.
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Every control character, CR, LF and TAB included: what must never stand in a header value.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def charset_codec(label: str | None) -> str | None:
    """The Python codec to use for a MIME charset label, or None when there is none usable."""
    if not label:
        return None
    cleaned = _label(label)
    cleaned = _CHARSET_ALIASES.get(cleaned, cleaned)
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def _label(label: str) -> str:
    """A charset label without quotes and without an RFC 2231 language suffix (``utf-8*de``)."""
    return label.strip().strip("\"'").lower().split("*", 1)[0].strip()


def decode_bytes(data: bytes, label: str | None, defects: list[str] | None = None) -> str:
    """Decode body or header bytes: the declared charset, else UTF-8, else Windows-1252.

    Never raises. A declared charset that fails strictly is retried as UTF-8 and Windows-1252
    before falling back to replacement characters; every fallback is noted in ``defects``.
    """
    codec = charset_codec(label)
    if label and codec is None and defects is not None:
        defects.append(f"unknown charset {label!r}")
    # The declared charset first; then UTF-8 and Windows-1252, which is what real programs put
    # behind missing, ASCII and Latin-1 labels.
    candidates = ([codec] if codec and codec not in ("ascii", "cp1252") else []) + ["utf-8", "cp1252"]
    for candidate in dict.fromkeys(candidates):
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if defects is not None:
            declared = _label(label) if label else ""
            if codec and candidate != codec and codec not in ("ascii", "cp1252"):
                defects.append(f"text declared {label!r} is not valid {codec}; read as {candidate}")
            elif declared in _ASCII_LABELS and not data.isascii():
                defects.append(f"text declared {label!r} contains 8-bit bytes; read as {candidate}")
            elif declared in _PLACEHOLDER_LABELS and not data.isascii():
                defects.append(f"charset {label!r} names no charset; read as {candidate}")
        return text
    if defects is not None:
        defects.append(f"undecodable bytes in charset {label!r}; replaced")
    return data.decode(codec or "utf-8", errors="replace")


def _unsurrogate(value: str, defects: list[str] | None) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes: decode them as UTF-8, else 1252."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        if defects is not None:
            defects.append("raw 8-bit characters in a header")
        return decode_bytes(raw, None)


def decode_header_value(raw: str | None, defects: list[str] | None = None) -> str:
    """Decode a raw header value into text: encoded words, folding and 8-bit bytes handled."""
    if raw is None:
        return ""
    value = _unsurrogate(str(raw), defects)
    # Unfold: CRLF + whitespace is folding; a lone line break never survives into our data.
    value = re.sub(r"\r?\n[ \t]*", " ", value)
    if "=?" in value:
        # Some mailers put encoded words inside quotes or glue them to text; decode_header wants them
        # delimited by whitespace, so loosen the common "word=?utf-8?..." case first.
        loosened = re.sub(r'(?<=[^\s"(])(=\?[^?\s]+\?[bBqQ]\?)', r" \1", value)
        try:
            parts = decode_header(loosened)
        except Exception:  # the stdlib raises HeaderParseError and assorted errors on garbage
            parts = [(value, None)]
            if defects is not None:
                defects.append("malformed encoded word in a header")
        chunks: list[str] = []
        for chunk, charset in parts:
            if isinstance(chunk, str):
                chunks.append(chunk)
            elif charset is None:
                # Unencoded text between encoded words: decode_header made it raw-unicode-escape bytes.
                chunks.append(chunk.decode("raw-unicode-escape", errors="replace"))
            else:
                chunks.append(decode_bytes(chunk, charset, defects))
        # decode_header drops the whitespace between encoded words (RFC 2047) but keeps it around
        # plain words; joining with "" matches that contract for the mixed list it returns.
        value = "".join(chunks) if any(isinstance(c, bytes) for c, _ in parts) else value
    value = clean_text(value)
    if "=?" in value:
        value = _settle(value, defects)
    return value


@lru_cache(maxsize=1)
def _registry() -> Callable[[str, str], object]:
    from email.policy import SMTP

    return SMTP.header_factory


def as_mail_reads(value: str) -> str:
    """The text the ``email`` package makes of ``value`` when it is assigned to an unstructured header
    (it decodes encoded words, also glued to text, also broken ones our stricter decoding left alone)."""
    if "=?" not in value:  # no encoded word: the parser takes the text as it is (cheap path, no import)
        return value
    return str(_registry()("x-decoded", value))


def _settle(value: str, defects: list[str] | None) -> str:
    """Decoded text that reads back as itself: a double-encoded word, or one beside a malformed word that
    made the stdlib give up, would otherwise be decoded later, by whoever puts the value in a mail."""
    for _ in range(8):
        read = as_mail_reads(value)
        if read == value:
            return value
        if defects is not None:
            defects.append("encoded word left after decoding (double-encoded or beside a malformed one); decoded")
        value = clean_text(read)
    if defects is not None:
        defects.append("encoded words nested too deeply; left as text")
    return value.replace("=?", "= ?")


def header_line(value: str) -> str:
    """One line for a header of a mail we send: :func:`clean_text`, and no encoded word left that the
    ``email`` package would decode into something else when it builds the mail."""
    value = clean_text(value)
    return _settle(value, None) if "=?" in value else value


def clean_text(value: str) -> str:
    """One line of text without control characters (CR, LF, NUL and friends become spaces)."""
    value = _CTRL.sub(" ", value.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    return re.sub(r" {2,}", " ", value).strip()


class Address(NamedTuple):
    name: str
    address: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "address": self.address}


_ADDR_OK = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+$")


def normalize_address(address: str) -> str:
    """Lower-case, trimmed address; empty string when it is not an address at all."""
    cleaned = clean_text(address).strip("<>").strip().lower()
    return cleaned if _ADDR_OK.match(cleaned) and len(cleaned) <= 320 else ""


def parse_addresses(raw_values: list[str], defects: list[str] | None = None, limit: int = 200) -> list[Address]:
    """Addresses from raw header values; display names decoded; invalid entries dropped, noted."""
    if not raw_values:
        return []
    # Unfolded first (CRLF before whitespace is folding, also inside a quoted name); a stray line break
    # left after that is a space: getaddresses() loses the address of a value with a line break in it.
    fixed = [re.sub(r"[\r\n]", " ", re.sub(r"\r?\n(?=[ \t])", "", _unsurrogate(str(v), defects))) for v in raw_values]
    result: list[Address] = []
    seen: set[str] = set()
    for name, addr in getaddresses(fixed):
        address = normalize_address(addr)
        if not address:
            if (name or addr) and defects is not None:
                defects.append(f"unparseable address {clean_text(name or addr)[:80]!r}")
            continue
        if address in seen:
            continue
        seen.add(address)
        display = decode_header_value(name, defects) if name else ""
        if len(display) > 2 and display[0] == display[-1] == "'":
            display = display[1:-1].strip()  # Outlook's "'Günther Föhr'" <…>: the quotes are not the name
        result.append(Address(display[:200], address))
        if len(result) >= limit:
            if defects is not None:
                defects.append(f"more than {limit} addresses in a header; the rest ignored")
            break
    return result
