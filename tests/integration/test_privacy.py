"""Data protection (DSGVO) against moto: a ticket deleted for good, a customer erased or anonymized.

The proof: build a customer with everything the helpdesk keeps about a person — tickets, a merged
ticket, a long body in S3, attachments, a reply upload, "attach original", comments, a ticket of
someone else they wrote in, a contact-form ticket, auto-reply and rate-limit items, the customer
record with a phone number — erase them, then read **every item of every table and every object of
every bucket** in moto and find nothing that names them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, presigned_post, reset_sent

ADDRESS = "hildegard.schwarz@kunde.example"
NAME = "Hildegard Schwarzwälder"
SENDER = f"{NAME} <{ADDRESS}>"
PHONE = "+49 761 5550199"
ATTACHMENT = b"%PDF-1.4 Hildegards-Anhang-Bytes-0815"
UPLOAD = b"%PDF-1.4 Upload-fuer-Hildegard-0816"
LONG = "Geheimtext-Long " * 12_000  # > 150 kB: the body goes to S3 (bodies/)
BERND = "Bernd Berger <bernd@andere.example>"

# Everything that would name her: address, name, phone, her bodies' words, attachment bytes.
TEXT_NEEDLES = [
    ADDRESS,
    NAME,
    PHONE,
    "Geheimtext-Alpha",
    "Geheimtext-Long",
    "Geheimtext-Gamma",
    "Geheimtext-Delta",
    "Geheimtext-Epsilon",
]
BYTE_NEEDLES = [ATTACHMENT, UPLOAD, *(n.encode() for n in TEXT_NEEDLES)]


@pytest.fixture
def api(aws: Any, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    import helpdesk.api.privacy

    # The request's own share of an erasure must not depend on how busy the machine is: here it may take
    # as long as it needs (test_an_erasure_cut_short_resumes_where_it_stopped cuts it short on purpose).
    monkeypatch.setattr(helpdesk.api.privacy, "REQUEST_BUDGET_SECONDS", 3600.0)
    reset_sent()
    return make_api(aws)


def _ticket(api: ApiClient, ticket_id: str) -> dict[str, Any]:
    r = api.get(f"/tickets/{ticket_id}", user="admin")
    assert r.status == 200, r.text
    return r.json  # type: ignore[no-any-return]


def build_customer(aws: Any, api: ApiClient) -> dict[str, str]:
    """Her tickets and traces everywhere; returns the ids the test looks at."""
    first = ingest(
        aws,
        make_mail(
            sender=SENDER,
            subject="Rechnung fehlt",
            body="Guten Tag, Geheimtext-Alpha: meine Kundennummer.",
            attachments=[("vertrag.pdf", "application/pdf", ATTACHMENT)],
        ),
    )
    long = ingest(aws, make_mail(sender=SENDER, subject="Nochmal wegen der Rechnung", body=LONG))
    t1, t2 = _ticket(api, first.ticket_id), _ticket(api, long.ticket_id)
    merged = api.call(
        "POST",
        f"/tickets/{t2['id']}/merge",
        user="admin",
        body={"into": t1["id"], "version": t2["version"], "into_version": t1["version"]},
    )
    assert merged.status == 200, merged.text
    comment = api.call("POST", f"/tickets/{t1['id']}/comments", user="admin", body={"body": f"Rückruf bei {NAME}"})
    assert comment.status == 201, comment.text
    up = api.call(
        "POST",
        f"/tickets/{t1['id']}/uploads",
        user="admin",
        body={"filename": "angebot.pdf", "content_type": "application/pdf", "size": len(UPLOAD)},
    )
    presigned_post(up.json["url"], up.json["fields"], UPLOAD, "application/pdf")
    reply = api.call(
        "POST",
        f"/tickets/{t1['id']}/replies",
        user="admin",
        body={"body": "Anbei das Angebot.", "attachments": [up.json["key"]], "attach_original": True},
    )
    assert reply.status == 201, reply.text

    # Someone else's ticket she is in Cc of, and answers in.
    bernd_mid = "<bernd-1@andere.example>"
    bernd = ingest(
        aws,
        make_mail(
            sender=BERND,
            cc=SENDER,
            subject="Gemeinsame Bestellung",
            body=f"Bernd-Text-bleibt. Ich habe {NAME} in Kopie gesetzt.",
            message_id=bernd_mid,
        ),
    )
    answer = ingest(
        aws,
        make_mail(
            sender=SENDER,
            to="support@example.com",
            cc=BERND,
            subject="Re: Gemeinsame Bestellung",
            body="Geheimtext-Gamma: ich stimme zu.",
            in_reply_to=bernd_mid,
            references=bernd_mid,
        ),
    )
    assert answer.outcome == "appended" and answer.ticket_id == bernd.ticket_id

    # Her own ticket with Bernd in Cc (shared with others), and one from the contact form.
    shared = ingest(
        aws, make_mail(sender=SENDER, cc=BERND, subject="Frage an beide", body="Geheimtext-Epsilon für alle.")
    )
    contact = api.call(
        "POST",
        "/public/contact",
        body={"name": NAME, "email": ADDRESS, "subject": "Kontakt", "body": "Geheimtext-Delta aus dem Formular"},
    )
    assert contact.status in (200, 201), contact.text
    patched = api.call("PATCH", f"/customers/{ADDRESS}", user="admin", body={"phone": PHONE})
    assert patched.status == 200, patched.text

    # The team's configuration names her too: an agent's view of her tickets, a rule on her address (both
    # in the audit log as well, the rule with before and after), and a view of Bernd's tickets that stays.
    view = {"name": f"Tickets von {NAME}", "query": {"customer": ADDRESS, "q": PHONE}}
    hers = api.call("POST", "/views", user="agent", body=view)
    assert hers.status == 201, hers.text
    bernds = api.call(
        "POST", "/views", user="agent", body={"name": "Bernd", "query": {"customer": "bernd@andere.example"}}
    )
    assert bernds.status == 201, bernds.text
    rule = {
        "id": "stammkundin",
        "name": "Stammkundin",
        "conditions": [{"field": "from", "op": "equals", "value": ADDRESS}],
        "actions": {"tags": ["stammkundin"]},
    }
    assert api.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    rule["actions"] = {"tags": ["stammkundin"], "priority": "high"}
    assert api.call("PUT", "/admin/rules/stammkundin", user="admin", body=rule).status == 200
    return {
        "own": t1["id"],
        "merged": t2["id"],
        "bernd": bernd.ticket_id,
        "shared": shared.ticket_id,
        "view": hers.json["id"],
        "bernd_view": bernds.json["id"],
    }


def everything_stored(aws: Any) -> list[tuple[str, bytes]]:
    """Every item of every table and every object of every bucket in moto, as (where, bytes)."""
    found: list[tuple[str, bytes]] = []
    ddb = aws.client("dynamodb")
    for table in ddb.list_tables()["TableNames"]:
        for page in ddb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                found.append((f"{table}: {item.get('pk', item.get('email', item.get('scope')))}", _bytes(item)))
    s3 = aws.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                found.append((f"s3://{bucket['Name']}/{obj['Key']}", body))
    return found


def _bytes(item: dict[str, Any]) -> bytes:
    return json.dumps(item, ensure_ascii=False, default=str).encode()


def traces(aws: Any) -> list[str]:
    hits = []
    for where, data in everything_stored(aws):
        lowered = data.lower()
        for needle in BYTE_NEEDLES:
            if needle.lower() in lowered:
                at = lowered.find(needle.lower())
                hits.append(f"{where}: {needle[:40]!r} in …{data[max(0, at - 150) : at + 60]!r}")
    return hits


def test_erasing_a_customer_leaves_nothing_that_names_them(aws: Any, api: ApiClient) -> None:
    ids = build_customer(aws, api)
    from helpdesk.services.search import index_tickets

    index_tickets(ids.values())  # as the publisher does from the stream: her words in the search postings too
    assert any(where.startswith("helpdesk-search") for where in traces(aws))
    assert len(traces(aws)) > 20  # the scan sees her: in tickets, lookups, customers, raw mails, files, postings

    preview = api.get(f"/admin/privacy/customers/{ADDRESS}", user="admin").json
    assert (preview["customer"], preview["tickets"], preview["shared_tickets"]) == (True, 4, 1)
    assert preview["attachments"] >= 3  # her PDF, the upload, "original.eml"
    assert sorted(preview["config"]) == sorted([f"view#{ids['view']}", "rule#stammkundin"])  # not Bernd's view
    assert api.get("/admin/privacy/customers/kein-name", user="admin").status == 400
    refused = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/erase", user="admin", body={"confirm": "x@y.z"})
    assert refused.status == 400 and refused.json["field"] == "confirm"

    r = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/erase", user="admin", body={"confirm": ADDRESS})
    assert r.status == 202, r.text
    job = r.json
    assert job["state"] == "done", job
    assert job["counts"]["tickets_deleted"] == 4 and job["counts"]["tickets_redacted"] == 1
    assert job["subject"] == preview["subject"]

    assert traces(aws) == []

    # Bernd's ticket stays with his words; hers in it are gone.
    bernd = _ticket(api, ids["bernd"])
    assert [m["text"].split(".")[0] for m in bernd["messages"] if m["direction"] == "inbound"] == ["Bernd-Text-bleibt"]
    assert bernd["customer"]["address"] == "bernd@andere.example"
    for gone in ("own", "merged", "shared"):
        assert api.get(f"/tickets/{ids[gone]}", user="admin").status == 404
    assert api.get(f"/customers/{ADDRESS}", user="admin").status == 404

    # The configuration that named her keeps its place without her: the view and the rule match nobody.
    views = {v["id"]: v for v in api.get("/views", user="agent").json["items"]}
    assert views[ids["view"]]["name"] == "Tickets von [gelöscht]"
    assert views[ids["view"]]["query"]["customer"] == "[gelöscht]" and views[ids["view"]]["query"]["q"] == "[gelöscht]"
    assert views[ids["bernd_view"]]["query"]["customer"] == "bernd@andere.example"
    rule = next(r for r in api.get("/admin/rules", user="admin").json["items"] if r["id"] == "stammkundin")
    assert rule["conditions"][0]["value"] == "[gelöscht]" and rule["actions"]["priority"] == "high"
    assert job["counts"]["config_redacted"] == 2 and job["counts"]["audit_redacted"] >= 3

    # The audit log names the customer by the hash only.
    log = api.get("/admin/audit", user="admin").json["items"]
    erased = [e for e in log if e["action"] == "customer.deleted"]
    assert len(erased) == 1 and erased[0]["target"] == f"customer #{job['subject']}" and erased[0]["actor"] == "admin"
    assert erased[0]["detail"]["tickets_deleted"] == 4
    listed = api.get("/admin/privacy/jobs", user="admin").json["items"]
    assert [j["id"] for j in listed] == [job["id"]]


def test_the_dry_run_lists_the_records_the_erasure_redacts_also_by_a_name_only_her_tickets_carry(
    aws: Any, api: ApiClient
) -> None:
    """Her tickets carry a name her customer record no longer has (it took the later "Hildegard M. Schwarz"
    from another mail program); a view filtered by the first named her. The erasure redacts it (it learns
    names from her tickets); before, the dry run looked for the record's name only and did not list it."""
    other_name = "Hildegard M. Schwarz"
    ingest(aws, make_mail(sender=f"{NAME} <{ADDRESS}>", subject="Erste Frage", body="Hallo."))
    ingest(aws, make_mail(sender=f"{other_name} <{ADDRESS}>", subject="Zweite Frage", body="Hallo."))
    customer = api.get(f"/customers/{ADDRESS}", user="admin").json
    assert customer["name"] == other_name  # the record has the later name
    view = api.call("POST", "/views", user="agent", body={"name": "Schwarz", "query": {"q": NAME}})
    assert view.status == 201, view.text

    preview = api.get(f"/admin/privacy/customers/{ADDRESS}", user="admin").json
    assert preview["config"] == [f"view#{view.json['id']}"]
    job = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/erase", user="admin", body={"confirm": ADDRESS})
    assert job.status == 202 and job.json["counts"]["config_redacted"] == 1, job.text


