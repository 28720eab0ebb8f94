"""Time in one place: UTC, ISO-8601 strings that sort lexicographically like the instants they name.

Every timestamp we store is produced by :func:`iso` so that DynamoDB sort keys built from it
order correctly. Tests move the clock with ``time-machine``; nothing here caches time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None = None) -> str:
    """``2026-11-26T08:36:44.123456Z``: fixed width, so string order is time order."""
    moment = (moment or now()).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def days_between(earlier: str, later: datetime) -> float:
    return (later - parse_iso(earlier)) / timedelta(days=1)
