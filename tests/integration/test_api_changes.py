"""API changes against moto: PATCH with versions, replies, comments, uploads, batch, manual tickets, merge."""

from __future__ import annotations

from typing import Any

from .api_client import ApiClient
from .helpers import ingest, make_mail, presigned_post, reset_sent, sent_mails, ticket_shown


def test_patch_with_the_current_version_changes_and_audits(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    r = api.call(
        "PATCH",
        f"/tickets/{t['id']}",
        user="agent",
        body={
            "version": t["version"],
            "status": "open",
            "priority": "high",
            "tags": ["lieferung", "eilig"],
            "assignee": "agent",
            "due_at": "2026-12-24T12:00:00+01:00",
        },
    )
    assert r.status == 200, r.text
    assert r.json["status"] == "open" and r.json["status_label"] == "offen"
    assert r.json["tags"] == ["eilig", "lieferung"] and r.json["assignee"] == "agent"
    assert r.json["due_at"] == "2026-12-24T11:00:00.000000Z"
    assert r.json["version"] == t["version"] + 1
    events = api.get(f"/tickets/{t['id']}", user="agent").json["events"]
    updated = next(e for e in events if e["type"] == "TicketUpdated")
    assert updated["actor"] == "agent"
    assert updated["detail"]["changes"]["priority"] == ["medium", "high"]
    assert any(e["type"] == "StatusChanged" and e["detail"]["to"] == "open" for e in events)
    mine = api.get("/tickets", user="agent", query={"assignee": "me"}).json["items"]
    assert [x["id"] for x in mine] == [t["id"]]
    tagged = api.get("/tickets", user="agent", query={"tag": "eilig"}).json["items"]
    assert [x["id"] for x in tagged] == [t["id"]]


def test_a_stale_version_gets_409_with_the_current_ticket(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    first = api.call("PATCH", f"/tickets/{t['id']}", user="agent", body={"version": t["version"], "priority": "low"})
    assert first.status == 200
    stale = api.call("PATCH", f"/tickets/{t['id']}", user="admin", body={"version": t["version"], "priority": "urgent"})
    assert stale.status == 409
    assert stale.json["error"] == "conflict"
    assert stale.json["current"]["priority"] == "low" and stale.json["current"]["version"] == t["version"] + 1


def test_the_state_machine_and_validation_give_400_with_the_field(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    back_to_new = api.call(
        "PATCH", f"/tickets/{t['id']}", user="agent", body={"version": t["version"], "status": "new"}
    )
    assert back_to_new.status == 200  # unchanged: it is new already
    closed = api.call("PATCH", f"/tickets/{t['id']}", user="agent", body={"version": t["version"], "status": "closed"})
    assert closed.status == 200
    reopen_to_new = api.call(
        "PATCH", f"/tickets/{t['id']}", user="agent", body={"version": closed.json["version"], "status": "new"}
    )
    assert reopen_to_new.status == 400 and reopen_to_new.json["field"] == "status"
    for bad in ({"queue": "nowhere"}, {"assignee": "nobody"}, {"parent_id": t["id"]}, {"customer_email": "kein"}):
        r = api.call("PATCH", f"/tickets/{t['id']}", user="admin", body={"version": closed.json["version"], **bad})
        assert r.status == 400, (bad, r.text)
        assert r.json["field"] == next(iter(bad))
    hidden = api.call(
        "PATCH", f"/tickets/{t['id']}", user="agent", body={"version": closed.json["version"], "queue": "billing"}
    )
    assert hidden.status == 403


def test_reply_with_template_submits_as_waiting_customer_and_the_answer_reopens(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api, message_id="<kunde-1@kunde.example>")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"template_id": "need-info", "body": "Danke für Ihre Nachricht."},
    )
    assert r.status == 201, r.text
    assert r.json["ticket"]["status"] == "waiting_customer"
    assert r.json["ticket"]["first_response_at"] is not None
    assert r.json["message"]["send_state"] == "sent"
    (mail,) = sent_mails()
    assert f"[#{t['number']}]" in mail["Subject"]
    assert mail["In-Reply-To"] == "<kunde-1@kunde.example>"
    assert mail["Auto-Submitted"] is None
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Guten Tag Jürgen Müller" in text and "Tom Agent" in text and "{NAME}" not in text
    assert [a.addr_spec for a in mail["To"].addresses] == ["juergen@kunde.example"]

    answer = ingest(
        aws,
        make_mail(subject=f"Re: {mail['Subject']}", in_reply_to=mail["Message-ID"], body="Die Bestellnummer ist 4711."),
    )
    assert answer.outcome == "appended"
    after = api.get(f"/tickets/{t['id']}", user="agent").json
    assert after["status"] == "open"


def test_reply_with_upload_and_the_original_attached(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    up = api.call(
        "POST",
        f"/tickets/{t['id']}/uploads",
        user="agent",
        body={"filename": "Lieferschein März.pdf", "content_type": "application/pdf", "size": 12},
    )
    assert up.status == 201
    presigned_post(up.json["url"], up.json["fields"], b"%PDF-1.4 abc", "application/pdf")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={
            "body": "Anbei der Lieferschein.",
            "attachments": [up.json["key"]],
            "attach_original": True,
            "status": "open",
        },
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    names = [p.get_filename() for p in mail.iter_attachments()]
    assert names == ["Lieferschein März.pdf", "original.eml"]
    assert r.json["ticket"]["status"] == "open"
    foreign = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"body": "x", "attachments": ["uploads/other-ticket/x/y.pdf"]},
    )
    assert foreign.status == 400 and foreign.json["field"] == "attachments"


