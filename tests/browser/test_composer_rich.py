"""The rich-text composer in real Chromium (issue 14 part 3): bold by Ctrl+B, a bulleted list from the toolbar, a
pasted screenshot — the stack's SES outbox gets text + HTML + the image as an inline part with its Content-ID,
threaded to the customer's mail, with the customer's mail quoted below; the thread shows the reply's HTML."""

from __future__ import annotations

import email
import email.policy
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import PIXEL, Api, App, send_mail, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def raw_mail(stack: Stack, index: int) -> Any:
    with urllib.request.urlopen(f"{stack.state['outbox_url']}/messages/{index}.eml", timeout=10) as response:
        return email.message_from_bytes(response.read(), policy=email.policy.default)


def test_bold_a_list_and_a_pasted_image_reach_the_outbox_as_html_text_and_inline_part(
    app: App, api: Api, web_stack: Stack
) -> None:
    subject = "Fehlermeldung beim Login"
    send_mail(web_stack, subject, "Ich sehe nur eine Fehlermeldung.", "rita@kunde.example", "Rita Rich")
    ticket = api.wait_for_subjects(subject)[subject]
    messages = api.call("GET", f"/tickets/{ticket['id']}")["messages"]
    customer_mail = next(m for m in messages if m["direction"] == "inbound")
    before = len(api.outbox())
    app.open_ticket(ticket["id"])
    page = app.page
    composer = page.locator(".composer")
    body = page.get_by_label("Nachricht", exact=True)
    body.click()
    bold = composer.get_by_role("button", name="Fett")
    page.keyboard.press("Control+B")
    page.keyboard.type("Wichtig:")
    expect(bold).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Control+B")
    page.keyboard.type(" bitte so vorgehen")
    expect(bold).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    composer.get_by_role("button", name="Aufzählung").click()
    expect(composer.get_by_role("button", name="Aufzählung")).to_have_attribute("aria-pressed", "true")
    page.keyboard.type("abmelden")
    page.keyboard.press("Enter")
    page.keyboard.type("neu anmelden")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # leaves the list
    page.keyboard.type("So sieht es aus:")
    # A screenshot from the clipboard, pasted where the caret is.
    body.evaluate(
        """(el, bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "image.png", { type: "image/png" }));
            el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        list(PIXEL),
    )
    expect(body.locator("img[data-key]")).to_have_count(1)  # uploaded
    quote = composer.get_by_label("Zitat mitsenden")
    expect(quote).to_be_checked()  # the team's default
    composer.locator(".compose-quote summary").click()
    expect(composer.locator(".compose-quote")).to_contain_text("Ich sehe nur eine Fehlermeldung.")
    app.shot("rich-composer")
    composer.get_by_role("button", name="Senden", exact=True).click()

    def sent() -> tuple[int, dict[str, Any]] | None:
        box = api.outbox()
        return next(((i, m) for i, m in enumerate(box) if i >= before and ticket["number"] in m["subject"]), None)

    index, mail = wait_until(sent, timeout=20, what="the reply in the outbox")
    assert mail["in_reply_to"] == f"<{customer_mail['message_id']}>"
    parsed = raw_mail(web_stack, index)
    parts = [(p.get_content_type(), p["Content-ID"]) for p in parsed.walk()]
    assert [kind for kind, _ in parts] == [
        "multipart/alternative",
        "text/plain",
        "multipart/related",
        "text/html",
        "image/png",
    ]
    cid = parts[-1][1]
    assert cid and cid.startswith("<img-") and cid.endswith("@helpdesk>")
    image = next(p for p in parsed.walk() if p.get_content_type() == "image/png")
    assert image.get_content() == PIXEL and image.get_content_disposition() == "inline"
    html = str(parsed.get_body(preferencelist=("html",)).get_content()).replace("&nbsp;", " ")  # as Chromium types
    assert "<b>Wichtig:</b> bitte so vorgehen" in html
    assert "<ul><li>abmelden</li><li>neu anmelden</li></ul>" in html
    assert f'src="cid:{cid[1:-1]}"' in html
    assert '<blockquote type="cite">Ich sehe nur eine Fehlermeldung.' in html
    text = str(parsed.get_body(preferencelist=("plain",)).get_content()).replace("\r\n", "\n")
    assert text.startswith("Wichtig: bitte so vorgehen\n- abmelden\n- neu anmelden\nSo sieht es aus:[image.png]"), text
    assert "schrieb Rita Rich <rita@kunde.example>:\n> Ich sehe nur eine Fehlermeldung." in text

    # The thread shows the reply as HTML (in the sandboxed frame, like an inbound HTML mail), the image inline.
    reply = page.locator(".msg-out").filter(has=page.locator("iframe"))
    expect(reply).to_have_count(1)
    frame = reply.frame_locator("iframe")
    expect(frame.locator("b")).to_have_text("Wichtig:")
    expect(frame.locator("img[src^=http]")).to_have_count(1)
    expect(body).to_have_text("")  # the composer is empty again


def test_plain_text_mode_and_a_link_by_ctrl_k(app: App, api: Api, web_stack: Stack) -> None:
    send_mail(web_stack, "Link bitte", "Wo finde ich die Anleitung?", "lina@kunde.example", "Lina Link")
    ticket = api.wait_for_subjects("Link bitte")["Link bitte"]
    before = len(api.outbox())
    app.open_ticket(ticket["id"])
    page = app.page
    composer = page.locator(".composer")
    body = page.get_by_label("Nachricht", exact=True)
    body.click()
    page.keyboard.type("Hier: ")
    page.keyboard.press("Control+K")
    link = composer.get_by_label("Linkadresse")
    expect(link).to_be_focused()
    link.fill("example.org/anleitung")
    link.press("Enter")
    expect(body.locator("a")).to_have_attribute("href", "https://example.org/anleitung")
    expect(composer.get_by_role("button", name="Link")).to_have_attribute("aria-pressed", "false")  # caret after it
    page.keyboard.press("ArrowLeft")
    expect(composer.get_by_role("button", name="Link")).to_have_attribute("aria-pressed", "true")
    # The quote button sets the line as a quote and takes it back.
    quote = composer.get_by_role("button", name="Zitat", exact=True)
    quote.click()
    expect(body.locator("blockquote")).to_have_count(1)
    expect(quote).to_have_attribute("aria-pressed", "true")
    quote.click()
    expect(body.locator("blockquote")).to_have_count(0)
    expect(quote).to_have_attribute("aria-pressed", "false")
    # "Nur Text" turns what was written into plain text; the choice is remembered.
    composer.get_by_role("button", name="Nur Text").click()
    plain = page.get_by_label("Nachricht", exact=True)
    expect(plain).to_have_value("Hier: https://example.org/anleitung")
    plain.fill("Hier: https://example.org/anleitung\nGruß")
    composer.get_by_label("Zitat mitsenden").uncheck()
    composer.get_by_role("button", name="Senden", exact=True).click()

    def sent() -> dict[str, Any] | None:
        return next((m for m in api.outbox()[before:] if ticket["number"] in m["subject"]), None)

    mail = wait_until(sent, timeout=20, what="the reply in the outbox")
    assert mail["text"].replace("\r\n", "\n").startswith("Hier: https://example.org/anleitung\nGruß")
    assert "Wo finde ich" not in mail["text"]
    assert page.evaluate("localStorage.getItem('helpdesk.plaintext')") == "1"
    composer.get_by_role("button", name="Nur Text").click()  # back to rich text for the other tests
    assert page.evaluate("localStorage.getItem('helpdesk.plaintext')") == "0"
