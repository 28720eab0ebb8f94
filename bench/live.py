"""Live figures on the local stack: SMTP accept → visible in the open inbox of 5 connected agents, and fan-out time.

    .venv/bin/python bench/live.py [--mails 40] [--agents 5]

Starts ``helpdesk local`` (a subprocess, as a developer runs it; handlers log at INFO so the
fan-out's own timing can be read from its log), opens one WebSocket per agent (three "agent", two
"admin" sessions), each subscribed to the inbox as the web client does. Then, one mail at a time,
sends a mail over SMTP and, per agent, measures

* **socket**: SMTP accepted → the ``ticket`` message (``TicketCreated``) on the agent's socket;
* **visible**: SMTP accepted → the ticket in that agent's inbox list, as the client shows it: the
  client's 250 ms debounce, then ``GET /tickets`` (the inbox's query) with the agent's token.

and prints p50/p95 of both over every agent and mail, with the fan-out's own time per batch (from
its log: stream records in → every post answered). The goal (issue 12) is 2 s p95 for "visible".

The same run first measures a **baseline**: the stack as it was before issue 12's last round
(``HELPDESK_LOCAL_BENCH_BASELINE=1``: moto's own response serializer, the stream read every 0.2 s
rather than woken by each write, the configuration read at every use within a request rather than
once per request), then the stack as it is, and prints the ratios (``--no-baseline``
skips it). Both stacks run one after the other on the same machine: compare the ratio, not the
absolute figures, when the machine is loaded.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import latency_line, percentile  # noqa: E402 - after the path

DEBOUNCE = 0.15  # the web client's (inbox.js LIVE_DEBOUNCE_MS)
RETRY = 1.0  # inbox.js LIVE_RETRY_MS


def start_stack(tmp: Path, baseline: bool = False) -> tuple[subprocess.Popen[str], dict[str, Any], Path]:
    from tests.conftest import free_port
    from tests.e2e.conftest import HELPDESK, clean_env

    api_port = free_port()
    log = tmp / "stack.log"
    args = [str(HELPDESK), "local", "--api-port", str(api_port), "--log-level", "INFO"]
    for flag in ("--smtp-port", "--moto-port", "--outbox-port", "--live-port"):
        args += [flag, str(free_port())]
    args += ["--autoclose-interval", "3600", "--data-dir", str(tmp / "data"), "--exit-with-parent"]
    state_file = Path(tempfile.gettempdir()) / f"helpdesk-local-{api_port}.json"
    state_file.unlink(missing_ok=True)
    env = {**clean_env(), **({"HELPDESK_LOCAL_BENCH_BASELINE": "1"} if baseline else {})}
    process = subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"helpdesk local exited:\n{log.read_text()[-3000:]}")
        if state_file.exists() and json.loads(state_file.read_text()).get("pid") == process.pid:
            return process, json.loads(state_file.read_text()), log
        time.sleep(0.1)
    process.kill()
    raise SystemExit("helpdesk local did not start within 90 s")


def token(state: dict[str, Any], user: str) -> str:
    from helpdesk_local.provision import local_client

    cognito = local_client("cognito-idp", state["moto_endpoint"])
    result = cognito.initiate_auth(
        ClientId=state["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": state["users"][user]["password"]},
    )
    return str(result["AuthenticationResult"]["IdToken"])


class Agent(threading.Thread):
    """One connected agent: listens on its socket, and on a new ticket re-reads its inbox as the client does."""

    def __init__(self, name: str, state: dict[str, Any], id_token: str, sockets: contextlib.ExitStack) -> None:
        super().__init__(name=name, daemon=True)
        from websockets.sync.client import connect

        self.state = state
        self.id_token = id_token
        self.socket = sockets.enter_context(
            connect(f"{state['live_url']}/?token={id_token}", proxy=None, open_timeout=10)
        )
        self.socket.send(json.dumps({"action": "subscribe", "inbox": True, "ticket": None}))
        answer = json.loads(self.socket.recv(timeout=10))
        assert answer["type"] == "subscribed", answer
        self.socket_at: dict[str, float] = {}  # ticket id → when the socket said so
        self.visible_at: dict[str, float] = {}  # subject → when the inbox list showed it
        self.subjects: set[str] = set()
        self.reads: list[float] = []  # how long each GET /tickets took
        self.lock = threading.Lock()

    def inbox(self) -> list[dict[str, Any]]:
        request = urllib.request.Request(
            f"{self.state['api_url']}/tickets?limit=50&sort=updated",
            headers={"Authorization": f"Bearer {self.id_token}"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=10) as response:
            items: list[dict[str, Any]] = json.loads(response.read())["items"]
        with self.lock:
            self.reads.append(time.monotonic() - started)
        return items

    def run(self) -> None:
        from websockets.exceptions import ConnectionClosed

        while True:
            try:
                message = json.loads(self.socket.recv())
            except (ConnectionClosed, OSError):
                return
            if message.get("type") != "ticket":
                continue
            if not any(e["type"] == "TicketCreated" for e in message.get("events", [])):
                continue
            with self.lock:
                self.socket_at[message["ticket"]["id"]] = time.monotonic()
            # As inbox.js: one read after the debounce; when the new ticket is not listed yet (a GSI
            # still catching up, on DynamoDB), one more read a second later.
            for pause in (DEBOUNCE, RETRY):
                time.sleep(pause)
                listed = {t["id"]: t["subject"] for t in self.inbox()}
                seen = time.monotonic()
                with self.lock:
                    for subject in self.subjects & set(listed.values()):
                        self.visible_at.setdefault(subject, seen)
                if message["ticket"]["id"] in listed:
                    break


def send(state: dict[str, Any], subject: str) -> float:
    msg = EmailMessage()
    msg["From"] = "Bench Kunde <bench@kunde.example>"
    msg["To"] = f"support@{state['mail_domain']}"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="kunde.example")
    msg.set_content("Eine Anfrage für die Messung.")
    host, port = state["smtp"]
    with smtplib.SMTP(host, port, timeout=30) as smtp:
        smtp.send_message(msg)
        return time.monotonic()  # SMTP accepted: the server answered 250 to the data


def fanout_times(log: Path) -> list[dict[str, Any]]:
    reports = []
    for line in log.read_text(errors="replace").splitlines():
        if '"fan-out"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("message") == "fan-out":
            reports.append(record["report"])
    return reports


@dataclass
class Figures:
    socket: list[float] = field(default_factory=list)
    visible: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)
    fanout: list[float] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    missed: int = 0


def measure(mails: int, agent_count: int, baseline: bool) -> Figures:
    """One stack, ``agent_count`` connected agents, ``mails`` mails one at a time."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-live-"))
    process, state, log = start_stack(tmp, baseline)
    figures = Figures()
    try:
        users = ["agent", "admin", "agent", "admin", "agent"][:agent_count]
        users += ["agent"] * (agent_count - len(users))
        tokens = {user: token(state, user) for user in set(users)}
        sockets = contextlib.ExitStack()
        agents = [Agent(f"agent-{i}-{user}", state, tokens[user], sockets) for i, user in enumerate(users)]
        for agent in agents:
            agent.start()
        run = uuid.uuid4().hex[:6]
        for n in range(mails):
            subject = f"Bench {run} #{n:03d}"
            for agent in agents:
                with agent.lock:
                    agent.subjects.add(subject)
            accepted = send(state, subject)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if all(subject in agent.visible_at for agent in agents):
                    break
                time.sleep(0.02)
            for agent in agents:
                with agent.lock:
                    seen = agent.visible_at.get(subject)
                    arrived = [t for t in agent.socket_at.values() if t >= accepted]
                if seen is None:
                    figures.missed += 1
                    continue
                figures.visible.append(seen - accepted)
                if arrived:
                    figures.socket.append(min(arrived) - accepted)
            time.sleep(0.3)  # one mail at a time: latency, not throughput
        reports = [r for r in fanout_times(log) if r.get("tickets")]
        figures.fanout = [float(r["seconds"]) for r in reports]
        figures.posts = [int(r["sent"]) for r in reports]
        figures.reads = [r for a in agents for r in a.reads]
        sockets.close()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if os.environ.get("BENCH_KEEP_LOG"):
            print(f"  stack log: {log}")
    return figures


