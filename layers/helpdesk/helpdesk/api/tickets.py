"""Ticket routes: list and detail (reads). Changes live in the modules added beside it."""

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal, cast

from chalice.app import Response
from msgspec import Meta

from ..aws.s3 import content_disposition
from ..domain.access import NOTHING_HIDDEN
from ..domain.clock import iso
from ..domain.config import ConfigSnapshot
from ..domain.conflicts import REPLY_IN_PROGRESS
from ..domain.export import csv_filename
from ..domain.headers import Address
from ..domain.ids import new_id
from ..domain.records import FieldError
from ..domain.search import SUBJECT
from ..domain.status import Status
from ..domain.templating import render
from ..services.access import hidden_among, hidden_references, may_access, references, ticket_ids_in
from ..services.batch import run_batch
from ..services.changes import Stale, change_ticket
from ..services.exports import CsvFile, inbox_csv
from ..services.forwards import ForwardRequest, forward
from ..services.macros import MacroDeps, usable
from ..services.outbound import resend
from ..services.reading import opened, set_read, unread_map
from ..services.replies import (
    MAX_ATTACHMENT_BYTES,
    UPLOAD_PREFIX,
    ReplyConflict,
    ReplyRequest,
    ReplyResult,
    add_comment,
    reply_values,
    send_reply,
    sending_mailbox,
)
from ..services.search import Match, search_tickets
from ..services.tickets_admin import NewTicket, create_ticket, merge_tickets, split_message
from ..store.listing import CursorError, TicketFilter, column_filter, list_tickets
from ..store.models import TicketItem
from .context import Services
from .errors import BadRequest, Forbidden, NotFound, stale
from .errors import ReplyConflict as ReplyConflictError
from .routing import Api, Ctx
from .schemas import (
    AddressIn,
    BatchIn,
    BatchOut,
    BatchResultItem,
    CommentAdded,
    CommentIn,
    ForwardIn,
    MatchKind,
    MergeIn,
    MessageBody,
    MessageOut,
    Model,
    RelatedTicket,
    ReplyIn,
    ReplyOut,
    SearchMatchOut,
    SplitIn,
    SplitOut,
    TemplateOut,
    ThreadNews,
    TicketCreateIn,
    TicketDetailOut,
    TicketList,
    TicketOut,
    TicketPatch,
    UploadIn,
    UploadOut,
)
from .views import comment_out, event_out, message_out, ticket_out, within_budget, without_body

Flag = Literal["true", "false"] | None
CSV_BUDGET_SECONDS = 20.0  # an inbox export pages on until then (API Gateway ends a request at 29 s)


class TicketQuery(Model, kw_only=True):
    status: Annotated[
        str | None, Meta(description="comma-separated statuses, or 'all'; default hides closed and trash")
    ] = None
    queue: Annotated[str, Meta(max_length=64)] | None = None
    assignee: Annotated[Annotated[str, Meta(max_length=64)] | None, Meta(description="agent username, or 'me'")] = None
    tag: Annotated[str, Meta(max_length=50)] | None = None
    customer: Annotated[str, Meta(max_length=320)] | None = None
    priority: Literal["lowest", "low", "medium", "high", "urgent"] | None = None
    mailbox: Annotated[str, Meta(max_length=64)] | None = None
    project: Annotated[str, Meta(max_length=64)] | None = None
    private: Flag = None
    personal: Flag = None
    prio: Flag = None
    unread: Flag = None
    review: Flag = None
    sla: Annotated[
        Literal["running", "warning", "breached"] | None,
        Meta(description="the most urgent SLA clock's state when the ticket was last looked at (docs/automation.md)"),
    ] = None
    q: Annotated[
        Annotated[str, Meta(max_length=100)] | None,
        Meta(
            description=(
                "full-text search: every word must occur (prefixes, umlauts folded) in the subject, number, customer, "
                "any message, comment or attachment name; every status but trash unless status is given"
            )
        ),
    ] = None
    number: Annotated[
        Annotated[str, Meta(max_length=100)] | None, Meta(description="column filter: the number contains this")
    ] = None
    subject: Annotated[
        Annotated[str, Meta(max_length=100)] | None, Meta(description="column filter: the subject contains this")
    ] = None
    customer_text: Annotated[
        Annotated[str, Meta(max_length=100)] | None,
        Meta(description="column filter: the customer's address or name contains this"),
    ] = None
    sort: Annotated[
        Literal["updated", "created", "due", "priority", "number", "customer"],
        Meta(
            description=(
                "last change, creation, due date (tickets without one follow, never left out), priority (most urgent "
                "first), number, customer (name, else address); none of them hides a ticket"
            )
        ),
    ] = "updated"
    order: Annotated[
        Literal["asc", "desc"] | None,
        Meta(
            description=(
                "default: newest/most urgent first for updated, created, number, priority; earliest first for due; A "
                "to Z for customer"
            )
        ),
    ] = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50
    cursor: Annotated[str, Meta(max_length=4000)] | None = None
    lang: Literal["de", "en"] = "de"

    def check(self) -> None:
        if self.status in (None, "", "all"):
            self.status = self.status or None
            return
        for part in self.status.split(","):
            if part.strip() not in Status.__members__.values():
                raise FieldError("status", f"unknown status {part.strip()!r}")

    def statuses(self) -> list[Status] | None:
        if self.status is None:
            return None
        if self.status == "all":
            return list(Status)
        return [Status(p.strip()) for p in self.status.split(",") if p.strip()]


