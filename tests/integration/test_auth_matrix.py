"""Authorization matrix: every route × {no token, agent without the queue, agent with it, admin}.

The routes come from the app's own route table, so a new route without an entry here fails the test.
Expected outcomes:

* public routes: never 401/403;
* agent routes: 401 without token; on a ticket of a restricted queue 404 for an agent without access
  (exactly what a ticket that does not exist answers: no existence oracle), allowed (not 401/403/404)
  for the responsible agent and for admins;
* admin routes: 401 without token, 403 for agents, allowed for admins.

And every field that names another ticket or a queue (found in the same route table): a hidden ticket
named in a request is answered like a missing one and left unchanged, a hidden queue is refused the
same way wherever it is named, responses leave hidden tickets out, aggregates do not count them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec.inspect
import pytest

from helpdesk.domain.config import Action, Macro, Queue, SavedView, ViewQuery

from .api_client import ApiClient, login_tokens, make_api
from .helpers import count_items_read, ingest, make_mail

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
    ("POST", "/tickets/{ticket_id}/forwards"): {"to": [{"address": "lager@lieferant.example"}], "note": "x"},
    ("POST", "/tickets/{ticket_id}/messages/{message_id}/split"): {"version": 1},
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
    ("POST", "/tickets/{ticket_id}/macros/{macro_id}"): {"version": 1},
    ("POST", "/tickets/{ticket_id}/undo-macro"): {"version": 1},
    ("POST", "/admin/triggers/dry-run"): {"ticket": "{ticket_id}", "event": "customer_replied"},
    # a confirmation that does not repeat the address: refused (400) before anything is erased
    ("POST", "/admin/privacy/customers/{email}/erase"): {"confirm": "someone-else@kunde.example"},
    ("PUT", "/me/profile"): {"phone": "+49 931 1", "signature": "{AGENT}"},
    ("PUT", "/notifications/preferences"): {"preferences": {"mentioned": {"app": True, "mail": False}}},
    ("POST", "/views"): {"name": "Meine Prio", "query": {"prio": "true", "sort": "due"}},
    ("PUT", "/views/{view_id}"): {"name": "Meine Prio", "query": {"tag": "m"}},
}
ADMIN_RECORDS: dict[str, dict[str, Any]] = {
    "mailboxes": {"id": "matrix", "address": "matrix@example.com"},
    "queues": {"id": "matrix", "name": "Matrix"},
    "rules": {"id": "matrix", "name": "Matrix", "conditions": [{"field": "subject", "value": "m"}], "actions": {}},
    "templates": {"id": "matrix", "name": "Matrix", "body": "Hallo"},
    "macros": {"id": "matrix", "name": "M", "actions": [{"kind": "add_tag", "value": "m"}]},
    "sla-policies": {"id": "matrix", "name": "M", "targets": {"*": {"first_response_hours": 8}}},
    "triggers": {
        "id": "matrix",
        "name": "M",
        "event": "ticket_created",
        "actions": [{"kind": "add_tag", "value": "m"}],
    },
}
# Public routes that answer 401 for wrong credentials in the body (not for a missing token).
CREDENTIAL_CHECKS = {("POST", "/auth/new-password")}
# Agent routes that touch the restricted queue through their body rather than their path.
QUEUE_IN_BODY = {("POST", "/tickets"), ("POST", "/tickets/batch")}


@pytest.fixture
def world(aws: Any) -> dict[str, Any]:
    from helpdesk.bootstrap import config_store

    config_store().put("queue", Queue(id="vip", name="VIP", responsible=["agent"]))
    config_store().put("macro", Macro(id="matrix-macro", name="M", actions=[Action(kind="add_tag", value="m")]))
    # a view of the agent's own: another agent finds none (404), its owner and admins change it
    config_store().put("view", SavedView(id="matrix-view", name="V", owner="agent", query=ViewQuery(tag="m")))
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
        "aws": aws,
        "api": api,
        "refresh_token": refresh,
        "ticket_id": ticket.ticket_id,
        "other_id": other.ticket_id,
        "email": "vip@kunde.example",
        "username": "agent",
        "token": "not-a-valid-token",
        "message_id": "nope",
        "record_id": "matrix",
        "macro_id": "matrix-macro",
        "view_id": "matrix-view",
        "job_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "name": "missing",
        "notification_id": "2026-01-01T00:00:00.000000Z_01ARZ3NDEKTSV4RRFFQ69G5FAV",
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
                or (spec.auth == "agent" and who == "other" and "{ticket_id}" in template and {404})
                or (spec.auth == "agent" and who == "other" and (method, template) in QUEUE_IN_BODY and {403, 200})
                # (batch answers 200 with a per-item "forbidden": checked in the next test)
                or ((method, template) in CREDENTIAL_CHECKS and {401})
            )
            if expected_denied:
                if status not in expected_denied:
                    failures.append(f"{method} {template} as {who}: {status}, expected {expected_denied}")
            elif status in (401, 403) or status >= 500:
                failures.append(f"{method} {template} as {who}: {status} {response.text[:120]}")
            elif status == 404 and "{ticket_id}" in template and "{message_id}" not in template:
                failures.append(f"{method} {template} as {who}: 404 for a ticket they may see")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= len(specs) * 4 - 4


def test_a_hidden_ticket_answers_every_ticket_route_like_a_missing_one(world: dict[str, Any]) -> None:
    """No existence oracle: for an agent who may not see it, every route naming a ticket in its path answers
    exactly (status and body) what it answers for a ticket id that no ticket has."""
    api: ApiClient = world["api"]
    from helpdesk.api.app import api_of, create_app

    routes = [spec for spec in api_of(create_app()).specs if "{ticket_id}" in spec.path]
    assert len(routes) >= 8
    for spec in routes:
        answers = []
        for ticket_id in (world["ticket_id"], MISSING_ID):
            values = {**world, "ticket_id": ticket_id}
            body = _body(spec.method, spec.path, values, api)
            response = api.call(spec.method, _fill(spec.path, values), user="other", body=body)
            answers.append((response.status, response.text.replace(ticket_id, "<id>")))
        hidden, missing = answers
        assert hidden == missing, (spec.method, spec.path, hidden, missing)
        # admin-only routes refuse every agent before they look (403 for any id: no oracle either)
        assert hidden[0] == (403 if spec.auth == "admin" else 404), (spec.method, spec.path, hidden)


def test_batch_items_in_a_restricted_queue_are_refused_one_by_one(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    body = {"action": "mark_prio", "items": [{"id": world["ticket_id"], "version": 1}]}
    denied = api.call("POST", "/tickets/batch", user="other", body=body)
    assert denied.status == 200
    missing = api.call(
        "POST", "/tickets/batch", user="other", body={**body, "items": [{"id": MISSING_ID, "version": 1}]}
    )
    assert denied.json["results"] == [
        {
            "id": world["ticket_id"],
            "ok": False,
            "version": None,
            "error": "not_found",
            "message": "no such ticket",
            "typing": [],
        }
    ]
    assert [{**r, "id": None} for r in denied.json["results"]] == [{**r, "id": None} for r in missing.json["results"]]
    allowed = api.call("POST", "/tickets/batch", user="agent", body=body)
    assert allowed.json["results"][0]["ok"] is True
    assert api.call("POST", "/tickets", user="other", body={"subject": "s", "body": "b", "queue": "vip"}).status == 403


# ------------------------------------------------------------------------- fields that name a ticket or a queue
#
# A request field naming another ticket is answered for a ticket the caller may not see exactly as for
# a ticket that does not exist (nothing about it leaks, not even that it exists), and nothing of it is
# changed. A field naming a queue the caller may not see is refused (403, in a batch per item).
# Response fields naming another ticket leave out the tickets the caller may not see.

MISSING_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"  # a well-formed ticket id no ticket has

TICKET_REFERENCES = {
    ("PATCH", "/tickets/{ticket_id}", "parent_id"),
    ("POST", "/tickets", "parent_id"),
    ("POST", "/tickets/{ticket_id}/merge", "into"),
}
QUEUE_REFERENCES = {
    ("PATCH", "/tickets/{ticket_id}", "queue"),
    ("POST", "/tickets", "queue"),
    ("POST", "/tickets/batch", "value"),  # action=queue
    ("GET", "/tickets", "queue"),
    ("GET", "/export/tickets", "queue"),  # the inbox as CSV: the same filter, the same refusal
    ("POST", "/views", "query.queue"),  # a saved view: the list's filter, refused as the list refuses it
    ("PUT", "/views/{view_id}", "query.queue"),
}
# The ticket acted on, like the {ticket_id} of a path: 404, in a batch "not_found" per item.
ACTED_ON = {("POST", "/tickets/batch", "items.id"), ("GET", "/templates", "ticket_id")}  # templates filled for it
NOT_REFERENCES = {
    ("POST", "/tickets/{ticket_id}/replies", "template_id"),
    ("POST", "/tickets/{ticket_id}/forwards", "message_id"),  # a message of the path's ticket (else 400)
    ("POST", "/tickets/{ticket_id}/replies", "inline.content_id"),  # an inline image's Content-ID (mail header)
    ("POST", "/tickets/{ticket_id}/forwards", "inline.content_id"),
    ("POST", "/customers", "external_id"),
    ("PATCH", "/customers/{email}", "external_id"),
}
# Response fields naming other tickets (checked by test_responses_leave_out_tickets_the_caller_may_not_see).
RESPONSE_REFERENCES = {"parent_id", "merged_into", "links", "related", "events"}
# (a notification's ticket_id: my notifications of tickets I may no longer see are left out,
# tests/integration/test_notifications.py::test_assignment_tells_the_assignee_and_access_is_respected)
RESPONSE_REFERENCES |= {"ticket_id"}


def _fields(model: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(a field's path, its description) of a model and of the models inside it."""
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType), model
    for field in info.fields:
        kind = field.type
        described = kind.extra_json_schema or {} if isinstance(kind, msgspec.inspect.Metadata) else {}
        yield prefix + field.name, str(described.get("description", ""))
        for inner in _structs(kind):
            if inner.cls is not model:
                yield from _fields(inner.cls, f"{prefix}{field.name}.")