def test_header_injection_in_recipients_and_subject_is_refused(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    for body in (
        {"body": "x", "to": [{"name": "A\r\nBcc: x@evil.example", "address": "a@b.example"}]},
        {"body": "x", "subject": "Hallo\nBcc: x@evil.example"},
        {"body": "x", "cc": [{"address": "a@b.example\r\nX-Evil: 1"}]},
    ):
        r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body=body)
        assert r.status == 400, r.text
    assert len(sent_mails()) == 1  # only the auto-reply of the ticket itself


def test_comment_is_internal_and_tags_the_ticket(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/comments",
        user="agent",
        body={"body": "Kunde ist VIP, bitte bevorzugt.", "tags": ["vip"], "mentions": ["admin"]},
    )
    assert r.status == 201
    assert r.json["ticket"]["tags"] == ["vip"]
    detail = api.get(f"/tickets/{t['id']}", user="agent").json
    assert detail["comments"][0]["body"] == "Kunde ist VIP, bitte bevorzugt."
    assert detail["comments"][0]["mentions"] == ["admin"]
    assert sent_mails() == []


def test_batch_spam_blocks_the_sender_and_reports_each_item(aws: Any, api: ApiClient) -> None:
    spam1 = ticket_shown(aws, api, sender="werbung@spam.example", subject="Gewinn")
    spam2 = ticket_shown(aws, api, sender="werbung@spam.example", subject="Gewinn 2")
    other = ticket_shown(aws, api, sender="kunde@kunde.example", subject="echt")
    r = api.call(
        "POST",
        "/tickets/batch",
        user="agent",
        body={
            "action": "spam",
            "block_sender": True,
            "items": [
                {"id": spam1["id"], "version": spam1["version"]},
                {"id": spam2["id"], "version": spam2["version"]},
                {"id": other["id"], "version": other["version"] + 7},
            ],
        },
    )
    assert r.status == 200
    assert r.json["ok"] == 2 and r.json["failed"] == 1
    assert r.json["results"][2]["error"] == "conflict"
    assert r.json["blocked_senders"] == ["werbung@spam.example"]
    statuses = {x["id"]: x["status"] for x in api.get("/tickets", user="agent", query={"status": "all"}).json["items"]}
    assert statuses[spam1["id"]] == "trash" and statuses[other["id"]] == "new"
    reset_sent()
    again = ingest(aws, make_mail(sender="werbung@spam.example", subject="Noch mehr Gewinn"))
    assert api.get(f"/tickets/{again.ticket_id}", user="agent").json["status"] == "trash"
    assert sent_mails() == []


def test_batch_archive_unread_and_marks(aws: Any, api: ApiClient) -> None:
    a, b = ticket_shown(aws, api, subject="A"), ticket_shown(aws, api, subject="B", sender="b@kunde.example")
    items = [{"id": a["id"], "version": a["version"]}, {"id": b["id"], "version": b["version"]}]
    marked = api.call("POST", "/tickets/batch", user="agent", body={"action": "mark_prio", "items": items})
    assert marked.json["ok"] == 2
    items = [{"id": r["id"], "version": r["version"]} for r in marked.json["results"]]
    archived = api.call("POST", "/tickets/batch", user="agent", body={"action": "archive_unread", "items": items})
    assert archived.json["ok"] == 2
    closed = api.get("/tickets", user="agent", query={"status": "closed"}).json["items"]
    assert {t["id"] for t in closed} == {a["id"], b["id"]}
    assert all(t["prio"] and not t["unread"] for t in closed)


