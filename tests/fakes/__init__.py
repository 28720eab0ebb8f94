"""In-memory fakes of the composition root's adapters, for service tests that need no moto.

:class:`FakeDb` keeps items as DynamoDB keeps them (serialized attribute maps, by table and key).
:class:`FakeUnit` is the store's :class:`~helpdesk.store.unit.Unit` with its commit carried out here: every
write's condition (pynamodb's condition objects, the version check pynamodb adds) is judged against the
items as they are, a failed one cancels the whole transaction with the same :class:`Conflict` (tags of the
refused writes), then puts, updates (SET, REMOVE, ADD, DELETE) and deletes are applied together.
:class:`FakeTickets` is a ``TicketStore`` whose reads and units use that memory (its own code answers
everything built on them: the ingest's lookup, the outbox's claim and settling); :class:`FakeConfig`
hands out a snapshot; :class:`FakeMail` keeps objects; :class:`FakeMailer` keeps what was sent.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pynamodb.expressions import condition as cond
from pynamodb.expressions import operand, update
from pynamodb.models import Model

from helpdesk.domain.config import ConfigSnapshot
from helpdesk.store.models import TICKET_SK, MessageItem, MetaItem, TicketItem, TicketTableItem
from helpdesk.store.tickets import ACTIVE, WAITING_PK, TicketStore, apply_index_keys, counter_key
from helpdesk.store.unit import _SENT_ORDER, Conflict, Unit

Attrs = dict[str, dict[str, Any]]
Key = tuple[str, str, str]  # table, hash key, range key ("" without one)

# ------------------------------------------------------------------------------- DynamoDB's values


def plain(typed: dict[str, Any]) -> Any:
    """A DynamoDB attribute value as Python: S → str, N → Decimal, L/M nested, SS/NS → set."""
    ((kind, value),) = typed.items()
    match kind:
        case "N":
            return Decimal(value)
        case "L":
            return [plain(v) for v in value]
        case "M":
            return {k: plain(v) for k, v in value.items()}
        case "SS" | "BS":
            return set(value)
        case "NS":
            return {Decimal(v) for v in value}
        case "NULL":
            return None
    return value


def _number(value: Decimal) -> dict[str, str]:
    return {"N": str(value.normalize()) if value != value.to_integral() else str(int(value))}


def _at(attrs: Attrs, path: operand.Path) -> dict[str, Any] | None:
    found: dict[str, Any] | None = {"M": attrs}
    for name in path.path:
        if found is None or "M" not in found:
            return None
        found = found["M"].get(name)
    return found


def _operand(attrs: Attrs, value: Any) -> dict[str, Any] | None:
    """An operand of a condition or a SET, evaluated on ``attrs`` (None: the path does not exist)."""
    if isinstance(value, operand.Path):
        return _at(attrs, value)
    if isinstance(value, operand.Value):
        return dict(value.value)
    if isinstance(value, operand._Size):
        found = _at(attrs, value.values[0])
        return None if found is None else _number(Decimal(len(plain(found))))
    if isinstance(value, operand._IfNotExists):
        return _operand(attrs, value.values[0]) or _operand(attrs, value.values[1])
    if isinstance(value, operand._Increment | operand._Decrement):
        lhs, rhs = (_operand(attrs, v) for v in value.values)
        if lhs is None or rhs is None:
            raise ValueError(f"arithmetic on a missing attribute: {value}")
        sign = 1 if isinstance(value, operand._Increment) else -1
        return _number(plain(lhs) + sign * plain(rhs))
    if isinstance(value, operand._ListAppend):
        one, two = (_operand(attrs, v) for v in value.values)
        return {"L": [*(one or {"L": []})["L"], *(two or {"L": []})["L"]]}
    raise NotImplementedError(f"operand {type(value).__name__}")


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def holds(condition: cond.Condition | None, attrs: Attrs | None) -> bool:
    """Whether ``condition`` holds on the item ``attrs`` (None: no such item), as DynamoDB judges it."""
    if condition is None:
        return True
    item = attrs or {}
    if isinstance(condition, cond.And):
        return all(holds(c, attrs) for c in condition.values)
    if isinstance(condition, cond.Or):
        return any(holds(c, attrs) for c in condition.values)
    if isinstance(condition, cond.Not):
        return not holds(condition.values[0], attrs)
    if isinstance(condition, cond.Exists | cond.NotExists):
        there = _operand(item, condition.values[0]) is not None
        return there if isinstance(condition, cond.Exists) else not there
    values = [_operand(item, v) for v in condition.values]
    if any(v is None for v in values):
        return False  # a comparison with a missing attribute is false (also "<>")
    first, *rest = (plain(v) for v in values if v is not None)
    if isinstance(condition, cond.Comparison):
        kinds = {next(iter(v)) for v in values if v is not None}
        return len(kinds) == 1 and _COMPARE[condition.operator](first, rest[0])
    if isinstance(condition, cond.In):
        return first in rest
    if isinstance(condition, cond.Between):
        return bool(rest[0] <= first <= rest[1])
    if isinstance(condition, cond.BeginsWith):
        return isinstance(first, str) and first.startswith(rest[0])
    if isinstance(condition, cond.Contains):
        return rest[0] in first
    raise NotImplementedError(f"condition {type(condition).__name__}")


def apply_actions(attrs: Attrs, actions: Iterable[update.Action]) -> None:
    """An UpdateItem's actions, on ``attrs`` in place (every value is read before any is set, as DynamoDB does)."""
    changes: list[tuple[list[str], dict[str, Any] | None]] = []
    for action in actions:
        target = action.values[0]
        assert isinstance(target, operand.Path)
        path, current = target.path, _at(attrs, target)
        if isinstance(action, update.SetAction):
            changes.append((path, _operand(attrs, action.values[1])))
        elif isinstance(action, update.RemoveAction):
            changes.append((path, None))
        elif isinstance(action, update.AddAction | update.DeleteAction):
            amount = action.values[1]
            assert isinstance(amount, operand.Value)
            ((kind, value),) = amount.value.items()
            adding = isinstance(action, update.AddAction)
            if kind == "N":
                base = plain(current) if current is not None else Decimal(0)
                changes.append((path, _number(base + Decimal(value))))
            else:
                have = set(current[kind]) if current is not None else set()
                after = have | set(value) if adding else have - set(value)
                changes.append((path, {kind: sorted(after)} if after else None))
        else:
            raise NotImplementedError(f"action {type(action).__name__}")
    for path, value in changes:
        into = attrs
        for name in path[:-1]:
            into = into.setdefault(name, {"M": {}})["M"]
        if value is None:
            into.pop(path[-1], None)
        else:
            into[path[-1]] = copy.deepcopy(value)


