"""Issue 14, part 6: an agent's own mail (from their mail program, with ``[#T-…]`` in the subject or answering
one of the ticket's messages, the helpdesk in Cc) joins the ticket as the agent's outbound mail, sent outside
the helpdesk: shown as from the agent, not mailed again, no auto-reply, the ticket waiting for the customer.

The test mails are built as Thunderbird and Outlook write them (multipart/alternative, ``User-Agent``, quoted
history) and stored as SES stores them: its trace fields and its ``Authentication-Results`` on top. A forged
agent address (SES: DMARC fail) is not taken as the agent's."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from helpdesk.domain.clock import now

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, reset_sent, sent_mails

ALIAS = "tom.agent@privat-mail.example"  # the agent's own address, registered in their profile
CUSTOMER = "juergen@kunde.example"
PASS = (
    "spf=pass (spfCheck: domain of privat-mail.example designates 192.0.2.7 as permitted sender); "
    "dkim=pass header.i=@privat-mail.example; dmarc=pass header.from=privat-mail.example"
)
FAIL = (
    "spf=fail (spfCheck: domain of privat-mail.example does not designate 203.0.113.9 as permitted sender); "
    "dkim=none header.i=none; dmarc=fail header.from=privat-mail.example"
)


@pytest.fixture
def api(aws: Any) -> ApiClient:
    reset_sent()
    api = make_api(aws)
    me = api.get("/me", user="agent").json
    r = api.call("PUT", "/me/profile", user="agent", body={"phone": me["phone"], "signature": "", "aliases": [ALIAS]})
    assert r.status == 200 and r.json["aliases"] == [ALIAS], r.text
    return api


def agents_mail(
    *,
    sender: str = f"Tom Agent <{ALIAS}>",
    to: str = f"Jürgen Müller <{CUSTOMER}>",
    cc: str | None = "Support <support@example.com>",
    subject: str,
    text: str,
    in_reply_to: str | None = None,
    auth: str = PASS,
    program: str = "thunderbird",
) -> tuple[bytes, str]:
    """A mail as the agent's mail program sends it, as SES stores it; and its Message-ID."""
    msg = EmailMessage()
    msg["Message-ID"] = make_msgid(domain="privat-mail.example")
    msg["Date"] = format_datetime(now())
    if program == "thunderbird":
        msg["User-Agent"] = "Mozilla Thunderbird"
        msg["Content-Language"] = "de-DE"
    else:
        msg["X-Mailer"] = "Microsoft Outlook 16.0"
        msg["Thread-Topic"] = subject
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    quoted = "\n".join(f"> {line}" for line in "Guten Tag,\nmeine Bestellung ist nicht angekommen.".splitlines())
    body = f"{text}\n\nViele Grüße\nTom Agent\n\nAm 03.12.2026 um 09:12 schrieb Jürgen Müller:\n{quoted}\n"
    msg.set_content(body)
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines())
    msg.add_alternative(
        f"<html><body>{paragraphs}<p>Viele Grüße<br>Tom Agent</p>"
        '<div class="moz-cite-prefix">Am 03.12.2026 um 09:12 schrieb Jürgen Müller:</div>'
        '<blockquote type="cite">Guten Tag,<br>meine Bestellung ist nicht angekommen.</blockquote></body></html>',
        subtype="html",
    )
    folded = auth.replace("; ", ";\r\n ")
    trace = (
        f"Return-Path: <{ALIAS}>\r\n"
        "Received: from mail.privat-mail.example (mail.privat-mail.example [192.0.2.7])\r\n"
        " by inbound-smtp.eu-central-1.amazonaws.com with SMTP id 0a1b2c3d4e5f\r\n"
        " for support@example.com;\r\n"
        f" {format_datetime(now())}\r\n"
        "X-SES-Spam-Verdict: PASS\r\n"
        "X-SES-Virus-Verdict: PASS\r\n"
        f"Authentication-Results: amazonses.com;\r\n {folded};\r\n"
    )
    return trace.encode() + msg.as_bytes().replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n"), msg["Message-ID"]


def _customer_ticket(aws: Any, api: ApiClient) -> tuple[dict[str, Any], str]:
    mid = make_msgid(domain="kunde.example")
    created = ingest(aws, make_mail(sender=f"Jürgen Müller <{CUSTOMER}>", message_id=mid))
    assert created.outcome == "created"
    reset_sent()  # its auto-reply
    return api.get(f"/tickets/{created.ticket_id}", user="agent").json, mid