def test_manual_phone_ticket_with_a_first_mail(aws: Any, api: ApiClient) -> None:
    reset_sent()
    r = api.call(
        "POST",
        "/tickets",
        user="agent",
        body={
            "subject": "Rückruf: Rechnung unklar",
            "body": "Kunde rief an wegen der Rechnung 17.",
            "channel": "phone",
            "customer": {"name": "Gabi Graf", "address": "gabi@kunde.example"},
            "send_mail": True,
            "status": "waiting_customer",
        },
    )
    assert r.status == 201, r.text
    assert r.json["channel"] == "phone" and r.json["number"].startswith("T-")
    assert r.json["status"] == "waiting_customer"
    (mail,) = sent_mails()
    assert f"[#{r.json['number']}]" in mail["Subject"]
    assert api.get("/customers/gabi@kunde.example", user="agent").json["tickets"][0]["id"] == r.json["id"]


def test_merge_moves_messages_and_the_old_number_keeps_threading(aws: Any, api: ApiClient) -> None:
    first = ticket_shown(aws, api, subject="Frage 1")
    second = ticket_shown(aws, api, subject="Frage 2 (dasselbe)", sender="Petra <petra@kunde.example>")
    r = api.call(
        "POST",
        f"/tickets/{second['id']}/merge",
        user="agent",
        body={"into": first["id"], "version": second["version"], "into_version": first["version"]},
    )
    assert r.status == 200, r.text
    merged = api.get(f"/tickets/{first['id']}", user="agent").json
    assert len(merged["messages"]) == 4
    assert {"type": "merged_from", "ticket_id": second["id"], "number": second["number"]} in merged["links"]
    old = api.get(f"/tickets/{second['id']}", user="agent").json
    assert old["merged_into"] == first["id"] and old["status"] == "closed" and old["messages"] == []
    later = ingest(aws, make_mail(sender="petra@kunde.example", subject=f"Re: [#{second['number']}] noch was"))
    assert later.outcome == "appended" and later.ticket_id == first["id"]


