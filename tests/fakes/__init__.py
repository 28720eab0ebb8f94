"""In-memory fakes of the composition root's adapters, for service tests that need no moto.

So far the reading side: :class:`FakeTickets` answers the ``TicketStore`` reads a service asks for (a ticket,
the ``by_waiting`` and ``by_sla`` index queries) from tickets kept in memory, their index keys derived by the
store's own :func:`~helpdesk.store.tickets.apply_index_keys` as every real write does; :class:`FakeConfig`
hands out a snapshot; :class:`FakeMailer` keeps what was sent. Writes still go through
``store.unit.Unit`` (DynamoDB transactions): services that commit are tested against moto
(tests/integration).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from helpdesk.domain.config import ConfigSnapshot
from helpdesk.store.models import TicketItem
from helpdesk.store.tickets import ACTIVE, WAITING_PK, apply_index_keys


class FakeTickets:
    """The tickets a test puts, read as ``TicketStore`` reads them."""

    def __init__(self, *tickets: TicketItem) -> None:
        self.tickets: dict[str, TicketItem] = {}
        self.reads = 0
        for ticket in tickets:
            self.put(ticket)

    def put(self, ticket: TicketItem) -> None:
        apply_index_keys(ticket)
        self.tickets[ticket.pk] = ticket

    def get(self, ticket_id: str, consistent: bool = False) -> TicketItem | None:
        self.reads += 1
        return self.tickets.get(ticket_id)

    def waiting_since_before(self, at: str, page_size: int = 100) -> Iterator[TicketItem]:
        self.reads += 1
        waiting = [t for t in self.tickets.values() if t.waiting_pk == WAITING_PK and t.waiting_since]
        yield from sorted((t for t in waiting if str(t.waiting_since) < at), key=lambda t: str(t.waiting_since))

    def deadlines_between(self, start: str | None, end: str, page_size: int = 100) -> Iterator[TicketItem]:
        self.reads += 1
        active = [t for t in self.tickets.values() if t.sla_bucket == ACTIVE and t.sla_at]
        inside = [t for t in active if (str(t.sla_at) < end if start is None else start <= str(t.sla_at) <= end)]
        yield from sorted(inside, key=lambda t: str(t.sla_at))


@dataclass
class FakeConfig:
    cfg: ConfigSnapshot = field(default_factory=ConfigSnapshot)

    def snapshot(self) -> ConfigSnapshot:
        return self.cfg


@dataclass
class Sent:
    source: str
    destinations: list[str]
    raw: bytes


@dataclass
class FakeMailer:
    sent: list[Sent] = field(default_factory=list)

    def send_raw(self, source: str, destinations: list[str], raw: bytes) -> str:
        self.sent.append(Sent(source, destinations, raw))
        return f"fake-{len(self.sent)}"
