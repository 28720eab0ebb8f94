"""Configuration persistence and the warm-start cache the ingest and the API read through."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..domain.clock import iso
from ..domain.config import CONFIG_KINDS, SNAPSHOT_FIELDS, ConfigSnapshot, Record, TeamSettings, record_key
from ..domain.records import RecordError
from . import audit
from .models import ConfigItem

SCOPE = "team"
SETTINGS_KEY = "settings#team"


class ConfigStore:
    """Reads the whole configuration in one Query and caches it for ``ttl`` seconds per process.

    Writes through this store invalidate the cache of this process at once; other warm Lambdas see
    a change within ``ttl`` (default 30 s, ``HELPDESK_CONFIG_TTL``).
    """

    def __init__(self, ttl: float | None = None) -> None:
        self.ttl = float(os.environ.get("HELPDESK_CONFIG_TTL", "30")) if ttl is None else ttl
        self._cached: ConfigSnapshot | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()
        self._pin = threading.local()  # this thread's request's snapshot (see pinned())
        self.problems: list[str] = []

    def snapshot(self) -> ConfigSnapshot:
        pinned: ConfigSnapshot | None = getattr(self._pin, "snapshot", None)
        if pinned is not None:
            return pinned
        with self._lock:
            if self._cached is None or time.monotonic() - self._loaded_at > self.ttl:
                self._cached = self._load()
                self._loaded_at = time.monotonic()
            snapshot = self._cached
        if getattr(self._pin, "on_first_read", False):
            self._pin.snapshot = snapshot
        return snapshot

    def invalidate(self) -> None:
        self._pin.snapshot = None  # a write within a pinned request: its later reads see it
        with self._lock:
            self._cached = None

    @contextmanager
    def pinned(self) -> Iterator[ConfigSnapshot]:
        """One snapshot for everything this thread reads until the block ends (one request): with a TTL of
        0 (the local stack) a request read the whole configuration once per use, three times per inbox
        read. Other threads are not affected; a write in the block drops the pin."""
        if getattr(self._pin, "snapshot", None) is not None:  # nested: the outer block's
            yield self.snapshot()
            return
        self._pin.snapshot = self.snapshot()
        try:
            yield self._pin.snapshot
        finally:
            self._pin.snapshot = None

    @contextmanager
    def pinned_on_first_read(self) -> Iterator[None]:
        """Like :meth:`pinned`, but nothing is read until something asks: the first read in the block is
        kept for the rest of it (a stream batch whose records need no configuration reads none)."""
        if getattr(self._pin, "on_first_read", False) or getattr(self._pin, "snapshot", None) is not None:
            yield  # nested: the outer block's
            return
        self._pin.on_first_read = True
        try:
            yield
        finally:
            self._pin.on_first_read = False
            self._pin.snapshot = None

    def _load(self) -> ConfigSnapshot:
        grouped: dict[str, list[Any]] = {kind: [] for kind in CONFIG_KINDS}
        settings = TeamSettings()
        problems: list[str] = []
        for item in ConfigItem.query(SCOPE):
            kind, _, _ = item.key.partition("#")
            try:
                if item.key == SETTINGS_KEY:
                    settings = TeamSettings.model_validate(item.data)
                elif kind in CONFIG_KINDS:
                    grouped[kind].append(CONFIG_KINDS[kind].model_validate(item.data))
            except RecordError as exc:
                # A broken record must not stop mail from arriving: skip it and say so.
                problems.append(f"{item.key}: {exc.errors()[0].get('msg', 'invalid')}")
        self.problems = problems
        # Each record was validated above: the snapshot is assembled, not validated again.
        fields: dict[str, Any] = {SNAPSHOT_FIELDS[kind]: records for kind, records in grouped.items()}
        return ConfigSnapshot(settings=settings, **fields)

    # -- writes (admin API, local stack seeding) -------------------------------------------------------

    def put(self, kind: str, record: Record, actor: str = "system", version: int | None = None) -> int:
        """Create or replace a record. With ``version`` the write is optimistic (stale → UpdateError)."""
        key = f"{kind}#{record_key(kind, record)}"
        item = ConfigItem(SCOPE, key, data=record.model_dump(mode="json"), updated_at=iso(), updated_by=actor)
        existing = self.get_raw(kind, record_key(kind, record))
        if version is None:
            version = existing.version if existing else None
        if version is not None:
            item.version = version
        item.save()
        self.invalidate()
        self._audit("config.put", key, actor, existing.data if existing else None, item.data)
        return int(item.version or 0)

    def put_settings(self, settings: TeamSettings, actor: str = "system") -> None:
        item = ConfigItem(
            SCOPE, SETTINGS_KEY, data=settings.model_dump(mode="json"), updated_at=iso(), updated_by=actor
        )
        current = self.get_raw("settings", "team")
        if current is not None:
            item.version = current.version
        item.save()
        self.invalidate()
        self._audit("config.put", SETTINGS_KEY, actor, current.data if current else None, item.data)

    def delete(self, kind: str, record_id: str, actor: str = "system") -> bool:
        try:
            existing = ConfigItem.get(SCOPE, f"{kind}#{record_id}")
        except ConfigItem.DoesNotExist:
            return False
        existing.delete()
        self.invalidate()
        self._audit("config.delete", existing.key, actor, existing.data, None)
        return True

    def stored(self) -> list[ConfigItem]:
        """Every record as stored, unvalidated (an erasure reads them: a broken record may name someone too)."""
        return list(ConfigItem.query(SCOPE, consistent_read=True))

    def redact(self, item: ConfigItem, data: dict[str, Any], actor: str, detail: dict[str, Any]) -> None:
        """Write an erasure's redaction over ``item``, audited without before and after (they would name the
        person again). Optimistic: an admin's change in between fails the write (the job's step repeats)."""
        item.data = data
        item.updated_at = iso()
        item.updated_by = actor
        item.save()
        self.invalidate()
        audit.record("config.redacted", item.key, actor, detail=detail)

    def _audit(self, action: str, key: str, actor: str, before: Any, after: Any) -> None:
        """Who changed what, before → after (``store/audit.py``); an unchanged record is not an entry."""
        if before == after:
            return
        audit.record(action, key, actor, before=before, after=after)

    def get_raw(self, kind: str, record_id: str) -> ConfigItem | None:
        try:
            return ConfigItem.get(SCOPE, f"{kind}#{record_id}")
        except ConfigItem.DoesNotExist:
            return None
