"""Issue 10 over SMTP on the local stack: a badly behaved auto-responder gets one auto-reply, not one per mail."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from .conftest import Stack

pytestmark = pytest.mark.e2e


def outbox_to(stack: Stack, address: str) -> list[dict[str, Any]]:
    messages = json.loads(urllib.request.urlopen(f"{stack.state['outbox_url']}/messages.json", timeout=10).read())
    return [m for m in messages if address in m["to"].lower()]


def tickets_of(stack: Stack, token: str, query: str) -> list[dict[str, Any]]:
    code, body, _ = stack.request("GET", f"/tickets?status=all&limit=100&q={urllib.parse.quote(query)}", token)
    assert code == 200, body
    return list(body["items"])


def test_a_responder_sending_references_laden_mails_gets_exactly_one_autoreply(stack: Stack) -> None:
    token = stack.token("admin")
    run = time.time_ns()
    robot = f"robot-{run}@vendor.example"
    senders = [robot, f"Vendor Bot <{robot.upper()}>", f"Auto Responder <{robot}>", robot.title()]
    for round_, sender in enumerate(senders):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = "support@example.com"
        msg["Subject"] = f"Automatische Antwort {run} Runde {round_}"
        msg["Message-ID"] = make_msgid(domain="vendor.example")
        msg["In-Reply-To"] = " ".join(f"<irt-{run}-{round_}-{i}@vendor.example>" for i in range(50))
        msg["References"] = " ".join(f"<ref-{run}-{round_}-{i}@vendor.example>" for i in range(50))
        msg.set_content("Vielen Dank für Ihre Nachricht. Dies ist eine automatische Antwort.")
        stack.send(msg.as_bytes(policy=policy.SMTP), ["support@example.com"], sender=robot)

    stack.wait_for(
        lambda: len(tickets_of(stack, token, f"Automatische Antwort {run}")) == len(senders),
        what="one ticket per mail",
    )
    time.sleep(1.0)  # an auto-reply is sent right after its ticket's transaction
    assert len(outbox_to(stack, robot)) == 1
