"""CSV exports against moto: the inbox view (every page, only what the caller may see) and the reports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from helpdesk.domain.config import Queue

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail


@pytest.fixture
def api(aws: Any) -> ApiClient:
    from helpdesk.bootstrap import config_store

    config_store().put("queue", Queue(id="geheim", name="Geheim", responsible=["admin"]))
    client = make_api(aws)
    rule = {"id": "geheim", "name": "Geheim", "conditions": [{"field": "subject", "value": "geheim"}],
            "actions": {"queue": "geheim"}}  # fmt: skip
    assert client.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    return client


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), text[:20]
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def test_the_inbox_csv_has_every_page_and_only_what_the_caller_may_see(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import helpdesk.services.exports

    monkeypatch.setattr(helpdesk.services.exports, "PAGE", 2)  # seven tickets: four pages
    from helpdesk.services.search import index_tickets

    ids = [
        ingest(aws, make_mail(subject=f"Frage {n}", sender=f"Kunde {n} <k{n}@kunde.example>")).ticket_id
        for n in range(5)
    ]
    ingest(aws, make_mail(subject='=HYPERLINK("http://evil.example","klick")', sender="boese@kunde.example"))
    ingest(aws, make_mail(subject="Geheime Sache", sender="Grete Geheim <grete@kunde.example>"))

    r = api.get("/export/tickets", user="agent")
    assert r.status == 200, r.text
    assert r.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"] and ".csv" in r.headers["Content-Disposition"]
    rows = _rows(r.text)
    assert rows[0][:4] == ["Nummer", "Betreff", "Status", "Priorität"]
    subjects = {row[1] for row in rows[1:]}
    assert {f"Frage {n}" for n in range(5)} <= subjects
    assert '\'=HYPERLINK("http://evil.example","klick")' in subjects  # text, never a formula
    assert "Geheime Sache" not in subjects and "grete@kunde.example" not in r.text  # a queue the agent may not see
    assert (len(rows) - 1, r.headers["X-Export-Rows"], r.headers["X-Export-Truncated"]) == (6, "6", "false")
    assert {row[2] for row in rows[1:]} == {"neu"}

    admin = _rows(api.get("/export/tickets", user="admin", query={"lang": "en"}).text)
    assert admin[0][:2] == ["Number", "Subject"] and len(admin) - 1 == 7
    assert "Geheime Sache" in {row[1] for row in admin[1:]}
    assert {row[2] for row in admin[1:]} == {"new"}

    # The current filter: a column filter, a full-text search.
    some = _rows(api.get("/export/tickets", user="agent", query={"subject": "Frage 3"}).text)
    assert [row[1] for row in some[1:]] == ["Frage 3"]
    index_tickets(ids)  # as the publisher does from the stream
    found = _rows(api.get("/export/tickets", user="agent", query={"q": "Frage"}).text)
    assert {row[1] for row in found[1:]} == {f"Frage {n}" for n in range(5)}
    assert api.get("/export/tickets", user="agent", query={"queue": "geheim"}).status == 403
    assert api.get("/export/tickets").status == 401

    monkeypatch.setattr(helpdesk.services.exports, "MAX_ROWS", 3)  # bounded
    cut = api.get("/export/tickets", user="admin")
    assert cut.headers["X-Export-Truncated"] == "true" and len(_rows(cut.text)) - 1 == 3


def test_the_reports_csv_has_the_reports_tables(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(subject="Frage", sender="k@kunde.example"))
    ingest(aws, make_mail(subject="Geheim", sender="g@kunde.example"))
    r = api.get("/export/stats", user="agent", query={"granularity": "week"})
    assert r.status == 200, r.text
    assert "berichte-" in r.headers["Content-Disposition"]
    rows = _rows(r.text)
    assert rows[0] == ["Aufkommen"] and rows[1][:2] == ["Zeitraum", "Neue Tickets"]
    assert sum(int(row[1]) for row in rows[2:] if row and row[0][:2] == "20") == 1  # the agent's figures only
    titles = [row[0] for row in rows if len(row) == 1]
    assert titles[1:] == ["Erste Antwort / Lösungszeit", "Bestand nach Status", "Bestand nach Warteschlange",
                          "Bestand nach Bearbeiter"]  # fmt: skip
    assert ["neu", "1"] in rows
    admin = _rows(api.get("/export/stats", user="admin", query={"lang": "en"}).text)
    assert admin[0] == ["Volume"] and ["new", "2"] in admin and ["Geheim", "1"] in admin
    assert api.get("/export/stats", user="agent", query={"start": "2026-02-01", "end": "2026-01-01"}).status == 400
