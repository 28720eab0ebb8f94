"""Use cases: keep the search index of a ticket current, and search (issue 15, docs/data-model.md "Search").

Indexing reads the ticket's partition (one Query) and makes its postings exactly what its texts say
now (``store.search_index.SearchIndex.replace``): subject, number, customer, every message (its text;
an HTML-only mail's text comes from its HTML), attachment file names, internal comments. A ticket
merged into another, or gone, leaves the index. It runs from the tickets table's stream (the
publisher, once per ticket and batch) and from ``helpdesk reindex``.

Searching reads the postings of the query's most selective word (its ``SHARDS`` partitions, newest
tickets first), then one BatchGetItem for the candidates' tickets and their postings of the other
words: every word must match, then the inbox filters and the access rule decide. A page is ranked:
matches in the subject or number first, then the newest change.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field, replace
from typing import Any

from ..domain.dataclass import dataclass
from ..domain.htmltext import html_to_text
from ..domain.search import (
    ATTACHMENT,
    BODY,
    COMMENT,
    CUSTOMER,
    NUMBER,
    SUBJECT,
    Query,
    Source,
    Term,
    index_forms,
    parse_query,
    phrase_in,
    postings,
    words,
)
from ..domain.status import Status
from ..store import customers
from ..store.listing import CursorError, TicketFilter, matches_residual
from ..store.models import CustomerItem, TicketItem
from ..store.search_index import BATCH_GET, CUSTOMERS, SHARDS, Hit, Reads, SearchIndex, Written
from ..store.tickets import TicketDetail, TicketStore, ticket_of, tickets_table


def sources(detail: TicketDetail) -> Iterator[Source]:
    """A ticket's searchable texts, in the order a snippet prefers them."""
    ticket = detail.ticket
    yield Source(ticket.subject or "", SUBJECT, "subject")
    yield Source(ticket.number or "", NUMBER, "number")
    customer = " ".join(x for x in (ticket.customer_name, ticket.customer_email) if x)
    if customer:
        yield Source(customer, CUSTOMER, "customer")
    timeline: list[tuple[str, Source]] = []
    for msg in detail.messages:
        text = msg.text or (html_to_text(msg.html) if msg.html else "")
        sender = msg.from_addr
        who = f"{sender.name or ''} {sender.address}" if sender is not None else ""
        timeline.append((msg.created_at, Source(text, BODY, "message", msg.id, msg.created_at)))
        if who.strip():
            timeline.append((msg.created_at, Source(who, CUSTOMER, "message", msg.id, msg.created_at)))
        for att in msg.attachments or []:
            name = att.filename or ""
            # file names split at dots and dashes too: "rechnung_4711.pdf" is found by "rechnung"
            spaced = name.replace(".", " ").replace("_", " ").replace("-", " ")
            timeline.append(
                (msg.created_at, Source(f"{name} {spaced}", ATTACHMENT, "attachment", msg.id, msg.created_at))
            )
    for comment in detail.comments:
        timeline.append(
            (comment.created_at, Source(comment.body or "", COMMENT, "comment", comment.id, comment.created_at))
        )
    for _, source in sorted(timeline, key=lambda pair: pair[0]):
        yield source


def index_ticket(ticket_id: str, store: TicketStore | None = None, index: SearchIndex | None = None) -> Written:
    """Make the ticket's postings match its texts now (idempotent); merged or missing tickets leave."""
    detail = (store or TicketStore()).detail(ticket_id)
    wanted = {} if detail is None or detail.ticket.merged_into else postings(sources(detail))
    written = (index or SearchIndex()).replace(ticket_id, wanted)
    written.calls += 1  # the ticket's Query
    return written


def index_tickets(ticket_ids: Iterable[str]) -> dict[str, Written]:
    """Index each ticket once (a stream batch names a ticket once per change)."""
    store, index = TicketStore(), SearchIndex()
    return {tid: index_ticket(tid, store, index) for tid in dict.fromkeys(ticket_ids)}


# ------------------------------------------------------------------------------------------- searching


