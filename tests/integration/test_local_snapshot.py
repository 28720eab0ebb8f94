"""helpdesk_local.persist against moto: incremental snapshots equal a full read, and a restore gives back
DynamoDB items, S3 objects (with their content type) and Cognito logins."""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from helpdesk_local.persist import DataDir, Snapshotter
from helpdesk_local.provision import Provisioned, provision
from tests.conftest import Aws, point_code_at


def _partitions(snapshotter: Snapshotter) -> list[Any]:
    return sorted(
        (table, sorted(json.dumps(item, sort_keys=True) for item in json.loads(line)["items"]))
        for (table, _, _), line in ((key, snapshotter.line(key)) for key in snapshotter.fragments)
    )


def _full_read(aws: Aws, data: DataDir) -> Snapshotter:
    fresh = Snapshotter(data, aws.resources, threading.Lock())
    fresh._capture_tables()
    return fresh


def test_a_snapshot_rereads_only_what_was_written_and_equals_a_full_read(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    tickets, meta = aws.resources.names["TicketsTable"], aws.resources.names["MetaTable"]
    for n in range(30):
        ddb.put_item(TableName=tickets, Item={"pk": {"S": f"T{n}"}, "sk": {"S": "TICKET"}, "n": {"N": str(n)}})
    with data.held():
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.snapshot()
        assert snapshotter.last_partitions >= 30  # the first one reads everything

        ddb.put_item(TableName=tickets, Item={"pk": {"S": "T1"}, "sk": {"S": "MSG#1"}, "body": {"S": "Hallo"}})
        ddb.update_item(
            TableName=tickets,
            Key={"pk": {"S": "T2"}, "sk": {"S": "TICKET"}},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "open"}},
        )
        ddb.delete_item(TableName=tickets, Key={"pk": {"S": "T3"}, "sk": {"S": "TICKET"}})
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": tickets, "Item": {"pk": {"S": "T99"}, "sk": {"S": "TICKET"}}}},
                {
                    "Update": {
                        "TableName": meta,
                        "Key": {"pk": {"S": "CTR#2026"}, "sk": {"S": "CTR"}},
                        "UpdateExpression": "SET #v = :v",
                        "ExpressionAttributeNames": {"#v": "value"},
                        "ExpressionAttributeValues": {":v": {"N": "99"}},
                    }
                },
            ]
        )
        ddb.batch_write_item(
            RequestItems={tickets: [{"DeleteRequest": {"Key": {"pk": {"S": "T4"}, "sk": {"S": "TICKET"}}}}]}
        )
        size = data.snapshot_path.stat().st_size
        snapshotter.snapshot()
        assert snapshotter.last_partitions == 6  # T1, T2, T3, T99, CTR#2026, T4: not the other 26
        assert snapshotter.appended  # the changes appended to the file: the 26 others not written again
        assert data.snapshot_path.stat().st_size - size == snapshotter.last_bytes < 1500
        assert _partitions(snapshotter) == _partitions(_full_read(aws, data))
        before = _partitions(snapshotter)

    resources = _reset(moto_endpoint)
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        assert _partitions(restored) == before
        assert _partitions(_full_read(Aws(moto_endpoint, resources), data)) == before  # T3 and T4 gone in moto too
        restored.snapshot()  # the first snapshot of a process writes the whole file
        assert not restored.appended
        lines = data.snapshot_path.read_bytes().splitlines()
        assert len(lines) == 1 + len(restored.fragments)
        assert not [line for line in lines[1:] if b'"T3"' in line or b'"T4"' in line]  # deleted partitions are gone


def _reset(moto_endpoint: str) -> Provisioned:
    """moto emptied and the stack's resources created again: what a restart finds before the restore."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=10)
    resources = provision(moto_endpoint, {"MailDomain": "example.com", "AWS::Region": "eu-central-1"})
    point_code_at(moto_endpoint, resources)
    return resources


def _buffers(resources: Provisioned) -> set[str]:
    """The kinds of buffer the mail bucket's objects keep their bytes in."""
    from moto.s3.models import s3_backends

    bucket = s3_backends["123456789012"]["global"].get_bucket(resources.names["MailBucket"])
    return {type(key._value_buffer).__name__ for key in bucket.keys.values()}