def test_an_sla_policy_only_for_her_is_disabled_not_dropped_or_widened(aws: Any, api: ApiClient) -> None:
    """Redacted to "[gelöscht]", her address made the policy invalid: the configuration load skipped it."""
    from helpdesk.bootstrap import config_store

    ingest(aws, make_mail(sender=f"{NAME} <{ADDRESS}>", subject="Frage", body="Hallo."))
    targets = {"*": {"solution_hours": 8}}
    for pid, customers in (("nur-sie", [ADDRESS]), ("mit-firma", [ADDRESS, "@firma.example"])):
        body = {"id": pid, "name": pid, "customers": customers, "targets": targets}
        assert api.call("POST", "/admin/sla-policies", user="admin", body=body).status == 201

    job = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/erase", user="admin", body={"confirm": ADDRESS})
    assert job.status == 202 and job.json["counts"]["config_redacted"] == 2, job.text
    policies = {p["id"]: p for p in api.get("/admin/sla-policies", user="admin").json["items"]}
    assert (policies["nur-sie"]["customers"], policies["nur-sie"]["enabled"]) == ([], False)
    assert (policies["mit-firma"]["customers"], policies["mit-firma"]["enabled"]) == (["@firma.example"], True)
    store = config_store()
    store.snapshot()
    assert store.problems == []


