"""moto's DynamoDB items, built fast and kept compressed while nobody reads them (issue 19: memory).

moto keeps every item as an ``Item`` with a dict of ``DynamoType`` objects: about 700 bytes of Python
objects for a search posting whose DynamoDB JSON is 340 bytes. At 10,000 tickets, fully indexed, the
search table holds about 720,000 postings, and a query reads a few of its partitions at a time.

The tables without a secondary index (search postings, meta records, notifications, live connections:
:func:`install` picks them) keep each partition as a :class:`Partition`, a dict (sort key → ``Item``) as
moto's own, whose items can be *frozen*: turned into compressed DynamoDB JSON, one blob per group of
about ``GROUP_ITEMS`` items (by the snapshot part of their sort key: see :class:`Partition`), and built
back into items on first use:

* a keyed access (moto's get, update, delete) builds the key's group only, a put of a new item nothing
  (it waits beside the frozen group, which a freeze merges it into); anything else (a query's
  ``values()``, iteration) the whole partition; a scan builds items for its page only (``peek``);
* a keyed access may change the item in place (moto's ``update_item`` does): the group's blob is dropped and
  made again at the next freeze; after a read of all items the blobs stay, and a freeze only lets the items go;
* :class:`Freezer` (a loop of the local stack) freezes the partitions nobody touched for ``COLD_AFTER``
  seconds, under the moto server's DynamoDB lock, a bounded amount of work at a time.

A restore does not even keep the snapshot's lines in memory: a restored blob is a :class:`FileLine`, where
the line is in the snapshot file (kept open as a :class:`LineFile`), read again on first use. At 10,000
tickets that is about 40 MB less than the compressed lines, and no compression at start. A snapshot
written anew as a whole replaces the file; the open one keeps the earlier file's lines readable (and its
disk space taken) until every partition restored from it was used, or the stack stops.

Tables with a global secondary index keep their items as moto does (:mod:`moto_index` holds them per index
partition). Everything here runs under the DynamoDB lock: requests are serialized (:mod:`moto_server`).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

PARTS = 128  # a part's number is in the snapshot file's lines: another count needs another file format
SPLIT_ABOVE = 256  # items: a partition with more is written as parts (snapshot lines)
GROUP_ITEMS = 16  # items a frozen group holds, about: what a keyed access builds
COLD_AFTER = float(os.environ.get("HELPDESK_LOCAL_COLD_AFTER", "30"))  # seconds untouched before a freeze
SCALARS = frozenset({"S", "N", "B", "BOOL", "NULL"})  # their value is immutable (str, bool)
SETS = frozenset({"SS", "NS", "BS"})  # changed in place by an update's ADD and DELETE: see persist._own_sets

Part = int | None  # a snapshot line's part; None: the whole partition


class LineFile:
    """The snapshot file a restore read, kept open: its lines are where restored blobs are (a
    :class:`FileLine` each). Closed once no blob needs it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        self.fd = os.open(path, os.O_RDONLY)

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self.fd, length, offset)
        if len(data) != length:
            raise OSError(f"{self.path}: {length} bytes at {offset} expected, {len(data)} read")
        return data

    def __del__(self) -> None:
        os.close(self.fd)


class FileLine:
    """A restored blob: a snapshot line (``{"table": …, "items": […]}``) left in the file."""

    __slots__ = ("length", "offset", "source")

    def __init__(self, source: LineFile, offset: int, length: int) -> None:
        self.source, self.offset, self.length = source, offset, length

    def read(self) -> bytes:
        return self.source.read(self.offset, self.length)


Blob = bytes | FileLine  # compressed DynamoDB JSON (a freeze), or a line of the snapshot file (a restore)

# Partitions holding built items (id → partition): the ones a freeze looks at.
_warm: dict[int, Partition] = {}


def part_of(kind: str, value: Any) -> int | None:
    """Which of a large partition's parts an item is in, by its sort key (stable across restarts);
    None for a binary sort key (its part is not told apart)."""
    if kind not in ("S", "N") or not isinstance(value, str):
        return None
    return zlib.crc32(value.encode()) % PARTS