def report(title: str, figures: Figures, mails: int, agents: int) -> None:
    print(title)
    print(latency_line("SMTP accept → socket message", figures.socket))
    print(latency_line("SMTP accept → visible in the inbox list", figures.visible))
    print(latency_line(f"GET /tickets ({agents} agents at once, local API)", figures.reads))
    if figures.fanout:
        print(latency_line("fan-out (stream batch → posts answered)", figures.fanout))
        print(f"  {'posts per fan-out':<44} median {statistics.median(figures.posts):.0f}   max {max(figures.posts)}")
    if figures.missed:
        print(f"  not visible within 15 s: {figures.missed} of {mails * agents}")


def ratio(name: str, before: list[float], after: list[float]) -> str:
    """``after`` against ``before`` at p50 and p95 (below 1: faster now)."""
    parts = []
    for q in (50, 95):
        old, new = percentile(before, q), percentile(after, q)
        parts.append(f"p{q} {new / old:5.2f}×" if old else f"p{q}   n/a")
    return f"  {name:<44} " + "   ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=40)
    parser.add_argument("--agents", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true", help="measure only the stack as it is")
    args = parser.parse_args()

    header = f"{args.mails} mails, {args.agents} connected agents (WebSocket, inbox)"
    before = None if args.no_baseline else measure(args.mails, args.agents, baseline=True)
    now = measure(args.mails, args.agents, baseline=False)
    if before is not None:
        report(f"Baseline (moto's serializer, stream polled every 0.2 s): {header}", before, args.mails, args.agents)
    report(f"Live on the local stack: {header}", now, args.mails, args.agents)
    if before is not None:
        print("Now against the baseline (same run):")
        print(ratio("SMTP accept → socket message", before.socket, now.socket))
        print(ratio("SMTP accept → visible in the inbox list", before.visible, now.visible))
        print(ratio("GET /tickets", before.reads, now.reads))
    goal = percentile(now.visible, 95) <= 2.0
    print(f"  goal 2 s p95 (visible): {'met' if goal else 'NOT met'}")


if __name__ == "__main__":
    main()
