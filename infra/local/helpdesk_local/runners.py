"""Background loops that stand in for Lambda's event sources: SQS, DynamoDB stream, schedule.

Each calls the *same* handler the Lambda runs, with the event shape AWS sends, and deletes or
acknowledges only what the handler reports as done.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("helpdesk.local")
Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """Enough of Lambda's context object for Powertools and our handlers."""

    function_name: str
    timeout_seconds: float = 60.0
    memory_limit_in_mb: int = 512

    def __post_init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:eu-central-1:123456789012:function:{self.function_name}"
        self.function_version = "$LATEST"
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + self.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Loop(threading.Thread):
    """A daemon thread that calls ``step`` until stopped; errors are logged, never fatal.

    After a step that found nothing to do it waits ``idle`` seconds, or until :meth:`wake` (what it
    reads changed: the stream poller is woken by every DynamoDB write, so a change reaches the
    fan-out at once rather than after half an idle pause on average).
    """

    def __init__(self, name: str, step: Callable[[], bool], idle: float) -> None:
        super().__init__(name=name, daemon=True)
        self.step = step
        self.idle = idle
        self.stopping = threading.Event()
        self.busy = threading.Event()
        self._woken = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self._woken.clear()  # before the step: a wake during it makes the next step come at once
            try:
                self.busy.set()
                worked = self.step()
            except Exception:
                log.exception("%s failed", self.name)
                worked = False
            finally:
                self.busy.clear()
            if not worked:
                self._woken.wait(self.idle)

    def wake(self) -> None:
        self._woken.set()

    def stop(self) -> None:
        self.stopping.set()
        self._woken.set()


class SqsPoller:
    """Receives from a queue, invokes the handler with an SQS event, deletes what succeeded.

    Failed records stay in the queue; locally their visibility is shortened to ``retry_delay`` seconds
    (on AWS they reappear after the queue's visibility timeout) so retries and the move to the
    dead-letter queue after ``maxReceiveCount`` happen within seconds.
    """

    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        handler: Handler,
        function_name: str,
        retry_delay: int = 2,
        on_batch: Callable[[list[dict[str, Any]], set[str]], None] | None = None,
    ) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.handler = handler
        self.function_name = function_name
        self.retry_delay = retry_delay
        self.on_batch = on_batch

    def step(self) -> bool:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return False
        event = {"Records": [self._record(m) for m in messages]}
        try:
            result = self.handler(event, LambdaContext(self.function_name)) or {}
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:
            log.exception("%s raised: the whole batch will be retried", self.function_name)
            failed = {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=self.retry_delay
                )
            else:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        if self.on_batch:
            self.on_batch(messages, failed)
        return True

    def _record(self, m: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes", {}),
            "messageAttributes": m.get("MessageAttributes", {}),
            "md5OfBody": m.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": "eu-central-1",
        }


@dataclass
class StreamConsumer:
    """One event source mapping on the stream: a handler, its filter, and how far it got per shard."""

    handler: Handler
    function_name: str
    keep: Callable[[dict[str, Any]], bool] = lambda r: True
    done: dict[str, int] = field(default_factory=dict)  # shard → highest sequence number handled


