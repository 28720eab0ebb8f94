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


# ------------------------------------------------------------------------------------- tables' rows

TICKET_COLUMNS = {
    "de": ["Nummer", "Betreff", "Status", "Priorität", "Warteschlange", "Bearbeiter", "Kunde", "E-Mail", "Tags",
           "Erstellt (UTC)", "Geändert (UTC)", "Fällig (UTC)"],
    "en": ["Number", "Subject", "Status", "Priority", "Queue", "Assignee", "Customer", "E-mail", "Tags",
           "Created (UTC)", "Updated (UTC)", "Due (UTC)"],
}  # fmt: skip

STAT_LABELS = {
    "de": {
        "tickets_created": "Neue Tickets",
        "messages_in": "Eingegangene Nachrichten",
        "replies": "Antworten",
        "closed": "Abgeschlossen",
        "reopened": "Wieder geöffnet",
        "autoreplies_sent": "Auto-Antworten gesendet",
        "autoreplies_suppressed": "Auto-Antworten unterdrückt",
        "period": "Zeitraum",
        "volume": "Aufkommen",
        "first_response": "Erste Antwort",
        "resolution": "Lösungszeit",
        "tickets": "Tickets",
        "median_hours": "Median (Stunden)",
        "p90_hours": "90 %-Wert (Stunden)",
        "backlog.status": "Bestand nach Status",
        "backlog.queue": "Bestand nach Warteschlange",
        "backlog.agent": "Bestand nach Bearbeiter",
        "key": "Wert",
        "count": "Anzahl",
        "none": "niemand",
    },
    "en": {
        "tickets_created": "New tickets",
        "messages_in": "Messages in",
        "replies": "Replies",
        "closed": "Closed",
        "reopened": "Reopened",
        "autoreplies_sent": "Auto-replies sent",
        "autoreplies_suppressed": "Auto-replies suppressed",
        "period": "Period",
        "volume": "Volume",
        "first_response": "First response",
        "resolution": "Resolution time",
        "tickets": "Tickets",
        "median_hours": "Median (hours)",
        "p90_hours": "90th percentile (hours)",
        "backlog.status": "Backlog by status",
        "backlog.queue": "Backlog by queue",
        "backlog.agent": "Backlog by agent",
        "key": "Item",
        "count": "Count",
        "none": "nobody",
    },
}
SERIES = [
    "tickets_created",
    "messages_in",
    "replies",
    "closed",
    "reopened",
    "autoreplies_sent",
    "autoreplies_suppressed",
]


def moment(value: str | None) -> str:
    """``2026-12-03T02:19:47.123456Z`` as ``2026-12-03 02:19`` (Excel reads it as a date and time)."""
    return value[:16].replace("T", " ") if value else ""


def stats_rows(
    lang: str,
    series: Sequence[dict[str, object]],
    durations: dict[str, tuple[int, float | None, float | None]],
    backlog: dict[str, list[tuple[str, int]]],
) -> list[list[Cell]]:
    """The reports' tables one below the other (a title row, a header, the rows, an empty line): volume per
    period, first response and resolution time, the backlog by status, queue and agent (labels given)."""
    labels = STAT_LABELS[lang if lang in STAT_LABELS else "de"]
    rows: list[list[Cell]] = [[labels["volume"]], [labels["period"], *(labels[k] for k in SERIES)]]
    for entry in series:
        rows.append([str(entry.get("period", "")), *(_int(entry.get(k)) for k in SERIES)])
    rows += [[], [f"{labels['first_response']} / {labels['resolution']}"]]
    rows.append([labels["key"], labels["tickets"], labels["median_hours"], labels["p90_hours"]])
    for kind, (count, median, p90) in durations.items():
        rows.append([labels[kind], count, _hours(median), _hours(p90)])
    for kind, entries in backlog.items():
        rows += [[], [labels[f"backlog.{kind}"]], [labels["key"], labels["count"]]]
        rows += [[label or labels["none"], count] for label, count in entries]
    return rows


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
