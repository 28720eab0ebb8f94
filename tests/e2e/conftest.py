"""The whole local stack as a user runs it: ``helpdesk local`` in a subprocess, spoken to over SMTP and HTTP."""

from __future__ import annotations

import json
import os
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
HELPDESK = Path(sys.executable).parent / "helpdesk"


@dataclass
class Stack:
    process: subprocess.Popen[str]
    state: dict[str, Any]
    api_port: int
    smtp_port: int
    log: Path

    @property
    def api(self) -> str:
        return str(self.state["api_url"])

    def token(self, user: str = "agent") -> str:
        out = subprocess.run(
            [str(HELPDESK), "token", "--user", user, "--api-port", str(self.api_port)],
            capture_output=True,
            text=True,
            timeout=30,
            env=clean_env(),
        )
        if out.returncode != 0:
            raise AssertionError(
                f"helpdesk token --user {user} exited {out.returncode}:\n{out.stderr[-3000:]}\n"
                f"stack log:\n{self.log.read_text()[-3000:]}"
            )
        return out.stdout.strip().splitlines()[-1]

    def request(
        self, method: str, path: str, token: str | None = None, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.api + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        for key, value in (headers or {}).items():
            req.add_header(key, value)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                raw = response.read()
                status, got = response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, got = error.read(), error.code, dict(error.headers)
        content_type = got.get("Content-Type", "")
        return status, (json.loads(raw) if raw and "json" in content_type else raw.decode("utf-8", "replace")), got

    def send(self, raw: bytes, to: list[str], sender: str = "kunde@kunde.example") -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            smtp.sendmail(sender, to, raw)

    def wait_for(self, check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; stack log:\n{self.log.read_text()[-3000:]}")


def clean_env() -> dict[str, str]:
    """The environment for the CLI: the stack and ``helpdesk token`` set their own AWS and helpdesk
    variables; nothing may leak in from fixtures of the test process."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for key in list(env):
        if key.startswith(("AWS_", "HELPDESK_")):
            del env[key]
    return env


def start_stack(tmp: Path, demo: bool = False, data_dir: Path | None = None, extra: list[str] | None = None) -> Stack:
    """``helpdesk local`` on free ports with its own data directory (``tmp/data-<port>`` unless given).

    ``--exit-with-parent``: a stack whose test process died (killed by a timeout, say) stops itself
    instead of running on, holding its ports and a core.
    """
    api_port, smtp_port = free_port(), free_port()
    log = tmp / f"stack-{api_port}.log"
    args = [
        str(HELPDESK),
        "local",
        "--api-port",
        str(api_port),
        "--smtp-port",
        str(smtp_port),
        "--moto-port",
        str(free_port()),
        "--outbox-port",
        str(free_port()),
        "--live-port",
        str(free_port()),
        "--autoclose-interval",
        "3600",
        "--data-dir",
        str(data_dir or tmp / f"data-{api_port}"),
        "--exit-with-parent",
        *(extra or []),
    ]
    if demo:
        args.append("--demo")
    env = clean_env()
    state_file = Path(tempfile.gettempdir()) / f"helpdesk-local-{api_port}.json"
    state_file.unlink(missing_ok=True)  # a stack killed earlier on this port left its file behind
    handle = log.open("w")
    process = subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"helpdesk local exited early:\n{log.read_text()}")
        if state_file.exists() and json.loads(state_file.read_text()).get("pid") == process.pid:
            break
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"helpdesk local did not start within 60 s:\n{log.read_text()}")
    return Stack(process, json.loads(state_file.read_text()), api_port, smtp_port, log)


def stop_stack(stack: Stack, timeout: float = 60.0) -> int:
    """Ctrl-C, as a user stops it; it writes its last snapshot first (on a loaded 2-core machine that took more
    than 15 s at the end of a session: a fresh-clone run failed on it)."""
    stack.process.send_signal(signal.SIGINT)
    try:
        return stack.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stack.process.kill()
        raise


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("stack"), demo=True)
    yield running
    stop_stack(running)
