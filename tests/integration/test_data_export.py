"""A customer's data export (DSGVO Art. 15/20) against moto: the ZIP round trip.

The customer of test_privacy (tickets, a merged ticket, a long body in S3, attachments, a reply with
"attach original", a comment, someone else's ticket she wrote in, a contact-form ticket, the customer
record) plus another customer with his own ticket: the ZIP, downloaded through the presigned link,
holds everything of hers — raw mails byte for byte, attachments byte for byte, long bodies whole — and
nothing of his.
"""

from __future__ import annotations

import io
import json
import os
import urllib.request
import zipfile
from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, reset_sent
from .test_privacy import ADDRESS, ATTACHMENT, LONG, NAME, PHONE, UPLOAD, build_customer

OTTO = "otto.fremd@anderer-kunde.example"
OTTO_BYTES = b"%PDF-1.4 Ottos-Anhang-0999"


@pytest.fixture
def api(aws: Any, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    import helpdesk.api.privacy

    monkeypatch.setattr(helpdesk.api.privacy, "REQUEST_BUDGET_SECONDS", 3600.0)  # whatever the machine's load
    reset_sent()
    return make_api(aws)


def _download(url: str) -> zipfile.ZipFile:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "attachment" in response.headers["Content-Disposition"]
        return zipfile.ZipFile(io.BytesIO(response.read()))


def _everything(zf: zipfile.ZipFile) -> bytes:
    return b"\n".join(zf.read(name) for name in zf.namelist())


def _raw_mails(aws: Any) -> dict[bytes, str]:
    """Every raw mail in the bucket (inbound/, inbound-web/): its bytes → key."""
    s3 = aws.client("s3")
    found = {}
    for bucket in s3.list_buckets()["Buckets"]:
        for prefix in ("inbound/", "inbound-web/"):
            for obj in s3.list_objects_v2(Bucket=bucket["Name"], Prefix=prefix).get("Contents", []):
                found[s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()] = obj["Key"]
    return found


def test_the_export_zip_holds_everything_of_hers_and_nothing_of_others(aws: Any, api: ApiClient) -> None:
    ids = build_customer(aws, api)
    otto = ingest(
        aws,
        make_mail(
            sender=f"Otto Fremd <{OTTO}>",
            subject="Ottos Frage",
            body="Otto-Geheimnis-4711",
            attachments=[("otto.pdf", "application/pdf", OTTO_BYTES)],
        ),
    )
    assert api.call("POST", f"/admin/privacy/customers/{ADDRESS}/export", user="agent").status == 403
    assert api.call("POST", "/admin/privacy/customers/kein-name/export", user="admin").status == 400

    r = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/export", user="admin")
    assert r.status == 202, r.text
    job = r.json
    assert job["state"] == "done" and job["download_url"], job
    assert job["filename"].startswith("datenauskunft-") and job["filename"].endswith(".zip")
    assert api.get(f"/admin/privacy/exports/{job['id']}", user="agent").status == 403
    again = api.get(f"/admin/privacy/exports/{job['id']}", user="admin").json
    assert again["state"] == "done" and again["size"] == job["size"] > 0
    assert api.get("/admin/privacy/exports/01ARZ3NDEKTSV4RRFFQ69G5FAV", user="admin").status == 404

    zf = _download(again["download_url"])
    assert zf.testzip() is None
    names = zf.namelist()
    everything = _everything(zf)
    customer = json.loads(zf.read("customer.json"))
    assert (customer["email"], customer["name"], customer["phone"]) == (ADDRESS, NAME, PHONE)
    assert "LIESMICH.txt" in names
    # The team's records that name her: which, and where; not the records (nor Bernd's view).
    configuration = sorted(json.loads(zf.read("configuration.json")), key=lambda r: r["record"])
    assert configuration == [
        {"record": "rule", "name": "Stammkundin", "fields": ["conditions[0].value"]},
        {"record": "view", "name": f"Tickets von {NAME}", "fields": ["name", "query.customer", "query.q"]},
    ]

    tickets = {n: json.loads(zf.read(n)) for n in names if n.endswith("/ticket.json")}
    own = [t for t in tickets.values() if t["role"] == "customer"]
    others = [t for t in tickets.values() if t["role"] == "participant"]
    assert len(own) == 4 and len(others) == 1  # first (with the merged one's mail), merged, shared, contact form
    first = next(t for t in own if t["subject"] == "Rechnung fehlt")
    texts = [m["text"] for m in first["messages"]]
    assert any("Geheimtext-Alpha" in t for t in texts)
    assert any(t == LONG for t in texts)  # the long body, read back whole from S3
    assert any(c["body"] == f"Rückruf bei {NAME}" for c in first["comments"])
    assert any(e["type"] == "TicketCreated" for e in first["history"])
    assert others[0]["subject"] == "Gemeinsame Bestellung"
    assert any("Geheimtext-Gamma" in m["text"] for m in others[0]["messages"])
    assert "comments" not in others[0] and "history" not in others[0]

    # Every file a message names is in the ZIP, byte for byte: raw mails (mail and contact form), attachments.
    files = {zf.read(n) for n in names}
    assert ATTACHMENT in files and UPLOAD in files
    raw = _raw_mails(aws)
    mine = [data for data in raw if ADDRESS.encode() in data and OTTO.encode() not in data]
    assert len(mine) >= 5 and all(data in files for data in mine)
    assert any(key.startswith("inbound-web/") for data, key in raw.items() if data in files)
    for ticket in tickets.values():
        for message in ticket["messages"]:
            for path in [message.get("raw_mail"), *(a["file"] for a in message["attachments"])]:
                assert path is None or path in names

    # Nothing of Otto's.
    for needle in (OTTO.encode(), b"Otto-Geheimnis-4711", OTTO_BYTES, b"Ottos Frage"):
        assert needle not in everything
    assert otto.ticket_id not in everything.decode()
    assert ids["bernd"]  # Bernd's ticket: only the messages that name her (checked above by role/comments)

    log = api.get("/admin/audit", user="admin").json["items"]
    exported = [e for e in log if e["action"] == "customer.exported"]
    assert len(exported) == 1 and exported[0]["target"] == f"customer #{job['subject']}"
    assert ADDRESS not in json.dumps(exported)


def test_an_export_cut_short_is_built_by_the_scheduled_function_and_erasure_deletes_it(
    aws: Any, api: ApiClient
) -> None:
    import functions.autoclose.app as autoclose
    from helpdesk.bootstrap import mail_store
    from helpdesk.services import data_export
    from helpdesk_local.runners import LambdaContext

    build_customer(aws, api)
    budget = iter([100.0] * 3 + [0.0] * 10_000)  # a few files, then the time is up
    job = data_export.start_export(ADDRESS, mail_store(), actor="admin", time_left=lambda: next(budget))
    assert job.state == "running" and job.address == ADDRESS
    listing = aws.client("s3").list_objects_v2(Bucket=mail_store().bucket, Prefix="exports/")
    assert listing.get("KeyCount", 0) == 0  # a half-written ZIP never becomes an object
    assert api.get(f"/admin/privacy/exports/{job.id}", user="admin").json["download_url"] is None

    result = autoclose.handler({}, LambdaContext("helpdesk-autoclose"))
    assert result["exports_done"] == 1, result
    done = api.get(f"/admin/privacy/exports/{job.id}", user="admin").json
    assert done["state"] == "done" and done["counts"]["tickets"] == 5
    assert data_export.get_export(job.id).address is None  # type: ignore[union-attr]  # the address left the job
    assert _download(done["download_url"]).read("customer.json")

    r = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/erase", user="admin", body={"confirm": ADDRESS})
    assert r.status == 202 and r.json["state"] == "done", r.text
    listing = aws.client("s3").list_objects_v2(Bucket=mail_store().bucket, Prefix="exports/")
    assert listing.get("KeyCount", 0) == 0  # erasing her deletes her exports too


def test_a_big_attachment_is_streamed_in_parts(aws: Any, api: ApiClient) -> None:
    """An export over one part (8 MB) goes up as a multipart upload and comes back whole."""
    big = os.urandom(9 * 1024 * 1024)  # random: it does not compress below a part
    ingest(aws, make_mail(sender=f"{NAME} <{ADDRESS}>", attachments=[("gross.bin", "application/octet-stream", big)]))
    r = api.call("POST", f"/admin/privacy/customers/{ADDRESS}/export", user="admin")
    assert r.status == 202 and r.json["state"] == "done", r.text
    assert r.json["size"] > 8 * 1024 * 1024
    zf = _download(r.json["download_url"])
    assert big in {zf.read(n) for n in zf.namelist()}


def test_an_export_that_never_fits_one_run_fails_instead_of_retrying_forever(aws: Any, api: ApiClient) -> None:
    from helpdesk.bootstrap import mail_store
    from helpdesk.services import data_export

    ingest(aws, make_mail(sender=f"{NAME} <{ADDRESS}>", attachments=[("a.pdf", "application/pdf", ATTACHMENT)]))
    job = data_export.start_export(ADDRESS, mail_store(), actor="admin", time_left=lambda: 0.0)
    for _ in range(data_export.MAX_ATTEMPTS - 1):
        assert job.state == "running"
        budget = iter([100.0] + [0.0] * 1000)  # the scheduled run starts it, then its time is up at once
        (job,) = data_export.run_pending(mail_store(), time_left=budget.__next__)
    assert job.state == "failed" and job.address is None
    shown = api.get(f"/admin/privacy/exports/{job.id}", user="admin").json
    assert shown["state"] == "failed" and shown["download_url"] is None
    assert data_export.run_pending(mail_store(), time_left=lambda: 100.0) == []  # no longer tried
