"""API Gateway's WebSocket API, locally: the ``websockets`` package in front of the live Lambda handler.

* Every socket event becomes the event API Gateway sends (``requestContext.routeKey``, ``eventType``
  CONNECT / MESSAGE / DISCONNECT, ``connectionId``, ``queryStringParameters`` on connect) and goes
  through the same handler as on AWS (``functions/live/app.py``). A ``$connect`` answer other than
  2xx refuses the upgrade with that status, as API Gateway does.
* Routes are chosen like ``RouteSelectionExpression: $request.body.action`` with the route keys of
  ``template.yaml``; a route with a route response sends the handler's body back on the socket.
* The management API (``POST``/``GET``/``DELETE /@connections/{id}``, 410 ``GoneException`` for ids
  that are gone) is served over HTTP on its own port, so the fan-out code posts with boto3's
  ``apigatewaymanagementapi`` client and an ``endpoint_url``, as on AWS.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .runners import LambdaContext
from .template import resources

log = logging.getLogger("helpdesk.local")
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
MAX_MESSAGE = 128 * 1024  # API Gateway's limit for one WebSocket message


def route_keys() -> tuple[set[str], set[str]]:
    """The template's route keys, and those that answer on the socket (a route response)."""
    routes = [r["Properties"] for r in resources("AWS::ApiGatewayV2::Route").values()]
    keys = {str(r["RouteKey"]) for r in routes}
    two_way = {str(r["RouteKey"]) for r in routes if r.get("RouteResponseSelectionExpression")}
    return keys, two_way


def select_route(body: str, keys: set[str]) -> str:
    """``$request.body.action``: the frame's ``action`` when a route has that key, else ``$default``."""
    try:
        action = json.loads(body).get("action")
    except (ValueError, AttributeError):
        return "$default"
    return action if isinstance(action, str) and action in keys and not action.startswith("$") else "$default"


def new_connection_id() -> str:
    """An id shaped like API Gateway's (16 characters of base64 ending in ``=``)."""
    return base64.urlsafe_b64encode(os.urandom(10)).decode()


def socket_event(
    event_type: str,
    route_key: str,
    connection_id: str,
    *,
    connected_at: int,
    domain: str,
    source_ip: str = "127.0.0.1",
    body: str | None = None,
    is_base64: bool = False,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    close_code: int | None = None,
    close_reason: str = "",
) -> dict[str, Any]:
    """The event API Gateway's WebSocket API hands a Lambda proxy integration."""
    now_ms = int(time.time() * 1000)
    request_id = base64.urlsafe_b64encode(uuid.uuid4().bytes[:12]).decode()
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": request_id,
        "requestTime": formatdate(now_ms / 1000, usegmt=True),
        "messageDirection": "IN",
        "stage": "local",
        "connectedAt": connected_at,
        "requestTimeEpoch": now_ms,
        "identity": {"sourceIp": source_ip, "userAgent": (headers or {}).get("user-agent", "")},
        "requestId": request_id,
        "domainName": domain,
        "connectionId": connection_id,
        "apiId": "local",
    }
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": is_base64}
    if event_type == "MESSAGE":
        context["messageId"] = base64.urlsafe_b64encode(uuid.uuid4().bytes[:12]).decode()
        event["body"] = body
    else:
        event["headers"] = dict(headers or {})
        event["multiValueHeaders"] = {k: [v] for k, v in (headers or {}).items()}
    if event_type == "CONNECT":
        multi = query or {}
        event["queryStringParameters"] = {k: v[-1] for k, v in multi.items()} or None
        event["multiValueQueryStringParameters"] = multi or None
    if event_type == "DISCONNECT":
        context["disconnectStatusCode"] = close_code if close_code is not None else 1005
        context["disconnectReason"] = close_reason
    return event


