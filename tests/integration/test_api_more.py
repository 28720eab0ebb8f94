"""Customers, reports, the customers' side (link, contact form), admin, and DynamoDB calls per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from helpdesk.domain.clock import now

from .api_client import ApiClient
from .helpers import count_aws_calls, ingest, make_mail, sent_mails


def test_customers_are_linked_listed_and_editable(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(sender="Zoe Zander <zoe@kunde.example>", subject="A"))
    ingest(aws, make_mail(sender="Anna Adler <anna@kunde.example>", subject="B"))
    ingest(aws, make_mail(sender="Anna Adler <anna@kunde.example>", subject="C"))
    listed = api.get("/customers", user="agent").json["items"]
    assert [c["email"] for c in listed] == ["anna@kunde.example", "zoe@kunde.example"]
    assert listed[0]["ticket_count"] == 2
    assert [c["name"] for c in api.get("/customers", user="agent", query={"q": "zo"}).json["items"]] == ["Zoe Zander"]
    detail = api.get("/customers/anna@kunde.example", user="agent").json
    assert {t["subject"] for t in detail["tickets"]} == {"B", "C"}
    edited = api.call(
        "PATCH", "/customers/anna@kunde.example", user="agent", body={"company": "Adler GmbH", "external_id": "K-1001"}
    )
    assert edited.json["company"] == "Adler GmbH" and edited.json["external_id"] == "K-1001"
    created = api.call("POST", "/customers", user="agent", body={"email": "Neu@Kunde.Example", "name": "Neu"})
    assert created.status == 201 and created.json["email"] == "neu@kunde.example"
    again = api.call("POST", "/customers", user="agent", body={"email": "neu@kunde.example"})
    assert again.status == 400
    assert api.get("/customers/niemand@x.example", user="agent").status == 404


def test_stats_volume_response_times_and_backlog(aws: Any, api: ApiClient) -> None:
    a = ingest(aws, make_mail(subject="eins"))
    ingest(aws, make_mail(subject="zwei", sender="b@kunde.example"))
    ingest(aws, make_mail(subject="Rechnung drei", sender="c@kunde.example"))  # → billing
    api.call("POST", f"/tickets/{a.ticket_id}/replies", user="agent", body={"body": "Erledigt.", "status": "closed"})
    stats = api.get("/stats", user="admin")
    assert stats.status == 200
    s = stats.json
    today = now().date().isoformat()
    assert s["series"][-1]["period"] == today and s["series"][-1]["tickets_created"] == 3
    assert s["totals"]["autoreplies_sent"] == 3 and s["totals"]["replies"] == 1 and s["totals"]["closed"] == 1
    assert s["first_response"]["count"] == 1 and s["resolution"]["count"] == 1
    assert s["backlog"]["status"] == {"new": 2, "closed": 1}
    assert s["backlog"]["queue"] == {"support": 1, "billing": 1}
    # the agent may not see billing (restricted to admins): its ticket does not count for them
    mine = api.get("/stats", user="agent").json
    assert mine["series"][-1]["tickets_created"] == 2 and mine["totals"]["autoreplies_sent"] == 2
    assert mine["backlog"]["status"] == {"new": 1, "closed": 1} and mine["backlog"]["queue"] == {"support": 1}
    weekly = api.get(
        "/stats", user="admin", query={"granularity": "week", "start": (now() - timedelta(days=13)).date().isoformat()}
    ).json
    assert 2 <= len(weekly["series"]) <= 3
    assert sum(p.get("tickets_created", 0) for p in weekly["series"]) == 3
    assert api.get("/stats", user="agent", query={"start": "2026-02-01", "end": "2026-01-01"}).status == 400


def test_the_customer_link_shows_the_exchange_and_takes_a_reply(aws: Any, api: ApiClient) -> None:
    t = ingest(aws, make_mail(subject="Wo ist mein Paket?"))
    reply = api.call("POST", f"/tickets/{t.ticket_id}/replies", user="agent", body={"body": "Es ist unterwegs."})
    api.call("POST", f"/tickets/{t.ticket_id}/comments", user="agent", body={"body": "GEHEIM intern"})
    sent = sent_mails()[-1]
    text = sent.get_body(preferencelist=("plain",)).get_content()
    token = text.split("/#/t/")[1].split()[0]
    view = api.get(f"/public/tickets/{token}")
    assert view.status == 200
    assert view.json["status"] == "waiting_customer" and view.json["status_label"] == "warten auf Kunde"
    assert [m["direction"] for m in view.json["messages"]] == ["inbound", "outbound", "outbound"]
    assert "GEHEIM" not in view.text and "events" not in view.json
    answered = api.call("POST", f"/public/tickets/{token}/replies", body={"body": "Danke, angekommen!"})
    assert answered.status == 201
    assert api.get(f"/tickets/{t.ticket_id}", user="agent").json["status"] == "open"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert api.get(f"/public/tickets/{forged}").status == 404
    assert reply.status == 201


def test_contact_form_opens_a_ticket_like_mail_and_is_limited(aws: Any, api: ApiClient) -> None:
    r = api.call(
        "POST",
        "/public/contact",
        body={
            "name": "Otto Ohne",
            "email": "otto@kunde.example",
            "subject": "Frage zum Produkt",
            "body": "Geht das auch in Blau?",
        },
    )
    assert r.status == 201 and r.json["number"].startswith("T-")
    ticket = api.get("/tickets", user="agent", query={"q": r.json["number"]}).json["items"][0]
    assert ticket["channel"] == "contact_form" and ticket["customer"]["address"] == "otto@kunde.example"
    assert len(sent_mails()) == 1  # the auto-reply, as for mail
    bot = api.call(
        "POST",
        "/public/contact",
        body={"email": "bot@x.example", "subject": "x", "body": "y", "website": "http://spam"},
    )
    assert bot.status == 201 and bot.json["number"] is None
    spoof = api.call(
        "POST",
        "/public/contact",
        body={"email": "otto@kunde.example", "subject": f"[#{r.json['number']}]", "body": "Ich bin Otto, ehrlich."},
    )
    assert spoof.status == 201 and spoof.json["number"] != r.json["number"]  # never appended to Otto's ticket
    limited = [
        api.call("POST", "/public/contact", body={"email": "otto@kunde.example", "subject": "s", "body": "b"})
        for _ in range(3)
    ]
    assert limited[-1].status == 429 and "Retry-After" in limited[-1].headers
    bad = api.call(
        "POST", "/public/contact", body={"email": "otto@kunde.example", "subject": "a\r\nBcc: x@y", "body": "b"}
    )
    assert bad.status == 400


def test_admin_crud_and_dry_run(aws: Any, api: ApiClient) -> None:
    queue = {"id": "returns", "name": "Retouren", "responsible": ["admin"]}
    assert api.call("POST", "/admin/queues", user="agent", body=queue).status == 403
    assert api.call("POST", "/admin/queues", user="admin", body=queue).status == 201
    assert api.call("POST", "/admin/queues", user="admin", body=queue).status == 409
    assert "returns" in {q["id"] for q in api.get("/admin/queues", user="admin").json["items"]}
    renamed = api.call("PUT", "/admin/queues/returns", user="admin", body={**queue, "name": "Rücksendungen"})
    assert renamed.json["name"] == "Rücksendungen"
    # the deadline warnings' address: a typo was stored and failed only when the scheduled job mailed it
    typo = api.call("PUT", "/admin/queues/returns", user="admin", body={**queue, "notify_address": "retouren team"})
    assert typo.status == 400 and typo.json["field"] == "notify_address", typo.text
    notify = {**queue, "notify_address": " Retouren@Firma.example "}
    assert api.call("PUT", "/admin/queues/returns", user="admin", body=notify).json["notify_address"] == (
        "retouren@firma.example"
    )
    rule = {
        "id": "returns",
        "name": "Retouren",
        "conditions": [{"field": "subject", "op": "contains", "value": "retoure"}],
        "actions": {"queue": "returns"},
    }
    assert api.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    bad_rule = {**rule, "id": "bad", "conditions": [{"field": "subject", "op": "regex", "value": "("}]}
    assert api.call("POST", "/admin/rules", user="admin", body=bad_rule).status == 400
    dry = api.call(
        "POST",
        "/admin/rules/dry-run",
        user="admin",
        body={"sender": "k@kunde.example", "subject": "Retoure Nr. 5", "to": ["support@example.com"]},
    )
    assert dry.json["fired"][0]["rule"] == "returns" and dry.json["result"]["queue"] == "returns"
    assert dry.json["autoreply"] == "yes"
    # the reasons in the trigger dry run's format: codes and params the client says in German or English
    assert [(r["code"], r["params"].get("field"), r["params"].get("op")) for r in dry.json["reasons"]] == [
        ("rules.fired", None, None),
        ("rules.condition", "subject", "contains"),
        ("autoreply.allowed", None, None),
    ]
    assert (
        dry.json["reasons"][1]["params"]["value"] == "retoure"
        and dry.json["reasons"][0]["params"]["rule"] == "Retouren"
    )
    raw = make_mail(subject="Newsletter", headers={"List-Unsubscribe": "<mailto:x@y>"}).decode()
    newsletter = api.call("POST", "/admin/rules/dry-run", user="admin", body={"raw": raw}).json
    assert newsletter["fired"][0]["rule"] == "newsletter-spam" and newsletter["result"]["status"] == "trash"
    assert newsletter["autoreply"].startswith("no:")
    assert (
        newsletter["reasons"][-1]["code"].startswith("autoreply.")
        and newsletter["reasons"][-1]["code"] != "autoreply.allowed"
    )
    settings = api.get("/admin/settings", user="admin").json
    settings["number_format"] = "HD-{year}-{seq:05d}"
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    assert ingest(aws, make_mail(subject="neu")).number == f"HD-{now().year}-00001"
    settings["number_format"] = "no placeholder"
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 400
    assert api.call("DELETE", "/admin/rules/returns", user="admin").json == {"deleted": True}
    assert api.call("DELETE", "/admin/rules/returns", user="admin").status == 404


def test_a_mailbox_needs_an_address(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: an empty address was taken as "none" and a mailbox without an address
    was stored (201, "address": null), a record no mail could ever reach."""
    for address in ("", "   ", "kein-postfach"):
        refused = api.call("POST", "/admin/mailboxes", user="admin", body={"id": "leer", "address": address})
        assert (refused.status, refused.json["field"]) == (400, "address"), address
    assert api.get("/admin/mailboxes", user="admin").json["items"]
    assert "leer" not in {m["id"] for m in api.get("/admin/mailboxes", user="admin").json["items"]}
    body = {"id": "service", "address": "Service@Example.com", "outgoing_address": ""}
    created = api.call("POST", "/admin/mailboxes", user="admin", body=body)
    assert created.status == 201
    assert (created.json["address"], created.json["outgoing_address"]) == ("service@example.com", None)


