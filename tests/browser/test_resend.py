"""A mail SES refused, in real Chromium: the agent sees "nicht zugestellt" with the reason and sends it again."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from playwright.sync_api import expect

from helpdesk.store.tickets import timeline_sk
from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

REASON = "MessageRejected: Email address is not verified. The following identities failed the check: x"


def refuse_stored(stack: Stack, ticket_id: str, sk: str) -> None:
    """What SES's refusal left behind (the local stack's SES accepts everything): the mail stored ``failed``."""
    env: dict[str, Any] = stack.state["env"]
    table = boto3.resource(
        "dynamodb",
        endpoint_url=stack.state["moto_endpoint"],
        region_name="eu-central-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).Table(env["HELPDESK_TICKETS_TABLE"])
    table.update_item(
        Key={"pk": ticket_id, "sk": sk},
        UpdateExpression="SET send_state = :f, send_error = :e",
        ExpressionAttributeValues={":f": "failed", ":e": REASON},
    )


def test_a_failed_mail_shows_not_delivered_with_the_reason_and_is_sent_again(
    app: App, api: Api, web_stack: Stack
) -> None:
    send_mail(web_stack, "Zustellung klappt nicht", "Bitte antworten.", "resend@kunde.example")
    ticket = wait_until(lambda: next((t for t in api.tickets() if t["subject"] == "Zustellung klappt nicht"), None))
    reply = api.call("POST", f"/tickets/{ticket['id']}/replies", {"body": "Unsere Antwort auf Ihre Frage."})
    message = reply["message"]
    refuse_stored(web_stack, ticket["id"], timeline_sk("MSG", message["created_at"], message["id"]))
    sent_before = len(api.outbox())

    app.open_ticket(ticket["id"])
    page = app.page
    out = page.locator(".msg-out", has_text="Unsere Antwort")
    expect(out.locator(".msg-undelivered")).to_have_text(f"nicht zugestellt ({REASON})")
    button = out.get_by_role("button", name="Erneut senden")
    expect(button).to_be_visible()
    app.shot("resend")
    button.click()
    expect(out.locator(".msg-undelivered")).to_have_count(0)
    expect(
        page.locator(".msg-out", has_text="Unsere Antwort").get_by_role("button", name="Erneut senden")
    ).to_have_count(0)
    mail = wait_until(lambda: next((m for m in api.outbox()[sent_before:] if ticket["number"] in m["subject"]), None))
    assert "Unsere Antwort auf Ihre Frage." in mail["text"]
    assert api.call("POST", f"/tickets/{ticket['id']}/messages/{message['id']}/resend")["send_state"] == "sent"
    assert len([m for m in api.outbox()[sent_before:] if ticket["number"] in m["subject"]]) == 1  # never twice
