"""helpdesk_local.persist: the data directory's lock, mail journal, backup and restore; what counts as a change."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpdesk.cli import app
from helpdesk_local.moto_server import changes_state
from helpdesk_local.persist import DataDir, DataDirBusy, backup, restore_backup, s3_keys


def test_one_stack_per_data_directory_and_the_lock_goes_with_its_holder(tmp_path: Path) -> None:
    first, second = DataDir(tmp_path / "d"), DataDir(tmp_path / "d")
    first.acquire()
    with pytest.raises(DataDirBusy):
        second.acquire()
    first.release()
    with second.held():
        pass
    second.acquire()  # released by held(): free again
    second.release()


def test_the_journal_keeps_raw_mail_whole_in_arrival_order(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d")
    data.acquire()
    assert data.is_empty()
    data.journal("inbound/01b", b"second")
    data.journal("inbound/01a", b"first")
    assert data.journal_keys() == ["inbound/01a", "inbound/01b"]
    assert (data.inbound / "01a").read_bytes() == b"first"
    assert not data.is_empty()
    assert [p.name for p in data.inbound.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    data.forget("inbound/01b")
    assert data.journal_keys() == ["inbound/01a"]
    for bad in ("inbound/../x", "inbound/", "other/x", "inbound/.hidden"):
        with pytest.raises(ValueError, match="not an inbound key"):
            data.journal(bad, b"x")


def test_backup_and_restore_round_trip_while_stopped(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d")
    with data.held():
        data.journal("inbound/01a", b"mail")
        data.snapshot_path.write_text(json.dumps({"format": 2}) + "\n")
        (data.objects / "abc").write_bytes(b"attachment")
    archive = tmp_path / "backup.tar.gz"
    assert backup(data, archive) == 3
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["inbound/01a", "objects/abc", "snapshot.jsonl"]  # not the lock

    other = DataDir(tmp_path / "other")
    with other.held():
        other.journal("inbound/01z", b"replaced")
    assert restore_backup(other, archive) == 3
    assert other.journal_keys() == ["inbound/01a"]
    assert (other.objects / "abc").read_bytes() == b"attachment"

    data.acquire()  # a running stack holds it
    with pytest.raises(DataDirBusy):
        backup(data, tmp_path / "second.tar.gz")
    with pytest.raises(DataDirBusy):
        restore_backup(data, archive)
    data.release()


def test_restore_refuses_an_archive_that_is_no_backup(tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    archive = tmp_path / "other.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(stray, arcname="notes.txt")
    data = DataDir(tmp_path / "d")
    with data.held():
        data.journal("inbound/01a", b"mail")
    with pytest.raises(ValueError, match="not a backup"):
        restore_backup(data, archive)
    assert data.journal_keys() == ["inbound/01a"]  # untouched


def test_fresh_asks_before_deleting_and_keeps_everything_on_no(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d")
    with data.held():
        data.journal("inbound/01a", b"mail")
    result = CliRunner().invoke(app, ["local", "--fresh", "--data-dir", str(data.path)], input="n\n")
    assert result.exit_code == 1 and "Delete every ticket" in result.output
    assert data.journal_keys() == ["inbound/01a"]
    result = CliRunner().invoke(app, ["restore", str(tmp_path / "missing.tar.gz"), "--data-dir", str(data.path)])
    assert result.exit_code == 2


def test_backup_command_refuses_a_running_stacks_directory(tmp_path: Path) -> None:
    data = DataDir(tmp_path / "d")
    data.acquire()
    data.journal("inbound/01a", b"mail")
    result = CliRunner().invoke(app, ["backup", str(tmp_path / "b.tar.gz"), "--data-dir", str(data.path)])
    assert result.exit_code == 2 and "in use" in result.output
    data.release()
    result = CliRunner().invoke(app, ["backup", str(tmp_path / "b.tar.gz"), "--data-dir", str(data.path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("method", "target", "changes"),
    [
        ("POST", "DynamoDB_20120810.Query", False),
        ("POST", "DynamoDB_20120810.BatchGetItem", False),
        ("POST", "DynamoDB_20120810.DescribeTable", False),
        ("POST", "DynamoDB_20120810.TransactWriteItems", True),
        ("POST", "DynamoDB_20120810.UpdateItem", True),
        ("POST", "DynamoDBStreams_20120810.GetRecords", False),
        ("POST", "AmazonSQS.ReceiveMessage", False),
        ("POST", "AWSEvents.PutEvents", False),
        ("POST", "AWSCognitoIdentityProviderService.AdminSetUserPassword", True),
        ("PUT", "", True),  # S3 PutObject
        ("POST", "", True),  # S3 presigned POST, SES (query protocol)
        ("DELETE", "", True),
        ("GET", "", False),
        ("HEAD", "", False),
    ],
)
def test_which_requests_make_a_snapshot_due(method: str, target: str, changes: bool) -> None:
    environ = {"REQUEST_METHOD": method} | ({"HTTP_X_AMZ_TARGET": target} if target else {})
    assert changes_state(environ) is changes


def test_the_ingested_keys_come_from_the_s3_event_in_the_sqs_body() -> None:
    body = json.dumps(
        {"Records": [{"s3": {"object": {"key": "inbound/01abc"}}}, {"s3": {"object": {"key": "a+b%2Fc"}}}]}
    )
    assert s3_keys(body) == ["inbound/01abc", "a b/c"]
    assert s3_keys("not json") == [] and s3_keys("[1]") == [] and s3_keys('{"Records": [1]}') == []


def test_a_line_header_names_the_partition_without_its_items_and_old_lines_have_none() -> None:
    """Start-up at 10,000 tickets (issue 19): a restore reads a cold table's line by its header alone."""
    from helpdesk_local.persist import _line_header, encode_line

    tricky = {"S": 'K#a","items":[{"x#0'}  # the items' marker inside a value: its quotes are escaped
    items = [{"pk": tricky, "sk": {"S": f"T-{n}"}, "s": {"S": ',"items":'}} for n in range(3)]
    line = encode_line("SearchTable", 7, tricky, items)
    assert _line_header(line) == {"table": "SearchTable", "part": 7, "count": 3, "hash": tricky}
    assert json.loads(line)["items"] == items
    assert _line_header(encode_line("MetaTable", None, tricky, items[:1])) == {
        "table": "MetaTable",
        "count": 1,
        "hash": tricky,
    }
    old = json.dumps({"table": "SearchTable", "items": items}, separators=(",", ":")).encode()
    assert _line_header(old) is None  # written before: parsed whole