def _messages(api: ApiClient, ticket_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/tickets/{ticket_id}", user="agent").json["messages"])


def test_an_agents_mail_naming_the_ticket_joins_it_as_their_answer_sent_outside(aws: Any, api: ApiClient) -> None:
    """It became a new "klären" ticket: agents are no participants (the defect)."""
    ticket, _ = _customer_ticket(aws, api)
    raw, agent_mid = agents_mail(subject=f"Re: Lieferung fehlt [#{ticket['number']}]", text="Das Paket ist unterwegs.")
    result = ingest(aws, raw)
    assert (result.outcome, result.ticket_id) == ("appended", ticket["id"]), result.reasons
    assert sent_mails() == []  # not mailed again, no auto-reply

    after = api.get(f"/tickets/{ticket['id']}", user="agent").json
    mine = after["messages"][-1]
    assert (mine["direction"], mine["send_state"], mine["author"]) == ("outbound", "outside", "agent")
    assert mine["from"]["address"] == ALIAS and mine["message_id"] == agent_mid.strip("<>")
    assert mine["attachments"] == [] and "Das Paket ist unterwegs." in mine["text"]
    assert after["status"] == "waiting_customer" and after["first_response_at"]
    assert after["customer"]["address"] == CUSTOMER
    event = next(e for e in after["events"] if e["type"] == "MessageAdded" and e["detail"].get("outside"))
    assert event["actor"] == "agent" and event["detail"]["direction"] == "outbound"
    assert [r["code"] for r in event["detail"]["threading"]] == ["threading.subject_number", "threading.agent_own"]
    status = next(e for e in after["events"] if e["type"] == "StatusChanged")
    assert status["detail"]["reason"]["code"] == "status.agent_outside"

    # The customer answers the agent's mail: it threads back (the agent's Message-ID is ours now).
    answer = ingest(
        aws, make_mail(sender=f"Jürgen Müller <{CUSTOMER}>", subject="AW: Lieferung fehlt", in_reply_to=agent_mid)
    )
    assert (answer.outcome, answer.ticket_id) == ("appended", ticket["id"])
    assert api.get(f"/tickets/{ticket['id']}", user="agent").json["status"] == "open"


def test_an_agents_answer_to_a_customers_message_from_outlook_joins_by_reference(aws: Any, api: ApiClient) -> None:
    """From the agent's login address (not an alias), answering the customer's mail without a number."""
    ticket, customer_mid = _customer_ticket(aws, api)
    raw, _ = agents_mail(
        sender="Tom Agent <agent@example.com>",
        subject="AW: Lieferung fehlt",
        text="Wir schicken Ersatz.",
        in_reply_to=customer_mid,
        program="outlook",
    )
    result = ingest(aws, raw)
    assert (result.outcome, result.ticket_id) == ("appended", ticket["id"]), result.reasons
    mine = _messages(api, ticket["id"])[-1]
    assert (mine["direction"], mine["send_state"], mine["author"]) == ("outbound", "outside", "agent")
    assert sent_mails() == []


def test_a_forged_agent_address_is_not_taken_as_the_agents(aws: Any, api: ApiClient) -> None:
    ticket, _ = _customer_ticket(aws, api)
    raw, _ = agents_mail(
        subject=f"Re: Lieferung fehlt [#{ticket['number']}]", text="Bitte an neues Konto überweisen.", auth=FAIL
    )
    result = ingest(aws, raw)
    assert result.outcome == "created" and result.ticket_id != ticket["id"]
    forged = api.get(f"/tickets/{result.ticket_id}", user="agent").json
    assert forged["status"] == "clarify" and forged["review"]
    assert {"type": "claimed", "ticket_id": ticket["id"]} in [
        {"type": link["type"], "ticket_id": link["ticket_id"]} for link in forged["links"]
    ]
    assert any(r.startswith(f"{ALIAS} is an address of agent agent, but it failed") for r in result.reasons)
    assert [m["direction"] for m in forged["messages"]] == ["inbound"]  # a stranger's mail, nobody's answer
    assert len(_messages(api, ticket["id"])) == len(ticket["messages"])  # the customer's ticket is untouched
    assert sent_mails() == []  # and no auto-reply to a forged address


def test_an_agents_mail_naming_no_ticket_opens_one_for_whom_it_went_to(aws: Any, api: ApiClient) -> None:
    """Zammad's rule: the agent wrote to a customer first, the helpdesk in Cc: the ticket is the customer's."""
    raw, agent_mid = agents_mail(
        to="Neue Kundin <neu@kunde.example>", subject="Ihr Angebot", text="Anbei wie besprochen das Angebot."
    )
    result = ingest(aws, raw)
    assert result.outcome == "created" and result.autoreply == "suppressed"
    assert sent_mails() == []
    ticket = api.get(f"/tickets/{result.ticket_id}", user="agent").json
    assert ticket["customer"] == {"name": "Neue Kundin", "address": "neu@kunde.example"}
    assert ticket["status"] == "waiting_customer" and ticket["assignee"] == "agent"
    (mine,) = ticket["messages"]
    assert (mine["direction"], mine["send_state"], mine["author"]) == ("outbound", "outside", "agent")
    created = next(e for e in ticket["events"] if e["type"] == "TicketCreated")
    assert "threading.agent_new" in [r["code"] for r in created["detail"]["threading"]]
    assert created["detail"]["autoreply"]["code"] == "autoreply.agent"
    answer = ingest(
        aws, make_mail(sender="Neue Kundin <neu@kunde.example>", subject="Re: Ihr Angebot", in_reply_to=agent_mid)
    )
    assert (answer.outcome, answer.ticket_id) == ("appended", result.ticket_id)


def test_aliases_are_validated_and_editable_by_the_admin(aws: Any, api: ApiClient) -> None:
    me = api.get("/me", user="agent").json
    profile = {"phone": me["phone"], "signature": ""}
    for alias, says in (
        ("support@example.com", "mailbox address"),
        ("admin@example.com", "agent admin"),
        ("kein-mail", "aliases"),
    ):
        r = api.call("PUT", "/me/profile", user="agent", body={**profile, "aliases": [alias]})
        assert r.status == 400 and r.json["field"].startswith("aliases"), (alias, r.text)
        assert says in r.json["message"] or says == "aliases", (alias, r.json["message"])
    unchanged = api.call("PUT", "/me/profile", user="agent", body=profile)  # aliases absent: kept
    assert unchanged.json["aliases"] == [ALIAS]
    r = api.call("PATCH", "/admin/agents/agent", user="admin", body={"aliases": ["Tom@Zweit.example", ALIAS]})
    assert r.status == 200 and r.json["aliases"] == ["tom@zweit.example", ALIAS], r.text
    r = api.call("PATCH", "/admin/agents/admin", user="admin", body={"aliases": [ALIAS]})
    assert r.status == 400 and "agent agent" in r.json["message"]
