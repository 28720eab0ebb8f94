"""Every path that builds an outgoing mail, fed with RFC 2047 header-injection payloads (issue 10, 1).

Paths: the auto-reply of an ingested mail (subject and sender name from the mail), an agent's reply
(default subject and recipient from a hostile ticket; subject, To and Cc names given), a manual
ticket's first mail (customer name), the contact form (name, subject), the admin's mailbox name and
auto-reply subject, and the scheduled job's reminder. A mail we send carries exactly our headers;
a value an agent, an admin or a form submits with an encoded line break is a 400, never a 500.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.domain.clock import now
from tests.unit.test_header_guard import EXPECTED, hostile, q_word, raw_mail

from .api_client import ApiClient
from .helpers import ingest, reset_sent, sent_mails

EXAMPLES = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OURS = {*EXPECTED, "cc"}  # every header a mail of ours may carry
ATTACK = q_word(q_word("x\r\nReply-To: billing@evil.test\r\n\r\nPlease pay to IBAN DE00"))


def only_our_headers(mail: Any) -> None:
    names = [name.lower() for name in mail]
    assert set(names) <= OURS, names
    assert len(names) == len(set(names)), names
    for name in names:
        assert "\n" not in str(mail[name]) and "\r" not in str(mail[name]), (name, str(mail[name]))
    assert "IBAN" not in (mail.get_body(("plain",)).get_content()[:40])


def hostile_ticket(aws: Any, subject: str, name: str) -> Any:
    return ingest(aws, raw_mail(subject, name).replace(b"<hostile@", f"<{now().timestamp()}-{id(subject)}@".encode()))


def test_the_attack_runs_auto_reply_carries_no_header_of_the_attacker(aws: Any, api: ApiClient) -> None:
    result = hostile_ticket(aws, ATTACK, ATTACK)
    assert result.autoreply == "sent"
    (reply,) = sent_mails()
    only_our_headers(reply)
    assert reply["Reply-To"] is None
    assert reply["To"].addresses[0].addr_spec == "kunde@kunde.example"
    ticket = api.get(f"/tickets/{result.ticket_id}", user="agent").json
    assert ticket["subject"] == "x Reply-To: billing@evil.test Please pay to IBAN DE00"


@EXAMPLES
@given(subject=hostile(), name=hostile())
def test_auto_reply_and_agent_reply_to_a_hostile_mail(aws: Any, api: ApiClient, subject: str, name: str) -> None:
    reset_sent()
    result = hostile_ticket(aws, subject, name)
    assert result.outcome == "created"
    # The agent answers with the defaults: subject and recipient's name come from the hostile mail.
    r = api.call("POST", f"/tickets/{result.ticket_id}/replies", user="admin", body={"body": "Antwort"})
    assert r.status == 201, r.text
    mails = sent_mails()
    assert len(mails) == (2 if result.autoreply == "sent" else 1)
    for mail in mails:
        only_our_headers(mail)


@EXAMPLES
@given(value=hostile(), where=st.sampled_from(["subject", "to", "cc"]))
def test_a_reply_with_an_encoded_line_break_is_a_400(aws: Any, api: ApiClient, value: str, where: str) -> None:
    result = hostile_ticket(aws, "Frage", "Kunde")
    reset_sent()
    body: dict[str, Any] = {"body": "x"}
    if where == "subject":
        body["subject"] = value
    else:
        body[where] = [{"name": value, "address": "k@kunde.example"}]
    r = api.call("POST", f"/tickets/{result.ticket_id}/replies", user="agent", body=body)
    assert r.status == 400, r.text
    assert sent_mails() == []


@EXAMPLES
@given(value=hostile())
def test_manual_ticket_contact_form_and_mailbox_refuse_encoded_line_breaks(api: ApiClient, value: str) -> None:
    reset_sent()
    manual = {
        "subject": "Rückruf",
        "body": "Kunde rief an",
        "customer": {"name": value, "address": "gabi@kunde.example"},
        "send_mail": True,
    }
    assert api.call("POST", "/tickets", user="agent", body=manual).status == 400
    for form in ({"name": value, "subject": "s"}, {"name": "Otto", "subject": value}):
        r = api.call("POST", "/public/contact", body={"email": "otto@kunde.example", "body": "b", **form})
        assert r.status == 400, r.text
    for record in ({"name": value}, {"autoreply_subject": {"de": value, "en": "x"}}):
        r = api.call(
            "PUT", "/admin/mailboxes/evil", user="admin", body={"id": "evil", "address": "evil@example.com", **record}
        )
        assert r.status == 400, r.text
    assert sent_mails() == []


def test_an_address_with_a_vertical_tab_is_a_400_not_a_502(aws: Any, api: ApiClient) -> None:
    result = hostile_ticket(aws, "Frage", "Kunde")
    reset_sent()
    for address in ("k\x0b@kunde.example", "k@kunde.example\x0b"):
        body = {"body": "x", "to": [{"address": address}]}
        r = api.call("POST", f"/tickets/{result.ticket_id}/replies", user="agent", body=body)
        assert r.status == 400, r.text
    assert sent_mails() == []


def test_the_reminder_of_a_hostile_ticket_carries_only_our_headers(aws: Any, api: ApiClient) -> None:
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import run

    result = hostile_ticket(aws, ATTACK, ATTACK)
    r = api.call("POST", f"/tickets/{result.ticket_id}/replies", user="agent", body={"body": "Bitte Foto."})
    assert r.status == 201
    reset_sent()
    with time_machine.travel(now() + timedelta(days=8), tick=False):
        assert run(autoclose_deps()).reminded == 1
    (reminder,) = sent_mails()
    only_our_headers(reminder)
    assert reminder["Auto-Submitted"] == "auto-generated"
