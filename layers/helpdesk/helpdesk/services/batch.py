"""Use case: batch actions on selected tickets (the seeds' "Stapelverarbeitung").

Each item carries the version the agent saw and is changed on its own; the result lists every item
(ok, or why not), so one stale or forbidden ticket does not stop the others. A ticket a colleague is
writing a reply on (presence "typing" in the live table) is skipped by the actions that would take it
away from them (domain/conflicts.py: batch_check), unless the request confirms. The action ``macro`` applies
an agent's macro to each ticket as its own run would (services/macros.py: one undo per ticket).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import field
from typing import Any

from ..domain.access import Viewer
from ..domain.config import Condition, ConfigSnapshot, Macro, Rule, RuleActions
from ..domain.conflicts import DISRUPTIVE_BATCH_ACTIONS, batch_check
from ..domain.dataclass import dataclass
from ..domain.live import Viewer as Present
from ..domain.reasons import reason
from ..store.config_store import ConfigStore
from ..store.tickets import TicketStore
from .access import NoAccess, may_access
from .changes import ChangeError, Missing, Stale, change_ticket
from .macros import MacroDeps, apply_macro
from .reading import set_read
from .replies import ReplyConflict

ACTIONS: dict[str, dict[str, Any]] = {
    "spam": {"status": "trash"},  # "Spam entfernen"
    "archive_unread": {"status": "closed"},  # "Ungelesen ins Archiv" (and read for the agent: READ_MARKS)
    "mark_private": {"private": True},
    "mark_personal": {"personal": True},
    "mark_prio": {"prio": True},
    "unmark_private": {"private": False},
    "unmark_personal": {"personal": False},
    "unmark_prio": {"prio": False},
    "mark_read": {},
    "mark_unread": {},
}
# Actions that set the acting agent's own read mark ("Ungelesen" is per agent): unread or not.
READ_MARKS: dict[str, bool] = {"archive_unread": False, "mark_read": False, "mark_unread": True}
SETTERS = ("status", "queue", "assignee", "priority")


@dataclass
class ItemResult:
    id: str
    ok: bool
    version: int | None = None
    error: str | None = None
    message: str | None = None
    typing: list[str] = field(default_factory=list)  # skipped (reply_in_progress): who is writing a reply


@dataclass
class BatchResult:
    results: list[ItemResult] = field(default_factory=list)
    blocked_senders: list[str] = field(default_factory=list)


def changes_for(action: str, value: Any) -> dict[str, Any]:
    if action in ACTIONS:
        return dict(ACTIONS[action])
    if action in SETTERS:
        return {action: value}
    raise ChangeError(f"unknown batch action {action!r}", "action")


def run_batch(
    store: TicketStore,
    config: ConfigStore,
    items: list[tuple[str, int]],
    action: str,
    value: Any,
    *,
    viewer: Viewer,
    add_tags: list[str] | None = None,
    block_sender: bool = False,
    typing: Callable[[float], Mapping[str, Sequence[Present]]] | None = None,
    confirm_typing: bool = False,
    macro: tuple[Macro, MacroDeps] | None = None,
) -> BatchResult:
    """Each item as its own PATCH would be: the same access checks (the ticket, the queue it moves to).

    ``typing`` tells who is writing a reply where (``LiveStore.typing``: one Query, asked only for actions
    that would disturb them); ``confirm_typing`` applies the action to those tickets anyway. ``macro``: the
    macro (and what its mail needs) of the action ``macro``, applied to each ticket as its own run."""
    actor = viewer.username
    cfg = config.snapshot()
    if action == "macro" and macro is None:
        raise ChangeError("the action macro needs a macro", "value")
    base = changes_for(action, value) if action not in ("tags", "macro") else {}
    result = BatchResult()
    senders: set[str] = set()
    writing = typing(time.time()) if typing is not None and action in DISRUPTIVE_BATCH_ACTIONS else {}
    for ticket_id, version in items:
        ticket = store.get(ticket_id, consistent=True)
        if ticket is None or not may_access(ticket, viewer, cfg):  # hidden: as if it did not exist
            result.results.append(ItemResult(ticket_id, False, error="not_found", message="no such ticket"))
            continue
        typists = sorted({p.user for p in writing.get(ticket_id, ()) if p.user != actor})
        skip = batch_check(action, typists, actor=actor, confirmed=confirm_typing)
        if skip is not None:
            message = f"{', '.join(typists)} is writing a reply on {ticket.number}; confirm to apply anyway"
            result.results.append(ItemResult(ticket_id, False, int(ticket.version or 0), skip, message, typing=typists))
            continue
        changes = dict(base)
        if action == "tags":
            changes["tags"] = sorted(set(ticket.tags or []) | set(add_tags or []))
        if not changes and action in READ_MARKS:  # mark read / unread: the agent's own mark, no version check
            set_read(ticket, actor, unread=READ_MARKS[action])
            result.results.append(ItemResult(ticket_id, True, int(ticket.version or 0)))
            continue
        try:
            if macro is not None:
                changed = apply_macro(macro[1], cfg, ticket, macro[0], version=version, actor=actor, viewer=viewer)
                outcome_ticket = changed.ticket
            else:
                outcome_ticket = change_ticket(
                    store,
                    cfg,
                    ticket_id,
                    changes,
                    version=version,
                    actor=actor,
                    viewer=viewer,
                    ticket=ticket,
                    reason=reason("status.batch", action=action),
                ).ticket
        except NoAccess as exc:
            result.results.append(ItemResult(ticket_id, False, error="forbidden", message=str(exc)))
            continue
        except Stale as exc:
            result.results.append(ItemResult(ticket_id, False, int(exc.current.version or 0), "conflict", str(exc)))
            continue
        except ChangeError as exc:
            result.results.append(ItemResult(ticket_id, False, int(ticket.version or 0), "validation_error", str(exc)))
            continue
        except ReplyConflict as exc:  # a macro's template mail: the thread grew meanwhile
            result.results.append(ItemResult(ticket_id, False, int(exc.ticket.version or 0), "conflict", str(exc)))
            continue
        except Missing:
            result.results.append(ItemResult(ticket_id, False, error="not_found", message="no such ticket"))
            continue
        result.results.append(ItemResult(ticket_id, True, int(outcome_ticket.version or 0)))
        if action in READ_MARKS:
            set_read(outcome_ticket, actor, unread=READ_MARKS[action])
        if action == "spam" and ticket.customer_email:
            senders.add(ticket.customer_email)
    if action == "spam" and block_sender and senders:
        result.blocked_senders = block_senders(config, cfg, sorted(senders), actor)
    return result


BLOCK_RULE = "blocked-senders"


def block_senders(config: ConfigStore, cfg: ConfigSnapshot, senders: list[str], actor: str) -> list[str]:
    """Add the senders to the block rules: their future mail goes straight to the trash, without auto-reply.

    Blocked addresses are spread over rules ``blocked-senders``, ``blocked-senders-2``, … (20 per rule).
    """
    rules = sorted(
        (r for r in cfg.rules if r.id == BLOCK_RULE or r.id.startswith(f"{BLOCK_RULE}-")), key=lambda r: r.id
    )
    known = [c.value for r in rules for c in r.conditions]
    new = [s for s in senders if s not in known]
    if not new:
        return []
    everyone = known + new
    for index in range(0, len(everyone), 20):
        chunk = everyone[index : index + 20]
        rule_id = BLOCK_RULE if index == 0 else f"{BLOCK_RULE}-{index // 20 + 1}"
        config.put(
            "rule",
            Rule(
                id=rule_id,
                name="Gesperrte Absender (Spam)",
                order=1,
                match="any",
                conditions=[Condition(field="from", op="equals", value=address) for address in chunk],
                actions=RuleActions(spam=True, stop=True),
            ),
            actor=actor,
        )
    return new
