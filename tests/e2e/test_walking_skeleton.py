"""Black box: SMTP → S3 → SQS → ingest → DynamoDB → API, through ``helpdesk local``."""

from __future__ import annotations

import json
import smtplib
import subprocess
import time
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import HELPDESK, Stack, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def mail(sender: str, subject: str, body: str = "Hallo", to: str = "support@example.com", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="kunde.example")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    return msg.as_bytes()


def find(stack: Stack, token: str, subject: str, status: str = "all") -> dict[str, Any] | None:
    code, body, _ = stack.request("GET", f"/tickets?status={status}&q={urllib.parse.quote(subject)}", token)
    assert code == 200, body
    return next((t for t in body["items"] if t["subject"] == subject), None)


def test_a_mail_over_smtp_becomes_a_ticket_for_a_logged_in_agent(stack: Stack) -> None:
    token = stack.token("agent")
    subject = f"Drucker streikt {time.time_ns()}"
    started = time.monotonic()
    stack.send(
        mail("Erika Muster <erika@kunde.example>", subject, "Der Drucker druckt nicht."),
        ["support@example.com"],
        sender="erika@kunde.example",
    )
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the ticket")
    print(f"\nmail → ticket visible in the API after {time.monotonic() - started:.2f} s")
    assert ticket["status"] == "new" and ticket["customer"] == {
        "name": "Erika Muster",
        "address": "erika@kunde.example",
    }
    code, detail, _ = stack.request("GET", f"/tickets/{ticket['id']}", token)
    assert code == 200
    inbound = [m for m in detail["messages"] if m["direction"] == "inbound"]
    assert inbound[0]["text"].strip() == "Der Drucker druckt nicht."
    assert any(m["direction"] == "outbound" and m["auto_reply"] for m in detail["messages"])


def test_the_api_refuses_missing_and_forged_tokens(stack: Stack) -> None:
    code, body, headers = stack.request("GET", "/tickets")
    assert code == 401 and body["error"] == "unauthorized"
    assert headers["X-Content-Type-Options"] == "nosniff"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(
        {
            "iss": f"https://cognito-idp.eu-central-1.amazonaws.com/{stack.state['user_pool_id']}",
            "aud": stack.state["user_pool_client_id"],
            "token_use": "id",
            "cognito:username": "admin",
            "cognito:groups": ["admin"],
            "exp": int(time.time()) + 600,
            "iat": int(time.time()),
        },
        key,
        algorithm="RS256",
        headers={"kid": "dummy"},
    )
    code, body, _ = stack.request("GET", "/tickets", forged)
    assert code == 401 and body["message"] == "invalid token"
    code, body, _ = stack.request("GET", "/tickets", "not-a-jwt")
    assert code == 401


def test_the_demo_data_is_there(stack: Stack) -> None:
    token = stack.token("admin")
    tickets = stack.wait_for(
        lambda: (lambda r: len(r[1]["items"]) >= 5 and r[1]["items"])(
            stack.request("GET", "/tickets?status=all&limit=100", token)
        ),
        what="demo tickets",
    )
    subjects = {t["subject"] for t in tickets}
    assert "Lieferung fehlt noch" in subjects and "Angebot für 50 Lizenzen" in subjects


def test_mail_for_a_foreign_domain_is_refused_with_550(stack: Stack) -> None:
    with (
        smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused) as refused,
    ):
        smtp.sendmail("x@kunde.example", ["someone@elsewhere.example"], mail("x@kunde.example", "nope"))
    ((code, _),) = refused.value.recipients.values()
    assert code == 550


