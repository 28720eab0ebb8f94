"""Notifications in the browser, two agents at once (issue 12, part 4): A mentions "@agent" in a comment,
B's bell shows it without a reload and B's notification mail is in the outbox; that mail, delivered back
to the helpdesk over SMTP (B's address is on the mailbox domain), makes no ticket. B's own settings.

Every verdict waits for a condition with a timeout; nothing sleeps.
"""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, send_mail, wait_until
from .test_live import LIVE_MS, Agent, anna, tom, unique  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_a_mention_rings_the_bell_and_mails_the_agent_and_the_mail_makes_no_ticket(
    anna: Agent,  # noqa: F811 - the fixture
    tom: Agent,  # noqa: F811 - the fixture
    web_stack: Stack,
    api: Api,
) -> None:
    subject = unique("Bitte Tom fragen")
    send_mail(web_stack, subject, "Können Sie das prüfen?", "ines@kunde.example", "Ines Frage")
    ticket = api.wait_for_subjects(subject)[subject]
    mentioned = f"Sie wurden in {ticket['number']} erwähnt"

    tom.inbox()
    tom.mark_page()
    bell = tom.page.locator("button.bell")
    bell.click()
    panel = tom.page.locator(".ntf-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".ntf-item", has_text=mentioned)).to_have_count(0)

    anna.open_ticket(ticket["id"])
    anna.page.get_by_role("button", name="Interner Kommentar").click()
    anna.page.get_by_label("Interner Kommentar", exact=True).fill("@agent bitte einmal prüfen, danke!")
    anna.page.get_by_role("button", name="Kommentar speichern").click()

    # Tom's open bell shows it, live: no reload, with the comment's text and a link to the ticket.
    item = panel.locator(".ntf-item.ntf-unread", has_text=mentioned)
    expect(item).to_have_count(1, timeout=LIVE_MS)
    expect(item).to_contain_text("@agent bitte einmal prüfen, danke!")
    expect(item).to_contain_text("Anna Admin")
    expect(tom.page.locator("button.bell .bell-count")).to_be_visible()
    assert tom.not_reloaded()
    unread = int(bell.get_attribute("data-unread") or "0")
    assert unread >= 1
    item.locator("a").click()
    tom.page.wait_for_url(f"**#/ticket/{ticket['id']}")
    expect(tom.page.locator("button.bell")).to_have_attribute("data-unread", str(unread - 1), timeout=LIVE_MS)

    # The notification mail: to Tom only, text, Auto-Submitted, from the system sender, number and link.
    def notification_mail() -> tuple[int, dict[str, str]] | None:
        for index, mail in enumerate(api.outbox()):
            if (
                "agent@example.com" in mail["to"]
                and ticket["number"] in mail["subject"]
                and "erwähnt" in mail["subject"]
            ):
                return index, mail
        return None

    index, mail = wait_until(notification_mail, what="Tom's notification mail")
    assert "notifications@example.com" in mail["from"]
    assert mail["auto_submitted"] == "auto-generated"
    assert f"#/ticket/{ticket['id']}" in mail["text"] and "@agent bitte einmal prüfen" in mail["text"]

    # Delivered back to the helpdesk (agent@example.com is on the mailbox domain): no ticket.
    with urllib.request.urlopen(f"{web_stack.state['outbox_url']}/messages/{index}.eml", timeout=10) as response:
        raw = response.read()
    web_stack.send(raw, ["agent@example.com"], sender="notifications@example.com")
    after = unique("Nach der Schleife")
    send_mail(web_stack, after, "Später geschickt, danach gelesen", "ines@kunde.example", "Ines Frage")
    api.wait_for_subjects(after)  # the mail sent before it has been read by now
    assert [t["subject"] for t in api.tickets(q="erwähnt")] == []
    shown = api.call("GET", f"/tickets/{ticket['id']}")
    assert [m["direction"] for m in shown["messages"]].count("inbound") == 1  # nothing appended either


def test_my_settings_choose_channels(tom: Agent) -> None:  # noqa: F811 - the fixture
    tom.page.locator("a.whoami").click()
    tom.page.wait_for_url("**#/settings")
    mail_box = tom.page.get_by_label("Neues Ticket in meiner Queue: E-Mail")
    expect(mail_box).not_to_be_checked()
    mail_box.check()
    tom.page.locator("form.ntf-prefs").get_by_role("button", name="Speichern").click()  # not the profile form's
    expect(tom.page.locator(".toast", has_text="Einstellungen gespeichert")).to_be_visible()
    tom.page.reload()
    expect(tom.page.get_by_label("Neues Ticket in meiner Queue: E-Mail")).to_be_checked()
    tom.page.get_by_label("Neues Ticket in meiner Queue: E-Mail").uncheck()
    tom.page.locator("form.ntf-prefs").get_by_role("button", name="Speichern").click()  # not the profile form's
    expect(tom.page.locator(".toast", has_text="Einstellungen gespeichert")).to_be_visible()
