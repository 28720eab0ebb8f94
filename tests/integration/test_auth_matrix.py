"""Authorization matrix: every route × {no token, agent without the queue, agent with it, admin}.

The routes come from the app's own route table, so a new route without an entry here fails the test.
Expected outcomes:

* public routes: never 401/403;
* agent routes: 401 without token; on a ticket of a restricted queue 403 for an agent without access,
  allowed (not 401/403) for the responsible agent and for admins;
* admin routes: 401 without token, 403 for agents, allowed for admins.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpdesk.domain.config import Queue

from .api_client import ApiClient, login_tokens, make_api
from .helpers import ingest, make_mail

# A request that passes validation for each route (path parameters are filled in from the fixture).
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/auth/login"): {"username": "agent", "password": "Agent-Demo-2026"},
    ("POST", "/auth/refresh"): {"refresh_token": "{refresh_token}"},
    ("POST", "/auth/new-password"): {"username": "x", "session": "y", "new_password": "Zzzzzzzz-1234"},
    ("PATCH", "/tickets/{ticket_id}"): {"version": 1, "priority": "high"},
    ("POST", "/tickets/batch"): {"action": "mark_prio", "items": [{"id": "{ticket_id}", "version": 1}]},
    ("POST", "/tickets"): {"subject": "Anruf", "body": "Kunde rief an", "queue": "vip"},
    ("POST", "/tickets/{ticket_id}/merge"): {"into": "{other_id}", "version": 1, "into_version": 1},
    ("POST", "/tickets/{ticket_id}/replies"): {"body": "Hallo"},
    ("POST", "/tickets/{ticket_id}/comments"): {"body": "intern"},
    ("POST", "/tickets/{ticket_id}/uploads"): {"filename": "a.pdf", "content_type": "application/pdf", "size": 10},
    ("POST", "/customers"): {"email": "matrix@kunde.example"},
    ("PATCH", "/customers/{email}"): {"notes": "x"},
    ("POST", "/public/tickets/{token}/replies"): {"body": "Danke"},
    ("POST", "/public/contact"): {"email": "m@kunde.example", "subject": "s", "body": "b"},
    ("POST", "/admin/agents"): {"username": "neu", "email": "neu@example.com"},
    ("PATCH", "/admin/agents/{username}"): {"language": "en"},
    ("PUT", "/admin/settings"): None,  # filled with the current settings
    ("POST", "/admin/rules/dry-run"): {"sender": "a@kunde.example", "subject": "x"},
}
ADMIN_RECORDS: dict[str, dict[str, Any]] = {
    "mailboxes": {"id": "matrix", "address": "matrix@example.com"},
    "queues": {"id": "matrix", "name": "Matrix"},
    "rules": {"id": "matrix", "name": "Matrix", "conditions": [{"field": "subject", "value": "m"}], "actions": {}},
    "templates": {"id": "matrix", "name": "Matrix", "body": "Hallo"},
}
# Public routes that answer 401 for wrong credentials in the body (not for a missing token).
CREDENTIAL_CHECKS = {("POST", "/auth/new-password")}
# Agent routes that touch the restricted queue through their body rather than their path.
QUEUE_IN_BODY = {("POST", "/tickets"), ("POST", "/tickets/batch")}


@pytest.fixture
def world(aws: Any) -> dict[str, Any]:
    from helpdesk.bootstrap import config_store

    config_store().put("queue", Queue(id="vip", name="VIP", responsible=["agent"]))
    api = make_api(aws)
    tokens = login_tokens(aws)
    cognito = aws.client("cognito-idp")
    cognito.admin_create_user(
        UserPoolId=aws.resources.user_pool_id,
        Username="other",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "other@example.com"}],
    )
    cognito.admin_set_user_password(
        UserPoolId=aws.resources.user_pool_id, Username="other", Password="Other-Demo-2026", Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=aws.resources.user_pool_id, Username="other", GroupName="agent")
    tokens["other"] = cognito.initiate_auth(
        ClientId=aws.resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "other", "PASSWORD": "Other-Demo-2026"},
    )["AuthenticationResult"]["IdToken"]
    api.tokens = tokens
    vip_rule = {
        "id": "vip",
        "name": "VIP",
        "conditions": [{"field": "subject", "value": "vip"}],
        "actions": {"queue": "vip"},
    }
    assert api.call("POST", "/admin/rules", user="admin", body=vip_rule).status == 201
    ticket = ingest(aws, make_mail(subject="VIP Anfrage", sender="vip@kunde.example"))
    other = ingest(aws, make_mail(subject="VIP zweite", sender="vip2@kunde.example"))
    refresh = cognito.initiate_auth(
        ClientId=aws.resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "agent", "PASSWORD": "Agent-Demo-2026"},
    )["AuthenticationResult"]["RefreshToken"]
    return {
        "api": api,
        "refresh_token": refresh,
        "ticket_id": ticket.ticket_id,
        "other_id": other.ticket_id,
        "email": "vip@kunde.example",
        "username": "agent",
        "token": "not-a-valid-token",
        "message_id": "nope",
        "record_id": "matrix",
        "name": "missing",
    }


def _fill(template: str, values: dict[str, Any]) -> str:
    for key, value in values.items():
        template = template.replace("{" + key + "}", str(value))
    return template


def _body(method: str, path: str, values: dict[str, Any], api: ApiClient) -> Any:
    if path.startswith("/admin/") and path.split("/")[2] in ADMIN_RECORDS and method in ("POST", "PUT"):
        return ADMIN_RECORDS[path.split("/")[2]]
    if (method, path) == ("PUT", "/admin/settings"):
        return api.get("/admin/settings", user="admin").json
    body = BODIES.get((method, path))
    return json.loads(_fill(json.dumps(body), values)) if body is not None else None


def test_every_route_checks_who_is_asking(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    from helpdesk.api.app import api_of, create_app

    specs = api_of(create_app()).specs
    assert len(specs) > 40
    failures: list[str] = []
    checked = 0
    for spec in specs:
        method, template = spec.method, spec.path
        path = _fill(template, world)
        body = _body(method, template, world, api)
        if method in ("POST", "PUT", "PATCH") and body is None and spec.body is not None:
            failures.append(f"{method} {template}: no request body in the matrix")
            continue
        for who in (None, "other", "agent", "admin"):
            response = api.call(method, path, user=who, body=body)
            status = response.status
            expected_denied = (
                (spec.auth != "public" and who is None and {401})
                or (spec.auth == "admin" and who in ("other", "agent") and {403})
                or (spec.auth == "agent" and who == "other" and "{ticket_id}" in template and {403})
                or (spec.auth == "agent" and who == "other" and (method, template) in QUEUE_IN_BODY and {403, 200})
                # (batch answers 200 with a per-item "forbidden": checked in the next test)
                or ((method, template) in CREDENTIAL_CHECKS and {401})
            )
            if expected_denied:
                if status not in expected_denied:
                    failures.append(f"{method} {template} as {who}: {status}, expected {expected_denied}")
            elif status in (401, 403) or status >= 500:
                failures.append(f"{method} {template} as {who}: {status} {response.text[:120]}")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= len(specs) * 4 - 4


def test_batch_items_in_a_restricted_queue_are_refused_one_by_one(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    body = {"action": "mark_prio", "items": [{"id": world["ticket_id"], "version": 1}]}
    denied = api.call("POST", "/tickets/batch", user="other", body=body)
    assert denied.status == 200
    assert denied.json["results"] == [
        {"id": world["ticket_id"], "ok": False, "version": None, "error": "forbidden", "message": "no access"}
    ]
    allowed = api.call("POST", "/tickets/batch", user="agent", body=body)
    assert allowed.json["results"][0]["ok"] is True
    assert api.call("POST", "/tickets", user="other", body={"subject": "s", "body": "b", "queue": "vip"}).status == 403
