"""Routes: saved views ("Eigene Ordner", issue 17 part 4) with their live counts; the work is in
``services/saved_views.py``. Every agent keeps their own views; shared views are kept by admins."""

from __future__ import annotations

from functools import cache

from ..domain.access import aggregate_scope
from ..domain.config import SavedView, ViewQuery
from ..domain.records import RecordError
from ..services.saved_views import BUILT_IN_IDS, Count, count, may_change, new_view_id, visible
from ..store.stats import BACKLOG_KEY, scoped_counters
from .context import Services
from .errors import Forbidden, NotFound
from .routing import Api, Ctx, validation_error
from .schemas import Deleted, SavedViewIn, SavedViewList, SavedViewOut
from .tickets import TicketQuery, ticket_filter


def ticket_query(query: ViewQuery) -> TicketQuery:
    """The ``GET /tickets`` parameters a view stands for."""
    try:
        return TicketQuery.model_validate(query.model_dump(exclude_none=True))
    except RecordError as exc:
        raise validation_error(exc) from exc


def register(api: Api, services: Services) -> None:
    def out(ctx: Ctx, view: SavedView, counted: Count) -> SavedViewOut:
        return SavedViewOut(
            id=view.id,
            name=view.name,
            built_in=view.id in BUILT_IN_IDS,
            owner=view.owner,
            query=view.query,
            order=view.order,
            count=counted.count,
            more=counted.more,
            editable=may_change(view, ctx.user.username, ctx.user.is_admin),
        )

    def counted(ctx: Ctx, views: list[SavedView]) -> list[SavedViewOut]:
        cfg = services.config.snapshot()

        @cache
        def backlog() -> dict[str, int]:  # one read for every view the counters count
            return scoped_counters(BACKLOG_KEY, "b_", aggregate_scope(ctx.viewer, cfg))

        shown: list[SavedViewOut] = []
        for view in views:
            try:
                flt = ticket_filter(ctx, ticket_query(view.query), cfg)
            except Forbidden:  # a queue the caller may not see: nothing of it for them
                shown.append(out(ctx, view, Count(0)))
                continue
            shown.append(out(ctx, view, count(flt, backlog)))
        return shown

    def check(ctx: Ctx, body: SavedViewIn) -> None:
        """The parameters GET /tickets takes, refused as it refuses them (a queue the caller may not see: 403)."""
        ticket_filter(ctx, ticket_query(body.query), services.config.snapshot())
        if body.shared and not ctx.user.is_admin:
            raise Forbidden("only admins share views with the team")

    def record(view_id: str, body: SavedViewIn, owner: str | None) -> SavedView:
        return SavedView(id=view_id, name=body.name, owner=owner, query=body.query, order=body.order)

    def existing(ctx: Ctx, view_id: str) -> SavedView:
        view = next((v for v in services.config.snapshot().views if v.id == view_id), None)
        if view is None or (view.owner not in (None, ctx.user.username) and not ctx.user.is_admin):
            raise NotFound("no such view")
        if not may_change(view, ctx.user.username, ctx.user.is_admin):
            raise Forbidden("a shared view is kept by admins")
        return view

    @api.route(
        "/views",
        response=SavedViewList,
        tags=("tickets",),
        summary="The inbox's views for me: built in, shared with the team, my own; each with its count now",
        errors=(401,),
    )
    def index(ctx: Ctx) -> SavedViewList:
        return SavedViewList(items=counted(ctx, visible(services.config.snapshot(), ctx.user.username)))

    @api.route(
        "/views",
        "POST",
        body=SavedViewIn,
        response=SavedViewOut,
        status=201,
        tags=("tickets",),
        summary="Save a view: mine, or shared with the team (admins)",
        errors=(400, 401, 403),
    )
    def create(ctx: Ctx) -> SavedViewOut:
        body: SavedViewIn = ctx.body
        check(ctx, body)
        view = record(new_view_id(), body, None if body.shared else ctx.user.username)
        services.config.put("view", view, actor=ctx.user.username)
        return counted(ctx, [view])[0]

    @api.route(
        "/views/{view_id}",
        "PUT",
        body=SavedViewIn,
        response=SavedViewOut,
        tags=("tickets",),
        summary="Change a view (its owner; admins); `shared` moves it between the team and its owner",
        errors=(400, 401, 403, 404),
    )
    def change(ctx: Ctx, view_id: str) -> SavedViewOut:
        body: SavedViewIn = ctx.body
        check(ctx, body)
        before = existing(ctx, view_id)
        owner = None if body.shared else (before.owner or ctx.user.username)
        view = record(view_id, body, owner)
        services.config.put("view", view, actor=ctx.user.username)
        return counted(ctx, [view])[0]

    @api.route(
        "/views/{view_id}",
        "DELETE",
        response=Deleted,
        tags=("tickets",),
        summary="Delete a view (its owner; admins)",
        errors=(401, 403, 404),
    )
    def delete(ctx: Ctx, view_id: str) -> Deleted:
        existing(ctx, view_id)
        if not services.config.delete("view", view_id, actor=ctx.user.username):
            raise NotFound("no such view")
        return Deleted(deleted=True)
