"""``GET /stats``: volume, first response, resolution, backlog, auto-replies."""

from datetime import date, timedelta
from typing import Annotated, Literal, cast

from chalice.app import Response
from msgspec import Meta

from ..domain.access import aggregate_scope
from ..domain.clock import iso, now
from ..domain.export import csv_filename
from ..services.exports import stats_csv
from ..services.reports import report
from .context import Services
from .errors import BadRequest
from .routing import Api, Ctx
from .schemas import DurationsOut, SlaMetric, SlaRateOut, StatsOut, StatsQuery
from .tickets import csv_response


class StatsCsvQuery(StatsQuery, kw_only=True):
    lang: Annotated[Literal["de", "en"], Meta(description="language of the labels (the format is German Excel's)")] = (
        "de"
    )


def _range(q: StatsQuery) -> tuple[date, date]:
    try:
        end = date.fromisoformat(q.end) if q.end else now().date()
        start = date.fromisoformat(q.start) if q.start else end - timedelta(days=29)
    except ValueError as exc:
        raise BadRequest(f"not a date: {exc}", field="start" if q.start else "end") from exc
    if start > end:
        raise BadRequest("start is after end", field="start")
    if (end - start).days > 731:
        raise BadRequest("at most two years at once", field="start")
    return start, end


def register(api: Api, services: Services) -> None:
    @api.route(
        "/stats",
        query=StatsQuery,
        response=StatsOut,
        tags=("reports",),
        errors=(400, 401, 403),
        summary="Ticket volume per day/week, first-response and resolution time (median, p90), backlog by "
        "status/queue/agent, auto-replies sent/suppressed",
    )
    def stats(ctx: Ctx) -> StatsOut:
        q: StatsQuery = ctx.query
        start, end = _range(q)
        # an agent gets the figures of the tickets they may see (services/reports.py: how, without reading them)
        r = report(start, end, q.granularity, aggregate_scope(ctx.viewer, services.config.snapshot()))
        return StatsOut(
            start=r.start,
            end=r.end,
            granularity=r.granularity,
            series=r.series,
            totals=r.totals,
            first_response=DurationsOut(**r.first_response.__dict__),
            resolution=DurationsOut(**r.resolution.__dict__),
            backlog=r.backlog,
            sla={cast(SlaMetric, metric): SlaRateOut(**rate.__dict__) for metric, rate in r.sla.items()},
        )

    @api.route(
        "/export/stats",
        query=StatsCsvQuery,
        tags=("reports",),
        errors=(400, 401, 403),
        summary="The reports' tables (volume per period, response and resolution times, backlog) as one CSV: "
        "UTF-8 with BOM, ';'; the figures the caller may see, as GET /stats",
        raw_response="text/csv",
    )
    def stats_export(ctx: Ctx) -> Response:
        q: StatsCsvQuery = ctx.query
        start, end = _range(q)
        cfg = services.config.snapshot()
        r = report(start, end, q.granularity, aggregate_scope(ctx.viewer, cfg))
        return csv_response(
            stats_csv(r, cfg, q.lang), csv_filename("berichte" if q.lang == "de" else "reports", iso()[:10])
        )
