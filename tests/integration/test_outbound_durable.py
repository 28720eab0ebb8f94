"""Nothing an agent sent is lost: sent files outlive the upload rule, failed sends are retried or re-sent,
SES's bounces and complaints reach the message (issue 14 part 1, issue 13 part 3)."""

from __future__ import annotations

from typing import Any

import pytest

from .api_client import ApiClient
from .helpers import ingest, make_mail, presigned_post, reset_sent, sent_mails, ticket_shown


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
    t = ticket_shown(aws, api)
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

    t = ticket_shown(aws, api)
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

    t = ticket_shown(aws, api)
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
    t = ticket_shown(aws, api)
    (inbound,) = [m for m in t["messages"] if m["direction"] == "inbound"]
    r = api.call("POST", f"/tickets/{t['id']}/messages/{inbound['id']}/resend", user="agent")
    assert r.status == 409 and r.json["error"] == "conflict"
    assert api.call("POST", f"/tickets/{t['id']}/messages/nope/resend", user="agent").status == 404
    # A sent auto-reply: answered as it is, not sent again.
    (auto,) = [m for m in t["messages"] if m["auto_reply"]]
    reset_sent()
    same = api.call("POST", f"/tickets/{t['id']}/messages/{auto['id']}/resend", user="agent")
    assert same.status == 200 and same.json["send_state"] == "sent" and sent_mails() == []
    hidden = ticket_shown(aws, api, subject="Rechnung 4711 falsch", sender="b@kunde.example")  # Buchhaltung: admins
    (auto,) = [m for m in hidden["messages"] if m["auto_reply"]]
    hidden_resend = f"/tickets/{hidden['id']}/messages/{auto['id']}/resend"
    assert api.call("POST", hidden_resend, user="agent").status == 404  # hidden: as if it did not exist


def test_a_throttled_reply_is_sent_by_the_outbox_sweep_and_gives_up_after_the_last_try(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.domain.sending import MAX_ATTEMPTS
    from helpdesk.services.autoclose import sweep_outbox

    t = ticket_shown(aws, api)
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


# ------------------------------------------------------------------------------------ bounces and complaints


def ses_event(kind: str, ses_message_id: str, recipient: str) -> dict[str, Any]:
    """What SES's configuration set publishes to the topic (event publishing: ``eventType``), as SNS delivers it
    to a Lambda; shaped after the examples in SES's developer guide ("Examples of event data")."""
    mail = {
        "timestamp": "2026-12-02T10:00:00.000Z",
        "source": "Support <support@example.com>",
        "sourceArn": "arn:aws:ses:eu-central-1:123456789012:identity/example.com",
        "sendingAccountId": "123456789012",
        "messageId": ses_message_id,
        "destination": [recipient],
        "headersTruncated": False,
        "tags": {"ses:configuration-set": ["helpdesk-sending"]},
    }
    body: dict[str, Any] = {"eventType": kind, "mail": mail}
    if kind == "Bounce":
        body["bounce"] = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": recipient,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2026-12-02T10:00:01.000Z",
            "feedbackId": "0102017a-bounce-feedback-000000",
            "reportingMTA": "dsn; e226-55.smtp-out.eu-central-1.amazonses.com",
        }
    else:
        body["complaint"] = {
            "complainedRecipients": [{"emailAddress": recipient}],
            "timestamp": "2026-12-02T11:00:00.000Z",
            "feedbackId": "0102017a-complaint-feedback-000000",
            "userAgent": "Mozilla/5.0",
            "complaintFeedbackType": "abuse",
            "arrivalDate": "2026-12-02T10:59:00.000Z",
        }
    import json

    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:eu-central-1:123456789012:helpdesk-feedback:1d2c",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": "arn:aws:sns:eu-central-1:123456789012:helpdesk-feedback",
                    "Subject": None,
                    "Message": json.dumps(body),
                    "Timestamp": "2026-12-02T10:00:02.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