# ------------------------------------------------------------------------------------------- tables


def key_of(model_cls: type[Model], hash_key: Any, range_key: Any = None) -> Key:
    attrs = model_cls.get_attributes()
    table = str(model_cls.Meta.table_name)
    hashed = str(attrs[str(model_cls._hash_keyname)].serialize(hash_key))
    ranged = str(attrs[model_cls._range_keyname].serialize(range_key)) if model_cls._range_keyname else ""
    return (table, hashed, ranged)


def model_key(model: Model) -> Key:
    range_key = getattr(model, model._range_keyname) if model._range_keyname else None
    return key_of(type(model), getattr(model, str(model._hash_keyname)), range_key)


def key_attrs(model: Model) -> Attrs:
    """The key attributes of ``model``, serialized (what an UpdateItem of a missing item creates)."""
    attrs = model.get_attributes()
    names = [n for n in (model._hash_keyname, model._range_keyname) if n]
    return {attrs[n].attr_name: {attrs[n].attr_type: attrs[n].serialize(getattr(model, n))} for n in names}


@dataclass
class FakeDb:
    """Every table's items, serialized, with the model class each was written as."""

    items: dict[Key, tuple[type[Model], Attrs]] = field(default_factory=dict)
    commits: int = 0  # transactions committed (or refused)

    def put(self, model: Model) -> None:
        self.items[model_key(model)] = (type(model), copy.deepcopy(model.serialize()))

    def load(self, model_cls: type[Model], hash_key: Any, range_key: Any = None) -> Any:
        found = self.items.get(key_of(model_cls, hash_key, range_key))
        return None if found is None else found[0].from_raw_data(copy.deepcopy(found[1]))

    def of(self, model_cls: type[Model]) -> Iterator[Any]:
        """Every item written as ``model_cls`` (or a subclass), in key order."""
        for key in sorted(self.items):
            cls, attrs = self.items[key]
            if issubclass(cls, model_cls):
                yield cls.from_raw_data(copy.deepcopy(attrs))

    def partition(self, table: str, hash_key: str) -> Iterator[Any]:
        for key in sorted(k for k in self.items if k[0] == table and k[1] == hash_key):
            cls, attrs = self.items[key]
            yield cls.from_raw_data(copy.deepcopy(attrs))

    def update_if(self, model: Model, actions: list[Any], condition: cond.Condition | None) -> bool:
        """One conditional UpdateItem; ``model`` takes the item's new values, as pynamodb's ``update`` does."""
        key = model_key(model)
        found = self.items.get(key)
        if not holds(condition, found[1] if found else None):
            return False
        attrs = copy.deepcopy(found[1]) if found else key_attrs(model)
        apply_actions(attrs, actions)
        self.items[key] = (type(model), attrs)
        model.deserialize(copy.deepcopy(attrs))
        return True


