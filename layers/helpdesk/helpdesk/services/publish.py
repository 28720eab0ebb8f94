"""Use case: publish new event items (the transactional outbox) to EventBridge."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def event_from_item(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """A new item of the tickets table (a stream record's NewImage, already deserialized) →
    ``{"type", "detail"}``, or None when it is not an event item."""
    if item.get("kind") != "event":
        return None
    detail = item.get("detail")
    if isinstance(detail, str):  # JSONAttribute: stored as a JSON string
        detail = json.loads(detail or "{}")
    return {
        "type": str(item.get("type", "TicketEvent")),
        "detail": {
            **(detail or {}),
            "event_id": item.get("id"),
            "ticket_id": item.get("pk"),
            "number": item.get("number"),
            "actor": item.get("actor"),
            "at": item.get("created_at"),
        },
    }
