"""What the tables written with plain boto3 (not pynamodb) share: the live, notifications and search
tables. Each is keyed ``pk``/``sk`` (both strings) with no index and no stream; items go to and from
DynamoDB's typed form here, and batch writes are cut to DynamoDB's 25 and retried for what it left."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

BATCH_WRITE = 25  # DynamoDB's limit per BatchWriteItem
_ser = TypeSerializer()
_de = TypeDeserializer()


def key_value_shape(stream: str | None = None) -> dict[str, Any]:
    """The table's shape as template.yaml must declare it (tests/unit/test_drift.py compares)."""
    return {
        "attributes": {"pk": "S", "sk": "S"},
        "keys": (("pk", "HASH"), ("sk", "RANGE")),
        "indexes": {},
        "stream": stream,
    }


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values → DynamoDB's typed item; ``None`` values are left out."""
    return {k: _ser.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _de.deserialize(v) for k, v in item.items()}


def batch_write(ddb: DynamoDBClient, table: str, requests: Iterable[dict[str, Any]], tries: int = 5) -> None:
    """Put/delete requests in chunks of 25; what DynamoDB leaves unprocessed is sent again (``tries`` times)."""
    pending = list(requests)
    for start in range(0, len(pending), BATCH_WRITE):
        chunk: Any = {table: pending[start : start + BATCH_WRITE]}
        for _ in range(tries):
            chunk = ddb.batch_write_item(RequestItems=chunk).get("UnprocessedItems") or {}
            if not chunk:
                break