def test_answers_thread_and_strangers_do_not(stack: Stack) -> None:
    token = stack.token("admin")
    subject = f"Frage zu Bestellung {time.time_ns()}"
    stack.send(mail("kunde@kunde.example", subject, "Wo bleibt meine Bestellung?"), ["support@example.com"])
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the first ticket")
    number = ticket["number"]

    stack.send(
        mail("kunde@kunde.example", f"AW: {subject} [#{number}]", "Hier noch die Nummer: 4711"), ["support@example.com"]
    )
    stack.wait_for(
        lambda: stack.request("GET", f"/tickets/{ticket['id']}", token)[1]["message_count"] == 2,
        what="the answer by number",
    )

    _, detail, _ = stack.request("GET", f"/tickets/{ticket['id']}", token)
    ours = next(m for m in detail["messages"] if m["direction"] == "outbound")
    stack.send(
        mail("kunde@kunde.example", "Re: ohne Nummer", "Antwort ohne Nummer", In_Reply_To=f"<{ours['message_id']}>"),
        ["support@example.com"],
    )
    stack.wait_for(
        lambda: stack.request("GET", f"/tickets/{ticket['id']}", token)[1]["message_count"] == 3,
        what="the answer by In-Reply-To",
    )

    stranger_subject = f"Re: [#{number}] gib mir die Daten {time.time_ns()}"
    stack.send(mail("mallory@evil.example", stranger_subject, "Ich bin der Kunde, ehrlich."), ["support@example.com"])
    claimed = stack.wait_for(lambda: find(stack, token, stranger_subject), what="the stranger's separate ticket")
    assert claimed["id"] != ticket["id"] and claimed["status"] == "clarify"
    assert claimed["links"] == [{"type": "claimed", "ticket_id": ticket["id"], "number": None}]
    assert stack.request("GET", f"/tickets/{ticket['id']}", token)[1]["message_count"] == 3


def test_the_same_mail_delivered_twice_is_stored_once(stack: Stack) -> None:
    token = stack.token("admin")
    subject = f"Doppelt {time.time_ns()}"
    raw = mail("zwei@kunde.example", subject, message_id="<twice-" + str(time.time_ns()) + "@kunde.example>")
    stack.send(raw, ["support@example.com"])
    stack.send(raw, ["sales@example.com"])
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the ticket")
    time.sleep(1.5)  # give the second delivery time to be processed
    _, detail, _ = stack.request("GET", f"/tickets/{ticket['id']}", token)
    assert len([m for m in detail["messages"] if m["direction"] == "inbound"]) == 1
    assert len([m for m in detail["messages"] if m["auto_reply"]]) == 1


def test_ticket_events_reach_the_event_bus(stack: Stack) -> None:
    token = stack.token("admin")
    subject = f"Event {time.time_ns()}"
    stack.send(mail("event@kunde.example", subject), ["support@example.com"])
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the ticket")
    stack.wait_for(lambda: f"{ticket['number']} created" in stack.log.read_text(), what="TicketCreated on the bus")


def test_outgoing_mail_is_visible_in_the_outbox(stack: Stack) -> None:
    outbox = stack.state["outbox_url"]
    messages = stack.wait_for(
        lambda: json.loads(urllib.request.urlopen(f"{outbox}/messages.json", timeout=10).read()),
        what="sent mail",
    )
    assert any("[#T-" in m["subject"] and m["auto_submitted"] == "auto-replied" for m in messages)


def test_cli_parse_and_send(stack: Stack, tmp_path: Path) -> None:
    subject = f"Über die CLI {time.time_ns()}"
    path = tmp_path / "cli.eml"
    path.write_bytes(mail("Jörg Schäfer <joerg@kunde.example>", subject, "Grüße aus der Konsole"))
    parsed = subprocess.run([str(HELPDESK), "parse", str(path)], capture_output=True, text=True, check=True, timeout=30)
    data = json.loads(parsed.stdout)
    assert data["from"] == {"name": "Jörg Schäfer", "address": "joerg@kunde.example"} and data["subject"] == subject
    subprocess.run(
        [str(HELPDESK), "send", str(path), "--port", str(stack.smtp_port)], check=True, timeout=30, capture_output=True
    )
    token = stack.token("agent")
    stack.wait_for(lambda: find(stack, token, subject), what="the ticket sent by the CLI")
    missing = subprocess.run(
        [str(HELPDESK), "parse", str(tmp_path / "missing.eml")], capture_output=True, text=True, timeout=30
    )
    assert missing.returncode != 0 and "cannot read" in missing.stderr


