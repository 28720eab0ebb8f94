"""Ticket lists: every list is one or a few ``Query`` calls on a GSI, never a ``Scan``.

The planner picks the most selective index for a filter (see ``docs/data-model.md``); the remaining
criteria become a ``FilterExpression``. Where a list spans several partitions (several statuses, or
``status=all`` over the three buckets) the partitions are merged lazily, newest first, and the cursor
remembers the position in each (a partition that has handed out nothing yet starts from its beginning).
Reads are bounded: a page never evaluates more than ``max_scanned`` items, so a rare free-text filter
returns a short page with a cursor instead of reading the whole table.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections import deque
from collections.abc import Callable
from dataclasses import field, replace
from typing import Any

from pynamodb.expressions.condition import Condition

from ..domain.dataclass import dataclass
from ..domain.reading import ReadMark
from ..domain.status import BUCKETS, Status
from .models import TicketItem, TicketTableItem
from .tickets import ACTIVE, is_unread, read_marks

TEXT_PAGE_SIZE = 250


class CursorError(ValueError):
    pass


@dataclass
class TicketFilter:
    statuses: list[Status] | None = None  # None: the default view (active bucket); all seven: everything
    queue: str | None = None
    assignee: str | None = None
    tag: str | None = None
    customer: str | None = None
    priority: str | None = None
    mailbox: str | None = None
    project: str | None = None
    private: bool | None = None
    personal: bool | None = None
    prio: bool | None = None
    unread: bool | None = None
    review: bool | None = None
    sla: str | None = None  # the most urgent SLA clock's state (sla_state): running | warning | breached
    q: str | None = None
    # Column filters ("Freitextfelder" over the list's columns): column → text it must contain,
    # case-insensitive. DynamoDB narrows by the combined ``search`` text, the exact column check
    # runs here (see :func:`matches_columns`).
    columns: dict[str, str] = field(default_factory=dict)
    sort: str = "updated"  # one of SORTS
    descending: bool | None = None  # None: the sort's usual order (DEFAULT_DESCENDING)
    hidden_queues: set[str] = field(default_factory=set)
    viewer: str | None = None  # private tickets are visible to their assignee (and admins) only; "unread" is theirs
    viewer_is_admin: bool = False


@dataclass
class Page:
    items: list[TicketItem]
    cursor: str | None
    scanned: int = 0
    requests: int = 0
    index: str = ""
    partial: bool = False  # stopped at the read budget before the page was full
    unread: dict[str, bool] = field(default_factory=dict)  # ticket id → unread for the viewer (with a viewer)
    mark_reads: int = 0  # BatchGetItem calls for the viewer's read marks


@dataclass
class _Partition:
    index_name: str
    hash_value: str
    sort_attr: str
    forward: bool


class _Reader:
    """Reads one index partition page by page, handing out raw items one at a time.

    ``position`` is always a key to resume from without skipping anything not yet handed out: the key
    of the last item taken, or the end of a page whose items were all filtered out.
    """

    def __init__(
        self, part: _Partition, condition: Condition | None, start: dict[str, Any] | None, page_size: int
    ) -> None:
        self.part = part
        index = getattr(TicketTableItem, part.index_name)
        if start is not None:
            keys = [a for a in index.Meta.attributes.values() if a.is_hash_key or a.is_range_key]
            hash_name = next(a.attr_name for a in keys if a.is_hash_key)
            expected = {"pk", "sk", *(a.attr_name for a in keys)}
            if not is_key(start, expected) or start[hash_name]["S"] != part.hash_value:
                raise CursorError("invalid cursor")
        self.pages = index.query(
            part.hash_value,
            filter_condition=condition,
            scan_index_forward=part.forward,
            page_size=page_size,
            last_evaluated_key=start,
        ).page_iter
        self.buffer: deque[dict[str, Any]] = deque()
        self.position: dict[str, Any] | None = start
        self.more_pages = True
        self.requests = 0
        self.scanned = 0

    def fill(self) -> None:
        if self.buffer or not self.more_pages:
            return
        try:
            page = next(self.pages)
        except StopIteration:
            self.more_pages = False
            return
        self.requests += 1
        self.scanned += int(page.get("ScannedCount", 0))
        items = page.get("Items", [])
        self.buffer.extend(items)
        last_key = page.get("LastEvaluatedKey")
        self.more_pages = last_key is not None
        if not items and last_key is not None:
            self.position = last_key

    def head(self) -> dict[str, Any] | None:
        return self.buffer[0] if self.buffer else None

    def take(self) -> dict[str, Any]:
        raw = self.buffer.popleft()
        self.position = {name: raw[name] for name in self.pages.key_names}
        return raw

    @property
    def done(self) -> bool:
        return not self.buffer and not self.more_pages


def encode_cursor(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, RecursionError) as exc:  # RecursionError: "[[[[…" past json's limit
        raise CursorError("invalid cursor") from exc
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise CursorError("invalid cursor")
    for value in state.values():
        if value != "done" and not is_key(value):
            raise CursorError("invalid cursor")
    return state


def is_key(value: Any, names: set[str] | None = None) -> bool:
    """A DynamoDB key as a cursor carries it: ``{"name": {"S": "…"}}`` (string keys only, non-empty)."""
    if not isinstance(value, dict) or not value or (names is not None and set(value) != names):
        return False
    return all(
        isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) and 0 < len(v["S"]) <= 2048
        for v in value.values()
    )


def plan(flt: TicketFilter) -> tuple[list[_Partition], Condition | None]:
    """Choose partitions (index + hash values) and the residual filter condition."""
    wanted = set(flt.statuses) if flt.statuses else {s for s in Status if s.bucket == ACTIVE}
    buckets = [b for b in BUCKETS if any(s.bucket == b for s in wanted)]
    whole_buckets = all({s for s in Status if s.bucket == b} <= wanted for b in buckets)
    status_condition = None if whole_buckets else TicketItem.status.is_in(*sorted(s.value for s in wanted))
    conditions: list[Condition] = []

    def per_bucket(index: str, prefix: str) -> list[_Partition]:
        return [_Partition(index, f"{prefix}#{b}", "updated_at", False) for b in buckets]

    if flt.sort == "due":
        partitions = [_Partition("by_due", ACTIVE, "due_at", True)]  # active tickets only, earliest first
    elif flt.customer:
        partitions = [_Partition("by_customer", flt.customer.lower(), "updated_at", False)]
        if len(wanted) < len(Status):
            status_condition = TicketItem.status.is_in(*sorted(s.value for s in wanted))
    elif flt.assignee:
        partitions = per_bucket("by_assignee", flt.assignee)
    elif flt.tag:
        return per_bucket("by_tag", flt.tag), None  # tag items carry no ticket data: filtered after the BatchGet
    elif flt.queue:
        partitions = per_bucket("by_queue", flt.queue)
    elif status_condition is not None:
        partitions = [_Partition("by_status", s.value, "updated_at", False) for s in sorted(wanted)]
        status_condition = None
    else:
        partitions = [_Partition("by_bucket", b, "updated_at", False) for b in buckets]

    if status_condition is not None:
        conditions.append(status_condition)
    conditions.extend(residual_conditions(flt, skip_queue=partitions[0].index_name == "by_queue"))
    combined: Condition | None = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return partitions, combined


def residual_conditions(flt: TicketFilter, skip_queue: bool = False) -> list[Condition]:
    out: list[Condition] = []
    if flt.queue and not skip_queue:
        out.append(TicketItem.queue == flt.queue)
    if flt.priority:
        out.append(TicketItem.priority == flt.priority)
    if flt.mailbox:
        out.append(TicketItem.mailbox == flt.mailbox)
    if flt.project:
        out.append(TicketItem.project == flt.project)
    for name in ("private", "personal", "prio", "unread", "review"):
        value = getattr(flt, name)
        if value is not None and not (name == "unread" and flt.viewer):  # per agent: checked with the marks
            out.append(getattr(TicketItem, name) == value)
    if flt.sla:
        out.append(TicketItem.sla_state == flt.sla)
    if flt.q:
        out.append(TicketItem.search.contains(flt.q.strip().lower()[:100]))
    for term in flt.columns.values():
        out.append(TicketItem.search.contains(term))
    if flt.hidden_queues:
        out.append(~TicketItem.queue.is_in(*sorted(flt.hidden_queues)))
    if not flt.viewer_is_admin:
        # Private tickets: only their assignee sees them ("Als privat markieren").
        visible = (TicketItem.private == False) | TicketItem.private.does_not_exist()  # noqa: E712
        if flt.viewer:
            visible = visible | (TicketItem.assignee == flt.viewer)
        out.append(visible)
    return out


def customer_tickets_seen(email: str, hidden_queues: set[str], viewer: str) -> tuple[int, str | None]:
    """How many of a customer's tickets an agent may see, and when the newest of them was created.

    The customer item's ``ticket_count``/``last_ticket_at`` count for the whole team (admins get them
    as they are); for an agent one Query of the customer's entries in the ``by_customer`` index, with
    the access rule of the ticket list as its filter (:func:`residual_conditions`: no hidden queue, no
    private ticket of another agent), every page followed: it reads that customer's tickets, no others.
    """
    flt = TicketFilter(customer=email, hidden_queues=hidden_queues, viewer=viewer, viewer_is_admin=False)
    combined: Condition | None = None
    for condition in residual_conditions(flt):
        combined = condition if combined is None else combined & condition
    count, newest = 0, None
    for item in TicketTableItem.by_customer.query(email.lower(), filter_condition=combined):
        if isinstance(item, TicketItem):
            count += 1
            newest = max(newest or "", item.created_at or "") or None
    return count, newest


def column_filter(number: str | None, subject: str | None, customer: str | None) -> dict[str, str]:
    """The column filters a request asks for, normalised (lower case, trimmed, at most 100 characters)."""
    given = {"number": number, "subject": subject, "customer": customer}
    return {name: value.strip().lower()[:100] for name, value in given.items() if value and value.strip()}


def matches_columns(number: str, subject: str, email: str, name: str, flt: TicketFilter) -> bool:
    texts = {"number": number.lower(), "subject": subject.lower(), "customer": f"{email} {name}".lower()}
    return all(term in texts[column] for column, term in flt.columns.items())


def _raw_matches_columns(raw: dict[str, Any], flt: TicketFilter) -> bool:
    def text(name: str) -> str:
        return str(raw.get(name, {}).get("S", ""))

    return matches_columns(text("number"), text("subject"), text("customer_email"), text("customer_name"), flt)


def matches_residual(ticket: TicketItem, flt: TicketFilter) -> bool:
    """The same residual filter, in Python: for tag lists, whose index items carry no ticket data."""
    statuses = {s.value for s in (flt.statuses or [s for s in Status if s.bucket == ACTIVE])}
    checks = [
        ticket.status in statuses,
        not flt.queue or ticket.queue == flt.queue,
        not flt.priority or ticket.priority == flt.priority,
        not flt.mailbox or ticket.mailbox == flt.mailbox,
        not flt.project or ticket.project == flt.project,
        not flt.sla or ticket.sla_state == flt.sla,
        not flt.q or flt.q.strip().lower() in (ticket.search or ""),
        matches_columns(ticket.number, ticket.subject, ticket.customer_email or "", ticket.customer_name or "", flt),
        ticket.queue not in flt.hidden_queues,
        flt.viewer_is_admin or not ticket.private or ticket.assignee == flt.viewer,
    ]
    for name in ("private", "personal", "prio", "unread", "review"):
        value = getattr(flt, name)
        if value is not None and not (name == "unread" and flt.viewer):
            checks.append(bool(getattr(ticket, name)) == value)
    return all(checks)


SORTS = ("updated", "created", "due", "priority", "number", "customer")
# The order a sort takes unless asked otherwise: newest first, earliest due first, most urgent first, A to Z.
DEFAULT_DESCENDING = {
    "updated": True,
    "created": True,
    "due": False,
    "priority": True,
    "number": True,
    "customer": False,
}
PRIORITIES = ("lowest", "low", "medium", "high", "urgent")  # ascending urgency
# Sorts served by an index of their own over the buckets (numbers are handed out in creation order).
_SORT_INDEX = {
    "created": ("by_created", "created_at"),
    "number": ("by_created", "created_at"),
    "customer": ("by_customer_name", "customer_key"),
}


@dataclass
class _Phase:
    """One part of a sorted list: its partitions and filter; a later part starts where this one ends.
    ``prefix`` keeps the cursor positions of parts that read the same partitions apart; ``skip`` drops
    tickets after a tag list's BatchGet (tag items carry no ticket data to filter on)."""

    partitions: list[_Partition]
    condition: Condition | None
    prefix: str = ""
    skip: Callable[[TicketItem], bool] | None = None


