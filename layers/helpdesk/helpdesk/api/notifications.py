"""The agent's own notifications (issue 12, part 4): list, unread count, mark read, preferences.

Every route works on the caller's own partition only (the username from the token); there is no way
to name another agent. A notification about a ticket the caller may no longer see (queue moved, made
private) is left out of the list.
"""

from __future__ import annotations

import re

from ..domain.notifications import Kind, Preferences
from ..services.access import may_access
from ..services.notifications import my_page, my_preferences, set_my_preferences
from ..store.notifications import BadCursor, Notification, NotificationStore
from .context import Services
from .errors import BadRequest, NotFound
from .routing import Api, Ctx
from .schemas import (
    ChannelChoice,
    MarkedRead,
    NotificationList,
    NotificationOut,
    NotificationPreferences,
    NotificationQuery,
    UnreadCount,
)

_ID = re.compile(r"^[0-9T:.Z-]{10,40}_[0-9A-Za-z]{10,40}$")


def _out(n: Notification) -> NotificationOut:
    return NotificationOut.model_validate(n.to_json())


def _prefs_out(prefs: Preferences) -> NotificationPreferences:
    table = prefs.table()
    return NotificationPreferences.model_validate(
        {"preferences": {kind: ChannelChoice(**table[kind]) for kind in (k.value for k in Kind)}}
    )


def register(api: Api, services: Services, store: NotificationStore | None = None) -> None:
    notes = store or NotificationStore()

    @api.route(
        "/notifications",
        query=NotificationQuery,
        response=NotificationList,
        tags=("notifications",),
        summary="My notifications, newest first (paged), with my unread count",
        errors=(400, 401),
    )
    def index(ctx: Ctx) -> NotificationList:
        q: NotificationQuery = ctx.query
        try:
            page = my_page(notes, ctx.user.username, q.limit, q.cursor, q.unread)
        except BadCursor as exc:
            raise BadRequest(str(exc), field="cursor") from exc
        cfg = services.config.snapshot()
        tickets = services.tickets.batch_tickets([n.ticket_id for n in page.items]) if page.items else {}
        shown = [
            _out(n) for n in page.items if n.ticket_id in tickets and may_access(tickets[n.ticket_id], ctx.viewer, cfg)
        ]
        return NotificationList(items=shown, cursor=page.cursor, unread=notes.unread(ctx.user.username))

    @api.route(
        "/notifications/unread",
        response=UnreadCount,
        tags=("notifications",),
        summary="How many of my notifications are unread (the bell)",
        errors=(401,),
    )
    def unread(ctx: Ctx) -> UnreadCount:
        return UnreadCount(unread=notes.unread(ctx.user.username))

    @api.route(
        "/notifications/{notification_id}/read",
        "POST",
        response=MarkedRead,
        tags=("notifications",),
        summary="Mark one of my notifications read",
        errors=(401, 404),
    )
    def read_one(ctx: Ctx, notification_id: str) -> MarkedRead:
        if not _ID.match(notification_id) or not notes.mark_read(ctx.user.username, notification_id):
            raise NotFound("no such notification")
        return MarkedRead(marked=1, unread=notes.unread(ctx.user.username))

    @api.route(
        "/notifications/read-all",
        "POST",
        response=MarkedRead,
        tags=("notifications",),
        summary="Mark all my notifications read (up to 500 per call)",
        errors=(401,),
    )
    def read_all(ctx: Ctx) -> MarkedRead:
        marked = notes.mark_all_read(ctx.user.username)
        return MarkedRead(marked=marked, unread=notes.unread(ctx.user.username))

    @api.route(
        "/notifications/preferences",
        response=NotificationPreferences,
        tags=("notifications",),
        summary="My notification preferences: event kind × channel (app, mail)",
        errors=(401,),
    )
    def get_preferences(ctx: Ctx) -> NotificationPreferences:
        return _prefs_out(my_preferences(notes, ctx.user.username))

    @api.route(
        "/notifications/preferences",
        "PUT",
        body=NotificationPreferences,
        response=NotificationPreferences,
        tags=("notifications",),
        summary="Set my notification preferences (kinds left out keep what they had)",
        errors=(400, 401),
    )
    def put_preferences(ctx: Ctx) -> NotificationPreferences:
        body: NotificationPreferences = ctx.body
        current = my_preferences(notes, ctx.user.username).table()
        for kind, choice in body.preferences.items():
            current[kind] = choice.model_dump()
        return _prefs_out(set_my_preferences(notes, ctx.user.username, current))
