"""Ticket routes: list and detail (reads). Changes live in the modules added beside it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain.status import Status
from ..services.access import may_access
from ..store.listing import CursorError, TicketFilter, list_tickets
from ..store.models import TicketItem
from .context import Services
from .errors import BadRequest, Forbidden, NotFound
from .routing import Api, Ctx
from .schemas import RelatedTicket, TicketDetailOut, TicketList
from .views import comment_out, event_out, message_out, ticket_out

Flag = Literal["true", "false"] | None


class TicketQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(None, description="comma-separated statuses, or 'all'; default hides closed and trash")
    queue: str | None = Field(None, max_length=64)
    assignee: str | None = Field(None, max_length=64, description="agent username, or 'me'")
    tag: str | None = Field(None, max_length=50)
    customer: str | None = Field(None, max_length=320)
    priority: Literal["lowest", "low", "medium", "high", "urgent"] | None = None
    mailbox: str | None = Field(None, max_length=64)
    project: str | None = Field(None, max_length=64)
    private: Flag = None
    personal: Flag = None
    prio: Flag = None
    unread: Flag = None
    review: Flag = None
    q: str | None = Field(None, max_length=100, description="free text over number, subject and customer")
    sort: Literal["updated", "due"] = "updated"
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=4000)
    lang: Literal["de", "en"] = "de"

    @field_validator("status")
    @classmethod
    def _statuses(cls, value: str | None) -> str | None:
        if value in (None, "", "all"):
            return value or None
        for part in value.split(","):
            if part.strip() not in Status.__members__.values():
                raise ValueError(f"unknown status {part.strip()!r}")
        return value

    def statuses(self) -> list[Status] | None:
        if self.status is None:
            return None
        if self.status == "all":
            return list(Status)
        return [Status(p.strip()) for p in self.status.split(",") if p.strip()]


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "true"


def register(api: Api, services: Services) -> None:
    @api.route(
        "/tickets",
        query=TicketQuery,
        response=TicketList,
        tags=("tickets",),
        summary="List tickets (inbox); closed and trash hidden unless asked for",
        errors=(400, 401, 403),
    )
    def list_route(ctx: Ctx) -> TicketList:
        q: TicketQuery = ctx.query
        user = ctx.user
        cfg = services.config.snapshot()
        flt = TicketFilter(
            statuses=q.statuses(),
            queue=q.queue,
            assignee=user.username if q.assignee == "me" else q.assignee,
            tag=q.tag,
            customer=q.customer,
            priority=q.priority,
            mailbox=q.mailbox,
            project=q.project,
            private=_flag(q.private),
            personal=_flag(q.personal),
            prio=_flag(q.prio),
            unread=_flag(q.unread),
            review=_flag(q.review),
            q=q.q,
            sort=q.sort,
            hidden_queues=cfg.hidden_queues(user.username, user.is_admin),
            viewer=user.username,
            viewer_is_admin=user.is_admin,
        )
        if q.queue and q.queue in flt.hidden_queues:
            raise Forbidden(f"no access to queue {q.queue!r}")
        try:
            page = list_tickets(flt, limit=q.limit, cursor=q.cursor)
        except CursorError as exc:
            raise BadRequest(str(exc), field="cursor") from exc
        return TicketList(items=[ticket_out(t, q.lang) for t in page.items], cursor=page.cursor, partial=page.partial)

    @api.route(
        "/tickets/{ticket_id}",
        response=TicketDetailOut,
        tags=("tickets",),
        summary="A ticket with its messages, internal comments, events and related tickets",
        errors=(401, 403, 404),
    )
    def detail_route(ctx: Ctx, ticket_id: str) -> TicketDetailOut:
        detail = services.tickets.detail(ticket_id)
        if detail is None:
            raise NotFound("no such ticket")
        ensure_access(detail.ticket, ctx, services)
        ticket = ticket_out(detail.ticket)
        related = _related(detail.ticket, services)
        return TicketDetailOut(
            **ticket.model_dump(),
            messages=[message_out(m, services.download_url) for m in detail.messages],
            comments=[comment_out(c) for c in detail.comments],
            events=[event_out(e) for e in detail.events],
            related=related,
        )


def ensure_access(ticket: TicketItem, ctx: Ctx, services: Services) -> None:
    user = ctx.user
    if not may_access(ticket, user.username, user.is_admin, services.config.snapshot()):
        raise Forbidden("no access to this ticket")


def _related(ticket: TicketItem, services: Services) -> list[RelatedTicket]:
    relations = [(link.ticket_id, link.type) for link in ticket.links or []]
    if ticket.parent_id:
        relations.append((ticket.parent_id, "parent"))
    if ticket.merged_into:
        relations.append((ticket.merged_into, "merged_into"))
    if not relations:
        return []
    found = services.tickets.batch_tickets([tid for tid, _ in relations])
    return [
        RelatedTicket(
            id=tid,
            number=found[tid].number,
            subject=found[tid].subject,
            status=Status(found[tid].status),
            relation=relation,
        )
        for tid, relation in relations
        if tid in found
    ]