@dataclass
class Match:
    """Where a ticket matched: the piece of text (with the offsets of the matching words) and its place."""

    kind: str  # subject | number | customer | message | comment | attachment
    ref: str
    at: str
    snippet: str
    highlights: list[tuple[int, int]]
    fields: int


@dataclass
class SearchPage:
    items: list[TicketItem]
    matches: dict[str, Match]
    cursor: str | None
    partial: bool
    reads: Reads = field(default_factory=Reads)


_NUMBER_LIKE = re.compile(r"^[A-Za-z]{1,5}-\d{4}-\d{1,9}$")  # the default format T-{year}-{seq:06d}
DEFAULT_STATUSES: list[Status] = [s for s in Status if s != Status.TRASH]  # everything but the Papierkorb


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> dict[str, str]:
    if not cursor:
        return {}
    try:
        state = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error, RecursionError) as exc:  # RecursionError: "[[[[…"
        raise CursorError("invalid cursor") from exc
    valid = isinstance(state, dict) and set(state) <= {f"s{i}" for i in range(SHARDS)} | {"search"}
    if not valid or state.get("search") != 1:
        raise CursorError("invalid cursor")
    shards = {k: v for k, v in state.items() if k != "search"}
    if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in shards.values()):
        raise CursorError("invalid cursor")
    return shards


def highlights(text: str, terms: Iterable[Term]) -> list[tuple[int, int]]:
    """Offsets of the words in ``text`` that a query's terms match."""
    wanted = list(terms)
    out: list[tuple[int, int]] = []
    position = 0
    for word in words(text):
        start = text.find(word, position)
        if start < 0:
            continue
        position = start + len(word)
        forms = index_forms(word)
        if any(t.matches(forms) for t in wanted):
            out.append((start, position))
    return out


def _driving(
    index: SearchIndex, drive: Term, state: dict[str, str], batch: int, reads: Reads
) -> tuple[list[Hit], dict[str, str]]:
    """Up to ``batch`` postings of the driving word, merged over its shards (highest sort key first), and
    the cursor state after them: per shard the last id handed out, or ``done``."""
    streams: list[tuple[int, list[Hit], str | None]] = []
    for shard in range(SHARDS):
        start = state.get(f"s{shard}")
        if start == "done":
            continue
        hits, last = index.query(drive.key, shard, start or None, batch, reads)
        streams.append((shard, hits, last))
    merged = sorted(
        ((hit, shard) for shard, hits, _ in streams for hit in hits), key=lambda pair: pair[0].sk, reverse=True
    )[:batch]
    position: dict[int, str] = {}
    for hit, shard in merged:
        position[shard] = hit.sk
    new_state: dict[str, str] = {}
    for shard in range(SHARDS):
        if state.get(f"s{shard}") == "done":
            new_state[f"s{shard}"] = "done"
    for shard, hits, last in streams:
        used = sum(1 for _, s in merged if s == shard)
        if used == len(hits) and last is None:
            new_state[f"s{shard}"] = "done"
        elif shard in position:
            new_state[f"s{shard}"] = position[shard]
        elif state.get(f"s{shard}"):
            new_state[f"s{shard}"] = state[f"s{shard}"]
    return [hit for hit, _ in merged], new_state


# A quoted phrase's page takes at most this many candidates: each may need its texts read (one Query)
PHRASE_READS = 20


def _with_phrases(
    results: list[tuple[TicketItem, Hit, int]], query: Query, found: dict[tuple[str, str], Hit], reads: Reads
) -> list[tuple[TicketItem, Hit, int]]:
    kept: list[tuple[TicketItem, Hit, int]] = []
    store: TicketStore | None = None
    for ticket, hit, fields in results:
        near = [ticket.subject or "", ticket.preview or "", hit.snippet]
        near += [p.snippet for (_, tid), p in found.items() if tid == ticket.pk]
        if all(any(phrase_in(text, phrase) for text in near) for phrase in query.phrases):
            kept.append((ticket, hit, fields))
            continue
        store = store or TicketStore()
        detail = store.detail(ticket.pk)
        reads.calls += 1
        reads.extra["phrase_reads"] = reads.extra.get("phrase_reads", 0) + 1
        texts = [s.text for s in sources(detail)] if detail is not None else []
        if all(any(phrase_in(text, phrase) for text in texts) for phrase in query.phrases):
            kept.append((ticket, hit, fields))
    return kept


