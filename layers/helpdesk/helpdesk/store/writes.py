"""The one way a ticket is written: index keys, tag items, backlog counters and events, in one transaction.

Every use case that changes a ticket (ingest, PATCH, batch, reply, merge, autoclose) calls
:func:`write_ticket` with the state before and after; the derived data can then never disagree
with the ticket:

* GSI keys (``apply_index_keys``),
* tag items (``TAG#…``: deleted when a tag goes, rewritten with the new ``updated_at``/bucket),
* live backlog counters (``BACKLOG``/``all``: tickets per status, and per queue and per agent while
  active) moved by the difference between before and after,
* the same counters per queue (``BACKLOG``/``queue#<queue>``, ``IN_USE``/``queue#<queue>``): what an
  agent who may not see every queue is shown sums the queues they may see,
* and per queue and owner of private tickets (``private#<queue>#<owner>``): what an agent is shown
  leaves out the private tickets of others,
* the events passed in (audit trail and outbox for EventBridge).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pynamodb.expressions.condition import Condition

from ..domain.dataclass import dataclass
from .models import CommentItem, EventItem, LinkMap, MessageItem, MetaItem, TagItem, TicketItem
from .stats import BACKLOG_KEY, IN_USE_KEY, PRIVATE_SK, QUEUE_SK, private_key, private_owner
from .tickets import apply_index_keys, counter_key, mid_key, num_key, tag_items
from .unit import Unit


@dataclass(frozen=True)
class Snapshot:
    """What of a ticket's state the derived data depends on."""

    status: str
    bucket: str
    queue: str
    assignee: str | None
    tags: tuple[str, ...]
    project: str | None = None
    private_owner: str | None = None  # whose private ticket it is; None: not private

    @classmethod
    def of(cls, ticket: TicketItem) -> Snapshot:
        tags = tuple(ticket.tags or [])
        return cls(
            ticket.status,
            ticket.bucket,
            ticket.queue,
            ticket.assignee,
            tags,
            ticket.project or None,
            private_owner(ticket),
        )

    @property
    def private_sk(self) -> str | None:
        """The counter item of this private ticket's queue and owner (None: not private)."""
        return None if self.private_owner is None else PRIVATE_SK + private_key(self.queue, self.private_owner)

    def backlog_keys(self) -> set[str]:
        keys = {f"status_{self.status}"}
        if self.bucket == "active":
            keys.add(f"queue_{self.queue}")
            keys.add(f"agent_{self.assignee or '-'}")
        return keys

    def in_use_keys(self) -> set[str]:
        return {f"t_{t}" for t in self.tags} | ({f"p_{self.project}"} if self.project else set())


def relink_parent(unit: Unit, child: TicketItem, old_parent: TicketItem | None, new_parent: TicketItem | None) -> None:
    """Keep a parent's ``child`` links in step with its children's ``parent_id``, in the child's transaction."""
    if old_parent is not None:
        before = Snapshot.of(old_parent)
        old_parent.links = [
            link for link in old_parent.links or [] if not (link.type == "child" and link.ticket_id == child.pk)
        ]
        write_ticket(unit, old_parent, before, tag="parent")
    if new_parent is not None:
        before = Snapshot.of(new_parent)
        links = [link for link in new_parent.links or [] if link.ticket_id != child.pk or link.type != "child"]
        new_parent.links = [*links, LinkMap(type="child", ticket_id=child.pk, number=child.number)]
        write_ticket(unit, new_parent, before, tag="parent")


def add_to_thread(ticket: TicketItem, entry: MessageItem | CommentItem) -> None:
    """Give ``entry`` the next position in ``ticket``'s thread (``thread_version``: one more per message or
    comment; field changes never move it). The ticket must be written in the same transaction."""
    ticket.thread_version = int(ticket.thread_version or 0) + 1
    entry.thread_seq = ticket.thread_version


