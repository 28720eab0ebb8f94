"""The live socket's protocol, pure: frames the client sends, messages the server sends, presence rules.

Nothing here talks to AWS. ``docs/api.md`` ("Live socket") describes the same protocol for clients.

Server → client messages are JSON objects with a ``type``; clients ignore types they do not know, so
later kinds (``notification``, ``conflict``) travel on the same socket without a new protocol.
Messages carry ids and small summaries only — never a subject, a body or an address: the client
fetches what it shows over the REST API, which checks access again.
"""

# No "from __future__ import annotations": msgspec reads the frames' annotations as objects.
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

import msgspec

from .dataclass import dataclass
from .records import record_error

PROTOCOL = 1
PRESENCE_TTL = 30  # seconds a presence lasts after its last heartbeat
HEARTBEAT_MIN = 10  # a same-state heartbeat younger than this is not written again
CONNECTION_TTL = 2 * 3600 + 300  # API Gateway ends every connection after 2 h; the items go a little later
TOKEN_LEEWAY = 60  # seconds a socket may outlive its ID token before it is asked to reconnect
MAX_FRAME = 4096  # bytes: every client frame is tiny

PresenceState = Literal["viewing", "typing", "left"]
TicketId = Annotated[str, msgspec.Meta(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]

# What of a ticket a live message may carry (its item attribute names). No subject, no customer.
# ("unread" is per agent: an agent's own ``read`` message tells it, never the ticket summary.)
SUMMARY_FIELDS = ("number", "status", "queue", "assignee", "priority", "bucket", "updated_at", "version")


class _Frame(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A client frame: strict (``"true"`` is not a boolean), no field it does not know."""


class Subscribe(_Frame, kw_only=True):
    """What this socket wants to hear about: the inbox (ticket changes it may see) and one open ticket."""

    action: Literal["subscribe"]
    inbox: bool = True
    ticket: TicketId | None = None
    # The inbox shows a search (``?q=``): tell me when a ticket's search index changed (``indexed``), so a
    # new matching ticket appears — the index follows the ticket's change, after the ``ticket`` message.
    search: bool = False


class Presence(_Frame, kw_only=True):
    """I am viewing / typing in / leaving the ticket this socket is subscribed to (a heartbeat)."""

    action: Literal["presence"]
    ticket: TicketId
    state: PresenceState


class Ping(_Frame, kw_only=True):
    action: Literal["ping"]


FRAMES: dict[str, type[Subscribe | Presence | Ping]] = {"subscribe": Subscribe, "presence": Presence, "ping": Ping}
ACTIONS = tuple(FRAMES)


class FrameError(ValueError):
    """A client frame the server does not take: ``code`` is what the client reads."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_frame(body: str | None) -> Subscribe | Presence | Ping:
    if not body:
        raise FrameError("bad_request", "empty frame")
    if len(body.encode("utf-8", "surrogatepass")) > MAX_FRAME:
        raise FrameError("too_large", f"frames are at most {MAX_FRAME} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # "[[[[…" within the size ends at the recursion limit
        raise FrameError("bad_request", "a frame is a JSON object") from exc
    if not isinstance(data, dict):
        raise FrameError("bad_request", "a frame is a JSON object")
    frame = FRAMES.get(str(data.get("action")))
    if frame is None:
        raise FrameError("unknown_action", f"action must be one of {', '.join(ACTIONS)}")
    try:
        return msgspec.convert(data, frame)
    except msgspec.ValidationError as exc:
        first = record_error(exc).errors()[0]  # the field msgspec names, as the API's 400 names it
        where = ".".join(str(part) for part in first["loc"]) or "frame"
        raise FrameError("bad_request", f"{where}: {first['msg']}") from exc


# ------------------------------------------------------------------------------------------- messages


def encode(message: Mapping[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def ticket_summary(ticket_id: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """A ticket item (plain Python values) → the few fields a live message carries."""
    summary: dict[str, Any] = {"id": ticket_id}
    for name in SUMMARY_FIELDS:
        value = item.get(name)
        if name == "version" and value is not None:
            value = int(value)
        summary[name] = value
    return summary


@dataclass(frozen=True)
class EventNote:
    """An event of the ticket's history, as a live message names it: what happened, who did it, when."""

    id: str
    type: str
    actor: str
    at: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "type": self.type, "actor": self.actor, "at": self.at}


def ticket_message(summary: Mapping[str, Any], events: Iterable[EventNote] = ()) -> dict[str, Any]:
    return {"type": "ticket", "ticket": dict(summary), "events": [e.to_json() for e in events]}


def indexed_message(ticket_id: str) -> dict[str, Any]:
    """To searching inbox sockets that may see the ticket: its search index changed (a search may now find
    it, or no longer): re-read the search."""
    return {"type": "indexed", "ticket_id": ticket_id}


def read_message(ticket_id: str, unread: bool) -> dict[str, Any]:
    """To the sockets of the one agent whose read mark changed (their other tabs): read or unread for them."""
    return {"type": "read", "ticket_id": ticket_id, "unread": unread}


@dataclass(frozen=True)
class Viewer:
    """One agent's presence on one ticket (one per socket: two tabs are two viewers of the same user)."""

    user: str
    name: str
    state: str
    expires_at: int
    connection_id: str = ""


def collapse(viewers: Iterable[Viewer], now: float) -> list[Viewer]:
    """Who is on a ticket now: expired heartbeats dropped, one entry per agent (typing wins over
    viewing, the later expiry over the earlier), sorted by name."""
    best: dict[str, Viewer] = {}
    for viewer in viewers:
        if viewer.expires_at <= now or viewer.state not in ("viewing", "typing"):
            continue
        seen = best.get(viewer.user)
        if seen is None or (viewer.state == "typing", viewer.expires_at) > (seen.state == "typing", seen.expires_at):
            best[viewer.user] = viewer
    return sorted(best.values(), key=lambda v: (v.name.lower(), v.user))


def presence_message(ticket_id: str, viewers: Iterable[Viewer]) -> dict[str, Any]:
    """To the subscribers of a ticket: everyone on it now (the client leaves itself out)."""
    return {
        "type": "presence",
        "ticket_id": ticket_id,
        "viewers": [{"user": v.user, "name": v.name, "state": v.state, "expires_at": v.expires_at} for v in viewers],
    }


def typing_message(ticket_id: str, viewers: Iterable[Viewer]) -> dict[str, Any]:
    """To inbox subscribers: who is writing a reply on a ticket (empty: nobody any more)."""
    typing = [v for v in viewers if v.state == "typing"]
    return {
        "type": "typing",
        "ticket_id": ticket_id,
        "users": [{"user": v.user, "name": v.name} for v in typing],
        "expires_at": max((v.expires_at for v in typing), default=0),
    }


def subscribed_message(
    inbox: bool,
    ticket_id: str | None,
    viewers: Iterable[Viewer],
    typing: Mapping[str, Iterable[Viewer]],
    search: bool = False,
) -> dict[str, Any]:
    """The answer to ``subscribe``: what this socket now hears, with the current presence and typing markers."""
    return {
        "type": "subscribed",
        "protocol": PROTOCOL,
        "inbox": inbox,
        "search": search,
        "ticket": ticket_id,
        "presence": presence_message(ticket_id, viewers)["viewers"] if ticket_id else [],
        "typing": [typing_message(tid, people) for tid, people in sorted(typing.items())] if inbox else [],
        "heartbeat": HEARTBEAT_MIN,
        "presence_ttl": PRESENCE_TTL,
    }


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def pong(now: float) -> dict[str, Any]:
    return {"type": "pong", "at": int(now)}


def token_expired(token_exp: int, now: float) -> bool:
    return token_exp + TOKEN_LEEWAY < now