@dataclass
class _Write:
    kind: str  # check | delete | put | update
    tag: str
    key: Key
    model_cls: type[Model]
    condition: cond.Condition | None
    model: Model | None = None
    attrs: Attrs | None = None
    actions: list[Any] | None = None


class _Transaction:
    """Stands in for pynamodb's ``TransactWrite``: collects the unit's writes as pynamodb would send them."""

    def __init__(self) -> None:
        self.writes: list[_Write] = []
        self.tag = ""

    def save(self, model: Model, condition: cond.Condition | None = None) -> None:
        attrs = copy.deepcopy(model.serialize())
        version = model._handle_version_attribute(attributes=attrs)
        self.writes.append(
            _Write("put", self.tag, model_key(model), type(model), _both(condition, version), model, attrs)
        )

    def update(self, model: Model, actions: list[Any], condition: cond.Condition | None = None) -> None:
        actions = list(actions)
        version = model._handle_version_attribute(actions=actions)
        write = _Write("update", self.tag, model_key(model), type(model), _both(condition, version), model)
        write.actions = actions
        self.writes.append(write)

    def delete(self, model: Model, condition: cond.Condition | None = None) -> None:
        version = model._handle_version_attribute()
        self.writes.append(_Write("delete", self.tag, model_key(model), type(model), _both(condition, version)))

    def condition_check(self, model_cls: type[Model], hash_key: Any, range_key: Any, condition: cond.Condition) -> None:
        self.writes.append(_Write("check", self.tag, key_of(model_cls, hash_key, range_key), model_cls, condition))


def _both(one: cond.Condition | None, two: cond.Condition | None) -> cond.Condition | None:
    return two if one is None else one if two is None else one & two


class FakeUnit(Unit):
    """The store's unit, committed into a :class:`FakeDb`: all conditions first, then every write, or nothing."""

    def __init__(self, db: FakeDb) -> None:
        super().__init__()
        self.db = db

    def _transact(self) -> None:
        tx = _Transaction()
        for _, tag, op in self._ops:
            tx.tag = tag
            op(tx)  # type: ignore[arg-type]  # the stand-in takes the calls TransactWrite takes
        keys = [w.key for w in tx.writes]
        if len(set(keys)) != len(keys):  # DynamoDB refuses the whole request (ValidationException)
            raise ValueError(f"a transaction touches an item twice: {sorted(k for k in keys if keys.count(k) > 1)}")
        self.db.commits += 1
        sent = sorted(tx.writes, key=lambda w: _SENT_ORDER[w.kind])
        failed = [w.tag for w in sent if not holds(w.condition, self._attrs(w.key))]
        if failed:
            raise Conflict(failed, ["ConditionalCheckFailed"] * len(failed))
        for write in tx.writes:
            self._apply(write)

    def _attrs(self, key: Key) -> Attrs | None:
        found = self.db.items.get(key)
        return found[1] if found else None

    def _apply(self, write: _Write) -> None:
        if write.kind == "put" and write.attrs is not None:
            self.db.items[write.key] = (write.model_cls, write.attrs)
        elif write.kind == "update" and write.model is not None:
            attrs = copy.deepcopy(self._attrs(write.key)) or key_attrs(write.model)
            apply_actions(attrs, write.actions or [])
            self.db.items[write.key] = (write.model_cls, attrs)
        elif write.kind == "delete":
            self.db.items.pop(write.key, None)
        if write.model is not None:
            write.model.update_local_version_attribute()


