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
    "windows-31j": "cp932",  # Microsoft's own names for its Shift_JIS
    "x-sjis": "cp932",
    "x-euc-jp": "euc-jp",
}

# Labels that name no charset at all: whatever we read behind them is a guess worth noting.
_PLACEHOLDER_LABELS = {"x-unknown", "unknown-8bit", "unknown", "x-user-defined"}
_ASCII_LABELS = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us"}

# What Windows programs send behind a standard label: the Microsoft (or later) superset of the codec
# the label names, tried when the named codec fails strictly. "cp50220" is ISO-2022-JP with the NEC
# and IBM rows of cp932 (Outlook's ISO-2022-JP): Python has no codec for it, see _cp50220().
_SUPERSETS: dict[str, tuple[str, ...]] = {
    "shift_jis": ("cp932",),
    "iso2022_jp": ("iso2022_jp_ext", "cp50220"),
    "euc_jp": ("euc_jis_2004",),
    "big5": ("cp950", "big5hkscs"),
    "euc_kr": ("cp949",),
    "tis_620": ("cp874",),
    "iso8859_11": ("cp874",),
}
# Why a superset is needed, for the defect note (iso2022_jp_ext only adds half-width katakana).
_MICROSOFT = {"cp932", "cp50220", "cp950", "cp949", "cp874"}

# ISO-2022-JP announces itself: 7-bit text with JIS X 0208 designations (ESC $ B, ESC $ @).
# (The patterns of rare paths here stay strings: the re module compiles them when first needed.)
_JIS_DESIGNATION = rb"\x1b\$[@B]"
_UNDECLARED_JIS = ("iso2022_jp", "iso2022_jp_ext", "cp50220", "iso2022_jp_2")

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


def _decode(data: bytes, codec: str) -> str | None:
    """``data`` decoded strictly, or None."""
    try:
        return _cp50220(data) if codec == "cp50220" else data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


# ISO-2022-JP escape sequences and what they switch to: ASCII (JIS X 0201 Roman reads as ASCII, as
# Windows does), JIS X 0208 double bytes, or JIS X 0201 half-width katakana.
_JIS_ESCAPES = {b"(B": "ascii", b"(J": "ascii", b"(H": "ascii", b"$@": "jis", b"$B": "jis", b"(I": "kana"}


def _cp50220(data: bytes) -> str:
    """ISO-2022-JP as Windows writes it (CP50220/CP50221), read through cp932.

    JIS X 0208 rows are moved to their Shift_JIS position, which cp932 reads with the NEC row 13
    (①, ㈱, ㍻) and the NEC-selected IBM rows that strict ISO-2022-JP codecs reject. Raises
    UnicodeDecodeError on anything else (JIS X 0212, 8-bit bytes, a broken escape).
    """
    out = bytearray()
    mode = "ascii"
    shifted = False  # SO/SI: half-width katakana in CP50221
    i, size = 0, len(data)
    while i < size:
        byte = data[i]
        if byte == 0x1B:
            seq = data[i + 1 : i + 3]
            if seq == b"&@" and data[i + 3 : i + 6] == b"\x1b$B":  # JIS X 0208-1990 announcement
                seq, i = b"$B", i + 3
            if seq not in _JIS_ESCAPES:
                raise UnicodeDecodeError("cp50220", data, i, i + 3, "unsupported escape sequence")
            mode = _JIS_ESCAPES[seq]
            i += 3
        elif byte in (0x0E, 0x0F):
            shifted = byte == 0x0E
            i += 1
        elif byte in (0x0A, 0x0D) or (mode == "ascii" and not shifted and byte < 0x80):
            out.append(byte)
            i += 1
        elif (mode == "kana" or shifted) and 0x21 <= byte <= 0x5F:
            out.append(byte + 0x80)
            i += 1
        elif mode == "jis" and i + 1 < size and 0x21 <= byte <= 0x7E and 0x21 <= data[i + 1] <= 0x7E:
            trail = data[i + 1]
            lead = ((byte - 0x21) >> 1) + 0x81
            out.append(lead + 0x40 if lead > 0x9F else lead)
            if byte & 1:
                out.append(trail + (0x1F if trail < 0x60 else 0x20))
            else:
                out.append(trail + 0x7E)
            i += 2
        else:
            raise UnicodeDecodeError("cp50220", data, i, i + 1, "not ISO-2022-JP")
    return bytes(out).decode("cp932")


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """``(text, bad)``: UTF-8 with its few bad bytes replaced, when the rest is clearly UTF-8 (or None).

    Windows-1252 text almost never holds a valid UTF-8 multi-byte sequence (that takes an accented
    capital right before a symbol), so two valid sequences per stray 8-bit byte make the text UTF-8.
    """
    sequences = re.findall(_UTF8_SEQUENCE, data)
    if len(sequences) < 2:
        return None
    stray = len(data) - len(data.translate(None, _HIGH_BYTES)) - sum(map(len, sequences))
    if stray * 2 > len(sequences):
        return None
    text = data.decode("utf-8", errors="replace")
    return text, text.count("\ufffd") - data.count("\ufffd".encode())


