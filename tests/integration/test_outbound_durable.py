"""Nothing an agent sent is lost: sent files outlive the upload rule, failed sends are retried or re-sent,
SES's bounces and complaints reach the message (issue 14 part 1, issue 13 part 3)."""

from __future__ import annotations

from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, presigned_post, reset_sent, sent_mails


@pytest.fixture
def api(aws: Any) -> ApiClient:
    reset_sent()
    return make_api(aws)


def new_ticket(aws: Any, api: ApiClient, **mail: Any) -> dict[str, Any]:
    result = ingest(aws, make_mail(**mail))
    response = api.get(f"/tickets/{result.ticket_id}", user="admin")
    assert response.status == 200
    return response.json  # type: ignore[no-any-return]


def expiring_prefixes(aws: Any) -> dict[str, int]:
    """The bucket's lifecycle rules that delete objects: prefix → days."""
    rules = aws.client("s3").get_bucket_lifecycle_configuration(Bucket=aws.bucket)["Rules"]
    found: dict[str, int] = {}
    for rule in rules:
        prefix = rule.get("Prefix", rule.get("Filter", {}).get("Prefix", ""))
        if rule.get("Status") == "Enabled" and "Expiration" in rule:
            found[prefix] = int(rule["Expiration"]["Days"])
    return found


def upload(api: ApiClient, ticket_id: str, name: str, data: bytes, ctype: str = "application/pdf") -> str:
    up = api.call(
        "POST",
        f"/tickets/{ticket_id}/uploads",
        user="agent",
        body={"filename": name, "content_type": ctype, "size": len(data)},
    )
    assert up.status == 201, up.text
    presigned_post(up.json["url"], up.json["fields"], data, ctype)
    return str(up.json["key"])


def test_the_files_of_a_sent_reply_are_kept_where_no_lifecycle_rule_deletes_them(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api)
    key = upload(api, t["id"], "Lieferschein März.pdf", b"%PDF-1.4 abc")
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"body": "Anbei der Lieferschein.", "attachments": [key], "attach_original": True},
    )
    assert r.status == 201, r.text
    expiring = expiring_prefixes(aws)
    assert expiring.get("uploads/") == 2  # the rule for uploads never sent is still there
    from helpdesk.store.models import MessageItem

    (stored,) = [m for m in MessageItem.query(t["id"]) if isinstance(m, MessageItem) and m.author == "agent"]
    keys = [a.key for a in stored.attachments]
    assert [a.filename for a in stored.attachments] == ["Lieferschein März.pdf", "original.eml"]
    for kept in keys:
        assert kept.startswith(f"attachments/{t['id']}/"), kept
        assert not any(kept.startswith(prefix) for prefix in expiring), (kept, expiring)
    s3 = aws.client("s3")
    assert s3.get_object(Bucket=aws.bucket, Key=keys[0])["Body"].read() == b"%PDF-1.4 abc"
    s3.delete_object(Bucket=aws.bucket, Key=key)  # two days later: the rule deleted the upload
    shown = api.get(f"/tickets/{t['id']}", user="agent").json
    (message,) = [m for m in shown["messages"] if m["direction"] == "outbound" and m["attachments"]]
    import urllib.request

    with urllib.request.urlopen(message["attachments"][0]["url"]) as download:
        assert download.read() == b"%PDF-1.4 abc"
    mail = sent_mails()[-1]  # the auto-reply went first
    assert [p.get_filename() for p in mail.iter_attachments()] == ["Lieferschein März.pdf", "original.eml"]


# ------------------------------------------------------------------------------------------ refusals, re-send