def test_a_route_that_takes_a_body_refuses_none(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: PUT /admin/settings without a body was read as {} and reset every
    setting to its default (200). A missing body is now a 400 and nothing changes."""
    settings = api.get("/admin/settings", user="admin").json
    settings["company"] = "Beispiel GmbH"
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    for method, path in (("PUT", "/admin/settings"), ("PATCH", "/customers/kunde%40example.com")):
        refused = api.call(method, path, user="admin")
        assert (refused.status, refused.json["message"]) == (400, "a JSON body is required"), path
    assert api.get("/admin/settings", user="admin").json["company"] == "Beispiel GmbH"


def test_admin_creates_an_agent_in_cognito(aws: Any, api: ApiClient) -> None:
    r = api.call(
        "POST",
        "/admin/agents",
        user="admin",
        body={
            "username": "lena",
            "email": "lena@example.com",
            "name": "Lena Lang",
            "role": "agent",
            "queues": ["billing"],
            "temporary_password": "Temp-Passw0rd-123",
        },
    )
    assert r.status == 201, r.text
    cognito = aws.client("cognito-idp")
    groups = cognito.admin_list_groups_for_user(UserPoolId=aws.resources.user_pool_id, Username="lena")["Groups"]
    assert [g["GroupName"] for g in groups] == ["agent"]
    promoted = api.call("PATCH", "/admin/agents/lena", user="admin", body={"role": "admin"})
    assert promoted.json["role"] == "admin"
    groups = cognito.admin_list_groups_for_user(UserPoolId=aws.resources.user_pool_id, Username="lena")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admin"]


def test_dynamodb_calls_per_request(aws: Any, api: ApiClient) -> None:
    for i in range(55):
        ingest(aws, make_mail(subject=f"Ticket {i}", sender=f"k{i}@kunde.example"))
    first = api.get("/tickets", user="agent", query={"limit": 50})  # warm: clients, keys, config
    ticket_id = first.json["items"][0]["id"]
    from helpdesk.bootstrap import config_store

    config_store().ttl = 3600
    with count_aws_calls() as page_calls:
        page = api.get("/tickets", user="agent", query={"limit": 50})
    assert len(page.json["items"]) == 50
    with count_aws_calls() as detail_calls:
        assert api.get(f"/tickets/{ticket_id}", user="agent").status == 200
    with count_aws_calls() as tag_calls:
        api.get("/tickets", user="agent", query={"limit": 50, "tag": "x"})
    print("\nlist page of 50:", dict(page_calls), "detail:", dict(detail_calls), "tag list:", dict(tag_calls))

    def ddb(calls: dict[str, int]) -> dict[str, int]:
        return {k: v for k, v in calls.items() if k.startswith("dynamodb.")}

    # One Query for the page, one BatchGetItem for the caller's read marks on it ("Ungelesen" per agent).
    assert ddb(page_calls) == {"dynamodb.Query": 1, "dynamodb.BatchGetItem": 1}
    # The first opening also writes the caller's read mark (one PutItem).
    assert sum(ddb(detail_calls).values()) <= 3 and ddb(detail_calls).get("dynamodb.PutItem", 0) <= 1
    assert set(ddb(tag_calls)) <= {"dynamodb.Query", "dynamodb.BatchGetItem"}


def test_the_customer_view_shows_inline_images_of_the_mail(aws: Any, api: ApiClient) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "k@kunde.example", "support@example.com", "Bild"
    msg["Message-ID"] = "<bild@kunde.example>"
    msg.set_content("siehe Bild")
    msg.add_alternative('<p>Bild: <img src="cid:logo@kunde"></p>', subtype="html")
    html_part = msg.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(b"\x89PNG\r\n\x1a\nfake", maintype="image", subtype="png", cid="<logo@kunde>")
    created = ingest(aws, msg.as_bytes())
    api.call("POST", f"/tickets/{created.ticket_id}/replies", user="agent", body={"body": "Danke."})
    text = sent_mails()[-1].get_body(preferencelist=("plain",)).get_content()
    token = text.split("/#/t/")[1].split()[0]
    html = api.get(f"/public/tickets/{token}").json["messages"][0]["html"]
    assert "cid:" not in html and "X-Amz-Signature" in html


def test_deactivating_or_demoting_an_agent_takes_effect_before_their_token_expires(aws: Any, api: ApiClient) -> None:
    """An ID token lives an hour; the team's configuration is checked on every request, so a
    deactivated agent is out at once and a demoted admin loses the admin routes at once."""
    assert api.get("/tickets", user="agent").status == 200
    assert api.call("PATCH", "/admin/agents/agent", user="admin", body={"active": False}).status == 200
    locked = api.get("/tickets", user="agent")
    assert (locked.status, locked.json["message"]) == (401, "this account has been deactivated")
    assert api.call("PATCH", "/admin/agents/agent", user="admin", body={"active": True}).status == 200
    assert api.get("/tickets", user="agent").status == 200

    created = api.call(
        "POST",
        "/admin/agents",
        user="admin",
        body={"username": "chef", "email": "chef@example.com", "role": "admin", "temporary_password": "Temp-Pw-12345!"},
    )
    assert created.status == 201, created.text
    cognito = aws.client("cognito-idp")
    pool, client = aws.resources.user_pool_id, aws.resources.user_pool_client_id
    cognito.admin_set_user_password(UserPoolId=pool, Username="chef", Password="Chef-Passw0rd-2026!", Permanent=True)
    token = cognito.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "chef", "PASSWORD": "Chef-Passw0rd-2026!"},
    )["AuthenticationResult"]["IdToken"]
    assert api.get("/admin/settings", token=token).status == 200
    assert api.call("PATCH", "/admin/agents/chef", user="admin", body={"role": "agent"}).status == 200
    assert api.get("/admin/settings", token=token).status == 403  # the token still says "admin"
    assert api.get("/me", token=token).json["role"] == "agent"


def test_the_last_active_admin_cannot_lock_the_team_out(aws: Any, api: ApiClient) -> None:
    for change in ({"active": False}, {"role": "agent"}):
        refused = api.call("PATCH", "/admin/agents/admin", user="admin", body=change)
        assert (refused.status, refused.json["message"]) == (409, "at least one active admin must remain"), change
    assert api.get("/admin/settings", user="admin").status == 200