def _ticket_matches(ticket: TicketItem, flt: TicketFilter) -> bool:
    """The inbox's filters on a ticket read by id (statuses, queue, agent, tag, customer, flags, access)."""
    checks = [
        matches_residual(ticket, flt),
        not flt.assignee or ticket.assignee == flt.assignee,
        not flt.tag or flt.tag in (ticket.tags or []),
        not flt.customer or (ticket.customer_email or "").lower() == flt.customer.lower(),
    ]
    return all(checks)


def search_tickets(
    flt: TicketFilter,
    text: str,
    limit: int = 50,
    cursor: str | None = None,
    visible: Callable[[TicketItem], bool] | None = None,
    index: SearchIndex | None = None,
) -> SearchPage | None:
    """One page of the tickets whose texts contain every word of ``text``; None when ``text`` has no words.

    ``flt.statuses`` None means every status but the Papierkorb. ``visible`` is the access rule
    (``services.access.may_access`` for the caller); the filter's hidden queues and private flag apply too.
    """
    query: Query = parse_query(text)
    if query.empty:
        return None
    index = index or SearchIndex()
    flt = replace(flt, q=None, statuses=flt.statuses or DEFAULT_STATUSES)
    state = _decode(cursor)
    limit = max(1, min(limit, 100))
    drive = max(query.terms, key=lambda t: (not t.whole, len(t.text)))
    others = [t for t in query.terms if t is not drive]
    batch = max(1, min(limit, BATCH_GET // (1 + len(others))))  # candidates per page: one BatchGetItem
    if query.phrases:
        batch = min(batch, PHRASE_READS)
    reads = Reads()

    # 1. the driving word's postings, newest tickets first, merged over its shards
    merged, new_state = _driving(index, drive, state, batch, reads)
    candidates = [hit for hit in merged if drive.matches(hit.words)]

    # 2. the candidates' tickets and their postings of the other words: one BatchGetItem
    found, raw_tickets = index.get(
        ((t.key, hit.ticket_id) for hit in candidates for t in others),
        (hit.ticket_id for hit in candidates),
        tickets_table(),
        reads,
    )
    results: list[tuple[TicketItem, Hit, int]] = []
    for hit in candidates:
        raw = raw_tickets.get(hit.ticket_id)
        if raw is None:
            continue
        ticket = ticket_of(raw)
        if ticket is None or ticket.merged_into:
            continue
        fields = hit.fields
        matched = True
        for t in others:
            other = found.get((t.key, hit.ticket_id))
            if other is None or not t.matches(other.words):
                matched = False
                break
            fields &= other.fields  # a field counts when every word is in it (roughly: the keys' fields)
        if not matched or not _ticket_matches(ticket, flt) or (visible is not None and not visible(ticket)):
            continue
        results.append((ticket, hit, fields))

    # A whole ticket number is looked up directly too (two GetItems): found at once, before the stream
    # has indexed a ticket just created.
    if not cursor and _NUMBER_LIKE.match(text.strip()):
        numbered = TicketStore().by_number(text.strip().upper())
        reads.calls += 2
        new = numbered is not None and not numbered.merged_into and all(r[0].pk != numbered.pk for r in results)
        if numbered is not None and new and _ticket_matches(numbered, flt) and (visible is None or visible(numbered)):
            results.append((numbered, Hit(numbered.pk, set(), NUMBER, "number", "", "", ""), NUMBER))

    # A quoted phrase: its words in order, where the index keeps text (subject, preview, the snippets
    # around each word), else in the ticket's texts (one Query each; PHRASE_READS candidates per page).
    if query.phrases:
        results = _with_phrases(results, query, found, reads)

    # 3. rank the page: subject or number matches first, then the newest change
    results.sort(key=lambda r: r[0].updated_at, reverse=True)
    results.sort(key=lambda r: 0 if r[2] & (SUBJECT | NUMBER) else 1)
    matches = {
        ticket.pk: Match(
            kind=hit.kind,
            ref=hit.ref,
            at=hit.at,
            snippet=hit.snippet or (ticket.subject if hit.kind == "subject" else ""),
            highlights=highlights(hit.snippet or (ticket.subject if hit.kind == "subject" else ""), query.terms),
            fields=fields,
        )
        for ticket, hit, fields in results
    }
    more = any(new_state.get(f"s{shard}") != "done" for shard in range(SHARDS))
    return SearchPage(
        items=[r[0] for r in results],
        matches=matches,
        cursor=_encode({"search": 1, **new_state}) if more else None,
        partial=more and len(results) < limit,
        reads=reads,
    )


# ------------------------------------------------------------------------------------------- customers


def customer_sources(customer: CustomerItem) -> Iterator[Source]:
    """A customer's searchable fields: name, address, company, customer number, phone. A phone is also
    indexed as its digits and their first two and three (``+49`` finds ``+49 30 1234567`` and
    ``+4930…``; a query word under four letters matches whole words only)."""
    yield Source(customer.name or "", CUSTOMER, "field")
    yield Source(customer.email, CUSTOMER, "field")
    yield Source(customer.company or "", CUSTOMER, "field")
    yield Source(customer.external_id or "", CUSTOMER, "field")
    phone = customer.phone or ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if digits:
        yield Source(f"{phone} {digits} {digits[:2]} {digits[:3]}", CUSTOMER, "field")


def index_customer(email: str, index: SearchIndex | None = None) -> Written:
    """Make the customer's postings match their record now (idempotent); an erased customer leaves."""
    customer = customers.get(email, consistent=True)
    wanted = postings(customer_sources(customer)) if customer is not None else {}
    written = (index or SearchIndex(CUSTOMERS)).replace(email, wanted)
    written.calls += 1  # the customer's GetItem
    return written


@dataclass
class CustomerSearchPage:
    items: list[CustomerItem]
    cursor: str | None
    reads: Reads = field(default_factory=Reads)


def search_customers(
    text: str, limit: int = 20, cursor: str | None = None, index: SearchIndex | None = None
) -> CustomerSearchPage | None:
    """Customers with every word of ``text`` in their name, address, company, customer number or phone
    (folded and by prefix, as tickets are), a page sorted by name; None when ``text`` has no words.
    Bounded like the ticket search: one Query per shard of the most selective word, one BatchGetItem."""
    query = parse_query(text)
    if query.empty:
        return None
    index = index or SearchIndex(CUSTOMERS)
    state = _decode(cursor)
    drive = max(query.terms, key=lambda t: (not t.whole, len(t.text)))
    others = [t for t in query.terms if t is not drive]
    batch = max(1, min(max(1, min(limit, 100)), BATCH_GET // (1 + len(others))))
    reads = Reads()
    merged, new_state = _driving(index, drive, state, batch, reads)
    candidates = [hit.ticket_id for hit in merged if drive.matches(hit.words)]
    found, raw_customers = index.get(
        ((t.key, email) for email in candidates for t in others),
        candidates,
        CustomerItem.Meta.table_name,
        reads,
        item_key=lambda email: {"email": {"S": email}},
    )
    items: list[CustomerItem] = []
    for email in candidates:
        raw = raw_customers.get(email)
        wanted = all((o := found.get((t.key, email))) is not None and t.matches(o.words) for t in others)
        if raw is not None and wanted:
            items.append(CustomerItem.from_raw_data(raw))
    items.sort(key=lambda c: c.name_key or c.email)
    more = any(new_state.get(f"s{shard}") != "done" for shard in range(SHARDS))
    return CustomerSearchPage(items, _encode({"search": 1, **new_state}) if more else None, reads)
