"""Use cases: manual tickets (phone, walk-in), merging tickets, splitting a mail off into a ticket of its own."""

from __future__ import annotations

from dataclasses import field
from typing import Any

from ..domain.access import Viewer
from ..domain.clock import iso
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.headers import normalize_address
from ..domain.ids import new_id
from ..domain.lifecycle import merged, opened, split_off
from ..domain.status import Status
from ..store import customers
from ..store.models import (
    TICKET_SK,
    AddressMap,
    CommentItem,
    CustomerItem,
    LinkMap,
    MessageItem,
    MetaItem,
    TicketItem,
)
from ..store.stats import stats_update
from ..store.tickets import TicketStore, apply_transition, mid_key, new_event, state_of, timeline_sk
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, add_to_thread, relink_parent, write_ticket
from .access import referenced_ticket
from .changes import ChangeError, Missing, Stale, check_references, validate
from .numbering import ATTEMPTS, Number, numbered

CHANNELS = ("phone", "walk_in", "email", "web", "letter", "chat", "other")


@dataclass
class NewTicket:
    subject: str
    body: str
    customer_email: str | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    channel: str = "phone"
    queue: str | None = None
    priority: str = "medium"
    assignee: str | None = None
    tags: list[str] = field(default_factory=list)
    status: str = Status.OPEN.value
    project: str | None = None
    type: str | None = None
    due_at: str | None = None
    mailbox: str | None = None
    parent_id: str | None = None


def create_ticket(
    store: TicketStore, cfg: ConfigSnapshot, request: NewTicket, *, actor: str, viewer: Viewer | None
) -> TicketItem:
    """A ticket an agent records (phone call, visit): numbered like every other, never mailed by itself.

    Its queue and parent must be ones ``viewer`` may see (None: the system), as for a change."""
    check_references(store, cfg, viewer, queue=request.queue or cfg.settings.default_queue, parent_id=request.parent_id)
    if request.channel not in CHANNELS:
        raise ChangeError(f"channel must be one of {', '.join(CHANNELS)}", "channel")
    customer = normalize_address(request.customer_email) if request.customer_email else ""
    if request.customer_email and not customer:
        raise ChangeError("not an e-mail address", "customer_email")
    known = _known_customer(customer)
    caller = request.customer_name or (known.name if known else "") or None  # a known address: its known name
    phone = request.customer_phone or (known.phone if known else None) or None

    def attempt(number: Number) -> TicketItem:
        for _ in range(ATTEMPTS):  # the parent changed meanwhile: read it again
            ticket, unit = _new_ticket_unit(store, cfg, request, number, _Caller(customer, caller, phone), actor)
            try:
                unit.commit()
            except Conflict as exc:
                if "parent" in exc.tags and "counter" not in exc.tags and "number" not in exc.tags:
                    continue
                raise
            return ticket
        raise RuntimeError("the parent ticket keeps changing; try again")

    return numbered(store, cfg, attempt)


@dataclass(frozen=True)
class _Caller:
    address: str
    name: str | None
    phone: str | None


def _new_ticket_item(
    cfg: ConfigSnapshot, request: NewTicket, number: Number, who: _Caller, actor: str, at: str
) -> TicketItem:
    """The agent's new ticket: the request's fields (validated as a change would be) and its lifecycle's."""
    customer = who.address
    ticket = TicketItem(
        pk=new_id(),
        sk=TICKET_SK,
        number=number.text,
        subject=request.subject,
        status=Status.NEW.value,
        priority="medium",
        queue=request.queue or cfg.settings.default_queue,
        customer_email=customer or None,
        customer_name=who.name,
        customer_phone=who.phone,
        mailbox=request.mailbox,
        channel=request.channel,
        participants={customer} if customer else None,
        created_by=actor,
    )
    clean = validate(
        {
            "status": request.status,
            "priority": request.priority,
            "queue": ticket.queue,
            "assignee": request.assignee,
            "tags": request.tags,
            "project": request.project,
            "type": request.type,
            "due_at": request.due_at,
            "parent_id": request.parent_id,
        },
        ticket,
        cfg,
    )
    for name, value in clean.items():
        setattr(ticket, name, value)
    queue = cfg.queue(ticket.queue)
    lifecycle = opened(
        status=ticket.status,
        at=at,
        preview=request.body,
        response_hours=queue.first_response_hours if queue else None,
        customer=bool(customer),
        unread=False,
    )
    for name, value in lifecycle.items():
        setattr(ticket, name, value)
    return ticket


