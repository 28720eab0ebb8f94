"""API Gateway's management API for WebSocket connections: post a message, close a socket.

``HELPDESK_LIVE_ENDPOINT`` is the connections URL (``https://<api>.execute-api.<region>.amazonaws.com/<stage>``
on AWS; the local stack's own HTTP server locally). The same boto3 client talks to both, so the
fan-out code is the same. A connection that is gone answers 410 (``GoneException``): the caller
drops it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..domain.dataclass import dataclass
from . import sessions

if TYPE_CHECKING:
    from mypy_boto3_apigatewaymanagementapi import ApiGatewayManagementApiClient

ENDPOINT_ENV = "HELPDESK_LIVE_ENDPOINT"
URL_ENV = "HELPDESK_LIVE_URL"
# Posting is latency work: no long retries (a message seconds late is worth little; the client re-reads).
_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=5)


def endpoint_from(request_context: dict[str, object] | None = None) -> str:
    """The connections URL: the configured one, else the one the socket event names."""
    configured = os.environ.get(ENDPOINT_ENV, "")
    if configured or not request_context:
        return configured
    domain, stage = request_context.get("domainName"), request_context.get("stage")
    return f"https://{domain}/{stage}" if domain and stage else ""


def live_url() -> str:
    """Where browsers open the socket (``wss://…`` on AWS, ``ws://127.0.0.1:<port>`` locally); empty: no live socket."""
    return os.environ.get(URL_ENV, "")


def live_origins() -> list[str]:
    """The socket's origin for the web client's ``connect-src`` (``wss://host``)."""
    parts = urlsplit(live_url())
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("ws", "wss") and parts.netloc else []


@dataclass
class Delivery:
    sent: int = 0
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@dataclass
class ConnectionPoster:
    endpoint: str
    workers: int = 16

    @cached_property
    def client(self) -> ApiGatewayManagementApiClient:
        session = boto3.session.Session(botocore_session=sessions.session())
        return session.client("apigatewaymanagementapi", endpoint_url=self.endpoint, config=_CONFIG)

    def post(self, connection_id: str, data: bytes) -> bool:
        """Send one message; False when the connection is gone (410)."""
        try:
            self.client.post_to_connection(ConnectionId=connection_id, Data=data)
        except self.client.exceptions.GoneException:
            return False
        return True

    def close(self, connection_id: str) -> None:
        try:
            self.client.delete_connection(ConnectionId=connection_id)
        except self.client.exceptions.GoneException:
            return

    def post_many(self, messages: Sequence[tuple[str, bytes]]) -> Delivery:
        """Send messages in parallel (PostToConnection is one HTTPS call each)."""
        delivery = Delivery()
        if not messages:
            return delivery

        def one(message: tuple[str, bytes]) -> tuple[str, str]:
            connection_id, data = message
            try:
                return connection_id, "sent" if self.post(connection_id, data) else "gone"
            except (BotoCoreError, ClientError):
                return connection_id, "failed"

        if len(messages) == 1:
            results = [one(messages[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(messages))) as pool:
                results = list(pool.map(one, messages))
        for connection_id, outcome in results:
            if outcome == "sent":
                delivery.sent += 1
            elif outcome == "gone":
                if connection_id not in delivery.gone:
                    delivery.gone.append(connection_id)
            else:
                delivery.failed.append(connection_id)
        return delivery
