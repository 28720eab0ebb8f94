"""Accessibility of every page of the web client, checked in real Chromium (WCAG 2.1 AA, what a machine decides).

``a11y_audit.js`` runs inside each page: accessible names for controls, buttons, links and iframes,
no positive tabindex, alt text, ``lang``, and text contrast against the composed background. A
finding names the element, so a failure says what to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import Stack

from .conftest import Api, App, customer_link

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

AUDIT = (Path(__file__).parent / "a11y_audit.js").read_text(encoding="utf-8")


def audit(page: Page, what: str) -> list[str]:
    page.wait_for_timeout(200)  # let transitions settle: colours are read as computed now
    return [f"{what}: {finding}" for finding in page.evaluate(AUDIT)]


def test_agent_pages_have_names_focus_order_and_contrast(app: App, api: Api) -> None:
    page = app.page
    findings: list[str] = []
    app.inbox()
    findings += audit(page, "inbox")
    page.get_by_role("checkbox").nth(1).check()  # a row selected: the batch bar shows
    findings += audit(page, "inbox with batch bar")
    page.get_by_role("checkbox").nth(1).uncheck()

    ticket = api.ticket_by_subject("Lieferung fehlt noch")
    app.open_ticket(ticket["id"])
    findings += audit(page, "ticket")
    page.keyboard.press("r")
    expect(page.get_by_label("Nachricht", exact=True)).to_be_focused()
    findings += audit(page, "composer")
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("c")
    expect(page.get_by_label("Interner Kommentar", exact=True)).to_be_focused()
    findings += audit(page, "comment")

    for route in (
        "new",
        "customers",
        "customer/juergen.mueller%40kunde-gmbh.de",
        "reports",
        "admin/mailboxes",
        "admin/mailboxes/support",
        "admin/queues",
        "admin/rules",
        "admin/rules/urgent",
        "admin/templates",
        "admin/templates/thanks",
        "admin/triggers/new",
        "admin/macros/new",
        "admin/sla-policies/new",
        "admin/agents",
        "admin/agents/new",
        "admin/settings",
        "admin/audit",
    ):
        try:
            app.goto(route)
            page.wait_for_selector("main#main:not(:has(.loading))")
        except PlaywrightTimeout as exc:
            raise AssertionError(f"#/{route} did not render; page errors: {app.watch.errors}") from exc
        findings += audit(page, route)
    assert not findings, "\n".join(findings)
    assert not app.watch.errors, app.watch.errors


def test_keyboard_focus_is_always_visible(app: App) -> None:
    """Tabbing through the inbox: every stop is a visible element with a visible focus indicator."""
    page = app.page
    app.inbox()
    page.locator("body").click(position={"x": 5, "y": 5})
    problems = []
    for _ in range(25):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const s = getComputedStyle(el);
              const box = el.getBoundingClientRect();
              return {
                what: el.tagName.toLowerCase() + ' '
                  + (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 30),
                outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                shadow: s.boxShadow !== 'none',
                sized: box.width > 0 && box.height > 0,
              };
            }"""
        )
        if state is None:
            continue
        if not state["sized"]:
            problems.append(f"focus on an invisible element: {state['what']}")
        elif not (state["outline"] or state["shadow"]):
            problems.append(f"no visible focus indicator: {state['what']}")
    assert not problems, "\n".join(problems)


def test_login_and_customer_pages(fresh_context: BrowserContext, web_stack: Stack, api: Api) -> None:
    # A ticket of its own: the demo tickets stay as they are.
    _, link = customer_link(web_stack, api, "Barrierefreiheit: Frage", "Gilt das Angebot noch?", "Es gilt.")

    page = fresh_context.new_page()
    page.goto(web_stack.api + "/")
    page.wait_for_selector("input[name=username]")
    findings = audit(page, "login")
    page.goto(link)
    page.wait_for_selector(".public-card .badge")
    findings += audit(page, "public ticket")
    page.goto(web_stack.api + "/#/contact")
    page.wait_for_selector("form")
    findings += audit(page, "contact form")
    page.goto(web_stack.api + "/#/t/forged.123.abc")
    page.wait_for_selector("h1")
    findings += audit(page, "public ticket (invalid link)")
    assert not findings, "\n".join(findings)


def test_the_audit_finds_what_it_looks_for(fresh_context: BrowserContext) -> None:
    """The audit itself: a page with one of each kind of fault gets one finding for each."""
    page = fresh_context.new_page()
    page.set_content(
        """<!doctype html><html><body style="background:#fff">
        <p style="color:#777">Grau auf Weiß</p>
        <p style="color:#767676">Gerade genug</p>
        <div style="background:rgba(0,0,0,0.5)"><span style="color:#333">Dunkelgrau auf Halbschwarz</span></div>
        <h1 style="font-size:30px;color:#949494">Große Schrift</h1>
        <input name="ohne"> <label>Mit <input name="mit"></label>
        <button></button> <button aria-label="Schließen"></button>
        <a href="#x" style="display:inline-block;width:9px;height:9px"></a>
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="5" height="5">
        <iframe srcdoc="x"></iframe> <span tabindex="2">zwei</span> <i id="a"></i><b id="a"></b>
        <span class="sr" style="position:absolute;width:1px;height:1px;overflow:hidden;color:#eee">versteckt</span>
        </body></html>"""
    )
    findings = page.evaluate(AUDIT)
    kinds = sorted(f.split(":", 1)[0] for f in findings)
    expected = ["alt", "contrast", "contrast", "document", "document", "focus", "name", "name", "name", "name"]
    assert kinds == expected, findings
    text = "\n".join(findings)
    assert "Grau auf Weiß" in text and "Dunkelgrau auf Halbschwarz" in text
    assert "Gerade genug" not in text and "Große Schrift" not in text and "versteckt" not in text
    assert '<input> "ohne"' in text and "Schließen" not in text
