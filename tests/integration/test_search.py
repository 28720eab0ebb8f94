"""Issue 15: find anything. Full-text search through ``GET /tickets?q=`` and the inbox's sorting."""

from __future__ import annotations

from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail


@pytest.fixture
def api(aws: Any) -> ApiClient:
    return make_api(aws)


def test_sorting_by_due_date_shows_tickets_without_one_last_instead_of_dropping_them(aws: Any, api: ApiClient) -> None:
    """Issue 15: "Sortierung: Fälligkeit" dropped every ticket without a due date (70 → 2, footer "2 Tickets")."""
    tickets = [ingest(aws, make_mail(subject=f"Frage {i}", sender=f"f{i}@kunde.example")) for i in range(5)]
    for ticket, due in ((tickets[1], "2026-12-20T10:00:00Z"), (tickets[3], "2026-12-10T10:00:00Z")):
        changed = api.call("PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": 1, "due_at": due})
        assert changed.status == 200, changed.text

    def subjects(**query: Any) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = api.get("/tickets", user="agent", query={**query, **({"cursor": cursor} if cursor else {})}).json
            seen += [t["subject"] for t in page["items"]]
            cursor = page["cursor"]
            if not cursor:
                return seen

    by_due = subjects(sort="due")
    assert by_due[:2] == ["Frage 3", "Frage 1"]  # earliest due date first
    assert sorted(by_due[2:]) == ["Frage 0", "Frage 2", "Frage 4"]  # then the rest, none dropped
    assert by_due[2:] == [s for s in subjects() if s not in ("Frage 1", "Frage 3")]  # newest change first
    # paged in small steps, the same list: nothing lost or repeated at the seam between the two parts
    assert subjects(sort="due", limit=1) == by_due
    assert subjects(sort="due", limit=2) == by_due

