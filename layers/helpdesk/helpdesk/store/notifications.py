"""The notifications table: each agent's notifications and notification preferences.

One table (``NotificationsTable`` in template.yaml, ``HELPDESK_NOTIFICATIONS_TABLE``), one partition
per agent (``pk`` = username), so "my notifications" is one Query and nobody's list grows anyone
else's reads. Key spaces (``sk``):

``N#<event time>_<event id>``  a notification shown in the app: kind, reason, ticket, text, ``read``
``M#<event time>_<event id>``  a notification that went by mail only (not listed): it exists so a
                               stream retry sends nothing twice
``U#<event time>_<event id>``  an unread marker, written with its ``N#`` item and deleted when it is
                               read: the bell counts these small items, not the whole partition
``PREFS``                      the agent's preferences (event kind × channel)

and one partition apart, ``pk = OUTBOX``: notification mails SES refused for now, ``sk = "<retry at>#<agent>#<the
notification's sk>"``, each with the mail as rendered; the scheduled outbox sweep sends them again (a Query
up to now), claiming each by deleting it (only one run gets it). The scheduled job's deadline alerts
(services/autoclose.py) wait here too: no agent (``user`` empty; they may go to a queue's address) and no
notification item, ``note_sk = ALERT#<ticket id>#<alert number>#<recipient>``.

The sort key is the event's (``domain.notifications.notification_key``): deciding the same event again
writes nothing (the put is conditional), so one event gives one notification per agent. ``expires_at``
is DynamoDB's TTL (30 days after the event); readers do not filter on it (an old notification shown
a little longer does no harm).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterator
from dataclasses import field
from typing import TYPE_CHECKING, Any

from ..aws import clients
from ..domain.dataclass import dataclass
from ..domain.notifications import CHANNELS, Preferences
from .plain import batch_write, key_value_shape
from .plain import from_item as _plain
from .plain import to_item as _item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_ENV = "HELPDESK_NOTIFICATIONS_TABLE"
TTL_ATTRIBUTE = "expires_at"
TABLE_SHAPE = key_value_shape()
LISTED = "N#"
MAIL_ONLY = "M#"
UNREAD = "U#"
PREFS = "PREFS"
OUTBOX = "OUTBOX"
OUTBOX_TTL = 3 * 86400  # a retry nobody swept (the job stopped) is dropped by TTL after this long
MARK_ALL_MAX = 500  # notifications one "all read" marks (the rest on the next call)


def table_name() -> str:
    return os.environ.get(TABLE_ENV, "helpdesk-notifications")


@dataclass(frozen=True)
class Notification:
    user: str
    id: str  # the sort key without its prefix: "<event time>_<event id>"
    kind: str
    reason: str
    ticket_id: str
    number: str
    subject: str = ""
    actor: str = ""
    text: str = ""
    event_type: str = ""
    created_at: str = ""
    read: bool = False
    channels: tuple[str, ...] = ("app",)
    mail: str = "none"  # none | sent | retry (SES refused it for now: the outbox sweep sends it again) | failed
    expires_at: int = 0

    @property
    def listed(self) -> bool:
        return "app" in self.channels

    @property
    def sk(self) -> str:
        return (LISTED if self.listed else MAIL_ONLY) + self.id

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "reason": self.reason,
            "ticket_id": self.ticket_id,
            "number": self.number,
            "subject": self.subject,
            "actor": self.actor,
            "text": self.text,
            "event_type": self.event_type,
            "created_at": self.created_at,
            "read": self.read,
        }


def _notification(user: str, data: dict[str, Any]) -> Notification:
    sk = str(data["sk"])
    return Notification(
        user=user,
        id=sk[2:],
        kind=str(data.get("kind", "")),
        reason=str(data.get("reason", "")),
        ticket_id=str(data.get("ticket_id", "")),
        number=str(data.get("number", "")),
        subject=str(data.get("subject", "")),
        actor=str(data.get("actor", "")),
        text=str(data.get("text", "")),
        event_type=str(data.get("event_type", "")),
        created_at=str(data.get("created_at", "")),
        read=bool(data.get("read", False)),
        channels=tuple(str(c) for c in data.get("channels", ["app"])),
        mail=str(data.get("mail", "none")),
        expires_at=int(data.get("expires_at", 0)),
    )


class BadCursor(ValueError):
    pass


def encode_cursor(sk: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sk": sk}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadCursor("not a cursor of this list") from exc
    sk = data.get("sk") if isinstance(data, dict) else None
    if not isinstance(sk, str) or not sk.startswith(LISTED) or len(sk) > 200:
        raise BadCursor("not a cursor of this list")
    return sk


@dataclass(frozen=True)
class NotificationMail:
    """A notification mail as rendered, kept to be sent again while SES refuses it for now."""

    user: str
    note_sk: str  # the notification it belongs to (its ``mail`` state follows)
    sender: str
    sender_name: str
    to: str
    to_name: str
    subject: str
    text: str
    attempts: int = 0  # tries so far
    outbox_sk: str = ""  # set when read from the outbox
    ticket_number: str = ""  # the X-Helpdesk-Ticket header (the deadline alerts carry it)

    @property
    def has_notification(self) -> bool:
        """Whether an agent's notification item follows this mail's state (not so for a deadline alert)."""
        return bool(self.user)


@dataclass
class Page:
    items: list[Notification] = field(default_factory=list)
    cursor: str | None = None


@dataclass
class NotificationStore:
    table: str = field(default_factory=table_name)

    @property
    def ddb(self) -> DynamoDBClient:
        return clients.dynamodb()

    def add(self, n: Notification) -> bool:
        """Store ``n`` unless this event's notification for this agent exists already; True when stored now.
        A listed one is stored with its unread marker in one transaction."""
        item = _item(
            {
                "pk": n.user,
                "sk": n.sk,
                "kind": n.kind,
                "reason": n.reason,
                "ticket_id": n.ticket_id,
                "number": n.number,
                "subject": n.subject or None,
                "actor": n.actor or None,
                "text": n.text or None,
                "event_type": n.event_type,
                "created_at": n.created_at,
                "read": n.read,
                "channels": list(n.channels),
                "mail": n.mail,
                "expires_at": n.expires_at,
            }
        )
        if not n.listed or n.read:
            try:
                self.ddb.put_item(TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(pk)")
            except self.ddb.exceptions.ConditionalCheckFailedException:
                return False
            return True
        marker = _item({"pk": n.user, "sk": UNREAD + n.id, "expires_at": n.expires_at})
        try:
            self.ddb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    {"Put": {"TableName": self.table, "Item": marker}},
                ]
            )
        except self.ddb.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def set_mail_state(self, user: str, sk: str, state: str, error: str | None = None) -> None:
        self.ddb.update_item(**self._mail_state(user, sk, state, error))

    def _mail_state(self, user: str, sk: str, state: str, error: str | None) -> dict[str, Any]:
        update = "SET #m = :m, mail_error = :e" if error else "SET #m = :m REMOVE mail_error"
        return {
            "TableName": self.table,
            "Key": _item({"pk": user, "sk": sk}),
            "UpdateExpression": update,
            "ExpressionAttributeNames": {"#m": "mail"},
            "ExpressionAttributeValues": _item({":m": state, ":e": error}),
        }

    def defer_mail(self, mail: NotificationMail, retry_at: str, reason: str, now: int) -> None:
        """SES refused ``mail`` for now: its notification says ``retry`` and the outbox holds it until
        ``retry_at``, in one transaction (a refusal is never recorded without its retry)."""
        item = _item(
            {
                "pk": OUTBOX,
                "sk": f"{retry_at}#{mail.user}#{mail.note_sk}",
                "user": mail.user,
                "note_sk": mail.note_sk,
                "sender": mail.sender,
                "sender_name": mail.sender_name,
                "to": mail.to,
                "to_name": mail.to_name,
                "subject": mail.subject,
                "text": mail.text,
                "attempts": mail.attempts,
                "ticket_number": mail.ticket_number or None,
                "expires_at": now + OUTBOX_TTL,
            }
        )
        if not mail.has_notification:
            self.ddb.put_item(TableName=self.table, Item=item)
            return
        update: Any = self._mail_state(mail.user, mail.note_sk, "retry", reason)
        self.ddb.transact_write_items(
            TransactItems=[{"Update": update}, {"Put": {"TableName": self.table, "Item": item}}]
        )

    def due_mails(self, at: str, limit: int = 100) -> list[NotificationMail]:
        """Outbox mails whose pause is over at ``at``, oldest first (one Query)."""
        response = self.ddb.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk <= :at",
            ExpressionAttributeValues=_item({":pk": OUTBOX, ":at": f"{at}~"}),
            Limit=limit,
        )
        found = []
        for raw in response.get("Items", []):
            d = _plain(raw)
            found.append(
                NotificationMail(
                    user=str(d["user"]),
                    note_sk=str(d["note_sk"]),
                    sender=str(d["sender"]),
                    sender_name=str(d.get("sender_name", "")),
                    to=str(d["to"]),
                    to_name=str(d.get("to_name", "")),
                    subject=str(d.get("subject", "")),
                    text=str(d.get("text", "")),
                    attempts=int(d.get("attempts", 0)),
                    outbox_sk=str(d["sk"]),
                    ticket_number=str(d.get("ticket_number") or ""),
                )
            )
        return found

    def claim_mail(self, mail: NotificationMail) -> bool:
        """Take ``mail`` out of the outbox to send it; False when another run took it first."""
        try:
            self.ddb.delete_item(
                TableName=self.table,
                Key=_item({"pk": OUTBOX, "sk": mail.outbox_sk}),
                ConditionExpression="attribute_exists(pk)",
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def page(self, user: str, limit: int, cursor: str | None = None, unread_only: bool = False) -> Page:
        """Newest first; ``cursor`` continues after the last one shown."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :n)",
            "ExpressionAttributeValues": _item({":pk": user, ":n": LISTED}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if unread_only:
            kwargs["FilterExpression"] = "#r = :f"
            kwargs["ExpressionAttributeNames"] = {"#r": "read"}
            kwargs["ExpressionAttributeValues"] = _item({":pk": user, ":n": LISTED, ":f": False})
        if cursor:
            kwargs["ExclusiveStartKey"] = _item({"pk": user, "sk": decode_cursor(cursor)})
        page = Page()
        while True:
            response = self.ddb.query(**kwargs)
            page.items += [_notification(user, _plain(i)) for i in response.get("Items", [])]
            last = response.get("LastEvaluatedKey")
            if not last:
                return page
            if len(page.items) >= limit:
                page.items = page.items[:limit]
                page.cursor = encode_cursor(page.items[-1].sk)
                return page
            kwargs["ExclusiveStartKey"] = last
            kwargs["Limit"] = limit - len(page.items)

    def unread(self, user: str) -> int:
        """How many listed notifications are unread: one Query counting the agent's unread markers."""
        return sum(1 for _ in self._unread_keys(user, select_count=True))

    def _unread_keys(self, user: str, select_count: bool = False) -> Iterator[str]:
        """The ids of the agent's unread notifications (``select_count``: as many empty strings)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :u)",
            "ExpressionAttributeValues": _item({":pk": user, ":u": UNREAD}),
        }
        if select_count:
            kwargs["Select"] = "COUNT"
        else:
            kwargs["ProjectionExpression"] = "sk"
        while True:
            response = self.ddb.query(**kwargs)
            if select_count:
                yield from ("" for _ in range(int(response.get("Count", 0))))
            else:
                yield from (str(_plain(i)["sk"])[len(UNREAD) :] for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _set_read(self, user: str, notification_id: str) -> bool:
        try:
            self.ddb.update_item(
                TableName=self.table,
                Key=_item({"pk": user, "sk": LISTED + notification_id}),
                UpdateExpression="SET #r = :t",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#r": "read"},
                ExpressionAttributeValues=_item({":t": True}),
            )
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_read(self, user: str, notification_id: str) -> bool:
        """False when the agent has no such notification."""
        if not self._set_read(user, notification_id):
            return False
        self.ddb.delete_item(TableName=self.table, Key=_item({"pk": user, "sk": UNREAD + notification_id}))
        return True

    def mark_all_read(self, user: str) -> int:
        """Marks up to :data:`MARK_ALL_MAX` unread notifications read; returns how many."""
        ids: list[str] = []
        for notification_id in self._unread_keys(user):
            if len(ids) >= MARK_ALL_MAX:
                break
            ids.append(notification_id)
        for notification_id in ids:
            self._set_read(user, notification_id)  # False: TTL took it already; its marker goes below
        batch_write(
            self.ddb, self.table, [{"DeleteRequest": {"Key": _item({"pk": user, "sk": UNREAD + i})}} for i in ids]
        )
        return len(ids)

    def preferences(self, user: str) -> Preferences:
        found = self.ddb.get_item(TableName=self.table, Key=_item({"pk": user, "sk": PREFS})).get("Item")
        if not found:
            return Preferences()
        table = _plain(found).get("channels") or {}
        return Preferences.from_table(
            {str(kind): {c: c in list(chosen) for c in CHANNELS} for kind, chosen in dict(table).items()}
        )

    def put_preferences(self, user: str, prefs: Preferences, at: str) -> None:
        channels = {kind: sorted(chosen) for kind, chosen in prefs.channels.items()}
        self.ddb.put_item(
            TableName=self.table, Item=_item({"pk": user, "sk": PREFS, "channels": channels, "updated_at": at})
        )
