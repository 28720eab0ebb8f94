"""Fair assignment in the browser (issue 17 part 5): Tom (agent) sets himself "abwesend" in his settings, Anna
(admin) makes a queue assign round robin in its admin form; a new ticket there goes to Anna, and its history
says so in German. Every verdict waits for a condition with a timeout; nothing sleeps."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Stack

from .conftest import Api, wait_until
from .test_live import AGENT as TOM_LOGIN
from .test_live import Agent, anna, tom  # noqa: F401  (the two agents' fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def tom_away(stack: Stack, away: bool) -> None:
    status, tokens, _ = stack.request("POST", "/auth/login", body={"username": TOM_LOGIN[0], "password": TOM_LOGIN[1]})
    assert status == 200, tokens
    me = stack.request("GET", "/me", token=tokens["id_token"])[1]
    body = {"phone": me["phone"], "signature": me["signature"], "away": away}
    assert stack.request("PUT", "/me/profile", token=tokens["id_token"], body=body)[0] == 200


def tom_is_away(api: Api) -> bool:
    return any(a["username"] == "agent" and a["away"] for a in api.call("GET", "/admin/agents")["items"])


def test_away_in_the_settings_and_a_queue_that_assigns_in_turn(
    anna: Agent,  # noqa: F811
    tom: Agent,  # noqa: F811
    web_stack: Stack,
    api: Api,
) -> None:
    sales = api.call("GET", "/admin/queues/sales")
    try:
        tom.page.goto(f"{tom.base}#/settings")
        tom.page.check("input[name=away]")
        tom.page.click(".me-profile button[type=submit]")
        wait_until(lambda: tom_is_away(api), what="Tom away")

        anna.page.goto(f"{anna.base}#/admin/queues/sales")
        anna.page.select_option("select[name=assignment]", "round_robin")
        anna.page.click("form.card button[type=submit]")
        wait_until(lambda: api.call("GET", "/admin/queues/sales")["assignment"] == "round_robin", what="mode saved")

        subject = f"Angebot {uuid.uuid4().hex[:6]}"
        ticket = api.call("POST", "/tickets", {"subject": subject, "body": "Bitte ein Angebot.", "queue": "sales"})
        wait_until(
            lambda: api.call("GET", f"/tickets/{ticket['id']}?read=false")["assignee"] == "admin", what="assigned"
        )

        anna.open_ticket(ticket["id"])
        history = anna.page.locator(".events details")
        history.locator("summary").click()
        line = history.locator(".event-list > li").filter(
            has_text="Automatisch Anna Admin zugewiesen (Queue Vertrieb)."
        )
        expect(line).to_have_count(1)
        expect(line).to_contain_text("als Nächste(r) an der Reihe in Queue Vertrieb")
    finally:
        api.call("PUT", "/admin/queues/sales", sales)
        tom_away(web_stack, False)
