"""Hostile mail in the agents' browser: nothing from a mail may run, navigate, pop up or phone home.

The mails are built here and sent over SMTP through the whole pipeline (ingest sanitizer included); the
browser then shows them the way an agent would. Every payload tries to set a canary in our page
(``window.top.__pwned``), change its title, open a dialog or navigate. Remote resources point at a local
tracker, which must see nothing until the agent clicks "Bilder laden" on one message — and then only
that message's images.

Classes covered: script/event handlers/``javascript:`` links/SVG script/CSS expressions/``<base>``/
``<meta refresh>`` in HTML mail (OTRS CVE-2010-4071, CVE-2014-1695), markup in mail shown in the ticket
overview (OTRS CVE-2021-21441), script in the subject (Zammad CVE-2018-1000154), uploaded HTML/JS/SVG
attachments that must download instead of running as our page (FreeScout GHSA-56h2-5556-r6mg), script in
the sender's name and in attachment file names.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, App, Tracker, fetch

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CANARY = "window.top.__pwned=1;parent.document.title='PWNED';top.location='{track}/navigated'"
SANDBOX = "allow-popups allow-popups-to-escape-sandbox"


def html_mail(
    marker: str,
    subject: str,
    html: str,
    text: str = "Bitte HTML-Ansicht verwenden.",
    sender: str = "angreifer@boese.example",
    name: str = "",
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f'"{name}" <{sender}>' if name else sender
    msg["To"] = "support@example.com"
    msg["Subject"] = f"{marker} {subject}"
    msg["Message-ID"] = make_msgid(domain="boese.example")
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


def corpus(track: str) -> dict[str, EmailMessage]:
    js = CANARY.format(track=track)
    mails: dict[str, EmailMessage] = {}

    # OTRS CVE-2010-4071 class: active content in an HTML mail, shown in the agent's ticket zoom.
    mails["hostile-1"] = html_mail(
        "[hostile-1]",
        "Rechnung anbei (HTML)",
        f"""<html><head>
<base href="{track}/base/">
<meta http-equiv="refresh" content="0;url={track}/navigated">
<meta http-equiv="refresh" content="0;url=javascript:{js}">
<script>{js};alert('xss')</script>
<link rel="import" href="{track}/import.html">
</head><body onload="{js}">
<p>Sehr geehrte Damen und Herren,</p>
<img src="x" onerror="{js}">
<svg onload="{js}"><script>{js}</script><a xlink:href="javascript:{js}"><text y="20">svg</text></a></svg>
<details open ontoggle="{js}"><summary>Details</summary></details>
<iframe src="javascript:{js}"></iframe><iframe srcdoc="<script>{js}</script>"></iframe>
<object data="javascript:{js}"></object><embed src="data:text/html,<script>{js}</script>">
<form action="javascript:{js}"><input autofocus onfocus="{js}">
<button formaction="javascript:{js}">Senden</button></form>
<a href="javascript:{js}">Rechnung öffnen</a> <a href="jav&#x09;ascript:{js}">Variante</a>
<a href="JaVaScRiPt:{js}">Variante 2</a> <a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>
<a href="vbscript:msgbox(1)">vb</a> <a href="{track}/link" target="_top">top</a>
<noscript><p title="</noscript><img src=x onerror={js}>"></noscript>
<math><mtext><table><mglyph><style><img src=x onerror="{js}"></style></mglyph></table></mtext></math>
<template><script>{js}</script></template>
<video><source onerror="{js}"></video><marquee onstart="{js}">laufschrift</marquee>
<p>Mit freundlichen Grüßen</p></body></html>""",
    )

    # OTRS CVE-2014-1695 class: style-based injection (expression(), bindings, url()) in HTML mail.
    mails["hostile-2"] = html_mail(
        "[hostile-2]",
        "Angebot (CSS)",
        f"""<html><head>
