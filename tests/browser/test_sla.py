"""Issue 17 in Chromium: a ticket's SLA clock in the inbox row and the ticket, and the inbox's SLA filter."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, send_mail, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
ALL_DAY = ["00:00-24:00"]
WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def policy(api: Api) -> Iterator[str]:
    """A policy for one customer domain only (the other tests' tickets keep theirs: none)."""
    domain = f"sla-{secrets.token_hex(3)}.example"
    record = {
        "id": "browser-sla",
        "name": "Browser",
        "customers": [f"@{domain}"],
        "targets": {"*": {"first_response_hours": 100, "solution_hours": 200}},
        "calendar": {"holidays_region": "", **dict.fromkeys(WEEK, ALL_DAY)},
    }
    api.call("POST", "/admin/sla-policies", record)
    yield domain
    api.call("DELETE", "/admin/sla-policies/browser-sla")


def test_the_sla_clock_shows_in_the_row_and_the_ticket_and_the_filter_finds_it(
    app: App, api: Api, web_stack: Stack, policy: str
) -> None:
    subject = f"SLA-Uhr {secrets.token_hex(3)}"
    send_mail(web_stack, subject, "Wann kommt die Antwort?", f"kim@{policy}", "Kim Kundin")
    ticket = api.wait_for_subjects(subject)[subject]
    # The publisher computes the clocks a moment after the change.
    shown = wait_until(lambda: api.call("GET", f"/tickets/{ticket['id']}?read=false")["sla"], what="the SLA clock")
    assert shown["policy"] == "browser-sla" and shown["state"] == "running" and shown["metric"] == "first_response"

    app.inbox("sla=running")
    expect(app.page.locator("select[name=sla]")).to_have_value("running")
    row = app.page.locator(".ticket-row", has_text=subject)
    badge = row.locator("[data-sla=running]")
    expect(badge).to_have_text("SLA in 4 Tagen")  # 100 hours left, told as the list tells times
    expect(badge).to_have_attribute("title", re.compile(r"^Erste Antwort · \d"))  # the clock and its due time
    app.inbox("sla=breached")
    expect(app.page.locator(".ticket-row", has_text=subject)).to_have_count(0)

    app.open_ticket(ticket["id"])
    expect(app.page.locator(".ticket-meta [data-sla=running]")).to_have_text("SLA in 4 Tagen")

    # An answer meets the first-response clock; the reports count it (met, breach rate) in German
    api.call("POST", f"/tickets/{ticket['id']}/replies", {"body": "Wir kümmern uns darum."})
    wait_until(
        lambda: (api.call("GET", "/stats").get("sla") or {}).get("first_response", {}).get("met"),
        what="the met first-response clock in /stats",
    )
    app.goto("reports")
    card = app.page.locator(".chart-card", has_text="SLA-Verletzungen")
    expect(card.locator("svg.chart")).to_be_visible()  # the breaches per clock
    card.locator("summary").click()  # the figures as a table
    expect(card.locator("thead")).to_contain_text("Verletzungsquote")
    row = card.locator("tbody tr", has_text="Erste Antwort")
    expect(row).to_contain_text("%")  # met in the range: a rate, not "–"
    stats = api.call("GET", "/stats")["sla"]["first_response"]
    expect(row.locator("td").first).to_have_text(str(stats["met"]))
