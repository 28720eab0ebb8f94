"""The company's name and privacy notice on the customers' pages; the notice the contact form showed is kept
with the ticket (text, link, language, time)."""

from __future__ import annotations

from typing import Any

from .api_client import make_api


def test_the_contact_form_keeps_the_notice_it_showed_with_the_ticket(aws: Any) -> None:
    api = make_api(aws)
    settings = api.get("/admin/settings", user="admin").json
    bad = {**settings, "privacy_url": {"de": "javascript:alert(1)", "en": ""}}
    refused = api.call("PUT", "/admin/settings", user="admin", body=bad)
    assert refused.status == 400, refused.text
    urls = {"de": "https://beispiel.example/datenschutz", "en": "https://beispiel.example/privacy"}
    changed = {**settings, "company": "Beispiel GmbH", "privacy_url": urls}
    assert api.call("PUT", "/admin/settings", user="admin", body=changed).status == 200

    info = api.get("/public/info").json  # no login: the customers' pages
    assert info["company"] == "Beispiel GmbH" and info["privacy_url"] == urls
    assert "Beispiel GmbH" in info["notice"]["de"] and urls["de"] in info["notice"]["de"]
    assert urls["en"] in info["notice"]["en"] and "privacy notice" in info["notice"]["en"]

    form = {"name": "Erika", "email": "erika@kunde.example", "subject": "Frage", "body": "Hallo", "notice_lang": "en"}
    sent = api.call("POST", "/public/contact", body=form)
    assert sent.status == 201, sent.text
    ticket = next(t for t in api.get("/tickets", user="admin").json["items"] if t["number"] == sent.json["number"])
    events = api.get(f"/tickets/{ticket['id']}", user="admin").json["events"]
    created = next(e for e in events if e["type"] == "TicketCreated")
    consent = created["detail"]["consent"]
    assert consent["text"] == info["notice"]["en"] and consent["url"] == urls["en"] and consent["lang"] == "en"
    assert consent["at"][:4] == created["created_at"][:4]

    # A form that showed no notice (an API client) records none.
    plain = api.call("POST", "/public/contact", body={**form, "email": "otto@kunde.example", "notice_lang": None})
    assert plain.status == 201, plain.text
    other = next(t for t in api.get("/tickets", user="admin").json["items"] if t["number"] == plain.json["number"])
    events = api.get(f"/tickets/{other['id']}", user="admin").json["events"]
    assert "consent" not in next(e for e in events if e["type"] == "TicketCreated")["detail"]

    # Without a link the notice says who stores the data, without a dangling reference.
    cleared = {**changed, "privacy_url": {"de": "", "en": ""}}
    assert api.call("PUT", "/admin/settings", user="admin", body=cleared).status == 200
    info = api.get("/public/info").json
    assert info["privacy_url"] == {"de": "", "en": ""} and "http" not in info["notice"]["de"]
