"""Metadata the clients need: statuses with German/English labels, the state machine, priorities, lists."""

from __future__ import annotations

from ..aws.live import live_url
from ..domain.access import access, aggregate_scope
from ..domain.status import PRIORITY_LABELS, STATUS_LABELS, TRANSITIONS, Priority, Status
from ..domain.templating import VARIABLES
from .context import Services
from .routing import Api, Ctx
from .schemas import Label, MetaOut


def register(api: Api, services: Services) -> None:
    @api.route(
        "/meta",
        response=MetaOut,
        tags=("meta",),
        errors=(401, 403),
        summary="Statuses with labels, transitions, priorities, queues, mailboxes, agents, tags and projects in use",
    )
    def meta(ctx: Ctx) -> MetaOut:
        cfg = services.config.snapshot()
        viewer = ctx.viewer
        tags, projects = services.tickets.in_use(aggregate_scope(viewer, cfg))  # of the tickets the viewer may see
        return MetaOut(
            statuses=[Label(id=s.value, de=STATUS_LABELS["de"][s], en=STATUS_LABELS["en"][s]) for s in Status],
            priorities=[Label(id=p.value, de=PRIORITY_LABELS["de"][p], en=PRIORITY_LABELS["en"][p]) for p in Priority],
            transitions={s.value: sorted(t.value for t in TRANSITIONS[s]) for s in Status},
            default_reply_status=Status.WAITING_CUSTOMER,
            variables=VARIABLES,
            queues=[{"id": q.id, "name": q.name} for q in cfg.queues if access(viewer, cfg, q.id).allowed],
            mailboxes=[{"id": m.id, "address": m.address, "name": m.name} for m in cfg.mailboxes],
            agents=[
                {"username": a.username, "name": a.name or a.username, "role": a.role} for a in cfg.agents if a.active
            ],
            number_format=cfg.settings.number_format,
            block_external_content=cfg.settings.block_external_content,
            quote_replies=cfg.settings.quote_replies,
            tags=tags,
            projects=projects,
            live_url=live_url() or None,
        )