def dynamo(cls: Any, value: dict[str, Any], shared: dict[tuple[str, Any], Any] | None = None) -> Any:
    """``DynamoType(value)`` as moto builds it (lists and maps of DynamoTypes), without its per-call checks:
    most of a start's time with a large data directory went into ``DynamoType.__init__``.

    With ``shared``, equal scalars are one object: a status, a queue, a flag, a ticket's id in each of its
    items. moto never changes a scalar's value in place (an update stores a new DynamoType; only lists,
    maps and sets are changed in place, and lists and maps are never shared). At 10,000 tickets 89 % of
    the 1.2 million scalars repeat one another: about 1.0 million objects and their strings fewer.
    Equal sets are one object too (a search posting's words: a few thousand different ones), and an update
    gives the item its own copy first (``persist._own_sets``)."""
    ((kind, inner),) = value.items()
    if shared is not None and (kind in SCALARS or kind in SETS):
        key = (kind, inner) if kind in SCALARS else (kind, tuple(inner))
        found = shared.get(key)
        if found is None:
            found = shared[key] = dynamo(cls, value)
        return found
    result = cls.__new__(cls)
    result.type = kind
    if kind == "L":
        inner = [dynamo(cls, v, shared) for v in inner]
    elif kind == "M":
        inner = {k: dynamo(cls, v, shared) for k, v in inner.items()}
    result.value = inner
    return result


