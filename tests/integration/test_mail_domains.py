"""Issue 14, part 5: several mail domains in one deployment (template.yaml ``MailDomain`` as a list).

The stack is provisioned from the template with two domains, as a deployment with
``MailDomain=example.com,service.example.de`` would be: mail to a mailbox on either lands in that mailbox, its
auto-reply and the agent's reply go out From that mailbox (moto's SES records them; the IAM check of every
integration test holds the send against the grant for both domains), and a mailbox elsewhere is refused."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from tests.conftest import Aws, point_code_at

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, reset_sent, sent_mails

DOMAINS = "example.com,service.example.de"
SERVICE = {"id": "service", "address": "hilfe@service.example.de", "name": "Service DE", "default_queue": "support"}


@pytest.fixture
def aws(moto_endpoint: str) -> Aws:
    from helpdesk.store.config_store import ConfigStore
    from helpdesk_local.provision import provision
    from helpdesk_local.seed import seed_config

    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    resources = provision(moto_endpoint, {"MailDomain": DOMAINS, "AWS::Region": "eu-central-1"})
    point_code_at(moto_endpoint, resources)
    seed_config(ConfigStore(ttl=0), "example.com")
    return Aws(endpoint=moto_endpoint, resources=resources)


@pytest.fixture
def api(aws: Aws) -> ApiClient:
    reset_sent()
    api = make_api(aws)
    assert api.call("POST", "/admin/mailboxes", user="admin", body=SERVICE).status == 201
    return api


def _from(mail: Any) -> str:
    return str(mail["From"].addresses[0].addr_spec)


def test_the_stack_knows_both_domains(aws: Aws) -> None:
    from helpdesk.settings import get_settings

    assert get_settings().mail_domains == ("example.com", "service.example.de")
    assert get_settings().mail_domain == "example.com"
    identities = aws.client("sesv2").list_email_identities()["EmailIdentities"]
    assert {"example.com", "service.example.de"} <= {i["IdentityName"] for i in identities}


def test_mail_to_each_domain_lands_in_its_mailbox_and_is_answered_from_it(aws: Aws, api: ApiClient) -> None:
    first = ingest(aws, make_mail(to="support@example.com", sender="Anna <anna@kunde.example>"))
    second = ingest(aws, make_mail(to="Service <hilfe@service.example.de>", sender="Bernd <bernd@kunde.example>"))
    assert first.outcome == second.outcome == "created"
    tickets = {t: api.get(f"/tickets/{t}", user="agent").json for t in (first.ticket_id, second.ticket_id)}
    assert tickets[first.ticket_id]["mailbox"] == "support"
    assert tickets[second.ticket_id]["mailbox"] == "service"
    replies = {_from(m): m for m in sent_mails()}  # the two auto-replies
    assert set(replies) == {"support@example.com", "hilfe@service.example.de"}
    assert replies["hilfe@service.example.de"]["To"].addresses[0].addr_spec == "bernd@kunde.example"

    reset_sent()
    detail = tickets[second.ticket_id]
    r = api.call(
        "POST",
        f"/tickets/{second.ticket_id}/replies",
        user="agent",
        body={"body": "Wir kümmern uns.", "seen_thread_version": detail["thread_version"]},
    )
    assert r.status == 201, r.text
    (reply,) = sent_mails()
    assert _from(reply) == "hilfe@service.example.de"
    assert reply["To"].addresses[0].addr_spec == "bernd@kunde.example"

    # The customer's answer to it threads back to that ticket.
    answer = ingest(
        aws,
        make_mail(
            to="hilfe@service.example.de",
            sender="Bernd <bernd@kunde.example>",
            subject=str(reply["Subject"]),
            in_reply_to=str(reply["Message-ID"]),
        ),
    )
    assert (answer.outcome, answer.ticket_id) == ("appended", second.ticket_id)


def test_a_mailbox_off_the_mail_domains_is_refused_naming_them(api: ApiClient) -> None:
    for field, body in (
        ("address", {"id": "fremd", "address": "info@fremd.example"}),
        ("outgoing_address", {"id": "fremd", "address": "info@example.com", "outgoing_address": "x@sub.example.com"}),
    ):
        r = api.call("POST", "/admin/mailboxes", user="admin", body=body)
        assert (r.status, r.json["field"]) == (400, field), r.text
        assert "example.com, service.example.de" in r.json["message"]
    box = api.get("/admin/mailboxes/service", user="admin").json
    r = api.call("PUT", "/admin/mailboxes/service", user="admin", body={**box, "address": "hilfe@service.example.org"})
    assert (r.status, r.json["field"]) == (400, "address")
    assert "fremd" not in {m["id"] for m in api.get("/admin/mailboxes", user="admin").json["items"]}


def test_our_own_mail_from_the_second_domain_gets_no_auto_reply(aws: Aws, api: ApiClient) -> None:
    """A sender on any of our domains is our own (loop guard), not only on the first one."""
    result = ingest(aws, make_mail(sender="Kollege <kollege@service.example.de>", to="support@example.com"))
    assert result.outcome == "created" and result.autoreply == "suppressed"
    assert result.autoreply_reason.code == "autoreply.own_domain"


def test_the_notification_sender_may_be_on_either_domain(api: ApiClient) -> None:
    settings = api.get("/admin/settings", user="admin").json
    ok = api.call(
        "PUT", "/admin/settings", user="admin", body={**settings, "notification_sender": "it@service.example.de"}
    )
    assert ok.status == 200, ok.text
    bad = api.call("PUT", "/admin/settings", user="admin", body={**settings, "notification_sender": "it@else.example"})
    assert bad.status == 400 and "@example.com or @service.example.de" in bad.json["message"]
