"""Use cases: manual tickets (phone, walk-in), merging tickets, splitting a mail off into a ticket of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..domain.access import Viewer
from ..domain.autoclose import response_due
from ..domain.clock import iso, now
from ..domain.config import ConfigSnapshot
from ..domain.headers import normalize_address
from ..domain.ids import new_id
from ..domain.numbering import number_format
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
    TicketTableItem,
)
from ..store.stats import stats_update
from ..store.tickets import TicketStore, counter_key, mid_key, new_event, num_key, timeline_sk
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, add_to_thread, relink_parent, write_ticket
from .access import referenced_ticket
from .changes import ChangeError, Missing, Stale, check_references, validate

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
    fmt = number_format(cfg.settings.number_format)
    moment = now()
    scope = fmt.counter_scope(moment.year)
    counter = store.counter_value(scope)
    for _ in range(30):
        at = iso()
        seq = (counter or 0) + 1
        ticket = TicketItem(
            pk=new_id(),
            sk=TICKET_SK,
            number=fmt.format(year=moment.year, seq=seq),
            subject=request.subject,
            status=Status.NEW.value,
            priority="medium",
            queue=request.queue or cfg.settings.default_queue,
            customer_email=customer or None,
            customer_name=caller,
            customer_phone=phone,
            mailbox=request.mailbox,
            channel=request.channel,
            unread=False,
            participants={customer} if customer else None,
            preview=request.body[:300],
            message_count=1,
            created_at=at,
            updated_at=at,
            created_by=actor,
            last_customer_at=at if customer else None,
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
        ticket.response_due_at = response_due(at, queue.first_response_hours if queue else None)
        if ticket.status == Status.CLOSED.value:
            ticket.closed_at = at
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
        unit = Unit()
        _number_items(unit, scope, counter, seq, ticket, at)
        write_ticket(
            unit,
            ticket,
            None,
            [
                new_event(
                    ticket,
                    "TicketCreated",
                    actor,
                    {
                        "ticket_id": ticket.pk,
                        "number": ticket.number,
                        "subject": ticket.subject,
                        "status": ticket.status,
                        "queue": ticket.queue,
                        "customer": ticket.customer_email,
                        "channel": ticket.channel,
                    },
                    at,
                )
            ],
            new=True,
        )
        if ticket.parent_id:
            relink_parent(unit, ticket, None, store.get(ticket.parent_id, consistent=True))
        add_to_thread(ticket, message)  # the first entry of its thread (no MID#: its Message-ID is made up)
        unit.save("message", message)
        if customer:
            unit.update(
                "customer",
                CustomerItem(customer),
                [
                    CustomerItem.kind.set("customer"),
                    CustomerItem.created_at.set(CustomerItem.created_at | at),
                    CustomerItem.updated_at.set(at),
                    CustomerItem.last_ticket_at.set(at),
                    CustomerItem.ticket_count.add(1),
                    CustomerItem.name_key.set(CustomerItem.name_key | f"{(caller or customer).lower()}#{customer}"),
                    *([CustomerItem.name.set(caller)] if caller else []),
                    *([CustomerItem.phone.set(CustomerItem.phone | phone)] if phone else []),
                ],
            )
        stats_update(unit, at, {"tickets_created": 1, f"channel_{request.channel}": 1})
        try:
            unit.commit()
        except Conflict as exc:
            if "counter" in exc.tags or "number" in exc.tags:
                counter = store.counter_value(scope)
                continue
            if "parent" in exc.tags:  # the parent changed meanwhile: read it again
                continue
            raise
        return ticket
    raise RuntimeError("could not allocate a ticket number; try again")


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

    moving = sorted(
        (i for i in TicketTableItem.query(source_id) if isinstance(i, MessageItem | CommentItem)), key=lambda i: i.sk
    )
    moved_messages = sum(1 for i in moving if isinstance(i, MessageItem))
    # What moves joins the target's thread after what it has: a reply written on the target before the
    # merge sees these as new (domain/conflicts.py).
    position = int(target.thread_version or 0)
    for start in range(0, len(moving), 40):
        unit = Unit()
        for item in moving[start : start + 40]:
            position += 1
            data = item.serialize()
            copy = type(item).from_raw_data({**data, "pk": {"S": target_id}, "thread_seq": {"N": str(position)}})
            unit.save("move", copy)
            unit.delete("move", type(item)(pk=source_id, sk=item.sk))
        unit.commit()

    at = iso()
    before_source, before_target = Snapshot.of(source), Snapshot.of(target)
    source.merged_into = target_id
    source.status = Status.CLOSED.value
    source.closed_at = at
    source.updated_at = at
    source.message_count = 0
    source.links = [*(source.links or []), LinkMap(type="merged_into", ticket_id=target_id, number=target.number)]
    target.links = [*(target.links or []), LinkMap(type="merged_from", ticket_id=source_id, number=source.number)]
    target.message_count = int(target.message_count or 0) + moved_messages
    target.thread_version = position
    target.participants = (set(target.participants or set()) | set(source.participants or set())) or None
    target.tags = sorted(set(target.tags or []) | set(source.tags or []))
    target.updated_at = at
    detail = {
        "source": source_id,
        "source_number": source.number,
        "target": target_id,
        "target_number": target.number,
        "moved": len(moving),
    }
    unit = Unit()
    write_ticket(unit, source, before_source, [new_event(source, "TicketMerged", actor, detail, at)])
    write_ticket(unit, target, before_target, [new_event(target, "TicketMerged", actor, detail, at)])
    try:
        unit.commit()
    except Conflict as exc:
        raise Stale(store.get(target_id, consistent=True) or target) from exc
    return target


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
    sender = message.from_addr
    customer = normalize_address(sender.address) if sender is not None and sender.address else ""
    fmt = number_format(cfg.settings.number_format)
    moment = now()
    scope = fmt.counter_scope(moment.year)
    counter = store.counter_value(scope)
    for _ in range(30):
        at = iso()
        seq = (counter or 0) + 1
        addresses = {a.address.lower() for a in [*(message.to or []), *(message.cc or [])] if a.address}
        participants = ({customer} | addresses) - own - {""}
        target = TicketItem(
            pk=new_id(),
            sk=TICKET_SK,
            number=fmt.format(year=moment.year, seq=seq),
            subject=message.subject or source.subject,
            status=Status.OPEN.value,
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
            unread=True,
            participants=participants or None,
            preview=(message.new_text or message.text or "")[:300],
            message_count=1,
            created_at=at,
            updated_at=at,
            created_by=actor,
            last_customer_at=at,
            links=[LinkMap(type="split_from", ticket_id=source.pk, number=source.number)],
        )
        queue = cfg.queue(target.queue)
        target.response_due_at = response_due(at, queue.first_response_hours if queue else None)
        before_source = Snapshot.of(source)
        source.links = [*(source.links or []), LinkMap(type="split_into", ticket_id=target.pk, number=target.number)]
        source.message_count = max(int(source.message_count or 0) - 1, 0)
        source.updated_at = at
        detail = {
            "source": source.pk,
            "source_number": source.number,
            "target": target.pk,
            "target_number": target.number,
            "message": message.id,
        }
        created = {
            "ticket_id": target.pk,
            "number": target.number,
            "subject": target.subject,
            "status": target.status,
            "queue": target.queue,
            "customer": target.customer_email,
            "channel": target.channel,
            "split_from": source.number,
        }
        moved = MessageItem.from_raw_data({**message.serialize(), "pk": {"S": target.pk}})
        unit = Unit()
        _number_items(unit, scope, counter, seq, target, at)
        write_ticket(
            unit,
            target,
            None,
            [
                new_event(target, "TicketCreated", actor, created, at),
                new_event(target, "TicketSplit", actor, detail, at),
            ],
            new=True,
        )
        write_ticket(unit, source, before_source, [new_event(source, "TicketSplit", actor, detail, at)])
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
            unit.update(
                "customer",
                CustomerItem(target.customer_email),
                [
                    CustomerItem.kind.set("customer"),
                    CustomerItem.created_at.set(CustomerItem.created_at | at),
                    CustomerItem.updated_at.set(at),
                    CustomerItem.last_ticket_at.set(at),
                    CustomerItem.ticket_count.add(1),
                    CustomerItem.name_key.set(
                        CustomerItem.name_key
                        | f"{(target.customer_name or target.customer_email).lower()}#{target.customer_email}"
                    ),
                ],
            )
        stats_update(unit, at, {"tickets_created": 1, "splits": 1})
        try:
            unit.commit()
        except Conflict as exc:
            if "counter" in exc.tags or "number" in exc.tags:
                counter = store.counter_value(scope)
                source = store.get(ticket_id, consistent=True) or source
                continue
            if "mid" in exc.tags:  # a merged-in or erased message has no lookup of its own here
                raise ChangeError("this message cannot be split off (its lookup is elsewhere)", "message_id") from exc
            raise Stale(store.get(ticket_id, consistent=True) or source) from exc
        return source, target
    raise RuntimeError("could not allocate a ticket number; try again")


def _number_items(unit: Unit, scope: str, counter: int | None, seq: int, ticket: TicketItem, at: str) -> None:
    """The number counter moved to ``seq`` (conditional on what was read) and the new number's ``NUM#`` item."""
    if counter is None:
        unit.save(
            "counter",
            MetaItem(*counter_key(scope), value=seq, created_at=at),
            condition=MetaItem.pk.does_not_exist(),
        )
    else:
        unit.update(
            "counter", MetaItem(*counter_key(scope)), [MetaItem.value.set(seq)], condition=MetaItem.value == counter
        )
    unit.save(
        "number",
        MetaItem(*num_key(ticket.number), ticket_id=ticket.pk, number=ticket.number, created_at=at),
        condition=MetaItem.pk.does_not_exist(),
    )
