"""helpdesk_local.moto_index: moto's queries read one partition (of the table or of an index), with DynamoDB's answers.

moto sorted the whole table for every query (issue 19, part 5: an inbox page took seconds at 10,000
tickets). The index must give exactly the answers a full read gives, after every kind of write, and a
query must not read the whole table any more.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from helpdesk_local import moto_index

TABLE = "t"


@pytest.fixture
def ddb() -> Iterator[Any]:
    moto_index.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-central-1")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "status", "updated_at", "tag")
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by_status",
                    "KeySchema": [
                        {"AttributeName": "status", "KeyType": "HASH"},
                        {"AttributeName": "updated_at", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                },
                {
                    "IndexName": "by_tag",
                    "KeySchema": [{"AttributeName": "tag", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
            ],
        )
        yield client


def put(ddb: Any, pk: str, sk: str, **attrs: str) -> None:
    item = {"pk": {"S": pk}, "sk": {"S": sk}} | {k: {"S": v} for k, v in attrs.items()}
    ddb.put_item(TableName=TABLE, Item=item)


def query_all(ddb: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """Every page of a query, as (pk, sk) in the order returned."""
    found: list[tuple[str, str]] = []
    start: dict[str, Any] | None = None
    while True:
        page = ddb.query(TableName=TABLE, Limit=3, **kwargs, **({"ExclusiveStartKey": start} if start else {}))
        found += [(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def expected_by_status(ddb: Any, status: str, forward: bool = True) -> list[tuple[str, str]]:
    """What DynamoDB answers, from a scan: the index partition in (updated_at, pk, sk) order."""
    items = ddb.scan(TableName=TABLE)["Items"]
    kept = [i for i in items if i.get("status", {}).get("S") == status and "updated_at" in i]
    kept.sort(key=lambda i: (i["updated_at"]["S"], i["pk"]["S"], i["sk"]["S"]), reverse=not forward)
    return [(i["pk"]["S"], i["sk"]["S"]) for i in kept]


def by_status(ddb: Any, status: str, forward: bool = True) -> list[tuple[str, str]]:
    return query_all(
        ddb,
        IndexName="by_status",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
        ScanIndexForward=forward,
    )


def test_index_queries_answer_as_a_full_read_after_every_kind_of_write(ddb: Any) -> None:
    rng = random.Random(19)
    for n in range(40):
        put(ddb, f"T#{n:02d}", "TICKET", status=rng.choice("ab"), updated_at=f"2026-01-{rng.randint(1, 9)}")
        put(ddb, f"T#{n:02d}", "MSG#1", body="x")  # not in the index (sparse)
    assert by_status(ddb, "a") == expected_by_status(ddb, "a")  # the first query builds the index

    # an update moves an item between index partitions (moto changes the item in place)
    ddb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "T#03"}, "sk": {"S": "TICKET"}},
        UpdateExpression="SET #s = :s, updated_at = :u",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "c"}, ":u": {"S": "2026-02-01"}},
    )
    # an update takes an item out of the index (sparse), a delete and a put change partitions
    ddb.update_item(
        TableName=TABLE, Key={"pk": {"S": "T#04"}, "sk": {"S": "TICKET"}}, UpdateExpression="REMOVE updated_at"
    )
    ddb.delete_item(TableName=TABLE, Key={"pk": {"S": "T#05"}, "sk": {"S": "TICKET"}})
    put(ddb, "T#99", "TICKET", status="c", updated_at="2026-01-05")
    # a transaction and a batch write
    ddb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": TABLE,
                    "Item": {
                        "pk": {"S": "T#98"},
                        "sk": {"S": "TICKET"},
                        "status": {"S": "a"},
                        "updated_at": {"S": "2026-01-01"},
                    },
                }
            },
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "T#06"}, "sk": {"S": "TICKET"}}}},
        ]
    )
    ddb.batch_write_item(
        RequestItems={
            TABLE: [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": {"S": "T#97"},
                            "sk": {"S": "TICKET"},
                            "status": {"S": "c"},
                            "updated_at": {"S": "2026-01-02"},
                        }
                    }
                }
            ]
        }
    )
    for status in "abcz":
        assert by_status(ddb, status) == expected_by_status(ddb, status)
        assert by_status(ddb, status, forward=False) == expected_by_status(ddb, status, forward=False)
    assert by_status(ddb, "c")[-1] == ("T#03", "TICKET")
    assert ("T#04", "TICKET") not in by_status(ddb, "a") + by_status(ddb, "b")

    # a range condition and a filter still apply (moto's own code runs over the candidates)
    narrowed = query_all(
        ddb,
        IndexName="by_status",
        KeyConditionExpression="#s = :s AND updated_at >= :u",
        FilterExpression="begins_with(pk, :p)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "a"}, ":u": {"S": "2026-01-5"}, ":p": {"S": "T#1"}},
    )
    updated = {
        (i["pk"]["S"], i["sk"]["S"]): i.get("updated_at", {}).get("S") for i in ddb.scan(TableName=TABLE)["Items"]
    }
    assert narrowed == [k for k in expected_by_status(ddb, "a") if k[0].startswith("T#1") and updated[k] >= "2026-01-5"]
    assert narrowed
    # an index without a range key, KEYS_ONLY
    put(ddb, "T#50", "TICKET", tag="red")
    put(ddb, "T#51", "TICKET", tag="red")
    tagged = ddb.query(
        TableName=TABLE,
        IndexName="by_tag",
        KeyConditionExpression="tag = :t",
        ExpressionAttributeValues={":t": {"S": "red"}},
    )["Items"]
    assert sorted(i["pk"]["S"] for i in tagged) == ["T#50", "T#51"]


def test_a_query_reads_one_partition_not_the_whole_table(ddb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's query went through ``Table.all_items`` (every item, sorted) for the table and its indexes."""
    from moto.dynamodb.models.table import Table

    for n in range(30):
        put(ddb, f"T#{n:02d}", "TICKET", status="a", updated_at=f"2026-01-{n:02d}")
        put(ddb, f"T#{n:02d}", "MSG#1")
    whole_reads: list[int] = []
    all_items = Table.all_items

    def counting(self: Any) -> Any:
        found = all_items(self)
        if isinstance(found, list) and len(found) == sum(len(p) for p in self.items.values()):
            whole_reads.append(len(found))
        return found

    monkeypatch.setattr(Table, "all_items", counting)
    partition = query_all(ddb, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "T#07"}})
    assert partition == [("T#07", "MSG#1"), ("T#07", "TICKET")]
    assert by_status(ddb, "a") == expected_by_status(ddb, "a")
    assert whole_reads == []  # neither query read the table (nor the scan in expected_by_status: see below)