class DetailQuery(Model, kw_only=True):
    read: Annotated[
        Literal["true", "false"],
        Meta(description="false: a background re-read that does not mark the ticket read for the caller"),
    ] = "true"


class TemplateQuery(Model, kw_only=True):
    mailbox: Annotated[str, Meta(max_length=64)] | None = None
    project: Annotated[str, Meta(max_length=64)] | None = None
    language: Literal["de", "en"] | None = None
    ticket_id: Annotated[
        Annotated[str, Meta(max_length=64)] | None,
        Meta(description="fill each template's variables for this ticket (`filled`), as sent"),
    ] = None


class TemplateList(Model, kw_only=True):
    items: list[TemplateOut]


def _flag(value: str | None) -> bool | None:
    return None if value is None else value == "true"


def csv_response(found: CsvFile, filename: str) -> Response:
    return Response(
        body=found.text,
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": content_disposition("attachment", filename),
            "Cache-Control": "no-store",
            "X-Export-Rows": str(found.rows),
            "X-Export-Truncated": "true" if found.truncated else "false",
        },
    )


def ticket_filter(ctx: Ctx, q: TicketQuery, cfg: ConfigSnapshot) -> TicketFilter:
    """The list's filter for the caller: hidden queues and others' private tickets left out (a hidden queue: 403)."""
    user = ctx.user
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
        sla=q.sla,
        q=q.q,
        columns=column_filter(q.number, q.subject, q.customer_text),
        sort=q.sort,
        descending=None if q.order is None else q.order == "desc",
        hidden_queues=cfg.hidden_queues(user.username, user.is_admin),
        viewer=user.username,
        viewer_is_admin=user.is_admin,
    )
    if q.queue and q.queue in flt.hidden_queues:
        raise Forbidden(f"no access to queue {q.queue!r}")
    return flt


