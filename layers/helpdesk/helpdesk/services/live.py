"""Use cases of the live socket: connect, subscribe, presence, ping, disconnect, and the fan-out of
ticket changes from the tickets table's stream to the sockets that may see them.

Who may see what is decided in one place, :func:`may_see`, with the REST API's own rule
(``services/access.py``) and the agent's standing *now* (deactivated agents and admins made agents
lose what they lost on the next message, not when their token ends). Messages carry ids and
summaries only; the client re-reads over the REST API, which checks again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import field
from typing import Any, Protocol

import jwt

from ..aws.live import Delivery
from ..domain.access import Viewer as AccessViewer
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.live import (
    SUMMARY_FIELDS,
    EventNote,
    FrameError,
    Ping,
    Presence,
    Subscribe,
    Viewer,
    collapse,
    encode,
    error_message,
    indexed_message,
    parse_frame,
    pong,
    presence_message,
    read_message,
    subscribed_message,
    ticket_message,
    ticket_summary,
    token_expired,
    typing_message,
)
from ..store.config_store import ConfigStore
from ..store.live import INBOX, SEARCH, Connection, LiveStore, Subscriber, topic_of
from ..store.models import TicketItem
from ..store.plain import from_item
from ..store.tickets import TicketStore
from .access import may_access
from .identity import IdentityError, NotAuthenticated, Principal, standing


class Poster(Protocol):
    def post_many(self, messages: Sequence[tuple[str, bytes]]) -> Delivery: ...

    def close(self, connection_id: str) -> None: ...


@dataclass
class LiveDeps:
    store: LiveStore
    tickets: TicketStore
    config: ConfigStore
    poster: Poster
    verify: Callable[[str], Principal]
    clock: Callable[[], float] = time.time


def may_see(ticket: TicketItem, viewer: Principal, cfg: ConfigSnapshot) -> bool:
    """The access decision for everything the socket sends: the REST API's, unchanged."""
    return may_access(ticket, AccessViewer(viewer.username, viewer.is_admin), cfg)


class Refused(Exception):
    """A subscriber who may no longer hear anything: ``code`` tells the client why (it reconnects)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def viewer_of(who: Connection | Subscriber, cfg: ConfigSnapshot, now: float) -> Principal:
    """The agent behind a socket as the configuration sees them now; :class:`Refused` when they may
    hear nothing (token expired, account deactivated)."""
    if token_expired(who.token_exp, now):
        raise Refused("token_expired", "the ID token of this socket has expired: reconnect with a fresh one")
    principal = Principal(username=who.user, email=who.email, groups=frozenset(who.groups))
    try:
        return standing(principal, cfg)
    except NotAuthenticated as exc:
        raise Refused("unauthorized", exc.message) from exc


# ------------------------------------------------------------------------------------------ socket routes


def connect(deps: LiveDeps, connection_id: str, token: str | None) -> Connection:
    """``$connect``: the ID token (query parameter ``token``) is checked like a bearer token; raises
    :class:`~helpdesk.services.identity.IdentityError` (the socket is refused with its status)."""
    if not token:
        raise NotAuthenticated("missing token (connect with ?token=<ID token>)")
    principal = deps.verify(token)
    cfg = deps.config.snapshot()
    principal = standing(principal, cfg)
    claims = jwt.decode(token, options={"verify_signature": False})  # verified just above
    agent = cfg.agent(principal.username)
    conn = Connection(
        id=connection_id,
        user=principal.username,
        email=principal.email,
        name=(agent.name if agent else "") or principal.username,
        groups=tuple(sorted(principal.groups)),
        token_exp=int(claims.get("exp", 0)),
        connected_at=int(deps.clock()),
    )
    deps.store.put_connection(conn)
    return conn


def disconnect(deps: LiveDeps, connection_id: str) -> None:
    """``$disconnect`` (also when a post found the socket gone): forget it, tell its ticket's viewers."""
    dropped = deps.store.drop(connection_id)
    if dropped.presence_ticket:
        ticket = deps.tickets.get(dropped.presence_ticket)
        if ticket is not None:
            broadcast_presence(deps, ticket, typing_changed=dropped.was_typing)


