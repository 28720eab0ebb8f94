"""Routes for customers (no login): their ticket behind a signed link, and the contact form."""

from __future__ import annotations

from typing import cast

from ..domain.links import verify_customer_token
from ..domain.privacy import privacy_notice
from ..domain.sla import solution_due
from ..domain.status import Status
from ..services.changes import Missing
from ..services.ingest import IngestDeps
from ..services.public import ContactForm, CustomerConflict, public_reply, public_view, submit_contact_form
from ..store.models import MessageItem
from .context import Services
from .errors import NotFound, ReplyConflict
from .routing import Api, Ctx
from .schemas import ContactIn, ContactOut, Direction, PublicInfo, PublicMessage, PublicReplyIn, PublicTicket
from .views import attachment_out, public_short, resolve_cids, within_budget


def register(api: Api, services: Services, deps: IngestDeps) -> None:
    def ticket_id_of(token: str) -> str:
        ticket_id = verify_customer_token(services.settings.link_secret, token)
        if ticket_id is None:
            raise NotFound("this link is not valid (any more); please write to us by mail")
        return ticket_id

    def public_message(m: MessageItem) -> PublicMessage:
        return PublicMessage(
            id=m.id,
            direction=cast(Direction, m.direction),
            from_name=(m.from_addr.name or m.from_addr.address) if m.from_addr else "",
            text=m.text,
            html=resolve_cids(m.html, m, services.download_url) if "cid:" in (m.html or "") else m.html,
            created_at=m.created_at,
            attachments=[
                attachment_out(a, services.download_url, internal=False) for a in m.attachments or [] if not a.inline
            ],
        )

    @api.route(
        "/public/tickets/{token}",
        auth="public",
        response=PublicTicket,
        tags=("public",),
        summary="The customer's view of their ticket (signed, expiring link): status and correspondence",
        errors=(404,),
    )
    def view(ctx: Ctx, token: str) -> PublicTicket:
        detail = public_view(services.tickets, ticket_id_of(token))
        t = detail.ticket
        messages = [public_message(m) for m in detail.messages]
        status = Status(t.status)
        return PublicTicket(
            number=t.number,
            subject=t.subject,
            status=status,
            status_label=status.label("de"),
            status_label_en=status.label("en"),
            created_at=t.created_at,
            updated_at=t.updated_at,
            messages=within_budget(messages, public_short),
            solution_due_at=solution_due(t.sla),
        )

    @api.route(
        "/public/tickets/{token}/replies",
        "POST",
        auth="public",
        body=PublicReplyIn,
        response=ContactOut,
        status=201,
        tags=("public",),
        summary="The customer answers on the web (rate-limited); 409 reply_conflict when we wrote since "
        "seen_message_id",
        errors=(400, 404, 409, 429),
    )
    def reply(ctx: Ctx, token: str) -> ContactOut:
        body: PublicReplyIn = ctx.body
        try:
            public_reply(
                services.tickets,
                ticket_id_of(token),
                body.body,
                source_ip=ctx.source_ip,
                seen_message_id=body.seen_message_id,
                confirm_conflict=body.confirm_conflict,
            )
        except Missing as exc:
            raise NotFound("this ticket cannot take answers") from exc
        except CustomerConflict as exc:  # we wrote since the page was opened: show it, store nothing
            raise ReplyConflict(
                str(exc),
                extra={
                    "reason": exc.verdict.reason.value,
                    "new_messages": [
                        m.model_dump(mode="json")
                        for m in within_budget([public_message(m) for m in exc.messages], public_short)
                    ],
                },
            ) from exc
        return ContactOut(received=True)

    @api.route(
        "/public/info",
        auth="public",
        response=PublicInfo,
        tags=("public",),
        summary="What the customers' pages show of the company: its name, the privacy notice link and text (DE/EN)",
    )
    def info(ctx: Ctx) -> PublicInfo:
        settings = services.config.snapshot().settings
        urls = {lang: settings.privacy_url.get(lang) for lang in ("de", "en")}
        return PublicInfo(
            company=settings.company,
            privacy_url=urls,
            notice={lang: privacy_notice(settings.company, urls[lang], lang) for lang in ("de", "en")},
        )

    @api.route(
        "/public/contact",
        "POST",
        auth="public",
        body=ContactIn,
        response=ContactOut,
        status=201,
        tags=("public",),
        errors=(400, 429),
        summary="Contact form: opens a ticket like a mail does (rules, auto-reply); rate-limited, honeypot",
    )
    def contact(ctx: Ctx) -> ContactOut:
        body: ContactIn = ctx.body
        if body.website:
            return ContactOut(received=True)  # a bot filled the honeypot: pretend, store nothing
        result = submit_contact_form(
            ContactForm(body.name, body.email, body.subject, body.body, body.mailbox, body.notice_lang),
            deps,
            source_ip=ctx.source_ip or "unknown",
            mail_domain=services.settings.mail_domain,
        )
        return ContactOut(received=True, number=result.number)