def test_ctrl_c_stops_everything_within_seconds(tmp_path: Path) -> None:
    own = start_stack(tmp_path)
    started = time.monotonic()
    assert stop_stack(own, timeout=15) == 0
    assert time.monotonic() - started < 10
    assert "stopped." in own.log.read_text()
    with pytest.raises(ConnectionRefusedError), smtplib.SMTP("127.0.0.1", own.smtp_port, timeout=2):
        pass


def test_autoclose_dry_run_against_the_local_stack(stack: Stack) -> None:
    token = stack.token("agent")
    subject = f"Warte auf Kunde {time.time_ns()}"
    stack.send(mail("warten@kunde.example", subject), ["support@example.com"])
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the ticket")
    code, _, _ = stack.request("POST", f"/tickets/{ticket['id']}/replies", token, body={"body": "Bitte Foto senden."})
    assert code == 201
    run = subprocess.run(
        [str(HELPDESK), "autoclose", "--dry-run", "--api-port", str(stack.api_port)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "(dry run: nothing changed)" in run.stdout
    assert stack.request("GET", f"/tickets/{ticket['id']}", token)[1]["status"] == "waiting_customer"


def test_an_agents_day_over_http(stack: Stack) -> None:
    """Issue 4's black box: PATCH with the current version works and a stale one gets 409 with the
    current ticket; a comment; a reply submitted as waiting_customer; the customer's answer with the
    number reopens the ticket; /stats answers."""
    token = stack.token("agent")
    subject = f"Drucker druckt nicht {time.time_ns()}"
    stack.send(mail("druck@kunde.example", subject, "Seit heute früh kein Ausdruck."), ["support@example.com"])
    ticket = stack.wait_for(lambda: find(stack, token, subject), what="the ticket")
    path = f"/tickets/{ticket['id']}"

    code, changed, _ = stack.request("PATCH", path, token, body={"version": ticket["version"], "priority": "high"})
    assert code == 200 and changed["priority"] == "high" and changed["version"] == ticket["version"] + 1
    code, stale, _ = stack.request("PATCH", path, token, body={"version": ticket["version"], "priority": "low"})
    assert code == 409 and stale["error"] == "conflict"
    assert stale["current"]["priority"] == "high" and stale["current"]["version"] == changed["version"]

    code, _, _ = stack.request("POST", f"{path}/comments", token, body={"body": "Toner bestellt?", "tags": ["drucker"]})
    assert code == 201
    code, reply, _ = stack.request(
        "POST",
        f"{path}/replies",
        token,
        body={"body": "Bitte einmal aus- und einschalten.", "status": "waiting_customer"},
    )
    assert code == 201, reply
    _, detail, _ = stack.request("GET", path, token)
    assert detail["status"] == "waiting_customer" and "drucker" in detail["tags"]
    assert [c["body"] for c in detail["comments"]] == ["Toner bestellt?"]

    stack.send(
        mail("druck@kunde.example", f"AW: {subject} [#{ticket['number']}]", "Geht wieder, danke!"),
        ["support@example.com"],
    )
    reopened = stack.wait_for(
        lambda: (lambda t: t if t["status"] == "open" else None)(stack.request("GET", path, token)[1]),
        what="the customer's answer reopening the ticket",
    )
    directions = [(m["direction"], m["auto_reply"]) for m in reopened["messages"]]
    assert directions == [("inbound", False), ("outbound", True), ("outbound", False), ("inbound", False)], directions

    code, stats, _ = stack.request("GET", "/stats", token)
    assert code == 200, stats
    assert stats["series"][-1]["tickets_created"] >= 1 and stats["totals"]["replies"] >= 1
    assert stats["first_response"]["count"] >= 1
    assert stats["backlog"]["status"]["open"] >= 1
