"""Issue 15 in the browser: a word of a message body, typed into the inbox's search box, finds the
ticket, closed or not, and the row shows where it matched with the word marked."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail


def test_typing_a_body_word_into_the_inbox_search_finds_the_closed_ticket(app: App, api: Api, web_stack: Stack) -> None:
    subject = "Uhr geht nach"
    send_mail(
        web_stack, subject, "Guten Tag,\n\ndas Quarzuhrwerk meiner Wanduhr geht nach.\n\nGrüße", "uhr@kunde.example"
    )
    ticket = api.wait_for_subjects(subject)[subject]
    api.call("PATCH", f"/tickets/{ticket['id']}", {"version": ticket["version"], "status": "closed"})
    # the publisher indexes from the stream: wait until the API finds it (about a second locally)
    web_stack.wait_for(lambda: api.tickets(q="quarzuhrwerk", status="closed"), timeout=20, what="the index")

    app.inbox()
    page = app.page
    expect(page.locator(".ticket-row", has_text=subject)).to_have_count(0)  # closed: not in the default inbox
    search = page.locator("input[name=q]")
    search.fill("Quarzuhr")
    search.press("Enter")
    app.wait_list()
    row = page.locator(".ticket-row", has_text=subject)
    expect(row).to_have_count(1)
    expect(page.locator(".ticket-row")).to_have_count(1)
    expect(row.locator(".search-snippet")).to_contain_text("in der Nachricht vom")
    expect(row.locator(".search-snippet mark")).to_have_text("Quarzuhrwerk")
    expect(row.locator(".c-status")).to_contain_text("abgeschlossen")
    search.fill("")
    search.press("Enter")
    app.wait_list()
