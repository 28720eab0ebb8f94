"""Issue 14 part 6, in real Chromium: an agent registers an address of their own in "Einstellungen", answers
a customer from their mail program (the helpdesk in Cc, the ticket number in the subject), and the ticket shows
that answer as theirs, "außerhalb des Helpdesks gesendet", with the history saying so; nothing goes out."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

ALIAS = "anna.privat@mein-mail.example"


def test_an_agents_mail_from_their_own_program_shows_on_the_ticket_as_theirs(
    app: App, api: Api, web_stack: Stack
) -> None:
    me = api.call("GET", "/me")
    try:
        page = app.page
        app.goto("settings")
        page.get_by_label("Weitere eigene E-Mail-Adressen").fill(ALIAS)
        page.get_by_role("button", name="Speichern").last.click()
        expect(page.get_by_text("Signatur gespeichert")).to_be_visible()
        assert api.call("GET", "/me")["aliases"] == [ALIAS]

        send_mail(web_stack, "Rückruf Lieferung", "Wo bleibt mein Paket?", "paket@kunde.example", "Paula Paket")
        ticket = api.wait_for_subjects("Rückruf Lieferung")["Rückruf Lieferung"]
        sent = len(api.outbox())
        msg = EmailMessage()  # as Thunderbird sends it, with the helpdesk in Cc
        msg["Message-ID"] = make_msgid(domain="mein-mail.example")
        msg["User-Agent"] = "Mozilla Thunderbird"
        msg["Subject"] = f"Re: Rückruf Lieferung [#{ticket['number']}]"
        msg["From"] = f"Anna Admin <{ALIAS}>"
        msg["To"] = "Paula Paket <paket@kunde.example>"
        msg["Cc"] = "support@example.com"
        msg.set_content("Guten Tag Frau Paket,\n\nIhr Paket kommt morgen.\n\nAnna")
        with smtplib.SMTP("127.0.0.1", web_stack.smtp_port, timeout=30) as smtp:
            smtp.send_message(msg, to_addrs=["support@example.com"])
        wait_until(
            lambda: any(m["send_state"] == "outside" for m in api.call("GET", f"/tickets/{ticket['id']}")["messages"]),
            timeout=20,
            what="the agent's mail on the ticket",
        )
        app.open_ticket(ticket["id"])
        expect(page.locator(".msg-outside")).to_have_text("außerhalb des Helpdesks gesendet")
        expect(page.get_by_text("Ihr Paket kommt morgen.").first).to_be_visible()
        history = page.locator(".events details")
        history.locator("summary").click()
        entries = history.locator(".event-list > li")
        mine = entries.filter(
            has_text="Anna Admin hat aus dem eigenen Mailprogramm an paket@kunde.example geschrieben."
        )
        expect(mine).to_have_count(1)
        expect(mine).to_contain_text("außerhalb des Helpdesks gesendet")  # the reason: threading.agent_own
        expect(entries.filter(has_text="Beantwortet aus dem eigenen Mailprogramm.")).to_have_count(1)
        app.shot("agent-mail-outside")
        detail = api.call("GET", f"/tickets/{ticket['id']}")
        assert detail["status"] == "waiting_customer"
        assert [m for m in api.outbox()[sent:] if ticket["number"] in m["subject"]] == []  # not mailed again
    finally:
        api.call(
            "PUT", "/me/profile", {"phone": me.get("phone", ""), "signature": me.get("signature", ""), "aliases": []}
        )
