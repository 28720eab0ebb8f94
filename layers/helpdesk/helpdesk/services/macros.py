"""Use cases: an agent applies a macro to a ticket, and undoes the last one (issue 17, docs/automation.md).

A macro is a named list of the triggers' actions (``domain/automation.apply_actions``). Applying it is one
change by the agent (with the version they saw, as a PATCH), recorded as a ``MacroApplied`` event holding
every field's before → after: that is what "undo" puts back. Then its effects, as the agent's own acts:
an internal comment, a notice to the agents it names, a template mailed to the customer as the agent's
reply (``replies.send_reply``: signature, threading, the status the macro left). A macro cannot publish
events (a trigger's action). Undo reverts the fields of the agent's last macro on the ticket that nobody
changed since (the others are named); a mail cannot be unsent, a comment stays.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..domain.access import Viewer
from ..domain.automation import apply_actions
from ..domain.clock import now
from ..domain.config import ConfigSnapshot, Macro
from ..domain.dataclass import dataclass
from ..domain.reasons import Reason, reason
from ..domain.reasons import to_json as reason_json
from ..store.models import EventItem, TicketItem
from ..store.tickets import TicketStore, new_event
from .automation import facts_of, notified, plain
from .changes import ChangeError, Missing, change_ticket
from .replies import ReplyRequest, add_comment, send_reply


@dataclass(frozen=True)
class MacroDeps:
    """What a macro's mail needs besides the store (the API's wiring)."""

    tickets: TicketStore
    mail: MailStore
    mailer: Mailer
    mail_domain: str
    link_secret: str = ""
    public_url: str = ""


@dataclass
class MacroOutcome:
    ticket: TicketItem
    changes: dict[str, list[Any]] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    mailed: bool = False


def usable(macro: Macro, user: str) -> bool:
    """Shared macros (no owner) are everyone's; a personal one only its owner's."""
    return macro.owner is None or macro.owner == user


def apply_macro(
    deps: MacroDeps,
    cfg: ConfigSnapshot,
    ticket: TicketItem,
    macro: Macro,
    *,
    version: int,
    actor: str,
    viewer: Viewer | None,
) -> MacroOutcome:
    if any(a.kind == "publish" for a in macro.actions):
        raise ChangeError("a macro cannot publish events (a trigger's action)", "macro")
    applied = apply_actions(macro.actions, facts_of(ticket), source=f"macro:{macro.id}", now=now())
    changes = {name: [plain(before), plain(after)] for name, (before, after) in applied.changed.items()}
    detail: dict[str, Any] = {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "macro": macro.id,
        "name": macro.name,
        "changes": changes,
        "reasons": [reason_json(r) for r in applied.said],
    }
    if any(e.kind == "notify" for e in applied.effects):
        detail["notify"] = [u for u in notified(ticket, applied.effects, cfg) if u != actor]
    event = new_event(ticket, "MacroApplied", actor, detail)
    outcome = change_ticket(
        deps.tickets,
        cfg,
        ticket.pk,
        {name: after for name, (_, after) in changes.items()},
        version=version,
        actor=actor,
        viewer=viewer,
        ticket=ticket,
        extra=[event],
    )
    result = MacroOutcome(outcome.ticket, changes, list(applied.said))
    for effect in applied.effects:
        if effect.kind == "add_comment":
            add_comment(deps.tickets, ticket.pk, effect.value, [], [], actor=actor)
        elif effect.kind == "send_template":
            current = deps.tickets.get(ticket.pk, consistent=True)
            if current is None:
                raise Missing(ticket.pk)
            request = ReplyRequest(template_id=effect.value, status=current.status)
            replied = send_reply(
                deps.tickets,
                deps.mail,
                deps.mailer,
                cfg,
                ticket.pk,
                request,
                actor=actor,
                mail_domain=deps.mail_domain,
                link_secret=deps.link_secret,
                public_url=deps.public_url,
            )
            result.ticket, result.mailed = replied.ticket, True
    return result


def _last_macro(events: list[EventItem], actor: str) -> EventItem | None:
    undone = {str(e.detail.get("undoes")) for e in events if e.type == "MacroUndone"}
    mine = [e for e in events if e.type == "MacroApplied" and e.actor == actor and e.id not in undone]
    return max(mine, key=lambda e: e.sk) if mine else None


def _current(ticket: TicketItem, name: str) -> object:
    value = getattr(ticket, name)
    return sorted(value or []) if name == "tags" else value


def undo_macro(
    deps: MacroDeps, cfg: ConfigSnapshot, ticket_id: str, *, version: int, actor: str, viewer: Viewer | None
) -> MacroOutcome:
    """Put back what the caller's last macro on this ticket changed, where nobody changed it since."""
    detail = deps.tickets.detail(ticket_id, consistent=True)
    if detail is None:
        raise Missing(ticket_id)
    last = _last_macro(detail.events, actor)
    if last is None:
        raise ChangeError("you applied no macro to this ticket that could be undone", "macro")
    ticket = detail.ticket
    back: dict[str, Any] = {}
    said: list[Reason] = []
    for name, pair in dict(last.detail.get("changes") or {}).items():
        before, after = pair
        if _current(ticket, name) == after:
            back[name] = before
        else:
            said.append(reason("macro.undo_changed", field=name))
    said.append(reason("macro.undone", name=str(last.detail.get("name") or last.detail.get("macro"))))
    event = new_event(
        ticket,
        "MacroUndone",
        actor,
        {
            "ticket_id": ticket.pk,
            "number": ticket.number,
            "undoes": last.id,
            "macro": last.detail.get("macro"),
            "name": last.detail.get("name"),
            "reasons": [reason_json(r) for r in said],
        },
    )
    while True:
        shown = {k: [_current(ticket, k), v] for k, v in back.items()}
        try:
            outcome = change_ticket(
                deps.tickets,
                cfg,
                ticket_id,
                back,
                version=version,
                actor=actor,
                viewer=viewer,
                ticket=ticket,
                extra=[event],
            )
        except ChangeError as exc:  # e.g. a status the ticket cannot go back to from where it is now
            if exc.field not in back:
                raise
            del back[exc.field]
            said.insert(0, reason("macro.undo_refused", field=exc.field))
            event.detail = {**event.detail, "reasons": [reason_json(r) for r in said]}
            continue
        return MacroOutcome(outcome.ticket, shown, said)
