"""Saved views ("Eigene Ordner", issue 17 part 4) over the API on moto: built-in, shared and own views with
their counts; who keeps which; what a count reads (docs/data-model.md "Saved views")."""

from __future__ import annotations

from typing import Any

from .api_client import ApiClient
from .helpers import count_aws_calls, ingest, make_mail


def views(api: ApiClient, user: str) -> dict[str, dict[str, Any]]:
    response = api.get("/views", user=user)
    assert response.status == 200, response.text
    return {v["id"]: v for v in response.json["items"]}


def listed(api: ApiClient, user: str, query: dict[str, Any]) -> int:
    given = {k: v for k, v in query.items() if v is not None}  # a view's query as GET /tickets takes it
    response = api.get("/tickets", user=user, query={**given, "limit": 100})
    assert response.status == 200, response.text
    return len(response.json["items"])


def test_the_fixed_tabs_are_built_in_views_counted_as_their_lists(aws: Any, api: ApiClient) -> None:
    first = ingest(aws, make_mail(subject="Drucker kaputt", sender="a@kunde.example"))
    ingest(aws, make_mail(subject="Rechnung fehlt", sender="b@kunde.example"))
    ingest(aws, make_mail(subject="Newsletter", sender="c@kunde.example"))
    ticket = api.get(f"/tickets/{first.ticket_id}", user="agent").json  # read by agent now
    patch = {"version": ticket["version"], "assignee": "agent"}
    assert api.call("PATCH", f"/tickets/{first.ticket_id}", user="admin", body=patch).status == 200

    seen = views(api, "agent")
    assert list(seen)[:5] == ["inbox", "mine", "unread", "review", "trash"]
    assert all(seen[v]["built_in"] and not seen[v]["editable"] for v in ("inbox", "mine", "trash"))
    assert seen["inbox"]["count"] == listed(api, "agent", {})
    assert seen["mine"]["count"] == listed(api, "agent", {"assignee": "me"}) == 1
    assert seen["unread"]["count"] == listed(api, "agent", {"unread": "true"})
    assert seen["trash"]["count"] == listed(api, "agent", {"status": "trash"})
    assert seen["mine"]["query"]["assignee"] == "me"


def test_an_agent_keeps_own_views_and_only_admins_share(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(subject="dringend: Server steht", sender="ops@kunde.example"))  # "dringend" → high
    ingest(aws, make_mail(subject="Frage", sender="q@kunde.example"))
    mine = {"name": "Hohe Prio", "query": {"priority": "high", "sort": "created", "customer_text": " kunde.example "}}
    created = api.call("POST", "/views", user="agent", body=mine)
    assert created.status == 201, created.text
    view = created.json
    assert (view["owner"], view["count"], view["editable"]) == ("agent", 1, True)
    assert view["query"]["customer_text"] == "kunde.example"  # pasted with spaces: stripped, as in every record
    assert view["id"] in views(api, "agent") and view["id"] not in views(api, "admin")

    refused = api.call("POST", "/views", user="agent", body={**mine, "shared": True})
    assert refused.status == 403 and "admins" in refused.json["message"]
    bad = api.call("POST", "/views", user="agent", body={"name": "x", "query": {"status": "nonsense"}})
    assert bad.status == 400

    shared = api.call("POST", "/views", user="admin", body={"name": "Alle offenen", "shared": True, "query": {}})
    assert shared.status == 201 and shared.json["owner"] is None
    as_agent = views(api, "agent")[shared.json["id"]]
    assert as_agent["editable"] is False and as_agent["count"] == views(api, "agent")["inbox"]["count"]
    assert api.call("DELETE", f"/views/{shared.json['id']}", user="agent").status == 403
    put = api.call("PUT", f"/views/{shared.json['id']}", user="agent", body={"name": "meins", "query": {}})
    assert put.status == 403

    renamed = api.call("PUT", f"/views/{view['id']}", user="agent", body={**mine, "name": "Hoch"})
    assert renamed.status == 200 and renamed.json["name"] == "Hoch"
    assert api.call("DELETE", f"/views/{view['id']}", user="admin").status == 200  # admins tidy up
    assert view["id"] not in views(api, "agent")
    assert api.call("DELETE", "/views/inbox", user="admin").status == 404  # built in: not a record


def test_counts_read_counters_or_one_bounded_list_never_a_scan(aws: Any, api: ApiClient) -> None:
    for n in range(3):
        ingest(aws, make_mail(subject=f"Anfrage {n}", sender=f"k{n}@kunde.example"))
    api.call("POST", "/views", user="admin", body={"name": "Support", "query": {"queue": "support"}})
    api.call("POST", "/views", user="admin", body={"name": "Neu", "query": {"status": "new,open"}})
    with count_aws_calls() as calls:
        seen = views(api, "admin")
    assert not any(op.endswith(".Scan") for op in calls), calls
    counted = [v for v in seen.values() if v["id"] not in ("unread", "review")]
    # inbox, mine, trash and both saved views come from the backlog counters: one GetItem for all of them
    assert calls["dynamodb.GetItem"] == 1, calls
    # unread and review read their lists: a Query or two each on the active tickets (and one BatchGetItem
    # of the read marks); the rest is the request's configuration Query
    assert calls["dynamodb.Query"] <= 5 and calls["dynamodb.BatchGetItem"] <= 2, calls
    assert all(v["count"] == listed(api, "admin", v["query"]) for v in counted if v["id"] != "mine")
    by_name = {v["name"]: v for v in seen.values()}
    assert by_name["Support"]["count"] == listed(api, "admin", {"queue": "support"}) == 3


def test_a_list_count_stops_at_its_cap(aws: Any, api: ApiClient, monkeypatch: Any) -> None:
    import helpdesk.services.saved_views as saved

    monkeypatch.setattr(saved, "COUNT_CAP", 2)
    for n in range(3):
        ingest(aws, make_mail(subject=f"Prio {n}", sender=f"p{n}@kunde.example"))
    created = api.call("POST", "/views", user="agent", body={"name": "Ungelesen", "query": {"unread": "true"}})
    assert created.status == 201
    view = views(api, "agent")[created.json["id"]]
    assert (view["count"], view["more"]) == (2, True)  # shown as "2+"
    monkeypatch.setattr(saved, "COUNT_CAP", 100)
    assert views(api, "agent")[created.json["id"]]["more"] is False


def test_a_view_keeps_the_sla_filter_the_inbox_offers(aws: Any, api: ApiClient) -> None:
    """The inbox's SLA filter (issue 17 part 3) is part of the query a saved view keeps: it was refused (400)."""
    ingest(aws, make_mail(subject="ohne SLA", sender="sla@kunde.example"))
    body = {"name": "Verletzt", "query": {"sla": "breached", "sort": "updated"}}
    created = api.call("POST", "/views", user="agent", body=body)
    assert created.status == 201, created.text
    assert created.json["query"]["sla"] == "breached"
    assert created.json["count"] == listed(api, "agent", {"sla": "breached"}) == 0
    assert api.call("POST", "/views", user="agent", body={"name": "x", "query": {"sla": "late"}}).status == 400