def _and(*conditions: Condition | None) -> Condition | None:
    combined: Condition | None = None
    for condition in conditions:
        if condition is not None:
            combined = condition if combined is None else combined & condition
    return combined


def _ordered(partitions: list[_Partition], forward: bool) -> list[_Partition]:
    return [replace(p, forward=forward) for p in partitions]


def phases(flt: TicketFilter) -> list[_Phase]:
    """How a sort reads: every ticket the filter matches, in the sort's order, none left out because it
    lacks the sort's value (no due date: after the others; see docs/data-model.md "Sorting")."""
    desc = DEFAULT_DESCENDING.get(flt.sort, True) if flt.descending is None else flt.descending
    base = replace(flt, sort="updated")
    if flt.sort == "due":
        due_parts, due_condition = plan(flt)
        rest_parts, rest_condition = plan(base)
        tagged = rest_parts[0].index_name == "by_tag"  # tag items carry no due date: checked after the BatchGet
        no_due = None if tagged else TicketItem.due_bucket.does_not_exist()
        return [
            _Phase(_ordered(due_parts, not desc), due_condition),
            _Phase(rest_parts, _and(rest_condition, no_due), skip=(lambda t: bool(t.due_bucket)) if tagged else None),
        ]
    if flt.sort in _SORT_INDEX:
        index, attr = _SORT_INDEX[flt.sort]
        wanted = set(flt.statuses) if flt.statuses else {s for s in Status if s.bucket == ACTIVE}
        buckets = [b for b in BUCKETS if any(s.bucket == b for s in wanted)]
        whole = all({s for s in Status if s.bucket == b} <= wanted for b in buckets)
        conditions: list[Condition | None] = [
            None if whole else TicketItem.status.is_in(*sorted(s.value for s in wanted)),
            TicketItem.assignee == flt.assignee if flt.assignee else None,
            TicketItem.customer_email == flt.customer.lower() if flt.customer else None,
            TicketItem.tags.contains(flt.tag) if flt.tag else None,
            *residual_conditions(flt),
        ]
        out = [_Phase([_Partition(index, b, attr, not desc) for b in buckets], _and(*conditions))]
        if flt.sort == "customer":
            # tickets without a customer (and any written before the customer sort) carry no key: after the others
            rest_parts, rest_condition = plan(base)
            tagged = rest_parts[0].index_name == "by_tag"
            no_key = None if tagged else TicketItem.customer_key.does_not_exist()
            skip = (lambda t: bool(t.customer_key)) if tagged else None
            out.append(_Phase(rest_parts, _and(rest_condition, no_key), prefix="nokey|", skip=skip))
        return out
    partitions, condition = plan(base)
    if flt.sort == "priority" and not flt.priority:
        # one part per priority, most urgent first (each newest change first); unknown values last
        tagged = partitions[0].index_name == "by_tag"
        out = []
        for priority in reversed(PRIORITIES) if desc else PRIORITIES:
            match = None if tagged else TicketItem.priority == priority
            skip = (lambda t, p=priority: t.priority != p) if tagged else None
            out.append(_Phase(partitions, _and(condition, match), prefix=f"{priority}|", skip=skip))
        other = None if tagged else ~TicketItem.priority.is_in(*PRIORITIES)
        skip = (lambda t: t.priority in PRIORITIES) if tagged else None
        out.append(_Phase(partitions, _and(condition, other), prefix="other|", skip=skip))
        return out
    if flt.sort == "updated" and not desc:
        partitions = _ordered(partitions, True)
    return [_Phase(partitions, condition)]


