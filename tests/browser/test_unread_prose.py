"""Issue 12, parts 5 and 6 in Chromium: "Ungelesen" per agent, and the event list as German sentences.

A is "Anna Admin" (admin), B is "Tom Agent" (agent), each in a browser context of their own. Every
verdict waits for a condition with a timeout; nothing sleeps.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack

from .conftest import ADMIN, Api, login, send_mail, wait_until
from .test_live import AGENT, LIVE_MS, Agent, agent_session, unique

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# What the history must never show in the German UI: English decision reasons, JSON.
ENGLISH = re.compile(
    r"no reference|references (our|the customer)|auto-reply|the customer|the sender|participant|"
    r"\breply\b|batch:|allowed|verdict|created|changed|message",
    re.IGNORECASE,
)
JSON = re.compile(r"[{}\[\]]|\"\w+\":")


@pytest.fixture
def anna(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, ADMIN)


@pytest.fixture
def tom(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, AGENT)


def test_the_history_of_a_mail_ticket_reads_as_german_sentences(anna: Agent, api: Api, web_stack: Stack) -> None:
    subject = unique("Verlauf: Heizung defekt")
    # A sender of its own: another test's mail from the same address would hold back this one's auto-reply.
    hanna = f"hanna.{secrets.token_hex(3)}@kunde.example"
    send_mail(web_stack, subject, "Die Heizung im Büro ist kalt.", hanna, "Hanna Heiß")
    ticket = api.wait_for_subjects(subject)[subject]
    # An agent works on it: open, assigned, waiting for the customer; the customer answers (→ open again).
    version = api.call("PATCH", f"/tickets/{ticket['id']}", {"version": ticket["version"], "status": "open"})["version"]
    version = api.call("PATCH", f"/tickets/{ticket['id']}", {"version": version, "assignee": "agent"})["version"]
    api.call("PATCH", f"/tickets/{ticket['id']}", {"version": version, "status": "waiting_customer"})
    send_mail(web_stack, f"Re: [#{ticket['number']}] {subject}", "Immer noch kalt.", hanna, "Hanna Heiß")
    wait_until(lambda: api.call("GET", f"/tickets/{ticket['id']}?read=false")["status"] == "open", what="reopened")

    anna.open_ticket(ticket["id"])
    history = anna.page.locator(".events details")
    history.locator("summary").click()
    entries = history.locator(".event-list > li")
    expect(entries.filter(has_text=f"Ticket aus der E-Mail von {hanna} erstellt")).to_have_count(1)
    created = entries.filter(has_text=f"Ticket aus der E-Mail von {hanna} erstellt")
    expect(created).to_contain_text("Eine Eingangsbestätigung geht an den Kunden.")
    expect(created).to_contain_text("Keine Referenz und keine Ticketnummer passt zu einem Ticket")
    expect(entries.filter(has_text="Anna Admin hat das Ticket Tom Agent zugewiesen.")).to_have_count(1)
    expect(entries.filter(has_text="Anna Admin hat den Status von „neu“ auf „offen“ geändert.")).to_have_count(1)
    expect(
        entries.filter(has_text="Anna Admin hat den Status von „offen“ auf „warten auf Kunde“ geändert.")
    ).to_have_count(1)
    reopened = entries.filter(has_text="Der Kunde hat den Status von „warten auf Kunde“ auf „offen“ geändert.")
    expect(reopened).to_have_count(1)
    expect(reopened).to_contain_text("Der Kunde hat geantwortet.")
    expect(entries.filter(has_text=f"Nachricht von {hanna} eingegangen.")).to_have_count(2)
    expect(entries.filter(has_text=re.compile("Betreff nennt das Ticket"))).to_have_count(1)
    # Each status change once: three changes, three status sentences (no "Status: … → …" twice).
    expect(entries.filter(has_text="hat den Status von")).to_have_count(3)
    text = history.inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert not JSON.search(text), JSON.search(text)

    # The same history in English, from the same codes.
    anna.page.locator(".lang-btn[data-lang=en]").click()
    history = anna.page.locator(".events details")
    if not history.get_attribute("open"):
        history.locator("summary").click()
    expect(history).to_contain_text(f"Ticket created from the e-mail of {hanna}")
    expect(history).to_contain_text("The customer answered.")


def test_what_anna_opens_is_read_for_her_in_every_tab_and_still_unread_for_tom(
    anna: Agent, tom: Agent, api: Api, web_stack: Stack
) -> None:
    subject = unique("Ungelesen: Passwort vergessen")
    send_mail(web_stack, subject, "Ich komme nicht mehr rein.", "pia@kunde.example", "Pia Passwort")
    ticket = api.wait_for_subjects(subject)[subject]

    tom.inbox()
    tom_row = tom.page.locator(".ticket-row", has_text=subject)
    expect(tom_row).to_have_class(re.compile(r"\bunread\b"))
    # Anna has the inbox open in a second tab while she opens the ticket in the first.
    anna_inbox = Agent(anna.context.new_page(), anna.context, anna.base)
    login(anna_inbox.page, anna.base, *ADMIN)  # (a tab's session is its own unless "remember me")
    anna_inbox.inbox()
    anna_row = anna_inbox.page.locator(".ticket-row", has_text=subject)
    expect(anna_row).to_have_class(re.compile(r"\bunread\b"))
    anna_inbox.mark_page()

    anna.open_ticket(ticket["id"])
    expect(anna.page.locator(".side input[name=unread]")).not_to_be_checked()
    # Her other tab follows without a reload ...
    expect(anna_row).not_to_have_class(re.compile(r"\bunread\b"), timeout=LIVE_MS)
    assert anna_inbox.not_reloaded()
    # ... and Tom's inbox does not: still unread for him, also after a reload and in his "Ungelesen" tab.
    expect(tom_row).to_have_class(re.compile(r"\bunread\b"))
    tom.page.reload()
    tom.page.wait_for_selector("table.tickets:not([aria-busy])")
    expect(tom.page.locator(".ticket-row", has_text=subject)).to_have_class(re.compile(r"\bunread\b"))
    # the tab's name carries its live count since the tabs are views ("Ungelesen 3")
    tom.page.get_by_role("button", name=re.compile(r"^Ungelesen( \d+\+?)?$")).click()
    expect(tom.page.locator(".ticket-row", has_text=subject)).to_have_count(1)

    # Anna marks it unread again (side panel): her inbox tab shows it unread, Tom's is unchanged.
    anna.page.locator(".side input[name=unread]").check()
    expect(anna_row).to_have_class(re.compile(r"\bunread\b"), timeout=LIVE_MS)
