"""No double replies (issue 12, part 3): two agents in two browser contexts, and the customer's page.

A is "Anna Admin" (admin), B is "Tom Agent" (agent). Both open the same ticket and write; Anna sends;
Tom sends before his view has caught up with her reply: he is shown the conflict with her reply, his
draft stays, and only one mail is in the outbox until he presses "Trotzdem senden".

"Before his view has caught up" is made certain by answering Tom's re-reads of the ticket with the
state he opened (a route in his context), as when he presses "Senden" in the moment between Anna's
reply and its live update. Every verdict waits for a condition with a timeout; nothing sleeps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, expect

from tests.e2e.conftest import Stack

from .conftest import ADMIN, Api, customer_link, send_mail, wait_until, watch_page
from .test_live import AGENT, LIVE_MS, Agent, agent_session, unique

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture
def anna(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, ADMIN)


@pytest.fixture
def tom(browser: Browser, web_stack: Stack) -> Iterator[Agent]:
    yield from agent_session(browser, web_stack, AGENT)


def replies_to(api: Api, number: str, since: int) -> list[dict[str, Any]]:
    """The agents' replies about ticket ``number`` in the outbox since index ``since`` (not the auto-reply)."""
    return [
        m for m in api.outbox()[since:] if number in m["subject"] and ("(Anna)" in m["text"] or "(Tom)" in m["text"])
    ]


def test_simultaneous_replies_send_one_mail_and_the_second_agent_sees_the_conflict(
    anna: Agent, tom: Agent, web_stack: Stack, api: Api
) -> None:
    subject = unique("Konflikt: Lieferadresse falsch")
    send_mail(web_stack, subject, "Das Paket ging an die alte Adresse.", "olga@kunde.example", "Olga Ott")
    ticket = api.wait_for_subjects(subject)[subject]
    number = ticket["number"]
    wait_until(lambda: api.call("GET", f"/tickets/{ticket['id']}")["thread_version"] >= 2, what="the auto-reply")
    sent = len(api.outbox())

    tom.open_ticket(ticket["id"])
    anna.open_ticket(ticket["id"])
    # Tom's view stays at what he opened until he has pressed "Senden" (see the module's note).
    opened = api.call("GET", f"/tickets/{ticket['id']}")
    detail_url = re.compile(re.escape(f"/tickets/{ticket['id']}") + r"(\?.*)?$")

    def stale_view(route: Route) -> None:
        if route.request.method == "GET":
            route.fulfill(status=200, content_type="application/json", body=json.dumps(opened))
        else:
            route.continue_()

    tom.context.route(detail_url, stale_view)

    tom_draft = "Guten Tag Frau Ott, die Sendung ist umgeleitet. (Tom)"
    tom_body = tom.page.get_by_label("Nachricht", exact=True)
    tom_body.fill(tom_draft)
    anna_body = anna.page.get_by_label("Nachricht", exact=True)
    anna_body.fill("Guten Tag Frau Ott, wir senden das Paket neu. (Anna)")

    anna.page.get_by_role("button", name="Senden", exact=True).click()
    wait_until(lambda: len(replies_to(api, number, sent)) == 1, what="Anna's reply in the outbox")

    tom.page.get_by_role("button", name="Senden", exact=True).click()
    box = tom.page.locator(".reply-conflict")
    expect(box).to_be_visible(timeout=LIVE_MS)
    expect(box).to_contain_text("Inzwischen wurde schon geantwortet.")
    expect(box).to_contain_text("Antwort von Anna Admin")
    expect(box).to_contain_text("wir senden das Paket neu")
    expect(tom_body).to_have_text(tom_draft, use_inner_text=True)  # the draft stays
    assert len(replies_to(api, number, sent)) == 1  # the 409 has answered: nothing went out for Tom

    # "Entwurf behalten" closes the notice and keeps the text; Tom sends anyway after all.
    tom.page.get_by_role("button", name="Entwurf behalten").click()
    expect(box).to_be_hidden()
    expect(tom_body).to_have_text(tom_draft, use_inner_text=True)
    tom.page.get_by_role("button", name="Senden", exact=True).click()
    expect(box).to_be_visible(timeout=LIVE_MS)  # still the position he opened with: shown again
    # Only now may his view catch up: unrouted before this "Senden", a live refresh in between (real
    # data, Anna's reply shown) made it a reply after seeing hers, rightly sent without a conflict.
    tom.context.unroute(detail_url, stale_view)
    tom_body.fill(tom_draft + " Anna hat es Ihnen schon geschrieben.")  # he adapts his text, then sends
    tom.page.get_by_role("button", name="Trotzdem senden").click()
    expect(box).to_be_hidden(timeout=LIVE_MS)
    expect(tom_body).to_have_text("")
    wait_until(lambda: len(replies_to(api, number, sent)) == 2, what="Tom's reply in the outbox")
    assert any("(Tom) Anna hat es Ihnen schon geschrieben." in m["text"] for m in replies_to(api, number, sent))

    # Anna's open ticket shows Tom's reply live; her next reply after seeing it is no conflict.
    expect(anna.page.locator(".msg-out", has_text="umgeleitet. (Tom)")).to_have_count(1, timeout=LIVE_MS)
    anna_body.fill("Nachtrag: die Sendungsnummer folgt. (Anna)")
    anna.page.get_by_role("button", name="Senden", exact=True).click()
    wait_until(lambda: len(replies_to(api, number, sent)) == 3, what="Anna's second reply")
    expect(anna.page.locator(".reply-conflict")).to_be_hidden()


