"""Real Chromium against the whole local stack: one stack, one browser and one logged-in page per session.

Debian's Chromium is used (``/usr/bin/chromium``); Playwright never downloads a browser here. A small
HTTP server (``tracker``) stands in for remote hosts: mails point their images and links at it, so a
test can tell whether the browser fetched anything it should not have.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import smtplib
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, sync_playwright

from tests.e2e.conftest import ROOT, Stack, start_stack, stop_stack

CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
ADMIN = ("admin", "Admin-Demo-2026")
DEMO_TICKETS = 6
# A 1×1 transparent PNG: what the tracker answers to every request.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which(CHROMIUM) is None and not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (make chromium)")
        for item in items:
            # The marker, not the keyword: every item in tests/browser has "browser" among its keywords (the
            # package's name), and the static checks of test_client_source.py need no browser at all.
            if item.get_closest_marker("browser") is not None:
                item.add_marker(skip)


# ------------------------------------------------------------------------------------------------ the stack


@dataclass
class Api:
    """The running stack's HTTP API with an admin token (for setting up and checking, not for the UI)."""

    stack: Stack
    token: str = ""

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if not self.token:
            status, tokens, _ = self.stack.request(
                "POST", "/auth/login", body={"username": ADMIN[0], "password": ADMIN[1]}
            )
            assert status == 200, tokens
            self.token = tokens["id_token"]
        status, data, _ = self.stack.request(method, path, token=self.token, body=body)
        assert status < 300, f"{method} {path}: {status} {data}"
        return data

    def tickets(self, q: str = "", status: str = "all") -> list[dict[str, Any]]:
        query = f"/tickets?status={status}&limit=100" + (f"&q={urllib.parse.quote(q)}" if q else "")
        items: list[dict[str, Any]] = self.call("GET", query)["items"]
        return items

    def ticket_by_subject(self, subject: str) -> dict[str, Any]:
        found = [t for t in self.tickets() if t["subject"] == subject]
        assert len(found) == 1, f"{subject!r}: {[t['subject'] for t in self.tickets()]}"
        return found[0]

    def wait_for_subjects(self, *subjects: str, timeout: float = 20.0) -> dict[str, dict[str, Any]]:
        def ready() -> dict[str, dict[str, Any]] | None:
            by_subject = {t["subject"]: t for t in self.tickets()}
            return by_subject if all(s in by_subject for s in subjects) else None

        found: dict[str, dict[str, Any]] = self.stack.wait_for(ready, timeout=timeout, what=f"tickets {subjects}")
        return found

    def outbox(self) -> list[dict[str, Any]]:
        with urllib.request.urlopen(f"{self.stack.state['outbox_url']}/messages.json", timeout=10) as response:
            data: list[dict[str, Any]] = json.loads(response.read())
        return data


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("browser-stack"), demo=True)
    try:
        api = Api(running)
        running.wait_for(lambda: len(api.tickets()) >= DEMO_TICKETS, timeout=30, what="the demo tickets")
        yield running
    finally:
        stop_stack(running)


@pytest.fixture(scope="session")
def api(web_stack: Stack) -> Api:
    return Api(web_stack)


# ------------------------------------------------------------------------------------------------ tracker


@dataclass
class Tracker:
    """A stand-in for remote servers: records every request path it receives."""

    server: ThreadingHTTPServer
    hits: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def seen(self) -> list[str]:
        with self.lock:
            return list(self.hits)

    def wait_for(self, check: Callable[[list[str]], bool], timeout: float = 10.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check(self.seen()):
                return self.seen()
            time.sleep(0.1)
        raise AssertionError(f"tracker saw {self.seen()}")


@pytest.fixture(scope="session")
def tracker() -> Iterator[Tracker]:
    hits: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PIXEL)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(PIXEL)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="tracker", daemon=True)
    thread.start()
    yield Tracker(server, hits, lock)
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------------------------------ browser


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Watch:
    """What must never happen while mail is shown: dialogs, popups, navigation away, page errors."""

    base: str
    dialogs: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign_navigations(self) -> list[str]:
        return [url for url in self.navigations if not url.startswith(self.base)]


@dataclass
class App:
    """The logged-in agents' client in one page (1280×800, German)."""

    page: Page
    context: BrowserContext
    base: str
    watch: Watch

    def routed(self) -> int:
        """How many views the client has mounted so far (``data-routed`` on the root element)."""
        return int(self.page.evaluate("() => Number(document.documentElement.dataset.routed || 0)"))

    def wait_mounted_after(self, before: int) -> None:
        """Wait until a view is mounted after the ``before``-th."""
        self.page.wait_for_function("n => Number(document.documentElement.dataset.routed || 0) > n", arg=before)

    def goto(self, route: str) -> None:
        """Go to a hash route (``inbox``, ``ticket/<id>``) and wait until its view is mounted."""
        target = f"{self.base}#/{route}"
        before = self.routed()
        if self.page.url == target:
            self.page.reload()
            before = 0
        else:
            self.page.goto(target)
        self.wait_mounted_after(before)

    def open_ticket(self, ticket_id: str) -> None:
        self.goto(f"ticket/{ticket_id}")
        self.page.wait_for_selector(".ticket-layout .thread .msg")

    def inbox(self, query: str = "") -> None:
        self.goto("inbox" + (f"?{query}" if query else ""))
        self.wait_list()

    def wait_list(self) -> None:
        self.page.wait_for_selector("table.tickets:not([aria-busy])")

    def rows(self) -> list[str]:
        return [s.strip() for s in self.page.locator(".ticket-row .subject-link").all_inner_texts()]

    def shot(self, name: str, full_page: bool = False) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def login(page: Page, base: str, user: str = ADMIN[0], password: str = ADMIN[1]) -> None:
    page.goto(base)
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_selector("table.tickets:not([aria-busy])")


def watch_page(page: Page, context: BrowserContext, base: str) -> Watch:
    watch = Watch(base)

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("framenavigated", lambda frame: watch.navigations.append(frame.url) if frame == page.main_frame else None)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    context.on("page", lambda popup: watch.popups.append(popup.url))
    return watch


@pytest.fixture(scope="session")
def app(browser: Browser, web_stack: Stack) -> Iterator[App]:
    base = web_stack.api + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = watch_page(page, context, base)
    login(page, base)
    yield App(page, context, base, watch)
    context.close()


@pytest.fixture
def fresh_context(browser: Browser) -> Iterator[BrowserContext]:
    """A separate browser profile (empty cache and storage) for one test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def wait_until(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def send_mail(stack: Stack, subject: str, body: str, sender: str, name: str = "") -> None:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(body)
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=30) as smtp:
        smtp.send_message(msg)


def customer_link(stack: Stack, api: Api, subject: str, question: str, answer: str) -> tuple[dict[str, Any], str]:
    """A customer mails in, an agent answers: the ticket and the link to the customer's page in that answer."""
    send_mail(stack, subject, question, "kundin@beispiel.example", "Kim Kundin")
    ticket = api.wait_for_subjects(subject)[subject]
    sent = len(api.outbox())
    api.call("POST", f"/tickets/{ticket['id']}/replies", {"body": answer})
    mail = wait_until(
        lambda: next((m for m in api.outbox()[sent:] if ticket["number"] in m["subject"]), None),
        what="the answer with the customer's link",
    )
    link = re.search(r"(http://\S+/#/t/\S+)", mail["text"])
    assert link, mail["text"]
    return ticket, link.group(1)


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET a URL; header names lower-cased."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
