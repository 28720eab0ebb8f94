"""uuencoded files in a mail's text: ``begin 644 name`` … ``end``, as ``uuencode file | mail`` and old
mail programs (Outlook Express, Pegasus, Eudora with "UUencode" chosen) send them.

Decoded line by line with :func:`binascii.a2b_uu` (the ``uu`` module is deprecated and gone in 3.13).
A block counts only when it is one: a ``begin`` line with an octal mode and a name, lines that decode
as uuencode, and an ``end`` line. Anything else stays text, as it came.
"""

from __future__ import annotations

import binascii
import re

_BEGIN = re.compile(r"begin ([0-7]{3,4}) (\S.*?)[ \t\r]*")
# One uuencoded line: a length character, then characters of the uuencode alphabet (" " to "`").
_LINE = re.compile(r"[ -`]{1,62}")
MAX_LINES = 2_000_000  # 45 bytes a line: about 90 MB, beyond the raw mail limit


def _decode_line(line: str) -> bytes | None:
    try:
        return binascii.a2b_uu(line)
    except (binascii.Error, ValueError):
        pass
    # Trailing spaces (zeros in uuencode) stripped by a mail program: the length character says how
    # many characters the line should have; decode that many (what the uu module did).
    wanted = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
    try:
        return binascii.a2b_uu(line[:wanted].ljust(wanted))
    except (binascii.Error, ValueError):
        return None


def _block(lines: list[str], start: int) -> tuple[bytes, int] | None:
    """``(data, index of the end line)`` of the uuencoded lines from ``start``, or None."""
    chunks: list[bytes] = []
    written = False  # at least one line that is not empty: "begin …", a blank line and "end" is prose
    for index in range(start, min(len(lines), start + MAX_LINES)):
        line = lines[index].rstrip("\r")
        if line.rstrip() == "end" and written:
            return b"".join(chunks), index
        written = written or bool(line)
        if not line:
            line = "`"  # an empty line: zero bytes, its length character stripped as a trailing space
        if not _LINE.fullmatch(line):
            return None
        chunk = _decode_line(line)
        if chunk is None:
            return None
        chunks.append(chunk)
    return None


def extract_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """``(text without the uuencoded blocks, [(name, data) of the files they held])``."""
    if "begin " not in text:
        return text, []
    lines = text.split("\n")
    kept: list[str] = []
    files: list[tuple[str, bytes]] = []
    index = 0
    while index < len(lines):
        match = _BEGIN.fullmatch(lines[index])
        found = _block(lines, index + 1) if match else None
        if match and found is not None:
            data, end = found
            files.append((match.group(2), data))
            index = end + 1
            continue
        kept.append(lines[index])
        index += 1
    if not files:
        return text, []
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)), files
