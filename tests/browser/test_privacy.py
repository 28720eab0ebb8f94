"""Data protection in real Chromium: delete a ticket for good, erase a customer after the dry run, the audit log."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, login, send_mail

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_an_admin_deletes_a_ticket_in_the_papierkorb_for_good(app: App, api: Api, web_stack: Stack) -> None:
    subject = "Newsletter: Winterschlussverkauf"
    send_mail(web_stack, subject, "Jetzt zugreifen.", "werbung@shop.example")
    ticket = api.wait_for_subjects(subject)[subject]
    app.open_ticket(ticket["id"])
    page = app.page
    expect(page.locator("[data-purge]")).to_be_hidden()  # only in the Papierkorb
    api.call("PATCH", f"/tickets/{ticket['id']}", {"version": ticket["version"], "status": "trash"})
    app.open_ticket(ticket["id"])
    button = page.locator("[data-purge]")
    expect(button).to_be_visible()
    button.click()
    dialog = page.locator("dialog")
    expect(dialog).to_contain_text(f"{ticket['number']} endgültig löschen?")
    dialog.get_by_role("button", name="Endgültig löschen").click()
    expect(page.locator(".toast", has_text="ist endgültig gelöscht")).to_be_visible()
    app.wait_list()
    status, _, _ = web_stack.request("GET", f"/tickets/{ticket['id']}", token=api.token)
    assert status == 404


def test_an_agent_gets_no_delete_button(fresh_context: BrowserContext, api: Api, web_stack: Stack) -> None:
    subject = "Werbung für Agenten"
    send_mail(web_stack, subject, "Kaufen!", "werbung2@shop.example")
    ticket = api.wait_for_subjects(subject)[subject]
    api.call("PATCH", f"/tickets/{ticket['id']}", {"version": ticket["version"], "status": "trash"})
    page = fresh_context.new_page()
    base = web_stack.api + "/"
    login(page, base, "agent", "Agent-Demo-2026")
    page.goto(f"{base}#/ticket/{ticket['id']}")
    page.wait_for_selector(".ticket-layout .thread .msg")
    expect(page.locator(".side select[name=status]")).to_be_visible()
    expect(page.locator("[data-purge]")).to_be_hidden()


def test_an_admin_erases_a_customer_after_the_dry_run(app: App, api: Api, web_stack: Stack) -> None:
    address = "rita.rasch@beispiel.example"
    subjects = ["Kündigung meines Vertrags", "Bitte alle Daten löschen"]
    for subject in subjects:
        send_mail(web_stack, subject, "Bitte bestätigen.", address, "Rita Rasch")
    api.wait_for_subjects(*subjects)
    page = app.page
    app.goto(f"customer/{address}")
    expect(page.locator("h1")).to_have_text("Rita Rasch")
    page.locator("[data-erase]").click()
    dialog = page.locator("dialog")
    expect(dialog.locator("[data-preview]")).to_contain_text("2 Tickets")
    go = dialog.get_by_role("button", name="Endgültig ausführen")
    expect(go).to_be_disabled()
    dialog.get_by_label("Zur Bestätigung die Adresse eingeben").fill("jemand@anders.example")
    expect(go).to_be_disabled()
    dialog.get_by_label("Zur Bestätigung die Adresse eingeben").fill(address)
    expect(go).to_be_enabled()
    go.click()
    expect(page.locator(".toast", has_text=re.compile("ist gelöscht|Läuft"))).to_be_visible()
    # On a busy machine the request's 15 s may end first: then push the job on as an admin can.
    for _ in range(20):
        (job,) = [j for j in api.call("GET", "/admin/privacy/jobs")["items"] if j["actor"] == "admin"][:1]
        if job["state"] == "done":
            break
        api.call("POST", f"/admin/privacy/jobs/{job['id']}/run")
    assert job["state"] == "done" and job["counts"]["tickets_deleted"] == 2, job
    status, _, _ = web_stack.request("GET", f"/customers/{address}", token=api.token)
    assert status == 404
    assert not [t for t in api.tickets() if t["subject"] in subjects]

    app.goto("admin/audit")
    table = page.locator("table[data-audit]")
    expect(table).to_contain_text("Kunde gelöscht")
    expect(table).to_contain_text("customer #")
    expect(table).not_to_contain_text(address)
    expect(page.locator("table[data-jobs]")).to_contain_text("fertig")
    app.shot("admin-audit", full_page=True)