def _new_ticket_unit(
    store: TicketStore, cfg: ConfigSnapshot, request: NewTicket, number: Number, who: _Caller, actor: str
) -> tuple[TicketItem, Unit]:
    """The agent's new ticket and its transaction (not committed)."""
    customer, caller, phone = who.address, who.name, who.phone
    at = iso()
    ticket = _new_ticket_item(cfg, request, number, who, actor, at)
    msg_id = new_id()
    message = MessageItem(
        pk=ticket.pk,
        sk=timeline_sk("MSG", at, msg_id),
        id=msg_id,
        direction="inbound",
        channel=request.channel,
        from_addr=AddressMap(name=caller or "", address=customer) if customer else None,
        subject=request.subject,
        text=request.body,
        new_text=request.body[:2000],
        message_id=f"{msg_id.lower()}@{request.channel}.invalid",
        author=actor,
        created_at=at,
    )
    unit = store.unit()
    number.write(unit, ticket.pk, at)
    write_ticket(unit, ticket, None, [new_event(ticket, "TicketCreated", actor, _created(ticket), at)], new=True)
    if ticket.parent_id:
        relink_parent(unit, ticket, None, store.get(ticket.parent_id, consistent=True))
    add_to_thread(ticket, message)  # the first entry of its thread (no MID#: its Message-ID is made up)
    unit.save("message", message)
    if customer:
        _count_customer_ticket(unit, customer, caller, at, name=caller, phone=phone)
    stats_update(unit, at, {"tickets_created": 1, f"channel_{request.channel}": 1})
    return ticket, unit


def _created(ticket: TicketItem, **more: str) -> dict[str, Any]:
    """The ``TicketCreated`` detail of a new ticket."""
    return {
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "queue": ticket.queue,
        "customer": ticket.customer_email,
        "channel": ticket.channel,
        **more,
    }


def _count_customer_ticket(
    unit: Unit, address: str, display: str | None, at: str, *, name: str | None = None, phone: str | None = None
) -> None:
    """One more ticket of this customer (created as a mail of theirs would have: the record if none yet)."""
    unit.update(
        "customer",
        CustomerItem(address),
        [
            CustomerItem.kind.set("customer"),
            CustomerItem.created_at.set(CustomerItem.created_at | at),
            CustomerItem.updated_at.set(at),
            CustomerItem.last_ticket_at.set(at),
            CustomerItem.ticket_count.add(1),
            CustomerItem.name_key.set(CustomerItem.name_key | f"{(display or address).lower()}#{address}"),
            *([CustomerItem.name.set(name)] if name else []),
            *([CustomerItem.phone.set(CustomerItem.phone | phone)] if phone else []),
        ],
    )


def _known_customer(address: str) -> CustomerItem | None:
    if not address:
        return None
    return customers.get(address)


NO_TARGET = "the ticket to merge into does not exist"  # also for one the agent may not see


