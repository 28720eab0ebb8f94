"""One DynamoDB transaction (``TransactWriteItems``): collect writes, commit once, explain failures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from .models import MetaItem, TicketTableItem

MAX_ITEMS = 100  # DynamoDB's limit per transaction


def counter_attribute(name: str) -> str:
    """The attribute a counter is kept in: ``name`` with ``%``, ``[`` and ``]`` percent-encoded.

    Counter names carry what people typed (tags, projects, agents' names). pynamodb reads ``x[2]`` in
    an attribute name as an index into a list and refuses other brackets, so a tag "[B2B]" or "v[2]"
    could not be counted. :func:`counter_name` is the exact inverse.
    """
    return name.replace("%", "%25").replace("[", "%5B").replace("]", "%5D")


def counter_name(attribute: str) -> str:
    return unquote(attribute)


def read_counters(item: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counters of a raw DynamoDB item whose attributes start with ``prefix``, by their names."""
    return {counter_name(k[len(prefix) :]): int(v["N"]) for k, v in item.items() if k.startswith(prefix) and "N" in v}


class Conflict(Exception):
    """A condition failed; ``tags`` names which writes (as tagged by the caller) were refused."""

    def __init__(self, tags: list[str], reasons: list[str]) -> None:
        super().__init__(f"transaction cancelled: {', '.join(tags) or ', '.join(reasons) or 'unknown'}")
        self.tags = tags
        self.reasons = reasons


def connection() -> Connection:
    """The tickets model's own pynamodb connection, reused (creating one builds a botocore client, ~100 ms);
    ``models.bind`` resets it with the models, so a transaction always talks to where the models do."""
    return TicketTableItem._get_connection().connection


# pynamodb sends a transaction's items grouped: condition checks, deletes, puts, updates. DynamoDB's
# cancellation reasons follow that order, so tags are matched to reasons in the same order.
_SENT_ORDER = {"check": 0, "delete": 1, "put": 2, "update": 3}


class Unit:
    def __init__(self) -> None:
        self._ops: list[tuple[str, str, Callable[[TransactWrite], None]]] = []
        # Counter items (report counters, backlog) collect their additions and are written once at
        # commit: a transaction may touch an item only once, and several writes often count alike.
        self._counters: dict[tuple[str, str], dict[str, int]] = {}
        # Counters of the queue of the ticket this unit writes (write_ticket notes it), keyed at commit.
        self._queue_counters: dict[tuple[str, str, str | None], dict[str, int]] = {}
        self._ticket_queues: set[str] = set()
        self._ticket_owners: set[str | None] = set()  # whose private ticket it is (None: not private)

    def __len__(self) -> int:
        return len(self._ops) + len(self._counters) + len(self._queue_counters)

    def note_ticket_queue(self, queue: str, private_owner: str | None = None) -> None:
        """The queue of a ticket this unit writes (:func:`helpdesk.store.writes.write_ticket` tells), and
        whose private ticket it is (None: it is not private)."""
        self._ticket_queues.add(queue)
        self._ticket_owners.add(private_owner)

    def count(self, pk: str, sk: str, amounts: dict[str, int]) -> None:
        """ADD ``amounts`` to attributes of the meta item (``pk``, ``sk``) as part of this transaction."""
        slot = self._counters.setdefault((pk, sk), {})
        for name, amount in amounts.items():
            slot[name] = slot.get(name, 0) + amount

    def count_for_queue(self, pk: str, sk: str, amounts: dict[str, int], private_pk: str | None = None) -> None:
        """Like :meth:`count`, into the item (``pk``, ``"<sk>#<queue>"``) of the queue of the ticket this
        unit writes: figures that belong to a ticket count for its queue too (reports per queue). A private
        ticket's count besides in (``private_pk``, ``"<sk>#<queue>#<owner>"``)."""
        slot = self._queue_counters.setdefault((pk, sk, private_pk), {})
        for name, amount in amounts.items():
            slot[name] = slot.get(name, 0) + amount

    def save(self, tag: str, model: Model, condition: Condition | None = None) -> None:
        self._ops.append(("put", tag, lambda tx: tx.save(model, condition=condition)))

    def update(self, tag: str, model: Model, actions: list[Any], condition: Condition | None = None) -> None:
        self._ops.append(("update", tag, lambda tx: tx.update(model, actions=actions, condition=condition)))

    def delete(self, tag: str, model: Model, condition: Condition | None = None) -> None:
        self._ops.append(("delete", tag, lambda tx: tx.delete(model, condition=condition)))

    def check(
        self, tag: str, model_cls: type[Model], hash_key: str, range_key: str | None, condition: Condition
    ) -> None:
        self._ops.append(("check", tag, lambda tx: tx.condition_check(model_cls, hash_key, range_key, condition)))

    def _flush_counters(self) -> None:
        if self._queue_counters:
            if len(self._ticket_queues) != 1:  # a bug: whose queue would these figures count for?
                raise ValueError(f"queue counters need one ticket's queue, the unit writes {len(self._ticket_queues)}")
            queue = next(iter(self._ticket_queues))
            if len(self._ticket_owners) != 1:
                raise ValueError(f"queue counters need one ticket's owner, the unit has {len(self._ticket_owners)}")
            owner = next(iter(self._ticket_owners))
            for (pk, sk, private_pk), amounts in self._queue_counters.items():
                self.count(pk, f"{sk}#{queue}", amounts)
                if private_pk is not None and owner is not None:
                    self.count(private_pk, f"{sk}#{queue}#{owner}", amounts)
            self._queue_counters = {}
        for (pk, sk), amounts in self._counters.items():
            # Path([...]): a plain string would be split at dots (tag names may contain them).
            actions = [Path([counter_attribute(name)]).add(amount) for name, amount in amounts.items() if amount]
            if actions:
                self.update("counters", MetaItem(pk, sk), actions)
        self._counters = {}

    def commit(self) -> None:
        self._flush_counters()
        if not self._ops:
            return
        if len(self._ops) > MAX_ITEMS:
            raise ValueError(f"a transaction takes at most {MAX_ITEMS} writes, got {len(self._ops)}")
        self._transact()

    def _transact(self) -> None:
        """Send the collected writes as one ``TransactWriteItems`` (an in-memory unit commits elsewhere)."""
        try:
            with TransactWrite(connection=connection()) as tx:
                for _, _, op in self._ops:
                    op(tx)
        except TransactWriteError as exc:
            reasons = list(exc.cancellation_reasons or [])
            sent = sorted(self._ops, key=lambda op: _SENT_ORDER[op[0]])
            failed = [
                tag
                for (_, tag, _), reason in zip(sent, reasons, strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            ]
            codes = [reason.code for reason in reasons if reason is not None and reason.code != "None"]
            if failed or codes:
                raise Conflict(failed, codes) from exc
            raise
