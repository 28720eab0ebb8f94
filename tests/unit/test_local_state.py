"""helpdesk_local: the state file other processes read (tests, ``helpdesk token``/``send``)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from helpdesk_local.stack import write_private_json


def test_the_state_file_appears_whole_and_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader polls for the file and parses it when it exists: it must never exist half-written
    (the e2e stack start once read it empty). Here: the file appears only by an atomic rename of a
    complete, private temporary file."""
    path = tmp_path / "helpdesk-local-8000.json"
    data: dict[str, Any] = {"api_url": "http://127.0.0.1:8000", "users": {"admin": {"password": "x" * 5000}}}
    seen: list[tuple[bool, Any, int]] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        seen.append((path.exists(), json.loads(Path(src).read_text()), stat.S_IMODE(os.stat(src).st_mode)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    write_private_json(path, data)
    assert seen == [(False, data, 0o600)]
    assert json.loads(path.read_text()) == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind

    write_private_json(path, {"api_url": "second"})  # a restart overwrites it the same way
    assert json.loads(path.read_text()) == {"api_url": "second"}


def test_demo_mails_are_retried_after_a_temporary_refusal() -> None:
    """A 451 (inbound could not store the mail) is temporary: the demo sender tries again, as mail
    programs do, instead of stopping the whole local stack (which once took a test's token with it)."""
    from aiosmtpd.controller import Controller

    from helpdesk_local.demo import DEMO_MAILS, send_demo_mails
    from tests.conftest import free_port

    class Flaky:
        def __init__(self) -> None:
            self.tries = 0
            self.subjects: list[str] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.tries += 1
            if self.tries in (1, 2):
                return "451 4.3.0 could not store the message, try again later"
            raw = envelope.original_content or b""
            self.subjects.append(next(line for line in raw.decode().splitlines() if line.startswith("Subject:")))
            return "250 OK"

    handler = Flaky()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        assert send_demo_mails("127.0.0.1", controller.port, "helpdesk.local", pause=0.01) == len(DEMO_MAILS)
    finally:
        controller.stop()
    assert handler.tries == len(DEMO_MAILS) + 2
    assert len(handler.subjects) == len(DEMO_MAILS)


def test_demo_mails_give_up_on_a_permanent_refusal() -> None:
    import smtplib

    from aiosmtpd.controller import Controller

    from helpdesk_local.demo import send_demo_mails
    from tests.conftest import free_port

    class Refusing:
        tries = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Refusing.tries += 1
            return "554 5.6.0 no"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with pytest.raises(smtplib.SMTPDataError):
            send_demo_mails("127.0.0.1", controller.port, "helpdesk.local", pause=0.01)
    finally:
        controller.stop()
    assert Refusing.tries == 1


def test_token_for_a_stack_that_is_gone_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``helpdesk token`` against a state file whose moto no longer answers: one line saying so, exit 2,
    not a traceback."""
    import tempfile

    from typer.testing import CliRunner

    from helpdesk.cli import app
    from helpdesk_local.stack import state_path
    from tests.conftest import free_port

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = f"http://127.0.0.1:{free_port()}"
    write_private_json(
        state_path(8123),
        {"moto_endpoint": dead, "user_pool_client_id": "c", "users": {"admin": {"password": "p", "group": "admin"}}},
    )
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = CliRunner().invoke(app, ["token", "--user", "admin", "--api-port", "8123"])
    assert result.exit_code == 2, result.output
    assert "the local stack on port 8123 did not issue a token" in result.output
    assert dead in result.output
    assert "Traceback" not in result.output
