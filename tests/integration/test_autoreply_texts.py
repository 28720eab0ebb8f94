"""The auto-reply as agents expect it (issue 14, part 8): the preview is the mail, unknown variables are refused
on save, the customer's language where the mailbox has both texts, no stacked ticket numbers."""

from __future__ import annotations

from typing import Any

from helpdesk.store.config_store import ConfigStore

from .api_client import ApiClient
from .helpers import ingest, make_mail, reset_sent, sent_mails

ENGLISH = "Hello,\n\nI have not received my order yet. Could you please check what happened?\n\nThanks, Erika"


def mailbox(api: ApiClient) -> dict[str, Any]:
    items = api.get("/admin/mailboxes", user="admin").json["items"]
    return next(m for m in items if m["address"] == "support@example.com")


def test_an_english_mail_gets_the_english_auto_reply_and_the_event_says_why(aws: Any, api: ApiClient) -> None:
    result = ingest(aws, make_mail(subject="Delivery missing", body=ENGLISH))
    [reply] = sent_mails()
    assert reply["Subject"] == f"Your request [#{result.number}]: Delivery missing"
    assert reply.get_body(("plain",)).get_content().startswith("Hello Jürgen Müller,")
    events = api.get(f"/tickets/{result.ticket_id}", user="agent").json["events"]
    created = next(e for e in events if e["type"] == "TicketCreated")
    assert created["detail"]["autoreply_language"] == {"lang": "en", "reason": "guessed"}


def test_a_german_mail_keeps_the_german_auto_reply(aws: Any, api: ApiClient) -> None:
    result = ingest(aws, make_mail(subject="Lieferung fehlt"))
    assert sent_mails()[0]["Subject"] == f"Ihre Anfrage [#{result.number}]: Lieferung fehlt"


def test_a_stranger_quoting_another_tickets_number_gets_one_number_in_the_subject(aws: Any, api: ApiClient) -> None:
    first = ingest(aws, make_mail(subject="Lieferung fehlt"))
    reset_sent()
    stranger = ingest(
        aws,
        make_mail(
            sender="Fremd <fremd@andere.example>", subject=f"Re: Ihre Anfrage [#{first.number}]: Lieferung fehlt"
        ),
    )
    assert stranger.number != first.number  # a stranger does not join someone else's ticket
    assert sent_mails()[0]["Subject"] == f"Ihre Anfrage [#{stranger.number}]: Lieferung fehlt"


def test_the_preview_is_the_mail_that_goes_out(aws: Any, api: ApiClient) -> None:
    box = mailbox(api)
    box["autoreply_subject"]["de"] = "Eingang bestätigt: {BETREFF}"  # no number: the server puts it in front
    assert api.call("PUT", f"/admin/mailboxes/{box['id']}", user="admin", body=box).status == 200
    preview = api.call(
        "POST",
        "/admin/mailboxes/preview",
        user="admin",
        body={"mailbox": box, "subject": "Lieferung fehlt", "name": "Jürgen Müller", "email": "juergen@kunde.example"},
    ).json
    result = ingest(aws, make_mail(subject="Lieferung fehlt"))
    [sent] = sent_mails()
    assert preview["subject"] == "[#T-2026-000123] Eingang bestätigt: Lieferung fehlt"
    assert sent["Subject"] == preview["subject"].replace("T-2026-000123", result.number)
    sent_text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()
    assert sent_text == preview["text"].replace("T-2026-000123", result.number).strip()
    assert preview["lang"] == "de" and preview["unknown"] == []


def test_an_unknown_variable_is_refused_on_save_with_the_known_ones(aws: Any, api: ApiClient) -> None:
    box = mailbox(api)
    box["autoreply_body"]["de"] = "Ihre Nummer: {TICKT}"
    response = api.call("PUT", f"/admin/mailboxes/{box['id']}", user="admin", body=box)
    assert response.status == 400
    assert response.json["field"] == "autoreply_body.de"
    assert "{TICKT}" in response.json["message"] and "{TICKET}" in response.json["message"]
    assert "TICKT" not in ConfigStore(ttl=0).snapshot().mailbox(box["id"]).autoreply_body.de  # type: ignore[union-attr]
    template = {"id": "gruss", "name": "Gruß", "body": "Viele Grüße, {AGENT} ({AGNT})", "kind": "reply"}
    refused = api.call("POST", "/admin/templates", user="admin", body=template)
    assert refused.status == 400 and refused.json["field"] == "body" and "{AGNT}" in refused.json["message"]
    preview = api.call("POST", "/admin/mailboxes/preview", user="admin", body={"mailbox": box}).json
    assert preview["unknown"] == ["TICKT"]
