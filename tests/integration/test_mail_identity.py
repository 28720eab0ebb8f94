"""Issue 14, parts 7 and 4: the right mailbox for a ticket's first mail, the caller's name and phone, and
signatures per mailbox and per agent, as moto's SES outbox records them.

The seed has two mailboxes, ``sales`` (Vertrieb, files into queue sales) and ``support`` (files into the
default queue support); "the first configured one" is sales, which is what went wrong before."""

from __future__ import annotations

from typing import Any

from .api_client import ApiClient
from .helpers import ingest, make_mail, sent_mails


def _phone_ticket(api: ApiClient, user: str = "agent", **extra: Any) -> Any:
    body = {
        "subject": "Telefonat: Rechnung unklar",
        "body": "Kunde rief an wegen der Rechnung 17.",
        "customer": {"name": "Gabi Graf", "address": "gabi@kunde.example"},
        "send_mail": True,
        **extra,
    }
    r = api.call("POST", "/tickets", user=user, body=body)
    assert r.status == 201, r.text
    return r.json


def _text(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content()).replace("\r\n", "\n")


def _html(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("html",)).get_content())


def test_a_phone_tickets_first_mail_goes_from_the_default_queues_mailbox_without_re(api: ApiClient) -> None:
    """It went out from "Vertrieb <sales@…>" as "Re: Telefonat: …" (the first configured mailbox)."""
    ticket = _phone_ticket(api)
    (mail,) = sent_mails()
    assert mail["From"].addresses[0].addr_spec == "support@example.com"
    assert str(mail["Subject"]) == f"Telefonat: Rechnung unklar [#{ticket['number']}]"
    # The next mail of the ticket is a reply to it: "Re:" from now on.
    detail = api.get(f"/tickets/{ticket['id']}", user="agent").json
    r = api.call(
        "POST",
        f"/tickets/{ticket['id']}/replies",
        user="agent",
        body={"body": "Noch eine Frage.", "seen_thread_version": detail["thread_version"]},
    )
    assert r.status == 201, r.text
    assert str(sent_mails()[-1]["Subject"]).startswith("Re: Telefonat: Rechnung unklar")


def test_a_phone_ticket_in_a_queue_goes_from_that_queues_mailbox(api: ApiClient) -> None:
    _phone_ticket(api, queue="sales")
    assert sent_mails()[0]["From"].addresses[0].addr_spec == "sales@example.com"


def test_the_queues_own_mailbox_and_the_team_default_come_before_any_guess(api: ApiClient) -> None:
    queue = api.get("/admin/queues/billing", user="admin").json
    assert api.call("PUT", "/admin/queues/billing", user="admin", body={**queue, "mailbox": "sales"}).status == 200
    _phone_ticket(api, user="admin", queue="billing")  # billing is the admin's queue
    assert sent_mails()[-1]["From"].addresses[0].addr_spec == "sales@example.com"
    settings = api.get("/admin/settings", user="admin").json
    assert api.call("PUT", "/admin/settings", user="admin", body={**settings, "default_mailbox": "sales"}).status == 200
    _phone_ticket(api)  # default queue, team default mailbox: sales
    assert sent_mails()[-1]["From"].addresses[0].addr_spec == "sales@example.com"


def test_the_contact_form_writes_to_the_default_mailbox_and_lands_in_the_default_queue(api: ApiClient) -> None:
    """Every contact-form request landed in queue Vertrieb (the first configured mailbox's)."""
    body = {"name": "Otto Ohne", "email": "otto@kunde.example", "subject": "Frage", "body": "Geht das in Blau?"}
    r = api.call("POST", "/public/contact", body=body)
    assert r.status == 201, r.text
    ticket = api.get("/tickets", user="agent", query={"q": r.json["number"]}).json["items"][0]
    assert ticket["queue"] == "support" and ticket["mailbox"] == "support"
    (autoreply,) = sent_mails()
    assert autoreply["From"].addresses[0].addr_spec == "support@example.com"


def test_a_manual_ticket_without_an_address_keeps_the_callers_name_and_phone(api: ApiClient) -> None:
    body = {
        "subject": "Anruf",
        "body": "Ruft zurück.",
        "customer": {"name": "Hans Ohnemail", "phone": "+49 931 123456"},
    }
    r = api.call("POST", "/tickets", user="agent", body=body)
    assert r.status == 201, r.text
    shown = api.get(f"/tickets/{r.json['id']}", user="agent").json
    assert (shown["customer"], shown["customer_name"], shown["customer_phone"]) == (
        None,
        "Hans Ohnemail",
        "+49 931 123456",
    )
    assert shown["messages"][0]["text"] == "Ruft zurück."
    refused = api.call("POST", "/tickets", user="agent", body={**body, "send_mail": True})
    assert (refused.status, refused.json["field"]) == (400, "customer")


