"""Stored items → response models. The only place that knows both shapes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.access import NOTHING_HIDDEN, Hidden
from ..domain.clock import iso, now
from ..domain.reasons import from_stored
from ..domain.reasons import to_json as reason_json
from ..domain.records import Record
from ..domain.sla import view as sla_view
from ..domain.status import Priority, Status
from ..services.outbound import reply_all
from ..store.models import AttachmentMap, CommentItem, EventItem, MessageItem, TicketItem
from .schemas import (
    AddressOut,
    AttachmentOut,
    CommentOut,
    EventOut,
    Link,
    MessageOut,
    PublicMessage,
    ReplyAllOut,
    SlaOut,
    TicketOut,
)

# Lambda returns at most 6 MB, counted on API Gateway's proxy envelope, in which the JSON body is itself a
# JSON string (every quote and backslash of a mail's HTML escaped once more). The messages of one response
# get this much of that, measured encoded twice; the rest of a ticket (events, comments) is small.
MESSAGES_BUDGET = 4_500_000
PUBLIC_SHORT_TEXT = 2_000  # what the customer page keeps of an older message beyond the budget

M = TypeVar("M", bound=Record)


def encoded_size(item: Record) -> int:
    """Bytes ``item`` takes in the proxy response: its JSON, as a JSON string (ASCII, as Chalice sends it)."""
    return len(json.dumps(json.dumps(item.model_dump(mode="json", by_alias=True))))


def within_budget(items: list[M], shrink: Callable[[M], M], budget: int = MESSAGES_BUDGET) -> list[M]:
    """Newest messages keep their bodies; once ``budget`` is spent, each older one is ``shrink``-ed.

    ``items`` are oldest first (the thread's order); the result keeps that order."""
    sizes = [encoded_size(m) for m in items]
    if sum(sizes) <= budget:
        return items
    out = list(items)
    used = 0
    for index in range(len(items) - 1, -1, -1):
        if used + sizes[index] <= budget:
            used += sizes[index]
            continue
        out[index] = shrink(items[index])
        used += encoded_size(out[index])
    return out


def without_body(m: MessageOut) -> MessageOut:
    """A message sent without its bodies: the client loads them (GET …/messages/{id}/body)."""
    return m.model_copy(update={"text": "", "html": "", "new_text": "", "truncated": True, "omitted": True})


def public_short(m: PublicMessage) -> PublicMessage:
    """The customer page's older messages beyond the budget: the start of the text, no HTML."""
    text = m.text if len(m.text) <= PUBLIC_SHORT_TEXT else m.text[:PUBLIC_SHORT_TEXT] + " …"
    return m.model_copy(update={"text": text, "html": "", "shortened": True})


def sla_out(stored: Any) -> SlaOut | None:
    shown = sla_view(stored, now())
    return None if shown is None else SlaOut(**shown)


def ticket_out(
    t: TicketItem, lang: str = "de", hidden: Hidden = NOTHING_HIDDEN, unread: bool | None = None
) -> TicketOut:
    """The ticket as the API shows it; the ``hidden`` tickets (ones the viewer may not see) are left out
    of its parent, merge target and links."""
    return TicketOut(
        id=t.pk,
        number=t.number,
        subject=t.subject,
        status=Status(t.status),
        status_label=Status(t.status).label(lang),
        priority=Priority(t.priority),
        queue=t.queue,
        assignee=t.assignee,
        customer=AddressOut(name=t.customer_name or "", address=t.customer_email) if t.customer_email else None,
        customer_name=t.customer_name,
        customer_phone=t.customer_phone,
        mailbox=t.mailbox,
        project=t.project,
        type=t.type,
        channel=t.channel,
        tags=list(t.tags or []),
        private=bool(t.private),
        personal=bool(t.personal),
        prio=bool(t.prio),
        unread=bool(t.unread) if unread is None else unread,  # the caller passes the agent's own
        review=bool(t.review),
        review_notes=list(t.review_notes or []),
        due_at=t.due_at,
        overdue=bool(t.due_at and t.bucket == "active" and t.due_at < iso()),
        parent_id=t.parent_id if t.parent_id not in hidden.ids else None,
        merged_into=t.merged_into if t.merged_into not in hidden.ids else None,
        links=[
            Link(type=link.type, ticket_id=link.ticket_id, number=link.number)
            for link in t.links or []
            if link.ticket_id not in hidden.ids
        ],
        preview=t.preview,
        message_count=int(t.message_count or 0),
        created_at=t.created_at,
        updated_at=t.updated_at,
        last_customer_at=t.last_customer_at,
        first_response_at=t.first_response_at,
        closed_at=t.closed_at,
        version=int(t.version or 0),
        thread_version=int(t.thread_version or 0),
        sla=sla_out(t.sla),
    )


UrlFor = Callable[[str, str, str, bool], str]


def attachment_out(a: AttachmentMap, url_for: UrlFor | None, *, internal: bool = True) -> AttachmentOut:
    """An attachment as the API shows it; ``internal=False`` (the customer page) leaves out the agents' note."""
    return AttachmentOut(
        id=a.id,
        filename=a.filename,
        content_type=a.content_type,
        size=int(a.size),
        inline=bool(a.inline),
        content_id=a.content_id,
        note=a.note if internal else None,
        url=url_for(a.key, a.filename, a.content_type, False) if url_for else None,
    )


def message_out(m: MessageItem, url_for: UrlFor | None = None, own: set[str] | None = None) -> MessageOut:
    """A message as agents see it; with ``own`` (our addresses) also its reply-all defaults (for mail)."""
    atts = [attachment_out(a, url_for) for a in m.attachments or []]
    html = m.html or ""
    if url_for and "cid:" in html:
        html = resolve_cids(html, m, url_for)
    verdicts: Any = m.verdicts
    return MessageOut.model_validate(
        {
            "id": m.id,
            "direction": m.direction,
            "channel": m.channel,
            "from": AddressOut(name=m.from_addr.name or "", address=m.from_addr.address) if m.from_addr else None,
            "to": [AddressOut(name=a.name or "", address=a.address) for a in m.to or []],
            "cc": [AddressOut(name=a.name or "", address=a.address) for a in m.cc or []],
            "bcc": [AddressOut(name=a.name or "", address=a.address) for a in m.bcc or []],
            "side": m.side,
            "reply_all": _reply_all(m, own) if own is not None and m.channel == "email" else None,
            "subject": m.subject,
            "text": m.text,
            "html": html,
            "new_text": m.new_text,
            "remote_images": int(m.remote_images or 0),
            "message_id": m.message_id,
            "attachments": atts,
            "verdicts": verdicts if isinstance(verdicts, dict) else None,
            "auto_submitted": m.auto_submitted,
            "auto_reply": bool(m.auto_reply),
            "rich": bool(m.rich),
            "author": m.author,
            "send_state": m.send_state,
            "send_error": m.send_error,
            "send_retry_at": m.send_retry_at,
            "defects": list(m.defects or []),
            "limit_exceeded": list(m.limit_exceeded or []),
            "created_at": m.created_at,
            "truncated": bool(m.body_key),
        }
    )


def _reply_all(m: MessageItem, own: set[str]) -> ReplyAllOut:
    to, cc = reply_all(m, own)
    return ReplyAllOut(
        to=[AddressOut(name=a.name, address=a.address) for a in to],
        cc=[AddressOut(name=a.name, address=a.address) for a in cc],
    )


def resolve_cids(html: str, m: MessageItem, url_for: UrlFor) -> str:
    """``cid:`` references → short-lived inline links to the stored attachment (images only)."""
    for a in m.attachments or []:
        if a.content_id and a.content_type.startswith("image/"):
            link = url_for(a.key, a.filename, a.content_type, True).replace("&", "&amp;").replace('"', "&quot;")
            html = html.replace(f'src="cid:{a.content_id}"', f'src="{link}"')
    return html


def comment_out(c: CommentItem) -> CommentOut:
    return CommentOut(
        id=c.id,
        author=c.author,
        body=c.body,
        tags=list(c.tags or []),
        mentions=list(c.mentions or []),
        created_at=c.created_at,
    )


def event_out(e: EventItem, hidden: Hidden = NOTHING_HIDDEN) -> EventOut:
    """An entry of the history; ids and numbers of ``hidden`` tickets in its details read "…"."""
    detail: Any = e.detail
    return EventOut(
        id=e.id,
        type=e.type,
        actor=e.actor,
        detail=hidden.redact(with_reason_codes(detail)) if isinstance(detail, dict) else {},
        created_at=e.created_at,
    )


REASON_FIELDS = ("threading", "autoreply", "reason", "rule_warnings")


def with_reason_codes(detail: dict[str, Any]) -> dict[str, Any]:
    """An event's details with every reason as ``{"code", "params", "text"}``: events stored before the
    codes carry English sentences, which get their code back where one of the templates made them."""
    out = dict(detail)
    for name in REASON_FIELDS:
        value = out.get(name)
        if isinstance(value, list):
            out[name] = [reason_json(from_stored(v)) for v in value]
        elif isinstance(value, str | dict):
            out[name] = reason_json(from_stored(value))
    return out