def thread_unchanged(position: int) -> Condition:
    """The condition "the thread is still at ``position``" on the ticket item (tickets from before the
    thread counter have none: position 0)."""
    same: Condition = TicketItem.thread_version == position
    return same | TicketItem.thread_version.does_not_exist() if position == 0 else same


def save_comment(unit: Unit, ticket: TicketItem, comment: CommentItem) -> None:
    """Store an internal comment at the next position of the thread."""
    add_to_thread(ticket, comment)
    unit.save("comment", comment)


def save_message(
    unit: Unit,
    ticket: TicketItem,
    message: MessageItem,
    *,
    tag: str = "message",
    data: dict[str, Any] | None = None,
    index_id: str | None = None,
) -> None:
    """Store a message with its ``MID#`` item, which threads answers to it and makes its Message-ID unique.

    The ``MID#`` write is conditional: a Message-ID seen before cancels the transaction with the
    reason tagged ``mid`` (``<tag>_mid`` for any other tag), which ingest reads as "a duplicate".
    ``index_id`` indexes the message under another id than its Message-ID (ingest: a different mail
    that reuses a Message-ID already taken). The message takes the next position in the ticket's thread
    (:func:`add_to_thread`).
    """
    if index_id and index_id != message.message_id:
        message.index_id = index_id  # so that deleting the message (services/privacy.py) finds its MID# item
    add_to_thread(ticket, message)
    unit.save(tag, message)
    unit.save(
        "mid" if tag == "message" else f"{tag}_mid",
        MetaItem(
            *mid_key(index_id or message.message_id),
            ticket_id=ticket.pk,
            number=ticket.number,
            msg_sk=message.sk,
            direction=message.direction,
            created_at=message.created_at,
            data=data,
        ),
        condition=MetaItem.pk.does_not_exist(),
    )


def key_delta(old: set[str], new: set[str]) -> dict[str, int]:
    """Counter moves from one set of counted keys to another: +1 for each new key, -1 for each gone."""
    delta = dict.fromkeys(new - old, 1)
    delta.update(dict.fromkeys(old - new, -1))
    return delta


def queue_deltas(
    before: Snapshot | None, after: Snapshot, keys: Callable[[Snapshot], set[str]]
) -> dict[str, dict[str, int]]:
    """Counter moves per queue: a ticket's keys count in the queue it is in (moving, it leaves one for another)."""
    if before is not None and before.queue == after.queue:
        return {after.queue: key_delta(keys(before), keys(after))}
    moves = {after.queue: key_delta(set(), keys(after))}
    if before is not None:
        moves[before.queue] = key_delta(keys(before), set())
    return moves


def private_deltas(
    before: Snapshot | None, after: Snapshot, keys: Callable[[Snapshot], set[str]]
) -> dict[str, dict[str, int]]:
    """Counter moves per private item (queue and owner): a private ticket's keys count in its item."""
    old = before.private_sk if before is not None else None
    new = after.private_sk
    if before is not None and old == new:
        return {new: key_delta(keys(before), keys(after))} if new is not None else {}
    moves: dict[str, dict[str, int]] = {}
    if new is not None:
        moves[new] = key_delta(set(), keys(after))
    if before is not None and old is not None:
        moves[old] = key_delta(keys(before), set())
    return moves


def _count(unit: Unit, pk: str, sk: str, amounts: dict[str, int]) -> None:
    if any(amounts.values()):
        unit.count(pk, sk, amounts)


