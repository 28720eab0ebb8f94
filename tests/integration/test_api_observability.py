"""The API Lambda is wired like the others (issue 11): an unhandled route error is logged with the
request id as correlation id and counted as ``RouteError`` (template.yaml alarms on it), while the
client gets a 500 without internals."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from .api_client import login_tokens


def emf_metrics(out: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            data = json.loads(line)
            for metric in data["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                value = data[metric["Name"]]
                found[metric["Name"]] = found.get(metric["Name"], 0.0) + float(
                    sum(value) if isinstance(value, list) else value
                )
    return found


def test_an_unhandled_route_error_is_logged_counted_and_answered_500(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from helpdesk.store.tickets import TicketStore
    from helpdesk_local.api_server import proxy_event
    from helpdesk_local.runners import LambdaContext

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "INFO")
    import functions.api.app

    api = importlib.reload(functions.api.app)  # bound to this test's moto resources
    token = login_tokens(aws)["agent"]

    def broken(self: TicketStore, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug in a route")

    monkeypatch.setattr(TicketStore, "in_use", broken)
    event = proxy_event("GET", "/meta", {"authorization": f"Bearer {token}"}, b"", "203.0.113.9")
    capsys.readouterr()
    response = api.handler(event, LambdaContext("helpdesk-api"))
    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {"error": "internal_error", "message": "internal error"}
    out = capsys.readouterr().out
    assert emf_metrics(out) == {"RouteError": 1.0}
    logged = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"unhandled error"' in line]
    assert len(logged) == 1
    assert logged[0]["correlation_id"] == event["requestContext"]["requestId"]
    assert logged[0]["route"] == "GET /meta" and logged[0]["error"] == "RuntimeError"
    assert "a bug in a route" in logged[0]["exception"]


def test_a_handled_error_is_no_route_error(aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from helpdesk_local.api_server import proxy_event
    from helpdesk_local.runners import LambdaContext

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    import functions.api.app

    api = importlib.reload(functions.api.app)
    token = login_tokens(aws)["agent"]
    event = proxy_event("GET", "/tickets/01HZZZZZZZZZZZZZZZZZZZZZZZ", {"authorization": f"Bearer {token}"}, b"", "1")
    capsys.readouterr()
    assert api.handler(event, LambdaContext("helpdesk-api"))["statusCode"] == 404
    assert emf_metrics(capsys.readouterr().out) == {}