class StreamPoller:
    """Reads a DynamoDB stream (all shards) once and invokes every consumer's handler with stream events.

    Like two event source mappings on one stream, each consumer sees every record its filter keeps,
    once: when one consumer fails, the shard is read again from the same place, and only the
    consumer that failed gets those records again (the others have already handled them).

    ``writes``, when given, counts the writes that may add stream records (the moto server's gate):
    while it stands where it stood when the stream was last read to its end, a step reads nothing
    (an idle stack polled the stream five times a second, three requests each).
    """

    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        handler: Handler | None = None,
        function_name: str = "",
        keep: Callable[[dict[str, Any]], bool] = lambda r: True,
        writes: Callable[[], int] | None = None,
        passed: Callable[[list[str]], object] | None = None,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.consumers: list[StreamConsumer] = []
        if handler is not None:
            self.add(handler, function_name, keep)
        self.iterators: dict[str, str | None] = {}
        self.writes = writes
        self.drained_at: int | None = None  # ``writes()`` when the stream was last read to its end
        self.passed = passed  # told the shard iterators every consumer is done with (the stack lets moto forget them)

    def add(
        self, handler: Handler, function_name: str, keep: Callable[[dict[str, Any]], bool] = lambda r: True
    ) -> None:
        self.consumers.append(StreamConsumer(handler, function_name, keep))

    def _refresh_shards(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self.iterators:
                self.iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]

    def step(self) -> bool:
        mark = self.writes() if self.writes is not None else None  # read first: a later write is seen next time
        if mark is not None and mark == self.drained_at:
            return False
        self._refresh_shards()
        worked = failed = False
        done: list[str] = []
        for shard_id, iterator in list(self.iterators.items()):
            if iterator is None:
                continue
            response = self.streams.get_records(ShardIterator=iterator, Limit=100)
            records = [self._record(r) for r in response.get("Records", [])]
            outcomes = [self._deliver(consumer, shard_id, records) for consumer in self.consumers]  # each one
            handled = all(outcomes)
            if not handled:
                failed = True
                continue  # read the same records again next time (as the event source mapping would)
            self.iterators[shard_id] = response.get("NextShardIterator")
            if self.iterators[shard_id] != iterator:
                done.append(iterator)
            worked = worked or bool(records)
        if done and self.passed is not None:
            self.passed(done)
        if not worked and not failed:
            self.drained_at = mark
        return worked

    def _deliver(self, consumer: StreamConsumer, shard_id: str, records: list[dict[str, Any]]) -> bool:
        if not records:
            return True
        done = consumer.done.get(shard_id, -1)
        kept = [r for r in records if _sequence(r) > done and consumer.keep(r)]
        if kept:
            try:
                result = consumer.handler({"Records": kept}, LambdaContext(consumer.function_name)) or {}
            except Exception:
                log.exception("%s raised: its stream records will be retried", consumer.function_name)
                return False
            if result.get("batchItemFailures"):
                log.warning("%s: %d stream records failed", consumer.function_name, len(result["batchItemFailures"]))
                return False
        consumer.done[shard_id] = max(_sequence(r) for r in records)
        return True

    def _record(self, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "eventID": r.get("eventID", str(uuid.uuid4())),
            "eventName": r["eventName"],
            "eventVersion": r.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": "eu-central-1",
            "dynamodb": {k: v for k, v in r["dynamodb"].items() if k != "ApproximateCreationDateTime"},
            "eventSourceARN": self.stream_arn,
        }


def _sequence(record: dict[str, Any]) -> int:
    return int(record.get("dynamodb", {}).get("SequenceNumber") or 0)


class Ticker:
    """The EventBridge schedule: calls the handler with a scheduled event every ``interval`` seconds."""

    def __init__(self, handler: Handler, function_name: str, interval: float) -> None:
        self.handler = handler
        self.function_name = function_name
        self.interval = interval
        self.last = 0.0

    def step(self) -> bool:
        if time.monotonic() - self.last < self.interval:
            return False
        self.last = time.monotonic()
        self.handler(
            {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "123456789012",
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "region": "eu-central-1",
                "resources": [],
                "detail": {},
            },
            LambdaContext(self.function_name, timeout_seconds=300),
        )
        return False


class MemoryTrimmer:
    """Gives memory the process freed back to the system, after work was done (every ``Loop`` idle pause).

    CPython hands large blocks (request and response bodies, a snapshot's lines, query results) to the C
    library's allocator, which keeps what they freed for its own reuse; at 10,000 tickets that was a third
    of the stack's resident memory after 60 mails (1,144 MB, 943 MB after ``malloc_trim``). The trim takes
    about 10 ms at that size and runs only when the process used half a CPU second since the last one; on a
    C library without ``malloc_trim`` (not glibc) it does nothing.
    """

    def __init__(self, work: float = 0.5) -> None:
        self.work = work
        self.last = -work
        self.trim: Callable[[int], int] | None = None
        with contextlib.suppress(OSError, AttributeError):
            self.trim = ctypes.CDLL(None).malloc_trim
        self.count = 0

    def step(self) -> bool:
        used = time.process_time()
        if self.trim is not None and used - self.last >= self.work:
            self.last = used
            self.trim(0)
            self.count += 1
        return False
