"""Saved views ("Eigene Ordner", issue 17 part 4) in two browsers at once: Anna (admin) saves a shared view from
her current filter; Tom (agent) finds it in his inbox with its count, and the count follows a new mail live.
Every verdict waits for a condition with a timeout; nothing sleeps."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, send_mail
from .test_live import LIVE_MS, Agent, anna, tom  # noqa: F401  (the two agents' fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_a_shared_view_with_its_live_count_in_another_agents_inbox(
    anna: Agent,  # noqa: F811
    tom: Agent,  # noqa: F811
    web_stack: Stack,
    api: Api,
) -> None:
    token = f"ordner{uuid.uuid4().hex[:8]}"
    first = f"Reklamation {token} Lieferung"
    send_mail(web_stack, first, "Karton beschädigt.", "rita@kunde.example", "Rita Retour")
    api.wait_for_subjects(first)

    # Anna filters the subject column, saves the filter as a view shared with the team.
    anna.inbox()
    anna.page.fill("input[name=subject]", token)
    anna.page.keyboard.press("Enter")
    expect(anna.page.locator(".ticket-row")).to_have_count(1)
    anna.page.click("[data-save-view]")
    dialog = anna.page.locator("dialog[open]")
    dialog.locator("input[name=view-name]").fill("Reklamationen")
    dialog.locator("input[name=view-shared]").check()
    dialog.locator(".btn-primary").click()
    saved = anna.page.locator(".tab.view", has_text="Reklamationen")
    expect(saved).to_have_attribute("aria-pressed", "true")
    expect(saved.locator(".view-count")).to_have_text("1")

    # Tom sees it beside the built-in views (whose counts he sees too), with its count.
    tom.inbox()
    view = tom.page.locator(".tab.view", has_text="Reklamationen")
    expect(view.locator(".view-count")).to_have_text("1")
    expect(tom.page.locator(".tab[data-tab=inbox] .view-count")).to_have_text(re.compile(r"^\d+\+?$"))
    expect(tom.page.locator("[data-delete-view]")).to_have_count(0)  # shared: kept by admins
    view.click()
    expect(tom.page.locator(".ticket-row")).to_have_count(1)
    expect(tom.page.locator(".ticket-row", has_text=first)).to_be_visible()
    assert "view=" in tom.page.url and token in tom.page.url

    # A second such mail: Tom's count follows without a reload, and so does his list.
    tom.mark_page()
    second = f"Reklamation {token} Farbe"  # (not "Rechnung": a rule files that where Tom may not look)
    send_mail(web_stack, second, "Falsche Farbe.", "rolf@kunde.example", "Rolf Rot")
    expect(view.locator(".view-count")).to_have_text("2", timeout=LIVE_MS)
    expect(tom.page.locator(".ticket-row")).to_have_count(2, timeout=LIVE_MS)
    assert tom.not_reloaded()

    # Anna deletes it; Tom's next count no longer lists it.
    anna.page.click("[data-delete-view]")
    anna.page.locator("dialog[open] .btn-danger").click()
    expect(anna.page.locator(".tab.view", has_text="Reklamationen")).to_have_count(0)
    tom.inbox()
    expect(tom.page.locator(".tab.view", has_text="Reklamationen")).to_have_count(0)