def _set(ddb: Any, table: str, pk: str, n: int) -> None:
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": "TICKET"}, "n": {"N": str(n)}})


def _numbers(aws: Aws) -> dict[str, str]:
    items = aws.client("dynamodb").scan(TableName=aws.resources.names["TicketsTable"])["Items"]
    return {item["pk"]["S"]: item["n"]["N"] for item in items}


def test_a_batch_cut_off_by_a_crash_is_not_restored_and_the_next_snapshot_writes_the_file_whole(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """kill -9 while a snapshot appends: the batch's lines count only with its commit line."""
    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    tickets = aws.resources.names["TicketsTable"]
    _set(ddb, tickets, "T1", 1)
    with data.held():
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.snapshot()
        _set(ddb, tickets, "T1", 2)
        snapshotter.snapshot()
        committed = data.snapshot_path.read_bytes()
        _set(ddb, tickets, "T1", 3)
        _set(ddb, tickets, "T2", 1)
        ddb.delete_item(TableName=tickets, Key={"pk": {"S": "T1"}, "sk": {"S": "TICKET"}})
        _set(ddb, tickets, "T3", 1)
        snapshotter.snapshot()
        assert snapshotter.appended
        whole = data.snapshot_path.read_bytes()
    batch = whole[len(committed) :]
    assert batch.count(b"\n") == 3 and b'"gone"' in batch  # T2's line, T3's line, the commit (T1 gone)

    for cut in (len(batch) - 5, batch.index(b"\n") + 1, 7):  # in the commit line, after a line, in a line
        data.snapshot_path.write_bytes(committed + batch[:cut])
        resources = _reset(moto_endpoint)
        with data.held():
            Snapshotter(data, resources, threading.Lock()).restore()
        assert _numbers(Aws(moto_endpoint, resources)) == {"T1": "2"}, cut

    with data.held():  # the last restore's stack goes on: its first snapshot leaves no cut-off line behind
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        _set(aws.client("dynamodb"), resources.names["TicketsTable"], "T4", 1)
        restored.snapshot()
        assert not restored.appended
    data.snapshot_path.read_bytes().decode()  # whole lines only
    resources = _reset(moto_endpoint)
    with data.held():
        Snapshotter(data, resources, threading.Lock()).restore()
    assert _numbers(Aws(moto_endpoint, resources)) == {"T1": "2", "T4": "1"}

    data.snapshot_path.write_bytes(whole)  # uncut, the batch counts
    resources = _reset(moto_endpoint)
    with data.held():
        Snapshotter(data, resources, threading.Lock()).restore()
    assert _numbers(Aws(moto_endpoint, resources)) == {"T2": "1", "T3": "1"}


def test_appended_changes_are_compacted_into_a_whole_file_once_they_are_a_quarter_of_it(
    aws: Aws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpdesk_local import persist

    monkeypatch.setattr(persist, "COMPACT_ABOVE", 0)
    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    tickets = aws.resources.names["TicketsTable"]
    for n in range(40):
        _set(ddb, tickets, f"T{n}", 0)
    with data.held():
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.snapshot()
        base = data.snapshot_path.stat().st_size
        kinds = []
        for n in range(1, 70):
            _set(ddb, tickets, f"T{n % 40}", n)
            snapshotter.snapshot()
            kinds.append(snapshotter.appended)
            assert _partitions(snapshotter) == _partitions(_full_read(aws, data))
        first = kinds.index(False)
        assert all(kinds[:first]) and first > 3  # appended until a quarter of the file, then written whole
        assert data.snapshot_path.stat().st_size < base * 1.25 + 200


def test_a_restore_gives_back_items_objects_and_logins(aws: Aws, tmp_path: Path, moto_endpoint: str) -> None:
    data = DataDir(tmp_path / "data")
    ddb, s3, cognito = aws.client("dynamodb"), aws.client("s3"), aws.client("cognito-idp")
    tickets = aws.resources.names["TicketsTable"]
    ddb.put_item(TableName=tickets, Item={"pk": {"S": "T1"}, "sk": {"S": "TICKET"}, "tags": {"SS": ["a", "b"]}})
    s3.put_object(Bucket=aws.bucket, Key="attachments/T1/rechnung.pdf", Body=b"%PDF", ContentType="application/pdf")
    pool = aws.resources.user_pool_id
    cognito.admin_create_user(UserPoolId=pool, Username="lena", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="lena", Password="Lenas-Passwort-2026", Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="lena", GroupName="agent")
    with data.held():
        data.journal("inbound/01aaa", b"Subject: schon da\r\n\r\nx")
        data.journal("inbound/01bbb", b"Subject: nach dem Snapshot\r\n\r\nx")
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.ingested = {"inbound/01aaa"}
        snapshotter.snapshot()
        before = _partitions(snapshotter)

    resources = _reset(moto_endpoint)
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        assert restored.restore() == ["inbound/01bbb"]  # kept, but not ingested when the snapshot was taken
        assert _partitions(restored) == before
        assert _partitions(_full_read(Aws(moto_endpoint, resources), data)) == before  # moto has them
    item = ddb.get_item(TableName=tickets, Key={"pk": {"S": "T1"}, "sk": {"S": "TICKET"}})["Item"]
    assert sorted(item["tags"]["SS"]) == ["a", "b"]
    got = s3.get_object(Bucket=resources.names["MailBucket"], Key="attachments/T1/rechnung.pdf")
    assert (got["Body"].read(), got["ContentType"]) == (b"%PDF", "application/pdf")
    assert s3.get_object(Bucket=resources.names["MailBucket"], Key="inbound/01bbb")["Body"].read().startswith(b"Sub")
    assert _buffers(resources) == {"FileBuffer"}  # read from the data directory, not held in memory
    pool = resources.user_pool_id
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="lena")["Groups"]
    assert [g["GroupName"] for g in groups] == ["agent"]
    login = cognito.initiate_auth(
        ClientId=resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "lena", "PASSWORD": "Lenas-Passwort-2026"},
    )
    assert login["AuthenticationResult"]["IdToken"]


