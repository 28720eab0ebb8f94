"""Resumable jobs (a customer's erasure, their data export): one meta item per job (``pk`` names the kind,
``sk`` is the job's id) with its ``state``, its ``data`` and a lease (``value``: until when, in epoch
seconds, one runner holds it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import UpdateError

from .models import MetaItem

LEASE_SECONDS = 330  # longer than the scheduled Lambda's 300 s: a runner that died frees the job after this


def create(pk: str, job_id: str, data: dict[str, Any], started_at: str) -> None:
    MetaItem(pk, job_id, state="running", data=data, created_at=started_at).save()


def load(pk: str, job_id: str) -> MetaItem | None:
    try:
        return MetaItem.get(pk, job_id, consistent_read=True)
    except MetaItem.DoesNotExist:
        return None


def newest(pk: str, limit: int) -> list[MetaItem]:
    """The newest ``limit`` jobs of a kind (one Query, newest first)."""
    return list(MetaItem.query(pk, scan_index_forward=False, limit=limit))


def running(pk: str) -> Iterator[MetaItem]:
    """The jobs of a kind still running, oldest first."""
    yield from MetaItem.query(pk, filter_condition=MetaItem.state == "running")


def claim(pk: str, job_id: str, lease_seconds: int = LEASE_SECONDS) -> bool:
    """Take the lease of a running job for one runner; False: someone else has it (or it is not running)."""
    moment = time.time()
    try:
        MetaItem(pk, job_id).update(
            actions=[MetaItem.value.set(int(moment + lease_seconds))],
            condition=(MetaItem.state == "running")
            & (MetaItem.value.does_not_exist() | (MetaItem.value < int(moment))),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def save(pk: str, job_id: str, state: str, data: dict[str, Any], *, release: bool = False) -> None:
    """The job's state and data; ``release``: give up the lease too."""
    actions: list[Any] = [MetaItem.data.set(data), MetaItem.state.set(state)]
    if release:
        actions.append(MetaItem.value.set(0))
    MetaItem(pk, job_id).update(actions=actions)