def _structs(kind: Any) -> Iterator[Any]:
    if isinstance(kind, msgspec.inspect.StructType):
        yield kind
    elif isinstance(kind, msgspec.inspect.Metadata):
        yield from _structs(kind.type)
    elif isinstance(kind, msgspec.inspect.UnionType):
        for arm in kind.types:
            yield from _structs(arm)
    elif isinstance(kind, msgspec.inspect.ListType):
        yield from _structs(kind.item_type)
    elif isinstance(kind, msgspec.inspect.DictType):
        yield from _structs(kind.value_type)


def _names_a_ticket_or_queue(name: str, description: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last in ("queue", "into", "id") or last.endswith("_id") or "queue" in description.lower()


def test_every_field_naming_a_ticket_or_a_queue_is_in_the_matrix(aws: Any) -> None:
    from helpdesk.api.app import api_of, create_app

    known = TICKET_REFERENCES | QUEUE_REFERENCES | ACTED_ON | NOT_REFERENCES
    unlisted: set[tuple[str, str, str]] = set()
    response_fields: set[str] = set()
    for spec in api_of(create_app()).specs:
        if spec.auth != "agent":
            continue
        for model in (spec.body, spec.query):
            if model is None:
                continue
            for name, info in _fields(model):
                if _names_a_ticket_or_queue(name, info) and (spec.method, spec.path, name) not in known:
                    unlisted.add((spec.method, spec.path, name))
        for name, _ in _fields(spec.response) if spec.response is not None else ():
            *within, last = name.split(".")
            if any(part in RESPONSE_REFERENCES for part in within):
                continue  # e.g. links.ticket_id: covered by its field
            if last in ("links", "related", "events", "merged_into") or last.endswith("_id"):
                response_fields.add(last)
    assert not unlisted, f"fields naming a ticket or a queue without an entry in the matrix: {sorted(unlisted)}"
    not_tickets = {"external_id", "message_id", "content_id"}  # a customer's ERP number, mail headers
    assert response_fields - not_tickets <= RESPONSE_REFERENCES, response_fields - not_tickets - RESPONSE_REFERENCES


def _visible(aws: Any, subject: str = "Lieferung fehlt", sender: str = "kunde@kunde.example") -> str:
    """A ticket of the open support queue: every agent sees it."""
    return str(ingest(aws, make_mail(subject=subject, sender=sender)).ticket_id)


def _as_admin(api: ApiClient, ticket_id: str) -> dict[str, Any]:
    response = api.get(f"/tickets/{ticket_id}", user="admin")
    assert response.status == 200, response.text
    return response.json  # type: ignore[no-any-return]


def _reference_request(api: ApiClient, key: tuple[str, str, str], visible: str, ref: str) -> tuple[str, str, Any]:
    method = key[0]
    version = _as_admin(api, visible)["version"]
    if key == ("PATCH", "/tickets/{ticket_id}", "parent_id"):
        return method, f"/tickets/{visible}", {"version": version, "parent_id": ref}
    if key == ("POST", "/tickets", "parent_id"):
        return method, "/tickets", {"subject": "Anruf", "body": "Rückruf erbeten", "parent_id": ref}
    if key == ("POST", "/tickets/{ticket_id}/merge", "into"):
        return method, f"/tickets/{visible}/merge", {"into": ref, "version": version, "into_version": 1}
    raise AssertionError(f"no request for {key}")


@pytest.mark.parametrize("key", sorted(TICKET_REFERENCES))
def test_a_hidden_ticket_named_in_a_request_is_answered_like_a_missing_one(
    world: dict[str, Any], key: tuple[str, str, str]
) -> None:
    from helpdesk.bootstrap import ingest_deps

    api: ApiClient = world["api"]
    aws = world["aws"]
    hidden = world["ticket_id"]
    before = _as_admin(api, hidden)

    method, path, body = _reference_request(api, key, _visible(aws), hidden)
    refused = api.call(method, path, user="other", body=body)
    method, path, body = _reference_request(api, key, _visible(aws, "Zweite Frage", "b@kunde.example"), MISSING_ID)
    missing = api.call(method, path, user="other", body=body)
    assert refused.status == missing.status == 400, (refused.text, missing.text)
    assert refused.json == missing.json
    assert hidden not in refused.text and before["number"] not in refused.text

    after = _as_admin(api, hidden)
    assert after["version"] == before["version"] and after["links"] == before["links"]
    assert after["status"] == before["status"] and after["merged_into"] is None
    assert ingest_deps().tickets.get(hidden, consistent=True) is not None

    # The agent responsible for the queue names the same ticket as before the fix.
    method, path, body = _reference_request(api, key, _visible(aws, "Dritte Frage", "c@kunde.example"), hidden)
    allowed = api.call(method, path, user="agent", body=body)
    assert allowed.status in (200, 201), allowed.text


def test_templates_filled_for_a_hidden_ticket_are_answered_like_for_a_missing_one(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    hidden = world["ticket_id"]
    number = _as_admin(api, hidden)["number"]
    refused = api.get(f"/templates?ticket_id={hidden}", user="other")
    missing = api.get(f"/templates?ticket_id={MISSING_ID}", user="other")
    assert refused.status == missing.status == 404, (refused.text, missing.text)
    assert refused.text.replace(hidden, MISSING_ID) == missing.text
    assert number not in refused.text
    allowed = api.get(f"/templates?ticket_id={hidden}", user="agent")
    assert allowed.status == 200 and all(item["filled"] is not None for item in allowed.json["items"])


def test_unlinking_a_hidden_parent_leaves_it_untouched(world: dict[str, Any]) -> None:
    """The agent sees no parent where it is hidden: ``parent_id: null`` is what they see already, so the
    link stays and the hidden parent is not written; another parent (which would unlink it) is refused."""
    api: ApiClient = world["api"]
    aws = world["aws"]
    hidden = world["ticket_id"]
    child = _visible(aws)
    version = _as_admin(api, child)["version"]
    assert (
        api.call("PATCH", f"/tickets/{child}", user="admin", body={"version": version, "parent_id": hidden}).status
        == 200
    )
    before = _as_admin(api, hidden)
    assert [link["ticket_id"] for link in before["links"]] == [child]

    seen = api.get(f"/tickets/{child}", user="other").json
    assert seen["parent_id"] is None
    body = {"version": seen["version"], "parent_id": None, "prio": True}
    unlinked = api.call("PATCH", f"/tickets/{child}", user="other", body=body)
    assert unlinked.status == 200, unlinked.text
    assert unlinked.json["prio"] is True and unlinked.json["parent_id"] is None
    assert hidden not in unlinked.text and before["number"] not in unlinked.text
    after = _as_admin(api, hidden)
    assert (after["version"], after["links"]) == (before["version"], before["links"])
    assert _as_admin(api, child)["parent_id"] == hidden

    elsewhere = _visible(aws, "Andere Frage", "b@kunde.example")
    body = {"version": unlinked.json["version"], "parent_id": elsewhere}
    moved = api.call("PATCH", f"/tickets/{child}", user="other", body=body)
    assert moved.status == 400 and moved.json["field"] == "parent_id", moved.text
    assert hidden not in moved.text and before["number"] not in moved.text
    assert _as_admin(api, hidden)["version"] == before["version"]
    assert _as_admin(api, child)["parent_id"] == hidden

    # the agent who may see the parent unlinks it as before
    body = {"version": _as_admin(api, child)["version"], "parent_id": None}
    assert api.call("PATCH", f"/tickets/{child}", user="agent", body=body).status == 200
    assert _as_admin(api, hidden)["links"] == []


def _queue_request(api: ApiClient, key: tuple[str, str, str], visible: str) -> tuple[str, str, Any, Any]:
    method = key[0]
    version = _as_admin(api, visible)["version"]
    if key == ("PATCH", "/tickets/{ticket_id}", "queue"):
        return method, f"/tickets/{visible}", {"version": version, "queue": "vip"}, None
    if key == ("POST", "/tickets", "queue"):
        return method, "/tickets", {"subject": "Anruf", "body": "Rückruf erbeten", "queue": "vip"}, None
    if key == ("POST", "/tickets/batch", "value"):
        body = {"action": "queue", "value": "vip", "items": [{"id": visible, "version": version}]}
        return method, "/tickets/batch", body, None
    if key in (("GET", "/tickets", "queue"), ("GET", "/export/tickets", "queue")):
        return method, key[1], None, {"queue": "vip"}
    if key[1] == "/views":
        return method, "/views", {"name": "VIP", "query": {"queue": "vip"}}, None
    if key[1] == "/views/{view_id}":
        return method, "/views/matrix-view", {"name": "VIP", "query": {"queue": "vip"}}, None
    raise AssertionError(f"no request for {key}")


@pytest.mark.parametrize("key", sorted(QUEUE_REFERENCES))
def test_a_queue_the_caller_may_not_see_is_refused_wherever_it_is_named(
    world: dict[str, Any], key: tuple[str, str, str]
) -> None:
    api: ApiClient = world["api"]
    visible = _visible(world["aws"])
    before = _as_admin(api, visible)
    method, path, body, query = _queue_request(api, key, visible)
    refused = api.call(method, path, user="other", body=body, query=query)
    if key[1] == "/tickets/batch":  # the same check as PATCH, reported per item
        assert refused.status == 200, refused.text
        assert [(r["ok"], r["error"]) for r in refused.json["results"]] == [(False, "forbidden")]
        assert refused.json["results"][0]["message"] == "no access to queue 'vip'"
    else:
        assert refused.status == 403, refused.text
        assert refused.json["message"] == "no access to queue 'vip'"
    after = _as_admin(api, visible)
    assert (after["queue"], after["version"]) == (before["queue"], before["version"])
    total = api.get("/tickets", user="admin", query={"status": "all"}).json["items"]
    assert [t["subject"] for t in total if t["subject"] == "Anruf"] == []

    method, path, body, query = _queue_request(api, key, visible)
    allowed = api.call(method, path, user="agent", body=body, query=query)
    assert allowed.status in (200, 201), allowed.text
    if key[1] == "/tickets/batch":
        assert allowed.json["results"][0]["ok"] is True
        assert _as_admin(api, visible)["queue"] == "vip"


def _ingest_vip(aws: Any, subject: str, sender: str) -> tuple[str, str]:
    created = ingest(aws, make_mail(subject=subject, sender=sender))
    return str(created.ticket_id), str(created.number)


def test_responses_leave_out_tickets_the_caller_may_not_see(world: dict[str, Any]) -> None:
    """A visible ticket with a hidden parent, a hidden child, a hidden ticket merged into it, and a visible
    ticket merged into a hidden one (all done by an admin): the agent without the queue sees none of
    them, in no response, not even their ids or numbers."""
    api: ApiClient = world["api"]
    aws = world["aws"]
    parent = world["ticket_id"]
    merged_from = world["other_id"]
    child, child_number = _ingest_vip(aws, "VIP dritte Geheimsache", "vip3@kunde.example")
    merged_to, _ = _ingest_vip(aws, "VIP vierte Geheimsache", "vip4@kunde.example")
    visible = _visible(aws)
    gone = _visible(aws, "Doppelt geschickt", "kunde@kunde.example")

    def admin(method: str, path: str, body: dict[str, Any], ticket_id: str) -> None:
        body = {**body, "version": _as_admin(api, ticket_id)["version"]}
        response = api.call(method, path, user="admin", body=body)
        assert response.status == 200, response.text

    admin("PATCH", f"/tickets/{visible}", {"parent_id": parent}, visible)
    admin("PATCH", f"/tickets/{child}", {"parent_id": visible}, child)
    into = _as_admin(api, visible)["version"]
    admin("POST", f"/tickets/{merged_from}/merge", {"into": visible, "into_version": into}, merged_from)
    into = _as_admin(api, merged_to)["version"]
    admin("POST", f"/tickets/{gone}/merge", {"into": merged_to, "into_version": into}, gone)

    hidden = {parent, merged_from, child, merged_to}
    # (the merged ticket's number stays in the mails that moved with it: our replies carry it)
    numbers = {_as_admin(api, t)["number"] for t in hidden - {merged_from}}
    secrets = hidden | numbers | {"Geheimsache", "VIP Anfrage"}
    assert {r["id"] for r in _as_admin(api, visible)["related"]} == {parent, child, merged_from}

    current = api.get(f"/tickets/{visible}", user="other").json
    version = current["version"]
    responses = {
        "detail": api.get(f"/tickets/{visible}", user="other"),
        "detail of the merged one": api.get(f"/tickets/{gone}", user="other"),
        "list": api.get("/tickets", user="other", query={"status": "all"}),
        "customer": api.get("/customers/kunde@kunde.example", user="other"),
        "read": api.call("POST", f"/tickets/{visible}/read", user="other"),
        "unread": api.call("POST", f"/tickets/{visible}/unread", user="other"),
        "comment": api.call("POST", f"/tickets/{visible}/comments", user="other", body={"body": "intern"}),
        "patch": api.call("PATCH", f"/tickets/{visible}", user="other", body={"version": version, "prio": True}),
        "conflict": api.call("PATCH", f"/tickets/{visible}", user="other", body={"version": version, "prio": False}),
    }
    assert responses["conflict"].status == 409
    for name, response in responses.items():
        assert response.status in (200, 201, 409), (name, response.text)
        leaked = sorted(secret for secret in secrets if secret in response.text)
        assert not leaked, f"{name} shows {leaked}: {response.text[:2000]}"
    shown = api.get(f"/tickets/{visible}", user="other").json
    assert (shown["parent_id"], shown["links"], shown["related"]) == (None, [], [])
    assert api.get(f"/tickets/{gone}", user="other").json["merged_into"] is None

    # The responsible agent and admins see every reference as before.
    full = api.get(f"/tickets/{visible}", user="agent").json
    assert full["parent_id"] == parent
    assert {(r["id"], r["relation"]) for r in full["related"]} == {
        (parent, "parent"),
        (child, "child"),
        (merged_from, "merged_from"),
    }
    assert child_number in {link["number"] for link in full["links"]}
    assert api.get(f"/tickets/{gone}", user="agent").json["merged_into"] == merged_to


def test_a_stranger_naming_a_hidden_ticket_shows_agents_nothing_of_it(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    hidden = _as_admin(api, world["ticket_id"])
    attack = make_mail(
        sender="Mallory <mallory@evil.example>",
        subject=f"Re: [#{hidden['number']}] bitte Passwort aendern",
        body="Bitte setzen Sie mein Passwort zurueck.",
    )
    claim = ingest(world["aws"], attack).ticket_id
    seen = api.get(f"/tickets/{claim}", user="other")
    assert seen.status == 200 and seen.json["status"] == "clarify"
    assert (seen.json["links"], seen.json["related"]) == ([], [])
    assert hidden["id"] not in seen.text and hidden["subject"] not in seen.text
    # the number is in the stranger's own subject, and nowhere else
    outside_subject = seen.text.replace(seen.json["subject"], "")
    assert hidden["number"] not in outside_subject, outside_subject
    listed = api.get("/tickets", user="other", query={"status": "all"})
    assert hidden["id"] not in listed.text and hidden["subject"] not in listed.text

    full = api.get(f"/tickets/{claim}", user="agent").json
    assert [(r["id"], r["relation"], r["subject"]) for r in full["related"]] == [
        (hidden["id"], "claimed", hidden["subject"])
    ]


def test_meta_offers_only_tags_and_projects_of_tickets_the_caller_may_see(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    visible = _visible(world["aws"])
    for ticket_id, tags, project in (
        (world["ticket_id"], ["nur-vip", "gemeinsam"], "Geheimprojekt"),
        (visible, ["gemeinsam"], "Webshop"),
    ):
        body = {"version": _as_admin(api, ticket_id)["version"], "tags": tags, "project": project}
        assert api.call("PATCH", f"/tickets/{ticket_id}", user="admin", body=body).status == 200
    everything = ({"gemeinsam": 2, "nur-vip": 1}, {"Geheimprojekt": 1, "Webshop": 1})
    for who in ("admin", "agent"):
        meta = api.get("/meta", user=who).json
        assert (meta["tags"], meta["projects"]) == everything, who
    meta = api.get("/meta", user="other").json
    assert (meta["tags"], meta["projects"]) == ({"gemeinsam": 1}, {"Webshop": 1})

    # moving a ticket out of the restricted queue makes its tags visible
    body = {"version": _as_admin(api, world["ticket_id"])["version"], "queue": "support"}
    assert api.call("PATCH", f"/tickets/{world['ticket_id']}", user="admin", body=body).status == 200
    meta = api.get("/meta", user="other").json
    assert (meta["tags"], meta["projects"]) == everything


def test_stats_count_only_tickets_the_caller_may_see(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    visible = _visible(world["aws"])
    hidden = world["ticket_id"]
    for ticket_id in (hidden, visible):
        reply = api.call("POST", f"/tickets/{ticket_id}/replies", user="admin", body={"body": "Erledigt."})
        assert reply.status == 201, reply.text
    body = {"version": _as_admin(api, hidden)["version"], "status": "closed"}
    assert api.call("PATCH", f"/tickets/{hidden}", user="admin", body=body).status == 200

    def figures(who: str) -> tuple[Any, ...]:
        s = api.get("/stats", user=who).json
        return (
            s["totals"].get("tickets_created"),
            s["totals"].get("replies"),
            s["totals"].get("closed"),
            s["first_response"]["count"],
            s["resolution"]["count"],
            s["backlog"],
        )

    everything = (
        3,
        2,
        1,
        2,
        1,
        {
            "status": {"new": 1, "waiting_customer": 1, "closed": 1},
            "queue": {"vip": 1, "support": 1},
            "agent": {"-": 2},
        },
    )
    assert figures("admin") == figures("agent") == everything
    assert figures("other") == (
        1,
        1,
        None,
        1,
        0,
        {"status": {"waiting_customer": 1}, "queue": {"support": 1}, "agent": {"-": 1}},
    )


def test_aggregates_leave_out_the_private_tickets_of_others(world: dict[str, Any]) -> None:
    """Private tickets count for admins and their assignee only, in /meta and /stats alike; what an agent
    reads for it grows with the private tickets' queues and owners, not with the tickets."""
    api: ApiClient = world["api"]
    aws = world["aws"]
    rule = {
        "id": "privat",
        "name": "Privat",
        "conditions": [{"field": "subject", "value": "privat"}],
        "actions": {"private": True, "assignee": "agent", "tags": ["nur-privat"], "project": "privatsache"},
    }
    assert api.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    private = str(ingest(aws, make_mail(subject="privat: Kündigung", sender="p@kunde.example")).ticket_id)
    visible = _visible(aws)
    for ticket_id, tags in ((visible, ["gemeinsam"]), (private, ["nur-privat", "gemeinsam"])):
        body = {"version": _as_admin(api, ticket_id)["version"], "tags": tags}
        assert api.call("PATCH", f"/tickets/{ticket_id}", user="admin", body=body).status == 200
        reply = api.call("POST", f"/tickets/{ticket_id}/replies", user="admin", body={"body": "Erledigt."})
        assert reply.status == 201, reply.text
    assert api.get(f"/tickets/{private}", user="other").status == 404
    assert _as_admin(api, private)["private"] is True

    def figures(who: str) -> tuple[Any, ...]:
        s = api.get("/stats", user=who).json
        meta = api.get("/meta", user=who).json
        totals = (s["totals"].get("tickets_created"), s["totals"].get("replies"), s["first_response"]["count"])
        return meta["tags"], meta["projects"], totals, s["backlog"]

    # the world's two tickets of the restricted queue: new, unassigned
    assert figures("admin") == (
        {"gemeinsam": 2, "nur-privat": 1},
        {"privatsache": 1},
        (4, 2, 2),
        {"status": {"new": 2, "waiting_customer": 2}, "queue": {"vip": 2, "support": 2}, "agent": {"-": 3, "agent": 1}},
    )
    assert figures("agent") == figures("admin")  # responsible for the restricted queue, and the assignee
    assert figures("other") == (
        {"gemeinsam": 1},
        {},
        (1, 1, 1),
        {"status": {"waiting_customer": 1}, "queue": {"support": 1}, "agent": {"-": 1}},
    )

    # made public, its tags and backlog count for every agent again (day figures stay as counted)
    body = {"version": _as_admin(api, private)["version"], "private": False}
    assert api.call("PATCH", f"/tickets/{private}", user="admin", body=body).status == 200
    assert figures("other")[:2] == ({"gemeinsam": 2, "nur-privat": 1}, {"privatsache": 1})
    assert figures("other")[3]["queue"] == {"support": 2}

    # what an agent's figures cost does not grow with the tickets: 20 more private ones read no more items
    def reads() -> int:
        with count_items_read() as items:
            api.get("/stats", user="other")
            api.get("/meta", user="other")
        return sum(items.values())

    before = reads()
    for n in range(20):
        ingest(aws, make_mail(subject=f"privat {n}", sender=f"p{n}@kunde.example"))
    after = reads()
    assert after == before, (before, after)
    expected = figures("other")
    assert expected[2] == (1, 1, 1)

    # a deployment from before the private counters: `helpdesk recount` sets them from the tickets
    from helpdesk.aws import clients
    from helpdesk.services.recount import recount_queue_counters
    from helpdesk.store.models import MetaItem

    ddb, table = clients.dynamodb(), MetaItem.Meta.table_name
    for pk in ("BACKLOG", "IN_USE"):
        for item in ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":p": {"S": "private#"}},
        )["Items"]:
            ddb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
    assert figures("other")[3]["queue"] == {"support": 22}  # wrong: the 20 private ones count
    recount_queue_counters()
    assert figures("other") == expected


def test_customers_count_only_the_tickets_the_caller_may_see(world: dict[str, Any]) -> None:
    api: ApiClient = world["api"]
    aws = world["aws"]
    sender = "stamm@kunde.example"
    visible = _visible(aws, "Erste Frage", sender)
    restricted = str(ingest(aws, make_mail(subject="VIP Vertrag", sender=sender)).ticket_id)
    private = _visible(aws, "Dritte Frage", sender)
    body = {"version": _as_admin(api, private)["version"], "private": True, "assignee": "agent"}
    assert api.call("PATCH", f"/tickets/{private}", user="admin", body=body).status == 200
    created = {t: _as_admin(api, t)["created_at"] for t in (visible, restricted, private)}
    assert _as_admin(api, restricted)["queue"] == "vip"

    def seen(who: str) -> tuple[Any, ...]:
        listed = api.get("/customers", user=who, query={"q": "stamm"}).json["items"]
        detail = api.get(f"/customers/{sender}", user=who).json
        edited = api.call("PATCH", f"/customers/{sender}", user=who, body={"notes": "Stammkunde"}).json
        assert len(listed) == 1
        figures = {(c["ticket_count"], c["last_ticket_at"]) for c in (listed[0], detail, edited)}
        assert len(figures) == 1, (who, figures)
        return (*figures.pop(), sorted(t["id"] for t in detail["tickets"]))

    everything = (3, max(created.values()), sorted(created))
    assert seen("admin") == seen("agent") == everything
    assert seen("other") == (1, created[visible], [visible])


def test_per_queue_counters_are_rebuilt_for_tickets_from_before_them(world: dict[str, Any]) -> None:
    """A deployment from before the per-queue counters: `helpdesk recount` sets them from the tickets."""
    from helpdesk.aws import clients
    from helpdesk.services.recount import recount_queue_counters
    from helpdesk.store.models import MetaItem

    api: ApiClient = world["api"]
    visible = _visible(world["aws"])
    for ticket_id, tags in ((world["ticket_id"], ["nur-vip"]), (visible, ["gemeinsam"])):
        body = {"version": _as_admin(api, ticket_id)["version"], "tags": tags}
        assert api.call("PATCH", f"/tickets/{ticket_id}", user="admin", body=body).status == 200
    expected = {
        who: (api.get("/meta", user=who).json["tags"], api.get("/stats", user=who).json["backlog"])
        for who in ("other", "agent")
    }
    assert expected["other"] == ({"gemeinsam": 1}, {"status": {"new": 1}, "queue": {"support": 1}, "agent": {"-": 1}})

    ddb, table = clients.dynamodb(), MetaItem.Meta.table_name
    for pk in ("BACKLOG", "IN_USE"):  # as before the per-queue counters, plus a queue that is gone
        for item in ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :q)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":q": {"S": "queue#"}},
        )["Items"]:
            ddb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
        ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "queue#alt"}, "t_alt": {"N": "3"}})
    assert api.get("/meta", user="other").json["tags"] == {"alt": 3}  # wrong: "gemeinsam" is missing

    assert recount_queue_counters() == {"vip": 2, "support": 1}
    for who, figures in expected.items():
        assert (api.get("/meta", user=who).json["tags"], api.get("/stats", user=who).json["backlog"]) == figures
