"""The local stack's data directory: snapshots of moto's stores plus a journal of raw mail.

moto keeps everything in memory. What the local stack keeps lives in a data directory
(``.helpdesk/`` in the checkout by default)::

    .helpdesk/
      lock                 held (flock) by the running stack; the kernel lets go when it dies
      snapshot.jsonl       first line: S3 object index, Cognito users, which raw mails were ingested;
                           then one line per DynamoDB partition (a ticket with its messages and events, …),
                           or, for a partition of more than 256 items (a common word's search postings, an
                           agent's notifications), one line per part of it: 128 parts by the sort key's
                           CRC-32; then the batches appended since (lines, then a commit line)
      objects/<sha256>     S3 objects other than raw mail, one file per key and ETag
      inbound/<ulid>       raw mail as SMTP received it, written and fsync'ed before the 250

* **Snapshots** are taken every few seconds when something changed, and at shutdown. DynamoDB is read
  under the moto server's DynamoDB lock, so a snapshot never holds half a transaction; only the
  partitions written since the last snapshot are read again (every write goes through moto's
  ``put_item``/``update_item``/``delete_item``, which note the partition and the part of it), so DynamoDB
  waits for the changes only. A large partition is kept in parts, so that a new mail's search postings
  read again a few kilobytes of each common word's postings, not all of them (a megabyte per word at
  10,000 tickets).
* **The file is written whole, then appended to.** A process's first snapshot writes the whole file
  atomically (a temporary file, fsync, rename; the unchanged lines copied from the file it replaces, where
  each one is, not its bytes, is kept in memory). Later snapshots append the lines read again and then a
  commit line (the lines gone, the header's changes), fsync'ed after the lines and after the commit; a
  restore applies a batch only once its commit line is there, so a batch cut off by a crash does not
  count. Once the appended batches are a quarter of the file (at least 16 MB), the next snapshot writes
  the whole file again. Before, every snapshot wrote the whole file: at 10,000 tickets 204 MB every few
  seconds while mail came in.
* **Raw mail is the journal.** SMTP answers 250 only after the mail is on disk. At start, every
  raw mail the snapshot does not list as ingested goes through S3 → SQS → ingest again; ingest is
  idempotent (Message-ID and content, or the inbound key), so a mail ingested before a crash but
  after the last snapshot becomes a message exactly once. Raw mail deleted from the bucket after its
  ingest (an erasure, a ticket deleted for good) leaves the journal at the next snapshot.
* **S3 objects are read from these files** (:mod:`moto_files`) once they are on disk, not held in memory.
* **Partitions nobody touched for a while are kept compressed** (:mod:`moto_cold`) in the tables without
  a secondary index; a restore keeps those tables' lines compressed and builds items on first use.
* What a crash (``kill -9``) loses: changes other than inbound mail (an agent's reply, a status
  change, a new agent) made after the last snapshot, the queues' contents (rebuilt from the journal),
  the outbox page (SES's record of sent mail) and live-socket state.

Resources are still created from ``template.yaml`` at every start; a snapshot only fills them.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import itertools
import json
import logging
import os
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote_plus

from . import moto_cold, moto_files, moto_index
from .moto_cold import PARTS, SETS, SPLIT_ABOVE, attributes, build_item, dynamo, encode, part_of
from .provision import ACCOUNT, REGION, Provisioned
from .template import ROOT, resources

log = logging.getLogger("helpdesk.local.persist")

FORMAT = 3  # 3: large partitions in parts, changes appended in batches; 2 is read as well
READABLE_FORMATS = frozenset({2, 3})
COMPACT_ABOVE = 16 * 2**20  # bytes appended since the file was last written whole, at least; or a quarter of it
DEFAULT_DATA_DIR = ROOT / ".helpdesk"
INBOUND_PREFIX = "inbound/"
Span = tuple[int, int]  # a line's offset and length in the snapshot file
LineKey = tuple[str, str, int | None]  # (table's logical id or name, hash key as JSON, part or None for all)


class DataDirBusy(RuntimeError):
    """Another process (a running stack) holds the data directory."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes | Iterable[bytes]) -> int:
    """Write a file so that after a crash it is either absent or whole: temporary file, fsync, rename, fsync.

    Returns the bytes written.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    written = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes) else data:
                written += handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return written


# ---------------------------------------------------------------------------------------- change tracking

# (table name, hash key as JSON, part) of every item written since the last snapshot took them: part None
# for the whole partition, hash key "*" for a whole table. Written under the moto server's DynamoDB lock
# (DynamoDB requests run one at a time), taken under it. PartiQL writes (ExecuteStatement) are not seen:
# this project makes none.
_changed: set[LineKey] = set()
_tracking: list[bool] = []


def encode_line(logical_id: str, part: int | None, hash_key: dict[str, Any], items: list[dict[str, Any]]) -> bytes:
    """A partition's (or part's) line: ``{"table", ["part",] "count", "hash", "items"}``, items last, so a
    restore reads a cold table's line by its header alone (:func:`_line_header`). ``hash_key`` is the
    partition's key as DynamoDB JSON."""
    line: dict[str, Any] = {"table": logical_id} | ({} if part is None else {"part": part})
    return encode(line | {"count": len(items), "hash": hash_key, "items": items})