# ------------------------------------------------------------------------------------------- stores


class FakeTickets(TicketStore):
    """A ``TicketStore`` over a :class:`FakeDb`: the tickets a test puts, and everything its units write."""

    def __init__(self, *tickets: TicketItem, db: FakeDb | None = None) -> None:
        self.db = db or FakeDb()
        self.reads = 0
        for ticket in tickets:
            self.put(ticket)

    def put(self, ticket: TicketItem) -> None:
        """Store ``ticket`` as written (index keys derived as every write derives them)."""
        apply_index_keys(ticket)
        self.db.put(ticket)

    @property
    def tickets(self) -> dict[str, TicketItem]:
        return {t.pk: t for t in self.db.of(TicketItem)}

    def unit(self) -> Unit:
        return FakeUnit(self.db)

    def get(self, ticket_id: str, consistent: bool = False) -> TicketItem | None:
        self.reads += 1
        found: TicketItem | None = self.db.load(TicketItem, ticket_id, TICKET_SK)
        return found

    def partition(self, ticket_id: str, consistent: bool = False) -> Iterable[TicketTableItem]:
        self.reads += 1
        return list(self.db.partition(str(TicketTableItem.Meta.table_name), ticket_id))

    def messages(self, ticket_id: str) -> list[MessageItem]:
        return [m for m in self.partition(ticket_id) if isinstance(m, MessageItem)]

    def message(self, ticket_id: str, sk: str) -> MessageItem | None:
        self.reads += 1
        found: MessageItem | None = self.db.load(MessageItem, ticket_id, sk)
        return found

    def _meta_items(self, keys: list[tuple[str, str]], consistent: bool = False) -> Iterable[MetaItem]:
        self.reads += 1
        return [item for item in (self.db.load(MetaItem, *key) for key in keys) if item is not None]

    def _update_if(self, item: Model, actions: list[Any], condition: cond.Condition) -> bool:
        return self.db.update_if(item, actions, condition)

    def counter_value(self, scope: str) -> int | None:
        item = self.db.load(MetaItem, *counter_key(scope))
        return None if item is None else int(item.value or 0)

    def batch_tickets(self, ticket_ids: list[str]) -> dict[str, TicketItem]:
        return {t.pk: t for t in (self.get(tid) for tid in dict.fromkeys(ticket_ids)) if t is not None}

    def waiting_since_before(self, at: str, page_size: int = 100) -> Iterator[TicketItem]:
        self.reads += 1
        waiting = [t for t in self.db.of(TicketItem) if t.waiting_pk == WAITING_PK and t.waiting_since]
        yield from sorted((t for t in waiting if str(t.waiting_since) < at), key=lambda t: str(t.waiting_since))

    def deadlines_between(self, start: str | None, end: str, page_size: int = 100) -> Iterator[TicketItem]:
        self.reads += 1
        active = [t for t in self.db.of(TicketItem) if t.sla_bucket == ACTIVE and t.sla_at]
        inside = [t for t in active if (str(t.sla_at) < end if start is None else start <= str(t.sla_at) <= end)]
        yield from sorted(inside, key=lambda t: str(t.sla_at))


@dataclass
class FakeConfig:
    cfg: ConfigSnapshot = field(default_factory=ConfigSnapshot)

    def snapshot(self) -> ConfigSnapshot:
        return self.cfg


@dataclass
class FakeMail:
    """The mail bucket: objects by key."""

    objects: dict[str, bytes] = field(default_factory=dict)

    def get(self, key: str, bucket: str | None = None) -> bytes:
        return self.objects[key]

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.objects[key] = data


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
