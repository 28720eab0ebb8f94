"""API reads against moto: auth, list, detail, errors, headers, OpenAPI."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from openapi_spec_validator import validate

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail


@pytest.fixture
def api(aws: Any) -> ApiClient:
    return make_api(aws)


def test_list_and_detail(aws: Any, api: ApiClient) -> None:
    first = ingest(aws, make_mail(subject="Erste Frage"))
    ingest(aws, make_mail(subject="Zweite Frage", sender="b@kunde.example"))
    listed = api.get("/tickets", user="agent")
    assert listed.status == 200
    assert [t["subject"] for t in listed.json["items"]] == ["Zweite Frage", "Erste Frage"]
    assert listed.json["cursor"] is None
    detail = api.get(f"/tickets/{first.ticket_id}", user="agent")
    assert detail.status == 200 and detail.json["number"] == first.number
    assert [m["direction"] for m in detail.json["messages"]] == ["inbound", "outbound"]
    assert {e["type"] for e in detail.json["events"]} == {"TicketCreated", "MessageAdded"}


def test_pages_follow_the_cursor_without_gaps_or_repeats(aws: Any, api: ApiClient) -> None:
    for i in range(7):
        ingest(aws, make_mail(subject=f"Seite {i}", sender=f"p{i}@kunde.example"))
    seen: list[str] = []
    cursor = None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/tickets", user="agent", query=query).json
        seen += [t["subject"] for t in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    assert seen == [f"Seite {i}" for i in reversed(range(7))]


def test_pages_over_several_statuses_reach_the_end_even_if_a_status_has_not_contributed_yet(
    aws: Any, api: ApiClient
) -> None:
    """Issue 10, finding 5: page 2 of ``status=all`` (three buckets) or ``status=new,open,closed``
    (three status partitions) answered 400 "invalid cursor" when page 1 came from one partition only:
    the cursor carried ``null`` for the partitions not yet read from."""
    older = [ingest(aws, make_mail(subject=f"Alt {i}", sender=f"a{i}@kunde.example")) for i in range(3)]
    for ticket, status in zip(older, ("closed", "closed", "open"), strict=True):
        changed = api.call("PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": 1, "status": status})
        assert changed.status == 200, changed.text
    ingest(aws, make_mail(subject="Werbung", sender="news@x.example", headers={"List-Unsubscribe": "<mailto:u@x>"}))
    for i in range(6):  # newer than all of the above: page 1 comes from the "new" tickets only
        ingest(aws, make_mail(subject=f"Neu {i}", sender=f"n{i}@kunde.example"))

    def every_page(status: str) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            query = {"status": status, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = api.get("/tickets", user="admin", query=query)
            assert page.status == 200, page.text
            seen += [t["subject"] for t in page.json["items"]]
            cursor = page.json["cursor"]
            if not cursor:
                return seen

    newest_first = [f"Neu {i}" for i in reversed(range(6))]
    everything = every_page("all")
    assert everything[:6] == newest_first and everything[6] == "Werbung"
    assert sorted(everything[7:]) == ["Alt 0", "Alt 1", "Alt 2"] and len(everything) == 10
    some = every_page("new,open,closed")
    assert some[:6] == newest_first and sorted(some[6:]) == ["Alt 0", "Alt 1", "Alt 2"] and len(some) == 9


def test_column_filters_look_into_their_column_only(aws: Any, api: ApiClient) -> None:
    """The seeds' free-text fields over the list's columns: "Betreff enthält Müller" must not find
    a ticket whose customer is Müller; filters combine; pages stay complete across rejections."""
    mueller = ingest(aws, make_mail(subject="Lieferung fehlt", sender="Jürgen Müller <jm@kunde.example>"))
    about = ingest(aws, make_mail(subject="Frage zu Herrn Müller", sender="Anna Schmidt <as@firma.example>"))
    ingest(aws, make_mail(subject="Rechnung doppelt", sender="Olaf Berg <ob@firma.example>"))
    for i in range(5):
        ingest(aws, make_mail(subject=f"Müller-Anfrage {i}", sender=f"Jana Kurz <j{i}@firma.example>"))

    def subjects(**query: Any) -> list[str]:
        found: list[str] = []
        cursor = None
        while True:
            paging = {"limit": 2, **query, **({"cursor": cursor} if cursor else {})}
            page = api.get("/tickets", user="agent", query=paging)
            assert page.status == 200, page.text
            found += [t["subject"] for t in page.json["items"]]
            cursor = page.json["cursor"]
            if not cursor:
                return found

    assert subjects(customer_text="MÜLLER") == ["Lieferung fehlt"]
    assert subjects(customer_text="firma.example", subject="herrn") == ["Frage zu Herrn Müller"]
    assert sorted(subjects(subject="müller")) == ["Frage zu Herrn Müller"] + [f"Müller-Anfrage {i}" for i in range(5)]
    assert subjects(number=mueller.number.lower()) == ["Lieferung fehlt"]
    assert subjects(number=about.number, subject="lieferung") == []
    assert subjects(subject="  ") == subjects()  # blank filters are no filters

    api.call("PATCH", f"/tickets/{about.ticket_id}", user="admin", body={"tags": ["rückruf"], "version": 1})
    api.call("PATCH", f"/tickets/{mueller.ticket_id}", user="admin", body={"tags": ["rückruf"], "version": 1})
    assert subjects(tag="rückruf", customer_text="müller") == ["Lieferung fehlt"]  # the tag index path


def test_text_filters_read_a_bounded_amount_and_continue_by_cursor(aws: Any) -> None:
    """A rare text filter answers a short (even empty) page marked partial, with a cursor, instead of
    reading the whole table; following the cursors finds exactly the matches, none twice."""
    from helpdesk.store.listing import TicketFilter, list_tickets

    for i in range(12):
        ingest(aws, make_mail(subject=f"Anfrage {i}", sender=f"k{i}@kunde.example"))

    def follow(flt: TicketFilter) -> tuple[list[str], int]:
        found: list[str] = []
        cursor, pages = None, 0
        while True:
            page = list_tickets(flt, limit=5, cursor=cursor, max_scanned=4)
            assert page.scanned <= 6  # the budget, overshot by at most one page (limit + 1)
            found += [t.subject for t in page.items]
            pages += 1
            cursor = page.cursor
            if cursor is None:
                return found, pages
            assert page.partial or len(page.items) == 5

    first = list_tickets(TicketFilter(q="nirgends"), limit=5, max_scanned=4)
    assert (first.items, first.partial, first.cursor is not None) == ([], True, True)
    found, pages = follow(TicketFilter(q="nirgends"))
    assert found == [] and pages >= 2
    found, _ = follow(TicketFilter(columns={"subject": "anfrage 1"}))
    assert sorted(found) == ["Anfrage 1", "Anfrage 10", "Anfrage 11"]


def test_closed_and_trash_are_hidden_unless_asked_for(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(subject="offen"))
    ingest(aws, make_mail(subject="Werbung", sender="news@x.example", headers={"List-Unsubscribe": "<mailto:u@x>"}))
    default = {t["subject"] for t in api.get("/tickets", user="agent").json["items"]}
    everything = {t["subject"] for t in api.get("/tickets", user="agent", query={"status": "all"}).json["items"]}
    only_trash = {t["subject"] for t in api.get("/tickets", user="agent", query={"status": "trash"}).json["items"]}
    assert default == {"offen"} and everything == {"offen", "Werbung"} and only_trash == {"Werbung"}


def test_agents_do_not_see_restricted_queues(aws: Any, api: ApiClient) -> None:
    billing = ingest(aws, make_mail(subject="Rechnung falsch"))  # rule → queue billing (responsible: admin)
    assert {t["id"] for t in api.get("/tickets", user="admin").json["items"]} == {billing.ticket_id}
    assert api.get("/tickets", user="agent").json["items"] == []
    hidden = api.get(f"/tickets/{billing.ticket_id}", user="agent")
    missing = api.get("/tickets/01ARZ3NDEKTSV4RRFFQ69G5FAV", user="agent")
    assert hidden.status == missing.status == 404 and hidden.json == missing.json  # no existence oracle
    assert api.get("/tickets", user="agent", query={"queue": "billing"}).status == 403


def test_errors_are_json_with_the_right_status(aws: Any, api: ApiClient) -> None:
    assert api.get("/tickets").json == {"error": "unauthorized", "message": "missing bearer token"}
    bad = api.get("/tickets", user="agent", query={"limit": 500})
    assert bad.status == 400 and bad.json["field"] == "limit"
    assert api.get("/tickets", user="agent", query={"status": "bogus"}).status == 400
    assert api.get("/tickets", user="agent", query={"cursor": "!!!"}).status == 400
    assert api.get("/tickets/does-not-exist", user="agent").status == 404
    missing = api.get("/nope", user="agent")
    assert missing.status == 404 and missing.json["error"] == "not_found"
    wrong_method = api.call("DELETE", "/meta", user="agent")
    assert wrong_method.status == 405
    # every invalid field at once (msgspec stops at the first; the answer goes on to name the others)
    t = ingest(aws, make_mail())
    body = {"version": "2", "customer_email": "kein-mail", "tags": ["ok", "a\r\nBcc: x"], "farbe": "rot"}
    several = api.call("PATCH", f"/tickets/{t.ticket_id}", user="agent", body=body)
    assert several.status == 400 and several.json["field"] == "version", several.text
    named = [d["field"] for d in several.json["details"]]
    assert named == ["version", "customer_email", "tags", "farbe"], several.json["details"]
    assert "e-mail" in several.json["details"][1]["message"]


def test_security_headers_on_every_response(aws: Any, api: ApiClient) -> None:
    for response in (api.get("/tickets"), api.get("/meta", user="agent"), api.get("/")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = api.get("/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    connect = page.headers["Content-Security-Policy"].split("connect-src")[1].split(";")[0]
    assert connect.split() == ["'self'", aws.endpoint]  # attachment uploads go to the bucket (moto here)


def test_meta_has_german_labels(aws: Any, api: ApiClient) -> None:
    meta = api.get("/meta", user="agent").json
    labels = {s["id"]: s["de"] for s in meta["statuses"]}
    assert labels == {
        "new": "neu",
        "open": "offen",
        "waiting_internal": "warten auf Intern",
        "waiting_customer": "warten auf Kunde",
        "clarify": "klären",
        "closed": "abgeschlossen",
        "trash": "Papierkorb",
    }
    assert "billing" not in {q["id"] for q in meta["queues"]}  # restricted, and the agent is not responsible


def test_openapi_is_valid_and_covers_every_route(aws: Any, api: ApiClient) -> None:
    response = api.get("/openapi.json")
    assert response.status == 200
    doc = response.json
    validate(doc)
    from helpdesk.api.app import create_app

    routes = {(path, method) for path, methods in create_app().routes.items() for method in methods}
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented
    # the document describes itself truly (schemathesis found it declared as a string)
    own = doc["paths"]["/openapi.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert own == {"type": "object"}


def test_malformed_input_gets_400_or_404_never_500(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: each of these reached DynamoDB or a parser and answered 500."""
    t = ingest(aws, make_mail())
    version = api.get(f"/tickets/{t.ticket_id}", user="agent").json["version"]
    nulled = api.call("PATCH", f"/tickets/{t.ticket_id}", user="agent", body={"version": version, "priority": None})
    assert nulled.status == 400 and nulled.json["field"] == "priority"
    bad_date = api.call("POST", "/tickets", user="agent", body={"subject": "s", "body": "b", "due_at": "e"})
    assert bad_date.status == 400 and bad_date.json["field"] == "due_at"
    import json as jsonlib

    forged = base64.urlsafe_b64encode(jsonlib.dumps({"by_bucket:active": {"pk": {"S": "x"}}}).encode()).decode()
    for path, query in (
        ("/customers", {"cursor": "0" * 50}),
        ("/customers", {"cursor": forged}),
        ("/tickets", {"cursor": forged}),
        ("/stats", {"start": "0000-00-00"}),
    ):
        response = api.get(path, user="agent", query=query)
        assert response.status == 400, (path, query, response.text)
    for ticket_id in ("not-a-ticket", "%20", "01M8BPW06QQTG8N39N18T9KPW"):
        assert api.get(f"/tickets/{ticket_id}", user="agent").status == 404
    batch = api.call(
        "POST", "/tickets/batch", user="agent", body={"action": "mark_prio", "items": [{"id": "", "version": 1}]}
    )
    assert batch.json["results"][0]["error"] == "not_found"


