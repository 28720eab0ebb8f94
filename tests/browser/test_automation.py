"""Automation in real Chromium (issue 17): an admin builds a trigger (trying it on a ticket first) and a macro in
the administration; a customer's mail over SMTP makes the trigger act; an agent, in a browser context of their
own, applies the macro from the ticket view, sees what it changed and undoes it; the batch bar applies a macro
to several tickets. Every verdict waits for a condition with a timeout; nothing sleeps."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack

from .conftest import SCREENSHOTS, Api, App, login, send_mail, wait_until, watch_page

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AGENT = ("agent", "Agent-Demo-2026")


@pytest.fixture
def agent_page(browser: Browser, web_stack: Stack) -> Iterator[Page]:
    base = web_stack.api + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = watch_page(page, context, base)
    login(page, base, *AGENT)
    try:
        yield page
        assert not watch.errors, watch.errors
    finally:
        context.close()


def ticket(api: Api, ticket_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.call("GET", f"/tickets/{ticket_id}?read=false")
    return found


def add_row(page: Page, rows: str) -> Any:
    """Press the "add" button of a list of rows (conditions, actions) and return the new row."""
    group = page.locator("fieldset", has=page.locator(f"ol[data-rows={rows}]"))
    group.locator(":scope > button").click()
    return page.locator(f"ol[data-rows={rows}] > li").last


def test_admin_builds_a_trigger_and_a_macro_the_trigger_acts_and_an_agent_applies_and_undoes_the_macro(
    app: App, api: Api, web_stack: Stack, agent_page: Page
) -> None:
    mark = uuid.uuid4().hex[:6]
    subject = f"Lieferung {mark} fehlt"
    sender = f"kunde-{mark}@automatik.example"
    send_mail(web_stack, subject, "Meine Bestellung ist nicht angekommen.", sender, "Kai Kunde")
    first = api.wait_for_subjects(subject)[subject]
    assert first["priority"] != "urgent" and "eilt" not in first["tags"]

    # the admin builds the trigger: a customer's answer whose subject holds the mark → tag + priority
    page = app.page
    app.goto("admin/triggers/new")
    form = page.locator("form.rule-form")
    form.locator("input[name=id]").fill(f"eilt-{mark}")
    form.locator("input[name=name]").fill(f"Eilige Antwort {mark}")
    expect(form.locator("select[name=event]")).to_have_value("customer_replied")
    condition = add_row(page, "conditions")
    condition.locator("select[name$='.field']").select_option("subject")
    condition.locator("select[name$='.op']").select_option("contains")
    condition.locator("input[name$='.value']").fill(mark)
    form.locator("ol[data-rows=actions] > li").first.locator("input[name$='.value']").fill(f"eilt-{mark}")
    action = add_row(page, "actions")
    action.locator("select[name$='.kind']").select_option("set_priority")
    action.locator("select[name$='.value']").select_option("urgent")

    # "Testlauf" on the ticket, with the draft: it would fire, and says why in German
    dry = page.locator("form.dry-run")
    dry.locator("input[name=ticket]").fill(first["number"])
    dry.get_by_role("button", name="Testlauf starten").click()
    expect(dry.locator(".dry-fired")).to_contain_text(f"Eilige Antwort {mark}")
    expect(dry.locator(".dry-reasons")).to_contain_text("hat gegriffen (Ereignis: Kunde hat geantwortet)")
    expect(dry.locator(".dry-result")).to_contain_text("Priorität")
    expect(dry.locator(".dry-result")).not_to_contain_text("null")  # (no empty part shown as text)
    app.shot("admin-trigger")
    # a condition that does not hold is said in German too (it came in English from the server)
    condition.locator("input[name$='.value']").fill(f"nicht-{mark}")
    dry.get_by_role("button", name="Testlauf starten").click()
    expect(dry.locator(".dry-reasons")).to_contain_text(f"Betreff enthält „nicht-{mark}“ trifft nicht zu")
    condition.locator("input[name$='.value']").fill(mark)
    # nothing was written
    assert ticket(api, first["id"])["version"] == first["version"]

    # an API refusal reads in German (a queue that does not exist), then the trigger is saved
    queue_action = add_row(page, "actions")
    queue_action.locator("select[name$='.kind']").select_option("notify")
    queue_action.locator("select[name$='.value']").evaluate(
        "s => { s.append(new Option('x', 'queue:gibtsnicht')); s.value = 'queue:gibtsnicht'; }"
    )
    form.get_by_role("button", name="Speichern").click()
    expect(form.locator(".form-error")).to_contain_text("Benachrichtigen braucht den Zuständigen")
    queue_action.get_by_role("button", name="Entfernen").click()
    form.get_by_role("button", name="Speichern").click()
    expect(page.locator("table.data")).to_contain_text(f"Eilige Antwort {mark}")

    # … and a macro: "Rückfrage" sets the status and a tag
    app.goto("admin/macros/new")
    form = page.locator("form.rule-form")
    form.locator("input[name=id]").fill(f"rueckfrage-{mark}")
    form.locator("input[name=name]").fill(f"Rückfrage {mark}")
    first_action = form.locator("ol[data-rows=actions] > li").first
    expect(first_action.locator("select[name$='.kind']")).to_have_value("set_status")
    first_action.locator("select[name$='.value']").select_option("waiting_customer")
    tag = add_row(page, "actions")
    tag.locator("select[name$='.kind']").select_option("add_tag")
    tag.locator("input[name$='.value']").fill(f"rueckfrage-{mark}")
    form.get_by_role("button", name="Speichern").click()
    expect(page.locator("table.data")).to_contain_text(f"Rückfrage {mark}")

    # the customer answers over SMTP: the trigger acts
    send_mail(web_stack, f"Re: [#{first['number']}] {subject}", "Bitte dringend!", sender, "Kai Kunde")

    def trigger_acted() -> dict[str, Any] | None:
        now = ticket(api, first["id"])
        return now if now["priority"] == "urgent" and f"eilt-{mark}" in now["tags"] else None

    acted = wait_until(trigger_acted, timeout=30, what="the trigger's changes")
    # a colleague takes it up ("offen"): a new ticket's status is one the macro's undo cannot go back to
    api.call("PATCH", f"/tickets/{first['id']}", {"version": acted["version"], "status": "open"})
    before_macro = "open"

    # the agent sees it, with the automation's entry in the history
    agent_page.goto(f"{web_stack.api}/#/ticket/{first['id']}")
    agent_page.wait_for_selector(".ticket-layout .thread .msg")
    head = agent_page.locator(".ticket-head")
    expect(head.locator(".prio")).to_have_text("dringend")
    expect(agent_page.locator(".side").get_by_label("Tags", exact=True)).to_have_value(re.compile(f"eilt-{mark}"))
    history = agent_page.locator(".events")
    history.locator("summary").click()
    expect(history.locator("[data-event=AutomationRan]")).to_contain_text(f"eilt-{mark}")
    expect(history).to_contain_text("Die Automatik")

    # the agent applies the macro from the ticket view, sees the change, and undoes it
    head.locator(".macro-menu > summary").click()
    head.locator(f"button[data-macro='rueckfrage-{mark}']").click()
    note = agent_page.locator(".macro-note")
    expect(note).to_contain_text(f"Makro „Rückfrage {mark}“ angewendet.")
    expect(note).to_contain_text("warten auf Kunde")
    expect(head.locator(".ticket-meta .badge")).to_contain_text("warten auf Kunde")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agent_page.screenshot(path=str(SCREENSHOTS / "ticket-macro.png"))
    applied = ticket(api, first["id"])
    assert applied["status"] == "waiting_customer" and f"rueckfrage-{mark}" in applied["tags"]
    note.get_by_role("button", name="Rückgängig").click()
    expect(note).to_contain_text(f"Makro Rückfrage {mark} rückgängig gemacht.")

    def macro_undone() -> dict[str, Any] | None:
        now = ticket(api, first["id"])
        return now if now["status"] == before_macro else None

    undone = wait_until(macro_undone, what="the undo")
    assert f"rueckfrage-{mark}" not in undone["tags"] and f"eilt-{mark}" in undone["tags"]
    expect(head.locator(".ticket-meta .badge")).not_to_contain_text("warten auf Kunde")
    expect(history.locator("[data-event=MacroUndone]")).to_have_count(1)  # (the history stays open)


def test_the_batch_bar_applies_a_macro_to_the_chosen_tickets(app: App, api: Api, web_stack: Stack) -> None:
    mark = uuid.uuid4().hex[:6]
    macro = {"id": f"stapel-{mark}", "name": f"Stapel {mark}", "actions": [{"kind": "add_tag", "value": f"st-{mark}"}]}
    api.call("POST", "/admin/macros", macro)
    subjects = [f"Stapelmakro {mark} {n}" for n in range(2)]
    for n, subject in enumerate(subjects):
        send_mail(web_stack, subject, "Text", f"stapel{n}-{mark}@kunde.example")
    found = api.wait_for_subjects(*subjects)
    web_stack.wait_for(lambda: len(api.tickets(q=f"Stapelmakro {mark}")) == 2, timeout=60, what="the search index")
    app.inbox(f"q=Stapelmakro%20{mark}")
    page = app.page
    expect(page.locator(".ticket-row")).to_have_count(2)
    page.get_by_role("checkbox", name="Alle sichtbaren Tickets auswählen").check()
    bar = page.locator(".batch-bar")
    bar.locator("select[name=set-kind]").select_option("macro")
    expect(bar.locator("select[name=set-value]")).to_contain_text(f"Stapel {mark}")
    bar.locator("select[name=set-value]").select_option(f"stapel-{mark}")
    bar.locator(".batch-group", has=page.locator("select[name=set-kind]")).get_by_role(
        "button", name="Anwenden"
    ).click()

    def tagged() -> bool:
        return all(f"st-{mark}" in ticket(api, found[s]["id"])["tags"] for s in subjects)

    wait_until(tagged, what="the macro on each ticket")
    expect(page.locator(".ticket-row .c-tags", has_text=f"st-{mark}")).to_have_count(2)  # the list shows it too
    expect(page.locator(".batch-results")).to_be_hidden()


def test_admin_keeps_an_sla_policy_with_a_bavarian_calendar_and_reads_refusals_in_german(app: App, api: Api) -> None:
    mark = uuid.uuid4().hex[:6]
    page = app.page
    app.goto("admin/sla-policies/new")
    form = page.locator("form.rule-form")
    form.locator("input[name=id]").fill(f"sla-{mark}")
    form.locator("input[name=name]").fill(f"Standard {mark}")
    form.get_by_label("Gesetzliche Feiertage").select_option("DE-BY")
    form.get_by_label("Eigene freie Tage").fill("2026-12-24, 2026-12-31")
    form.get_by_label("Freitag").fill("08:00-12:00, 13:00-14:00")
    form.locator("input[name='targets.urgent.first_response_hours']").fill("1")
    form.locator("input[name='targets.*.first_response_hours']").fill("8")
    form.locator("input[name='targets.*.solution_hours']").fill("40")
    form.get_by_label("Fälligkeit dem Kunden zeigen").check()
    app.shot("admin-sla", full_page=True)
    form.get_by_role("button", name="Speichern").click()
    expect(page.locator("table.data")).to_contain_text(f"Standard {mark}")
    saved = api.call("GET", f"/admin/sla-policies/sla-{mark}")
    assert saved["targets"] == {
        "urgent": {"first_response_hours": 1.0, "next_response_hours": None, "solution_hours": None},
        "*": {"first_response_hours": 8.0, "next_response_hours": None, "solution_hours": 40.0},
    }
    calendar = saved["calendar"]
    assert (calendar["holidays_region"], calendar["friday"], calendar["saturday"]) == (
        "DE-BY",
        ["08:00-12:00", "13:00-14:00"],
        [],
    )
    assert calendar["extra_holidays"] == ["2026-12-24", "2026-12-31"] and saved["show_to_customer"] is True
    assert saved["pause_in"] == ["waiting_customer"]

    # overlapping business hours are refused, in German, and nothing changes
    page.locator("table.data").get_by_role("link", name=f"Standard {mark}").click()
    form = page.locator("form.rule-form")
    form.get_by_label("Montag").fill("13:00-17:00, 08:00-12:00")
    form.get_by_role("button", name="Speichern").click()
    expect(form.locator(".form-error")).to_contain_text("Geschäftszeiten müssen aufsteigend sein")
    assert api.call("GET", f"/admin/sla-policies/sla-{mark}")["calendar"]["monday"] == ["08:00-17:00"]
    api.call("DELETE", f"/admin/sla-policies/sla-{mark}")
