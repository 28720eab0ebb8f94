"""Routes: the macros an agent may apply, applying one to a ticket, and undoing the last (issue 17).

Admins keep the macros with ``/admin/macros`` (api/admin.py); the work is in ``services/macros.py``."""

from __future__ import annotations

from ..domain.reasons import to_json as reason_json
from ..services.macros import MacroOutcome, apply_macro, undo_macro, usable
from .context import Services
from .errors import NotFound
from .routing import Api, Ctx
from .schemas import MacroList, MacroOut, MacroRunIn, MacroRunOut
from .tickets import conflicts_shown, macro_deps, shown_one, ticket_for


def register(api: Api, services: Services) -> None:
    def shown(ctx: Ctx, outcome: MacroOutcome) -> MacroRunOut:
        return MacroRunOut(
            ticket=shown_one(ctx, services, outcome.ticket),
            changes=outcome.changes,
            reasons=[reason_json(r) for r in outcome.reasons],
            mailed=outcome.mailed,
        )

    @api.route("/macros", response=MacroList, tags=("tickets",), summary="The macros I may apply", errors=(401,))
    def index(ctx: Ctx) -> MacroList:
        mine = [m for m in services.config.snapshot().macros if usable(m, ctx.user.username)]
        mine.sort(key=lambda m: (m.name.lower(), m.id))
        return MacroList(items=[MacroOut.model_validate(m.model_dump(mode="json")) for m in mine])

    @api.route(
        "/tickets/{ticket_id}/macros/{macro_id}",
        "POST",
        body=MacroRunIn,
        response=MacroRunOut,
        tags=("tickets",),
        summary="Apply a macro: its changes as one change (with the version you saw), then comment, notice, mail",
        errors=(400, 401, 403, 404, 409),
    )
    def run(ctx: Ctx, ticket_id: str, macro_id: str) -> MacroRunOut:
        body: MacroRunIn = ctx.body
        ticket = ticket_for(ctx, services, ticket_id)
        cfg = services.config.snapshot()
        macro = next((m for m in cfg.macros if m.id == macro_id and usable(m, ctx.user.username)), None)
        if macro is None:
            raise NotFound("no such macro")
        with conflicts_shown(ctx, services):
            outcome = apply_macro(
                macro_deps(ctx, services),
                cfg,
                ticket,
                macro,
                version=body.version,
                actor=ctx.user.username,
                viewer=ctx.viewer,
            )
        return shown(ctx, outcome)

    @api.route(
        "/tickets/{ticket_id}/undo-macro",
        "POST",
        body=MacroRunIn,
        response=MacroRunOut,
        tags=("tickets",),
        summary="Undo my last macro on this ticket: its fields back where nobody changed them since",
        errors=(400, 401, 403, 404, 409),
    )
    def undo(ctx: Ctx, ticket_id: str) -> MacroRunOut:
        body: MacroRunIn = ctx.body
        ticket_for(ctx, services, ticket_id)
        with conflicts_shown(ctx, services):
            outcome = undo_macro(
                macro_deps(ctx, services),
                services.config.snapshot(),
                ticket_id,
                version=body.version,
                actor=ctx.user.username,
                viewer=ctx.viewer,
            )
        return shown(ctx, outcome)
