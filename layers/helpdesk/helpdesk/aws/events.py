"""EventBridge: publish ticket events for integrations (ERP, CRM, chat)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..settings import get_settings
from . import clients

SOURCE = "helpdesk"


class EventPublisher:
    """``bus`` None: the settings' bus, read at each publish (settings are cached per process), so an object
    made at import holds nothing of the environment it was imported in."""

    def __init__(self, bus: str | None = None) -> None:
        self._bus = bus

    @property
    def bus(self) -> str:
        return self._bus or get_settings().event_bus

    def publish(self, events: Sequence[dict[str, Any]]) -> list[int]:
        """Put events (``type`` + ``detail``); returns the indexes that failed, for a retry."""
        failed: list[int] = []
        for start in range(0, len(events), 10):  # PutEvents takes at most 10 entries
            chunk = events[start : start + 10]
            response = clients.events().put_events(
                Entries=[
                    {
                        "Source": SOURCE,
                        "DetailType": event["type"],
                        "Detail": json.dumps(event["detail"], default=str),
                        "EventBusName": self.bus,
                    }
                    for event in chunk
                ]
            )
            for offset, entry in enumerate(response.get("Entries", [])):
                if entry.get("ErrorCode"):
                    failed.append(start + offset)
        return failed