def message(deps: LiveDeps, connection_id: str, body: str | None) -> dict[str, Any]:
    """A client frame → the answer sent back on the same socket (``subscribed``, ``presence``, ``pong``, ``error``)."""
    now = deps.clock()
    try:
        frame = parse_frame(body)
    except FrameError as exc:
        return error_message(exc.code, exc.message)
    conn = deps.store.connection(connection_id)
    if conn is None:
        return error_message("not_connected", "this socket is not known (any more): reconnect")
    cfg = deps.config.snapshot()
    try:
        viewer = viewer_of(conn, cfg, now)
    except Refused as exc:
        return error_message(exc.code, exc.message)
    if isinstance(frame, Ping):
        return pong(now)
    if isinstance(frame, Subscribe):
        return _subscribe(deps, conn, viewer, cfg, frame, now)
    return _presence(deps, conn, viewer, cfg, frame, now)


def _ticket_for(deps: LiveDeps, ticket_id: str, viewer: Principal, cfg: ConfigSnapshot) -> TicketItem:
    ticket = deps.tickets.get(ticket_id)
    if ticket is None or not may_see(ticket, viewer, cfg):  # hidden: as if it did not exist
        raise FrameError("not_found", "no such ticket")
    return ticket


def _subscribe(
    deps: LiveDeps, conn: Connection, viewer: Principal, cfg: ConfigSnapshot, frame: Subscribe, now: float
) -> dict[str, Any]:
    try:
        if frame.ticket:
            _ticket_for(deps, frame.ticket, viewer, cfg)
    except FrameError as exc:
        return error_message(exc.code, exc.message)
    left = conn.ticket if conn.ticket and conn.ticket != frame.ticket else None
    search = frame.inbox and frame.search  # a search is the inbox's
    deps.store.subscribe(conn, frame.inbox, frame.ticket, search)
    if left:
        had = deps.store.remove_presence(conn, left)
        old = deps.tickets.get(left) if had else None
        if old is not None:
            broadcast_presence(deps, old, typing_changed=had == "typing", exclude=conn.id)
    viewers = collapse(deps.store.viewers(frame.ticket, now), now) if frame.ticket else []
    typing: dict[str, list[Viewer]] = {}
    if frame.inbox:
        markers = deps.store.typing(now)
        visible = deps.tickets.batch_tickets(list(markers)) if markers else {}
        typing = {
            tid: collapse(people, now)
            for tid, people in markers.items()
            if tid in visible and may_see(visible[tid], viewer, cfg)
        }
    return subscribed_message(frame.inbox, frame.ticket, viewers, typing, search)


def _presence(
    deps: LiveDeps, conn: Connection, viewer: Principal, cfg: ConfigSnapshot, frame: Presence, now: float
) -> dict[str, Any]:
    if conn.ticket != frame.ticket:
        return error_message("not_subscribed", "subscribe to the ticket before announcing presence on it")
    try:
        ticket = _ticket_for(deps, frame.ticket, viewer, cfg)
    except FrameError as exc:
        return error_message(exc.code, exc.message)
    if frame.state == "left":
        before = deps.store.remove_presence(conn, frame.ticket)
        changed, typing_changed = before is not None, before == "typing"
    else:
        changed, before = deps.store.put_presence(conn, frame.ticket, frame.state, now)
        typing_changed = changed and (frame.state == "typing" or before == "typing")
    viewers = collapse(deps.store.viewers(frame.ticket, now), now)
    if changed:
        broadcast_presence(deps, ticket, typing_changed=typing_changed, exclude=conn.id, viewers=viewers)
    return presence_message(frame.ticket, viewers)


# ------------------------------------------------------------------------------------------- delivery


@dataclass
class FanOutReport:
    tickets: int = 0
    messages: int = 0
    sent: int = 0
    gone: int = 0
    denied: int = 0
    refused: int = 0
    failed: int = 0
    seconds: float = 0.0


