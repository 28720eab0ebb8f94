"""ConfigStore.pinned: one configuration read per request on the local stack (TTL 0), and still fresh.

An inbox read loaded the whole configuration three times (issue 12: five agents re-reading at once
queued behind it); a request now reads it once, other threads are not affected, and a write within
the request is seen by its later reads.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest


def test_a_pinned_block_reads_the_configuration_once(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.domain.config import Queue
    from helpdesk.store.config_store import ConfigStore

    store = ConfigStore(ttl=0)
    loads: list[str] = []
    load = ConfigStore._load

    def counting(self: ConfigStore) -> Any:
        loads.append(threading.current_thread().name)
        return load(self)

    monkeypatch.setattr(ConfigStore, "_load", counting)
    with store.pinned() as pinned:
        assert store.snapshot() is pinned and store.snapshot() is pinned
        with store.pinned() as inner:  # nested: the same
            assert inner is pinned
        other: list[Any] = []
        thread = threading.Thread(target=lambda: other.append(store.snapshot()), name="other")
        thread.start()
        thread.join()
        assert other[0] is not pinned  # another request (thread) reads for itself
        assert loads.count("other") == 1 and len(loads) == 2
        store.put("queue", Queue(id="neu", name="Neu"))  # a write within the request
        assert store.snapshot().queue("neu") is not None  # is seen by its later reads
    assert store.snapshot() is not pinned  # TTL 0 outside a block: read again


def test_pinned_on_first_read_reads_nothing_until_asked_then_once(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The publisher's batch: records that need no configuration read none; the triggers of several records
    read it once (it was once per record on the local stack, 14 % of its CPU under schemathesis)."""
    from helpdesk.domain.config import Queue
    from helpdesk.store.config_store import ConfigStore

    store = ConfigStore(ttl=0)
    loads: list[int] = []
    load = ConfigStore._load

    def counting(self: ConfigStore) -> Any:
        loads.append(1)
        return load(self)

    monkeypatch.setattr(ConfigStore, "_load", counting)
    with store.pinned_on_first_read():
        assert loads == []
        first = store.snapshot()
        assert store.snapshot() is first and store.snapshot() is first and len(loads) == 1
        with store.pinned_on_first_read():
            assert store.snapshot() is first
        store.put("queue", Queue(id="eins", name="Eins"))  # a write within the batch
        assert store.snapshot().queue("eins") is not None and len(loads) == 2
        assert store.snapshot() is store.snapshot() and len(loads) == 2
    store.snapshot()
    store.snapshot()
    assert len(loads) == 4  # TTL 0 outside a block: every read reads
