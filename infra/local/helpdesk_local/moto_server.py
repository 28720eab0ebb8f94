"""The moto server, in a thread, with corrections to its DynamoDB that make it behave (and scale) like DynamoDB.

* **Requests are serialized.** moto's DynamoDB backend is not safe under concurrent writes; real
  DynamoDB is. DynamoDB calls run one at a time here; other services (SQS long polls) stay concurrent.
* **Transactions check, then write.** moto's ``TransactWriteItems`` deep-copies every table it touches,
  once per item, to roll back a failed transaction: each transaction costs time proportional to the
  table's size (minutes per hundred transactions at 10,000 tickets), and the half-applied writes have
  already reached the stream. DynamoDB evaluates all conditions against the state before the
  transaction and then applies all writes or none; :func:`transact_write_items` does exactly that.
* **A query reads one partition** of the table or of an index, not the whole table
  (:mod:`helpdesk_local.moto_index`).
* **Streams forget what was read**: :func:`forget_stream_reads` drops the records and shard iterators
  the local stream reader has passed (moto kept them all).
* **Items go out as they are.** moto 5.2 runs every response through a generic serializer that walks
  the operation's output shape value by value (guessing each member's spelling): it was half the CPU
  of a loaded local stack, mostly on item reads (``GET /tickets`` with 50 tickets: most of its time).
  The item operations' results are DynamoDB JSON already; :func:`install_fast_items` writes them with
  ``json.dumps`` (binary values base64, as on the wire).
* **The services are listed once.** moto's dispatcher lists its package directory (``listdir`` and an
  ``isdir`` per service, about 150) on every request to find the service a host names:
  :func:`install_known_services` keeps that list, which cannot change while the process runs.
* **Models are not tracked.** moto appends every model instance it makes to its class's
  ``instances_tracked`` (for its dashboard, ``/moto-api/data.json``) and never lets go: every DynamoDB
  item ever built (each put, each update's copy, each item a cold partition built again), every SQS
  message, every S3 key version. In a stack that runs for days that list was most of the memory it
  gained per mail (about 1,250 items a mail at 10,000 tickets), and the cold store
  (:mod:`helpdesk_local.moto_cold`) could not give its items back. :func:`install_untracked_models` stops
  it; the dashboard's model list stays empty.
* **Connections are kept alive** (:class:`_KeepAliveHandler`): Werkzeug's development server closed each
  one, so every AWS call opened a TCP connection and a server thread.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from moto.moto_server.threaded_moto_server import MotoRequestHandler  # type: ignore[attr-defined]
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from . import moto_index

# Requests that change nothing a snapshot keeps (reads, queues, streams, the bus): everything else counts.
_READS = ("GetItem", "BatchGetItem", "Query", "Scan", "Describe", "List")
_NOT_KEPT = ("AmazonSQS.", "DynamoDBStreams_", "AWSEvents.")


def changes_state(environ: dict[str, Any]) -> bool:
    """Whether a request may change what :mod:`helpdesk_local.persist` keeps (DynamoDB, S3, Cognito).

    Errs towards "yes": a needless snapshot costs time, a missed one loses data.
    """
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith(_NOT_KEPT):
        return False
    if target.startswith("DynamoDB_"):
        return not target.partition(".")[2].startswith(_READS)
    if target:
        return True  # Cognito and the rest of the JSON protocols
    return environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD", "OPTIONS")


class _SerializeDynamoDB:
    """Runs DynamoDB requests one at a time and counts the requests that may change kept state.

    A snapshot holds ``lock`` while it reads the tables, so it sees no half-applied transaction.
    The counters grow once a request is done, so a reader that sees a count also sees its effect
    (pollers read nothing while the count they last drained at stands).
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.changes = 0  # grows with every request that may change kept state (and so add stream records)
        self.events = 0  # grows with every PutEvents (what the local event tap reads)
        self._counting = threading.Lock()
        self.on_change: list[Callable[[], None]] = []  # told after each request that may change kept state

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        try:
            if target.startswith(("DynamoDB_", "DynamoDBStreams_")):
                with self.lock:
                    return list(self.app(environ, start_response))
            return self.app(environ, start_response)
        finally:
            if changes_state(environ) or target.startswith("AWSEvents."):
                with self._counting:
                    if target.startswith("AWSEvents."):
                        self.events += 1
                    else:
                        self.changes += 1
                if not target.startswith("AWSEvents."):
                    for listener in self.on_change:
                        listener()


