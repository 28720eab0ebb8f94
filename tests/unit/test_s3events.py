"""helpdesk/aws/s3events.py: which objects an SQS message about S3 events names (pure JSON handling)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpdesk.aws.s3events import NotAnS3Event, created_objects


def record(key: str, bucket: str = "helpdesk-mail", event: str = "ObjectCreated:Put") -> dict[str, Any]:
    """One record as S3 writes it (trimmed to what matters, plus some of the rest)."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "eu-central-1",
        "eventTime": "2026-11-26T09:00:00.000Z",
        "eventName": event,
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "ingest",
            "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": key, "size": 1234, "eTag": "0123456789abcdef", "sequencer": "0055AED6DCD90281E5"},
        },
    }


def body(*records: dict[str, Any]) -> str:
    return json.dumps({"Records": list(records)})


def test_the_test_event_s3_sends_when_notifications_are_configured() -> None:
    message = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-11-26T09:00:00.000Z",
        "Bucket": "helpdesk-mail",
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    assert created_objects(json.dumps(message)) == []


def test_the_setup_notification_ses_writes_when_the_receipt_rule_is_created_is_no_mail() -> None:
    """SES puts ``<prefix>AMAZON_SES_SETUP_NOTIFICATION`` into the bucket to test its access; S3 announces it."""
    message = body(record("inbound/AMAZON_SES_SETUP_NOTIFICATION"), record("inbound/0123abcd"))
    assert created_objects(message) == [("helpdesk-mail", "inbound/0123abcd")]
    assert created_objects(body(record("inbound%2FAMAZON_SES_SETUP_NOTIFICATION"))) == []  # as moto encodes it
    assert created_objects(body(record("inbound/AMAZON_SES_SETUP_NOTIFICATION.eml"))) == [
        ("helpdesk-mail", "inbound/AMAZON_SES_SETUP_NOTIFICATION.eml")
    ]


def test_a_normal_record() -> None:
    assert created_objects(body(record("inbound/0123abcd"))) == [("helpdesk-mail", "inbound/0123abcd")]


def test_keys_are_url_decoded_as_s3_encodes_them() -> None:
    assert created_objects(body(record("inbound/a+b%C3%A4.eml"))) == [("helpdesk-mail", "inbound/a bä.eml")]
    assert created_objects(body(record("inbound/100%25+sicher%2B.eml"))) == [
        ("helpdesk-mail", "inbound/100% sicher+.eml")
    ]


def test_keys_as_moto_encodes_them() -> None:
    assert created_objects(body(record("inbound%2Fx"))) == [("helpdesk-mail", "inbound/x")]


def test_several_records_keep_their_order() -> None:
    message = body(
        record("inbound/1"), record("inbound/2", bucket="other"), record("inbound/3", event="ObjectCreated:Copy")
    )
    assert created_objects(message) == [
        ("helpdesk-mail", "inbound/1"),
        ("other", "inbound/2"),
        ("helpdesk-mail", "inbound/3"),
    ]


@pytest.mark.parametrize(
    "event",
    ["ObjectRemoved:Delete", "ObjectRestore:Completed", "s3:ObjectCreated:Put", "LifecycleExpiration:Delete", ""],
)
def test_other_events_are_ignored(event: str) -> None:
    assert created_objects(body(record("inbound/weg", event=event), record("inbound/neu"))) == [
        ("helpdesk-mail", "inbound/neu")
    ]


def test_a_record_without_event_name_is_ignored() -> None:
    plain = record("inbound/x")
    del plain["eventName"]
    assert created_objects(body(plain)) == []


def test_no_records_means_no_objects() -> None:
    assert created_objects(json.dumps({"Records": []})) == []


def test_an_s3_event_delivered_through_sns() -> None:
    envelope = {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:eu-central-1:123456789012:helpdesk-mail",
        "Subject": "Amazon S3 Notification",
        "Message": body(record("inbound/a+b%C3%A4.eml")),
        "Timestamp": "2026-11-26T09:00:00.000Z",
    }
    assert created_objects(json.dumps(envelope)) == [("helpdesk-mail", "inbound/a bä.eml")]


def test_the_test_event_delivered_through_sns() -> None:
    envelope = {"Type": "Notification", "Message": json.dumps({"Event": "s3:TestEvent", "Bucket": "helpdesk-mail"})}
    assert created_objects(json.dumps(envelope)) == []


@pytest.mark.parametrize(
    "message",
    [
        "",
        "not json",
        "{",
        "[]",
        "null",
        "42",
        '"Records"',
        "{}",
        '{"Records": null}',
        '{"Records": {"eventName": "ObjectCreated:Put"}}',
        '{"Type": "Notification", "Message": "kein json"}',
        '{"Type": "Notification", "Message": "{}"}',
        '{"Records": ["ObjectCreated:Put"]}',
        '{"Records": [null]}',
        '{"Records": [{"eventName": "ObjectCreated:Put"}]}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}}}]}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {}}}]}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": "b", "object": {"key": "k"}}}]}',
        '{"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": "b"}, "object": {"key": 5}}}]}',
    ],
)
def test_malformed_bodies_raise(message: str) -> None:
    with pytest.raises(NotAnS3Event):
        created_objects(message)


def test_the_error_quotes_the_start_of_the_body() -> None:
    with pytest.raises(NotAnS3Event, match=r"^SQS body is not JSON: 'not json'$"):
        created_objects("not json")
    with pytest.raises(NotAnS3Event, match="no S3 records in message"):
        created_objects(json.dumps({"Hello": "x" * 200}))