def list_tickets(flt: TicketFilter, limit: int = 50, cursor: str | None = None, max_scanned: int | None = None) -> Page:
    """One page of the list in the filter's sort (:func:`phases`). A sort made of several parts (due
    date, then the tickets without one) hands them out one after another under one cursor."""
    limit = max(1, min(limit, 100))
    budget = max_scanned or max(1000, limit * 20)
    state = decode_cursor(cursor)
    parts = phases(flt)
    items: list[TicketItem] = []
    new_state: dict[str, Any] = {}
    unread: dict[str, bool] = {}
    scanned = requests = mark_reads = 0
    more = partial = False
    index = parts[0].partitions[0].index_name
    for n, phase in enumerate(parts):
        part = _read(flt, phase, state, limit - len(items), budget - scanned)
        items += part.items
        new_state.update(part.state)
        scanned += part.scanned
        requests += part.requests
        mark_reads += part.mark_reads
        unread.update(part.unread)
        partial = part.partial
        later = n + 1 < len(parts)
        more = part.more or later
        if part.more or len(items) >= limit or scanned >= budget:
            # this part continues on a later page (a later part starts once it is finished)
            partial = partial or (len(items) < limit and later and not part.more)
            break
    return Page(
        items=items,
        cursor=encode_cursor(new_state) if more else None,
        scanned=scanned,
        requests=requests,
        index=index,
        partial=partial,
        unread=unread,
        mark_reads=mark_reads,
    )


