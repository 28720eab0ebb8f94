"""Notification figures on the local stack: an @mention → the mentioned agent's bell (issue 12, part 4).

    .venv/bin/python bench/notify.py [--mentions 30]

Starts ``helpdesk local`` (as bench/live.py does), opens the agent's WebSocket (subscribed to the inbox,
as every view of the web client is), and then, one at a time, lets the admin post a comment mentioning
"@agent" and measures

* **socket**: the comment's ``POST`` sent → the ``notification`` message on the agent's socket;
* **bell**: the comment's ``POST`` sent → the agent's ``GET /notifications/unread`` shows it (what the
  bell does on that message).

The goal (issue 12) is 2 s; the notification mails are counted in the outbox at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_line, percentile  # noqa: E402 - after the path
from bench.live import send, start_stack, token  # noqa: E402 - after the path


def call(state: dict[str, Any], method: str, path: str, id_token: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{state['api_url']}{path}", data=data, method=method)
    request.add_header("Authorization", f"Bearer {id_token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=30)
    args = parser.parse_args()
    from websockets.sync.client import connect

    tmp = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    process, state, _ = start_stack(tmp)
    try:
        admin, agent = token(state, "admin"), token(state, "agent")
        send(state, "Bench: bitte erwähnen")
        deadline = time.monotonic() + 30
        tickets: list[dict[str, Any]] = []
        while not tickets and time.monotonic() < deadline:
            tickets = call(state, "GET", "/tickets?status=all", admin)["items"]
            time.sleep(0.1)
        ticket_id = tickets[0]["id"]
        sockets = contextlib.ExitStack()
        socket = sockets.enter_context(connect(f"{state['live_url']}/?token={agent}", proxy=None, open_timeout=10))
        socket.send(json.dumps({"action": "subscribe", "inbox": True, "ticket": None}))
        while json.loads(socket.recv(timeout=10))["type"] != "subscribed":
            pass
        time.sleep(1.0)  # the new ticket's own messages and notifications pass first
        while True:
            try:
                socket.recv(timeout=0.5)
            except TimeoutError:
                break
        on_socket: list[float] = []
        on_bell: list[float] = []
        before = call(state, "GET", "/notifications/unread", agent)["unread"]
        for n in range(args.mentions):
            posted = time.monotonic()
            comment = {"body": f"@agent #{n}", "mentions": ["agent"]}
            call(state, "POST", f"/tickets/{ticket_id}/comments", admin, comment)
            while True:
                message = json.loads(socket.recv(timeout=15))
                if message.get("type") == "notification":
                    break
            on_socket.append(time.monotonic() - posted)
            unread = call(state, "GET", "/notifications/unread", agent)["unread"]
            assert unread == before + n + 1, (unread, before, n)
            on_bell.append(time.monotonic() - posted)
            time.sleep(0.2)
        sockets.close()
        with urllib.request.urlopen(f"{state['outbox_url']}/messages.json", timeout=10) as response:
            mails = [m for m in json.loads(response.read()) if "agent@" in m["to"] and "erwähnt" in m["subject"]]

        print(f"Notifications on the local stack: {args.mentions} @mentions of one connected agent")
        print(latency_line("comment posted → notification on socket", on_socket, 40))
        print(latency_line("comment posted → bell count read", on_bell, 40))
        print(f"  notification mails in the outbox: {len(mails)} (one per mention: {len(mails) == args.mentions})")
        print(f"  goal 2 s p95 (bell): {'met' if percentile(on_bell, 95) <= 2.0 else 'NOT met'}")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    main()