def merge_tickets(
    store: TicketStore,
    cfg: ConfigSnapshot,
    source_id: str,
    target_id: str,
    *,
    source_version: int,
    target_version: int,
    actor: str,
    viewer: Viewer | None,
) -> TicketItem:
    """Merge ``source`` into ``target``: its messages and comments move, it closes and points to the target.

    Its number and Message-IDs keep threading onto the target (ingest follows ``merged_into``). Large
    tickets move in chunks of 40 items per transaction; a merge interrupted half-way finishes when run again.
    """
    if source_id == target_id:
        raise ChangeError("a ticket cannot be merged into itself", "into")
    source = store.get(source_id, consistent=True)
    target = referenced_ticket(store, cfg, viewer, target_id)
    if source is None:
        raise Missing(source_id)
    if target is None:
        raise ChangeError(NO_TARGET, "into")
    if source.merged_into:
        raise ChangeError(f"{source.number} is already merged", "into")
    if target.merged_into:
        raise ChangeError(f"{target.number} was itself merged; merge into {target.merged_into}", "into")
    if int(source.version or 0) != source_version:
        raise Stale(source)
    if int(target.version or 0) != target_version:
        raise Stale(target)

    moved, moved_messages, position = _move_timeline(store, source_id, target_id, int(target.thread_version or 0))

    at = iso()
    before_source, before_target = Snapshot.of(source), Snapshot.of(target)
    closing, taking = merged(
        state_of(source),
        state_of(target),
        at=at,
        actor=actor,
        moved=moved,
        moved_messages=moved_messages,
        thread_position=position,
    )
    source_events, target_events = apply_transition(source, closing, at), apply_transition(target, taking, at)
    source.links = [*(source.links or []), LinkMap(type="merged_into", ticket_id=target_id, number=target.number)]
    target.links = [*(target.links or []), LinkMap(type="merged_from", ticket_id=source_id, number=source.number)]
    target.tags = sorted(set(target.tags or []) | set(source.tags or []))
    unit = store.unit()
    write_ticket(unit, source, before_source, source_events)
    write_ticket(unit, target, before_target, target_events)
    try:
        unit.commit()
    except Conflict as exc:
        raise Stale(store.get(target_id, consistent=True) or target) from exc
    return target


def _move_timeline(store: TicketStore, source_id: str, target_id: str, position: int) -> tuple[int, int, int]:
    """Move the source's messages and comments to the target, 40 items per transaction (a merge interrupted
    half-way moves the rest when run again): ``(items moved, messages moved, the target's thread position)``.
    What moves joins the target's thread after what it has: a reply written on the target before the merge
    sees these as new (domain/conflicts.py)."""
    timeline = store.detail(source_id)
    moving: list[MessageItem | CommentItem] = sorted(
        [*timeline.messages, *timeline.comments] if timeline else [], key=lambda i: i.sk
    )
    for start in range(0, len(moving), 40):
        unit = store.unit()
        for item in moving[start : start + 40]:
            position += 1
            data = item.serialize()
            copy = type(item).from_raw_data({**data, "pk": {"S": target_id}, "thread_seq": {"N": str(position)}})
            unit.save("move", copy)
            unit.delete("move", type(item)(pk=source_id, sk=item.sk))
        unit.commit()
    return len(moving), sum(1 for i in moving if isinstance(i, MessageItem)), position


def split_message(
    store: TicketStore,
    cfg: ConfigSnapshot,
    ticket_id: str,
    message_id: str,
    *,
    version: int | None,
    actor: str,
    own_addresses: set[str] | None = None,
) -> tuple[TicketItem, TicketItem]:
    """Split a mail off into a ticket of its own: ``(source, new)``.

    The message moves (its item, and its ``MID#`` lookup, so answers to it thread onto the new ticket);
    the new ticket takes the queue, mailbox, priority and privacy of the old one, the mail's sender as its
    customer and its addresses as participants; both are linked (``split_into`` / ``split_from``) and both
    histories tell it (``TicketSplit``). One transaction: numbers, counters and both tickets change together.
    A ticket keeps at least one message; only a mail we received is split (ours may still be sending).
    """
    own = own_addresses if own_addresses is not None else cfg.own_addresses
    source = store.get(ticket_id, consistent=True)
    if source is None:
        raise Missing(ticket_id)
    if version is not None and int(source.version or 0) != version:
        raise Stale(source)
    if source.merged_into:
        raise ChangeError(f"{source.number} is merged; split on the ticket it was merged into", "message_id")
    message = next((m for m in store.messages(ticket_id) if m.id == message_id), None)
    if message is None:
        raise ChangeError(f"no message {message_id!r} in this ticket", "message_id")
    if message.direction != "inbound":
        raise ChangeError("only a message we received can be split off", "message_id")
    if int(source.message_count or 0) <= 1:
        raise ChangeError("the ticket's only message cannot be split off", "message_id")
    current, again = source, False

    def attempt(number: Number) -> tuple[TicketItem, TicketItem]:
        nonlocal current, again
        if again:  # the number was taken meanwhile: the source may have changed too
            current = store.get(ticket_id, consistent=True) or current
        again = True
        target, unit = _split_unit(store, cfg, current, message, number, own, actor)
        try:
            unit.commit()
        except Conflict as exc:
            if "counter" in exc.tags or "number" in exc.tags:
                raise
            if "mid" in exc.tags:  # a merged-in or erased message has no lookup of its own here
                raise ChangeError("this message cannot be split off (its lookup is elsewhere)", "message_id") from exc
            raise Stale(store.get(ticket_id, consistent=True) or current) from exc
        return current, target

    return numbered(store, cfg, attempt)


