"""Issue 15 in the browser: a word of a message body, typed into the inbox's search box, finds the
ticket, closed or not, and the row shows where it matched with the word marked."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail, wait_until


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


def _fold(text: str) -> str:
    import unicodedata

    text = text.lower().replace("ß", "ss")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _customers_last_if_none(names: list[str], reverse: bool = False) -> list[str]:
    """The customer sort's order: by name (A to Z, or Z to A), and a ticket without a customer (one whose
    customer was erased, say) last in both orders, as docs/api.md says of every sort."""
    return sorted((n for n in names if n), reverse=reverse) + [n for n in names if not n]


def test_the_due_date_and_customer_sorts_list_what_the_filter_matches(app: App) -> None:
    """Issue 15: "Sortierung: Fälligkeit" showed 2 of 70 tickets (footer "2 Tickets"); every sort now lists
    what the filter matches, in its order, and the footer counts the same as without the sort."""
    app.inbox("limit=100")
    page = app.page
    footer = page.locator(".list-status")
    expect(footer).not_to_have_text("")
    before, rows = footer.inner_text(), sorted(app.rows())
    for sort in ("due", "customer", "priority"):
        page.get_by_label("Sortierung").select_option(sort)
        app.wait_list()
        expect(footer).to_have_text(before)
        assert sorted(app.rows()) == rows, sort
    page.get_by_label("Sortierung").select_option("customer")
    app.wait_list()
    names = [_fold(n.strip()) for n in page.locator(".ticket-row .c-customer").all_inner_texts()]
    assert names == _customers_last_if_none(names), names
    page.get_by_label("Reihenfolge").select_option("desc")
    app.wait_list()
    names = [_fold(n.strip()) for n in page.locator(".ticket-row .c-customer").all_inner_texts()]
    assert names == _customers_last_if_none(names, reverse=True), names


def test_the_side_panel_looks_customers_up_as_you_type(app: App, api: Api, web_stack: Stack) -> None:
    """Issue 15 part 6: any part of name, address, company, customer number or phone finds the customer;
    choosing one makes them the ticket's customer."""
    api.call(
        "POST",
        "/customers",
        {"email": "b.weiss@baeckerei-weiss.example", "name": "Brigitte Weiß", "company": "Bäckerei Weiß GmbH",
         "external_id": "K-10023", "phone": "+49 30 1234567"},
    )  # fmt: skip
    subject = "Brötchen bestellen"
    send_mail(web_stack, subject, "Ich möchte 40 Brötchen bestellen.", "anruf@kunde.example")
    ticket = api.wait_for_subjects(subject)[subject]
    app.open_ticket(ticket["id"])
    page = app.page
    lookup = page.get_by_label("Kunde suchen")
    for text in ("K-10023", "bäcker"):
        lookup.fill(text)
        expect(page.locator(".customer-found button")).to_have_count(1)
        expect(page.locator(".customer-found button")).to_contain_text("Brigitte Weiß")
    page.locator(".customer-found button").click()
    expect(page.get_by_label("E-Mail des Kunden")).to_have_value("b.weiss@baeckerei-weiss.example")
    wait_until(
        lambda: api.call("GET", f"/tickets/{ticket['id']}")["customer"]["address"] == "b.weiss@baeckerei-weiss.example",
        what="the ticket's new customer",
    )