def write_ticket(
    unit: Unit,
    ticket: TicketItem,
    before: Snapshot | None,
    events: Iterable[EventItem] = (),
    *,
    new: bool = False,
    tag: str = "ticket",
    condition: Condition | None = None,
) -> None:
    """Add the ticket and everything derived from it to ``unit``.

    ``new`` tickets are written with ``attribute_not_exists``; existing ones with their version
    (pynamodb's VersionAttribute), so a concurrent change makes the whole transaction fail; ``tag``
    names this write in the :class:`~helpdesk.store.unit.Conflict` (e.g. ``"parent"``); ``condition``
    is checked on the ticket item besides its version (a reply: :func:`thread_unchanged`).
    """
    apply_index_keys(ticket)
    if tag == "ticket":
        unit.note_ticket_queue(ticket.queue, private_owner(ticket))
    if new:
        unit.save(tag, ticket, condition=TicketItem.pk.does_not_exist())
    else:
        unit.save(tag, ticket, condition=condition)
    after = Snapshot.of(ticket)
    for tag_item in tag_items(ticket):
        unit.save("tag", tag_item)
    for gone in set(before.tags if before else ()) - set(after.tags):
        unit.delete("tag", TagItem(pk=ticket.pk, sk=f"TAG#{gone}"))
    in_use = key_delta(before.in_use_keys() if before else set(), after.in_use_keys())
    _count(unit, *IN_USE_KEY, in_use)
    for queue, moves in queue_deltas(before, after, Snapshot.in_use_keys).items():
        _count(unit, IN_USE_KEY[0], QUEUE_SK + queue, moves)
    for sk, moves in private_deltas(before, after, Snapshot.in_use_keys).items():
        _count(unit, IN_USE_KEY[0], sk, moves)
    backlog = key_delta(before.backlog_keys() if before else set(), after.backlog_keys())
    _count(unit, *BACKLOG_KEY, {f"b_{key}": amount for key, amount in backlog.items()})
    for queue, moves in queue_deltas(before, after, Snapshot.backlog_keys).items():
        _count(unit, BACKLOG_KEY[0], QUEUE_SK + queue, {f"b_{key}": amount for key, amount in moves.items()})
    for sk, moves in private_deltas(before, after, Snapshot.backlog_keys).items():
        _count(unit, BACKLOG_KEY[0], sk, {f"b_{key}": amount for key, amount in moves.items()})
    for event in events:
        unit.save("event", event)


def forget_ticket(unit: Unit, ticket: TicketItem) -> None:
    """Delete the ticket item and its tag items, and take it out of the live counters (the reverse of a
    new ticket's :func:`write_ticket`). Its timeline and lookups go first: ``services/privacy.py: purge_ticket``."""
    unit.note_ticket_queue(ticket.queue)
    unit.delete("ticket", ticket)  # with the version read: a concurrent change cancels the transaction
    before = Snapshot.of(ticket)
    for tag in before.tags:
        unit.delete("tag", TagItem(pk=ticket.pk, sk=f"TAG#{tag}"))
    _count(unit, *IN_USE_KEY, key_delta(before.in_use_keys(), set()))
    _count(unit, IN_USE_KEY[0], QUEUE_SK + before.queue, key_delta(before.in_use_keys(), set()))
    gone = {f"b_{key}": -1 for key in before.backlog_keys()}
    _count(unit, *BACKLOG_KEY, gone)
    _count(unit, BACKLOG_KEY[0], QUEUE_SK + before.queue, gone)


def write_number(unit: Unit, scope: str, read: int | None, seq: int, ticket_id: str, number: str, at: str) -> None:
    """A new ticket's number, in the ticket's own transaction: the counter of ``scope`` moves to ``seq`` if it
    still holds what was ``read`` (None: it did not exist), and the ``NUM#`` item is claimed. A racing
    writer's commit fails whole (tags ``counter`` / ``number``)."""
    if read is None:
        unit.save(
            "counter",
            MetaItem(*counter_key(scope), value=seq, created_at=at),
            condition=MetaItem.pk.does_not_exist(),
        )
    else:
        counter = MetaItem(*counter_key(scope))
        unit.update("counter", counter, [MetaItem.value.set(seq)], condition=MetaItem.value == read)
    unit.save(
        "number",
        MetaItem(*num_key(number), ticket_id=ticket_id, number=number, created_at=at),
        condition=MetaItem.pk.does_not_exist(),
    )