@pytest.fixture
def feedback_metrics() -> Any:
    """Powertools' metric set is shared by every handler of the process: leave none to another test."""
    yield
    from functions.feedback.app import metrics

    metrics.clear_metrics()


@pytest.mark.usefixtures("feedback_metrics")
def test_a_bounce_marks_the_message_and_stops_auto_replies_to_the_address(aws: Any, api: ApiClient) -> None:
    from functions.feedback.app import handler
    from helpdesk_local.runners import LambdaContext

    t = ticket_shown(aws, api, sender="Weg <weg@kunde.example>")
    r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Unsere Antwort."})
    assert r.status == 201
    (stored,) = agent_replies(t["id"])
    assert stored.ses_message_id  # SES's MessageId is kept, with its lookup item

    counts = handler(
        ses_event("Bounce", stored.ses_message_id, "weg@kunde.example"), LambdaContext("helpdesk-feedback")
    )
    assert counts == {"bounced": 1, "complained": 0, "unknown": 0}
    shown = next(m for m in api.get(f"/tickets/{t['id']}", user="agent").json["messages"] if m["id"] == stored.id)
    assert shown["send_state"] == "bounced"
    assert shown["send_error"] == "Permanent/General: smtp; 550 5.1.1 user unknown"

    reset_sent()
    again = ingest(aws, make_mail(sender="weg@kunde.example", subject="Neue Frage", message_id="<neu@kunde.example>"))
    assert again.outcome == "created" and again.autoreply == "suppressed"
    assert again.autoreply_reason.startswith("address suppressed: bounced: Permanent/General")
    assert sent_mails() == []


@pytest.mark.usefixtures("feedback_metrics")
def test_a_complaint_marks_the_message_and_an_unknown_id_still_suppresses(aws: Any, api: ApiClient) -> None:
    from functions.feedback.app import handler
    from helpdesk_local.runners import LambdaContext

    t = ticket_shown(aws, api, sender="spam-melder@kunde.example")
    (auto,) = [m for m in t["messages"] if m["auto_reply"]]
    from helpdesk.store.models import MessageItem

    (item,) = [m for m in MessageItem.query(t["id"]) if isinstance(m, MessageItem) and m.id == auto["id"]]
    assert item.ses_message_id  # the auto-reply's too
    context = LambdaContext("helpdesk-feedback")
    assert handler(ses_event("Complaint", item.ses_message_id, "spam-melder@kunde.example"), context)["complained"] == 1
    shown = next(m for m in api.get(f"/tickets/{t['id']}", user="agent").json["messages"] if m["id"] == auto["id"])
    assert (shown["send_state"], shown["send_error"]) == ("complained", "abuse")
    counts = handler(ses_event("Bounce", "0000-not-ours", "fremd@kunde.example"), context)
    assert counts == {"bounced": 1, "complained": 0, "unknown": 1}
    later = ingest(aws, make_mail(sender="fremd@kunde.example", subject="Hallo", message_id="<f@kunde.example>"))
    assert later.autoreply == "suppressed"


def test_one_broken_mail_does_not_stop_the_outbox_sweep(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.services.autoclose import sweep_outbox

    t = ticket_shown(aws, api)
    key = upload(api, t["id"], "weg.pdf", b"%PDF-1.4 weg")
    monkeypatch.setattr(Mailer, "send_raw", ses_error("Throttling", "Rate exceeded"))
    broken = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Eins", "attachments": [key]})
    fine = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Zwei"})
    assert broken.status == fine.status == 502
    monkeypatch.undo()
    (kept,) = [m for m in agent_replies(t["id"]) if m.id == broken.json["message_id"]]
    aws.client("s3").delete_object(Bucket=aws.bucket, Key=kept.attachments[0].key)  # an operator's mistake
    report = sweep_outbox(autoclose_deps(), at=now() + timedelta(hours=1))
    assert (report.due, report.sent, report.errors) == (2, 1, 1)
    states = {m.id: m.send_state for m in agent_replies(t["id"])}
    assert states == {broken.json["message_id"]: "retry", fine.json["message_id"]: "sent"}