def test_a_batch_action_skips_the_ticket_a_colleague_is_answering_until_confirmed(
    anna: Agent, tom: Agent, web_stack: Stack, api: Api
) -> None:
    tag = unique("Stapel")
    subjects = [f"{tag} beantwortet", f"{tag} frei"]
    for subject in subjects:
        send_mail(web_stack, subject, "Bitte um Rückmeldung.", "uwe@kunde.example", "Uwe Unger")
    tickets = api.wait_for_subjects(*subjects)
    answered = tickets[subjects[0]]
    word = tag.split()[-1]
    # The search index follows the tickets table's stream (the publisher): listed is not yet searchable.
    # A precondition, not a verdict on freshness (tests/e2e measure that): a fresh-clone run, its stack's
    # publisher behind the other browser tests' tickets, took longer than 10 s.
    wait_until(lambda: len(api.tickets(q=word)) == 2, timeout=60, what="both tickets searchable")

    tom.page.goto(f"{tom.base}#/inbox?q={word}")
    tom.page.wait_for_selector("table.tickets:not([aria-busy])")
    tom.wait_live()
    rows = tom.page.locator(".ticket-row")
    expect(rows).to_have_count(2)
    anna.open_ticket(answered["id"])
    anna.page.get_by_label("Nachricht", exact=True).press_sequentially("Guten Tag Herr Unger")
    expect(tom.page.locator(f".ticket-row[data-id='{answered['id']}'] .typing-mark")).to_have_count(1, timeout=LIVE_MS)

    tom.page.get_by_role("checkbox", name="Alle sichtbaren Tickets auswählen").check()
    tom.page.locator("button[data-action=archive_unread]").click()
    results = tom.page.locator(".batch-results")
    expect(results).to_be_visible()
    expect(results).to_contain_text(answered["number"])
    expect(results).to_contain_text("übersprungen – Anna Admin schreibt gerade eine Antwort")
    assert api.call("GET", f"/tickets/{answered['id']}")["status"] == "new"
    assert api.call("GET", f"/tickets/{tickets[subjects[1]]['id']}")["status"] == "closed"

    results.get_by_role("button", name="Trotzdem ausführen").click()
    wait_until(lambda: api.call("GET", f"/tickets/{answered['id']}")["status"] == "closed", what="archived anyway")


def test_the_customer_page_shows_our_new_answer_before_sending_theirs(
    fresh_context: BrowserContext, web_stack: Stack, api: Api
) -> None:
    subject = unique("Konflikt: Termin Montag")
    first = "Guten Tag,\n\nMontag passt. (erste Antwort)"
    ticket, link = customer_link(web_stack, api, subject, "Passt Montag?", first)
    page = fresh_context.new_page()  # the customer: not logged in
    watch = watch_page(page, fresh_context, web_stack.api + "/")
    page.goto(link)
    expect(page.locator(".msg-out", has_text="(erste Antwort)")).to_have_count(1)
    # While the customer writes, we answer again.
    api.call("POST", f"/tickets/{ticket['id']}/replies", {"body": "Korrektur: Dienstag statt Montag. (zweite Antwort)"})
    text = page.get_by_label("Ihre Nachricht")
    text.fill("Danke, Montag 10 Uhr ist gut.")
    page.get_by_role("button", name="Nachricht senden").click()
    notice = page.locator(".reply-conflict")
    expect(notice).to_contain_text("Wir haben Ihnen inzwischen geschrieben")
    expect(page.locator(".msg-out", has_text="(zweite Antwort)")).to_have_count(1)  # shown above
    expect(page.get_by_label("Ihre Nachricht")).to_have_value("Danke, Montag 10 Uhr ist gut.")  # kept
    assert [m["direction"] for m in api.call("GET", f"/tickets/{ticket['id']}")["messages"]][-1] == "outbound"
    notice.get_by_role("button", name="Trotzdem senden").click()
    expect(page.locator(".msg-in", has_text="Montag 10 Uhr")).to_have_count(1)
    assert api.call("GET", f"/tickets/{ticket['id']}")["messages"][-1]["direction"] == "inbound"
    assert not watch.errors and not watch.dialogs