def test_anonymizing_keeps_tickets_and_statistics_but_no_personal_data(aws: Any, api: ApiClient) -> None:
    ids = build_customer(aws, api)
    stats_before = api.get("/stats", user="admin").json
    r = api.call(
        "POST",
        f"/admin/privacy/customers/{ADDRESS}/erase",
        user="admin",
        body={"confirm": ADDRESS, "mode": "anonymize"},
    )
    assert r.status == 202 and r.json["state"] == "done", r.text
    assert traces(aws) == []
    own = _ticket(api, ids["own"])
    assert own["subject"] == "Rechnung fehlt" and len(own["messages"]) >= 3
    assert {m["text"] for m in own["messages"]} == {"[gelöscht]"}
    assert all(not m["attachments"] for m in own["messages"])
    assert api.get(f"/tickets/{ids['shared']}", user="admin").status == 200
    stats_after = api.get("/stats", user="admin").json
    assert stats_after["totals"] == stats_before["totals"] if "totals" in stats_before else stats_after == stats_before
    log = api.get("/admin/audit", user="admin").json["items"]
    assert [e["action"] for e in log if e["action"].startswith("customer.")] == ["customer.anonymized"]


def test_keep_others_removes_only_her_messages_from_a_ticket_others_took_part_in(aws: Any, api: ApiClient) -> None:
    ids = build_customer(aws, api)
    r = api.call(
        "POST",
        f"/admin/privacy/customers/{ADDRESS}/erase",
        user="admin",
        body={"confirm": ADDRESS, "shared": "keep_others"},
    )
    assert r.status == 202 and r.json["state"] == "done", r.text
    assert traces(aws) == []
    shared = _ticket(api, ids["shared"])  # her ticket with Bernd in Cc stays, without her mail
    assert all(m["direction"] == "outbound" or "Geheimtext" not in m["text"] for m in shared["messages"])
    assert api.get(f"/tickets/{ids['own']}", user="admin").status == 404


