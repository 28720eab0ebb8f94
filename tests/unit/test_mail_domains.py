"""Issue 14 part 5: the deployment's mail domains (template.yaml MailDomain as a list), one home for reading
and checking them; the local stack takes them as ``--mail-domain`` repeated or as a comma list."""

from __future__ import annotations

from helpdesk.domain.autoreply import AutoReplyFacts, autoreply_verdict
from helpdesk.domain.clock import now
from helpdesk.domain.mail_domains import address_refused, on_our_domains, parse_domains
from helpdesk.domain.notifications import sender_refused
from helpdesk_local.stack import LocalConfig


def test_domains_are_read_trimmed_lower_cased_once_and_in_order() -> None:
    assert parse_domains("Support.Example.com, service.example.de ,support.example.com,") == (
        "support.example.com",
        "service.example.de",
    )
    assert parse_domains("example.com") == ("example.com",)
    assert parse_domains(" , ") == ()


def test_an_address_is_on_our_domains_exactly() -> None:
    domains = ("example.com", "service.example.de")
    assert on_our_domains("hilfe@service.example.de", domains) and on_our_domains("a@EXAMPLE.com", domains)
    for address in ("a@sub.example.com", "a@example.com.evil.example", "example.com", ""):
        assert not on_our_domains(address, domains), address
    refused = address_refused("info@fremd.example", domains)
    assert refused is not None and "example.com, service.example.de" in refused
    assert address_refused("info@service.example.de", domains) is None


def test_the_notification_sender_and_the_loop_guard_know_every_domain() -> None:
    assert sender_refused("it@service.example.de", ("example.com", "service.example.de")) is None
    assert "@example.com or @service.example.de" in str(
        sender_refused("it@x.example", ("example.com", "service.example.de"))
    )
    facts = AutoReplyFacts(
        mailbox_autoreply=True,
        automatic_reason=None,
        sender="kollege@service.example.de",
        message_id="abc@kunde.example",
        own_domain="example.com",
        own_addresses=frozenset(),
        spam=False,
        virus=False,
        rule_suppressed=False,
        stored_closed=False,
        last_sent_at=None,
        window_hours=24,
        other_domains=("service.example.de",),
    )
    assert autoreply_verdict(facts, now())[1].code == "autoreply.own_domain"


def test_the_local_stack_takes_one_domain_or_several() -> None:
    assert LocalConfig().mail_domains == ("example.com",)
    several = LocalConfig(mail_domain="example.com,Service.Example.de")
    assert several.mail_domains == ("example.com", "service.example.de") and several.first_domain == "example.com"