<style>@import url({track}/m2/import.css); body {{ background: url({track}/m2/style-bg.png); }}
* {{ behavior: url({track}/m2/x.htc); -moz-binding: url({track}/m2/x.xml#x); }}</style>
<link rel="stylesheet" href="{track}/m2/link.css">
</head><body>
<div style="width: expression({js}); background-image: url(javascript:{js})">expression</div>
<div style="background:url(&quot;{track}/m2/inline-bg.png&quot;)">inline url()</div>
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">overlay</div>
<p style="color: red; font-weight: bold">Sonderangebot</p>
<img src="{track}/m2/pixel.png" width="1" height="1" alt="">
</body></html>""",
    )

    # OTRS CVE-2021-21441 class: markup in the mail text, shown in the ticket overview (preview column).
    mails["hostile-3"] = html_mail(
        "[hostile-3]",
        "Vorschau",
        "",
        text=(
            f'<img src=x onerror="{js}"><script>{js}</script> Bitte um Rückruf.\n<a href="javascript:{js}">klick</a>'
        ),
    )

    # Zammad CVE-2018-1000154: script in the subject.
    mails["hostile-4"] = html_mail(
        "[hostile-4]", f'<script>{js}</script><img src=x onerror="{js}">', "<p>Betreff prüfen</p>"
    )

    # FreeScout GHSA-56h2-5556-r6mg: uploaded HTML/JS/SVG must download, never run as a page of ours.
    evil = html_mail("[hostile-5]", "Anhänge", "<p>Siehe Anhang</p>")
    evil.add_attachment(
        f"<html><script>{js}</script></html>".encode(), maintype="text", subtype="html", filename="rechnung.html"
    )
    evil.add_attachment(f"{js};".encode(), maintype="application", subtype="javascript", filename="update.js")
    evil.add_attachment(
        f'<svg xmlns="http://www.w3.org/2000/svg" onload="{js}"><script>{js}</script></svg>'.encode(),
        maintype="image",
        subtype="svg+xml",
        filename="logo.svg",
    )
    mails["hostile-5"] = evil

    # Script in the sender's name and in attachment file names.
    short = "window.top.__pwned=1"  # no "/": file names keep it whole
    named = html_mail(
        "[hostile-6]",
        "Absender",
        "<p>Hallo</p>",
        sender="evil@hacker.example",
        name=f"<img src=x onerror={short}>Mallory <script>{short}</script>",
    )
    named.add_attachment(
        b"%PDF-1.4", maintype="application", subtype="pdf", filename=f"<img src=x onerror={short}>.pdf"
    )
    named.add_attachment(b"text", maintype="text", subtype="plain", filename=f'"><svg onload={short}>.txt')
    mails["hostile-6"] = named

    # Remote content of every kind: nothing may be fetched before "Bilder laden".
    mails["hostile-7"] = html_mail(
        "[hostile-7]",
        "Newsletter mit Bildern",
        f"""<html><body background="{track}/m7/body.png">
<img src="{track}/m7/pixel.png" width="1" height="1" alt="">
<p>Unser Logo: <img src="{track}/m7/logo.png" alt="Logo"></p>
<table background="{track}/m7/table.png"><tr><td style="background-image:url({track}/m7/td.png)">Zelle</td></tr></table>
<img srcset="{track}/m7/srcset.png 2x" alt="srcset">
<picture><source srcset="{track}/m7/source.png"><img alt="picture"></picture>
<video poster="{track}/m7/poster.png"></video><audio src="{track}/m7/audio.mp3"></audio>
<input type="image" src="{track}/m7/input.png">
<svg><image href="{track}/m7/svgimage.png"/></svg>
<iframe src="{track}/m7/frame.html"></iframe><object data="{track}/m7/object"></object>
<link rel="prefetch" href="{track}/m7/prefetch"><link rel="preload" as="image" href="{track}/m7/preload.png">
</body></html>""",
    )
    return mails


def send(stack: Stack, mails: dict[str, EmailMessage]) -> None:
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        for msg in mails.values():
            smtp.send_message(msg)


def tickets_by_marker(api: Api, markers: list[str]) -> dict[str, dict[str, Any]]:
    def ready() -> dict[str, dict[str, Any]] | None:
        found = {m: t for t in api.tickets(q="hostile-") for m in markers if f"[{m}]" in t["subject"]}
        return found if len(found) == len(markers) else None

    result: dict[str, dict[str, Any]] = api.stack.wait_for(ready, timeout=30, what="the hostile mails as tickets")
    return result


def assert_untouched(app: App, tracker: Tracker, where: str, images_loaded: bool = False) -> None:
    page = app.page
    state = page.evaluate(
        """() => ({
            pwned: window.__pwned, title: document.title, href: location.href,
            scripts: [...document.scripts].map(s => s.src),
            foreignImages: document.querySelectorAll('img, image, video, audio, object, embed').length,
            handlers: document.querySelectorAll('[onerror], [onload], [onclick], [onfocus], [ontoggle]').length,
            frames: [...document.querySelectorAll('iframe')].map(f => ({sandbox: f.getAttribute('sandbox'),
                head: (f.getAttribute('srcdoc') || '').slice(0, 200)})),
        })"""
    )
    assert state["pwned"] is None, f"{where}: the canary was set"
    # The payload sets the title to exactly "PWNED"; ours always ends with the app's name.
    assert state["title"] != "PWNED" and state["title"].endswith("Helpdesk"), f"{where}: title {state['title']!r}"
    assert state["href"].startswith(app.base), f"{where}: the page navigated to {state['href']}"
    assert len(state["scripts"]) == 1 and "/assets/app." in state["scripts"][0], f"{where}: {state['scripts']}"
    assert state["foreignImages"] == 0 and state["handlers"] == 0, f"{where}: mail markup in our document"
    for frame in state["frames"]:
        assert frame["sandbox"] == SANDBOX, f"{where}: iframe sandbox {frame['sandbox']!r}"
        assert "allow-scripts" not in frame["sandbox"] and "allow-same-origin" not in frame["sandbox"]
        assert (
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:' in frame["head"]
            or images_loaded
        ), f"{where}: the srcdoc lacks the blocking CSP"
    assert not app.watch.dialogs, f"{where}: dialogs {app.watch.dialogs}"
    assert not app.watch.popups, f"{where}: popups {app.watch.popups}"
    assert not app.watch.foreign_navigations(), f"{where}: navigations {app.watch.foreign_navigations()}"
    assert not app.watch.errors, f"{where}: page errors {app.watch.errors}"
    if not images_loaded:
        assert tracker.seen() == [], f"{where}: remote requests {tracker.seen()}"


def test_hostile_mail_cannot_run_navigate_or_track(app: App, api: Api, web_stack: Stack, tracker: Tracker) -> None:
    mails = corpus(tracker.base)
    send(web_stack, mails)
    tickets = tickets_by_marker(api, list(mails))
    page = app.page

    # The overview: subjects, senders and previews are text, never markup (CVE-2018-1000154, CVE-2021-21441).
    app.inbox("q=hostile-")
    expect(page.locator(".ticket-row")).to_have_count(len(mails))
    expect(page.locator(".ticket-row", has_text="[hostile-4] <script>")).to_have_count(1)
    expect(page.locator(".ticket-row", has_text="[hostile-3]").locator(".preview")).to_contain_text(
        "<img src=x onerror="
    )
    customer = tickets["hostile-6"]["customer"]  # whatever the server kept of the name: shown as text
    sender = customer["name"] or customer["address"]
    expect(page.locator(".ticket-row", has_text="[hostile-6]").locator(".c-customer")).to_have_text(sender)
    app.page.wait_for_timeout(300)
    assert_untouched(app, tracker, "inbox")

    for marker in mails:
        app.open_ticket(tickets[marker]["id"])
        frames = page.locator("iframe.mail-frame")
        for index in range(frames.count()):
            frames.nth(index).element_handle().content_frame().wait_for_load_state()  # type: ignore[union-attr]
        app.page.wait_for_timeout(200)  # room for anything a payload might schedule
        assert_untouched(app, tracker, marker)

    # Subject and sender name in the ticket view are text.
    app.open_ticket(tickets["hostile-4"]["id"])
    expect(page.locator(".ticket-title h1")).to_contain_text("<script>window.top.__pwned=1")
    app.open_ticket(tickets["hostile-6"]["id"])
    expect(page.locator(".msg-in .msg-from strong")).to_have_text(sender)
    expect(page.locator(".attachments")).to_contain_text("<img src=x onerror=window.top.__pwned=1>.pdf")
    expect(page.locator(".attachments")).to_contain_text('"><svg onload=window.top.__pwned=1>.txt')

    # Uploaded HTML/JS/SVG: links to the storage (another origin), served as downloads, never as our page.
    app.open_ticket(tickets["hostile-5"]["id"])
    links = page.locator(".msg-in a.attachment")
    expect(links).to_have_count(3)
    for index in range(3):
        href = links.nth(index).get_attribute("href") or ""
        assert urlsplit(href).netloc != urlsplit(app.base).netloc, href
        status, headers, _ = fetch(href)
        assert status == 200
        assert headers["content-type"] == "application/octet-stream", headers
        assert headers["content-disposition"].startswith("attachment"), headers
    with page.expect_download() as download:
        page.locator(".msg-in a.attachment", has_text="rechnung.html").click()
    assert download.value.suggested_filename == "rechnung.html"
    app.page.wait_for_timeout(300)
    assert_untouched(app, tracker, "attachment download")

    # "Bilder laden" on one message fetches that message's images, and only those.
    app.open_ticket(tickets["hostile-2"]["id"])  # has a remote image of its own, which must stay blocked
    app.open_ticket(tickets["hostile-7"]["id"])
    assert tracker.seen() == []
    expect(page.locator(".msg-in .mail-tools")).to_contain_text("Externe Bilder wurden blockiert")
    page.get_by_role("button", name="Bilder laden").click()
    seen = tracker.wait_for(lambda hits: {"/m7/pixel.png", "/m7/logo.png"} <= set(hits))
    app.page.wait_for_timeout(500)
    seen = tracker.seen()
    assert set(seen) == {"/m7/pixel.png", "/m7/logo.png"}, seen
    expect(page.locator(".msg-in .mail-tools")).to_contain_text("Externe Bilder geladen")
    frame_head = page.locator("iframe.mail-frame").first.get_attribute("srcdoc") or ""
    assert "img-src data: https: http:" in frame_head
    assert_untouched(app, tracker, "after Bilder laden", images_loaded=True)
    # Opening another hostile ticket afterwards loads nothing new: the choice was for that one message.
    app.open_ticket(tickets["hostile-2"]["id"])
    app.page.wait_for_timeout(300)
    assert set(tracker.seen()) == {"/m7/pixel.png", "/m7/logo.png"}


def test_client_frame_stays_inert_even_for_unsanitized_html(app: App, api: Api, tracker: Tracker) -> None:
    """Defence in depth: if the server's sanitizer ever let something through, the sandboxed srcdoc frame
    (no scripts, opaque origin, blocking CSP) still runs nothing and fetches nothing."""
    js = "window.top.__pwned=1;parent.document.title='PWNED'"
    raw = f"""<script>{js}</script><img src="x" onerror="{js}"><svg onload="{js}"></svg>
<img src="{tracker.base}/raw/img.png"><div style="background:url({tracker.base}/raw/css.png)">css</div>
<table background="{tracker.base}/raw/table.png"><tr><td>t</td></tr></table>
<link rel="stylesheet" href="{tracker.base}/raw/link.css"><style>@import "{tracker.base}/raw/import.css";</style>
<iframe src="{tracker.base}/raw/frame.html"></iframe><object data="{tracker.base}/raw/object"></object>
<meta http-equiv="refresh" content="0;url={tracker.base}/raw/refresh">
<base href="{tracker.base}/raw/base/"><a href="relative">relative link</a>
<form action="{tracker.base}/raw/form" method="post"><input name="x" value="y"></form>"""
    before = set(tracker.seen())
    ticket = api.ticket_by_subject("Lieferung fehlt noch")
    app.open_ticket(ticket["id"])  # loads the mail view module
    page = app.page
    page.evaluate(
        """async (html) => {
            const url = performance.getEntriesByType('resource').map(e => e.name)
                .find(n => /\\/assets\\/mailview\\./.test(n));
            const { mailFrame } = await import(url);
            const box = mailFrame(html, { title: 'raw' });
            box.id = 'raw-frame';
            document.querySelector('.thread').append(box);
        }""",
        raw,
    )
    frame = page.locator("#raw-frame iframe").element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    # Try the form, too: a sandbox without allow-forms and a form-action 'none' CSP must stop it.
    page.frame_locator("#raw-frame iframe").locator("input[name=x]").press("Enter")
    app.page.wait_for_timeout(1500)  # a meta refresh of 0 s or any late fetch would have happened by now
    assert set(tracker.seen()) == before, f"the raw frame fetched {set(tracker.seen()) - before}"
    assert page.evaluate("window.__pwned") is None
    assert page.title() != "PWNED"
    assert frame.url == "about:srcdoc", frame.url
    assert not app.watch.dialogs and not app.watch.popups and not app.watch.foreign_navigations()
    # Clean-up only: a live update of the open ticket may have re-rendered the thread (and the box) already.
    page.evaluate("document.getElementById('raw-frame')?.remove()")


def test_inline_cid_images_show_while_remote_images_stay_blocked(
    app: App, api: Api, web_stack: Stack, tracker: Tracker
) -> None:
    from tests.conftest import MAILS

    raw = (MAILS / "outlook_de_reply_inline_logo.eml").read_bytes()
    web_stack.send(raw, ["support@example.com"], sender="j.weiss@weiss-bau.example")
    ticket = api.stack.wait_for(
        lambda: next((t for t in api.tickets(q="antrag 4711")), None), timeout=20, what="the Outlook mail"
    )
    detail = api.call("GET", f"/tickets/{ticket['id']}")
    inline = [a for m in detail["messages"] for a in m["attachments"] if a["content_id"]]
    assert inline, "the fixture has an inline logo"
    stored_path = urlsplit(inline[0]["url"]).path
    page = app.page
    before = set(tracker.seen())
    app.open_ticket(ticket["id"])
    frame = page.locator("iframe.mail-frame").first.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_load_state()
    # Requests of srcdoc frames do not show up as page events; the frame's own view of its images does.
    images = frame.evaluate("() => [...document.images].map(i => [new URL(i.currentSrc).pathname, i.naturalWidth])")
    assert [stored_path, 6] in images or any(p == stored_path and w > 0 for p, w in images), images
    srcdoc = page.locator("iframe.mail-frame").first.get_attribute("srcdoc") or ""
    allowed = srcdoc.split("img-src", 1)[1].split(";", 1)[0].split()
    assert allowed[0] == "data:" and all(urlsplit(a).path == stored_path for a in allowed[1:]), allowed
    assert "http:" not in allowed and "https:" not in allowed
    assert set(tracker.seen()) == before
