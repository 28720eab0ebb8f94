"""S3 objects read from the data directory's files instead of held in memory (issue 19: memory).

moto keeps every S3 object's bytes in a ``SpooledTemporaryFile`` of up to 5 MB, in memory: a team's raw
mail and attachments would all be resident (10,000 tickets with a 50 KB mail each: 500 MB). The local
stack has each object on disk anyway, written once and never changed: raw mail in ``inbound/<ulid>``
(before SMTP answers 250), every other object in ``objects/<sha256>`` (by bucket, key and ETag) once a
snapshot has written it. :func:`serve_from` swaps a key's buffer for a :class:`FileBuffer` on that file
(under the key's lock, which moto's ``FakeKey.value`` reads under): restored objects at once, new ones
after the snapshot that wrote them.

A put makes a new ``FakeKey`` (with moto's own buffer); a file is removed only when no key names it any
more (``persist.Snapshotter.snapshot``), so a buffer's file does not change under it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any


class FileBuffer:
    """The part of a file object moto's ``FakeKey`` uses (seek, read, tell, truncate, write, close), reading
    ``path``; a write (moto never rewrites a key's value, but if it did) keeps the new bytes in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.position = 0
        self.memory: io.BytesIO | None = None
        self.closed = False

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self.memory is not None:
            return self.memory.seek(offset, whence)
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: os.path.getsize(self.path)}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.memory.tell() if self.memory is not None else self.position

    def read(self, size: int = -1) -> bytes:
        if self.memory is not None:
            return self.memory.read(size)
        with self.path.open("rb") as handle:
            handle.seek(self.position)
            data = handle.read(size if size is not None and size >= 0 else -1)
        self.position += len(data)
        return data

    def truncate(self, size: int | None = None) -> int:
        position = self.tell()
        size = position if size is None else size
        self.memory = io.BytesIO(self._bytes()[:size])
        self.memory.seek(position)
        return size

    def write(self, data: bytes) -> int:
        if self.memory is None:
            position = self.position
            self.memory = io.BytesIO(self._bytes())
            self.memory.seek(position)
        return self.memory.write(data)

    def _bytes(self) -> bytes:
        return self.memory.getvalue() if self.memory is not None else self.path.read_bytes()

    def close(self) -> None:
        self.memory = None
        self.closed = True


def serve_from(key: Any, path: Path) -> bool:
    """Let moto's ``key`` read its value from ``path`` (which holds exactly that value); False when the
    file's size does not match (the key keeps its own buffer)."""
    buffer = key.__dict__.get("_value_buffer")
    if isinstance(buffer, FileBuffer):
        return True
    try:
        if buffer is None or os.path.getsize(path) != key.contentsize:
            return False  # (a delete marker has no value)
    except (OSError, AttributeError):
        return False
    key.etag  # noqa: B018  (computed now, from moto's buffer: moto reads it later without the key's lock)
    with key.lock:
        old, key._value_buffer = key._value_buffer, FileBuffer(path)
        old.close()
    return True
