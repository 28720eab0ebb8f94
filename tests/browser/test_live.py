"""Two agents at work at once, each in a browser context of their own (issue 12, parts 1 and 2).

A is "Anna Admin" (admin), B is "Tom Agent" (agent). Every verdict waits for a condition with a
timeout; nothing sleeps.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import Stack

from .conftest import ADMIN, Api, login, send_mail, watch_page

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AGENT = ("agent", "Agent-Demo-2026")
LIVE_MS = 5000  # the goal is 2 s p95 (bench/live.py measures it); a test machine under load gets more


@dataclass
class Agent:
    page: Page
    context: BrowserContext
    base: str

    def open_ticket(self, ticket_id: str) -> None:
        self.page.goto(f"{self.base}#/ticket/{ticket_id}")
        self.page.wait_for_selector(".ticket-layout .thread .msg")
        self.wait_live()

    def inbox(self) -> None:
        self.page.goto(f"{self.base}#/inbox")
        self.page.wait_for_selector("table.tickets:not([aria-busy])")
        self.wait_live()

    def wait_live(self) -> None:
        self.page.wait_for_function("() => document.documentElement.dataset.live === 'on'")

    def mark_page(self) -> None:
        """A value that only survives as long as the page is not reloaded."""
        self.page.evaluate("window.__notReloaded = true")

    def not_reloaded(self) -> bool:
        return bool(self.page.evaluate("window.__notReloaded === true"))


def agent_session(browser: Browser, stack: Stack, user: tuple[str, str]) -> Iterator[Agent]:
    base = stack.api + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = watch_page(page, context, base)
    login(page, base, *user)
    try:
        yield Agent(page, context, base)
        assert not watch.errors, watch.errors
    finally:
        context.close()


@pytest.fixture
def anna(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, ADMIN)


@pytest.fixture
def tom(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, AGENT)


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:6]}"


def test_a_new_mail_appears_in_an_open_inbox_without_reload(tom: Agent, web_stack: Stack) -> None:
    tom.inbox()
    tom.mark_page()
    title = tom.page.title()
    subject = unique("Live: Drucker streikt")

    started = time.monotonic()
    send_mail(web_stack, subject, "Der Drucker im 2. OG druckt nicht.", "paula@kunde.example", "Paula Print")
    row = tom.page.locator(".ticket-row", has_text=subject)
    expect(row).to_be_visible(timeout=LIVE_MS)
    seconds = time.monotonic() - started

    assert tom.not_reloaded()
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".dot-unread")).to_have_count(1)
    expect(row).to_have_class(re.compile(r"\bfresh\b"))
    # The tab tells of the new ticket: "(1) Ticketliste – Helpdesk", and a badge on the favicon.
    expect(tom.page).to_have_title(re.compile(r"^\(1\) " + re.escape(title)))
    tom.page.wait_for_function("() => document.querySelector('link[rel=icon]').href.startsWith('data:image/png')")
    # Looking at the tab again clears the count.
    tom.page.mouse.click(5, 400)
    expect(tom.page).to_have_title(title)
    print(f"SMTP accept → row in the open inbox: {seconds:.2f} s")


def test_a_live_change_rebuilds_only_its_own_row(tom: Agent, web_stack: Stack, api: Api) -> None:
    """A live change re-rendered every row of the inbox: a click pressed on another row between mouse-down
    and mouse-up was lost to the rebuilt row (seen in the batch browser tests). Rows whose content is
    unchanged are now the same elements after a change."""
    still, changing = unique("Live-Zeile: bleibt"), unique("Live-Zeile: ändert sich")
    send_mail(web_stack, still, "Diese Zeile bleibt.", "bleibt@kunde.example", "Bernd Bleibt")
    send_mail(web_stack, changing, "Diese Zeile ändert sich.", "aendert@kunde.example", "Anke Ändert")
    tickets = api.wait_for_subjects(still, changing)
    tom.inbox()
    kept_row = tom.page.locator(".ticket-row", has_text=still)
    changed_row = tom.page.locator(".ticket-row", has_text=changing)
    expect(kept_row).to_be_visible(timeout=LIVE_MS)
    expect(changed_row).to_be_visible(timeout=LIVE_MS)
    kept_row.evaluate("tr => { tr.__kept = true; }")
    changed_row.evaluate("tr => { tr.__kept = true; }")

    ticket = api.call("GET", f"/tickets/{tickets[changing]['id']}")
    api.call("PATCH", f"/tickets/{ticket['id']}", {"version": ticket["version"], "priority": "high"})
    expect(changed_row.locator(".prio-high")).to_be_visible(timeout=LIVE_MS)
    assert changed_row.evaluate("tr => tr.__kept === undefined")  # its row was built again, with the change
    assert kept_row.evaluate("tr => tr.__kept === true")  # the other row is the same element


def test_a_new_matching_ticket_appears_in_a_searching_inbox(tom: Agent, web_stack: Stack) -> None:
    """``#/inbox?q=word`` missed a new matching ticket: its live re-read ran before the publisher had indexed
    it, and nothing read again. The index's own change now tells the searching inbox (``indexed``)."""
    word = f"kuehlschrank{uuid.uuid4().hex[:8]}"
    frames: list[str] = []  # what the socket told this page
    tom.page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
    tom.page.goto(f"{tom.base}#/inbox?q={word}")
    tom.page.reload()  # a socket of its own, opened after the listener
    tom.page.wait_for_selector("table.tickets:not([aria-busy])")
    tom.wait_live()
    expect(tom.page.locator(".ticket-row")).to_have_count(0)
    tom.mark_page()

    subject = unique(f"Live-Suche: {word} brummt")
    other = unique("Live-Suche: etwas anderes")
    send_mail(web_stack, other, "Passt nicht zur Suche.", "otto@kunde.example", "Otto Anders")
    send_mail(web_stack, subject, "Er brummt laut.", "klara@kunde.example", "Klara Kalt")
    row = tom.page.locator(".ticket-row", has_text=subject)
    expect(row).to_be_visible(timeout=LIVE_MS)
    assert tom.not_reloaded()
    expect(tom.page.locator(".ticket-row")).to_have_count(1)  # the search, not the whole inbox

    # Not by luck (the one re-read a second after the ticket's message, which a slow index misses): the
    # searching inbox heard that the index changed.
    def heard() -> bool:
        return any('"type":"indexed"' in f.replace(" ", "") for f in frames)

    deadline = time.monotonic() + LIVE_MS / 1000  # (the row may have come first, by that re-read)
    while not heard() and time.monotonic() < deadline:
        tom.page.wait_for_timeout(50)  # frames are delivered while Playwright waits
    assert heard(), frames[-5:]