def test_hostile_json_gets_400_never_500(aws: Any, api: ApiClient) -> None:
    """A body nested past Python's recursion limit (msgspec's decoder ends there), a number no float holds, a
    lone surrogate: each answered 500 (and counted as a route error, which alarms) once the models were msgspec."""
    t = ingest(aws, make_mail())
    path = f"/tickets/{t.ticket_id}"
    deep = b"[" * 100_000 + b"]" * 100_000
    for route, body in (
        (("PATCH", path), b'{"version": 1, "tags": ' + deep + b"}"),
        (("POST", f"{path}/comments"), b'{"body": "x", "mentions": ' + deep + b"}"),
        (("POST", "/admin/rules"), b'{"id": "r", "name": "r", "conditions": ' + deep + b"}"),
        (("PATCH", path), b'{"version": 1e999}'),
        (("POST", "/admin/rules"), b'{"id": "r", "name": "r", "order": 1e999}'),
        (("POST", f"{path}/comments"), b'{"body": "\\ud800"}'),
    ):
        response = api.call(*route, user="admin", raw=body)
        assert response.status == 400 and response.json["error"] == "validation_error", (route, response.text)
    # a cursor is base64 of JSON: nested past json's recursion limit, each list answered 500 (a notifications
    # cursor is at most 400 characters: too short to get there)
    deep_cursor = base64.urlsafe_b64encode(b"[" * 1400 + b"]" * 1400).decode()
    for listing, query in (
        ("/tickets", {"cursor": deep_cursor}),
        ("/tickets", {"cursor": deep_cursor, "q": "rechnung"}),
        ("/customers", {"cursor": deep_cursor[:2000]}),
    ):
        answer = api.get(listing, user="admin", query=query)
        assert answer.status == 400, (listing, query.get("q"), answer.text)

    # where msgspec names no field ("$[...]": somewhere in JSON read untyped), none is named (it was "]")
    unplaced = api.call("POST", "/admin/rules", user="admin", raw=b'{"id": "r", "order": 1e999}').json
    assert ("field" not in unplaced or unplaced["field"] is None) and "out of range" in unplaced["message"], unplaced