def test_an_erasure_cut_short_resumes_where_it_stopped(aws: Any, api: ApiClient) -> None:
    """A Lambda that runs out of time mid-way: the job stays running; the scheduled job finishes it."""
    from helpdesk.bootstrap import mail_store
    from helpdesk.domain.privacy import ErasureMode, SharedTickets
    from helpdesk.services import privacy

    build_customer(aws, api)
    budget = iter([100.0] * 4 + [0.0] * 1000)  # enough time for a few steps, then none
    job = privacy.start_erasure(
        ADDRESS,
        mail_store(),
        mode=ErasureMode.DELETE,
        shared=SharedTickets.DELETE,
        actor="admin",
        time_left=lambda: next(budget),
    )
    assert job.state == "running"
    assert 0 < job.counts.get("tickets_deleted", 0) < 4
    assert traces(aws) != []
    # An admin may push it on (the lease is free again: the cut-short run let go of it) ...
    pushed = api.call("POST", f"/admin/privacy/jobs/{job.id}/run", user="admin")
    assert pushed.status == 200 and pushed.json["state"] == "done", pushed.text
    assert api.call("POST", "/admin/privacy/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV/run", user="admin").status == 404
    assert traces(aws) == []


def test_the_scheduled_job_finishes_an_erasure_cut_short(aws: Any, api: ApiClient) -> None:
    import functions.autoclose.app as autoclose
    from helpdesk.bootstrap import mail_store
    from helpdesk.domain.privacy import ErasureMode, SharedTickets
    from helpdesk.services import privacy
    from helpdesk_local.runners import LambdaContext

    build_customer(aws, api)
    budget = iter([100.0] * 4 + [0.0] * 1000)
    job = privacy.start_erasure(
        ADDRESS,
        mail_store(),
        mode=ErasureMode.DELETE,
        shared=SharedTickets.DELETE,
        actor="admin",
        time_left=lambda: next(budget),
    )
    assert job.state == "running" and "config_redacted" not in job.counts
    # The next scheduled run (the scheduled function) continues it: also the configuration naming her.
    result = autoclose.handler({}, LambdaContext("helpdesk-autoclose"))
    assert result["erasure_jobs_done"] == 1, result
    resumed = privacy.get_job(job.id)
    assert resumed is not None and resumed.state == "done"
    assert resumed.counts["tickets_deleted"] == 4 and resumed.counts["config_redacted"] == 2
    assert traces(aws) == []
    assert privacy.run_pending(mail_store()) == []


