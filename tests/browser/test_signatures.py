"""Issue 14 part 4, in real Chromium: the admin gives a mailbox its signature, an agent keeps their own (with a
phone number); a reply from the UI reaches the outbox signed by the agent, then by the mailbox it goes from,
once, with the variables filled in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

MAILBOX_SIGNATURE = "{AGENT}\nBeispiel GmbH Support · Tel. {PHONE}"


def test_a_reply_from_the_ui_is_signed_per_mailbox_and_agent(app: App, api: Api, web_stack: Stack) -> None:
    mailbox = api.call("GET", "/admin/mailboxes/support")
    me = api.call("GET", "/me")
    try:
        page = app.page
        app.goto("admin/mailboxes/support")
        page.get_by_label("Signatur dieses Postfachs").fill(MAILBOX_SIGNATURE)
        page.get_by_role("button", name="Speichern").click()
        expect(page.get_by_text("Gespeichert")).to_be_visible()
        page.wait_for_url("**/#/admin/mailboxes")  # back at the list once saved
        assert api.call("GET", "/admin/mailboxes/support")["signature"] == MAILBOX_SIGNATURE

        app.goto("settings")
        page.get_by_label("Meine Telefonnummer").fill("+49 931 4711")
        page.get_by_label("Eigene Signatur").fill("Viele Grüße aus Würzburg")
        page.get_by_role("button", name="Speichern").last.click()
        expect(page.get_by_text("Signatur gespeichert")).to_be_visible()
        app.shot("my-signature")

        send_mail(web_stack, "Signatur bitte", "Wer antwortet mir?", "signatur@kunde.example", "Sina Signatur")
        ticket = api.wait_for_subjects("Signatur bitte")["Signatur bitte"]
        sent = len(api.outbox())
        app.open_ticket(ticket["id"])
        page.get_by_label("Nachricht", exact=True).fill("Guten Tag Frau Signatur,\n\nich antworte Ihnen.")
        page.get_by_role("button", name="Senden", exact=True).click()
        mail = wait_until(
            lambda: next((m for m in api.outbox()[sent:] if ticket["number"] in m["subject"]), None),
            what="the reply in the outbox",
        )
        text = mail["text"].replace("\r\n", "\n")
        name = me["name"] or me["username"]
        assert "support@example.com" in mail["from"]
        assert (
            f"ich antworte Ihnen.\n\nViele Grüße aus Würzburg\n\n{name}\nBeispiel GmbH Support · Tel. +49 931 4711"
            in text
        )
        assert text.count("Beispiel GmbH Support") == 1 and "{AGENT}" not in text
    finally:
        api.call("PUT", "/admin/mailboxes/support", mailbox)
        api.call("PUT", "/me/profile", {"phone": me.get("phone", ""), "signature": me.get("signature", "")})