def test_login_flows_answer_401_for_anything_cognito_refuses(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: a bogus first-login session answered 500."""
    assert api.call("POST", "/auth/login", body={"username": "agent", "password": "falsch-falsch"}).status == 401
    assert api.call("POST", "/auth/login", body={"username": "niemand", "password": "x"}).status == 401
    bogus = api.call(
        "POST", "/auth/new-password", body={"username": "0", "session": "0" * 2000, "new_password": "Sehr-Geheim-2026"}
    )
    assert bogus.status == 401
    assert api.call("POST", "/auth/refresh", body={"refresh_token": "kaputt"}).status == 401
    ok = api.call("POST", "/auth/login", body={"username": "agent", "password": "Agent-Demo-2026"})
    assert ok.status == 200
    refreshed = api.call("POST", "/auth/refresh", body={"refresh_token": ok.json["refresh_token"]})
    assert refreshed.status == 200 and refreshed.json["id_token"]


def test_the_stage_root_without_slash_redirects_to_the_page(aws: Any, api: ApiClient) -> None:
    from helpdesk_local.api_server import proxy_event
    from helpdesk_local.runners import LambdaContext

    event = proxy_event("GET", "/", {"host": "x.execute-api.eu-central-1.amazonaws.com"}, b"", "1.2.3.4")
    event["requestContext"]["path"] = "/v1"  # what API Gateway sends for https://…/v1
    response = api.handler(event, LambdaContext("helpdesk-api"))
    assert response["statusCode"] == 301
    assert response["headers"]["Location"] == "/v1/"
    event["requestContext"]["path"] = "/v1/"
    assert api.handler(event, LambdaContext("helpdesk-api"))["statusCode"] == 200


def test_bodies_are_validated_as_strictly_as_the_spec_says(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: `"send_mail": 0` and `"customer_links": "true"` were taken as booleans,
    `"version": "3"` as a number, though /openapi.json says boolean and integer."""
    t = ingest(aws, make_mail())
    version = api.get(f"/tickets/{t.ticket_id}", user="agent").json["version"]
    lax = [
        ("POST", "/tickets", {"subject": "s", "body": "b", "send_mail": 0}, "send_mail"),
        ("PATCH", f"/tickets/{t.ticket_id}", {"version": str(version), "prio": True}, "version"),
        ("PATCH", f"/tickets/{t.ticket_id}", {"version": version, "prio": "true"}, "prio"),
    ]
    for method, path, body, field in lax:
        refused = api.call(method, path, user="agent", body=body)
        assert (refused.status, refused.json["field"]) == (400, field), body
    settings = api.get("/admin/settings", user="admin").json
    refused = api.call("PUT", "/admin/settings", user="admin", body={**settings, "customer_links": "true"})
    assert (refused.status, refused.json["field"]) == (400, "customer_links")
    broken = api.call("POST", "/tickets", user="agent", raw=b'{"subject": "s",')
    assert (broken.status, broken.json["message"][:17]) == (400, "body is not JSON:")
    # JSON has no dates or enums: their strings are what the spec documents, and still accepted
    body = {"version": version, "due_at": "2026-12-24T10:00:00Z", "status": "open", "priority": "high"}
    changed = api.call("PATCH", f"/tickets/{t.ticket_id}", user="agent", body=body)
    assert changed.status == 200, changed.text
    assert (changed.json["status"], changed.json["priority"]) == ("open", "high")