def build_item(
    attrs: dict[str, Any], hash_attr: str, range_attr: str | None, shared: dict[tuple[str, Any], Any] | None = None
) -> Any:
    """The ``Item`` moto's ``put_item`` stores for these attributes (DynamoDB JSON), without its size check
    per attribute (the item passed it when it was written)."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    item: Any = Item.__new__(Item)
    item.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
    for name, value in attrs.items():
        dict.__setitem__(item.attrs, name, dynamo(DynamoType, value, shared))
    item.hash_key = item.attrs[hash_attr]
    item.range_key = item.attrs[range_attr] if range_attr else None
    return item


def attributes(items: Iterable[Any]) -> list[dict[str, Any]]:
    """The items' attributes as DynamoDB JSON."""
    return [item.to_json()["Attributes"] for item in items]


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class Partition(dict[Any, Any]):
    """One partition of a table (sort key → ``Item``), whose groups can be frozen (see the module).

    A partition's items are in ``groups`` groups (a power of two up to ``PARTS``) by their snapshot part
    (``part_of`` of the sort key, binary keys in part 0) modulo ``groups``; a freeze of a wholly built
    partition picks ``groups`` for about ``GROUP_ITEMS`` items a group, so a keyed access builds a few
    items whatever the partition's size. A restore's blobs are the snapshot's lines: one group (a whole
    partition) or ``PARTS`` groups (a partition in parts); the first keyed access to a large single blob
    splits it into groups without building the other groups' items."""

    __slots__ = ("absent", "blobs", "frozen", "groups", "hash_attr", "range_attr", "touched")

    def __init__(self, hash_attr: str, range_attr: str) -> None:
        super().__init__()
        self.hash_attr, self.range_attr = hash_attr, range_attr
        self.groups = 1
        self.blobs: dict[int, tuple[Blob, int]] = {}  # the items (compressed or in the file) and how many, per group
        self.frozen: set[int] = set()  # groups whose items are only in their blob (and new ones: see put)
        self.touched = 0.0
        self.absent: tuple[int, Any] | None = None  # (group, key) a lookup did not find in a frozen group

    # ------------------------------------------------------------------------------------- cold side

    def add_blob(self, part: Part, blob: Blob, count: int) -> None:
        """A snapshot line's items (a restore): a whole partition (``part`` None) or a part."""
        if part is not None:
            self.groups = PARTS
        self.blobs[part or 0] = (blob, count)
        self.frozen.add(part or 0)

    def drop_part(self, part: Part) -> None:
        """Remove a snapshot line's items (a restore replaces the line; None: every item)."""
        if part is None:
            self.clear()
            return
        group = part % self.groups
        if self.groups == PARTS and group in self.frozen:  # the line's own blob, not built: it goes
            self.frozen.discard(group)
            del self.blobs[group]
            for key in [k for k in dict.keys(self) if self._part_of_key(k) == part]:  # (put beside it)
                dict.__delitem__(self, key)
            return
        self._thaw(group)
        for key in [k for k in dict.keys(self) if self._part_of_key(k) == part]:
            dict.__delitem__(self, key)
        self.blobs.pop(group, None)

    def freeze(self) -> int:
        """Let the built items go, their groups kept as blobs (made anew for the groups changed since they
        were built). Returns how many items were let go."""
        hot = dict.__len__(self)
        _warm.pop(id(self), None)
        if not hot:
            return 0
        if not self.frozen:  # wholly built: as many groups as its size asks for (the blobs are stale then)
            groups = _groups_for(hot)
            if groups != self.groups:
                self.groups = groups
                self.blobs.clear()
        built: dict[int, list[Any]] = {}
        for key, item in dict.items(self):
            built.setdefault(self._group(key) or 0, []).append(item)
        for group in [g for g in self.blobs if g not in self.frozen and g not in built]:
            del self.blobs[group]  # (a group whose items all went: its deletes dropped the blob already)
        for group, items in built.items():
            if group in self.frozen:  # new items put beside a frozen group (see __setitem__): merged into it
                merged = _decode(self.blobs[group][0]) + attributes(items)
                self.blobs[group] = (zlib.compress(encode(merged), 1), len(merged))
            elif group not in self.blobs:
                self.blobs[group] = (zlib.compress(encode(attributes(items)), 1), len(items))
        dict.clear(self)
        self.absent = None
        self.frozen = set(self.blobs)
        return hot

    def attributes_of(self, part: int | None = None) -> list[dict[str, Any]]:
        """The items of one snapshot part (None: all) as DynamoDB JSON, frozen ones read from their blob
        without building them (a snapshot's read)."""
        out: list[dict[str, Any]] = []
        for group in self.frozen:
            if part is not None and group != part % self.groups:
                continue
            for attrs in _decode(self.blobs[group][0]):
                if part is None or self._part_of_attrs(attrs) == part:
                    out.append(attrs)
        hot = dict.items(self)
        out += attributes(item for key, item in hot if part is None or self._part_of_key(key) == part)
        return out

    def peek(self) -> list[Any]:
        """Every item, frozen ones built for the caller only (kept frozen: a scan reads each item once)."""
        items = list(dict.values(self))
        for group in self.frozen:
            items += [build_item(attrs, self.hash_attr, self.range_attr) for attrs in _decode(self.blobs[group][0])]
        return items

    def _part_of_attrs(self, attrs: dict[str, Any]) -> int:
        ((kind, value),) = attrs[self.range_attr].items()
        return part_of(kind, value) or 0

    @staticmethod
    def _part_of_key(key: Any) -> int | None:
        kind, value = getattr(key, "type", None), getattr(key, "value", None)
        return (part_of(kind, value) or 0) if isinstance(kind, str) else None

    def _group(self, key: Any) -> int | None:
        """The key's group; None for something not a sort key (an odd lookup: every group)."""
        part = self._part_of_key(key)
        return None if part is None else part % self.groups

    def _regroup(self) -> None:
        """A single large blob (a restored partition) split into groups, none of its items built."""
        blob, count = self.blobs[0]
        groups = _groups_for(count)
        if self.groups != 1 or self.frozen != {0} or dict.__len__(self) or groups == 1:
            return
        split: dict[int, list[dict[str, Any]]] = {}
        for attrs in _decode(blob):
            split.setdefault(self._part_of_attrs(attrs) % groups, []).append(attrs)
        self.groups = groups
        self.blobs = {g: (zlib.compress(encode(items), 1), len(items)) for g, items in split.items()}
        self.frozen = set(self.blobs)

    def _thaw(self, group: int | None) -> None:
        self.touched = time.monotonic()
        _warm[id(self)] = self
        self.absent = None
        if group is None:  # every group
            for each in list(self.frozen):
                self._thaw(each)
            return
        if group not in self.frozen:
            return
        for attrs in _decode(self.blobs[group][0]):
            item = build_item(attrs, self.hash_attr, self.range_attr)
            dict.__setitem__(self, item.range_key, item)
        self.frozen.discard(group)

    def _thaw_all(self) -> None:
        self._thaw(None)

    def _open(self, key: Any, changes: bool = True) -> None:
        """Before a keyed access: the key's group built; its blob stale when the access may change it."""
        if self.groups == 1 and self.frozen:
            self._regroup()
        group = self._group(key)
        self._thaw(group)
        if changes and group is not None:
            self.blobs.pop(group, None)

    # ------------------------------------------------------------------------------------ dict's side

    def __len__(self) -> int:
        return dict.__len__(self) + sum(self.blobs[p][1] for p in self.frozen)

    def __getitem__(self, key: Any) -> Any:
        """moto's get_item, and the lookup its put_item makes first: a key not in its frozen group's blob
        is answered from the blob without building the group, and noted, so that the put that follows
        adds the item beside the blob (a new search posting builds nothing; a freeze merges it)."""
        if self.groups == 1 and self.frozen:
            self._regroup()
        group = self._group(key)
        if group is not None and group in self.frozen and dict.__contains__(self, key):
            self.touched = time.monotonic()  # put beside the frozen group before: a freeze merges its changes
            return dict.__getitem__(self, key)
        if group is not None and group in self.frozen:
            wanted = key.to_json()
            if all(attrs.get(self.range_attr) != wanted for attrs in _decode(self.blobs[group][0])):
                self.absent = (group, key)
                raise KeyError(key)
        self._open(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        absent, self.absent = self.absent, None
        group = self._group(key)
        if absent is not None and absent[1] is key and absent[0] == group and group in self.frozen:
            self.touched = time.monotonic()  # (the lookup just before found it in no blob: a new item)
            _warm[id(self)] = self
            dict.__setitem__(self, key, value)
            return
        self._open(key)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        self._open(key)
        dict.__delitem__(self, key)

    def __contains__(self, key: object) -> bool:
        self._open(key, changes=False)
        return dict.__contains__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._open(key)
        return dict.get(self, key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        self._open(key)
        return dict.pop(self, key, *default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._open(key)
        return dict.setdefault(self, key, default)

    def popitem(self) -> tuple[Any, Any]:
        self._thaw_all()
        self.blobs.clear()
        return dict.popitem(self)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def clear(self) -> None:
        self.blobs.clear()
        self.frozen.clear()
        dict.clear(self)

    def keys(self) -> Any:
        self._thaw_all()
        return dict.keys(self)

    def values(self) -> Any:
        self._thaw_all()
        return dict.values(self)

    def items(self) -> Any:
        self._thaw_all()
        return dict.items(self)

    def __iter__(self) -> Iterator[Any]:
        self._thaw_all()
        return dict.__iter__(self)

    def __repr__(self) -> str:
        self._thaw_all()
        return dict.__repr__(self)

    def __eq__(self, other: object) -> bool:
        self._thaw_all()
        if isinstance(other, Partition):
            other._thaw_all()
        return dict.__eq__(self, other)

    __hash__ = None

    def copy(self) -> Partition:
        self._thaw_all()
        result = Partition(self.hash_attr, self.range_attr)
        dict.update(result, dict.items(self))
        return result

    def __deepcopy__(self, memo: dict[int, Any]) -> Partition:
        self._thaw_all()
        result = Partition(self.hash_attr, self.range_attr)
        for key, item in dict.items(self):
            dict.__setitem__(result, copy.deepcopy(key, memo), copy.deepcopy(item, memo))
        return result

    def __reduce__(self) -> Any:
        self._thaw_all()
        return (_rebuild, (self.hash_attr, self.range_attr, list(dict.items(self))))


def _groups_for(count: int) -> int:
    """Groups for ``count`` items: a power of two, about ``GROUP_ITEMS`` items each, at most ``PARTS``."""
    groups = 1
    while groups < PARTS and count > groups * GROUP_ITEMS:
        groups *= 2
    return groups


def _decode(blob: Blob) -> list[dict[str, Any]]:
    """A blob's items: a snapshot line's (a restore) or a list of them (a freeze)."""
    data = json.loads(blob.read() if isinstance(blob, FileLine) else zlib.decompress(blob))
    items: list[dict[str, Any]] = data["items"] if isinstance(data, dict) else data
    return items


def _rebuild(hash_attr: str, range_attr: str, pairs: list[tuple[Any, Any]]) -> Partition:
    result = Partition(hash_attr, range_attr)
    dict.update(result, pairs)
    return result


def coldable(table: Any) -> bool:
    """Whether the table's partitions are kept as :class:`Partition`: a sort key and no secondary index."""
    return bool(table.range_key_attr) and not table.global_indexes and not table.indexes


def install(table: Any) -> bool:
    """Make the table keep its partitions as :class:`Partition`; False when it does not qualify."""
    if not coldable(table):
        return False
    if isinstance(table.items, defaultdict) and table.items.default_factory is not dict:
        return True  # installed already
    partitions: defaultdict[Any, Partition] = defaultdict(
        functools.partial(Partition, table.hash_key_attr, table.range_key_attr)
    )
    for hash_key, entry in table.items.items():  # (written before: kept as they are, frozen when idle)
        partition = partitions[hash_key]
        dict.update(partition, entry)
        partition.touched = time.monotonic()
        _warm[id(partition)] = partition
    table.items = partitions
    return True


def warm_items() -> int:
    """How many built items the warm partitions hold (a census for tests and the bench)."""
    return sum(dict.__len__(p) for p in _warm.values())


class Freezer:
    """A ``Loop`` step: freeze the partitions nobody touched for ``cold_after`` seconds, under the DynamoDB
    lock, for at most ``budget`` seconds at a time (DynamoDB requests wait meanwhile)."""

    def __init__(self, lock: threading.Lock, cold_after: float = COLD_AFTER, budget: float = 0.05) -> None:
        self.lock, self.cold_after, self.budget = lock, cold_after, budget
        self.frozen_items = 0

    def step(self) -> bool:
        """One bounded round (the rest waits for the next: requests get the lock in between)."""
        now = time.monotonic()
        with self.lock:
            began = time.perf_counter()
            for partition in [p for p in _warm.values() if now - p.touched >= self.cold_after]:
                self.frozen_items += partition.freeze()
                if time.perf_counter() - began >= self.budget:
                    break
        return False