def test_a_reply_appears_in_an_open_ticket_and_the_draft_stays(
    anna: Agent, tom: Agent, web_stack: Stack, api: Api
) -> None:
    subject = unique("Live: Rückruf erbeten")
    send_mail(web_stack, subject, "Bitte rufen Sie mich zurück.", "rita@kunde.example", "Rita Ruf")
    ticket = api.wait_for_subjects(subject)[subject]

    tom.open_ticket(ticket["id"])
    anna.open_ticket(ticket["id"])
    # Each sees the other looking at the ticket.
    expect(tom.page.locator(".presence-line")).to_have_text("Anna Admin sieht sich das an", timeout=LIVE_MS)
    expect(anna.page.locator(".presence-line")).to_have_text("Tom Agent sieht sich das an", timeout=LIVE_MS)

    # Tom starts a draft, well down the page.
    draft = "Hallo Frau Ruf,\n\nich melde mich gleich – Entwurf von Tom."
    tom_body = tom.page.get_by_label("Nachricht", exact=True)
    tom_body.fill(draft)
    tom_body.focus()
    tom.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    tom.mark_page()
    expect(anna.page.locator(".presence-line")).to_have_text("Tom Agent schreibt eine Antwort", timeout=LIVE_MS)

    # Anna writes: Tom sees "Anna Admin schreibt eine Antwort".
    anna_body = anna.page.get_by_label("Nachricht", exact=True)
    anna_body.press_sequentially("Guten Tag, wir rufen heute an.")
    expect(tom.page.locator(".presence-line")).to_contain_text("Anna Admin schreibt eine Antwort", timeout=LIVE_MS)
    composer_top = tom_body.evaluate("el => el.getBoundingClientRect().top")

    # Anna sends: her reply appears in Tom's open ticket, without a reload, his draft untouched.
    anna.page.get_by_role("button", name="Senden").click()
    expect(tom.page.locator(".msg-out", has_text="wir rufen heute an")).to_have_count(1, timeout=LIVE_MS)
    expect(tom.page.locator(".ticket-meta .badge")).to_have_text("warten auf Kunde", timeout=LIVE_MS)
    assert tom.not_reloaded()
    expect(tom_body).to_have_text(draft, use_inner_text=True)
    expect(tom_body).to_be_focused()
    # The page did not jump: the composer stays where Tom had it on the screen.
    assert abs(tom_body.evaluate("el => el.getBoundingClientRect().top") - composer_top) < 2

    # Anna leaves (closes her tab): Tom's presence line empties at once ($disconnect), not after the 30 s expiry.
    anna.context.close()
    expect(tom.page.locator(".presence-line")).to_be_hidden(timeout=LIVE_MS)


def test_the_inbox_marks_a_ticket_someone_is_replying_to(anna: Agent, tom: Agent, web_stack: Stack, api: Api) -> None:
    subject = unique("Live: Angebot anfragen")
    send_mail(web_stack, subject, "Was kostet das?", "otto@kunde.example", "Otto Offert")
    ticket = api.wait_for_subjects(subject)[subject]

    tom.inbox()
    row = tom.page.locator(f".ticket-row[data-id='{ticket['id']}']")
    expect(row).to_be_visible(timeout=LIVE_MS)
    expect(row.locator(".typing-mark")).to_have_count(0)

    anna.open_ticket(ticket["id"])
    anna.page.get_by_label("Nachricht", exact=True).press_sequentially("Guten Tag")
    expect(row.locator(".typing-mark")).to_have_count(1, timeout=LIVE_MS)
    expect(row.locator(".typing-mark")).to_have_attribute("title", "Antwort in Arbeit: Anna Admin")

    # Anna moves on to the inbox: the marker goes.
    anna.inbox()
    expect(row.locator(".typing-mark")).to_have_count(0, timeout=LIVE_MS)


def test_english_presence_lines(anna: Agent, tom: Agent, web_stack: Stack, api: Api) -> None:
    subject = unique("Live: English please")
    send_mail(web_stack, subject, "Hello there.", "eve@customer.example", "Eve English")
    ticket = api.wait_for_subjects(subject)[subject]
    tom.page.evaluate("localStorage.setItem('helpdesk.lang', 'en')")
    tom.open_ticket(ticket["id"])
    tom.page.reload()
    tom.page.wait_for_selector(".ticket-layout .thread .msg")
    tom.wait_live()
    anna.open_ticket(ticket["id"])
    expect(tom.page.locator(".presence-line")).to_have_text("Anna Admin is viewing this", timeout=LIVE_MS)
    anna.page.get_by_label("Nachricht", exact=True).press_sequentially("Hi")
    expect(tom.page.locator(".presence-line")).to_have_text("Anna Admin is writing a reply", timeout=LIVE_MS)
