"""Ticket numbers without gaps: the next number after the counter as read, written in the ticket's own
transaction (store.writes.write_number), read again when a racing writer took it. The ingest, an agent's
new ticket and a split all number here."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import TypeVar

from ..domain.clock import now
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.numbering import number_format
from ..store.tickets import TicketStore
from ..store.unit import Conflict, Unit
from ..store.writes import write_number

T = TypeVar("T")
ATTEMPTS = 30


@dataclass(frozen=True)
class Number:
    """A new ticket's number: the counter's scope, the counter as read, the sequence number after it."""

    scope: str
    read: int | None
    seq: int
    text: str

    def write(self, unit: Unit, ticket_id: str, at: str) -> None:
        write_number(unit, self.scope, self.read, self.seq, ticket_id, self.text, at)


def next_number(cfg: ConfigSnapshot, read: int | None, moment: datetime) -> Number:
    fmt = number_format(cfg.settings.number_format)
    seq = (read or 0) + 1
    return Number(fmt.counter_scope(moment.year), read, seq, fmt.format(year=moment.year, seq=seq))


def counter_scope(cfg: ConfigSnapshot, moment: datetime) -> str:
    return number_format(cfg.settings.number_format).counter_scope(moment.year)


def read_again(store: TicketStore, scope: str, tags: Collection[str]) -> int | None:
    """The counter after a commit lost its number (``tags``: the failed writes). When only the number was
    taken, the counter lags behind an existing number (restored backup, manual edit): skip ahead."""
    counter = store.counter_value(scope)
    if "number" in tags and "counter" not in tags:
        counter = (counter or 0) + 1
        store.bump_counter(scope, counter)
    return counter


def numbered(store: TicketStore, cfg: ConfigSnapshot, attempt: Callable[[Number], T]) -> T:
    """Run ``attempt`` (build the ticket, write ``number`` in its transaction, commit) with the next number,
    again with a fresh one while a racing writer took it (a :class:`Conflict` on ``counter``/``number``)."""
    moment = now()
    scope = counter_scope(cfg, moment)
    read = store.counter_value(scope)
    for _ in range(ATTEMPTS):
        try:
            return attempt(next_number(cfg, read, moment))
        except Conflict as exc:
            if "counter" not in exc.tags and "number" not in exc.tags:
                raise
            read = read_again(store, scope, exc.tags)
    raise RuntimeError("could not allocate a ticket number; try again")