def ses_error(code: str, message: str) -> Any:
    from botocore.exceptions import ClientError

    def refuse(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
        raise ClientError({"Error": {"Code": code, "Message": message}}, "SendEmail")

    return refuse


SANDBOX = "Email address is not verified. The following identities failed the check in region EU-CENTRAL-1: x"


def agent_replies(ticket_id: str) -> list[Any]:
    from helpdesk.store.models import MessageItem

    return [m for m in MessageItem.query(ticket_id) if isinstance(m, MessageItem) and m.author == "agent"]


def test_a_rejected_reply_is_failed_with_the_reason_and_the_agent_sends_it_again_once(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk.aws.ses import Mailer

    t = new_ticket(aws, api)
    key = upload(api, t["id"], "Rechnung.pdf", b"%PDF-1.4 rechnung")
    original = Mailer.send_raw
    monkeypatch.setattr(Mailer, "send_raw", ses_error("MessageRejected", SANDBOX))
    reset_sent()
    r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Anbei.", "attachments": [key]})
    assert r.status == 502 and r.json["error"] == "send_failed", r.text
    mid = r.json["message_id"]
    shown = next(m for m in api.get(f"/tickets/{t['id']}", user="agent").json["messages"] if m["id"] == mid)
    assert shown["send_state"] == "failed" and shown["send_error"].startswith("MessageRejected: Email address")
    assert sent_mails() == []

    still = api.call("POST", f"/tickets/{t['id']}/messages/{mid}/resend", user="agent")  # SES still refuses
    assert still.status == 502 and still.json["message_id"] == mid
    monkeypatch.setattr(Mailer, "send_raw", original)
    aws.client("s3").delete_object(Bucket=aws.bucket, Key=key)  # the upload expired meanwhile
    again = api.call("POST", f"/tickets/{t['id']}/messages/{mid}/resend", user="agent")
    assert again.status == 200, again.text
    assert again.json["send_state"] == "sent" and again.json["send_error"] is None
    twice = api.call("POST", f"/tickets/{t['id']}/messages/{mid}/resend", user="agent")
    assert twice.status == 200 and twice.json["send_state"] == "sent"
    (mail,) = sent_mails()  # once, with its file
    assert [p.get_filename() for p in mail.iter_attachments()] == ["Rechnung.pdf"]
    (stored,) = agent_replies(t["id"])
    assert stored.send_attempts == 3 and stored.ses_message_id


def test_concurrent_resends_send_once(aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from helpdesk.aws.ses import Mailer

    t = new_ticket(aws, api)
    original = Mailer.send_raw
    monkeypatch.setattr(Mailer, "send_raw", ses_error("MessageRejected", SANDBOX))
    r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Hallo"})
    mid = r.json["message_id"]
    monkeypatch.setattr(Mailer, "send_raw", original)
    reset_sent()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: api.call("POST", f"/tickets/{t['id']}/messages/{mid}/resend", user="agent"), range(4))
        )
    assert sorted({x.status for x in results}) == [200]
    assert {x.json["send_state"] for x in results} <= {"sent", "sending"}
    assert len(sent_mails()) == 1


def test_only_failed_outbound_mail_can_be_resent_and_only_by_who_may_see_the_ticket(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = new_ticket(aws, api)
    (inbound,) = [m for m in t["messages"] if m["direction"] == "inbound"]
    r = api.call("POST", f"/tickets/{t['id']}/messages/{inbound['id']}/resend", user="agent")
    assert r.status == 409 and r.json["error"] == "conflict"
    assert api.call("POST", f"/tickets/{t['id']}/messages/nope/resend", user="agent").status == 404
    # A sent auto-reply: answered as it is, not sent again.
    (auto,) = [m for m in t["messages"] if m["auto_reply"]]
    reset_sent()
    same = api.call("POST", f"/tickets/{t['id']}/messages/{auto['id']}/resend", user="agent")
    assert same.status == 200 and same.json["send_state"] == "sent" and sent_mails() == []
    hidden = new_ticket(aws, api, subject="Rechnung 4711 falsch", sender="b@kunde.example")  # Buchhaltung: admins
    (auto,) = [m for m in hidden["messages"] if m["auto_reply"]]
    assert api.call("POST", f"/tickets/{hidden['id']}/messages/{auto['id']}/resend", user="agent").status == 403


def test_a_throttled_reply_is_sent_by_the_outbox_sweep_and_gives_up_after_the_last_try(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.domain.sending import MAX_ATTEMPTS
    from helpdesk.services.autoclose import sweep_outbox

    t = new_ticket(aws, api)
    monkeypatch.setattr(Mailer, "send_raw", ses_error("TooManyRequestsException", "Maximum sending rate exceeded."))
    first = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Eins"})
    second = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Zwei"})
    assert first.status == second.status == 502
    (one,) = [m for m in agent_replies(t["id"]) if m.id == first.json["message_id"]]
    assert one.send_state == "retry" and one.send_retry_at
    deps = autoclose_deps()
    later = now()
    for _ in range(MAX_ATTEMPTS - 1):  # every pause over, still throttled
        later += timedelta(days=1)
        report = sweep_outbox(deps, at=later)
        assert (report.due, report.refused) == (2, 2)
    assert sweep_outbox(deps, at=later + timedelta(days=1)).due == 0  # given up: nothing left to retry
    states = {m.id: (m.send_state, m.send_error) for m in agent_replies(t["id"])}
    assert states[first.json["message_id"]][0] == "failed"
    assert f"(gave up after {MAX_ATTEMPTS} tries)" in str(states[first.json["message_id"]][1])
    monkeypatch.undo()
    reset_sent()
    assert (
        api.call("POST", f"/tickets/{t['id']}/messages/{first.json['message_id']}/resend", user="agent").status == 200
    )
    assert len(sent_mails()) == 1
