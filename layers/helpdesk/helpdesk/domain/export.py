"""Exports, pure: CSV as German Excel opens it, and the layout of a customer's data export (ZIP).

**CSV.** UTF-8 with a byte order mark and ``;`` between cells. German Excel takes ``,`` as the decimal
separator and so splits a CSV at ``;`` (its list separator), and reads a file without a BOM as
Windows-1252 (umlauts broken); LibreOffice and Numbers read both. Lines end with CRLF (RFC 4180).
A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) gets a leading ``'``:
a subject such as ``=HYPERLINK(…)`` written by a customer must stay text, never become a formula
(CSV/formula injection, OWASP).

**The data export.** :func:`entry_name` makes the file names inside the ZIP safe (no paths, no
control characters) and unique; ``docs/data-protection.md`` describes the layout.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
SEPARATOR = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def csv_cell(value: Cell) -> str:
    """One cell as text, a would-be formula made harmless by a leading apostrophe. Numbers stay numbers
    (a negative count is not a formula)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """The whole file: BOM, ``;``-separated, quoted where needed, CRLF."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=SEPARATOR, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return out.getvalue()


def csv_filename(kind: str, day: str) -> str:
    """``tickets-2026-12-03.csv``."""
    return f"{re.sub(r'[^a-z0-9-]', '', kind.lower()) or 'export'}-{day}.csv"


def safe_name(name: str, fallback: str = "datei") -> str:
    """A file name without directories, control characters or characters Windows refuses."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]', "_", name).strip(" .")
    return name[:120] or fallback


def entry_name(folder: str, name: str, taken: set[str]) -> str:
    """``folder/name`` inside the ZIP, unique (``name (2).pdf``) and safe; ``taken`` is updated."""
    base = safe_name(name)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    candidate = f"{folder}/{base}"
    n = 2
    while candidate.lower() in taken:
        candidate = f"{folder}/{stem} ({n}){'.' + ext if ext else ''}"
        n += 1
    taken.add(candidate.lower())
    return candidate


def names_person(addresses: Iterable[str], address: str) -> bool:
    """Does a message's sender or recipients list name ``address``? (Such messages go into their export.)"""
    wanted = address.lower()
    return any(a and a.lower() == wanted for a in addresses)
