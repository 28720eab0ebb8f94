"""Queries that read one partition, not the whole table: moto's DynamoDB with the indexes DynamoDB has.

moto answers every ``Query`` by sorting *all* items of the table (``Table.all_items``) and then keeping
those with the asked hash key, for the table and for a global secondary index alike; the sorts compare
``DynamoType`` objects in Python. At 10,000 tickets (about 100,000 items) one query cost about a second,
and an inbox page makes several (issue 19, part 5: profiled with py-spy). DynamoDB itself reads one
partition of the table or of the index.

:func:`install` keeps, per table, the items of each partition of each global secondary index (a dict,
built on the first query and brought up to date for the partitions written since), and lets moto's own
``Table.query`` run over those candidates instead of the whole table: key conditions, sort order,
paging, filters and projections stay moto's. Sorting uses the same order (``DynamoType``'s, by the cast
value) with plain Python keys. Writes note the partition they touch (``Table.put_item``,
``Table.delete_item``, the backend's ``update_item``, which changes an item in place); anything that
fills ``Table.items`` otherwise (a restore from a snapshot) calls :func:`invalidate`.

All of this runs under the moto server's DynamoDB lock (requests are serialized): no locking here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from .moto_cold import Partition

_installed: list[bool] = []
_ATTR = "_helpdesk_index"
_ORDER = "_helpdesk_scan_order"


def _native(value: Any) -> Any:
    """A plain value that orders and compares as moto's ``DynamoType`` does (by its cast value)."""
    kind = value.type
    if kind == "N":
        return Decimal(value.value)
    if kind in ("S", "B", "BOOL"):
        return value.value
    return value.cast_value


