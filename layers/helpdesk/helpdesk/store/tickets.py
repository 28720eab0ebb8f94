"""Ticket persistence: reads (get, detail, lookups) and the derived index keys every write must carry."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path
from pynamodb.models import Model

from ..aws import clients
from ..domain.access import Scope
from ..domain.autoclose import pending_deadlines
from ..domain.clock import iso
from ..domain.conflicts import Entry
from ..domain.dataclass import dataclass
from ..domain.ids import new_id
from ..domain.lifecycle import TicketState, Transition
from ..domain.reading import ReadMark, unread_for
from ..domain.search import sort_text
from ..domain.status import Status
from .models import (
    READ_PREFIX,
    TICKET_SK,
    BySla,
    ByWaiting,
    CommentItem,
    EventItem,
    MessageItem,
    MetaItem,
    ReadItem,
    TagItem,
    TicketItem,
    TicketTableItem,
)
from .stats import IN_USE_KEY, scoped_counters, stats_update
from .unit import Unit

WAITING_PK = "waiting_customer"
ACTIVE = "active"


def apply_index_keys(ticket: TicketItem) -> None:
    """Derive every GSI key and the search text from the ticket's state. Call before each write.

    Keeping the derivation in one place is what keeps the sparse indexes honest: a closed ticket
    leaves ``by_due`` and ``by_waiting`` because its keys vanish here, not because a caller remembered.
    """
    status = Status(ticket.status)
    ticket.bucket = status.bucket
    ticket.queue_bucket = f"{ticket.queue}#{ticket.bucket}"
    ticket.assignee_bucket = f"{ticket.assignee}#{ticket.bucket}" if ticket.assignee else None
    ticket.due_bucket = ACTIVE if ticket.due_at and ticket.bucket == ACTIVE else None
    if status is Status.WAITING_CUSTOMER:
        ticket.waiting_pk = WAITING_PK
        ticket.waiting_since = ticket.waiting_since or ticket.updated_at
    else:
        ticket.waiting_pk = None
        ticket.waiting_since = None
    deadlines = pending_deadlines(
        ticket.due_at, ticket.response_due_at, ticket.first_response_at, list(ticket.sla_alerted or [])
    )
    # by_sla: the earliest of a pending first-response/due deadline and the next look (SLA clocks, time triggers)
    looks = [at for at in (deadlines[0][1] if deadlines else None, ticket.look_at) if at]
    if looks and ticket.bucket == ACTIVE:
        ticket.sla_bucket, ticket.sla_at = ACTIVE, min(looks)
    else:
        ticket.sla_bucket = ticket.sla_at = None
    # the customer sort: the folded name, else the address. A ticket without either (its customer erased,
    # say) has no key: the sort's second part lists it after the others, in either order ("~" sorted last
    # only from A to Z, and first from Z to A)
    who = sort_text(ticket.customer_name or "") or (ticket.customer_email or "").lower()
    ticket.customer_key = f"{who}#{ticket.customer_email or ''}"[:500] if who else None
    ticket.search = " ".join(
        part.lower()
        for part in (ticket.number, ticket.subject, ticket.customer_email or "", ticket.customer_name or "")
        if part
    )[:2000]
    ticket.tags = sorted(dict.fromkeys(t for t in (ticket.tags or []) if t))


def tag_items(ticket: TicketItem) -> list[TagItem]:
    return [
        TagItem(
            pk=ticket.pk, sk=f"TAG#{tag}", tag=tag, tag_bucket=f"{tag}#{ticket.bucket}", updated_at=ticket.updated_at
        )
        for tag in ticket.tags or []
    ]


def timeline_sk(prefix: str, created_at: str, item_id: str) -> str:
    return f"{prefix}#{created_at}#{item_id}"


def new_event(
    ticket: TicketItem, type_: str, actor: str, detail: Mapping[str, object] | None = None, at: str | None = None
) -> EventItem:
    created = at or iso()
    event_id = new_id()
    return EventItem(
        pk=ticket.pk,
        sk=timeline_sk("EVT", created, event_id),
        id=event_id,
        type=type_,
        actor=actor,
        number=ticket.number,
        detail=dict(detail or {}),
        created_at=created,
    )


LOOK_FIELDS = ("sla", "sla_state", "look_at", "timed_fired", "sla_bucket", "sla_at")
_JSON_FIELDS = ("sla", "timed_fired")


def save_look(unit: Unit, ticket: TicketItem, version: int) -> None:
    """Write the ticket's SLA and time-trigger fields (services/timed.py) and its ``by_sla`` keys, without
    a new version (an agent's open ticket stays current): any change since ``version`` refuses it (tag
    ``ticket``) and the caller reads again."""
    apply_index_keys(ticket)
    actions: list[Any] = []
    for name in LOOK_FIELDS:
        value = getattr(ticket, name)
        path = Path([name])
        if value is None or value == {}:
            actions.append(path.remove())
        else:
            actions.append(path.set(json.dumps(value, sort_keys=True) if name in _JSON_FIELDS else value))
    unit.update("ticket", TicketTableItem(ticket.pk, TICKET_SK), actions, condition=Path(["version"]) == version)


def state_of(ticket: TicketItem) -> TicketState:
    """The lifecycle fields a transition (domain/lifecycle.py) reads."""
    return TicketState(
        id=ticket.pk,
        number=ticket.number,
        status=ticket.status,
        created_at=ticket.created_at,
        closed_at=ticket.closed_at,
        message_count=int(ticket.message_count or 0),
        first_response_at=ticket.first_response_at,
        participants=frozenset(ticket.participants or ()),
    )


def apply_transition(ticket: TicketItem, transition: Transition, at: str) -> list[EventItem]:
    """Set the transition's fields on ``ticket`` and return its events as items (nothing is written here)."""
    for name, value in transition.changes.items():
        setattr(ticket, name, value)
    return [new_event(ticket, e.type, e.actor, e.detail, at) for e in transition.events]