_UTF8_SEQUENCE = rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
_HIGH_BYTES = bytes(range(0x80, 0x100))


def _latin_plausible(data: bytes) -> bool:
    """Could these 8-bit bytes be Windows-1252 text? Western languages put one or two accented
    letters between ASCII ones; scripts without ASCII letters (Cyrillic, Greek, all of East Asia)
    make long runs of 8-bit bytes, read as 1252 they are garbage."""
    return re.search(_HIGH_RUN, data) is None


_HIGH_RUN = rb"[\x80-\xff]{4}"


def decode_bytes(data: bytes, label: str | None, defects: list[str] | None = None) -> str:
    """Decode body or header bytes: the declared charset (or Microsoft's superset of it), else UTF-8,
    else Windows-1252, else what a charset detector makes of it.

    Never raises. Whatever is read other than as declared is noted in ``defects`` (a guess, a
    fallback); undeclared UTF-8 is no guess (RFC 6532).
    """
    codec = charset_codec(label)
    if label and codec is None and defects is not None:
        defects.append(f"unknown charset {label!r}")
    # A label that names what it carries (not ASCII, Latin-1 or a placeholder such as x-unknown).
    named = codec not in (None, "ascii", "cp1252") and _label(label or "") not in _PLACEHOLDER_LABELS
    if not named and b"\x1b" in data and data.isascii() and re.search(_JIS_DESIGNATION, data):
        # 7-bit text with JIS designations is ISO-2022-JP, whatever else the label says.
        for candidate in _UNDECLARED_JIS:
            text = _decode(data, candidate)
            if text is not None:
                if defects is not None:
                    said = f"text declared {label!r}" if label else "undeclared text"
                    defects.append(f"{said} has ISO-2022-JP escape sequences; read as {candidate}")
                return text
    if codec is not None and codec not in ("ascii", "cp1252"):
        text = _decode(data, codec)
        if text is not None:
            _note(defects, label, codec, codec, data)
            return text
        for superset in _SUPERSETS.get(codec, ()):
            text = _decode(data, superset)
            if text is not None:
                why = " (Microsoft's extension characters)" if superset in _MICROSOFT else ""
                _note(defects, label, codec, f"{superset}{why}", data)
                return text
    text = _decode(data, "utf-8")
    if text is not None:
        _note(defects, label, codec, "utf-8", data)
        return text
    mostly = _mostly_utf8(data)
    if mostly is not None:
        bad = mostly[1]
        _note(defects, label, codec, f"utf-8 with {bad} invalid byte{'s' if bad > 1 else ''} replaced", data)
        return mostly[0]
    latin = _decode(data, "cp1252")
    if latin is not None and (codec == "cp1252" or _latin_plausible(data)):
        _note(defects, label, codec, "cp1252", data)
        return latin
    guessed = _guess(data)
    if guessed is not None:
        _note(defects, label, codec, f"{guessed[1]} (guessed by charset-normalizer)", data)
        return guessed[0]
    if latin is not None:
        _note(defects, label, codec, "cp1252", data)
        return latin
    if defects is not None:
        defects.append(f"undecodable bytes in charset {label!r}; replaced")
    return data.decode(codec or "utf-8", errors="replace")


