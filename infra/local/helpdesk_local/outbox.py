"""Outgoing mail, visible locally: every message the helpdesk sends through (moto's) SES.

Printed to the console and served as JSON and a plain page at ``http://127.0.0.1:<port>/``
(``/messages.json``, ``/messages/<n>.eml``).
"""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Callable
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

REGION = "eu-central-1"


def sent_count() -> int:
    """How many sends moto's SES recorded (cheap: nothing parsed)."""
    return len(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def sent_messages(start: int = 0) -> list[dict[str, Any]]:
    """What moto's SES recorded (v1 and v2 raw sends land in the same backend), oldest first, from ``start``."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    found: list[dict[str, Any]] = []
    for sent in list(backend.sent_messages)[start:]:
        raw = getattr(sent, "raw_data", None)
        if raw is None:
            continue
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
        parsed = message_from_bytes(data, policy=policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        found.append(
            {
                "id": sent.id,
                "from": str(parsed.get("From", "")),
                "to": str(parsed.get("To", "")),
                "cc": str(parsed.get("Cc", "")),
                "subject": str(parsed.get("Subject", "")),
                "message_id": str(parsed.get("Message-ID", "")),
                "in_reply_to": str(parsed.get("In-Reply-To", "")),
                "auto_submitted": str(parsed.get("Auto-Submitted", "")),
                # the envelope (moto adds the headers' recipients to those named): where a Bcc shows
                "destinations": [str(d) for d in getattr(sent, "destinations", None) or []],
                "text": body.get_content() if body is not None else "",
                "raw": data,
            }
        )
    return found


class OutboxServer:
    def __init__(self, host: str, port: int) -> None:
        class RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                messages = sent_messages()
                if self.path.startswith("/messages.json"):
                    body = json.dumps(
                        [{k: v for k, v in m.items() if k != "raw"} for m in messages], ensure_ascii=False, indent=1
                    ).encode()
                    self._send(200, "application/json", body)
                elif self.path.startswith("/messages/") and self.path.endswith(".eml"):
                    try:
                        index = int(self.path[len("/messages/") : -4])
                        self._send(200, "message/rfc822", messages[index]["raw"])
                    except (ValueError, IndexError):
                        self._send(404, "text/plain", b"no such message")
                else:
                    rows = "".join(
                        f"<tr><td>{i}</td><td>{html.escape(m['to'])}</td><td>{html.escape(m['subject'])}</td>"
                        f"<td><pre>{html.escape(m['text'][:2000])}</pre></td>"
                        f"<td><a href='/messages/{i}.eml'>.eml</a></td></tr>"
                        for i, m in enumerate(messages)
                    )
                    page = (
                        "<!doctype html><meta charset=utf-8><title>Outbox</title><h1>Outbox (local SES)</h1>"
                        "<table border=1 cellpadding=4><tr><th>#</th><th>To</th><th>Subject</th><th>Text</th>"
                        f"<th></th></tr>{rows}</table>"
                    )
                    self._send(200, "text/html; charset=utf-8", page.encode())

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Security-Policy", "default-src 'none'")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer((host, port), RequestHandler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="outbox-http", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class OutboxWatcher:
    """Prints each newly sent mail once (parsing only the new ones: it once parsed every sent mail twice a second)."""

    def __init__(self, printer: Callable[[str], None]) -> None:
        self.seen = 0
        self.printer = printer
        self.lock = threading.Lock()

    def step(self) -> bool:
        with self.lock:
            count = sent_count()
            if count < self.seen:  # the record was cleared (tests do)
                self.seen = 0
            if count == self.seen:
                return False
            new = sent_messages(self.seen)
            self.seen = count
        for m in new:
            self.printer(f"  ✉  sent to {m['to']}: {m['subject']}")
        return bool(new)