@dataclass
class _Socket:
    id: str
    connected_at: int
    source_ip: str
    user_agent: str
    outbox: asyncio.Queue[str | bytes | None] = field(default_factory=asyncio.Queue)
    ws: ServerConnection | None = None
    last_active: float = field(default_factory=time.time)


class LiveServer:
    """Binds both ports at construction (so the stack can name them before it starts); ``start`` serves."""

    def __init__(self, host: str, port: int, admin_port: int = 0, function_name: str = "helpdesk-live") -> None:
        self.host = host
        self.function_name = function_name
        self.handler: Handler | None = None
        self.sockets: dict[str, _Socket] = {}
        self.keys, self.two_way = route_keys()
        self.loop = asyncio.new_event_loop()
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="live-lambda")
        import socket

        self._listener = socket.create_server((host, port), reuse_port=False)
        self.port = int(self._listener.getsockname()[1])
        self.admin = ThreadingHTTPServer((host, admin_port), self._admin_handler())
        self.admin.daemon_threads = True
        self.admin_port = int(self.admin.server_address[1])
        self._server: Server | None = None
        self._threads: list[threading.Thread] = []
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def admin_url(self) -> str:
        return f"http://{self.host}:{self.admin_port}"

    # ------------------------------------------------------------------------------------------ running

    def start(self, handler: Handler) -> None:
        self.handler = handler
        loop_thread = threading.Thread(target=self._run_loop, name="live-socket", daemon=True)
        admin_thread = threading.Thread(target=self.admin.serve_forever, name="live-admin", daemon=True)
        self._threads = [loop_thread, admin_thread]
        for thread in self._threads:
            thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the local WebSocket server did not start")

    def _run_loop(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def main() -> None:
            self._server = await serve(
                self._session,
                sock=self._listener,
                process_request=self._connect,
                max_size=MAX_MESSAGE,
                compression=None,
            )
            self._ready.set()
            await self._server.wait_closed()

        try:
            self.loop.run_until_complete(main())
        finally:
            self._ready.set()

    def stop(self) -> None:
        if self._server is not None:
            server = self._server
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._close(server), self.loop).result(timeout=5)
        self.admin.shutdown()
        self.admin.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self.pool.shutdown(wait=False, cancel_futures=True)

    async def _close(self, server: Server) -> None:
        server.close()
        await server.wait_closed()

    async def _invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        assert self.handler is not None
        handler = self.handler

        def call() -> dict[str, Any]:
            return handler(event, LambdaContext(self.function_name, timeout_seconds=10)) or {}

        return await self.loop.run_in_executor(self.pool, call)

    # ---------------------------------------------------------------------------------- socket events

    async def _connect(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(426, "Upgrade Required\n")
        parts = urlsplit(request.path)
        remote = connection.remote_address
        socket_ = _Socket(
            id=new_connection_id(),
            connected_at=int(time.time() * 1000),
            source_ip=str(remote[0]) if remote else "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""),
        )
        self.sockets[socket_.id] = socket_  # before $connect: posts during it wait in the outbox
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        event = socket_event(
            "CONNECT",
            "$connect",
            socket_.id,
            connected_at=socket_.connected_at,
            domain=f"{self.host}:{self.port}",
            source_ip=socket_.source_ip,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
        )
        try:
            result = await self._invoke(event)
        except Exception:
            log.exception("the live $connect handler raised")
            result = {"statusCode": 500, "body": "Internal server error"}
        status = int(result.get("statusCode", 500))
        if not 200 <= status < 300:
            self.sockets.pop(socket_.id, None)
            return connection.respond(status, str(result.get("body") or "Forbidden") + "\n")
        connection.live_id = socket_.id  # type: ignore[attr-defined]
        return None

    async def _session(self, connection: ServerConnection) -> None:
        socket_ = self.sockets[connection.live_id]  # type: ignore[attr-defined]
        socket_.ws = connection
        sender = asyncio.create_task(self._send_loop(socket_))
        try:
            async for frame in connection:
                socket_.last_active = time.time()
                if isinstance(frame, bytes):
                    body, is_base64 = base64.b64encode(frame).decode(), True
                    route = "$default"
                else:
                    body, is_base64 = frame, False
                    route = select_route(frame, self.keys)
                event = socket_event(
                    "MESSAGE",
                    route,
                    socket_.id,
                    connected_at=socket_.connected_at,
                    domain=f"{self.host}:{self.port}",
                    source_ip=socket_.source_ip,
                    body=body,
                    is_base64=is_base64,
                )
                try:
                    result = await self._invoke(event)
                except Exception:
                    log.exception("the live handler raised on %s", route)
                    result = {"statusCode": 500, "body": json.dumps({"message": "Internal server error"})}
                if route in self.two_way and result.get("body"):
                    await socket_.outbox.put(str(result["body"]))
        except ConnectionClosed:
            pass
        finally:
            close_code, close_reason = connection.close_code, connection.close_reason or ""
            self.sockets.pop(socket_.id, None)
            await socket_.outbox.put(None)
            sender.cancel()
            event = socket_event(
                "DISCONNECT",
                "$disconnect",
                socket_.id,
                connected_at=socket_.connected_at,
                domain=f"{self.host}:{self.port}",
                source_ip=socket_.source_ip,
                close_code=close_code,
                close_reason=close_reason,
            )
            try:
                await self._invoke(event)
            except Exception:
                log.exception("the live $disconnect handler raised")

    async def _send_loop(self, socket_: _Socket) -> None:
        while True:
            data = await socket_.outbox.get()
            if data is None or socket_.ws is None:
                return
            try:
                await socket_.ws.send(data)
            except ConnectionClosed:
                return

    # ------------------------------------------------------------------------------- management API

    def post(self, connection_id: str, data: bytes) -> bool:
        socket_ = self.sockets.get(connection_id)
        if socket_ is None:
            return False
        try:
            text: str | bytes = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data
        self.loop.call_soon_threadsafe(socket_.outbox.put_nowait, text)
        return True

    def close(self, connection_id: str) -> bool:
        socket_ = self.sockets.get(connection_id)
        if socket_ is None:
            return False
        if socket_.ws is not None:
            asyncio.run_coroutine_threadsafe(socket_.ws.close(1000, "closed by the server"), self.loop)
        return True

    def _admin_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class AdminHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "helpdesk-local-live"

            def _connection_id(self) -> str | None:
                path = urlsplit(self.path).path
                marker = "/@connections/"
                if marker not in path:
                    return None
                return unquote(path.split(marker, 1)[1]) or None

            def _answer(self, status: int, body: dict[str, Any] | None = None, error: str = "") -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                if error:
                    self.send_header("x-amzn-ErrorType", error)
                if data:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _gone(self) -> None:
                self._answer(410, {"message": "the connection is gone"}, error="GoneException")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else b""
                connection_id = self._connection_id()
                if connection_id is None:
                    return self._answer(404, {"message": "not found"}, error="NotFoundException")
                if len(data) > MAX_MESSAGE:
                    return self._answer(413, {"message": "too large"}, error="PayloadTooLargeException")
                if not server.post(connection_id, data):
                    return self._gone()
                return self._answer(200)

            def do_DELETE(self) -> None:
                connection_id = self._connection_id()
                if connection_id is None or not server.close(connection_id):
                    return self._gone()
                return self._answer(204)

            def do_GET(self) -> None:
                connection_id = self._connection_id()
                socket_ = server.sockets.get(connection_id or "")
                if socket_ is None:
                    return self._gone()
                return self._answer(
                    200,
                    {
                        "connectedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(socket_.connected_at / 1000)),
                        "identity": {"sourceIp": socket_.source_ip, "userAgent": socket_.user_agent},
                        "lastActiveAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(socket_.last_active)),
                    },
                )

            def log_message(self, format: str, *args: Any) -> None:
                return

        return AdminHandler