def _line_header(line: bytes) -> dict[str, Any] | None:
    """A line's fields before its items (table, part, count, hash key), its items not parsed; None for a
    line written without a count (before these were written: it is parsed whole)."""
    end = line.find(b',"items":')  # (not inside a value: a string's quotes are escaped)
    if end < 0:
        return None
    try:
        header: dict[str, Any] = json.loads(line[:end] + b"}")
    except ValueError:
        return None
    return header if "count" in header and "hash" in header else None


def _hash_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _note(backend: Any, table_name: str, attrs: dict[str, Any]) -> None:
    try:
        table = backend.get_table(table_name)
        hash_json = _hash_json(attrs[table.hash_key_attr])
    except Exception:  # an unknown table, a missing key: the request fails, the snapshot rereads the table
        _changed.add((table_name, "*", None))
        return
    part = None
    range_key = attrs.get(table.range_key_attr) if table.range_key_attr else None
    if isinstance(range_key, dict) and len(range_key) == 1:
        ((kind, value),) = range_key.items()
        part = part_of(kind, value)
    _changed.add((table_name, hash_json, part))


def _own_sets(backend: Any, table_name: str, key: dict[str, Any]) -> None:
    """Before an update (its ADD and DELETE change a set in place), give the item its own copy of each set:
    a restore shares equal sets between items (see :func:`_dynamo`)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        table = backend.get_table(table_name)
        item = table.items.get(DynamoType(key[table.hash_key_attr]))
        if table.range_key_attr and item is not None:
            item = item.get(DynamoType(key[table.range_key_attr]))
    except Exception:  # an unknown table, a bad key: moto's update answers with the error
        return
    if item is None:  # a new item: nothing shared
        return
    for name, value in list(item.attrs.items()):
        if value.type in SETS:
            own = DynamoType.__new__(DynamoType)
            own.type, own.value = value.type, list(value.value)
            dict.__setitem__(item.attrs, name, own)


def install_change_tracking() -> None:
    """Wrap moto's DynamoDB writes so that each notes the partition it writes (once per process)."""
    if _tracking:
        return
    from moto.dynamodb.models import DynamoDBBackend

    put, update, delete = DynamoDBBackend.put_item, DynamoDBBackend.update_item, DynamoDBBackend.delete_item

    def put_item(self: Any, table_name: str, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        _note(self, table_name, item_attrs)
        return put(self, table_name, item_attrs, *args, **kwargs)

    def update_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        _note(self, table_name, key)
        _own_sets(self, table_name, key)
        return update(self, table_name, key, *args, **kwargs)

    def delete_item(self: Any, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        _note(self, table_name, key)
        return delete(self, table_name, key, *args, **kwargs)

    DynamoDBBackend.put_item = put_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = delete_item  # type: ignore[method-assign]
    _tracking.append(True)


@dataclass
class DataDir:
    path: Path
    _lock: IO[str] | None = None

    @property
    def snapshot_path(self) -> Path:
        return self.path / "snapshot.jsonl"

    @property
    def inbound(self) -> Path:
        return self.path / "inbound"

    @property
    def objects(self) -> Path:
        return self.path / "objects"

    def is_empty(self) -> bool:
        """Nothing kept yet: no snapshot and no raw mail (``--demo`` seeds only then)."""
        return not self.snapshot_path.exists() and not any(self.inbound.glob("*"))

    def acquire(self) -> None:
        """Hold the directory for this process; a second stack on the same directory is refused."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.inbound.mkdir(exist_ok=True)
        self.objects.mkdir(exist_ok=True)
        handle = (self.path / "lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise DataDirBusy(f"{self.path} is in use by a running local stack") from None
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    @contextlib.contextmanager
    def held(self) -> Iterator[DataDir]:
        """The directory, held while the block runs (backup, restore, wipe: only while no stack runs)."""
        self.acquire()
        try:
            yield self
        finally:
            self.release()

    def journal(self, key: str, data: bytes) -> None:
        """Keep a raw mail on disk before SMTP answers 250 (``key`` is ``inbound/<ulid>``)."""
        name = key.removeprefix(INBOUND_PREFIX)
        if not name or "/" in name or name.startswith("."):
            raise ValueError(f"not an inbound key: {key!r}")
        write_durably(self.inbound / name, data)

    def forget(self, key: str) -> None:
        (self.inbound / key.removeprefix(INBOUND_PREFIX)).unlink(missing_ok=True)

    def journal_keys(self) -> list[str]:
        """Every raw mail kept, oldest first (ULIDs sort by time)."""
        return sorted(INBOUND_PREFIX + p.name for p in self.inbound.iterdir() if not p.name.startswith("."))

    def read_snapshot(self) -> dict[str, Any] | None:
        """The snapshot's first line (objects, users, ingested mail), or None when there is none."""
        if not self.snapshot_path.exists():
            return None
        with self.snapshot_path.open("rb") as handle:
            data: dict[str, Any] = json.loads(handle.readline())
        if data.get("format") not in READABLE_FORMATS:
            raise ValueError(f"{self.snapshot_path}: unknown snapshot format {data.get('format')!r}")
        return data

    def partitions(self) -> Iterator[tuple[int, bytes]]:
        """The snapshot's DynamoDB lines with where each starts in the file:
        ``{"table": <logical id>, "count": <n>, "hash": <hash key>, "items": [<DynamoDB JSON>, …]}``, with
        ``"part": <n>`` for one part of a large partition (see :func:`encode_line`; lines written before
        count and hash were added have only the table, the part and the items)."""
        with self.snapshot_path.open("rb") as handle:
            offset = len(handle.readline())
            for line in handle:
                if line.strip():
                    yield offset, line.rstrip(b"\n")
                offset += len(line)

    def wipe(self) -> None:
        """Remove everything kept (the caller holds the directory and has asked)."""
        self.snapshot_path.unlink(missing_ok=True)
        for directory in (self.inbound, self.objects):
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir()


# ------------------------------------------------------------------------------------------- backup / restore


def backup(data: DataDir, target: Path) -> int:
    """Write the data directory to a ``.tar.gz`` (only while no stack runs); returns the files written."""
    count = 0
    with data.held(), tarfile.open(target, "w:gz") as tar:
        for path in sorted(data.path.rglob("*")):
            if path.is_file() and path.name != "lock" and not path.name.startswith("."):
                tar.add(path, arcname=str(path.relative_to(data.path)))
                count += 1
    return count


def restore_backup(data: DataDir, source: Path) -> int:
    """Replace the data directory's contents with a backup's (only while no stack runs)."""
    with tarfile.open(source, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        if not any(m.name == "snapshot.jsonl" for m in members) and not any(
            m.name.startswith("inbound/") for m in members
        ):
            raise ValueError(f"{source} is not a backup of a data directory")
        with data.held():
            data.wipe()
            tar.extractall(data.path, members=members, filter="data")
    return len(members)


# ------------------------------------------------------------------------------------------------ snapshot


@dataclass
class Snapshotter:
    """Reads moto's backends into a snapshot and fills them from one (same process as the moto server)."""

    data: DataDir
    resources: Provisioned
    dynamodb_lock: threading.Lock
    ingested: set[str] = field(default_factory=set)  # inbound keys whose ingest finished (SQS message deleted)
    written_objects: set[str] = field(default_factory=set)  # files in objects/ known to be whole
    last_seconds: float = 0.0
    last_locked_seconds: float = 0.0  # of which DynamoDB requests waited
    last_bytes: int = 0
    last_partitions: int = 0  # read again in the last snapshot
    count: int = 0
    # (table, hash key, part) → its line: the bytes when read since the last snapshot was written, else
    # where the line is in the snapshot file (offset, length). Keeping every line in memory cost about the
    # file's size (67 MB at 10,000 tickets); a snapshot copies the unchanged lines from the file it replaces.
    fragments: dict[LineKey, bytes | Span] = field(default_factory=dict)
    split: set[tuple[str, str]] = field(default_factory=set)  # (table, hash key) written as parts
    complete: bool = False  # fragments hold every partition (after a restore or a first full read)
    appendable: bool = False  # this process wrote the whole file: the next snapshots append their changes
    appended: bool = False  # the last snapshot appended (else it wrote the whole file)
    base_bytes: int = 0  # the file as last written whole
    log_bytes: int = 0  # appended since
    _gone: set[LineKey] = field(default_factory=set)  # lines the file has that no partition has any more
    _written: dict[str, Any] = field(default_factory=dict)  # what the file holds: ingested, objects, cognito
    _writing: threading.Lock = field(default_factory=threading.Lock)
    _ingested_lock: threading.Lock = field(default_factory=threading.Lock)
    _entries: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = field(default_factory=dict)  # S3, by key

    def __post_init__(self) -> None:
        install_change_tracking()
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[ACCOUNT][REGION]
        for name in self._table_names().values():  # (empty: provisioned, not yet restored or seeded)
            moto_cold.install(backend.get_table(name))

    # ------------------------------------------------------------------------------------------ bookkeeping

    def note_ingested(self, messages: Iterable[dict[str, Any]], failed: set[str]) -> None:
        """The SQS poller's report: which inbound objects the ingest finished with."""
        for message in messages:
            if message["MessageId"] in failed:
                continue
            for key in s3_keys(message.get("Body", "")):
                if key.startswith(INBOUND_PREFIX):
                    with self._ingested_lock:  # the snapshot thread reads the set
                        self.ingested.add(key)

    # --------------------------------------------------------------------------------------------- capture

    def snapshot(self) -> None:
        """Capture and write a snapshot (one at a time)."""
        with self._writing:
            started = time.monotonic()
            state = self.capture()
            self.appended = self.appendable and self.log_bytes < max(COMPACT_ABOVE, self.base_bytes // 4)
            try:
                size = self._append(state) if self.appended else self._rewrite(state)
            except BaseException:
                # A batch may be half on disk (a full disk, say): lines after it would count with its
                # lines. The next snapshot writes the whole file instead.
                self.appendable = False
                raise
            kept = {entry["file"] for entry in state["objects"] if entry.get("file")}
            for path in self.data.objects.iterdir():  # objects no snapshot refers to any more
                if path.name not in kept and not path.name.startswith("."):
                    path.unlink(missing_ok=True)
            self.written_objects &= kept
            self._forget_deleted_mail(state)
            self.last_seconds = time.monotonic() - started
            self.last_bytes = size
            self.count += 1
            log.info("snapshot: %d bytes in %.2f s", size, self.last_seconds)

    def _forget_deleted_mail(self, state: dict[str, Any]) -> None:
        """Raw mail that was ingested and is no longer in the bucket was deleted (an erasure, a ticket
        deleted for good, the retention rule): its journal file goes too. It stayed, and each start put it
        back into the bucket: an erased customer's mail came back. (A mail not yet ingested may not be in
        the bucket yet: only ingested ones, which were, count.)"""
        listed = {entry["key"] for entry in state["objects"] if entry["bucket"] == "MailBucket"}
        gone = {key for key in state["ingested"] if key not in listed}
        for key in gone:
            self.data.forget(key)
        with self._ingested_lock:
            self.ingested -= gone

    def _rewrite(self, state: dict[str, Any]) -> int:
        """Write the whole file: the header, then every line (unchanged ones copied from the file replaced)."""
        plan = list(self.fragments.items())
        header = json.dumps(state | {"lines": len(plan)}, ensure_ascii=False, separators=(",", ":")).encode()
        spans: dict[LineKey, bytes | Span] = {}
        offset = len(header) + 1
        for key, fragment in plan:
            length = len(fragment) if isinstance(fragment, bytes) else fragment[1]
            spans[key] = (offset, length)
            offset += length + 1
        with self._previous_file(plan) as source:
            size = write_durably(
                self.data.snapshot_path,
                itertools.chain([header, b"\n"], *((_line(f, source), b"\n") for _, f in plan)),
            )
        self.fragments = spans  # only this thread changes them (capture runs under _writing too)
        self._gone.clear()
        self._written = header_facts(state)
        self.appendable, self.base_bytes, self.log_bytes = True, size, 0
        return size

    def _append(self, state: dict[str, Any]) -> int:
        """Append what changed since the file was written: the lines read again, then a commit line with the
        lines gone and the header's changes. A restore applies a batch only once its commit line is there."""
        facts, written = header_facts(state), self._written
        commit: dict[str, Any] = {"written_at": state["written_at"]}
        if self._gone:
            commit["gone"] = sorted([list(key) for key in self._gone], key=json.dumps)
        if added := sorted(facts["ingested"] - written["ingested"]):
            commit["ingested"] = added
        if put := [entry for key, entry in facts["objects"].items() if written["objects"].get(key) != entry]:
            commit["objects"] = put
        if removed := [list(key) for key in written["objects"] if key not in facts["objects"]]:
            commit["objects_gone"] = removed
        if facts["cognito"] != written["cognito"]:
            commit["cognito"] = state["cognito"]
        lines = [(key, fragment) for key, fragment in self.fragments.items() if isinstance(fragment, bytes)]
        if not lines and len(commit) == 1:
            return 0
        with self.data.snapshot_path.open("ab") as handle:
            offset = start = handle.tell()
            spans: list[tuple[LineKey, Span]] = []
            for key, fragment in lines:
                handle.write(fragment + b"\n")
                spans.append((key, (offset, len(fragment))))
                offset += len(fragment) + 1
            handle.flush()
            os.fsync(handle.fileno())  # the lines are on disk before the commit line that makes them count
            handle.write(json.dumps({"commit": commit}, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
            size = handle.tell() - start
        self.fragments.update(spans)
        self._gone.clear()
        self._written = facts
        self.log_bytes += size
        return size

    def line(self, key: LineKey) -> bytes:
        """A partition's (or part's) line as the next snapshot writes it."""
        fragment = self.fragments[key]
        if isinstance(fragment, bytes):
            return fragment
        with self.data.snapshot_path.open("rb") as source:
            return _line(fragment, source)

    @contextlib.contextmanager
    def _previous_file(self, plan: list[tuple[LineKey, bytes | Span]]) -> Iterator[IO[bytes] | None]:
        """The snapshot file being replaced, open for reading its unchanged lines (the rename leaves an open
        file readable), or None when no line is read from it."""
        if all(isinstance(fragment, bytes) for _, fragment in plan):
            yield None
            return
        with self.data.snapshot_path.open("rb") as source:
            yield source

    def capture(self) -> dict[str, Any]:
        # Order matters for a crash between the steps: what is marked ingested is already in the tables,
        # and the objects the tables refer to were stored before the items that refer to them.
        with self._ingested_lock:
            ingested = sorted(self.ingested)
        self._capture_tables()
        objects = self._capture_objects()
        return {
            "format": FORMAT,
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "ingested": ingested,
            "objects": objects,
            "cognito": self._capture_cognito(),
        }

    def _capture_tables(self) -> None:
        """Bring ``fragments`` up to date: the partitions written since the last snapshot (or all of them)."""
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        backend = dynamodb_backends[ACCOUNT][REGION]
        names = self._table_names()
        logical = {name: lid for lid, name in names.items()}
        with self.dynamodb_lock:
            started = time.monotonic()
            changed = set(_changed)
            _changed.clear()
            whole = (
                set(names) if not self.complete else {logical[n] for n, h, _ in changed if h == "*" and n in logical}
            )
            for lid in whole:
                for key in [k for k in self.fragments if k[0] == lid]:
                    del self.fragments[key]
                self.split = {k for k in self.split if k[0] != lid}
                self.appendable = False  # its lines are written anew with the whole file
                table = backend.get_table(names[lid])
                for hash_key in list(table.items):
                    self._read_partition(lid, table, hash_key, None)
            count = sum(len(backend.get_table(names[lid]).items) for lid in whole)
            parts: dict[tuple[str, str], set[int] | None] = {}
            for name, hash_json, part in changed:
                owner = logical.get(name)
                if owner is None or owner in whole or hash_json == "*":
                    continue
                seen = parts.setdefault((owner, hash_json), set())
                if seen is not None:
                    if part is None:
                        parts[(owner, hash_json)] = None
                    else:
                        seen.add(part)
            for (owner, hash_json), which in parts.items():
                self._read_partition(owner, backend.get_table(names[owner]), DynamoType(json.loads(hash_json)), which)
                count += 1
            self.complete = True
            self.last_partitions = count
            self.last_locked_seconds = time.monotonic() - started

    def _read_partition(self, logical_id: str, table: Any, hash_key: Any, parts: set[int] | None) -> None:
        """Read a partition into its line, or, when it is large, the given parts of it (None: all)."""
        entry = table.items.get(hash_key)
        partition = (logical_id, _hash_json(hash_key.to_json()))
        if not table.range_key_attr or entry is None or len(entry) <= SPLIT_ABOVE:
            if partition in self.split:  # it shrank: one line again
                self.split.discard(partition)
                self._drop_parts(partition)
            if isinstance(entry, moto_cold.Partition):  # frozen items read from their blobs, not built
                found = entry.attributes_of(None)
            else:
                items = list(entry.values()) if table.range_key_attr and entry is not None else [entry] if entry else []
                found = attributes(items)
            if found:
                self._keep((*partition, None), encode_line(logical_id, None, hash_key.to_json(), found))
            else:
                self._drop((*partition, None))
            return
        if partition not in self.split or parts is None:  # it grew (or is read whole): every part anew
            self._drop((*partition, None))
            self._drop_parts(partition)
            self.split.add(partition)
            parts = set(range(PARTS))
        grouped: dict[int, list[Any]] = {part: [] for part in parts}
        if isinstance(entry, moto_cold.Partition):  # the parts asked for, frozen ones not built
            grouped = {part: entry.attributes_of(part) for part in parts}
        else:
            for range_key, item in entry.items():
                group = grouped.get(part_of(range_key.type, range_key.value) or 0)  # binary sort keys: part 0
                if group is not None:
                    group.append(item)
            grouped = {part: attributes(items) for part, items in grouped.items()}
        for part, items in grouped.items():
            if items:
                self._keep((*partition, part), encode_line(logical_id, part, hash_key.to_json(), items))
            else:
                self._drop((*partition, part))

    def _keep(self, key: LineKey, line: bytes) -> None:
        self.fragments[key] = line
        self._gone.discard(key)

    def _drop(self, key: LineKey) -> None:
        if self.fragments.pop(key, None) is not None:
            self._gone.add(key)  # a line the file has: the next append says it is gone

    def _drop_parts(self, partition: tuple[str, str]) -> None:
        for part in range(PARTS):
            self._drop((*partition, part))

    def _capture_objects(self) -> list[dict[str, Any]]:
        from moto.s3.models import s3_backends

        backend = s3_backends[ACCOUNT]["global"]
        entries: list[dict[str, Any]] = []
        for logical_id, name in self._bucket_names().items():
            bucket = backend.buckets.get(name)
            if bucket is None:
                continue
            for key_name, key in list(bucket.keys.items()):
                seen = self._entries.get((logical_id, key_name))
                if seen is not None and seen[0] is key:  # the same object as last time (a put makes a new one)
                    entries.append(seen[1])
                    continue
                entry: dict[str, Any] = {
                    "bucket": logical_id,
                    "key": key_name,
                    "etag": key.etag,
                    "metadata": dict(key.metadata),
                    "encryption": key.encryption,
                }
                journal = self.data.inbound / key_name.removeprefix(INBOUND_PREFIX)
                if key_name.startswith(INBOUND_PREFIX) and logical_id == "MailBucket" and journal.exists():
                    entry["file"] = None  # the journal has it
                    moto_files.serve_from(key, journal)
                else:
                    digest = hashlib.sha256(f"{logical_id}\0{key_name}\0{key.etag}".encode()).hexdigest()
                    entry["file"] = digest
                    if digest not in self.written_objects:
                        write_durably(self.data.objects / digest, key.value)
                        self.written_objects.add(digest)
                    moto_files.serve_from(key, self.data.objects / digest)  # on disk now: not in memory too
                self._entries[(logical_id, key_name)] = (key, entry)
                entries.append(entry)
        return entries

    def _capture_cognito(self) -> dict[str, Any]:
        from moto.cognitoidp.models import cognitoidp_backends

        pool = cognitoidp_backends[ACCOUNT][REGION].user_pools[self.resources.user_pool_id]
        users = []
        for user in list(pool.users.values()):
            users.append(
                {
                    "username": user.username,
                    "id": user.id,
                    "password": user.password,
                    "status": user.status,
                    "enabled": user.enabled,
                    "attributes": user.attributes,
                    "groups": sorted(group.group_name for group in user.groups),
                }
            )
        refresh = {token: list(value) for token, value in list(pool.refresh_tokens.items()) if value is not None}
        return {"user_pool_id": pool.id, "users": users, "refresh_tokens": refresh}

    # --------------------------------------------------------------------------------------------- restore

    def restore(self) -> list[str]:
        """Fill the (new, empty) resources from the snapshot, if there is one; returns the raw mails to
        ingest again (every raw mail kept that the snapshot does not list as ingested)."""
        state = self.data.read_snapshot()
        # Hundreds of thousands of long-lived objects: without this, the collector's full passes over
        # them took half of a start with 5,000 tickets. Frozen, later passes skip them too.
        gc.disable()
        try:
            if state is not None:
                header = self._restore_tables(state)
                self.ingested = header["ingested"]
                self._restore_objects(list(header["objects"].values()))
                self._restore_cognito(header["cognito"])
            else:
                self._restore_objects([])
        finally:
            gc.freeze()
            gc.enable()
        return [key for key in self.data.journal_keys() if key not in self.ingested]

    def _restore_tables(self, state: dict[str, Any]) -> dict[str, Any]:
        """Fill the tables from the file's lines: the whole-file part, then each appended batch whose commit
        line is there (a batch without one was cut off by a crash: ignored). Returns the header as the last
        commit left it (ingested, objects by bucket and key, cognito)."""
        from moto.dynamodb.models import dynamodb_backends

        backend = dynamodb_backends[ACCOUNT][REGION]
        names = self._table_names()
        skipped: set[str] = set()
        shared: dict[tuple[str, Any], Any] = {}  # one DynamoType per scalar value (see _dynamo)
        header = header_facts(state)
        source = moto_cold.LineFile(self.data.snapshot_path)  # where the cold tables' lines stay (moto_cold)
        with self.dynamodb_lock:
            for lines, commit in committed_batches(self.data, state):
                for table_id, hash_json, part in (commit or {}).get("gone", []):
                    self._forget_line(backend, names, (table_id, hash_json, part))
                for offset, line in lines:
                    self._restore_line(backend, names, source, offset, line, shared, skipped)
                if commit is not None:
                    apply_commit(header, commit)
            for name in names.values():  # filled directly: the query index reads them again
                moto_index.invalidate(backend.get_table(name))
        self.complete = True
        for logical_id in sorted(skipped):
            log.warning("the snapshot has table %s, the template does not: not restored", logical_id)
        return header

    def _restore_line(
        self,
        backend: Any,
        names: dict[str, str],
        source: moto_cold.LineFile,
        offset: int,
        line: bytes,
        shared: dict[tuple[str, Any], Any],
        skipped: set[str],
    ) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        # A cold table's line is not parsed: its header names the partition and counts its items.
        partition = _line_header(line) or json.loads(line)
        logical_id = partition["table"]
        if logical_id not in names:
            skipped.add(logical_id)
            return
        table = backend.get_table(names[logical_id])
        cold = moto_cold.coldable(table)
        if "items" not in partition and not cold:
            partition = json.loads(line)
        hash_attr, range_attr = table.hash_key_attr, table.range_key_attr
        items: list[dict[str, Any]] | None = partition.get("items")
        hash_key = items[0][hash_attr] if items is not None else partition["hash"]
        part = partition.get("part")
        key = (logical_id, _hash_json(hash_key), part)
        if key in self.fragments:  # a later version of the line (appended): it replaces the items
            self._forget_line(backend, names, key)
        self.fragments[key] = (offset, len(line))
        if part is not None:
            self.split.add(key[:2])
        if cold:  # left in the file, built on first use (moto_cold)
            count = len(items) if items is not None else partition["count"]
            entry = table.items[dynamo(DynamoType, hash_key, shared)]
            entry.add_blob(part, moto_cold.FileLine(source, offset, len(line)), count)
            return
        assert items is not None  # (parsed whole above)
        for attrs in items:
            # What put_item stores, without a stream record per item (the items are not new).
            item = build_item(attrs, hash_attr, range_attr, shared)
            if range_attr:
                table.items[item.hash_key][item.range_key] = item
            else:
                table.items[item.hash_key] = item

    def _forget_line(self, backend: Any, names: dict[str, str], key: LineKey) -> None:
        """Remove a line's items (a whole partition, or one part of it) while restoring."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        logical_id, hash_json, part = key
        self.fragments.pop(key, None)
        if logical_id not in names:
            return
        table = backend.get_table(names[logical_id])
        hash_key = dynamo(DynamoType, json.loads(hash_json))
        if part is None:
            table.items.pop(hash_key, None)
            self.split.discard((logical_id, hash_json))
            return
        entry = table.items.get(hash_key)
        if isinstance(entry, moto_cold.Partition):
            entry.drop_part(part)
            return
        for range_key in [r for r in entry or () if (part_of(r.type, r.value) or 0) == part]:
            del entry[range_key]

    def _restore_objects(self, objects: list[dict[str, Any]]) -> None:
        from moto.s3.models import s3_backends

        backend = s3_backends[ACCOUNT]["global"]
        names = self._bucket_names()
        for entry in objects:
            if entry["bucket"] not in names:
                continue
            path = (
                self.data.objects / entry["file"]
                if entry["file"]
                else self.data.inbound / entry["key"].removeprefix(INBOUND_PREFIX)
            )
            try:
                value = path.read_bytes()
            except FileNotFoundError:
                log.warning("snapshot lists S3 object %s, but %s is gone: skipped", entry["key"], path)
                continue
            key = backend.put_object(
                names[entry["bucket"]],
                entry["key"],
                value,
                encryption=entry.get("encryption"),
                disable_notification=True,
            )
            key.set_metadata(entry.get("metadata", {}))
            moto_files.serve_from(key, path)
            if entry["file"]:
                self.written_objects.add(entry["file"])
        # Raw mail kept after the snapshot is not in it: back into the bucket (its ingest follows).
        bucket = names.get("MailBucket")
        if bucket:
            listed = {e["key"] for e in objects if e["bucket"] == "MailBucket"}
            for key_name in self.data.journal_keys():
                if key_name not in listed:
                    path = self.data.inbound / key_name.removeprefix(INBOUND_PREFIX)
                    key = backend.put_object(bucket, key_name, path.read_bytes(), disable_notification=True)
                    moto_files.serve_from(key, path)

    def _restore_cognito(self, cognito: dict[str, Any]) -> None:
        from moto.cognitoidp.models import CognitoIdpUser, cognitoidp_backends

        backend = cognitoidp_backends[ACCOUNT][REGION]
        pool = backend.user_pools[self.resources.user_pool_id]
        for saved in cognito["users"]:
            user = CognitoIdpUser(pool.id, saved["username"], saved["password"], saved["status"], [])
            user.id = saved["id"]
            user.enabled = saved["enabled"]
            user.attributes = []
            user.update_attributes(saved["attributes"])
            pool.users[user.username] = user
            for name in saved["groups"]:
                group = pool.groups.get(name)
                if group is not None:
                    group.users.add(user)
                    user.groups.add(group)
        if cognito.get("user_pool_id") == pool.id:  # tokens are only good for the same pool
            for token, value in cognito.get("refresh_tokens", {}).items():
                pool.refresh_tokens[token] = tuple(value)

    def unindexed(self) -> tuple[int, int]:
        """(tickets without a search manifest, tickets): a data directory kept from before the search index
        finds only the tickets changed since until ``helpdesk reindex`` has run (the stack says so at start)."""
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        backend = dynamodb_backends[ACCOUNT][REGION]
        marker = DynamoType({"S": "TICKET"})
        with self.dynamodb_lock:
            tickets = backend.get_table(self.resources.names["TicketsTable"]).items
            ids = {hash_key.value for hash_key, entry in list(tickets.items()) if marker in entry}
            search = backend.get_table(self.resources.names["SearchTable"]).items
            indexed = {hash_key.value[2:] for hash_key in list(search) if str(hash_key.value).startswith("M#")}
        return len(ids - indexed), len(ids)

    def replay(self, keys: list[str]) -> None:
        """Send raw mail through the bucket's notification again (S3 → SQS → ingest)."""
        from moto.s3.models import s3_backends
        from moto.s3.notifications import S3NotificationEvent, send_event

        backend = s3_backends[ACCOUNT]["global"]
        bucket = backend.get_bucket(self.resources.names["MailBucket"])
        for key_name in keys:
            key = bucket.keys.get(key_name)
            if key is not None:
                send_event(ACCOUNT, S3NotificationEvent.OBJECT_CREATED_PUT_EVENT, bucket, key)

    # ------------------------------------------------------------------------------------------------ names

    def _table_names(self) -> dict[str, str]:
        return {lid: self.resources.names[lid] for lid in resources("AWS::DynamoDB::Table")}

    def _bucket_names(self) -> dict[str, str]:
        return {
            lid: self.resources.names[lid]
            for (lid, attr), arn in self.resources.attrs.items()
            if attr == "Arn" and arn.startswith("arn:aws:s3:::")
        }


def committed_batches(
    data: DataDir, state: dict[str, Any]
) -> Iterator[tuple[list[tuple[int, bytes]], dict[str, Any] | None]]:
    """The snapshot's DynamoDB lines (with their offsets) as a restore applies them, in order: each line of
    the whole-file part (no commit), then each appended batch with its commit line. A batch whose commit
    line is missing or cut off (a crash while it was written) is left out, with a warning. A later line of
    the same partition (or part) replaces the earlier one; a commit's ``gone`` lines are removed before its
    batch's lines apply."""
    base = state.get("lines")  # None (format 2): every line is the whole file's
    pending: list[tuple[int, bytes]] = []
    for number, (offset, line) in enumerate(data.partitions()):
        if base is None or number < base:
            yield [(offset, line)], None  # one at a time: the file can be hundreds of megabytes
            continue
        if not line.startswith(b'{"commit"'):
            pending.append((offset, line))
            continue
        try:
            commit: dict[str, Any] = json.loads(line)["commit"]
        except ValueError:  # cut off by a crash while it was written: the batch does not count
            break
        yield pending, commit
        pending = []
    if pending:
        log.warning("the snapshot's last %d lines were cut off before their commit: not restored", len(pending))


def header_facts(state: dict[str, Any]) -> dict[str, Any]:
    """What a snapshot's header holds, in the form an append compares with the last one written and a
    restore brings up to date with each commit (:func:`apply_commit`)."""
    return {
        "ingested": set(state.get("ingested", [])),
        "objects": {(entry["bucket"], entry["key"]): entry for entry in state["objects"]},
        "cognito": state["cognito"],
    }


def apply_commit(facts: dict[str, Any], commit: dict[str, Any]) -> None:
    """Bring :func:`header_facts` up to date with an appended batch's commit line (the changes
    ``Snapshotter._append`` wrote: ingested mail, S3 objects put and gone, Cognito)."""
    facts["ingested"].update(commit.get("ingested", []))
    for entry in commit.get("objects", []):
        facts["objects"][(entry["bucket"], entry["key"])] = entry
    for bucket, key in commit.get("objects_gone", []):
        facts["objects"].pop((bucket, key), None)
    facts["cognito"] = commit.get("cognito", facts["cognito"])


def _line(fragment: bytes | Span, source: IO[bytes] | None) -> bytes:
    if isinstance(fragment, bytes):
        return fragment
    assert source is not None
    offset, length = fragment
    source.seek(offset)
    data = source.read(length)
    if len(data) != length:
        raise OSError(f"snapshot file ends before a line it had at {offset} ({len(data)} of {length} bytes)")
    return data


def s3_keys(body: str) -> list[str]:
    """The object keys an S3 event notification (an SQS message body) names."""
    try:
        event = json.loads(body)
    except ValueError:
        return []
    if not isinstance(event, dict):
        return []
    keys = []
    for record in event.get("Records", []):
        key = record.get("s3", {}).get("object", {}).get("key") if isinstance(record, dict) else None
        if isinstance(key, str):
            keys.append(unquote_plus(key))
    return keys