def test_a_paged_scan_reads_on_from_its_start_key_with_the_answers_of_a_full_read(
    ddb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto sorted the whole table for every page of a Scan and then compared every item before the
    page's start key with it: a Scan of the search table's 840,000 items at 10,000 tickets (the manifests
    ``helpdesk reindex`` reads at its end) took longer than the rest of the reindex."""
    from moto.dynamodb.models.table import Table

    wanted = []
    for n in random.Random(7).sample(range(400), 400):
        pk, sk = f"T#{n % 40:02d}", f"MSG#{n:03d}"
        put(ddb, pk, sk, status="open" if n % 3 else "closed")
        wanted.append((pk, sk))
    wanted.sort()
    compared: list[int] = []
    before = Table._item_comes_before_dct

    def counting(self: Any, *args: Any, **kwargs: Any) -> bool:
        compared.append(1)
        result: bool = before(self, *args, **kwargs)
        return result

    monkeypatch.setattr(Table, "_item_comes_before_dct", counting)

    def scan(**kwargs: Any) -> tuple[list[tuple[str, str]], int]:
        found, pages, start = [], 0, None
        while True:
            page = ddb.scan(TableName=TABLE, Limit=9, **kwargs, **({"ExclusiveStartKey": start} if start else {}))
            found += [(i["pk"]["S"], i["sk"]["S"]) for i in page["Items"]]
            pages += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                return found, pages

    found, pages = scan()
    assert found == wanted
    assert len(compared) <= 2 * pages  # the start item only, not every item before it (was about 9,000)
    closed, _ = scan(
        FilterExpression="#s = :c",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "closed"}},
    )
    assert closed == [key for key in wanted if int(key[1][4:]) % 3 == 0]


def test_stream_records_and_iterators_a_reader_passed_are_forgotten(moto_endpoint: str) -> None:
    """moto kept every stream record and every shard iterator: memory grew with every write (issue 19)."""
    import threading

    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from helpdesk_local.moto_server import forget_stream_reads
    from helpdesk_local.provision import local_client

    ddb = local_client("dynamodb", moto_endpoint)
    streams = local_client("dynamodbstreams", moto_endpoint)
    name = f"streamed-{random.randrange(10**9)}"
    arn = ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    backend = dynamodbstreams_backends["123456789012"]["eu-central-1"]
    shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    lock = threading.Lock()
    seen: list[str] = []
    for round_ in range(3):
        for n in range(4):
            ddb.put_item(TableName=name, Item={"pk": {"S": f"{round_}-{n}"}})
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        seen += [r["dynamodb"]["NewImage"]["pk"]["S"] for r in page["Records"]]
        assert forget_stream_reads(lock, [iterator], "123456789012", "eu-central-1") == 4
        iterator = page["NextShardIterator"]
        assert iterator in backend.shard_iterators and all(
            i.stream_shard.table.name != name for a, i in backend.shard_iterators.items() if a != iterator
        )  # of this stream, only the one still held
    assert seen == [f"{r}-{n}" for r in range(3) for n in range(4)]  # nothing lost, nothing twice
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends["123456789012"]["eu-central-1"].get_table(name).stream_shard
    assert shard is not None and shard.items == []
    # a second reader that has not read yet keeps what it has not read
    other = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "late"}})
    page = streams.get_records(ShardIterator=iterator, Limit=100)
    assert forget_stream_reads(lock, [iterator], "123456789012", "eu-central-1") == 0  # 'other' still before it
    assert [r["dynamodb"]["NewImage"]["pk"]["S"] for r in streams.get_records(ShardIterator=other)["Records"]] == [
        "late"
    ]