def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """DynamoDB's semantics for moto's backend: every condition first, then every write (or none)."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    writes: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table = self.get_table(op["TableName"])
        if op_type == "Put":
            key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = op["Item"][table.range_key_attr]
        else:
            key = op["Key"]
        identity = (op["TableName"], str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        current = self.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is not None:
            check = get_filter_expression(
                condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            )
            if not check.expr(current):
                old = (
                    current.to_json()["Attributes"]
                    if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                    else None
                )
                errors.append(("ConditionalCheckFailed", "The conditional request failed", old))
                continue
        errors.append((None, None, None))
        if op_type != "ConditionCheck":
            writes.append((op_type, op, key))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    for op_type, op, key in writes:  # conditions held for the state before the transaction: write all
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if op_type == "Put":
            self.put_item(op["TableName"], op["Item"])
        elif op_type == "Delete":
            self.delete_item(op["TableName"], key)
        else:
            self.update_item(
                op["TableName"],
                key,
                update_expression=op["UpdateExpression"],
                expression_attribute_names=names,
                expression_attribute_values=values,
            )


def forget_stream_reads(lock: threading.Lock, passed: list[str], account: str, region: str) -> int:
    """Let moto forget what a stream reader is done with; returns the stream records dropped.

    moto keeps every stream record (DynamoDB keeps them 24 hours) and every shard iterator it ever
    handed out (each ``GetRecords`` makes one): an ingest of thousands of mails grew the stack by
    hundreds of MB (issue 19, part 5). ``passed`` are iterators the reader has moved past: they are
    dropped, and then every record before the earliest position of any iterator still held (the
    reader's, or anyone else's) is, as DynamoDB trims records older than its retention.
    """
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    backend = dynamodbstreams_backends[account][region]
    dropped = 0
    with lock:
        for arn in passed:
            backend.shard_iterators.pop(arn, None)
        lowest: dict[int, tuple[Any, int]] = {}
        for iterator in backend.shard_iterators.values():
            shard = iterator.stream_shard
            position = int(iterator.sequence_number)
            if id(shard) not in lowest or position < lowest[id(shard)][1]:
                lowest[id(shard)] = (shard, position)
        for shard, position in lowest.values():
            count = min(position - shard.starting_sequence_number, len(shard.items))
            if count > 0:
                del shard.items[:count]
                shard.starting_sequence_number += count
                dropped += count
    return dropped


# Operations whose results are items and counts only (DynamoDB JSON): no timestamps, no enums, no renames.
FAST_ITEM_OPERATIONS = frozenset(
    {"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "TransactGetItems"}
)


def _wire(value: Any) -> Any:
    """``json.dumps``'s fallback for what a result holds besides JSON: binary values (base64, as DynamoDB
    sends them), sets of them, and (not in item results, but harmless) timestamps as epoch seconds."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"not DynamoDB JSON: {type(value).__name__}")


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def install_fast_items() -> None:
    """Item operations' results leave as ``json.dumps`` writes them (see the module's notes); every other
    operation (and every error) still goes through moto's serializer."""
    from moto.dynamodb.responses import DynamoResult

    generic = DynamoResult.execute_result
    if getattr(generic, "fast_items", False):
        return

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in FAST_ITEM_OPERATIONS or not isinstance(self.result, dict):
            return generic(self, context)
        members = context.operation_model.output_shape.members  # what the API returns (moto adds old names)
        result = {k: _drop_none(v) for k, v in self.result.items() if k in members and v is not None}
        body = json.dumps(result, default=_wire, separators=(",", ":"))
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    execute_result.fast_items = True  # type: ignore[attr-defined]
    execute_result.generic = generic  # type: ignore[attr-defined]  # (the tests compare both)
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]