@dataclass
class _Outbox:
    """Messages of one delivery round, at most one decision per socket."""

    deps: LiveDeps
    cfg: ConfigSnapshot
    now: float
    report: FanOutReport
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    viewers: dict[str, Principal | Refused] = field(default_factory=dict)

    def viewer(self, sub: Subscriber) -> Principal | None:
        if sub.connection_id not in self.viewers:
            try:
                self.viewers[sub.connection_id] = viewer_of(sub, self.cfg, self.now)
            except Refused as exc:
                self.viewers[sub.connection_id] = exc
                self.messages.append((sub.connection_id, encode(error_message(exc.code, exc.message))))
        found = self.viewers[sub.connection_id]
        return found if isinstance(found, Principal) else None

    def offer(self, subscribers: Iterable[Subscriber], ticket: TicketItem, payload: bytes, exclude: str = "") -> None:
        seen: set[str] = set()
        for sub in subscribers:
            if sub.connection_id in seen or sub.connection_id == exclude:
                continue
            seen.add(sub.connection_id)
            viewer = self.viewer(sub)
            if viewer is None:
                continue
            if not may_see(ticket, viewer, self.cfg):
                self.report.denied += 1
                continue
            self.messages.append((sub.connection_id, payload))

    def deliver(self) -> None:
        self.report.messages += len(self.messages)
        delivery = self.deps.poster.post_many(self.messages)
        self.report.sent += delivery.sent
        self.report.failed += len(delivery.failed)
        for connection_id in delivery.gone:
            self.report.gone += 1
            self.deps.store.drop(connection_id)
        refused = [cid for cid, verdict in self.viewers.items() if isinstance(verdict, Refused)]
        for connection_id in refused:
            self.report.refused += 1
            self.deps.poster.close(connection_id)
            if connection_id not in delivery.gone:
                self.deps.store.drop(connection_id)
        self.messages = []


def broadcast_presence(
    deps: LiveDeps,
    ticket: TicketItem,
    *,
    typing_changed: bool,
    exclude: str = "",
    viewers: list[Viewer] | None = None,
) -> FanOutReport:
    """Tell a ticket's subscribers who is on it; when someone started or stopped typing, tell the
    inbox subscribers who may see the ticket too (their list marks tickets being answered)."""
    now = deps.clock()
    report = FanOutReport(tickets=1)
    people = viewers if viewers is not None else collapse(deps.store.viewers(ticket.pk, now), now)
    outbox = _Outbox(deps, deps.config.snapshot(), now, report)
    outbox.offer(
        deps.store.subscribers(topic_of(ticket.pk)), ticket, encode(presence_message(ticket.pk, people)), exclude
    )
    if typing_changed:
        outbox.offer(deps.store.subscribers(INBOX), ticket, encode(typing_message(ticket.pk, people)))
    outbox.deliver()
    return report


@dataclass
class _Change:
    ticket: TicketItem | None = None
    events: list[EventNote] = field(default_factory=list)


@dataclass(frozen=True)
class ReadChange:
    """An agent's read mark was written: (ticket, agent, marked unread by hand)."""

    ticket_id: str
    agent: str
    unread: bool


def reads_of(records: Iterable[Mapping[str, Any]]) -> list[ReadChange]:
    """Stream records of read marks (``kind = read``) → who read or marked unread what (the last per agent
    and ticket)."""
    found: dict[tuple[str, str], ReadChange] = {}
    for record in records:
        image = (record.get("dynamodb") or {}).get("NewImage") or {}
        if image.get("kind", {}).get("S") != "read":
            continue
        ticket_id = image.get("pk", {}).get("S", "")
        agent = image.get("agent", {}).get("S", "")
        if ticket_id and agent:
            found[(ticket_id, agent)] = ReadChange(ticket_id, agent, bool(image.get("unread", {}).get("BOOL", False)))
    return list(found.values())


