"""The local API server answers without Nagle's delay: headers and body leave in two writes, and with Nagle's
algorithm on, the body waited for the client's delayed ACK (about 40 ms on every kept-alive request: a
local ``GET /me`` took 56 ms, 13 ms without; the schemathesis run of the suite ran past its 10 minutes)."""

from __future__ import annotations

import http.client
import socket
from typing import Any

import pytest

from helpdesk_local.api_server import ApiServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_every_connection_is_served_with_tcp_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    options: list[tuple[int, int, int, Any]] = []  # (local port, level, option, value)
    setsockopt = socket.socket.setsockopt

    def recording(self: socket.socket, level: int, option: int, value: Any, *rest: Any) -> None:
        options.append((self.getsockname()[1], level, option, value))
        setsockopt(self, level, option, value, *rest)

    monkeypatch.setattr(socket.socket, "setsockopt", recording)
    port = free_port()
    server = ApiServer(lambda event, context: {"statusCode": 200, "body": "ok"}, "127.0.0.1", port)
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(2):  # one kept-alive connection, two requests
            connection.request("GET", "/health")
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b"ok")
        connection.close()
    finally:
        server.stop()
    served = [o[1:] for o in options if o[0] == port]  # the server's side of the connection (not the client's)
    assert (socket.IPPROTO_TCP, socket.TCP_NODELAY, True) in served
