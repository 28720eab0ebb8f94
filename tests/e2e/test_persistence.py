"""The local stack keeps its data: a restart keeps what was there, a crash loses no accepted mail.

Real ``helpdesk local`` processes on free ports sharing one data directory, spoken to over SMTP
(``smtplib``) and HTTP as a user would.
"""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from helpdesk_local.persist import DataDir
from tests.conftest import free_port
from tests.e2e.conftest import HELPDESK, ROOT, Stack, clean_env, start_stack, stop_stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-persistence")]


def mail(index: int, with_message_id: bool = True) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"Kunde {index} <kunde{index}@kunden.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = f"Anfrage Nummer {index:03d}"
    if with_message_id:
        msg["Message-ID"] = f"<burst-{index}@kunden.example>"
    msg.set_content(f"Guten Tag,\n\ndies ist Anfrage {index}.\n\nGruß\nKunde {index}")
    return msg


def all_tickets(stack: Stack, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = ""
    while True:
        status, body, _ = stack.request("GET", f"/tickets?status=all&limit=100{cursor}", token)
        assert status == 200, body
        items += body["items"]
        if not body.get("cursor"):
            return items
        cursor = f"&cursor={body['cursor']}"


def at_least(stack: Stack, token: str, count: int) -> list[dict[str, Any]] | None:
    tickets = all_tickets(stack, token)
    return tickets if len(tickets) >= count else None


def login(stack: Stack, username: str, password: str) -> dict[str, Any]:
    status, body, _ = stack.request("POST", "/auth/login", body={"username": username, "password": password})
    assert status == 200, body
    result: dict[str, Any] = body
    return result


@pytest.fixture
def stacks() -> Any:
    """Every stack a test starts is stopped, also when the test fails."""
    started: list[Stack] = []
    yield started
    for stack in started:
        if stack.process.poll() is None:
            stop_stack(stack, timeout=60)  # a loaded machine: the last snapshot and the loops take a while


def test_a_restart_keeps_tickets_rules_logins_and_the_numbering(tmp_path: Path, stacks: list[Stack]) -> None:
    data = tmp_path / "data"
    first = start_stack(tmp_path, data_dir=data)
    stacks.append(first)
    admin = first.token("admin")
    first.send(mail(1).as_bytes(), ["support@example.com"], "kunde1@kunden.example")
    [ticket] = first.wait_for(lambda: all_tickets(first, admin), 60, "the first ticket")
    assert ticket["number"].endswith("000001")
    status, changed, _ = first.request(
        "PATCH", f"/tickets/{ticket['id']}", admin, {"version": ticket["version"], "status": "open"}
    )
    assert status == 200, changed
    rule = {
        "id": "vip",
        "name": "VIP-Kunden",
        "conditions": [{"field": "subject", "op": "contains", "value": "vip"}],
        "actions": {"priority": "urgent"},
    }
    status, body, _ = first.request("POST", "/admin/rules", admin, rule)
    assert status == 201, body
    agent = {"username": "lena", "email": "lena@example.com", "name": "Lena", "temporary_password": "Vorlaeufig-2026!"}
    status, body, _ = first.request("POST", "/admin/agents", admin, agent)
    assert status == 201, body
    challenge = login(first, "lena", "Vorlaeufig-2026!")
    assert challenge["challenge"] == "NEW_PASSWORD_REQUIRED"
    status, body, _ = first.request(
        "POST",
        "/auth/new-password",
        body={"username": "lena", "session": challenge["session"], "new_password": "Lenas-Passwort-2026"},
    )
    assert status == 200 and body["id_token"], body
    assert stop_stack(first, timeout=60) == 0

    second = start_stack(tmp_path, data_dir=data)
    stacks.append(second)
    assert "data restored from" in second.log.read_text()
    # The ticket, as the agent left it.
    status, kept, _ = second.request("GET", f"/tickets/{ticket['id']}", admin)  # a token from before the restart
    assert status == 200, kept
    assert (kept["number"], kept["status"], kept["subject"]) == (ticket["number"], "open", "Anfrage Nummer 001")
    assert [m["direction"] for m in kept["messages"]] == ["inbound", "outbound"]  # the mail and its auto-reply
    # The rule, and the agent's login with the password she chose.
    status, rules, _ = second.request("GET", "/admin/rules", admin)
    assert "vip" in [r["id"] for r in (rules["items"] if isinstance(rules, dict) else rules)]
    lena = login(second, "lena", "Lenas-Passwort-2026")
    assert lena.get("id_token") and not lena.get("challenge")
    status, me, _ = second.request("GET", "/me", lena["id_token"])
    assert status == 200 and me["username"] == "lena", me
    # The numbering goes on.
    second.send(mail(2).as_bytes(), ["support@example.com"], "kunde2@kunden.example")
    tickets = second.wait_for(lambda: at_least(second, admin, 2), 60, "ticket 2")
    numbers = sorted(t["number"][-6:] for t in tickets)
    assert numbers == ["000001", "000002"]
    assert stop_stack(second, timeout=60) == 0

    # Demo mails go only into an empty data directory.
    third = start_stack(tmp_path, data_dir=data, demo=True)
    stacks.append(third)
    assert "demo mails are not sent again" in third.log.read_text()
    assert len(all_tickets(third, admin)) == 2


BURST = 200
WITHOUT_MESSAGE_ID = set(range(5, 50, 10))  # told apart by their inbound object only; all accepted before the kill


@pytest.mark.timeout(1500)
def test_kill_9_in_a_burst_loses_no_accepted_mail_and_duplicates_none(tmp_path: Path, stacks: list[Stack]) -> None:
    data = tmp_path / "data"
    first = start_stack(tmp_path, data_dir=data, extra=["--snapshot-interval", "1"])
    stacks.append(first)
    admin = first.token("admin")
    accepted: list[int] = []
    refused: list[int] = []
    enough = threading.Event()

    def burst() -> None:
        for index in range(BURST):
            try:
                with smtplib.SMTP("127.0.0.1", first.smtp_port, timeout=10) as smtp:
                    smtp.sendmail(
                        f"kunde{index}@kunden.example",
                        ["support@example.com"],
                        mail(index, index not in WITHOUT_MESSAGE_ID).as_bytes(),
                    )
                accepted.append(index)  # the server answered 250
            except (OSError, smtplib.SMTPException):
                refused.append(index)  # no 250: a mail program would send it again
            if len(accepted) >= 60:
                enough.set()

    sender = threading.Thread(target=burst)
    sender.start()
    try:
        assert enough.wait(120), first.log.read_text()[-3000:]
        first.wait_for(lambda: len(all_tickets(first, admin)) >= 10, 120, "ingest under way")
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        sender.join(timeout=300)
    assert not sender.is_alive()
    assert 60 <= len(accepted) < BURST and refused, (len(accepted), len(refused))
    assert not WITHOUT_MESSAGE_ID - set(accepted)

    second = start_stack(tmp_path, data_dir=data)
    stacks.append(second)
    assert "mails ingested again" in second.log.read_text()
    for index in refused:  # what got no 250 is sent again, as a mail program does
        second.send(mail(index).as_bytes(), ["support@example.com"], f"kunde{index}@kunden.example")
    tickets = second.wait_for(lambda: at_least(second, admin, BURST), 900, f"{BURST} tickets")
    subjects = sorted(t["subject"] for t in tickets)
    assert subjects == [f"Anfrage Nummer {i:03d}" for i in range(BURST)]  # every mail, each once
    numbers = sorted(int(t["number"][-6:]) for t in tickets)
    assert numbers == list(range(1, BURST + 1))  # no number twice, none skipped
    for ticket in tickets:  # one message each
        status, detail, _ = second.request("GET", f"/tickets/{ticket['id']}", admin)
        assert status == 200 and len([m for m in detail["messages"] if m["direction"] == "inbound"]) == 1, detail


def _gone(pid: int) -> bool:
    """Exited (a zombie nobody reaps counts: it runs no code and holds no port)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_a_stack_stops_by_itself_when_the_process_that_started_it_is_killed(tmp_path: Path) -> None:
    """Test processes killed by a timeout used to leave their stacks running (ports, memory, a core)."""
    api_port = free_port()
    data = DataDir(tmp_path / "data")
    args = [str(HELPDESK), "local", "--api-port", str(api_port), "--data-dir", str(data.path), "--exit-with-parent"]
    for flag in ("--smtp-port", "--moto-port", "--outbox-port", "--live-port"):
        args += [flag, str(free_port())]
    state_file = Path(tempfile.gettempdir()) / f"helpdesk-local-{api_port}.json"
    state_file.unlink(missing_ok=True)
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            f"p = subprocess.Popen({args!r}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(p.pid, flush=True); time.sleep(600)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=clean_env(),
        cwd=ROOT,
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    try:
        deadline = time.monotonic() + 90
        while not (state_file.exists() and json.loads(state_file.read_text()).get("pid") == pid):
            assert time.monotonic() < deadline and not _gone(pid), "the stack did not start"
            time.sleep(0.2)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 60
        while not _gone(pid):
            assert time.monotonic() < deadline, "the stack outlived the process that started it"
            time.sleep(0.2)
        with data.held():  # it let go of its data directory, after its last snapshot
            assert data.read_snapshot() is not None
    finally:
        if parent.poll() is None:
            parent.kill()
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)