def test_after_a_restore_equal_values_are_shared_and_changing_one_item_leaves_the_others(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Memory at 10,000 tickets (issue 19): a restore keeps one object per scalar value and no partition's
    line in memory; the next snapshot copies unchanged lines from the file it replaces."""
    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    tickets = aws.resources.names["TicketsTable"]
    for n in range(3):
        item = {
            "pk": {"S": f"T{n}"},
            "sk": {"S": "TICKET"},
            "status": {"S": "open"},
            "count": {"N": "1"},
            "tags": {"L": [{"S": "rechnung"}]},
            "from": {"M": {"name": {"S": "Brigitte Weiß"}}},
            "words": {"SS": ["drucker", "streikt"]},
        }
        ddb.put_item(TableName=tickets, Item=item)
    with data.held():
        Snapshotter(data, aws.resources, threading.Lock()).snapshot()

    resources = _reset(moto_endpoint)
    fresh = Aws(moto_endpoint, resources)
    tickets = resources.names["TicketsTable"]
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        assert not [key for key, fragment in restored.fragments.items() if isinstance(fragment, bytes)]

        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"]["eu-central-1"].get_table(tickets)
        items = [table.items[hash_key][range_key] for hash_key in table.items for range_key in table.items[hash_key]]
        assert len({id(i.attrs["status"]) for i in items}) == 1  # one "open" for the three
        assert len({id(i.attrs["tags"]) for i in items}) == 3  # lists are changed in place: never shared
        assert len({id(i.attrs["words"]) for i in items}) == 1  # sets are shared, copied before an update

        ddb.update_item(
            TableName=tickets,
            Key={"pk": {"S": "T0"}, "sk": {"S": "TICKET"}},
            UpdateExpression="SET #s = :s, tags = list_append(tags, :t), #f.#n = :n ADD #c :one",
            ExpressionAttributeNames={"#s": "status", "#c": "count", "#f": "from", "#n": "name"},
            ExpressionAttributeValues={
                ":s": {"S": "closed"},
                ":t": {"L": [{"S": "dringend"}]},
                ":n": {"S": "B. Weiss"},
                ":one": {"N": "1"},
            },
        )
        ddb.update_item(
            TableName=tickets,
            Key={"pk": {"S": "T0"}, "sk": {"S": "TICKET"}},
            UpdateExpression="ADD words :w",
            ExpressionAttributeValues={":w": {"SS": ["toner"]}},
        )
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": tickets,
                        "Key": {"pk": {"S": "T1"}, "sk": {"S": "TICKET"}},
                        "UpdateExpression": "DELETE words :w",
                        "ExpressionAttributeValues": {":w": {"SS": ["streikt"]}},
                    }
                }
            ]
        )
        changed = ddb.get_item(TableName=tickets, Key={"pk": {"S": "T0"}, "sk": {"S": "TICKET"}})["Item"]
        assert (changed["status"], changed["count"]) == ({"S": "closed"}, {"N": "2"})
        assert sorted(changed["words"]["SS"]) == ["drucker", "streikt", "toner"]
        one = ddb.get_item(TableName=tickets, Key={"pk": {"S": "T1"}, "sk": {"S": "TICKET"}})["Item"]
        assert one["words"] == {"SS": ["drucker"]}
        item = ddb.get_item(TableName=tickets, Key={"pk": {"S": "T2"}, "sk": {"S": "TICKET"}})["Item"]
        assert (item["status"], item["count"], item["tags"], item["from"], sorted(item["words"]["SS"])) == (
            {"S": "open"},
            {"N": "1"},
            {"L": [{"S": "rechnung"}]},
            {"M": {"name": {"S": "Brigitte Weiß"}}},
            ["drucker", "streikt"],
        )

        restored.snapshot()  # T0's line read again, the others copied from the file being replaced
        assert _partitions(restored) == _partitions(_full_read(fresh, data))
        lines = data.snapshot_path.read_bytes().splitlines()
        assert len(lines) == 1 + len(restored.fragments)
        assert all(isinstance(fragment, tuple) for fragment in restored.fragments.values())


def test_a_large_partition_is_written_in_parts_and_a_change_rewrites_only_its_part(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Snapshot cost at 10,000 tickets (issue 19): a common word's postings (2,500 items, a megabyte) were
    written again whole for every new mail that had the word. Above 256 items a partition is 64 parts."""
    from helpdesk_local.moto_cold import PARTS, SPLIT_ABOVE

    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    search = aws.resources.names["SearchTable"]
    keys = ddb.describe_table(TableName=search)["Table"]["KeySchema"]
    pk, sk = (next(k["AttributeName"] for k in keys if k["KeyType"] == kind) for kind in ("HASH", "RANGE"))

    def posting(word: str, n: int) -> dict[str, Any]:
        return {pk: {"S": f"K#{word}#1"}, sk: {"S": f"T-{n:06d}"}, "w": {"N": str(n % 7)}}

    for n in range(SPLIT_ABOVE + 40):
        ddb.put_item(TableName=search, Item=posting("rechnung", n))
    for n in range(5):
        ddb.put_item(TableName=search, Item=posting("selten", n))
    with data.held():
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.snapshot()
        parts = [k for k in snapshotter.fragments if k[0] == "SearchTable" and '"K#rechnung#1"' in k[1]]
        assert len(parts) > PARTS // 2 and all(k[2] is not None for k in parts)
        assert [k[2] for k in snapshotter.fragments if '"K#selten#1"' in k[1]] == [None]  # small: one line

        ddb.put_item(TableName=search, Item=posting("rechnung", 99999))
        ddb.delete_item(TableName=search, Key={pk: {"S": "K#rechnung#1"}, sk: {"S": "T-000003"}})
        ddb.put_item(TableName=search, Item=posting("selten", 7))
        snapshotter._capture_tables()
        read_again = [k for k, fragment in snapshotter.fragments.items() if isinstance(fragment, bytes)]
        assert len(read_again) <= 3  # the two changed parts and the small partition, not all 128 parts
        snapshotter.snapshot()
        assert _partitions(snapshotter) == _partitions(_full_read(aws, data))
        before = _partitions(snapshotter)

    resources = _reset(moto_endpoint)
    fresh = Aws(moto_endpoint, resources)
    search = resources.names["SearchTable"]
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        assert _partitions(restored) == before
        got = fresh.client("dynamodb").query(
            TableName=search,
            KeyConditionExpression="#p = :p",
            ExpressionAttributeNames={"#p": pk},
            ExpressionAttributeValues={":p": {"S": "K#rechnung#1"}},
            Select="COUNT",
        )
        assert got["Count"] == SPLIT_ABOVE + 40  # one added, one deleted

        for n in range(SPLIT_ABOVE + 40):  # it shrinks to one line again
            if n >= 10:
                fresh.client("dynamodb").delete_item(
                    TableName=search, Key={pk: {"S": "K#rechnung#1"}, sk: {"S": f"T-{n:06d}"}}
                )
        restored.snapshot()
        assert [k[2] for k in restored.fragments if '"K#rechnung#1"' in k[1]] == [None]
        assert _partitions(restored) == _partitions(_full_read(fresh, data))


def test_after_a_failed_append_the_next_snapshot_writes_the_whole_file(
    aws: Aws, tmp_path: Path, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch half on disk (the disk filled up while it was appended) must not count with a later commit."""
    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    tickets = aws.resources.names["TicketsTable"]
    _set(ddb, tickets, "T1", 1)
    _set(ddb, tickets, "T2", 1)
    with data.held():
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.snapshot()
        _set(ddb, tickets, "T1", 2)
        real = os.fsync

        def full_disk(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space left"):
            snapshotter.snapshot()  # T1's line is in the file, its commit line is not
        monkeypatch.setattr(os, "fsync", real)
        ddb.delete_item(TableName=tickets, Key={"pk": {"S": "T1"}, "sk": {"S": "TICKET"}})
        snapshotter.snapshot()
        appended = snapshotter.appended

    resources = _reset(moto_endpoint)
    with data.held():
        Snapshotter(data, resources, threading.Lock()).restore()
    assert _numbers(Aws(moto_endpoint, resources)) == {"T2": "1"}  # T1 is not back from the half batch
    assert not appended


def test_a_restored_stack_names_the_tickets_missing_from_the_search_index(aws: Aws, tmp_path: Path) -> None:
    """Data kept from before the search index: search finds only what changed since, and nothing said so."""
    from helpdesk_local.stack import LocalConfig, LocalStack

    ddb = aws.client("dynamodb")
    tickets, search = aws.resources.names["TicketsTable"], aws.resources.names["SearchTable"]
    for ticket in ("T1", "T2", "T3"):
        ddb.put_item(TableName=tickets, Item={"pk": {"S": ticket}, "sk": {"S": "TICKET"}})
        ddb.put_item(TableName=tickets, Item={"pk": {"S": ticket}, "sk": {"S": "MSG#1"}})
    ddb.put_item(TableName=search, Item={"pk": {"S": "M#T1"}, "sk": {"S": "M"}})
    ddb.put_item(TableName=search, Item={"pk": {"S": "K#drucker#0"}, "sk": {"S": "T2"}})  # a posting, no manifest
    snapshotter = Snapshotter(DataDir(tmp_path / "data"), aws.resources, threading.Lock())
    assert snapshotter.unindexed() == (2, 3)

    stack = LocalStack(LocalConfig())
    stack.unindexed = snapshotter.unindexed()
    assert "2 of 3 tickets are not in the search index" in stack.banner()
    assert "helpdesk reindex" in stack.banner()
    stack.unindexed = (0, 3)
    assert "reindex" not in stack.banner()


def test_after_a_restore_the_search_postings_stay_compressed_until_read_and_changes_to_them_are_kept(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Memory at 10,000 tickets (issue 19): the tables without an index keep restored partitions as
    compressed lines (moto_cold), built on first use; a query, an update's ADD, a delete and a put on them,
    a freeze in between, and the next snapshot equals a full read."""
    from moto.dynamodb.models import dynamodb_backends

    from helpdesk_local.moto_cold import SPLIT_ABOVE, Partition

    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    search = aws.resources.names["SearchTable"]

    def posting(word: str, n: int) -> dict[str, Any]:
        return {"pk": {"S": f"K#{word}#0"}, "sk": {"S": f"T-{n:06d}"}, "w": {"SS": [word]}, "f": {"N": "1"}}

    for n in range(SPLIT_ABOVE + 40):
        ddb.put_item(TableName=search, Item=posting("rechnung", n))
    for n in range(5):
        ddb.put_item(TableName=search, Item=posting("selten", n))
    with data.held():
        Snapshotter(data, aws.resources, threading.Lock()).snapshot()

    resources = _reset(moto_endpoint)
    ddb = Aws(moto_endpoint, resources).client("dynamodb")
    search = resources.names["SearchTable"]
    table = dynamodb_backends["123456789012"]["eu-central-1"].get_table(search)
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        partitions = [p for p in table.items.values() if isinstance(p, Partition) and dict.__len__(p) == 0]
        assert partitions and len(partitions) == len(table.items)  # all of them, none built

        def query(word: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = ddb.query(
                TableName=search,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": f"K#{word}#0"}},
            )["Items"]
            return items

        assert len(query("rechnung")) == SPLIT_ABOVE + 40 and len(query("selten")) == 5
        for partition in partitions:  # what the freezer does to partitions nobody touched for a while
            partition.freeze()
        scanned, start = 0, None
        while True:  # a paged Scan (helpdesk reindex) reads frozen partitions without keeping them built
            page = ddb.scan(TableName=search, Limit=50, **({"ExclusiveStartKey": start} if start else {}))
            scanned += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert scanned == SPLIT_ABOVE + 45 and all(dict.__len__(p) == 0 for p in partitions)
        ddb.update_item(
            TableName=search,
            Key={"pk": {"S": "K#rechnung#0"}, "sk": {"S": "T-000007"}},
            UpdateExpression="ADD w :w SET f = :f",
            ExpressionAttributeValues={":w": {"SS": ["mahnung"]}, ":f": {"N": "3"}},
        )
        ddb.delete_item(TableName=search, Key={"pk": {"S": "K#selten#0"}, "sk": {"S": "T-000002"}})
        ddb.put_item(TableName=search, Item=posting("selten", 99))
        for partition in partitions:
            partition.freeze()
        item = ddb.get_item(TableName=search, Key={"pk": {"S": "K#rechnung#0"}, "sk": {"S": "T-000007"}})["Item"]
        assert sorted(item["w"]["SS"]) == ["mahnung", "rechnung"] and item["f"] == {"N": "3"}
        other = ddb.get_item(TableName=search, Key={"pk": {"S": "K#rechnung#0"}, "sk": {"S": "T-000008"}})["Item"]
        assert other["w"]["SS"] == ["rechnung"]  # the set it shared before the restore is its own
        assert sorted(i["sk"]["S"] for i in query("selten")) == [f"T-{n:06d}" for n in (0, 1, 3, 4, 99)]
        restored.snapshot()
        assert _partitions(restored) == _partitions(_full_read(Aws(moto_endpoint, resources), data))


def test_restored_search_postings_stay_in_the_snapshot_file_until_used_even_after_it_is_written_anew(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Memory and start-up at 10,000 tickets (issue 19): a restore leaves the cold tables' lines in the
    file (about 40 MB less than keeping them compressed, and no compression at start); they are read on
    first use, also after a snapshot wrote the file anew (the restore's open file keeps the lines)."""
    from moto.dynamodb.models import dynamodb_backends

    from helpdesk_local.moto_cold import FileLine, Partition

    data = DataDir(tmp_path / "data")
    ddb = aws.client("dynamodb")
    search = aws.resources.names["SearchTable"]
    words = ["rechnung", "drucker", "lieferung"]
    for word in words:
        for n in range(4):
            item = {"pk": {"S": f"K#{word}#0"}, "sk": {"S": f"T-{n:06d}"}, "w": {"SS": [word]}}
            ddb.put_item(TableName=search, Item=item)
    with data.held():
        Snapshotter(data, aws.resources, threading.Lock()).snapshot()
    # One line as a data directory written before line headers has it: parsed whole, restored the same.
    lines = data.snapshot_path.read_bytes().split(b"\n")
    for n, line in enumerate(lines):
        if b"K#drucker#0" in line:
            parsed = json.loads(line)
            lines[n] = json.dumps({"table": parsed["table"], "items": parsed["items"]}).encode()
    data.snapshot_path.write_bytes(b"\n".join(lines))

    resources = _reset(moto_endpoint)
    client = Aws(moto_endpoint, resources)
    ddb = client.client("dynamodb")
    search = resources.names["SearchTable"]
    table = dynamodb_backends["123456789012"]["eu-central-1"].get_table(search)
    with data.held():
        restored = Snapshotter(data, resources, threading.Lock())
        restored.restore()
        partitions = [p for p in table.items.values() if isinstance(p, Partition)]
        assert len(partitions) == len(words)
        assert all(isinstance(blob, FileLine) for p in partitions for blob, _ in p.blobs.values())
        before = data.snapshot_path.stat().st_ino
        _set(ddb, resources.names["TicketsTable"], "T1", 1)
        restored.appendable = False  # the next snapshot writes the whole file, as a compaction does
        restored.snapshot()
        assert data.snapshot_path.stat().st_ino != before
        for word in words:
            found = ddb.query(
                TableName=search,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": f"K#{word}#0"}},
            )["Items"]
            assert sorted(i["sk"]["S"] for i in found) == [f"T-{n:06d}" for n in range(4)]
        assert _partitions(restored) == _partitions(_full_read(client, data))


def test_s3_objects_are_read_from_the_data_directory_once_a_snapshot_wrote_them(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Memory (issue 19): moto held every object's bytes in memory (raw mail, attachments: hundreds of MB
    for a team's mail); on disk anyway, they are read from there."""
    data = DataDir(tmp_path / "data")
    s3 = aws.client("s3")
    bucket = aws.resources.names["MailBucket"]
    body = bytes(range(256)) * 4000  # a 1 MB attachment
    s3.put_object(Bucket=bucket, Key="attachments/T1/scan.pdf", Body=body)
    with data.held():
        data.journal("inbound/01ccc", b"Subject: Hallo\r\n\r\nText")
        s3.put_object(Bucket=bucket, Key="inbound/01ccc", Body=b"Subject: Hallo\r\n\r\nText")
        assert _buffers(aws.resources) == {"SpooledTemporaryFile"}
        Snapshotter(data, aws.resources, threading.Lock()).snapshot()
        assert _buffers(aws.resources) == {"FileBuffer"}
        assert s3.get_object(Bucket=bucket, Key="attachments/T1/scan.pdf")["Body"].read() == body
        part = s3.get_object(Bucket=bucket, Key="attachments/T1/scan.pdf", Range="bytes=256-511")["Body"].read()
        assert part == bytes(range(256))
        s3.put_object(Bucket=bucket, Key="attachments/T1/scan.pdf", Body=b"%PDF neu")  # a new object
        assert s3.get_object(Bucket=bucket, Key="attachments/T1/scan.pdf")["Body"].read() == b"%PDF neu"
        copied = s3.copy_object(Bucket=bucket, Key="copy.eml", CopySource={"Bucket": bucket, "Key": "inbound/01ccc"})
        assert copied["CopyObjectResult"]["ETag"] == s3.head_object(Bucket=bucket, Key="inbound/01ccc")["ETag"]
        assert s3.get_object(Bucket=bucket, Key="copy.eml")["Body"].read().endswith(b"Text")


def test_raw_mail_deleted_from_the_bucket_leaves_the_data_directory_and_does_not_come_back(
    aws: Aws, tmp_path: Path, moto_endpoint: str
) -> None:
    """Data protection: an erasure deletes the customer's raw mail from S3; locally its journal file stayed
    and every start put it back into the bucket."""
    data = DataDir(tmp_path / "data")
    s3 = aws.client("s3")
    bucket = aws.resources.names["MailBucket"]
    with data.held():
        for key in ("inbound/01ddd", "inbound/01eee"):
            data.journal(key, b"Subject: Bitte l\xc3\xb6schen\r\n\r\nText")
            s3.put_object(Bucket=bucket, Key=key, Body=b"Subject: Bitte l\xc3\xb6schen\r\n\r\nText")
        data.journal("inbound/01fff", b"Subject: noch nicht im Bucket\r\n\r\nx")  # SMTP has it, S3 not yet
        snapshotter = Snapshotter(data, aws.resources, threading.Lock())
        snapshotter.ingested = {"inbound/01ddd", "inbound/01eee"}
        snapshotter.snapshot()
        s3.delete_object(Bucket=bucket, Key="inbound/01ddd")  # what an erasure does
        snapshotter.snapshot()
        assert data.journal_keys() == ["inbound/01eee", "inbound/01fff"]
        assert snapshotter.ingested == {"inbound/01eee"}

    resources = _reset(moto_endpoint)
    with data.held():
        assert Snapshotter(data, resources, threading.Lock()).restore() == ["inbound/01fff"]
    listed = aws.client("s3").list_objects_v2(Bucket=resources.names["MailBucket"]).get("Contents", [])
    assert sorted(o["Key"] for o in listed) == ["inbound/01eee", "inbound/01fff"]
