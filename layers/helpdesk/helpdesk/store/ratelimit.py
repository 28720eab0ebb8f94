"""Fixed-window rate limits in the ``meta`` table (``RL#<key>`` / window; TTL cleans up)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from .models import MetaItem

PREFIX = "RL#"


def hit(key: str, limit: int, window_seconds: int, at: float | None = None) -> int | None:
    """Count one hit for ``key``: None while at most ``limit`` hits fell in this window, else the seconds
    until the next window (nothing counted then). One conditional UpdateItem."""
    moment = time.time() if at is None else at
    window = int(moment) // window_seconds
    item = MetaItem(f"{PREFIX}{key}", str(window))
    try:
        item.update(
            actions=[
                MetaItem.value.add(1),
                MetaItem.expires_at.set(datetime.fromtimestamp((window + 2) * window_seconds, UTC)),
            ],
            condition=MetaItem.value.does_not_exist() | (MetaItem.value < limit),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return window_seconds - int(moment) % window_seconds
        raise
    return None


def bucket_keys(key: str) -> list[tuple[str, str]]:
    """The keys of every window still kept for ``key`` (an erasure deletes an address's buckets)."""
    return [(i.pk, i.sk) for i in MetaItem.query(f"{PREFIX}{key}")]