def test_deleting_a_ticket_for_good_only_from_the_papierkorb(aws: Any, api: ApiClient) -> None:
    first = ingest(
        aws,
        make_mail(
            sender=SENDER,
            subject="Werbung",
            body="Geheimtext-Alpha",
            attachments=[("vertrag.pdf", "application/pdf", ATTACHMENT)],
        ),
    )
    t = _ticket(api, first.ticket_id)
    r = api.call("DELETE", f"/tickets/{t['id']}", user="admin")
    assert r.status == 409  # not in the Papierkorb
    backlog_before = api.get("/meta", user="admin").json
    moved = api.call("PATCH", f"/tickets/{t['id']}", user="admin", body={"version": t["version"], "status": "trash"})
    assert moved.status == 200, moved.text
    r = api.call("DELETE", f"/tickets/{t['id']}", user="admin")
    assert r.status == 200 and r.json == {"deleted": True, "number": t["number"], "messages": 2}, r.text
    assert api.get(f"/tickets/{t['id']}", user="admin").status == 404
    assert api.call("DELETE", f"/tickets/{t['id']}", user="admin").status == 404
    # What is the customer's, not the ticket's, stays: their record, the auto-reply window and day count (TTL).
    theirs = ("helpdesk-customers", "{'S': 'AR#", "{'S': 'ARD#")
    hits = [h for h in traces(aws) if not any(mark in h.split(": b")[0] for mark in theirs)]
    assert hits == []
    # The live counters no longer count it.
    from helpdesk.store.stats import BACKLOG_KEY, get_counters

    counters = get_counters(BACKLOG_KEY, "b_")
    assert counters.get("status_trash", 0) == 0 and counters.get("status_new", 0) == 0
    assert backlog_before is not None
    log = api.get("/admin/audit", user="admin").json["items"]
    assert [(e["action"], e["target"]) for e in log if e["action"] == "ticket.deleted"] == [
        ("ticket.deleted", t["number"])
    ]


