"""``GET /stats``: volume, first response, resolution, backlog, auto-replies."""

from __future__ import annotations

from datetime import date, timedelta

from ..domain.access import aggregate_scope
from ..domain.clock import now
from ..services.reports import report
from .context import Services
from .errors import BadRequest
from .routing import Api, Ctx
from .schemas import DurationsOut, StatsOut, StatsQuery


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
        try:
            end = date.fromisoformat(q.end) if q.end else now().date()
            start = date.fromisoformat(q.start) if q.start else end - timedelta(days=29)
        except ValueError as exc:
            raise BadRequest(f"not a date: {exc}", field="start" if q.start else "end") from exc
        if start > end:
            raise BadRequest("start is after end", field="start")
        if (end - start).days > 731:
            raise BadRequest("at most two years at once", field="start")
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
        )
