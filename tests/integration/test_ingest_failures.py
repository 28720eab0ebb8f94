"""Failure paths through the real Lambda handler: partial batch failures, DLQ, redrive, limits, injection."""

from __future__ import annotations

import json
import warnings
from datetime import date
from typing import Any

import pytest

from helpdesk.store.tickets import TicketStore

from .helpers import add_catastrophic_rule, ingest, make_mail, put_inbound, reset_sent, sent_mails


@pytest.fixture(autouse=True)
def _clean_outbox() -> None:
    reset_sent()


def s3_event(bucket: str, key: str) -> str:
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": bucket}, "object": {"key": key, "size": 1}},
                }
            ]
        }
    )


def poller(aws: Any) -> Any:
    from functions.ingest.app import handler
    from helpdesk_local.runners import SqsPoller

    res = aws.resources
    return SqsPoller(
        aws.client("sqs"),
        res.queue_urls["IngestQueue"],
        res.attrs[("IngestQueue", "Arn")],
        handler,
        "helpdesk-ingest",
        retry_delay=0,
    )


def purge(aws: Any, queue: str) -> None:
    """Empty a queue (PurgeQueue is allowed once a minute; this is not limited)."""
    sqs = aws.client("sqs")
    url = aws.resources.queue_urls[queue]
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def peek(aws: Any, queue: str) -> list[dict[str, Any]]:
    """The distinct messages waiting in a queue, left there (visible again at once)."""
    sqs = aws.client("sqs")
    url = aws.resources.queue_urls[queue]
    found: dict[str, dict[str, Any]] = {}
    for _ in range(5):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
        new = [m for m in batch if m["MessageId"] not in found]
        if not new:
            break
        found.update((m["MessageId"], m) for m in new)
    return list(found.values())


def test_a_batch_reports_only_the_failed_record_and_the_good_mail_is_stored(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = aws.client("sqs")
    url = aws.resources.queue_urls["IngestQueue"]
    good_key = put_inbound(aws, make_mail(subject="gut", message_id="<good@kunde.example>"))
    purge(aws, "IngestQueue")  # drop the bucket's own notification: this test sends its own events
    sqs.send_message(QueueUrl=url, MessageBody=s3_event(aws.bucket, good_key))
    sqs.send_message(QueueUrl=url, MessageBody=s3_event(aws.bucket, "inbound/does-not-exist"))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}))
    from functions.ingest.app import handler
    from helpdesk_local.runners import LambdaContext

    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    assert len(messages) == 3
    event = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn",
                "awsRegion": "eu-central-1",
            }
            for m in messages
        ]
    }
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    result = handler(event, LambdaContext("helpdesk-ingest"))
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    bad = next(m["MessageId"] for m in messages if "does-not-exist" in m["Body"])
    assert failed == {bad}
    assert emf_metrics(capsys.readouterr().out) == {
        "MailFailed": 1.0,
        "MailIngested": 1.0,
        "TicketCreated": 1.0,
        "AutoReplySent": 1.0,
    }
    from helpdesk.store.models import MetaItem

    assert MetaItem.get("MID#good@kunde.example", "MID").ticket_id


