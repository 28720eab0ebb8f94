"""Forward, split, Bcc and reply-all in real Chromium (issue 14 part 2), checked on the stack's SES outbox:
From per mailbox, To/Cc in the headers, Bcc on the envelope only, In-Reply-To of the mail answered, the ticket
number once in the subject, no Auto-Submitted on an agent's mail."""

from __future__ import annotations

import smtplib
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def mail_in(
    stack: Stack, subject: str, body: str, *, sender: str, to: str = "support@example.com", cc: str = ""
) -> str:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = mid = make_msgid(domain="kunde.example")
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        smtp.send_message(msg)
    return mid


def raw_mail(stack: Stack, index: int) -> str:
    with urllib.request.urlopen(f"{stack.state['outbox_url']}/messages/{index}.eml", timeout=10) as response:
        return str(response.read().decode("utf-8", "replace"))


def has_text(api: Api, ticket_id: str, text: str) -> bool:
    return any(text in m["text"] for m in api.call("GET", f"/tickets/{ticket_id}")["messages"])


def new_mail(api: Api, before: int, number: str) -> tuple[int, dict[str, Any]]:
    def found() -> tuple[int, dict[str, Any]] | None:
        box = api.outbox()
        return next(((i, m) for i, m in enumerate(box) if i >= before and number in m["subject"]), None)

    result: tuple[int, dict[str, Any]] = wait_until(found, timeout=20, what="the mail in the outbox")
    return result


def test_an_agent_forwards_a_message_with_a_note_and_bcc(app: App, api: Api, web_stack: Stack) -> None:
    mail_in(web_stack, "Paket beschädigt", "Das Paket kam beschädigt an.", sender="Kim Kundin <kim@kunde.example>")
    ticket = api.wait_for_subjects("Paket beschädigt")["Paket beschädigt"]
    wait_until(lambda: len(api.call("GET", f"/tickets/{ticket['id']}")["messages"]) >= 2, what="the auto-reply")
    before = len(api.outbox())
    app.open_ticket(ticket["id"])
    page = app.page
    inbound = page.locator(".msg-in", has_text="beschädigt an")
    inbound.get_by_role("button", name="Weiterleiten").click()
    dialog = page.locator("dialog.dialog")
    expect(dialog.get_by_role("heading", name="Nachricht weiterleiten")).to_be_visible()
    dialog.get_by_label("An", exact=True).fill("Lager <lager@lieferant.example>")
    dialog.get_by_label("Bcc").fill("chefin@example.org")
    dialog.get_by_label("Notiz").fill("Bitte Ersatz schicken.")
    app.shot("forward-dialog")
    dialog.get_by_role("button", name="Weiterleiten").click()
    expect(dialog).to_have_count(0)
    index, mail = new_mail(api, before, ticket["number"])
    assert mail["from"] == "Beispiel GmbH Support <support@example.com>"
    assert mail["to"] == "Lager <lager@lieferant.example>" and mail["cc"] == ""
    assert mail["subject"] == f"Fwd: Paket beschädigt [#{ticket['number']}]"
    assert mail["subject"].count(ticket["number"]) == 1
    assert mail["in_reply_to"] == "" and mail["auto_submitted"] == ""
    assert mail["text"].startswith("Bitte Ersatz schicken.") and "Das Paket kam beschädigt an." in mail["text"]
    assert "chefin@example.org" in mail["destinations"]
    raw = raw_mail(web_stack, index)
    assert "chefin@example.org" not in raw and "\nBcc:" not in raw
    forwarded = page.locator(".msg-forward", has_text="Bitte Ersatz schicken.")
    expect(forwarded.locator(".badge-forward")).to_have_text("Weiterleitung")
    expect(forwarded.locator(".msg-bcc")).to_contain_text("chefin@example.org")
    page.locator(".events summary").click()
    expect(page.locator('[data-event="MessageForwarded"]')).to_contain_text(
        "hat eine Nachricht an lager@lieferant.example weitergeleitet."
    )
    app.shot("forwarded")