def addresses(given: list[AddressIn]) -> list[Address]:
    """A request's recipients (to, cc, bcc of a reply or a forward) as the services take them."""
    return [Address(a.name, a.address) for a in given]


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
        cfg = services.config.snapshot()
        flt = ticket_filter(ctx, q, cfg)
        if q.q:
            viewer = ctx.viewer
            try:
                found = search_tickets(
                    flt, q.q, limit=q.limit, cursor=q.cursor, visible=lambda t: may_access(t, viewer, cfg)
                )
            except CursorError as exc:
                raise BadRequest(str(exc), field="cursor") from exc
            if found is not None:
                return TicketList(
                    items=shown(ctx, services, found.items, q.lang),
                    cursor=found.cursor,
                    partial=found.partial,
                    matches={tid: match_out(m) for tid, m in found.matches.items()},
                )
        try:
            page = list_tickets(flt, limit=q.limit, cursor=q.cursor)
        except CursorError as exc:
            raise BadRequest(str(exc), field="cursor") from exc
        items = shown(ctx, services, page.items, q.lang, unread=page.unread)
        return TicketList(items=items, cursor=page.cursor, partial=page.partial)

    @api.route(
        "/export/tickets",
        query=TicketQuery,
        tags=("tickets",),
        summary="The inbox view (the list's filters, every page; limit and cursor ignored) as CSV: UTF-8 with BOM, "
        "';', formulas neutralised; at most 5,000 tickets (header X-Export-Truncated: true when cut)",
        errors=(400, 401, 403),
        raw_response="text/csv",
    )
    def export_tickets(ctx: Ctx) -> Response:
        q: TicketQuery = ctx.query
        cfg = services.config.snapshot()
        flt = ticket_filter(ctx, q, cfg)
        viewer = ctx.viewer
        deadline = time.monotonic() + CSV_BUDGET_SECONDS
        found = inbox_csv(
            flt,
            cfg,
            lang=q.lang,
            text=q.q,
            visible=lambda t: may_access(t, viewer, cfg),
            time_left=lambda: deadline - time.monotonic(),
        )
        return csv_response(found, csv_filename("tickets", iso()[:10]))

    @api.route(
        "/tickets/{ticket_id}",
        query=DetailQuery,
        response=TicketDetailOut,
        tags=("tickets",),
        summary="A ticket with its messages, internal comments, events and related tickets; opening it marks "
        "it read for the caller (unless read=false)",
        errors=(400, 401, 403, 404),
    )
    def detail_route(ctx: Ctx, ticket_id: str) -> TicketDetailOut:
        q: DetailQuery = ctx.query
        detail = services.tickets.detail(ticket_id)
        if detail is None:
            raise NotFound("no such ticket")
        ensure_access(detail.ticket, ctx, services)
        unread = opened(detail, ctx.user.username, mark=q.read == "true")
        viewer = ctx.viewer
        relations = references(detail.ticket)
        named = {tid for tid, _ in relations}
        if not viewer.is_admin:  # the history names tickets too (merges, parents changed)
            # (its own messages, comments and events have ULIDs like tickets: no need to look them up)
            own = {m.id for m in detail.messages} | {c.id for c in detail.comments} | {e.id for e in detail.events}
            named |= ticket_ids_in([e.detail for e in detail.events]) - own
        named.discard(detail.ticket.pk)
        found = services.tickets.batch_tickets(sorted(named)) if named else {}
        hidden = NOTHING_HIDDEN if viewer.is_admin else hidden_among(viewer, services.config.snapshot(), found.values())
        ticket = ticket_out(detail.ticket, hidden=hidden, unread=unread)
        own = services.config.snapshot().own_addresses
        return TicketDetailOut(
            **ticket.model_dump(),
            messages=within_budget([message_out(m, services.download_url, own) for m in detail.messages], without_body),
            comments=[comment_out(c) for c in detail.comments],
            events=[event_out(e, hidden) for e in detail.events],
            related=[
                RelatedTicket(
                    id=tid,
                    number=found[tid].number,
                    subject=found[tid].subject,
                    status=Status(found[tid].status),
                    relation=relation,
                )
                for tid, relation in relations
                if tid in found and tid not in hidden.ids
            ],
        )


def match_out(match: Match) -> SearchMatchOut:
    return SearchMatchOut(
        kind=cast(MatchKind, match.kind),
        ref=match.ref or None,
        at=match.at or None,
        snippet=match.snippet,
        highlights=[[start, end] for start, end in match.highlights],
        in_subject=bool(match.fields & SUBJECT),
    )


def ensure_access(ticket: TicketItem, ctx: Ctx, services: Services) -> None:
    """A ticket the caller may not see answers exactly like one that does not exist (404): no route tells
    that it exists."""
    if not may_access(ticket, ctx.viewer, services.config.snapshot()):
        raise NotFound("no such ticket")


def shown(
    ctx: Ctx, services: Services, tickets: list[TicketItem], lang: str = "de", unread: dict[str, bool] | None = None
) -> list[TicketOut]:
    """Tickets as the caller may see them: what they say about tickets the caller may not see (parent,
    merge target, links) left out, ``unread`` for the caller (their read marks: one BatchGetItem unless
    ``unread`` comes with them). Every response with tickets goes through here."""
    hidden = hidden_references(services.tickets, services.config.snapshot(), ctx.viewer, tickets)
    if unread is None or any(t.pk not in unread for t in tickets):
        unread = unread_map(ctx.user.username, tickets)
    return [ticket_out(t, lang, hidden, unread.get(t.pk)) for t in tickets]


