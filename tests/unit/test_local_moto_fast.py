"""helpdesk_local.moto_server.install_fast_items: item operations answer exactly what moto's serializer wrote.

moto 5.2's generic response serializer was half the CPU of a loaded local stack (issue 12: the inbox
re-reads of five agents queued behind it). The fast path writes item results with ``json.dumps``; every
answer a client parses must stay the same, binary values and sets included.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoResult

from helpdesk_local.moto_server import install_fast_items

TABLE = "t"
ITEM = {
    "pk": {"S": "T#1"},
    "sk": {"S": "A"},
    "n": {"N": "12.5"},
    "b": {"B": b"\x00\xffbin"},
    "bs": {"BS": [b"a", b"\x01"]},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2"]},
    "l": {"L": [{"S": "eins"}, {"N": "2"}, {"NULL": True}, {"B": b"\x02"}]},
    "m": {"M": {"nested": {"M": {"ok": {"BOOL": False}}}, "text": {"S": 'ä ✓ "quoted"'}}},
    "flag": {"BOOL": True},
}


@pytest.fixture
def ddb() -> Iterator[Any]:
    install_fast_items()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-central-1")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        yield client


def answers(ddb: Any) -> list[Any]:
    """Every item operation once, as the client parses the answers (without request ids)."""
    key = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
    ddb.delete_item(TableName=TABLE, Key=key)
    found = [
        ddb.put_item(TableName=TABLE, Item=ITEM, ReturnValues="ALL_OLD"),
        ddb.put_item(TableName=TABLE, Item=ITEM, ReturnValues="ALL_OLD", ReturnConsumedCapacity="TOTAL"),
        ddb.put_item(TableName=TABLE, Item={**ITEM, "sk": {"S": "B"}}),
        ddb.get_item(TableName=TABLE, Key=key),
        ddb.get_item(TableName=TABLE, Key={"pk": {"S": "none"}, "sk": {"S": "none"}}),
        ddb.get_item(TableName=TABLE, Key=key, ProjectionExpression="b, l[3], m.nested"),
        ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": ITEM["pk"]},
            Limit=1,
            ReturnConsumedCapacity="TOTAL",
        ),
        ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": ITEM["pk"]}),
        ddb.query(
            TableName=TABLE,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": ITEM["pk"]},
            Select="COUNT",
        ),
        ddb.scan(TableName=TABLE),
        ddb.batch_get_item(RequestItems={TABLE: {"Keys": [key, {"pk": ITEM["pk"], "sk": {"S": "B"}}]}}),
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": TABLE, "Key": key}}]),
        ddb.update_item(
            TableName=TABLE,
            Key=key,
            UpdateExpression="SET n = n + :one, b = :b",
            ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"B": b"\x03"}},
            ReturnValues="ALL_NEW",
        ),
        ddb.update_item(TableName=TABLE, Key=key, UpdateExpression="REMOVE flag", ReturnValues="UPDATED_OLD"),
        ddb.delete_item(TableName=TABLE, Key={"pk": ITEM["pk"], "sk": {"S": "B"}}, ReturnValues="ALL_OLD"),
        ddb.delete_item(TableName=TABLE, Key={"pk": ITEM["pk"], "sk": {"S": "B"}}),
    ]
    for answer in found:
        answer.pop("ResponseMetadata", None)
    return found


def test_item_operations_answer_what_the_generic_serializer_answered(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = answers(ddb)
    assert fast[3]["Item"] == ITEM  # binary values, sets, nested maps and lists survive the round trip
    monkeypatch.setattr(DynamoResult, "execute_result", DynamoResult.execute_result.generic)  # type: ignore[attr-defined]
    assert answers(ddb) == fast


def test_the_fast_path_is_taken(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """(The comparison above would pass with no fast path at all.)"""
    from moto.core.serialize import JSONSerializer

    serialize = JSONSerializer.serialize
    calls: list[str] = []

    def counting(self: Any, result: Any) -> Any:
        calls.append(self.operation_model.name)
        return serialize(self, result)

    monkeypatch.setattr(JSONSerializer, "serialize", counting)
    ddb.get_item(TableName=TABLE, Key={"pk": ITEM["pk"], "sk": ITEM["sk"]})
    ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": ITEM["pk"]})
    ddb.describe_table(TableName=TABLE)
    assert calls == ["DescribeTable"]


def test_the_dispatcher_finds_a_service_without_listing_motos_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto listed its package directory (an ``isdir`` per service) on every request; listed once, the
    dispatcher answers the same and touches the disk no more."""
    import os

    from moto import backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from helpdesk_local.moto_server import install_known_services

    expected = sorted(backends.list_of_moto_modules())
    install_known_services()
    assert sorted(backends.list_of_moto_modules()) == expected
    listed: list[str] = []
    real_listdir = os.listdir

    def listdir(path: str = ".") -> list[str]:
        listed.append(str(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    app = DomainDispatcherApplication(create_backend_app)
    assert app.get_backend_for_host("dynamodb") == "dynamodb"
    assert app.get_backend_for_host("s3") == "s3"
    assert listed == []
