"""Maintenance: build the search index from the tickets (``helpdesk reindex``, local and ``--aws``).

The publisher keeps the index current from the stream; this builds it for tickets from before it
existed, and repairs it. Idempotent: a ticket whose postings are current costs two reads (its
partition, its manifest) and no write. Resumable: tickets are read in pages of a Scan, and after
each page the position is reported (``progress``); ``start`` continues from such a position. At the
end, manifests of tickets that no longer exist are found (a Scan of the manifests) and their
postings removed, so deleted tickets leave the results. Customers (the customer search) are indexed
after the tickets, by a Scan of the customers table (``customers=False`` leaves them).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from ..domain.dataclass import dataclass
from ..store.customers import every_address
from ..store.search_index import CUSTOMERS, SearchIndex, indexed_ticket_pages
from ..store.tickets import TicketStore, ticket_id_pages
from .search import index_customer, index_ticket

PAGE = 100


@dataclass
class Reindexed:
    tickets: int = 0
    changed: int = 0  # tickets whose postings were written or deleted
    put: int = 0
    deleted: int = 0
    pruned: int = 0  # manifests of tickets that are gone
    customers: int = 0  # customers indexed


def encode_position(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_position(position: str) -> dict[str, Any]:
    key = json.loads(base64.urlsafe_b64decode(position.encode()))
    if not isinstance(key, dict) or set(key) != {"pk", "sk"}:
        raise ValueError("not a position reindex printed")
    return key


def reindex(
    start: str | None = None,
    progress: Callable[[Reindexed, str | None], None] | None = None,
    prune: bool = True,
    page_size: int = PAGE,
    customers: bool = True,
) -> Reindexed:
    store, index = TicketStore(), SearchIndex()
    done = Reindexed()
    for ids, last in ticket_id_pages(page_size, decode_position(start) if start else None):
        for ticket_id in ids:
            written = index_ticket(ticket_id, store, index)
            done.tickets += 1
            done.put += written.put
            done.deleted += written.deleted
            done.changed += 1 if written.put or written.deleted else 0
        if progress is not None:
            progress(done, encode_position(last) if last else None)
    if prune:
        done.pruned = prune_gone(store, index)
    if customers:
        done.customers = reindex_customers()
    return done


def reindex_customers() -> int:
    """Index every customer (a Scan of the customers table; idempotent like the tickets)."""
    index = SearchIndex(CUSTOMERS)
    count = 0
    for address in every_address():
        index_customer(address, index)
        count += 1
    return count


def prune_gone(store: TicketStore, index: SearchIndex) -> int:
    """Remove the postings of tickets that no longer exist (deleted without passing the publisher)."""
    pruned = 0
    for ids in indexed_ticket_pages():
        for start in range(0, len(ids), 100):
            chunk = ids[start : start + 100]
            existing = store.batch_tickets(chunk)
            for ticket_id in chunk:
                if ticket_id not in existing:
                    index.replace(ticket_id, {})
                    pruned += 1
    return pruned