def shown_one(ctx: Ctx, services: Services, ticket: TicketItem) -> TicketOut:
    return shown(ctx, services, [ticket])[0]


@contextmanager
def conflicts_shown(ctx: Ctx, services: Services) -> Iterator[None]:
    """A stale version answers 409 with the ticket as it is now, shown as the caller may see it."""
    try:
        yield
    except Stale as exc:
        raise stale(shown_one(ctx, services, exc.current)) from exc


def macro_deps(ctx: Ctx, services: Services) -> MacroDeps:
    """What a macro run needs besides the configuration (its template mail: store, mailer, links)."""
    settings = services.settings
    return MacroDeps(
        services.tickets,
        services.mail,
        services.mailer,
        settings.mail_domain,
        link_secret=settings.link_secret,
        public_url=settings.public_url or ctx.base_url,
    )


def ticket_for(ctx: Ctx, services: Services, ticket_id: str) -> TicketItem:
    """The ticket a route acts on, as :func:`_ticket_for` finds it (for the routes of other modules)."""
    return _ticket_for(ctx, services, ticket_id)


def _ticket_for(ctx: Ctx, services: Services, ticket_id: str) -> TicketItem:
    """The ticket a route acts on (its path names it): 404 when there is none or the caller may not see it.
    (A ticket another field names goes through services.access.referenced_ticket instead.)"""
    ticket = services.tickets.get(ticket_id, consistent=True)
    if ticket is None:
        raise NotFound("no such ticket")
    ensure_access(ticket, ctx, services)
    return ticket