@dataclass
class TicketDetail:
    ticket: TicketItem
    messages: list[MessageItem] = field(default_factory=list)
    comments: list[CommentItem] = field(default_factory=list)
    events: list[EventItem] = field(default_factory=list)
    reads: dict[str, ReadItem] = field(default_factory=dict)  # agent → their read mark

    def unread_for(self, agent: str) -> bool:
        return is_unread(self.ticket, mark_of(self.reads.get(agent)))

    def thread(self) -> list[Entry]:
        """The thread's entries (messages and comments) as the reply check sees them (domain/conflicts.py)."""
        entries = [Entry(int(m.thread_seq or 0), "message", m.direction, m.author, m.id) for m in self.messages]
        entries += [Entry(int(c.thread_seq or 0), "comment", None, c.author, c.id) for c in self.comments]
        return entries


# ------------------------------------------------------------------------------------ read marks


def read_key(ticket_id: str, agent: str) -> tuple[str, str]:
    return (ticket_id, f"{READ_PREFIX}{agent}")


def mark_of(item: ReadItem | None) -> ReadMark | None:
    return None if item is None else ReadMark(item.seen_through, bool(item.unread))


def is_unread(ticket: TicketItem, mark: ReadMark | None) -> bool:
    return unread_for(ticket.last_customer_at, bool(ticket.unread), mark)


def read_marks(agent: str, ticket_ids: Iterable[str]) -> dict[str, ReadMark]:
    """The agent's read marks on these tickets: one consistent BatchGetItem per 100 tickets (a page of
    the inbox is at most 100). Tickets without a mark are left out."""
    keys = [read_key(tid, agent) for tid in dict.fromkeys(ticket_ids) if valid_ticket_id(tid)]
    found: dict[str, ReadMark] = {}
    for start in range(0, len(keys), 100):
        for item in ReadItem.batch_get(keys[start : start + 100], consistent_read=True):
            mark = mark_of(item)
            if mark is not None:
                found[item.pk] = mark
    return found


def save_read_mark(ticket: TicketItem, agent: str, *, unread: bool, at: str | None = None) -> ReadMark:
    """Write the agent's mark: read (everything the customer wrote up to the ticket as read) or unread by
    hand. One PutItem; no new version of the ticket, no event: reading is bookkeeping, not a change."""
    moment = at or iso()
    item = ReadItem(
        *read_key(ticket.pk, agent),
        agent=agent,
        seen_at=None if unread else moment,
        seen_through=ticket.last_customer_at,
        unread=unread,
        updated_at=moment,
    )
    item.save()
    mark = mark_of(item)
    assert mark is not None
    return mark