def test_the_scheduled_job_empties_the_papierkorb_after_the_set_days(aws: Any, api: ApiClient) -> None:
    import time_machine

    from functions.autoclose.app import handler
    from helpdesk_local.runners import LambdaContext

    old = ingest(aws, make_mail(sender=SENDER, subject="alt", body="Geheimtext-Alpha"))
    t = _ticket(api, old.ticket_id)
    api.call("PATCH", f"/tickets/{t['id']}", user="admin", body={"version": t["version"], "status": "trash"})
    settings = api.get("/admin/settings", user="admin").json
    assert settings["trash_retention_days"] == 0  # off by default: nothing goes
    assert handler({}, LambdaContext("helpdesk-autoclose"))["trash_deleted"] == 0
    settings["trash_retention_days"] = 30
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    from helpdesk.bootstrap import config_store

    config_store().invalidate()
    assert handler({}, LambdaContext("helpdesk-autoclose"))["trash_deleted"] == 0  # not old enough yet
    with time_machine.travel("2027-06-01T00:00:00Z"):
        assert handler({}, LambdaContext("helpdesk-autoclose"))["trash_deleted"] == 1
    assert api.get(f"/tickets/{t['id']}", user="admin").status == 404


def test_configuration_changes_are_audited_with_before_and_after(aws: Any, api: ApiClient) -> None:
    queue = {"id": "vip", "name": "VIP"}
    assert api.call("POST", "/admin/queues", user="admin", body=queue).status == 201
    assert api.call("PUT", "/admin/queues/vip", user="admin", body={**queue, "name": "VIP-Kunden"}).status == 200
    assert api.call("DELETE", "/admin/queues/vip", user="admin").status == 200
    settings = api.get("/admin/settings", user="admin").json
    assert api.call("PUT", "/admin/settings", user="admin", body={**settings, "company": "Muster GmbH"}).status == 200
    log = api.get("/admin/audit", user="admin").json["items"]
    mine = [(e["action"], e["target"], e["actor"]) for e in log if e["actor"] == "admin"]
    assert mine == [
        ("config.put", "settings#team", "admin"),
        ("config.delete", "queue#vip", "admin"),
        ("config.put", "queue#vip", "admin"),
        ("config.put", "queue#vip", "admin"),
    ]
    renamed = next(e for e in log if e["target"] == "queue#vip" and e["before"] and e["after"])
    assert renamed["action"] == "config.put"
    assert (renamed["before"]["name"], renamed["after"]["name"]) == ("VIP", "VIP-Kunden")
    company = next(e for e in log if e["target"] == "settings#team")
    assert company["after"]["company"] == "Muster GmbH" and company["before"]["company"] != "Muster GmbH"
    assert api.get("/admin/audit", user="admin", query={"month": "2020-13"}).status == 400
    assert api.get("/admin/audit", user="agent").status == 403