def register_changes(api: Api, services: Services) -> None:
    @api.route(
        "/tickets/{ticket_id}",
        "PATCH",
        body=TicketPatch,
        response=TicketOut,
        tags=("tickets",),
        summary="Change status, priority, queue, assignee, tags, due date, … (with the version you saw)",
        errors=(400, 401, 403, 404, 409),
    )
    def patch(ctx: Ctx, ticket_id: str) -> TicketOut:
        body: TicketPatch = ctx.body
        ticket = _ticket_for(ctx, services, ticket_id)
        changes = body.model_dump(exclude_unset=True, exclude={"version"}, mode="json")
        unread = changes.pop("unread", None)
        if unread is not None:  # the caller's own read mark: no change of the ticket, no version check
            set_read(ticket, ctx.user.username, unread=bool(unread))
            if not changes:
                return shown_one(ctx, services, ticket)
        with conflicts_shown(ctx, services):
            outcome = change_ticket(
                services.tickets,
                services.config.snapshot(),
                ticket_id,
                changes,
                version=body.version,
                actor=ctx.user.username,
                viewer=ctx.viewer,
                ticket=ticket,
            )
        return shown_one(ctx, services, outcome.ticket)

    @api.route(
        "/tickets/{ticket_id}/read",
        "POST",
        response=TicketOut,
        tags=("tickets",),
        summary="Mark as read for the caller (their own read mark): no new version, no history entry",
        errors=(401, 403, 404),
    )
    def mark_read(ctx: Ctx, ticket_id: str) -> TicketOut:
        ticket = _ticket_for(ctx, services, ticket_id)
        set_read(ticket, ctx.user.username, unread=False)
        return shown(ctx, services, [ticket], unread={ticket.pk: False})[0]

    @api.route(
        "/tickets/{ticket_id}/unread",
        "POST",
        response=TicketOut,
        tags=("tickets",),
        summary="Mark as unread for the caller only (their own read mark): no new version, no history entry",
        errors=(401, 403, 404),
    )
    def mark_unread(ctx: Ctx, ticket_id: str) -> TicketOut:
        ticket = _ticket_for(ctx, services, ticket_id)
        set_read(ticket, ctx.user.username, unread=True)
        return shown(ctx, services, [ticket], unread={ticket.pk: True})[0]

    @api.route(
        "/tickets/batch",
        "POST",
        body=BatchIn,
        response=BatchOut,
        tags=("tickets",),
        summary="Batch actions: Spam entfernen, Ungelesen ins Archiv, mark private/personal/prio, set "
        "status/queue/assignee/priority, add tags, apply a macro",
        errors=(400, 401, 403),
    )
    def batch(ctx: Ctx) -> BatchOut:
        body: BatchIn = ctx.body
        if (
            body.action in ("status", "queue", "assignee", "priority")
            and body.value is None
            and body.action != "assignee"
        ):
            raise BadRequest(f"action {body.action} needs a value", field="value")
        macro = None
        if body.action == "macro":
            found = [m for m in services.config.snapshot().macros if m.id == body.value]
            if not found or not usable(found[0], ctx.user.username):
                raise BadRequest("no such macro", field="value")
            macro = (found[0], macro_deps(ctx, services))
        result = run_batch(
            services.tickets,
            services.config,
            [(i.id, i.version) for i in body.items],
            body.action,
            body.value,
            viewer=ctx.viewer,
            add_tags=body.tags,
            block_sender=body.block_sender,
            typing=services.live.typing,
            confirm_typing=body.confirm_typing,
            macro=macro,
        )
        items = [
            BatchResultItem(id=r.id, ok=r.ok, version=r.version, error=r.error, message=r.message, typing=r.typing)
            for r in result.results
        ]
        return BatchOut(
            results=items,
            ok=sum(r.ok for r in items),
            failed=sum(not r.ok for r in items),
            skipped=sum(r.error == REPLY_IN_PROGRESS for r in items),
            blocked_senders=result.blocked_senders,
        )

    @api.route(
        "/tickets",
        "POST",
        body=TicketCreateIn,
        response=TicketOut,
        status=201,
        tags=("tickets",),
        summary="Record a ticket by hand (phone call, walk-in), optionally with a first mail to the customer",
        errors=(400, 401, 403),
    )
    def create(ctx: Ctx) -> TicketOut:
        body: TicketCreateIn = ctx.body
        cfg = services.config.snapshot()
        if body.send_mail and (body.customer is None or not body.customer.address):
            raise BadRequest("a first mail needs a customer address", field="customer")
        ticket = create_ticket(
            services.tickets,
            cfg,
            NewTicket(
                subject=body.subject,
                body=body.body,
                customer_email=body.customer.address if body.customer else None,
                customer_name=body.customer.name if body.customer else None,
                customer_phone=body.customer.phone if body.customer else None,
                channel=body.channel,
                queue=body.queue,
                priority=body.priority.value,
                assignee=body.assignee,
                tags=list(body.tags),
                status=body.status.value,
                project=body.project,
                type=body.type,
                due_at=body.due_at,
                mailbox=body.mailbox,
                parent_id=body.parent_id,
            ),
            actor=ctx.user.username,
            viewer=ctx.viewer,
        )
        if body.send_mail:
            result = _reply(ctx, ticket.pk, ReplyRequest(body=body.body, status=body.status.value))
            ticket = result.ticket
        return shown_one(ctx, services, ticket)

    @api.route(
        "/tickets/{ticket_id}/merge",
        "POST",
        body=MergeIn,
        response=TicketOut,
        tags=("tickets",),
        summary="Merge this ticket into another: messages move, this one closes and points to it",
        errors=(400, 401, 403, 404, 409),
    )
    def merge(ctx: Ctx, ticket_id: str) -> TicketOut:
        body: MergeIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        with conflicts_shown(ctx, services):  # a target the caller may not see is one that does not exist (400)
            target = merge_tickets(
                services.tickets,
                services.config.snapshot(),
                ticket_id,
                body.into,
                source_version=body.version,
                target_version=body.into_version,
                actor=ctx.user.username,
                viewer=ctx.viewer,
            )
        return shown_one(ctx, services, target)

    def _reply(ctx: Ctx, ticket_id: str, request: ReplyRequest) -> ReplyResult:
        settings = services.settings
        with _news_shown(ctx):
            return _send(ctx, ticket_id, request, settings)

    @contextmanager
    def _news_shown(ctx: Ctx) -> Iterator[None]:
        try:
            yield
        except ReplyConflict as exc:  # the author has not seen what arrived since: show it, send nothing
            news = ThreadNews(
                messages=within_budget([message_out(m, services.download_url) for m in exc.messages], without_body),
                comments=[comment_out(c) for c in exc.comments],
            )
            raise ReplyConflictError(
                str(exc),
                extra={
                    "reason": exc.verdict.reason.value,
                    "new": news.model_dump(mode="json", by_alias=True),
                    "current": shown_one(ctx, services, exc.ticket).model_dump(mode="json"),
                },
            ) from exc

    def _send(ctx: Ctx, ticket_id: str, request: ReplyRequest, settings: Any) -> ReplyResult:
        return send_reply(
            services.tickets,
            services.mail,
            services.mailer,
            services.config.snapshot(),
            ticket_id,
            request,
            actor=ctx.user.username,
            mail_domain=settings.mail_domain,
            link_secret=settings.link_secret,
            public_url=settings.public_url or ctx.base_url,
        )

    @api.route(
        "/tickets/{ticket_id}/replies",
        "POST",
        body=ReplyIn,
        response=ReplyOut,
        status=201,
        tags=("tickets",),
        errors=(400, 401, 403, 404, 409, 502),
        summary="Answer the customer by mail (templates, attachments, original attached, 'Einreichen als'); "
        "409 reply_conflict when the thread grew since seen_thread_version",
    )
    def reply(ctx: Ctx, ticket_id: str) -> ReplyOut:
        body: ReplyIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        result = _reply(
            ctx,
            ticket_id,
            ReplyRequest(
                body=body.body,
                html=body.html,
                inline=[(i.content_id, i.key) for i in body.inline],
                quote=body.quote,
                to=addresses(body.to) if body.to is not None else None,
                cc=addresses(body.cc) if body.cc is not None else None,
                bcc=addresses(body.bcc),
                answer=body.answer_message,
                template_id=body.template_id,
                attach_original=body.attach_original,
                upload_keys=list(body.attachments),
                status=body.status.value,
                subject=body.subject,
                seen_thread=body.seen_thread_version,
                confirm_conflict=body.confirm_conflict,
            ),
        )
        return ReplyOut(
            ticket=shown_one(ctx, services, result.ticket), message=message_out(result.message, services.download_url)
        )

    @api.route(
        "/tickets/{ticket_id}/forwards",
        "POST",
        body=ForwardIn,
        response=ReplyOut,
        status=201,
        tags=("tickets",),
        errors=(400, 401, 403, 404, 409, 502),
        summary="Forward a message or the whole ticket by mail (to, cc, bcc, a note, files, the original as .eml); "
        "answers thread back without joining the customer's conversation; 409 reply_conflict as for replies",
    )
    def forward_route(ctx: Ctx, ticket_id: str) -> ReplyOut:
        body: ForwardIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        request = ForwardRequest(
            to=addresses(body.to),
            cc=addresses(body.cc),
            bcc=addresses(body.bcc),
            note=body.note,
            note_html=body.note_html,
            inline=[(i.content_id, i.key) for i in body.inline],
            message=body.message_id,
            attachment_ids=list(body.attachment_ids),
            upload_keys=list(body.attachments),
            attach_original=body.attach_original,
            seen_thread=body.seen_thread_version,
            confirm_conflict=body.confirm_conflict,
        )
        with _news_shown(ctx):
            result = forward(
                services.tickets,
                services.mail,
                services.mailer,
                services.config.snapshot(),
                ticket_id,
                request,
                actor=ctx.user.username,
                mail_domain=services.settings.mail_domain,
            )
        return ReplyOut(
            ticket=shown_one(ctx, services, result.ticket), message=message_out(result.message, services.download_url)
        )

    @api.route(
        "/tickets/{ticket_id}/messages/{message_id}/split",
        "POST",
        body=SplitIn,
        response=SplitOut,
        status=201,
        tags=("tickets",),
        errors=(400, 401, 403, 404, 409),
        summary="Split a received mail off into a new ticket (same queue; linked both ways; told in both histories)",
    )
    def split(ctx: Ctx, ticket_id: str, message_id: str) -> SplitOut:
        body: SplitIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        with conflicts_shown(ctx, services):
            source, target = split_message(
                services.tickets,
                services.config.snapshot(),
                ticket_id,
                message_id,
                version=body.version,
                actor=ctx.user.username,
            )
        return SplitOut(source=shown_one(ctx, services, source), ticket=shown_one(ctx, services, target))

    @api.route(
        "/tickets/{ticket_id}/comments",
        "POST",
        body=CommentIn,
        response=CommentAdded,
        status=201,
        tags=("tickets",),
        summary="Internal comment (never mailed); its tags are added to the ticket",
        errors=(400, 401, 403, 404),
    )
    def comment(ctx: Ctx, ticket_id: str) -> CommentAdded:
        body: CommentIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        ticket, item = add_comment(
            services.tickets, ticket_id, body.body, list(body.tags), list(body.mentions), actor=ctx.user.username
        )
        return CommentAdded(ticket=shown_one(ctx, services, ticket), comment=comment_out(item))

    @api.route(
        "/tickets/{ticket_id}/uploads",
        "POST",
        body=UploadIn,
        response=UploadOut,
        status=201,
        tags=("tickets",),
        summary="A presigned S3 upload for a reply attachment (size-limited by S3)",
        errors=(400, 401, 403, 404),
    )
    def upload(ctx: Ctx, ticket_id: str) -> UploadOut:
        body: UploadIn = ctx.body
        _ticket_for(ctx, services, ticket_id)
        safe = re.sub(r"[\\/\x00-\x1f]", "_", body.filename).strip(". ") or "attachment"
        key = f"{UPLOAD_PREFIX}{ticket_id}/{new_id().lower()}/{safe}"
        url, fields = services.mail.upload_url(key, body.content_type, MAX_ATTACHMENT_BYTES)
        return UploadOut(key=key, url=url, fields=fields, max_bytes=MAX_ATTACHMENT_BYTES)

    @api.route(
        "/tickets/{ticket_id}/messages/{message_id}/body",
        response=MessageBody,
        tags=("tickets",),
        summary="The full body of a message whose text was shortened in the detail view",
        errors=(401, 403, 404),
    )
    def message_body(ctx: Ctx, ticket_id: str, message_id: str) -> MessageBody:
        _ticket_for(ctx, services, ticket_id)
        message = next((m for m in services.tickets.messages(ticket_id) if m.id == message_id), None)
        if message is None:
            raise NotFound("no such message")
        if not message.body_key:
            return MessageBody(text=message.text, html=message.html)
        data = json.loads(services.mail.get(message.body_key))
        return MessageBody(text=str(data.get("text", "")), html=str(data.get("html", "")))

    @api.route(
        "/tickets/{ticket_id}/messages/{message_id}/resend",
        "POST",
        response=MessageOut,
        tags=("tickets",),
        summary="Send a failed mail again (idempotent: a mail already sent is returned as it is, never sent twice)",
        errors=(401, 403, 404, 409, 502),
    )
    def resend_message(ctx: Ctx, ticket_id: str, message_id: str) -> MessageOut:
        ticket = _ticket_for(ctx, services, ticket_id)
        message = next((m for m in services.tickets.messages(ticket_id) if m.id == message_id), None)
        if message is None:
            raise NotFound("no such message")
        sent = resend(services.tickets, services.mail, services.mailer, ticket, message)
        return message_out(sent, services.download_url)

    @api.route(
        "/templates",
        response=TemplateList,
        tags=("tickets",),
        query=TemplateQuery,
        summary="Reply templates for a mailbox/project (the composer's list); with ticket_id filled in for it",
        errors=(401, 403, 404),
    )
    def templates(ctx: Ctx) -> TemplateList:
        q: TemplateQuery = ctx.query
        cfg = services.config.snapshot()
        items = [
            t
            for t in cfg.templates
            if t.kind == "reply"
            and t.applies_to(q.mailbox, q.project)
            and (q.language is None or t.language == q.language)
        ]
        values: dict[str, str] | None = None
        if q.ticket_id is not None:
            ticket = _ticket_for(ctx, services, q.ticket_id)
            settings = services.settings
            values = reply_values(
                cfg,
                ticket,
                sending_mailbox(cfg, ticket),
                ctx.user.username,
                settings.link_secret,
                settings.public_url or ctx.base_url,
            )
        return TemplateList(
            items=[
                TemplateOut(**t.model_dump(mode="json"), filled=render(t.body, values) if values is not None else None)
                for t in items
            ]
        )