def test_an_agent_answers_an_older_mail_to_all_with_bcc(app: App, api: Api, web_stack: Stack) -> None:
    first = mail_in(
        web_stack,
        "Angebot für drei",
        "Bitte ein Angebot für uns drei.",
        sender="Kim Kundin <kim@kunde.example>",
        to="support@example.com, Kollegin <kollegin@kunde.example>",
        cc="Chef <chef@kunde.example>",
    )
    ticket = api.wait_for_subjects("Angebot für drei")["Angebot für drei"]
    mail_in(
        web_stack, f"Nachtrag [#{ticket['number']}]", "Und noch ein Nachtrag.", sender="Kim Kundin <kim@kunde.example>"
    )
    wait_until(lambda: has_text(api, ticket["id"], "Nachtrag"), what="the second mail")
    before = len(api.outbox())
    app.open_ticket(ticket["id"])
    page = app.page
    composer = page.locator(".composer")
    expect(composer.locator("input[name=to]")).to_have_value("Kim Kundin <kim@kunde.example>")  # the newest mail
    page.locator(".msg-in", has_text="Angebot für uns drei").get_by_role("button", name="Antworten").click()
    expect(composer.locator(".compose-answering")).to_contain_text("Antwort auf die Nachricht von Kim Kundin")
    expect(composer.locator("input[name=to]")).to_have_value(
        "Kim Kundin <kim@kunde.example>, Kollegin <kollegin@kunde.example>"
    )
    expect(composer.locator("input[name=cc]")).to_have_value("Chef <chef@kunde.example>")
    composer.locator("input[name=bcc]").fill("archiv@example.org")
    composer.get_by_label("Nachricht", exact=True).fill("Gern, das Angebot folgt.")
    app.shot("reply-all")
    composer.get_by_role("button", name="Senden").click()
    index, mail = new_mail(api, before, ticket["number"])
    assert mail["from"] == "Beispiel GmbH Support <support@example.com>"
    assert mail["to"] == "Kim Kundin <kim@kunde.example>, Kollegin <kollegin@kunde.example>"
    assert mail["cc"] == "Chef <chef@kunde.example>"
    assert mail["in_reply_to"] == first
    assert mail["subject"].count(ticket["number"]) == 1 and mail["auto_submitted"] == ""
    assert "archiv@example.org" in mail["destinations"] and "archiv@example.org" not in raw_mail(web_stack, index)
    expect(composer.locator(".compose-answering")).to_be_hidden()


def test_an_agent_splits_a_mail_off_into_a_ticket_of_its_own(app: App, api: Api, web_stack: Stack) -> None:
    mail_in(web_stack, "Rechnung falsch", "Die Rechnung ist falsch.", sender="Kim Kundin <kim@kunde.example>")
    ticket = api.wait_for_subjects("Rechnung falsch")["Rechnung falsch"]
    mail_in(
        web_stack,
        f"Anderes Thema [#{ticket['number']}]",
        "Ganz anderes Thema: mein Login geht nicht.",
        sender="Kim Kundin <kim@kunde.example>",
    )
    wait_until(lambda: has_text(api, ticket["id"], "mein Login"), what="the second mail")
    app.open_ticket(ticket["id"])
    page = app.page
    page.locator(".msg-in", has_text="mein Login geht nicht").get_by_role("button", name="Als neues Ticket").click()
    page.locator("dialog.dialog").get_by_role("button", name="OK").click()
    expect(page.locator(".msg-in", has_text="mein Login geht nicht")).to_have_count(0)
    related = page.locator(".related li", has_text="Abgetrennt in")
    expect(related).to_have_count(1)
    app.shot("split")
    source = api.call("GET", f"/tickets/{ticket['id']}")
    (link,) = [r for r in source["related"] if r["relation"] == "split_into"]
    new = api.call("GET", f"/tickets/{link['id']}")
    (moved,) = new["messages"]
    assert moved["text"].startswith("Ganz anderes Thema")
    assert {r["relation"] for r in new["related"]} == {"split_from"} and new["queue"] == source["queue"]
    related.get_by_role("link").click()
    expect(page.locator(".ticket-number")).to_have_text(new["number"])
    page.locator(".events summary").click()
    expect(page.locator('[data-event="TicketSplit"]')).to_contain_text(f"aus einer Nachricht von {ticket['number']}")
