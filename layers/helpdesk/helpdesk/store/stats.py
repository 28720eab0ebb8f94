"""Report aggregates kept up to date on write: one counter item per day (``STAT#day`` / ``YYYY-MM-DD``).

Counters are added inside the same transaction as the change they count, so the figures never
drift from the tickets. Reports read a range of days with one Query.
"""

from __future__ import annotations

from .unit import Unit

STAT_DAY = "STAT#day"


def stats_update(unit: Unit, at: str, counters: dict[str, int]) -> None:
    """ADD the non-zero counters to today's item (the item is created by the first ADD)."""
    unit.count(STAT_DAY, at[:10], {f"c_{name}": amount for name, amount in counters.items() if amount})
