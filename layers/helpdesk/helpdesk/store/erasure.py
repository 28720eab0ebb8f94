"""The reads and writes of data protection (services/privacy.py): a ticket's whole partition and its
lookups deleted or rewritten, the tickets of a customer or of a bucket past a date, a customer uncounted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.exceptions import UpdateError

from .models import ByBucket, CommentItem, CustomerItem, EventItem, MessageItem, MetaItem, TicketItem, TicketTableItem
from .tickets import num_key


def partition(ticket_id: str) -> list[TicketTableItem]:
    """Every item of the ticket's partition, read consistently (one Query)."""
    return list(TicketTableItem.query(ticket_id, consistent_read=True))


def ticket(ticket_id: str) -> TicketItem | None:
    """The ticket, read consistently."""
    try:
        return TicketItem.get(ticket_id, "TICKET", consistent_read=True)
    except TicketItem.DoesNotExist:
        return None


def _mid_key(message: MessageItem) -> tuple[str, str]:
    return (f"MID#{message.index_id or message.message_id}", "MID")


def delete_lookups(ticket_id: str, messages: Iterable[MessageItem], number: str | None = None) -> None:
    """Delete the ``MID#`` items of ``messages`` and the ``NUM#`` item of ``number``, where they point to
    this ticket or to the message itself (a merged ticket's messages keep their ``sk`` and their lookups
    the source ticket's id). A Message-ID another message took over stays."""
    owners = {_mid_key(m): m.sk for m in messages}
    wanted = list(owners) + ([num_key(number)] if number else [])
    for start in range(0, len(wanted), 100):
        found = [
            i
            for i in MetaItem.batch_get(wanted[start : start + 100])
            if i.ticket_id == ticket_id or (i.msg_sk and i.msg_sk == owners.get((i.pk, i.sk)))
        ]
        with MetaItem.batch_write() as batch:
            for item in found:
                batch.delete(item)


def delete_timeline(items: Iterable[TicketTableItem]) -> None:
    """Delete the ticket's items except the ticket itself (``writes.forget_ticket`` takes it, in a transaction)."""
    with TicketTableItem.batch_write() as batch:
        for item in items:
            if not isinstance(item, TicketItem):
                batch.delete(item)


def rewrite_timeline(deleted: Iterable[MessageItem], kept: Iterable[TicketTableItem]) -> None:
    """Delete ``deleted`` and save the messages, comments and events of ``kept`` as they are now."""
    with TicketTableItem.batch_write() as batch:
        for message in deleted:
            batch.delete(message)
        for item in kept:
            if isinstance(item, MessageItem | CommentItem | EventItem):
                batch.save(item)


def uncount_customer(email: str | None) -> None:
    """One ticket fewer on the customer's record (never below 0; a record that is gone stays gone)."""
    if not email:
        return
    try:
        CustomerItem(email).update(
            actions=[CustomerItem.ticket_count.add(-1)],
            condition=CustomerItem.email.exists() & (CustomerItem.ticket_count > 0),
        )
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def in_bucket_before(bucket: str, before: str) -> Iterator[TicketItem]:
    """Tickets of ``bucket`` (``trash``, ``closed``) unchanged since before ``before``, oldest first (``by_bucket``)."""
    for item in TicketTableItem.by_bucket.query(bucket, ByBucket.updated_at < before, page_size=100):
        if isinstance(item, TicketItem):
            yield item


def customer_tickets(address: str) -> Iterator[TicketItem]:
    """Every ticket whose customer ``address`` is (``by_customer``), page by page as they are read."""
    for item in TicketTableItem.by_customer.query(address):
        if isinstance(item, TicketItem):
            yield item


class CustomerPage:
    """A page of a customer's tickets (``by_customer``), walked item by item: :attr:`last_key` is where the
    page stands after the item just read (a job saves it after each ticket)."""

    def __init__(self, address: str, limit: int, start: dict[str, Any] | None) -> None:
        self._result = TicketTableItem.by_customer.query(address, limit=limit, last_evaluated_key=start)

    def __iter__(self) -> Iterator[TicketTableItem]:
        return iter(self._result)

    @property
    def last_key(self) -> dict[str, Any] | None:
        return self._result.last_evaluated_key


def delete_meta(keys: Iterable[tuple[str, str]]) -> None:
    """Delete the meta items of ``keys`` (those that do not exist cost nothing)."""
    with MetaItem.batch_write() as batch:
        for pk, sk in keys:
            batch.delete(MetaItem(pk, sk))
