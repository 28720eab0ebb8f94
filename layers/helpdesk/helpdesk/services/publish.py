"""Use case: publish new event items (the transactional outbox) to EventBridge."""

from __future__ import annotations

import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

_deserializer = TypeDeserializer()


def event_from_image(image: dict[str, Any]) -> dict[str, Any] | None:
    """A stream record's NewImage → ``{"type", "detail"}``, or None when it is not an event item."""
    item = {key: _deserializer.deserialize(value) for key, value in image.items()}
    if item.get("kind") != "event":
        return None
    detail = item.get("detail")
    if isinstance(detail, str):
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
