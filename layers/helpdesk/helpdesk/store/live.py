"""The live table: open sockets, what they subscribed to, and presence heartbeats. Everything has a TTL.

One table (``LiveTable`` in template.yaml, ``HELPDESK_LIVE_TABLE``), apart from the tickets: nothing
here ever touches a ticket item or its version, and the table can be emptied at any time (sockets
reconnect and subscribe again). Key spaces:

``C#<connection>`` / ``C``         the socket: agent, groups, token expiry, what it subscribed to
``S#inbox`` / ``<connection>``     subscribed to the inbox (everything its agent may see)
``S#T#<ticket>`` / ``<connection>`` subscribed to one ticket (its open ticket view)
``S#search`` / ``<connection>``    its inbox shows a search: told when a ticket's search index changed
``P#<ticket>`` / ``<connection>``   presence: viewing | typing, ``expires_at`` = last heartbeat + 30 s
``TYPING`` / ``<ticket>#<connection>`` who is typing where, for the inbox's markers (same expiry)
``ONLINE`` / ``<connection>``      an open socket's agent: who has the app open (fair assignment's presence)

A subscriber item repeats the agent and groups, so a fan-out is one Query per topic. ``expires_at``
is DynamoDB's TTL attribute; TTL deletes late (hours), so every reader also filters on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import field, replace
from typing import TYPE_CHECKING, Any

from ..aws import clients
from ..domain.dataclass import dataclass
from ..domain.live import CONNECTION_TTL, HEARTBEAT_MIN, PRESENCE_TTL, Viewer
from .plain import batch_write, key_value_shape
from .plain import from_item as _plain
from .plain import to_item as _item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_ENV = "HELPDESK_LIVE_TABLE"
TTL_ATTRIBUTE = "expires_at"
TABLE_SHAPE = key_value_shape()
INBOX = "inbox"
ONLINE = "ONLINE"
SEARCH = "search"  # inbox sockets showing a search (they also hear when a ticket's search index changed)


def table_name() -> str:
    return os.environ.get(TABLE_ENV, "helpdesk-live")


def topic_of(ticket_id: str | None) -> str:
    return f"T#{ticket_id}" if ticket_id else INBOX


@dataclass(frozen=True)
class Connection:
    id: str
    user: str
    email: str = ""
    name: str = ""
    groups: tuple[str, ...] = ()
    token_exp: int = 0
    connected_at: int = 0
    inbox: bool = False
    ticket: str | None = None
    search: bool = False  # its inbox shows a search: hears ``indexed``


@dataclass(frozen=True)
class Subscriber:
    connection_id: str
    user: str
    email: str = ""
    groups: tuple[str, ...] = ()
    token_exp: int = 0


@dataclass
class Dropped:
    """What removing a socket removed: its presence ticket (whose viewers should hear of it)."""

    connection: Connection | None
    presence_ticket: str | None = None
    was_typing: bool = False


@dataclass
class LiveStore:
    table: str = field(default_factory=table_name)

    @property
    def ddb(self) -> DynamoDBClient:
        return clients.dynamodb()

    # ------------------------------------------------------------------------------------ connections

    def put_connection(self, conn: Connection) -> None:
        self.ddb.put_item(
            TableName=self.table,
            Item=_item(
                {
                    "pk": f"C#{conn.id}",
                    "sk": "C",
                    "user": conn.user,
                    "email": conn.email,
                    "name": conn.name,
                    "groups": list(conn.groups),
                    "token_exp": conn.token_exp,
                    "connected_at": conn.connected_at,
                    "inbox": conn.inbox,
                    "ticket": conn.ticket,
                    "search": conn.search,
                    "expires_at": conn.connected_at + CONNECTION_TTL,
                }
            ),
        )
        self.ddb.put_item(
            TableName=self.table,
            Item=_item(
                {"pk": ONLINE, "sk": conn.id, "user": conn.user, "expires_at": conn.connected_at + CONNECTION_TTL}
            ),
        )

    def online(self, now: float) -> set[str]:
        """The agents with an open socket (the app open) now: one Query."""
        return {str(i["user"]) for i in self._query(ONLINE) if int(i.get("expires_at", 0)) > now and i.get("user")}

    def connection(self, connection_id: str) -> Connection | None:
        found = self.ddb.get_item(
            TableName=self.table, Key=_item({"pk": f"C#{connection_id}", "sk": "C"}), ConsistentRead=True
        ).get("Item")
        if not found:
            return None
        data = _plain(found)
        return Connection(
            id=connection_id,
            user=str(data.get("user", "")),
            email=str(data.get("email", "")),
            name=str(data.get("name", "")),
            groups=tuple(str(g) for g in data.get("groups", [])),
            token_exp=int(data.get("token_exp", 0)),
            connected_at=int(data.get("connected_at", 0)),
            inbox=bool(data.get("inbox", False)),
            ticket=str(data["ticket"]) if data.get("ticket") else None,
            search=bool(data.get("search", False)),
        )

    def subscribe(self, conn: Connection, inbox: bool, ticket: str | None, search: bool = False) -> Connection:
        """Replace what ``conn`` listens to; returns the connection as stored now."""
        expires = conn.connected_at + CONNECTION_TTL
        sub = {
            "user": conn.user,
            "email": conn.email,
            "groups": list(conn.groups),
            "token_exp": conn.token_exp,
            "expires_at": expires,
        }
        requests: list[dict[str, Any]] = []

        def put(topic: str) -> None:
            requests.append({"PutRequest": {"Item": _item({"pk": f"S#{topic}", "sk": conn.id, **sub})}})

        def delete(topic: str) -> None:
            requests.append({"DeleteRequest": {"Key": _item({"pk": f"S#{topic}", "sk": conn.id})}})

        if inbox and not conn.inbox:
            put(INBOX)
        elif conn.inbox and not inbox:
            delete(INBOX)
        if search and not conn.search:
            put(SEARCH)
        elif conn.search and not search:
            delete(SEARCH)
        if ticket != conn.ticket:
            if conn.ticket:
                delete(topic_of(conn.ticket))
            if ticket:
                put(topic_of(ticket))
        self._batch(requests)
        updated = replace(conn, inbox=inbox, ticket=ticket, search=search)
        self.put_connection(updated)
        return updated

    def subscribers(self, topic: str) -> list[Subscriber]:
        found = []
        for data in self._query(f"S#{topic}"):
            found.append(
                Subscriber(
                    connection_id=str(data["sk"]),
                    user=str(data.get("user", "")),
                    email=str(data.get("email", "")),
                    groups=tuple(str(g) for g in data.get("groups", [])),
                    token_exp=int(data.get("token_exp", 0)),
                )
            )
        return found

    def drop(self, connection_id: str) -> Dropped:
        """Remove a socket and everything it subscribed to or announced (disconnect, or gone on a post)."""
        conn = self.connection(connection_id)
        keys = [
            {"pk": f"C#{connection_id}", "sk": "C"},
            {"pk": f"S#{INBOX}", "sk": connection_id},
            {"pk": ONLINE, "sk": connection_id},
        ]
        dropped = Dropped(conn)
        if conn is not None and conn.search:
            keys.append({"pk": f"S#{SEARCH}", "sk": connection_id})
        if conn is not None and conn.ticket:
            keys.append({"pk": f"S#{topic_of(conn.ticket)}", "sk": connection_id})
            presence = self._presence_item(conn.ticket, connection_id)
            if presence is not None:
                dropped.presence_ticket = conn.ticket
                dropped.was_typing = presence.get("state") == "typing"
                keys.append({"pk": f"P#{conn.ticket}", "sk": connection_id})
                keys.append({"pk": "TYPING", "sk": f"{conn.ticket}#{connection_id}"})
        self._batch([{"DeleteRequest": {"Key": _item(key)}} for key in keys])
        return dropped

    # --------------------------------------------------------------------------------------- presence

    def put_presence(self, conn: Connection, ticket_id: str, state: str, now: float) -> tuple[bool, str | None]:
        """Record a heartbeat; returns (written, the state before).

        A heartbeat with the same state younger than ``HEARTBEAT_MIN`` seconds is not written (the
        condition refuses it), so a chatty client costs one failed conditional write, not a fan-out.
        """
        before = self._presence_item(ticket_id, conn.id)
        previous = str(before["state"]) if before and int(before.get("expires_at", 0)) > now else None
        if before and previous == state and now - float(before.get("at", 0)) < HEARTBEAT_MIN:
            return False, previous
        expires = int(now) + PRESENCE_TTL
        values = {"user": conn.user, "name": conn.name or conn.user, "expires_at": expires}
        try:
            self.ddb.put_item(
                TableName=self.table,
                Item=_item({"pk": f"P#{ticket_id}", "sk": conn.id, "state": state, "at": int(now), **values}),
                ConditionExpression="attribute_not_exists(pk) OR #s <> :s OR #at < :fresh",
                ExpressionAttributeNames={"#s": "state", "#at": "at"},
                ExpressionAttributeValues=_item({":s": state, ":fresh": int(now) - HEARTBEAT_MIN}),
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False, previous
        marker = {"pk": "TYPING", "sk": f"{ticket_id}#{conn.id}"}
        if state == "typing":
            self.ddb.put_item(TableName=self.table, Item=_item({**marker, "ticket": ticket_id, **values}))
        elif previous == "typing":
            self.ddb.delete_item(TableName=self.table, Key=_item(marker))
        return True, previous

    def remove_presence(self, conn: Connection, ticket_id: str) -> str | None:
        """Forget ``conn``'s presence on a ticket; returns the state it had (None: it had none)."""
        before = self._presence_item(ticket_id, conn.id)
        if before is None:
            return None
        self._batch(
            [
                {"DeleteRequest": {"Key": _item({"pk": f"P#{ticket_id}", "sk": conn.id})}},
                {"DeleteRequest": {"Key": _item({"pk": "TYPING", "sk": f"{ticket_id}#{conn.id}"})}},
            ]
        )
        return str(before.get("state"))

    def viewers(self, ticket_id: str, now: float) -> list[Viewer]:
        return [
            Viewer(
                user=str(d.get("user", "")),
                name=str(d.get("name", "")),
                state=str(d.get("state", "")),
                expires_at=int(d.get("expires_at", 0)),
                connection_id=str(d["sk"]),
            )
            for d in self._query(f"P#{ticket_id}")
            if int(d.get("expires_at", 0)) > now
        ]

    def typing(self, now: float) -> dict[str, list[Viewer]]:
        """Every ticket someone is writing a reply on now (for an inbox that just subscribed)."""
        found: dict[str, list[Viewer]] = {}
        for d in self._query("TYPING"):
            if int(d.get("expires_at", 0)) <= now:
                continue
            ticket_id = str(d.get("ticket", ""))
            found.setdefault(ticket_id, []).append(
                Viewer(
                    user=str(d.get("user", "")),
                    name=str(d.get("name", "")),
                    state="typing",
                    expires_at=int(d.get("expires_at", 0)),
                    connection_id=str(d["sk"]).rpartition("#")[2],
                )
            )
        return found

    # ---------------------------------------------------------------------------------------- helpers

    def _presence_item(self, ticket_id: str, connection_id: str) -> dict[str, Any] | None:
        found = self.ddb.get_item(
            TableName=self.table, Key=_item({"pk": f"P#{ticket_id}", "sk": connection_id}), ConsistentRead=True
        ).get("Item")
        return _plain(found) if found else None

    def _query(self, pk: str) -> Iterator[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _item({":pk": pk}),
        }
        while True:
            page = self.ddb.query(**kwargs)
            for item in page.get("Items", []):
                yield _plain(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _batch(self, requests: Iterable[dict[str, Any]]) -> None:
        batch_write(self.ddb, self.table, requests)
