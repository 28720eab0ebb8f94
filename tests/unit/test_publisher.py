"""The publisher reads Powertools' typed stream records: an event item's INSERT → one EventBridge event."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


@pytest.fixture
def publisher(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HELPDESK_MAIL_BUCKET", os.environ.get("HELPDESK_MAIL_BUCKET", "b"))
    monkeypatch.setenv("HELPDESK_MAIL_DOMAIN", os.environ.get("HELPDESK_MAIL_DOMAIN", "example.com"))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    import functions.publisher.app as app

    sent: list[dict[str, Any]] = []

    def publish(events: list[dict[str, Any]]) -> list[int]:
        sent.extend(events)
        return []

    monkeypatch.setattr(app.publisher, "publish", publish)
    indexed: list[str] = []

    def index(ticket_id: str, *wired: Any) -> Any:  # the composition root's store and index
        indexed.append(ticket_id)
        return type("Written", (), {"put": 3, "deleted": 0})()

    monkeypatch.setattr(app, "index_ticket", index)
    judged: list[Any] = []

    def run_triggers(deps: Any, events: list[Any]) -> Any:  # the triggers (services/automation.py), before publishing
        judged.extend((e, len(sent)) for e in events)
        return type("Report", (), {"fired": 0})()

    monkeypatch.setattr(app, "run_triggers", run_triggers)
    monkeypatch.setattr(app, "automation_deps", lambda: None)
    looked: list[str] = []

    def refresh(deps: Any, ticket_ids: list[str]) -> Any:  # the SLA clocks (services/timed.py)
        looked.extend(ticket_ids)
        return type("Report", (), {"saved": 1})()

    monkeypatch.setattr(app, "refresh_clocks", refresh)
    app.looked = looked  # type: ignore[attr-defined]
    assigned: list[Any] = []

    def assign_fairly(deps: Any, events: list[Any]) -> Any:  # fair assignment (services/assignment.py), after them
        assigned.extend((e, len(sent)) for e in events)
        return type("Report", (), {"assigned": []})()

    monkeypatch.setattr(app, "assign_fairly", assign_fairly)
    monkeypatch.setattr(app, "assignment_deps", lambda: None)
    app.assigned = assigned  # type: ignore[attr-defined]
    app.judged = judged  # type: ignore[attr-defined]
    app.indexed = indexed  # type: ignore[attr-defined]
    app._indexed.clear()
    app.sent = sent  # type: ignore[attr-defined]
    yield app
    app.metrics.clear_metrics()
    from helpdesk.settings import reset_settings

    reset_settings()  # the import read the settings of this fixture's environment


def record(name: str, image: dict[str, Any] | None) -> DynamoDBRecord:
    body: dict[str, Any] = {"eventName": name, "dynamodb": {}}
    if image is not None:
        body["dynamodb"]["NewImage"] = image
    return DynamoDBRecord(body)


EVENT_IMAGE = {
    "pk": {"S": "01TICKET"},
    "sk": {"S": "E#01EVENT"},
    "kind": {"S": "event"},
    "id": {"S": "01EVENT"},
    "type": {"S": "StatusChanged"},
    "number": {"S": "T-2026-000042"},
    "actor": {"S": "anna"},
    "created_at": {"S": "2026-12-02T10:00:00Z"},
    "detail": {"S": json.dumps({"from": "new", "to": "open", "count": 2})},
}


def test_an_event_insert_becomes_one_eventbridge_event_with_its_detail(publisher: Any) -> None:
    publisher.record_handler(record("INSERT", EVENT_IMAGE))
    publisher.record_handler(record("INSERT", {**EVENT_IMAGE, "id": {"S": "01EVENT2"}}))
    assert publisher.indexed == ["01TICKET"]  # the ticket is re-indexed once per batch, before publishing
    assert publisher.sent[:1] == [
        {
            "type": "StatusChanged",
            "detail": {
                "from": "new",
                "to": "open",
                "count": 2,
                "event_id": "01EVENT",
                "ticket_id": "01TICKET",
                "number": "T-2026-000042",
                "actor": "anna",
                "at": "2026-12-02T10:00:00Z",
            },
        }
    ]


def test_modifications_removals_and_other_items_publish_nothing(publisher: Any) -> None:
    publisher.record_handler(record("MODIFY", EVENT_IMAGE))
    publisher.record_handler(record("REMOVE", None))
    publisher.record_handler(record("INSERT", {**EVENT_IMAGE, "kind": {"S": "message"}}))
    assert publisher.sent == [] and publisher.indexed == []


def test_a_refused_event_raises_so_the_batch_retries_it(publisher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publisher.publisher, "publish", lambda events: [0])
    with pytest.raises(RuntimeError, match="EventBridge refused StatusChanged 01EVENT"):
        publisher.record_handler(record("INSERT", EVENT_IMAGE))


def test_the_event_bus_is_read_when_publishing_not_when_the_module_was_imported(
    publisher: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handler module is imported once per process; a test (or a cold start) that imported it before the
    environment named the bus must not send to the default bus afterwards (the IAM tour failed on that)."""
    import functions.publisher.app as app
    from helpdesk.settings import reset_settings

    monkeypatch.setenv("HELPDESK_EVENT_BUS", "helpdesk-events-test")
    reset_settings()
    assert app.publisher.bus == "helpdesk-events-test"
    monkeypatch.setenv("HELPDESK_EVENT_BUS", "another-bus")
    reset_settings()
    assert app.publisher.bus == "another-bus"
    monkeypatch.delenv("HELPDESK_EVENT_BUS")
    reset_settings()


def test_the_triggers_judge_an_event_before_it_is_published(publisher: Any) -> None:
    publisher.record_handler(record("INSERT", EVENT_IMAGE))
    ((event, published_before),) = publisher.judged
    assert (event.ticket_id, event.type, event.actor, event.sk) == ("01TICKET", "StatusChanged", "anna", "E#01EVENT")
    assert event.detail["to"] == "open"
    assert published_before == 0 and len(publisher.sent) == 1  # judged first: a failure leaves nothing published


def test_the_sla_clocks_follow_a_change_once_per_ticket_and_batch(publisher: Any) -> None:
    detail = {"ticket_id": "01TICKET", "from": "new", "to": "open"}
    image = {**EVENT_IMAGE, "detail": {"S": json.dumps(detail)}}
    publisher.record_handler(record("INSERT", image))
    publisher.record_handler(record("INSERT", {**image, "sk": {"S": "E#01EVENT2"}}))
    assert publisher.looked == ["01TICKET"]
    assert len(publisher.sent) == 2


def test_fair_assignment_sees_an_event_after_the_triggers_and_before_it_is_published(publisher: Any) -> None:
    publisher.record_handler(record("INSERT", EVENT_IMAGE))
    ((entry, published_before),) = publisher.assigned
    assert entry[:2] == ("01TICKET", "StatusChanged") and entry[2]["to"] == "open"
    assert published_before == 0 and len(publisher.sent) == 1