@dataclass
class Lookup:
    """What one BatchGetItem on the meta table told us before deciding anything."""

    message_ids: dict[str, MetaItem] = field(default_factory=dict)
    numbers: dict[str, MetaItem] = field(default_factory=dict)
    counter: int | None = None
    autoreply: MetaItem | None = None
    autoreplies_today: int = 0
    suppressed: str | None = None  # why the sender gets no automatic mail (a bounce, a complaint)


LOOKUP_KEYS = 100  # what one BatchGetItem reads
LOOKUP_NUMBERS = 10  # ticket numbers from one subject


def mid_key(message_id: str) -> tuple[str, str]:
    return (f"MID#{message_id}", "MID")


def num_key(number: str) -> tuple[str, str]:
    return (f"NUM#{number}", "NUM")


def counter_key(scope: str) -> tuple[str, str]:
    return (f"CTR#{scope}", "CTR")


def autoreply_key(address: str) -> tuple[str, str]:
    return (f"AR#{address.lower()}", "AR")


def autoreply_day_key(address: str, day: str) -> tuple[str, str]:
    """Auto-replies to ``address`` on ``day`` (UTC, ``YYYY-MM-DD``): ``value``, expiring after the day."""
    return (f"ARD#{address.lower()}#{day}", "ARD")


def ses_key(ses_message_id: str) -> tuple[str, str]:
    """SES's MessageId of a mail we sent → its ticket and message (bounces and complaints name it)."""
    return (f"SES#{ses_message_id}", "SES")


def suppression_key(address: str) -> tuple[str, str]:
    """An address that gets no more automatic mail: ``state`` holds why (a bounce or a complaint)."""
    return (f"SUP#{address.lower()}", "SUP")


OUTBOX_PK = "OUTBOX"


def outbox_key(retry_at: str, ticket_id: str, msg_sk: str) -> tuple[str, str]:
    """A mail SES refused for now, due again at ``retry_at`` (the sweep queries the due ones)."""
    return (OUTBOX_PK, f"{retry_at}#{ticket_id}#{msg_sk}")


TICKET_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def valid_ticket_id(ticket_id: str) -> bool:
    """Ticket ids are ULIDs; anything else is not a ticket (and never reaches DynamoDB as a key)."""
    return bool(TICKET_ID.match(ticket_id or ""))