def _note(defects: list[str] | None, label: str | None, codec: str | None, read_as: str, data: bytes) -> None:
    """The defect for text not read as its label says (nothing when it was)."""
    if defects is None:
        return
    declared = _label(label) if label else ""
    if declared in _PLACEHOLDER_LABELS:
        if not data.isascii():
            defects.append(f"charset {label!r} names no charset; read as {read_as}")
    elif declared in _ASCII_LABELS:
        if not data.isascii():
            defects.append(f"text declared {label!r} contains 8-bit bytes; read as {read_as}")
    elif codec and codec not in ("ascii", "cp1252"):
        if read_as != codec:
            defects.append(f"text declared {label!r} is not valid {codec}; read as {read_as}")
    elif codec is None and read_as != "utf-8" and not data.isascii():
        said = f"text in unknown charset {label!r}" if label else "undeclared 8-bit text"
        defects.append(f"{said}; read as {read_as}")
    elif codec == "cp1252" and read_as not in ("utf-8", "cp1252"):
        defects.append(f"text declared {label!r} is not valid {codec}; read as {read_as}")


# The charsets a detector may pick from: what mail programs have written in the last decades.
# Fewer candidates make the detector faster and keep it from exotic codepages on short headers.
_GUESSABLE = [
    "cp932",
    "euc_jp",
    "gb18030",
    "big5",
    "cp949",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp874",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
]
_JAPANESE = {"cp932", "shift_jis", "shift_jis_2004", "euc_jp", "euc_jis_2004"}
_KOREAN = {"cp949", "euc_kr", "johab"}
_CHINESE = {"gb18030", "gb2312", "gbk", "big5", "big5hkscs", "cp950", "hz"}


def _script_plausible(codec: str, text: str) -> bool:
    """Does the text fit the script of the codec's languages? Short headers give a detector too
    little text to weigh languages, and the East Asian double-byte codecs read each other's bytes
    without error; the scripts tell them apart (Japanese has kana, Chinese none, Korean Hangul)."""
    kana = halfwidth = hangul = han = odd = 0
    for ch in text:
        point = ord(ch)
        if 0x3041 <= point <= 0x30FF:
            kana += 1
        elif 0xFF61 <= point <= 0xFF9F:
            halfwidth += 1
        elif 0xAC00 <= point <= 0xD7A3:
            hangul += 1
        elif 0x4E00 <= point <= 0x9FFF or 0x3400 <= point <= 0x4DBF:
            han += 1
        elif 0xE000 <= point <= 0xF8FF or 0x3130 <= point <= 0x318F or 0x80 <= point <= 0x9F:
            odd += 1  # private use, Hangul compatibility jamo, C1 controls
    if odd or (halfwidth and not kana):
        return False
    if codec in _JAPANESE:
        return kana > 0
    if codec in _KOREAN:
        # Modern Korean is written in Hangul with few Hanja, and keeps to the 2350 syllables of EUC-KR
        # (cp949 adds 8822 rare ones, which is what Chinese or Japanese bytes read as cp949 give).
        return hangul > 3 * han and not kana and _decode(text.encode("cp949"), "euc_kr") is not None
    if codec in _CHINESE:
        return han > 0 and not kana and not hangul
    return not (kana or hangul or han)


def _guess(data: bytes) -> tuple[str, str] | None:
    """``(text, codec)`` as charset-normalizer reads undeclared or mislabelled 8-bit data, or None.

    Imported here: the detector costs tens of milliseconds of import that mail needing no guess
    (nearly all) must not pay on a cold start.
    """
    from charset_normalizer import from_bytes

    try:
        matches = list(from_bytes(data, cp_isolation=_GUESSABLE))
    except Exception:  # a guess must never cost the mail
        return None
    for match in matches:
        text = str(match)
        if _script_plausible(match.encoding, text[:20_000]):
            return text, match.encoding
    return None


def _unsurrogate(value: str, defects: list[str] | None) -> str:
    """Raw 8-bit header bytes arrive as surrogate escapes, raw ISO-2022-JP as escape sequences:
    decode them (see :func:`decode_bytes`)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        if defects is not None:
            defects.append("raw 8-bit characters in a header")
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None, defects)
    if "\x1b" in value and re.search(_JIS_DESIGNATION, value.encode()):
        return decode_bytes(value.encode(), None, defects)
    return value


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


def bounded(value: str, limit: int, what: str, defects: list[str] | None) -> str:
    """``value`` cut to ``limit`` characters; a cut is a defect (the raw mail keeps the whole value)."""
    if len(value) <= limit:
        return value
    if defects is not None:
        defects.append(f"{what} longer than {limit} characters; cut (the full value stays in the raw mail)")
    return value[:limit]


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
        result.append(Address(bounded(display, 200, "display name", defects), address))
        if len(result) >= limit:
            if defects is not None:
                defects.append(f"more than {limit} addresses in a header; the rest ignored")
            break
    return result