def test_a_known_customers_address_brings_the_known_name(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(sender="Petra Papier <petra@kunde.example>", subject="Erste Frage"))
    body = {"subject": "Rückruf", "body": "Sie ruft an.", "customer": {"address": "petra@kunde.example"}}
    r = api.call("POST", "/tickets", user="agent", body=body)
    assert r.status == 201, r.text
    assert r.json["customer"] == {"name": "Petra Papier", "address": "petra@kunde.example"}
    # A new caller with an address becomes a customer under the name and phone given.
    caller = {"name": "Gabi Graf", "address": "gabi@kunde.example", "phone": "+49 931 99"}
    body = {"subject": "Anruf", "body": "b", "customer": caller}
    assert api.call("POST", "/tickets", user="agent", body=body).status == 201
    customer = api.get("/customers/gabi@kunde.example", user="agent").json
    assert (customer["name"], customer["phone"]) == ("Gabi Graf", "+49 931 99")


# ---------------------------------------------------------------------------------------------- signatures


def _signatures(api: ApiClient) -> None:
    for mailbox_id, signature in (
        ("support", "{AGENT}\nBeispiel GmbH Support · Tel. {PHONE}"),
        ("sales", "{AGENT}\nBeispiel GmbH Vertrieb"),
    ):
        mailbox = api.get(f"/admin/mailboxes/{mailbox_id}", user="admin").json
        r = api.call("PUT", f"/admin/mailboxes/{mailbox_id}", user="admin", body={**mailbox, "signature": signature})
        assert r.status == 200, r.text
    settings = api.get("/admin/settings", user="admin").json
    body = {**settings, "signature": "Das Team"}
    assert api.call("PUT", "/admin/settings", user="admin", body=body).status == 200
    profile = {"phone": "+49 931 4711", "signature": "Viele Grüße"}
    assert api.call("PUT", "/me/profile", user="agent", body=profile).status == 200


def _reply(api: ApiClient, ticket_id: str, body: str) -> Any:
    seen = api.get(f"/tickets/{ticket_id}", user="agent").json["thread_version"]
    r = api.call(
        "POST", f"/tickets/{ticket_id}/replies", user="agent", body={"body": body, "seen_thread_version": seen}
    )
    assert r.status == 201, r.text
    return sent_mails()[-1]


def test_the_signature_is_the_agents_then_the_sending_mailboxs_once(aws: Any, api: ApiClient) -> None:
    _signatures(api)
    support = ingest(aws, make_mail(subject="Frage an den Support"))
    sales = ingest(aws, make_mail(subject="Angebot bitte", to="sales@example.com"))
    agent_name = api.get("/me", user="agent").json["name"] or "agent"

    mail = _reply(api, support.ticket_id, "Hallo,\n\nerledigt.")
    text = _text(mail)
    signed = f"Viele Grüße\n\n{agent_name}\nBeispiel GmbH Support · Tel. +49 931 4711"
    assert signed in text and text.count("Viele Grüße") == 1 and "Das Team" not in text
    assert "Beispiel GmbH Support · Tel. +49 931 4711" in _html(mail)

    mail = _reply(api, sales.ticket_id, "Anbei das Angebot.")
    assert mail["From"].addresses[0].addr_spec == "sales@example.com"
    assert f"{agent_name}\nBeispiel GmbH Vertrieb" in _text(mail) and "Support" not in _text(mail)

    # Typed (or inserted) into the body already: not added a second time.
    mail = _reply(api, support.ticket_id, f"Noch etwas.\n\n{signed}")
    assert _text(mail).count("Beispiel GmbH Support") == 1


def test_the_customer_link_line_is_a_setting_in_the_mailboxs_language(aws: Any, api: ApiClient) -> None:
    """Every reply ended with a bilingual "Ihr Ticket online / your ticket online" line."""
    ticket = ingest(aws, make_mail(subject="Link?"))
    text = _text(_reply(api, ticket.ticket_id, "Hallo."))
    assert "Ihr Ticket online: http" in text and "your ticket online" not in text
    settings = api.get("/admin/settings", user="admin").json
    changed = {**settings, "customer_link_text": {"de": "Status jederzeit hier: {LINK} (30 Tage gültig)", "en": ""}}
    assert api.call("PUT", "/admin/settings", user="admin", body=changed).status == 200
    mail = _reply(api, ticket.ticket_id, "Nochmal.")
    assert "Status jederzeit hier: http" in _text(mail) and "(30 Tage gültig)" in _text(mail)
    assert '<a href="http' in _html(mail)
    off = {**settings, "customer_link_text": {"de": "", "en": ""}}
    assert api.call("PUT", "/admin/settings", user="admin", body=off).status == 200
    assert "/#/t/" not in _text(_reply(api, ticket.ticket_id, "Ohne Link."))