class PartitionIndex:
    """One table's global secondary indexes: index name → hash key values → the items there."""

    def __init__(self, table: Any) -> None:
        self.hash_attrs = {
            index.name: tuple(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
            for index in table.global_indexes or []
        }
        self.buckets: dict[str, dict[tuple[Any, ...], dict[tuple[Any, Any], Any]]] = {}
        self.placed: dict[Any, list[tuple[str, tuple[Any, ...], tuple[Any, Any]]]] = {}  # partition → entries
        self.dirty: set[Any] = set()
        self.complete = False

    def refresh(self, table: Any) -> None:
        if not self.complete:
            self.buckets = {name: {} for name in self.hash_attrs}
            self.placed = {}
            self.dirty.clear()
            for hash_key in list(table.items):
                self._place(table, hash_key)
            self.complete = True
            return
        for hash_key in self.dirty:
            for name, values, key in self.placed.pop(hash_key, ()):
                bucket = self.buckets[name].get(values)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self.buckets[name][values]
            self._place(table, hash_key)
        self.dirty.clear()

    def _place(self, table: Any, hash_key: Any) -> None:
        entry = table.items.get(hash_key)
        if entry is None:
            return
        items = list(entry.values()) if table.range_key_attr else [entry]
        placed = []
        for item in items:
            key = (_native(item.hash_key), _native(item.range_key) if item.range_key is not None else None)
            for name, attrs in self.hash_attrs.items():
                found = [item.attrs.get(attr) for attr in attrs]
                if not all(found):  # not in this (sparse) index
                    continue
                values = tuple(_native(v) for v in found)
                self.buckets[name].setdefault(values, {})[key] = item
                placed.append((name, values, key))
        if placed:
            self.placed[hash_key] = placed

    def candidates(
        self, table: Any, index_name: str | None, hash_key: Any, conditions: list[tuple[str, Any]] | None
    ) -> list[Any] | None:
        """The items a query can find (a superset moto then narrows), or None when this cannot tell."""
        if index_name is None:
            if hash_key is None:
                return None
            asked = {table.hash_key_attr: hash_key}
        else:
            asked = dict(conditions or [])
        if index_name is None or index_name not in self.hash_attrs:  # the table or a local index: a table partition
            if set(asked) != {table.hash_key_attr}:
                return None
            entry = table.items.get(asked[table.hash_key_attr])
            if entry is None:
                return []
            return list(entry.values()) if table.range_key_attr else [entry]
        if not asked or set(asked) != set(self.hash_attrs[index_name]):
            return None
        self.refresh(table)
        values = tuple(_native(asked[attr]) for attr in self.hash_attrs[index_name])
        return list(self.buckets[index_name].get(values, {}).values())


def index_of(table: Any) -> PartitionIndex:
    found: PartitionIndex | None = table.__dict__.get(_ATTR)
    if found is None:
        found = PartitionIndex(table)
        setattr(table, _ATTR, found)
    return found


def invalidate(table: Any) -> None:
    """``table.items`` was filled or changed other than through its write methods: build again on next use."""
    index_of(table).complete = False
    table.__dict__.pop(_ORDER, None)


def _scan_order(table: Any) -> tuple[list[Any], list[Any]]:
    """The table's hash keys in the order a scan reads them, and their plain values (for bisecting): kept
    until the next write to the table (one may add or remove a partition)."""
    found: tuple[list[Any], list[Any]] | None = table.__dict__.get(_ORDER)
    if found is None:
        pairs = sorted(((_native(k), k) for k in table.items), key=lambda pair: pair[0])
        found = ([k for _, k in pairs], [n for n, _ in pairs])
        setattr(table, _ORDER, found)
    return found


def _ordered(table: Any, start: dict[str, Any] | None) -> Iterator[Any]:
    """The table's items in scan order from ``start`` (moto's ``ExclusiveStartKey``, included: moto's own
    loop skips it), one partition at a time; a frozen partition's items are built for the page only."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    keys, natives = _scan_order(table)
    position, first, after = 0, None, None
    if start and table.hash_key_attr in start:
        first = _native(DynamoType(start[table.hash_key_attr]))
        position = bisect.bisect_left(natives, first)
        if table.range_key_attr and table.range_key_attr in start:
            after = _native(DynamoType(start[table.range_key_attr]))
    for native, hash_key in zip(natives[position:], keys[position:], strict=True):
        entry = table.items.get(hash_key)
        if entry is None or (table.range_key_attr and not len(entry)):
            continue
        if not table.range_key_attr:
            yield entry
            continue
        items = entry.peek() if isinstance(entry, Partition) else list(entry.values())
        items.sort(key=lambda item: _native(item.range_key))
        if after is not None and native == first:
            items = [item for item in items if _native(item.range_key) >= after]
        yield from items


def _written(table: Any, key: Any) -> None:
    """A write to the partition of ``key`` (a ``DynamoType``, or the item's or key's attributes)."""
    table.__dict__.pop(_ORDER, None)
    found = table.__dict__.get(_ATTR)
    if found is None or not found.complete:
        return
    if isinstance(key, dict):
        try:
            from moto.dynamodb.models.dynamo_type import DynamoType

            key = DynamoType(key[table.hash_key_attr])
        except Exception:  # a malformed request (moto refuses it); read the whole table again to be sure
            found.complete = False
            return
    found.dirty.add(key)


def install() -> None:
    """Patch moto's DynamoDB table (once per process)."""
    if _installed:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    query, scan, put_item, delete_item = Table.query, Table.scan, Table.put_item, Table.delete_item
    update_item = DynamoDBBackend.update_item

    def table_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        found = index_of(self).candidates(self, index_name, hash_key, kwargs.get("hash_key_conditions"))
        if found is None:
            return query(self, hash_key, *args, **kwargs)
        self._helpdesk_candidates = found
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            del self._helpdesk_candidates

    def table_scan(self: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
        if index_name is not None:
            return scan(self, *args, **kwargs)
        start = args[2] if len(args) > 2 else kwargs.get("exclusive_start_key")
        self._helpdesk_candidates = _ordered(self, start)
        try:
            return scan(self, *args, **kwargs)
        finally:
            del self._helpdesk_candidates

    def all_items(self: Any) -> Any:
        found = self.__dict__.get("_helpdesk_candidates")
        if isinstance(found, Iterator):  # a scan: in order from its start key, read as far as its page goes
            return found
        if found is not None:  # moto sorts what it keeps by the query's own order afterwards
            return list(found)
        items: list[Any] = []
        for entry in self.items.values():
            if self.range_key_attr:
                items.extend(entry.values())
            else:
                items.append(entry)
        if self.range_key_attr:
            items.sort(key=lambda x: (_native(x.hash_key), _native(x.range_key)))
        else:
            items.sort(key=lambda x: _native(x.hash_key))
        return items

    def sorted_items(self: Any, hash_key_attrs: list[str], range_key_attrs: list[str | None], items: list[Any]) -> Any:
        attrs = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        items.sort(key=lambda x: tuple(_native(x.attrs[attr]) for attr in attrs))
        return items

    def table_put_item(self: Any, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return put_item(self, item_attrs, *args, **kwargs)
        finally:
            _written(self, item_attrs)

    def table_delete_item(self: Any, hash_value: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return delete_item(self, hash_value, *args, **kwargs)
        finally:
            _written(self, hash_value)

    def backend_update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return update_item(self, table_name, key, *args, **kwargs)
        finally:
            table = self.tables.get(table_name)
            if table is not None:
                _written(table, key)

    patches: dict[str, Callable[..., Any]] = {
        "query": table_query,
        "scan": table_scan,
        "all_items": all_items,
        "sorted_items": sorted_items,
        "put_item": table_put_item,
        "delete_item": table_delete_item,
    }
    for name, function in patches.items():
        setattr(Table, name, function)
    DynamoDBBackend.update_item = backend_update_item  # type: ignore[method-assign]
    _installed.append(True)
