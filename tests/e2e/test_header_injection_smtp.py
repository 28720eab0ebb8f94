"""Issue 10, finding 1, end to end: an attacker's encoded words over SMTP never write our headers."""

from __future__ import annotations

import json
import time
import urllib.request
from email import message_from_bytes, policy
from typing import Any

import pytest

from tests.unit.test_header_guard import q_word

from .conftest import Stack

pytestmark = pytest.mark.e2e

# The attack run's payloads: double-encoded, and beside a malformed encoded word (=?utf-8?b?A?=).
DOUBLE = q_word(q_word("x\r\nReply-To: billing@evil.test\r\n\r\nPlease pay"))
BESIDE = "=?utf-8?q?x=0D=0AReply-To:_billing@evil.test=0D=0A=0D=0APlease_pay?= =?utf-8?b?A?="


def outbox(stack: Stack) -> list[dict[str, Any]]:
    url = f"{stack.state['outbox_url']}/messages.json"
    return json.loads(urllib.request.urlopen(url, timeout=10).read())  # type: ignore[no-any-return]


def raw_outbox_mail(stack: Stack, index: int) -> Any:
    url = f"{stack.state['outbox_url']}/messages/{index}.eml"
    return message_from_bytes(urllib.request.urlopen(url, timeout=10).read(), policy=policy.default)


@pytest.mark.parametrize("payload", [DOUBLE, BESIDE], ids=["double-encoded", "beside-a-malformed-word"])
def test_the_auto_reply_to_a_hostile_mail_has_no_header_of_the_attacker(stack: Stack, payload: str) -> None:
    marker = f"hostile-{time.time_ns()}"
    raw = (
        f'From: "{payload}" <{marker}@kunde.example>\r\n'
        "To: support@example.com\r\n"
        f"Subject: {payload} {marker}\r\n"
        f"Message-ID: <{marker}@kunde.example>\r\n"
        "\r\n"
        "Hallo\r\n"
    ).encode("ascii")
    stack.send(raw, ["support@example.com"], sender=f"{marker}@kunde.example")
    index = stack.wait_for(
        lambda: next((i + 1 for i, m in enumerate(outbox(stack)) if marker in m["to"]), None),
        what="the auto-reply in the outbox",
    )
    reply = raw_outbox_mail(stack, index - 1)
    assert reply["Reply-To"] is None
    assert reply["Auto-Submitted"] == "auto-replied"
    assert [a.addr_spec for a in reply["To"].addresses] == [f"{marker}@kunde.example"]
    for name in reply:
        assert name.lower() not in ("reply-to", "bcc"), name
        assert "\n" not in str(reply[name]) and "\r" not in str(reply[name])
    body = reply.get_body(("plain",)).get_content()
    assert not body.lstrip().startswith("Please"), body[:80]
    assert body.lstrip().startswith("Guten Tag")