def test_a_batch_of_only_test_events_still_publishes_its_metric(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """S3 sends an s3:TestEvent when the notification is set up: nothing to ingest, but the batch's
    ``MailFailed`` (0) is published instead of Powertools' "No application metrics" warning."""
    from functions.ingest.app import handler
    from helpdesk_local.runners import LambdaContext

    body = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"})
    record = {"messageId": "m1", "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {}}
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = handler({"Records": [record]}, LambdaContext("helpdesk-ingest"))
    assert result["batchItemFailures"] == []
    assert emf_metrics(capsys.readouterr().out) == {"MailFailed": 0.0}


def test_a_batch_whose_every_record_failed_counts_them(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Powertools raises when every record failed (SQS retries the batch): the count still goes out."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    from functions.ingest.app import handler
    from helpdesk_local.runners import LambdaContext

    body = s3_event(aws.bucket, "inbound/not-there")
    records = [
        {"messageId": f"m{i}", "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {}}
        for i in range(2)
    ]
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    with pytest.raises(BatchProcessingError):
        handler({"Records": records}, LambdaContext("helpdesk-ingest"))
    assert emf_metrics(capsys.readouterr().out) == {"MailFailed": 2.0}


def test_every_failed_record_logs_its_reason(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10, finding 6: a record failing inside a batch left no reason in the log (the batch
    processor had no logger). Each failed record now logs one error line through the Powertools
    Logger: the exception's type and message, the SQS message id and, when known, the S3 key."""
    import io

    from functions.ingest import app
    from helpdesk_local.runners import LambdaContext

    good_key = put_inbound(aws, make_mail(subject="gut", message_id="<fine@kunde.example>"))
    records = [
        {"messageId": message_id, "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {}}
        for message_id, body in (
            ("m-missing", s3_event(aws.bucket, "inbound/not-there")),
            ("m-good", s3_event(aws.bucket, good_key)),
            ("m-garbage", "kein JSON"),
        )
    ]
    out = io.StringIO()
    monkeypatch.setattr(app.logger.registered_handler, "stream", out)
    result = app.handler({"Records": records}, LambdaContext("helpdesk-ingest"))
    assert {f["itemIdentifier"] for f in result["batchItemFailures"]} == {"m-missing", "m-garbage"}

    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    failed = {line["sqs_message_id"]: line for line in lines if line["message"] == "record failed"}
    assert set(failed) == {"m-missing", "m-garbage"}
    missing, garbage = failed["m-missing"], failed["m-garbage"]
    assert missing["level"] == "ERROR" and missing["s3_key"] == "inbound/not-there"
    assert missing["error_type"] == "NoSuchKey" and "does not exist" in missing["error"]
    assert garbage["error_type"] == "NotAnS3Event" and "not JSON" in garbage["error"]
    assert "s3_key" not in garbage  # no key of an earlier record is passed off as this one's


def test_an_undecided_rule_condition_is_counted(
    aws: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule regex that ran out of its budget counted as "no match": besides the reason on the ticket,
    the metric ``RuleUndecided`` counts it, so an alarm or a graph can show rules that silently fail."""
    from functions.ingest.app import handler
    from helpdesk_local.runners import LambdaContext

    add_catastrophic_rule()
    key = put_inbound(aws, make_mail(body="a" * 80 + "!"))
    record = {"messageId": "m1", "receiptHandle": "r", "body": s3_event(aws.bucket, key)}
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    result = handler({"Records": [{**record, "attributes": {}, "messageAttributes": {}}]}, LambdaContext("ingest"))
    assert result["batchItemFailures"] == []
    assert emf_metrics(capsys.readouterr().out)["RuleUndecided"] == 1.0


def emf_metrics(stdout: str) -> dict[str, float]:
    """Metric values from the CloudWatch embedded-metric-format lines a handler printed."""
    found: dict[str, float] = {}
    for line in stdout.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        for directive in blob["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = blob[metric["Name"]]
                found[metric["Name"]] = float(sum(value) if isinstance(value, list) else value)
    return found


def test_a_poison_mail_lands_in_the_dlq_after_the_tries_and_redrive_brings_it_back(aws: Any) -> None:
    from helpdesk.services.redrive import redrive

    purge(aws, "IngestQueue")
    sqs = aws.client("sqs")
    key = "inbound/arrives-late"
    sqs.send_message(QueueUrl=aws.resources.queue_urls["IngestQueue"], MessageBody=s3_event(aws.bucket, key))
    run = poller(aws)
    for _ in range(8):  # maxReceiveCount is 5 in template.yaml
        run.step()
    dead = peek(aws, "IngestDLQ")
    assert len(dead) == 1
    assert key in dead[0]["Body"]
    assert peek(aws, "IngestQueue") == []

    put_inbound(aws, make_mail(subject="endlich da", message_id="<late@kunde.example>"), key=key)
    purge(aws, "IngestQueue")  # the late object's own notification; this test wants the redriven message
    moved = redrive(sqs, aws.resources.queue_urls["IngestDLQ"], aws.resources.queue_urls["IngestQueue"])
    assert moved == 1
    assert run.step()
    from helpdesk.store.models import MetaItem

    assert MetaItem.get("MID#late@kunde.example", "MID").ticket_id
    assert peek(aws, "IngestDLQ") == []


def test_mail_past_a_limit_becomes_a_ticket_flagged_for_review(aws: Any) -> None:
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.domain.mail import Limits

    deps = ingest_deps()
    deps.limits = Limits(max_attachment_bytes=1000)
    result = ingest(
        aws, make_mail(subject="Großer Anhang", attachments=[("gross.bin", "application/octet-stream", b"x" * 5000)])
    )
    ticket = TicketStore().get(result.ticket_id)
    assert ticket is not None
    assert ticket.review
    assert any("gross.bin" in note and "limit" in note for note in ticket.review_notes)
    assert ticket.subject == "Großer Anhang"


def test_mail_older_than_the_import_date_is_stored_closed_without_autoreply(aws: Any) -> None:
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import Mailbox

    config_store().put(
        "mailbox",
        Mailbox(id="support", address="support@example.com", default_queue="support", import_from=date(2030, 1, 1)),
    )
    result = ingest(aws, make_mail(subject="alt"))
    ticket = TicketStore().get(result.ticket_id)
    assert ticket is not None
    assert ticket.status == "closed"
    assert sent_mails() == []


def test_a_hostile_subject_cannot_inject_headers_into_the_autoreply(aws: Any) -> None:
    hostile = b"Subject: =?utf-8?q?Hallo=0D=0ABcc=3A_victim=40evil=2Eexample?="  # CR LF inside an encoded word
    raw = make_mail(subject="x").replace(b"Subject: x", hostile)
    ingest(aws, raw)
    (reply,) = sent_mails()
    assert reply["Bcc"] is None
    assert "\n" not in reply["Subject"]
    assert "Bcc: victim@evil.example" in reply["Subject"]  # the text is kept, as text, on one line
    assert [a.addr_spec for a in reply["To"].addresses] == ["juergen@kunde.example"]
