"""moto's whole state, copied once and put back: the ``aws`` fixture's fresh, provisioned AWS per test.

Creating every resource of ``template.yaml`` and seeding the configuration takes about 0.9 s (13 tables
with their indexes and streams, queues, buckets, the user pool, the seed's records with their audit
entries); the integration suite asks for it about 500 times. The moto server of a test worker runs in
the worker's process, so the state right after the first provisioning is kept as a deep copy of moto's
backends and put back after each reset: a few milliseconds, and each test still starts from exactly what
``provision`` + ``seed_config`` leave (every copy is a new one, so nothing a test writes survives it).
"""

from __future__ import annotations

import copy
import copyreg
import threading
from dataclasses import dataclass
from typing import Any

from moto.core.base_backend import BackendDict

# moto's SQS queues hold a Condition, other backends locks: a copy gets new, unlocked ones (the state is
# copied between tests, when no request holds them).
copyreg.pickle(type(threading.Lock()), lambda _: (threading.Lock, ()))
copyreg.pickle(type(threading.RLock()), lambda _: (threading.RLock, ()))
copyreg.pickle(threading.Condition, lambda _: (threading.Condition, ()))


@dataclass(frozen=True)
class MotoState:
    """Every region backend moto has created so far: where each lives (backend dict, account, region) and a
    copy of all of them, taken in one deep copy so that references between backends stay shared (SESv2's
    backend sends through SES's, both must be the same object after a copy too)."""

    places: tuple[tuple[Any, str, str], ...]
    backends: tuple[Any, ...]

    @classmethod
    def take(cls) -> MotoState:
        found = [
            (backends, account, region, backend)
            for backends in list(BackendDict._instances)  # type: ignore[misc]
            for account, region, backend in backends.iter_backends()
        ]
        return cls(tuple(f[:3] for f in found), copy.deepcopy(tuple(f[3] for f in found)))

    def put_back(self) -> None:
        """Right after moto's reset (which drops every backend): a new copy of each one kept."""
        from helpdesk_local import moto_index

        for (backends, account, region), fresh in zip(self.places, copy.deepcopy(self.backends), strict=True):
            backends._create_account_specific_backend(account)
            dict.__setitem__(backends[account], region, fresh)
            for table in getattr(fresh, "tables", {}).values():
                if hasattr(table, "all_items"):  # DynamoDB: the partition index is built again on use
                    moto_index.invalidate(table)