class TicketStore:
    """Reads. Writes go through :class:`helpdesk.store.unit.Unit` transactions built by the services, each
    handed out by :meth:`unit` (an in-memory store hands out its own: tests/fakes)."""

    def unit(self) -> Unit:
        """A new transaction for one change."""
        return Unit()

    def get(self, ticket_id: str, consistent: bool = False) -> TicketItem | None:
        if not valid_ticket_id(ticket_id):
            return None
        try:
            return TicketItem.get(ticket_id, TICKET_SK, consistent_read=consistent)
        except TicketItem.DoesNotExist:
            return None

    def detail(self, ticket_id: str, consistent: bool = False) -> TicketDetail | None:
        """The ticket with its whole timeline: one Query on the ticket's partition."""
        if not valid_ticket_id(ticket_id):
            return None
        ticket: TicketItem | None = None
        detail = TicketDetail(ticket=TicketItem())
        for item in self.partition(ticket_id, consistent):
            if isinstance(item, TicketItem):
                ticket = item
            elif isinstance(item, MessageItem):
                detail.messages.append(item)
            elif isinstance(item, CommentItem):
                detail.comments.append(item)
            elif isinstance(item, EventItem):
                detail.events.append(item)
            elif isinstance(item, ReadItem):
                detail.reads[item.agent] = item
        if ticket is None:
            return None
        detail.ticket = ticket
        return detail

    def partition(self, ticket_id: str, consistent: bool = False) -> Iterable[TicketTableItem]:
        """Every item of the ticket's partition: one Query."""
        return TicketTableItem.query(ticket_id, consistent_read=consistent)

    def events(self, ticket_id: str) -> list[EventItem]:
        """The ticket's history (``EVT#`` items), oldest first: one Query of its partition's events."""
        if not valid_ticket_id(ticket_id):
            return []
        return list(EventItem.query(ticket_id, EventItem.sk.startswith("EVT#"), consistent_read=True))

    def messages(self, ticket_id: str) -> list[MessageItem]:
        if not valid_ticket_id(ticket_id):
            return []
        return list(MessageItem.query(ticket_id, MessageItem.sk.startswith("MSG#")))

    def lookup(
        self,
        own_ids: Iterable[str] = (),
        numbers: Iterable[str] = (),
        references: Iterable[str] = (),
        counter_scope: str | None = None,
        autoreply_address: str | None = None,
        autoreply_day: str | None = None,
    ) -> Lookup:
        """One BatchGetItem of at most 100 keys, in order of need.

        First the keys every decision needs, which nothing in the mail can push out: the mail's own
        Message-ID(s), the number counter, the sender's auto-reply window and daily count. Then the
        subject's ticket numbers (at most 10) and the ``references`` in the order given (the caller
        passes In-Reply-To, then References newest first) until the 100 keys are used.
        """
        must: list[tuple[str, str]] = [mid_key(m) for m in own_ids]
        if counter_scope:
            must.append(counter_key(counter_scope))
        if autoreply_address:
            must.append(autoreply_key(autoreply_address))
            must.append(suppression_key(autoreply_address))
            if autoreply_day:
                must.append(autoreply_day_key(autoreply_address, autoreply_day))
        optional = [num_key(n) for n in list(dict.fromkeys(numbers))[:LOOKUP_NUMBERS]]
        optional += [mid_key(m) for m in references]
        keys = list(dict.fromkeys(must + optional))[: max(LOOKUP_KEYS, len(must))]
        result = Lookup()
        if not keys:
            return result
        for item in self._meta_items(keys):
            kind, _, rest = item.pk.partition("#")
            if kind == "MID":
                result.message_ids[rest] = item
            elif kind == "NUM":
                result.numbers[rest] = item
            elif kind == "CTR":
                result.counter = int(item.value or 0)
            elif kind == "AR":
                result.autoreply = item
            elif kind == "ARD":
                result.autoreplies_today = int(item.value or 0)
            elif kind == "SUP":
                result.suppressed = item.state or "suppressed"
        return result

    def message_index(self, message_ids: Iterable[str]) -> dict[str, MetaItem]:
        """``MID#`` items by Message-ID, read consistently (after a transaction lost a race for one)."""
        keys = [mid_key(m) for m in dict.fromkeys(message_ids)][:LOOKUP_KEYS]
        if not keys:
            return {}
        return {item.pk.partition("#")[2]: item for item in self._meta_items(keys, consistent=True)}

    def _meta_items(self, keys: list[tuple[str, str]], consistent: bool = False) -> Iterable[MetaItem]:
        """The meta items of ``keys`` that exist: one BatchGetItem (at most 100 keys)."""
        return MetaItem.batch_get(keys, consistent_read=consistent)

    def in_use(self, scope: Scope | None = None) -> tuple[dict[str, int], dict[str, int]]:
        """Tags and projects in use, each with how many tickets carry it, most used first (one GetItem;
        the counts are kept up to date on every ticket write). With ``scope``: only the tickets it counts
        (one Query over the per-queue and private counters: :func:`~helpdesk.store.stats.scoped_counters`)."""

        found = scoped_counters(IN_USE_KEY, "", scope)

        def counts(prefix: str) -> dict[str, int]:
            mine = {name[len(prefix) :]: n for name, n in found.items() if name.startswith(prefix)}
            return {name: n for name, n in sorted(mine.items(), key=lambda kv: (-kv[1], kv[0])) if n > 0}

        return counts("t_"), counts("p_")

    def counter_value(self, scope: str) -> int | None:
        try:
            item = MetaItem.get(*counter_key(scope), consistent_read=True)
        except MetaItem.DoesNotExist:
            return None
        return int(item.value or 0)

    def by_number(self, number: str) -> TicketItem | None:
        """The ticket with this number (its ``NUM#`` item, then the ticket): search finds numbers at once."""
        try:
            ref = MetaItem.get(*num_key(number))
        except MetaItem.DoesNotExist:
            return None
        return self.get(ref.ticket_id) if ref.ticket_id else None

    def waiting_since_before(self, at: str, page_size: int = 100) -> Iterator[TicketItem]:
        """Tickets waiting for the customer since before ``at`` (the ``by_waiting`` index, oldest first)."""
        for item in TicketTableItem.by_waiting.query(WAITING_PK, ByWaiting.waiting_since < at, page_size=page_size):
            if isinstance(item, TicketItem) and item.waiting_since:
                yield item

    def deadlines_between(self, start: str | None, end: str, page_size: int = 100) -> Iterator[TicketItem]:
        """Active tickets whose next deadline lies before ``end`` (``start`` None) or in ``start`` … ``end``
        (the ``by_sla`` index)."""
        condition = BySla.sla_at < end if start is None else BySla.sla_at.between(start, end)
        for item in TicketTableItem.by_sla.query(ACTIVE, condition, page_size=page_size):
            if isinstance(item, TicketItem):
                yield item

    def batch_tickets(self, ticket_ids: list[str]) -> dict[str, TicketItem]:
        keys = [(tid, TICKET_SK) for tid in dict.fromkeys(ticket_ids) if valid_ticket_id(tid)]
        if not keys:
            return {}
        return {t.pk: t for t in TicketItem.batch_get(keys)}

    def message(self, ticket_id: str, sk: str) -> MessageItem | None:
        try:
            return MessageItem.get(ticket_id, sk)
        except MessageItem.DoesNotExist:
            return None

    def comment(self, ticket_id: str, sk: str) -> CommentItem | None:
        try:
            return CommentItem.get(ticket_id, sk)
        except CommentItem.DoesNotExist:
            return None

    def claim_send(self, msg: MessageItem, claimable: tuple[str, ...] = ("pending",)) -> bool:
        """Only one process ever hands this mail to SES: a conditional write claims it (``claimable`` →
        ``sending``), settled by :meth:`settle_sent` or :meth:`settle_refused` once SES answered. A
        ``sending`` left behind (the process died, SES's answer was lost) is never claimed again: SES may
        have the mail. ``claimable``: ``pending`` for a new mail; ``retry``/``failed`` for the outbox
        sweep and an agent's re-send (domain/sending.py)."""
        return self._update_if(
            msg,
            [MessageItem.send_state.set("sending"), MessageItem.send_attempts.add(1)],
            MessageItem.send_state.is_in(*claimable),
        )

    def _update_if(self, item: Model, actions: list[Any], condition: Condition) -> bool:
        """One conditional UpdateItem (``item`` takes the new values); False: the condition did not hold."""
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def settle_sent(self, msg: MessageItem, queue: str, ses_message_id: str, counter: str | None = None) -> None:
        """``sending`` → ``sent`` with SES's MessageId, its ``SES#`` lookup (bounces and complaints name the
        mail by it), and today's report counter, in one transaction."""
        unit = self.unit()
        unit.note_ticket_queue(queue)
        actions = [MessageItem.send_state.set("sent"), MessageItem.send_error.remove()]
        if ses_message_id:
            actions.append(MessageItem.ses_message_id.set(ses_message_id))
            unit.save(
                "ses_id",
                MetaItem(*ses_key(ses_message_id), ticket_id=msg.pk, msg_sk=msg.sk, created_at=iso()),
            )
        unit.update("message", msg, actions, condition=MessageItem.send_state == "sending")
        if counter:
            stats_update(unit, iso(), {counter: 1})
        unit.commit()
        msg.send_state, msg.send_error, msg.ses_message_id = "sent", None, ses_message_id or None

    def settle_refused(
        self, msg: MessageItem, queue: str, state: str, reason: str, retry_at: str | None, counter: str | None = None
    ) -> None:
        """``sending`` → ``retry`` (with its ``OUTBOX`` item: the sweep sends it at ``retry_at``) or
        ``failed``, with SES's reason, in one transaction."""
        unit = self.unit()
        unit.note_ticket_queue(queue)
        actions = [MessageItem.send_state.set(state), MessageItem.send_error.set(reason)]
        actions.append(MessageItem.send_retry_at.set(retry_at) if retry_at else MessageItem.send_retry_at.remove())
        unit.update("message", msg, actions, condition=MessageItem.send_state == "sending")
        if retry_at:
            unit.save("outbox", MetaItem(*outbox_key(retry_at, msg.pk, msg.sk), ticket_id=msg.pk, msg_sk=msg.sk))
        if counter:
            stats_update(unit, iso(), {counter: 1})
        unit.commit()
        msg.send_state, msg.send_error, msg.send_retry_at = state, reason, retry_at

    def due_retries(self, at: str, limit: int = 100) -> list[MetaItem]:
        """``OUTBOX`` items due at ``at``, oldest first (one Query)."""
        return list(MetaItem.query(OUTBOX_PK, MetaItem.sk <= f"{at}~", limit=limit))

    def drop_retry(self, item: MetaItem) -> None:
        item.delete()

    def by_ses_id(self, ses_message_id: str) -> MessageItem | None:
        try:
            ref = MetaItem.get(*ses_key(ses_message_id))
        except MetaItem.DoesNotExist:
            return None
        return self.message(ref.ticket_id, ref.msg_sk) if ref.ticket_id and ref.msg_sk else None

    def mark_delivery(self, msg: MessageItem, state: str, reason: str) -> None:
        """SES's later word on a sent mail: ``bounced`` or ``complained``, with the reason."""
        msg.update(actions=[MessageItem.send_state.set(state), MessageItem.send_error.set(reason)])

    def suppress(self, address: str, reason: str, at: str) -> None:
        """No more automatic mail to ``address`` (bounced for good, or its owner complained)."""
        MetaItem(*suppression_key(address), state=reason[:500], created_at=at).save()

    def bump_counter(self, scope: str, value: int) -> None:
        """Move a counter forward to ``value`` (never backward): repairs a counter behind existing numbers."""
        try:
            MetaItem(*counter_key(scope)).update(
                actions=[MetaItem.value.set(value)],
                condition=MetaItem.value.does_not_exist() | (MetaItem.value < value),
            )
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise


def tickets_table() -> str:
    """The tickets table's name (a BatchGetItem over several tables names it: services/search.py)."""
    return str(TicketTableItem.Meta.table_name)


def ticket_of(raw: dict[str, Any]) -> TicketItem | None:
    """The ticket of a raw DynamoDB item of the tickets table (None: another kind of item)."""
    item = TicketTableItem.from_raw_data(raw)
    return item if isinstance(item, TicketItem) else None


def every_ticket() -> Iterator[TicketItem]:
    """Every ticket: a Scan of the tickets table (maintenance only: ``helpdesk recount``)."""
    yield from TicketItem.scan(TicketItem.sk == TICKET_SK)


def ticket_id_pages(
    page_size: int, start: dict[str, Any] | None = None
) -> Iterator[tuple[list[str], dict[str, Any] | None]]:
    """Every ticket's id, a page of a Scan at a time (only ``pk`` read), with the key to continue from after
    that page (None: the last page). Maintenance only (``helpdesk reindex``)."""
    args: dict[str, Any] = {
        "TableName": TicketTableItem.Meta.table_name,
        "FilterExpression": "sk = :t",
        "ExpressionAttributeValues": {":t": {"S": TICKET_SK}},
        "ProjectionExpression": "pk",
        "Limit": page_size,
    }
    if start:
        args["ExclusiveStartKey"] = start
    while True:
        page = clients.dynamodb().scan(**args)
        last = page.get("LastEvaluatedKey")
        yield [raw["pk"]["S"] for raw in page.get("Items", [])], dict(last) if last else None
        if not last:
            return
        args["ExclusiveStartKey"] = last


def participant_scan(
    address: str, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """One page of a Scan for the tickets that name ``address`` as a participant (no index names every
    participant: data exports and erasures only): ``(ticket id, customer address)`` of each, and the key
    to continue from (None: done)."""
    condition = (TicketTableItem.kind == TicketItem) & TicketItem.participants.contains(address)
    page = TicketTableItem._get_connection().scan(
        filter_condition=condition,
        limit=limit,
        exclusive_start_key=start,  # type: ignore[arg-type]  # a key map is accepted (pynamodb)
    )
    found = [(raw["pk"]["S"], raw.get("customer_email", {}).get("S", "")) for raw in page.get("Items", [])]
    return found, page.get("LastEvaluatedKey") or None
