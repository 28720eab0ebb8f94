"""The local stack's stand-ins for the live socket: API Gateway's event shapes, route selection, the
template's stream filters, and one stream reader feeding two consumers as two event source mappings do."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_local.filters import matches, stream_filter
from helpdesk_local.live_server import new_connection_id, route_keys, select_route, socket_event
from helpdesk_local.runners import StreamPoller


def test_events_have_api_gateways_websocket_shape() -> None:
    connect = socket_event(
        "CONNECT",
        "$connect",
        "abc=",
        connected_at=1,
        domain="127.0.0.1:8001",
        query={"token": ["t"]},
        headers={"host": "127.0.0.1:8001", "user-agent": "ua"},
    )
    context = connect["requestContext"]
    assert (context["routeKey"], context["eventType"], context["connectionId"]) == ("$connect", "CONNECT", "abc=")
    assert context["domainName"] == "127.0.0.1:8001" and context["stage"] == "local" and context["requestId"]
    assert connect["queryStringParameters"] == {"token": "t"} and "body" not in connect
    message = socket_event("MESSAGE", "ping", "abc=", connected_at=1, domain="d", body='{"action":"ping"}')
    assert message["body"] == '{"action":"ping"}' and message["requestContext"]["messageId"]
    assert "queryStringParameters" not in message and message["isBase64Encoded"] is False
    gone = socket_event("DISCONNECT", "$disconnect", "abc=", connected_at=1, domain="d", close_code=1001)
    assert gone["requestContext"]["disconnectStatusCode"] == 1001 and "body" not in gone


def test_routes_are_selected_by_the_frames_action_as_the_template_says() -> None:
    keys, two_way = route_keys()
    assert keys == {"$connect", "$disconnect", "$default", "subscribe", "presence", "ping"}
    assert two_way == {"$default", "subscribe", "presence", "ping"}
    assert select_route('{"action": "subscribe"}', keys) == "subscribe"
    assert select_route('{"action": "shout"}', keys) == "$default"
    assert select_route('{"action": "$connect"}', keys) == "$default"
    assert select_route("not json", keys) == "$default"
    assert select_route("[]", keys) == "$default"


def test_connection_ids_look_like_api_gateways() -> None:
    ids = {new_connection_id() for _ in range(50)}
    assert len(ids) == 50 and all(len(i) == 16 and i.endswith("=") for i in ids)


def _record(kind: str, event: str = "INSERT", seq: int = 1) -> dict[str, Any]:
    return {"eventName": event, "dynamodb": {"SequenceNumber": str(seq), "NewImage": {"kind": {"S": kind}}}}


def test_the_fan_outs_stream_filter_is_the_templates() -> None:
    keep = stream_filter("LiveFanoutFunction")
    assert keep(_record("ticket", "INSERT")) and keep(_record("ticket", "MODIFY"))
    assert keep(_record("event", "INSERT")) and not keep(_record("event", "MODIFY"))
    assert keep(_record("message", "MODIFY")) and not keep(_record("message", "INSERT"))
    assert not keep(_record("tag")) and not keep({"eventName": "REMOVE", "dynamodb": {}})
    publisher = stream_filter("PublisherFunction")
    assert publisher(_record("event")) and not publisher(_record("ticket", "MODIFY"))
    with pytest.raises(ValueError, match="unsupported"):
        matches({"a": "x"}, {"a": "x"})  # a value must be a list of allowed values


class FakeStreams:
    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.records = records

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "s1"}]}}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        start = int(ShardIterator)
        batch = self.records[start : start + 2]
        return {"Records": batch, "NextShardIterator": str(start + len(batch))}


def test_one_reader_feeds_two_consumers_and_retries_only_the_one_that_failed() -> None:
    records = [_record("event", seq=1), _record("ticket", "MODIFY", seq=2), _record("event", seq=3)]
    streams = FakeStreams(records)
    seen: dict[str, list[int]] = {"publisher": [], "live": []}
    failures = {"publisher": 1}

    def handler(name: str) -> Any:
        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            if failures.get(name):
                failures[name] -= 1
                raise RuntimeError("EventBridge is down")
            seen[name] += [int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"]]
            return {}

        return handle

    poller = StreamPoller(streams, "arn", handler("publisher"), "publisher", keep=lambda r: r["eventName"] == "INSERT")
    poller.add(handler("live"), "live")
    poller.step()  # the publisher fails on records 1-2; the live consumer handles them
    assert seen == {"publisher": [], "live": [1, 2]}
    for _ in range(3):
        poller.step()
    assert seen == {"publisher": [1, 3], "live": [1, 2, 3]}  # the live consumer never got 1-2 twice


def test_an_idle_stream_is_not_polled_until_something_was_written() -> None:
    """An idle local stack read the stream five times a second (three requests each): with a write counter
    the reader asks again only after a write, and a failed delivery is retried without one."""
    records = [_record("event", seq=1)]
    streams = FakeStreams(records)
    calls: list[str] = []
    get_records = streams.get_records

    def counting(ShardIterator: str, Limit: int) -> dict[str, Any]:
        calls.append(ShardIterator)
        return get_records(ShardIterator, Limit)

    streams.get_records = counting  # type: ignore[method-assign]
    writes = [1]
    fail = [1]
    seen: list[int] = []

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if fail[0]:
            fail[0] -= 1
            raise RuntimeError("down")
        seen.extend(int(r["dynamodb"]["SequenceNumber"]) for r in event["Records"])
        return {}

    poller = StreamPoller(streams, "arn", handle, "publisher", writes=lambda: writes[0])
    assert not poller.step()  # the handler failed: not drained
    assert poller.step() and seen == [1]  # retried without a new write
    assert not poller.step()  # read to the end
    before = len(calls)
    for _ in range(5):
        assert not poller.step()
    assert len(calls) == before  # nothing written: nothing asked
    records.append(_record("event", seq=2))
    writes[0] += 1
    assert poller.step() and seen == [1, 2]


def test_a_woken_loop_steps_at_once_not_after_its_idle_pause() -> None:
    """The stream poller waited up to 0.2 s after each write before reading the stream (on average half
    of it added to every live update): the moto gate now wakes it on every write."""
    import threading

    from helpdesk_local.moto_server import _SerializeDynamoDB
    from helpdesk_local.runners import Loop

    steps: list[int] = []
    second = threading.Event()

    def step() -> bool:
        steps.append(1)
        if len(steps) == 2:
            second.set()
        return False  # nothing to do: the loop pauses

    loop = Loop("test", step, idle=60.0)
    gate = _SerializeDynamoDB(lambda environ, start: [b""])
    gate.on_change.append(loop.wake)
    loop.start()
    try:
        while not steps:  # the first step has run; the loop is in its 60 s pause
            threading.Event().wait(0.01)
        gate({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.Query"}, print)  # a read changes nothing: no wake
        assert not second.wait(0.3)
        gate({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, print)  # a write
        assert second.wait(10), "the write did not wake the loop"
    finally:
        loop.stop()
        loop.join(5)
    assert not loop.is_alive()  # stop() ends the pause too
