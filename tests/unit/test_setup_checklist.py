"""The set-up checklist (helpdesk.domain.setup): what a new helpdesk lacks, as codes with parameters."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.domain.config import Agent, ConfigSnapshot, LocalizedText, Mailbox, Queue, TeamSettings
from helpdesk.domain.setup import DomainFacts, MailFacts, checklist, open_items

STATIC = Path(__file__).resolve().parents[2] / "functions" / "api" / "static"


def states(items: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {i.code: i.state for i in items}


def configured() -> ConfigSnapshot:
    return ConfigSnapshot(
        settings=TeamSettings(signature="Ihr Support-Team"),
        mailboxes=[Mailbox(id="support", address="support@example.com", default_queue="support")],
        queues=[Queue(id="support", name="Support")],
        agents=[Agent(username="anna", email="anna@example.com", role="admin"), Agent(username="ben", email="b@x.de")],
    )


def test_an_empty_helpdesk_lists_every_required_item_open() -> None:
    items = checklist(ConfigSnapshot())
    assert states(items) == {
        "admin": "todo",
        "mailbox": "todo",
        "default_queue": "todo",
        "mailbox_queues": "done",
        "queue_notify": "done",
        "autoreply": "todo",
        "signature": "todo",
        "team": "todo",
    }
    assert {i.code for i in open_items(items)} == {"admin", "mailbox", "default_queue", "autoreply"}


def test_a_configured_helpdesk_has_nothing_open() -> None:
    items = checklist(configured())
    assert open_items(items) == []
    assert set(states(items).values()) == {"done"}


def test_a_mailbox_naming_a_missing_queue_and_an_empty_autoreply_are_warnings_naming_the_mailbox() -> None:
    cfg = configured()
    cfg.mailboxes.append(
        Mailbox(
            id="sales",
            address="sales@example.com",
            default_queue="gone",
            autoreply_body=LocalizedText(de="", en=""),
        )
    )
    items = {i.code: i for i in checklist(cfg)}
    assert items["mailbox_queues"].state == "warn"
    assert items["mailbox_queues"].params == {"mailboxes": "sales@example.com"}
    assert items["autoreply"].state == "warn"
    assert items["autoreply"].params == {"mailboxes": "sales@example.com"}


def test_a_queue_notification_address_that_is_no_address_is_a_warning_naming_the_queue() -> None:
    cfg = configured()
    cfg.queues.append(Queue.model_validate({"id": "retouren", "name": "Retouren", "notify_address": "retouren team"}))
    cfg.queues.append(Queue(id="lager", name="Lager", notify_address="lager@example.com"))
    items = {i.code: i for i in checklist(cfg)}
    assert items["queue_notify"].state == "warn"
    assert items["queue_notify"].params == {"queues": "retouren"}
    assert [i.code for i in open_items(list(items.values()))] == ["queue_notify"]


def test_optional_items_never_count_as_open() -> None:
    cfg = configured()
    cfg.settings.signature = ""
    cfg.agents.pop()
    items = checklist(cfg)
    assert states(items)["signature"] == "todo" and states(items)["team"] == "todo"
    assert open_items(items) == []


def test_mail_items_only_when_ses_was_asked_and_unknown_when_it_could_not_answer() -> None:
    assert not any(i.code.startswith("ses_") for i in checklist(configured()))
    facts = MailFacts(domains=(DomainFacts("example.com"),), our_rule_set="hd")
    items = {i.code: i for i in checklist(configured(), facts)}
    assert [items[c].state for c in ("ses_identity", "ses_dkim", "ses_production", "receipt_rules")] == ["unknown"] * 4


def test_receipt_rules_another_active_set_is_a_warning_none_is_todo_ours_is_done() -> None:
    def rules(active: str) -> str:
        facts = MailFacts(domains=(DomainFacts("example.com"),), active_rule_set=active, our_rule_set="hd-inbound")
        return {i.code: i.state for i in checklist(configured(), facts)}["receipt_rules"]

    assert (rules("hd-inbound"), rules("someone-else"), rules("")) == ("done", "warn", "todo")


def test_verified_domain_with_dkim_and_production_access_is_done() -> None:
    facts = MailFacts(
        domains=(DomainFacts("example.com", identity_verified=True, dkim_status="Success"),),
        production_access=False,
        active_rule_set="hd",
        our_rule_set="hd",
    )
    got = {i.code: i for i in checklist(configured(), facts)}
    assert (got["ses_identity"].state, got["ses_dkim"].state, got["ses_production"].state) == ("done", "done", "todo")
    assert got["ses_dkim"].params == {"domain": "example.com", "status": "Success"}


def test_every_mail_domain_is_checked_and_each_must_send_through_the_stacks_configuration_set() -> None:
    facts = MailFacts(
        domains=(
            DomainFacts("example.com", identity_verified=True, dkim_status="Success", configuration_set="hd-send"),
            DomainFacts("example.org", identity_verified=False, dkim_status="Pending", configuration_set=""),
            DomainFacts("example.net", identity_verified=True, dkim_status="Success", configuration_set="other"),
            DomainFacts("example.de"),  # SES could not be asked
        ),
        our_configuration_set="hd-send",
    )
    items = [(i.code, i.params.get("domain"), i.state) for i in checklist(configured(), facts)]
    assert [(d, s) for c, d, s in items if c == "ses_identity"] == [
        ("example.com", "done"),
        ("example.org", "todo"),
        ("example.net", "done"),
        ("example.de", "unknown"),
    ]
    assert [s for c, _, s in items if c == "ses_configuration_set"] == ["done", "todo", "warn", "unknown"]
    assert [s for c, _, s in items if c == "ses_dkim"] == ["done", "todo", "done", "unknown"]
    # a stack that names no configuration set (older template): the identities' sets are not judged
    older = MailFacts(domains=facts.domains)
    assert not any(i.code == "ses_configuration_set" for i in checklist(configured(), older))


def test_the_web_client_words_every_configuration_item_in_german_and_english() -> None:
    source = "".join((STATIC / n).read_text(encoding="utf-8") for n in ("i18n.js", "i18n-views.js"))
    for code in states(checklist(ConfigSnapshot())):
        assert re.search(rf'"setup\.{code}":\s*\["[^"]+",\s*"[^"]+"\]', source), f"setup.{code}: German and English"
