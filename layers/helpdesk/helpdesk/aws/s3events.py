"""S3 event notifications as they arrive through SQS: which objects were created.

Skips the ``s3:TestEvent`` S3 sends when a notification is configured, and the object SES writes into
the rule's prefix when the receipt rule is created (``inbound/AMAZON_SES_SETUP_NOTIFICATION``: not a
mail); decodes keys, which S3 URL-encodes (``+`` for spaces; moto also encodes ``/`` as ``%2F``):
``unquote_plus`` handles both.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

SES_SETUP_NOTIFICATION = "AMAZON_SES_SETUP_NOTIFICATION"


class NotAnS3Event(ValueError):
    pass


def created_objects(body: str) -> list[tuple[str, str]]:
    try:
        payload: Any = json.loads(body)
    except json.JSONDecodeError as exc:
        raise NotAnS3Event(f"SQS body is not JSON: {body[:80]!r}") from exc
    if isinstance(payload, dict) and payload.get("Event") == "s3:TestEvent":
        return []
    if isinstance(payload, dict) and "Message" in payload and isinstance(payload["Message"], str):
        return created_objects(payload["Message"])  # delivered through SNS
    records = payload.get("Records") if isinstance(payload, dict) else None
    if not isinstance(records, list):
        raise NotAnS3Event(f"no S3 records in message: {body[:80]!r}")
    objects: list[tuple[str, str]] = []
    for record in records:
        if not isinstance(record, dict):
            raise NotAnS3Event(f"an S3 record is not an object: {body[:80]!r}")
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        try:
            bucket, key = record["s3"]["bucket"]["name"], record["s3"]["object"]["key"]
        except (KeyError, TypeError) as exc:
            raise NotAnS3Event(f"S3 record without bucket name or object key: {body[:80]!r}") from exc
        if not isinstance(bucket, str) or not isinstance(key, str):
            raise NotAnS3Event(f"S3 record with a bucket name or object key that is no string: {body[:80]!r}")
        key = unquote_plus(key)
        if key.rsplit("/", 1)[-1] == SES_SETUP_NOTIFICATION:
            continue
        objects.append((bucket, key))
    return objects