def _split_unit(
    store: TicketStore,
    cfg: ConfigSnapshot,
    source: TicketItem,
    message: MessageItem,
    number: Number,
    own: set[str],
    actor: str,
) -> tuple[TicketItem, Unit]:
    """The ticket split off ``source`` with ``message``, and the transaction that moves it (not committed)."""
    sender = message.from_addr
    customer = normalize_address(sender.address) if sender is not None and sender.address else ""
    at = iso()
    addresses = {a.address.lower() for a in [*(message.to or []), *(message.cc or [])] if a.address}
    participants = ({customer} | addresses) - own - {""}
    target = TicketItem(
        pk=new_id(),
        sk=TICKET_SK,
        number=number.text,
        subject=message.subject or source.subject,
        priority=source.priority,
        queue=source.queue,
        customer_email=customer or source.customer_email,
        customer_name=(sender.name if sender is not None and customer else source.customer_name) or None,
        mailbox=message.mailbox or source.mailbox,
        project=source.project,
        channel=message.channel or "email",
        private=bool(source.private),
        personal=bool(source.personal),
        assignee=source.assignee if source.private or source.personal else None,
        participants=participants or None,
        created_by=actor,
        links=[LinkMap(type="split_from", ticket_id=source.pk, number=source.number)],
    )
    queue = cfg.queue(target.queue)
    lifecycle = opened(
        status=Status.OPEN.value,
        at=at,
        preview=message.new_text or message.text or "",
        response_hours=queue.first_response_hours if queue else None,
        customer=True,
        unread=True,
    )
    for name, value in lifecycle.items():
        setattr(target, name, value)
    before_source = Snapshot.of(source)
    split = split_off(state_of(source), state_of(target), at=at, actor=actor, message_id=message.id)
    source.links = [*(source.links or []), LinkMap(type="split_into", ticket_id=target.pk, number=target.number)]
    source_events = apply_transition(source, split, at)
    target_events = [
        new_event(target, "TicketCreated", actor, _created(target, split_from=source.number), at),
        *(new_event(target, e.type, e.actor, e.detail, at) for e in split.events),
    ]
    moved = MessageItem.from_raw_data({**message.serialize(), "pk": {"S": target.pk}})
    unit = store.unit()
    number.write(unit, target.pk, at)
    write_ticket(unit, target, None, target_events, new=True)
    write_ticket(unit, source, before_source, source_events)
    add_to_thread(target, moved)
    unit.save("message", moved)
    unit.delete("message", MessageItem(pk=source.pk, sk=message.sk))
    unit.update(
        "mid",
        MetaItem(*mid_key(message.index_id or message.message_id)),
        [MetaItem.ticket_id.set(target.pk), MetaItem.number.set(target.number)],
        condition=MetaItem.ticket_id == source.pk,
    )
    if target.customer_email:  # one more ticket of this customer (as a mail of theirs would have opened)
        _count_customer_ticket(unit, target.customer_email, target.customer_name, at)
    stats_update(unit, at, {"tickets_created": 1, "splits": 1})
    return target, unit