def test_merging_into_a_ticket_that_does_not_exist_names_the_field(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: this answered 404 "no such ticket", as if the ticket in the path were gone."""
    t = ticket_shown(aws, api)
    body = {"into": "01M8C6DG789RBXP90QJXDVVGCG", "version": t["version"], "into_version": 1}
    r = api.call("POST", f"/tickets/{t['id']}/merge", user="agent", body=body)
    assert (r.status, r.json["field"], r.json["message"]) == (400, "into", "the ticket to merge into does not exist")
    assert api.call("POST", "/tickets/01M8C6DG789RBXP90QJXDVVGCH/merge", user="agent", body=body).status == 404


def test_marking_read_keeps_the_version_and_the_history(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)  # opened by the admin: read for them, still unread for the agent
    assert t["unread"] is False
    assert api.get(f"/tickets/{t['id']}", user="agent", query={"read": "false"}).json["unread"] is True
    r = api.call("POST", f"/tickets/{t['id']}/read", user="agent")
    assert r.status == 200 and r.json["unread"] is False
    after = api.get(f"/tickets/{t['id']}", user="agent").json
    assert after["unread"] is False and after["version"] == t["version"]
    assert [e["type"] for e in after["events"]] == [e["type"] for e in t["events"]]
    assert api.get("/tickets", user="agent", query={"unread": "true"}).json["items"] == []
    patched = api.call("PATCH", f"/tickets/{t['id']}", user="agent", body={"version": t["version"], "priority": "high"})
    assert patched.status == 200  # the version the agent saw is still current


def test_the_stored_reply_preview_is_the_rendered_text(aws: Any, api: ApiClient) -> None:
    t = ticket_shown(aws, api)
    r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Hallo {NAME}, erledigt."})
    assert r.json["message"]["new_text"].startswith("Hallo Jürgen Müller, erledigt.")


def test_children_are_listed_on_their_parent(aws: Any, api: ApiClient) -> None:
    parent = ticket_shown(aws, api, subject="Projekt Umzug")
    other = ticket_shown(aws, api, subject="Projekt Zwei", sender="b@kunde.example")
    child = ticket_shown(aws, api, subject="Teilaufgabe Kartons", sender="c@kunde.example")
    moved = api.call(
        "PATCH", f"/tickets/{child['id']}", user="agent", body={"version": child["version"], "parent_id": parent["id"]}
    )
    assert moved.status == 200
    related = api.get(f"/tickets/{parent['id']}", user="agent").json["related"]
    assert [(r["relation"], r["id"]) for r in related] == [("child", child["id"])]
    assert [(r["relation"], r["id"]) for r in api.get(f"/tickets/{child['id']}", user="agent").json["related"]] == [
        ("parent", parent["id"])
    ]
    again = api.call(
        "PATCH",
        f"/tickets/{child['id']}",
        user="agent",
        body={"version": moved.json["version"], "parent_id": other["id"]},
    )
    assert again.status == 200
    assert api.get(f"/tickets/{parent['id']}", user="agent").json["related"] == []
    assert [r["id"] for r in api.get(f"/tickets/{other['id']}", user="agent").json["related"]] == [child["id"]]
    created = api.call(
        "POST", "/tickets", user="agent", body={"subject": "Teilaufgabe 2", "body": "Anruf", "parent_id": other["id"]}
    )
    assert created.status == 201
    assert {r["id"] for r in api.get(f"/tickets/{other['id']}", user="agent").json["related"]} == {
        child["id"],
        created.json["id"],
    }
    cycle = api.call(
        "PATCH",
        f"/tickets/{other['id']}",
        user="agent",
        body={"version": api.get(f"/tickets/{other['id']}", user="agent").json["version"], "parent_id": child["id"]},
    )
    assert cycle.status == 400 and cycle.json["field"] == "parent_id"


def test_meta_lists_the_tags_in_use(aws: Any, api: ApiClient) -> None:
    a = ticket_shown(aws, api, subject="a")
    b = ticket_shown(aws, api, subject="b", sender="b@kunde.example")
    api.call("PATCH", f"/tickets/{a['id']}", user="agent", body={"version": a["version"], "tags": ["v1.2", "eilig"]})
    api.call("PATCH", f"/tickets/{b['id']}", user="agent", body={"version": b["version"], "tags": ["eilig"]})
    assert api.get("/meta", user="agent").json["tags"] == {"eilig": 2, "v1.2": 1}
    current = api.get(f"/tickets/{a['id']}", user="agent").json
    api.call("PATCH", f"/tickets/{a['id']}", user="agent", body={"version": current["version"], "tags": []})
    assert api.get("/meta", user="agent").json["tags"] == {"eilig": 1}


def test_tags_and_projects_with_brackets_and_percent_signs_are_counted(aws: Any, api: ApiClient) -> None:
    """Found by schemathesis: a comment tagged "…]" answered 500, because the counter of tags in use
    is an attribute named after the tag and pynamodb reads brackets as list indexes ("v[2]" would
    even have counted into a list element)."""
    a = ticket_shown(aws, api, subject="a")
    tags = ["[B2B]", "v[2]", "50%", "%5B", "a.b"]
    body = {"version": a["version"], "tags": tags, "project": "Messe [2027]"}
    assert api.call("PATCH", f"/tickets/{a['id']}", user="agent", body=body).status == 200
    comment = api.call("POST", f"/tickets/{a['id']}/comments", user="agent", body={"body": "x", "tags": ["]["]})
    assert comment.status == 201, comment.text
    meta = api.get("/meta", user="agent").json
    assert meta["tags"] == dict.fromkeys([*tags, "]["], 1)
    assert meta["projects"] == {"Messe [2027]": 1}
    current = api.get(f"/tickets/{a['id']}", user="agent").json
    assert sorted(current["tags"]) == sorted([*tags, "]["])
    body = {"version": current["version"], "tags": ["v[2]"], "project": None}
    assert api.call("PATCH", f"/tickets/{a['id']}", user="agent", body=body).status == 200
    meta = api.get("/meta", user="agent").json
    assert (meta["tags"], meta["projects"]) == ({"v[2]": 1}, {})
    assert api.get("/tickets", user="agent", query={"tag": "v[2]"}).json["items"][0]["id"] == a["id"]


def test_meta_lists_the_projects_in_use(aws: Any, api: ApiClient) -> None:
    """Kept in the same counter item as the tags: a write changing both moves both in one update."""
    a = ticket_shown(aws, api, subject="a")
    b = ticket_shown(aws, api, subject="b", sender="b@kunde.example")
    both = {"version": a["version"], "tags": ["eilig"], "project": "Messe 2027"}
    assert api.call("PATCH", f"/tickets/{a['id']}", user="agent", body=both).status == 200
    api.call("PATCH", f"/tickets/{b['id']}", user="agent", body={"version": b["version"], "project": "Messe 2027"})
    meta = api.get("/meta", user="agent").json
    assert (meta["projects"], meta["tags"]) == ({"Messe 2027": 2}, {"eilig": 1})
    current = api.get(f"/tickets/{a['id']}", user="agent").json
    api.call("PATCH", f"/tickets/{a['id']}", user="agent", body={"version": current["version"], "project": "Webshop"})
    assert api.get("/meta", user="agent").json["projects"] == {"Messe 2027": 1, "Webshop": 1}
    current = api.get(f"/tickets/{b['id']}", user="agent").json
    api.call("PATCH", f"/tickets/{b['id']}", user="agent", body={"version": current["version"], "project": None})
    assert api.get("/meta", user="agent").json["projects"] == {"Webshop": 1}