@dataclass
class _Part:
    items: list[TicketItem]
    state: dict[str, Any]
    scanned: int
    requests: int  # with the read marks' BatchGetItems
    more: bool
    partial: bool
    unread: dict[str, bool] = field(default_factory=dict)
    mark_reads: int = 0


def _read(flt: TicketFilter, phase: _Phase, state: dict[str, Any], limit: int, budget: int) -> _Part:
    partitions, condition, prefix = phase.partitions, phase.condition, phase.prefix
    page_size = limit + 1 if len(partitions) == 1 else max(10, limit // len(partitions) + 2)
    if flt.q or flt.columns:
        # Text filters keep few of the items a Query evaluates: larger pages, fewer round trips
        # (the same items are read either way; the read budget still bounds them).
        page_size = max(page_size, min(TEXT_PAGE_SIZE, budget))
    if flt.unread is not None and flt.viewer:
        # "Ungelesen" per agent looks at rounds of up to twice the page (see below): query that many at once.
        page_size = max(page_size, min(100, max(2 * limit, 20)) + 1)  # (+1: the merge looks one ahead)
    readers: list[_Reader] = []
    for part in partitions:
        key = f"{prefix}{part.index_name}:{part.hash_value}"
        start = state.get(key)
        if start == "done":
            continue
        if start is not None and not isinstance(start, dict):
            raise CursorError("invalid cursor")
        readers.append(_Reader(part, condition, start, page_size))

    def sort_value(raw: dict[str, Any], reader: _Reader) -> tuple[str, str]:
        value = raw.get(reader.part.sort_attr, {}).get("S", "")
        return value, raw["pk"]["S"]

    taken: list[dict[str, Any]] = []
    heap: list[tuple[Any, int]] = []
    forward = partitions[0].forward

    def push(i: int) -> None:
        reader = readers[i]
        while reader.head() is None and not reader.done and sum(r.scanned for r in readers) < budget:
            reader.fill()
        raw = reader.head()
        if raw is not None:
            value, pk = sort_value(raw, reader)
            key: Any = (value, pk) if forward else (_Desc(value), _Desc(pk))
            heapq.heappush(heap, (key, i))

    for i in range(len(readers)):
        push(i)
    partial = False
    # Index items of the tag index carry no ticket data: their column check follows the batch get.
    check_columns = bool(flt.columns) and partitions[0].index_name != "by_tag"
    # "Ungelesen" is per agent: whether a ticket is unread for the viewer needs their read mark, read
    # for a round of candidates at once (one BatchGetItem); tag lists check it after their BatchGet.
    per_agent = flt.unread is not None and bool(flt.viewer) and partitions[0].index_name != "by_tag"
    marks: dict[str, ReadMark] = {}
    looked: set[str] = set()  # tickets whose mark was read (a ticket without a mark has none to find)
    mark_reads = 0
    while heap and len(taken) < limit:
        if not per_agent:
            _, i = heapq.heappop(heap)
            raw = readers[i].take()
            if not check_columns or _raw_matches_columns(raw, flt):
                taken.append(raw)
            push(i)
            continue
        # A round looks ahead up to twice what the page still needs; what it took beyond the page is
        # handed back to its reader (in reverse order), so the cursor skips nothing.
        need = limit - len(taken)
        round_: list[tuple[int, dict[str, Any], dict[str, Any] | None]] = []
        while heap and len(round_) < min(100, max(2 * need, 20)):
            _, i = heapq.heappop(heap)
            before = readers[i].position
            raw = readers[i].take()
            round_.append((i, raw, before))
            push(i)
        ids = [raw["pk"]["S"] for _, raw, _ in round_]
        found = read_marks(flt.viewer or "", ids)
        mark_reads += 1
        looked.update(ids)
        marks.update(found)
        used = 0
        for _, raw, _ in round_:
            if len(taken) >= limit:
                break
            used += 1
            ticket = TicketTableItem.from_raw_data(raw)
            if not isinstance(ticket, TicketItem) or (check_columns and not _raw_matches_columns(raw, flt)):
                continue
            if is_unread(ticket, found.get(ticket.pk)) == flt.unread:
                taken.append(raw)
        for i, raw, before in reversed(round_[used:]):
            readers[i].buffer.appendleft(raw)
            readers[i].position = before
    if len(taken) < limit and any(not r.done for r in readers):
        partial = True

    new_state: dict[str, Any] = {}
    for part in partitions:
        key = f"{prefix}{part.index_name}:{part.hash_value}"
        if state.get(key) == "done":
            new_state[key] = "done"
    for reader in readers:
        key = f"{prefix}{reader.part.index_name}:{reader.part.hash_value}"
        if reader.done:
            new_state[key] = "done"
        elif reader.position is not None:
            new_state[key] = reader.position
        # A partition that has handed out nothing yet has no position: the cursor leaves it out and
        # the next page reads it from its start (its items are all older than the ones handed out).
    more = any(not r.done for r in readers)

    items = [TicketTableItem.from_raw_data(raw) for raw in taken]
    tickets: list[TicketItem]
    requests = sum(r.requests for r in readers)
    if partitions[0].index_name == "by_tag":
        from .tickets import TicketStore

        by_id = TicketStore().batch_tickets([i.pk for i in items])
        requests += 1 if items else 0
        tickets = [
            by_id[i.pk]
            for i in items
            if i.pk in by_id
            and matches_residual(by_id[i.pk], flt)
            and not (phase.skip is not None and phase.skip(by_id[i.pk]))
        ]
    else:
        tickets = [i for i in items if isinstance(i, TicketItem)]
    unread: dict[str, bool] = {}
    if flt.viewer and tickets:
        missing = [t.pk for t in tickets if t.pk not in looked]
        if missing:  # one BatchGetItem for the page (a page is at most 100 tickets)
            marks.update(read_marks(flt.viewer, missing))
            mark_reads += 1
        unread = {t.pk: is_unread(t, marks.get(t.pk)) for t in tickets}
        if flt.unread is not None and not per_agent:  # a tag list: its tickets came with the BatchGet
            tickets = [t for t in tickets if unread[t.pk] == flt.unread]
    return _Part(
        tickets, new_state, sum(r.scanned for r in readers), requests + mark_reads, more, partial, unread, mark_reads
    )


class _Desc:
    """Inverts ordering for a max-heap on strings."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)