def changes_of(records: Iterable[Mapping[str, Any]]) -> dict[str, _Change]:
    """Stream records (NEW_IMAGE) → per ticket: its newest ticket image and the events written."""
    changes: dict[str, _Change] = {}
    for record in records:
        image = (record.get("dynamodb") or {}).get("NewImage") or {}
        kind = image.get("kind", {}).get("S")
        ticket_id = image.get("pk", {}).get("S")
        if not ticket_id or kind not in ("ticket", "event", "message"):
            continue
        change = changes.setdefault(ticket_id, _Change())
        if kind == "ticket":
            ticket = TicketItem.from_raw_data(image)
            if change.ticket is None or (ticket.version or 0) >= (change.ticket.version or 0):
                change.ticket = ticket
        elif kind == "event" and record.get("eventName") == "INSERT":
            item = from_item({key: value for key, value in image.items() if key in ("id", "type", "actor")})
            at = image.get("created_at", {}).get("S", "")
            change.events.append(
                EventNote(str(item.get("id", "")), str(item.get("type", "")), str(item.get("actor", "")), at)
            )
    return changes


def indexed_of(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """Stream records of the search table (keys only) → the tickets whose manifest was written: their
    search index changed (``M#<ticket id>`` / ``M``; customers' manifests are ``MC#…``)."""
    found: dict[str, None] = {}
    for record in records:
        keys = (record.get("dynamodb") or {}).get("Keys") or {}
        pk, sk = keys.get("pk", {}).get("S", ""), keys.get("sk", {}).get("S", "")
        if sk == "M" and pk.startswith("M#") and len(pk) > 2:
            found[pk[2:]] = None
    return list(found)


def fan_out(deps: LiveDeps, records: Iterable[Mapping[str, Any]]) -> FanOutReport:
    """Ticket changes (stream records) → one ``ticket`` message per change and socket that may see it:
    to every inbox subscriber and to the ticket's own subscribers. Gone sockets are dropped.

    Records of the search table's stream (its second event source: a ticket's index changed, which
    the publisher does after the change) → ``indexed`` to the inbox sockets showing a search that may
    see the ticket: a new matching ticket was not in the search when its ``ticket`` message came."""
    started = time.monotonic()
    report = FanOutReport()
    records = list(records)
    changes = changes_of(records)
    reads = reads_of(records)
    indexed = indexed_of(records)
    if indexed:
        _fan_out_indexed(deps, indexed, report)
    if not changes and not reads:
        report.seconds = time.monotonic() - started
        return report
    unseen = [tid for tid, change in changes.items() if change.ticket is None]
    if unseen:
        for tid, ticket in deps.tickets.batch_tickets(unseen).items():
            changes[tid].ticket = ticket
    inbox = deps.store.subscribers(INBOX)
    outbox = _Outbox(deps, deps.config.snapshot(), deps.clock(), report)
    for tid, change in changes.items():
        if change.ticket is None:
            continue
        report.tickets += 1
        summary = ticket_summary(tid, {name: getattr(change.ticket, name, None) for name in SUMMARY_FIELDS})
        payload = encode(ticket_message(summary, change.events))
        outbox.offer([*inbox, *deps.store.subscribers(topic_of(tid))], change.ticket, payload)
    for read in reads:  # only the agent's own sockets: their inbox and their views of that ticket
        payload = encode(read_message(read.ticket_id, read.unread))
        seen: set[str] = set()
        for sub in [*inbox, *deps.store.subscribers(topic_of(read.ticket_id))]:
            if sub.user != read.agent or sub.connection_id in seen or outbox.viewer(sub) is None:
                continue
            seen.add(sub.connection_id)
            outbox.messages.append((sub.connection_id, payload))
    outbox.deliver()
    report.seconds = time.monotonic() - started
    return report


def _fan_out_indexed(deps: LiveDeps, ticket_ids: list[str], report: FanOutReport) -> None:
    searching = deps.store.subscribers(SEARCH)
    if not searching:  # nobody searches (the usual case): one Query of an empty partition
        return
    outbox = _Outbox(deps, deps.config.snapshot(), deps.clock(), report)
    for tid, ticket in deps.tickets.batch_tickets(ticket_ids).items():
        report.tickets += 1
        outbox.offer(searching, ticket, encode(indexed_message(tid)))
    outbox.deliver()


def refuse_status(exc: Exception) -> int:
    """The HTTP status a refused ``$connect`` answers with."""
    return exc.status if isinstance(exc, IdentityError) else 500