def install_known_services() -> None:
    """moto's list of its service modules, read from disk once instead of on every request."""
    from moto import backends

    listed = backends.list_of_moto_modules
    if getattr(listed, "cached", False):
        return
    known = tuple(listed())

    def list_of_moto_modules() -> Iterable[str]:
        return known

    list_of_moto_modules.cached = True  # type: ignore[attr-defined]
    backends.list_of_moto_modules = list_of_moto_modules


def install_untracked_models() -> None:
    """moto's models made without being appended to their class's ``instances_tracked`` (see the module);
    what was tracked before is let go."""
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    if getattr(BaseModel.__new__, "untracked", False):
        return

    def __new__(cls: type[Any], *args: Any, **kwargs: Any) -> Any:  # as moto's, without the list
        return object.__new__(cls)

    __new__.untracked = True  # type: ignore[attr-defined]
    BaseModel.__new__ = staticmethod(__new__)  # type: ignore[method-assign]
    reset_model_data()


def _install_transactions() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


class _Body(io.RawIOBase):
    """A request's body read from the connection: never past its Content-Length (the next request's bytes
    are the connection's, not this one's), and what the application left is read off afterwards."""

    def __init__(self, raw: Any, length: int) -> None:
        super().__init__()
        self.raw, self.left = raw, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: self.left]
        count = self.raw.readinto(view) or 0
        self.left = self.left - count if count else 0
        return count

    def drain(self) -> None:
        while self.left > 0 and self.read(min(self.left, 1 << 20)):
            pass


class _KeepAliveHandler(MotoRequestHandler):
    """moto's request handler with HTTP/1.1 keep-alive: a client's connection is kept for its next request.

    Werkzeug's development server closes every connection ("Connection: close", because http.server does
    not know where a request body ends when the application leaves some of it). So every AWS call of every
    function opened a TCP connection and the server started a thread for it: py-spy at 10,000 tickets put
    a tenth of the stack's CPU into opening connections. Here a request with a Content-Length (every call
    boto3 makes) reads its body through :class:`_Body`, which stops at its end and reads off the rest
    afterwards, and the connection stays open; any other request is served as Werkzeug serves it, and closed.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave in two writes: no delayed ACK between them
    _keep = False

    def run_wsgi(self) -> None:
        length = self.headers.get("Content-Length", "0" if self.command in ("GET", "HEAD", "DELETE") else "")
        self._keep = "chunked" not in self.headers.get("Transfer-Encoding", "").lower() and length.isdigit()
        if not self._keep:
            super().run_wsgi()
            return
        raw, self.rfile = self.rfile, _Body(self.rfile, int(length))  # type: ignore[assignment]
        try:
            super().run_wsgi()
            body = self.rfile
            assert isinstance(body, _Body)
            body.drain()
        finally:
            self.rfile = raw

    def send_header(self, keyword: str, value: str) -> None:
        if self._keep and keyword.lower() == "connection" and value.lower() == "close":
            return  # Werkzeug's "always close": this request's body ends where it says
        super().send_header(keyword, value)


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 5100, fast_items: bool = True) -> None:
        self.host = host
        self.port = port
        self.fast_items = fast_items  # False: moto's own serializer (bench/live.py's baseline)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.gate: _SerializeDynamoDB | None = None  # the DynamoDB lock and the change counter

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        install_untracked_models()
        _install_transactions()
        if self.fast_items:
            install_fast_items()
        moto_index.install()
        install_known_services()
        app = self.gate = _SerializeDynamoDB(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=_KeepAliveHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
