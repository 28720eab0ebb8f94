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
