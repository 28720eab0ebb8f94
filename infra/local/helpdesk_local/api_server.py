"""HTTP in front of the API Lambda: each request becomes an API Gateway ``/{proxy+}`` event.

The event goes through the same handler as on AWS (``functions/api/app.py``). Requests are served
one at a time per process, as one Lambda container serves them (Chalice keeps the current request
on the app object).
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .runners import LambdaContext

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
TEXTUAL = ("application/json", "text/", "application/javascript", "image/svg+xml", "application/x-www-form-urlencoded")


def proxy_event(method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str) -> dict[str, Any]:
    parts = urlsplit(raw_path)
    multi = parse_qs(parts.query, keep_blank_values=True)
    content_type = headers.get("content-type", "")
    textual = not body or any(content_type.startswith(t) for t in TEXTUAL)
    return {
        "resource": "/{proxy+}",
        "path": parts.path or "/",
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": {"proxy": (parts.path or "/").lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": parts.path or "/",
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "identity": {"sourceIp": source_ip},
        },
        "body": (body.decode("utf-8", "replace") if textual else base64.b64encode(body).decode()) if body else None,
        "isBase64Encoded": not textual,
    }


class ApiServer:
    def __init__(self, handler: Handler, host: str, port: int, function_name: str = "helpdesk-api") -> None:
        lock = threading.Lock()

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "helpdesk-local"
            # Headers and body leave in two writes; with Nagle's algorithm the body waited for the client's
            # delayed ACK of the headers: 40 ms added to every response on a kept-alive connection.
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                event = proxy_event(self.command, self.path, headers, body, self.client_address[0])
                with lock:
                    response = handler(event, LambdaContext(function_name, timeout_seconds=29))
                payload = response.get("body") or ""
                data = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode("utf-8")
                self.send_response(int(response.get("statusCode", 500)))
                sent = set()
                for key, value in (response.get("headers") or {}).items():
                    self.send_header(key, str(value))
                    sent.add(key.lower())
                for key, values in (response.get("multiValueHeaders") or {}).items():
                    if key.lower() not in sent:
                        for value in values:
                            self.send_header(key, str(value))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def __getattr__(self, name: str) -> Any:
                # Every method (GET, TRACE, QUERY, …) reaches the adapter, which answers 405 where a
                # route does not take it; http.server would answer 501 for methods it does not know.
                if name.startswith("do_"):
                    return self._serve
                raise AttributeError(name)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer((host, port), RequestHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="api-http", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
