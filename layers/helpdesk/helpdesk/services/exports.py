"""Use case: CSV exports of an inbox view (the current filter, every page) and of the reports' tables.

The format (``domain/export.py``): UTF-8 with BOM, ``;``, formulas neutralised — what German Excel opens
as it is. An inbox export is bounded: at most :data:`MAX_ROWS` tickets and the request's time, so the
file stays far below Lambda's 6 MB response limit and API Gateway's 29 s; ``truncated`` says when it
stopped early (the client says so, and a narrower filter gets the rest).
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.export import TICKET_COLUMNS, Cell, csv_text, moment, stats_rows
from ..domain.status import Priority, Status
from ..store.listing import TicketFilter, list_tickets
from ..store.models import TicketItem
from .reports import Report
from .search import search_tickets

MAX_ROWS = 5000  # ~1 MB of CSV: far below the 6 MB a Lambda may answer
PAGE = 100
MARGIN_SECONDS = 3.0


@dataclass
class CsvFile:
    text: str
    rows: int
    truncated: bool


def ticket_row(t: TicketItem, cfg: ConfigSnapshot, lang: str) -> list[Cell]:
    queue = cfg.queue(t.queue)
    agent = cfg.agent(t.assignee)
    return [
        t.number,
        t.subject,
        Status(t.status).label(lang),
        Priority(t.priority).label(lang),
        queue.name if queue else t.queue,
        (agent.name or agent.username) if agent else (t.assignee or ""),
        t.customer_name or "",
        t.customer_email or "",
        ", ".join(t.tags or []),
        moment(t.created_at),
        moment(t.updated_at),
        moment(t.due_at),
    ]


def inbox_csv(
    flt: TicketFilter,
    cfg: ConfigSnapshot,
    *,
    lang: str,
    text: str | None = None,
    visible: Callable[[TicketItem], bool] | None = None,
    time_left: Callable[[], float] | None = None,
    max_rows: int | None = None,
) -> CsvFile:
    """Every ticket of the view (the list's filter, or its full-text search), page after page, as CSV."""
    max_rows = max_rows or MAX_ROWS
    rows: list[list[Cell]] = [list(TICKET_COLUMNS[lang if lang in TICKET_COLUMNS else "de"])]
    cursor: str | None = None
    truncated = False
    while True:
        found = search_tickets(flt, text, limit=PAGE, cursor=cursor, visible=visible) if text else None
        if found is not None:
            items, cursor = found.items, found.cursor
        else:
            page = list_tickets(flt, limit=PAGE, cursor=cursor)
            items, cursor = page.items, page.cursor
        rows += [ticket_row(t, cfg, lang) for t in items]
        if not cursor:
            break
        if len(rows) - 1 >= max_rows or (time_left is not None and time_left() < MARGIN_SECONDS):
            truncated = True
            break
    if len(rows) - 1 > max_rows:
        rows, truncated = rows[: max_rows + 1], True
    return CsvFile(csv_text(rows), len(rows) - 1, truncated)


def stats_csv(report: Report, cfg: ConfigSnapshot, lang: str) -> CsvFile:
    """The reports page's tables as one CSV (the same figures as ``GET /stats``)."""

    def labelled(kind: str) -> list[tuple[str, int]]:
        entries = report.backlog.get(kind, {})
        out = []
        for key, count in sorted(entries.items(), key=lambda kv: -kv[1]):
            if kind == "status":
                label = Status(key).label(lang) if key in Status.__members__.values() else key
            elif kind == "queue":
                queue = cfg.queue(key)
                label = queue.name if queue else key
            else:
                agent = cfg.agent(key)
                label = "" if key == "-" else (agent.name or agent.username) if agent else key
            out.append((label, count))
        return out

    durations = {
        "first_response": (
            report.first_response.count,
            report.first_response.median_hours,
            report.first_response.p90_hours,
        ),
        "resolution": (report.resolution.count, report.resolution.median_hours, report.resolution.p90_hours),
    }
    rows = stats_rows(lang, report.series, durations, {k: labelled(k) for k in ("status", "queue", "agent")})
    return CsvFile(csv_text(rows), len(rows), False)