def test_purging_one_ticket_takes_a_fixed_handful_of_calls(aws: Any, api: ApiClient) -> None:
    """What one ticket costs the erasure job (and the Papierkorb): counted, so 5,000 tickets can be planned."""
    from helpdesk.bootstrap import mail_store
    from helpdesk.services.privacy import purge_ticket

    from .helpers import count_aws_calls

    first = ingest(
        aws,
        make_mail(sender=SENDER, body="a", attachments=[("a.pdf", "application/pdf", ATTACHMENT)]),
    )
    ticket = _ticket(api, first.ticket_id)  # with the auto-reply: two messages
    assert len(ticket["messages"]) == 2
    mail = mail_store()
    with count_aws_calls() as calls:
        purged = purge_ticket(first.ticket_id, mail)
    assert (purged.messages, purged.objects) == (2, 2)  # the raw mail and the attachment
    assert dict(calls) == {
        "dynamodb.Query": 1,
        "s3.ListObjectsV2": 1,
        "s3.DeleteObject": 2,
        "dynamodb.BatchGetItem": 1,
        "dynamodb.BatchWriteItem": 2,
        "dynamodb.TransactWriteItems": 1,
        "dynamodb.UpdateItem": 1,  # the customer's ticket count
        "dynamodb.GetItem": 1,  # the ticket's search manifest (never indexed here: nothing to delete)
    }


# ------------------------------------------------------------------------------------------ retention

THEIRS = ("helpdesk-customers", "{'S': 'AR#", "{'S': 'ARD#")  # the person's record and TTL items, not a ticket's


def _closed_ticket(aws: Any, api: ApiClient, **mail: Any) -> dict[str, Any]:
    ticket = _ticket(api, ingest(aws, make_mail(**mail)).ticket_id)
    closed = api.call(
        "PATCH", f"/tickets/{ticket['id']}", user="admin", body={"version": ticket["version"], "status": "closed"}
    )
    assert closed.status == 200, closed.text
    return closed.json  # type: ignore[no-any-return]


@pytest.mark.parametrize("action", ["delete", "anonymize"])
def test_retention_takes_closed_tickets_older_than_the_years_set(aws: Any, api: ApiClient, action: str) -> None:
    import time_machine

    from functions.autoclose.app import handler
    from helpdesk.bootstrap import config_store, mail_store
    from helpdesk.services.privacy import apply_retention
    from helpdesk_local.runners import LambdaContext

    old = _closed_ticket(
        aws,
        api,
        sender=SENDER,
        cc=BERND,
        subject="Alte Rechnung",
        body="Geheimtext-Alpha von damals",
        attachments=[("vertrag.pdf", "application/pdf", ATTACHMENT)],
    )
    settings = api.get("/admin/settings", user="admin").json
    assert settings["retention_years"] == 0  # off by default
    settings.update(retention_years=1, retention_action=action)
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    config_store().invalidate()
    assert api.get("/admin/privacy/retention", user="admin").json["items"] == []  # not old enough
    still_open = _ticket(api, ingest(aws, make_mail(sender="neu@kunde.example", subject="Neu")).ticket_id)
    later = datetime(2028, 6, 1, tzinfo=UTC)
    planned = apply_retention(mail_store(), config_store().snapshot(), at=later, dry_run=True).actions
    assert [(p.number, p.action, p.result) for p in planned] == [(old["number"], action, "planned")]
    with time_machine.travel(later):
        result = handler({}, LambdaContext("helpdesk-autoclose"))
        assert result[f"retention_{action}d"] == 1, result
        assert handler({}, LambdaContext("helpdesk-autoclose"))[f"retention_{action}d"] == 0  # done once
    hits = [h for h in traces(aws) if not any(mark in h.split(": b")[0] for mark in THEIRS)]
    assert hits == []
    bernd = [h for h in everything_stored(aws) if b"bernd@andere.example" in h[1] and "customers" not in h[0]]
    assert [h[0] for h in bernd if "AR#" not in h[0]] == []
    kept = api.get(f"/tickets/{old['id']}", user="admin")
    if action == "delete":
        assert kept.status == 404
    else:
        assert kept.status == 200 and kept.json["subject"] == "Alte Rechnung" and kept.json["customer"] is None
        assert {m["text"] for m in kept.json["messages"]} == {"[gelöscht]"}
    assert api.get(f"/tickets/{still_open['id']}", user="admin").status == 200  # only closed tickets go
