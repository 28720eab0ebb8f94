"""Ingest against moto: tickets, threading, spoof safety, idempotency, auto-replies, rules, call counts."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from helpdesk.domain.clock import now
from helpdesk.store.models import CustomerItem, MetaItem
from helpdesk.store.tickets import TicketStore

from .helpers import add_catastrophic_rule, count_aws_calls, ingest, make_mail, put_inbound, reset_sent, sent_mails


@pytest.fixture(autouse=True)
def _clean_outbox() -> None:
    reset_sent()


def detail(ticket_id: str) -> Any:
    found = TicketStore().detail(ticket_id)
    assert found is not None
    return found


def test_new_mail_becomes_a_ticket_with_number_customer_events_and_autoreply(aws: Any) -> None:
    raw = make_mail(message_id="<first@kunde.example>")
    result = ingest(aws, raw)

    assert result.outcome == "created"
    assert result.number == f"T-{now().year}-000001"
    d = detail(result.ticket_id)
    assert d.ticket.status == "new" and d.ticket.queue == "support" and d.ticket.mailbox == "support"
    assert d.ticket.customer_email == "juergen@kunde.example" and d.ticket.customer_name == "Jürgen Müller"
    inbound = [m for m in d.messages if m.direction == "inbound"]
    assert len(inbound) == 1 and inbound[0].message_id == "first@kunde.example"
    assert "Bestellung" in inbound[0].text
    assert {e.type for e in d.events} == {"TicketCreated", "MessageAdded"}
    assert MetaItem.get("MID#first@kunde.example", "MID").ticket_id == result.ticket_id
    assert MetaItem.get(f"NUM#{result.number}", "NUM").ticket_id == result.ticket_id
    customer = CustomerItem.get("juergen@kunde.example")
    assert customer.name == "Jürgen Müller" and customer.ticket_count == 1

    mails = sent_mails()
    assert len(mails) == 1
    reply = mails[0]
    assert f"[#{result.number}]" in reply["Subject"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["In-Reply-To"] == "<first@kunde.example>"
    assert reply["To"].addresses[0].addr_spec == "juergen@kunde.example"
    own_id = reply["Message-ID"].strip("<>")
    assert MetaItem.get(f"MID#{own_id}", "MID").direction == "outbound"
    outbound = [m for m in d.messages if m.direction == "outbound"]
    assert len(outbound) == 1 and outbound[0].auto_reply and outbound[0].send_state == "sent"


def test_answer_with_number_threads_and_reopens(aws: Any) -> None:
    first = ingest(aws, make_mail())
    ticket = TicketStore().get(first.ticket_id)
    assert ticket is not None
    ticket.status = "waiting_customer"
    ticket.save()

    answer = make_mail(subject=f"AW: Re: [# {first.number.lower()} ] Lieferung fehlt", body="Hier die Nummer: 4711")
    result = ingest(aws, answer)

    assert result.outcome == "appended" and result.ticket_id == first.ticket_id
    d = detail(first.ticket_id)
    assert d.ticket.status == "open"
    assert len([m for m in d.messages if m.direction == "inbound"]) == 2
    assert any(e.type == "StatusChanged" and e.detail["to"] == "open" for e in d.events)
    assert len(sent_mails()) == 1  # the follow-up gets no second auto-reply


def test_reply_to_our_mail_threads_without_number_even_from_a_colleague(aws: Any) -> None:
    first = ingest(aws, make_mail())
    our_id = sent_mails()[0]["Message-ID"]
    colleague = make_mail(
        sender="Petra Kollegin <petra@kunde.example>",
        subject="Re: Ihre Anfrage",
        in_reply_to=our_id,
        references=f"<x@kunde.example> {our_id}",
    )
    result = ingest(aws, colleague)
    assert result.outcome == "appended" and result.ticket_id == first.ticket_id
    assert "petra@kunde.example" in detail(first.ticket_id).ticket.participants


def test_stranger_with_guessed_number_opens_a_clarify_ticket_linked_for_agents(aws: Any) -> None:
    first = ingest(aws, make_mail())
    attack = make_mail(
        sender="Mallory <mallory@evil.example>",
        subject=f"Re: [#{first.number}] bitte Passwort ändern",
        body="Bitte setzen Sie mein Passwort zurück.",
    )
    result = ingest(aws, attack)

    assert result.outcome == "created" and result.ticket_id != first.ticket_id
    new = detail(result.ticket_id).ticket
    assert new.status == "clarify" and new.review
    assert [(link.type, link.ticket_id) for link in new.links] == [("claimed", first.ticket_id)]
    original = detail(first.ticket_id)
    assert len(original.messages) == 2  # the customer's mail and our auto-reply only
    assert "mallory@evil.example" not in original.ticket.participants


def test_the_customers_forged_address_does_not_write_into_their_ticket(aws: Any) -> None:
    """The Ticket Trick with a forged From: SES says DMARC failed, so the customer's address proves
    nothing. The mail opens a clarify ticket linked for agents; a genuine answer still threads."""
    first = ingest(aws, make_mail())
    ses = {
        "X-SES-Spam-Verdict": "PASS",
        "X-SES-Virus-Verdict": "PASS",
        "Authentication-Results": "amazonses.com; spf=fail client-ip=203.0.113.9; dkim=none; dmarc=fail",
    }
    forged = make_mail(subject=f"AW: [#{first.number}] neue Bankverbindung", body="Neue IBAN: DE00 …", headers=ses)
    result = ingest(aws, forged)
    assert result.outcome == "created"
    new = detail(result.ticket_id).ticket
    assert new.status == "clarify" and new.review
    assert [(link.type, link.ticket_id) for link in new.links] == [("claimed", first.ticket_id)]
    assert any("failed authentication (DMARC fail)" in reason for reason in result.reasons)
    assert new.review_notes == [
        "claims an existing ticket, but the sender address failed authentication (DMARC fail): "
        "possibly forged; check before merging"
    ]
    assert len(detail(first.ticket_id).messages) == 2

    genuine = {**ses, "Authentication-Results": "amazonses.com; spf=pass; dkim=pass; dmarc=pass"}
    answer = ingest(aws, make_mail(subject=f"AW: [#{first.number}] danke", body="Danke!", headers=genuine))
    assert (answer.outcome, answer.ticket_id) == ("appended", first.ticket_id)


def test_redelivered_object_is_stored_once_with_one_autoreply(aws: Any) -> None:
    raw = make_mail(message_id="<once@kunde.example>")
    key = put_inbound(aws, raw)
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    first = ingest_object(aws.bucket, key, ingest_deps())
    again = ingest_object(aws.bucket, key, ingest_deps())
    other_mailbox = ingest(aws, raw.replace(b"To: support@example.com", b"To: sales@example.com"))

    assert first.outcome == "created" and again.outcome == "duplicate" and other_mailbox.outcome == "duplicate"
    assert again.ticket_id == first.ticket_id == other_mailbox.ticket_id
    assert len([m for m in detail(str(first.ticket_id)).messages if m.direction == "inbound"]) == 1
    assert len(sent_mails()) == 1


CRASH_POINTS = ["s3_get", "lookup", "commit", "claim", "send"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_crash_after_each_step_then_retry_loses_and_duplicates_nothing(
    aws: Any, point: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Lambda that dies after a step; SQS redelivers; the retry must finish the job exactly once."""
    from helpdesk.aws.s3 import MailStore
    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object
    from helpdesk.store.tickets import TicketStore as Store
    from helpdesk.store.unit import Unit

    class Crash(Exception):
        pass

    targets = {
        "s3_get": (MailStore, "get"),
        "lookup": (Store, "lookup"),
        "commit": (Unit, "commit"),
        "claim": (Store, "claim_send"),
        "send": (Mailer, "send_raw"),
    }
    owner, name = targets[point]
    original = getattr(owner, name)

    def crash_after(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)  # the step completes …
        raise Crash(point)  # … and the process dies right after it

    key = put_inbound(aws, make_mail(message_id=f"<crash-{point}@kunde.example>"))
    monkeypatch.setattr(owner, name, crash_after)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the crash itself, or the send failure it caused
        ingest_object(aws.bucket, key, ingest_deps())
    assert isinstance(caught.value, Crash) or isinstance(caught.value.__cause__, Crash)
    monkeypatch.setattr(owner, name, original)
    retry = ingest_object(aws.bucket, key, ingest_deps())

    ticket_id = MetaItem.get(f"MID#crash-{point}@kunde.example", "MID").ticket_id
    d = detail(ticket_id)
    assert len([m for m in d.messages if m.direction == "inbound"]) == 1
    assert len([e for e in d.events if e.type == "TicketCreated"]) == 1
    assert retry.ticket_id == ticket_id
    replies = len(sent_mails())
    # At most once, always; exactly once unless the process died between claiming and handing to SES.
    assert replies == (0 if point == "claim" else 1)


def test_concurrent_ingests_never_share_a_number(aws: Any) -> None:
    """Five concurrent ingests (the template caps the SQS event source at five) racing for numbers."""
    raws = [make_mail(message_id=f"<c{i}@kunde.example>", sender=f"kunde{i}@kunde.example") for i in range(10)]
    keys = [put_inbound(aws, raw) for raw in raws]
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    deps = ingest_deps()
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda k: ingest_object(aws.bucket, k, deps), keys))
    numbers = sorted(str(r.number) for r in results)
    assert numbers == [f"T-{now().year}-{i:06d}" for i in range(1, 11)]  # unique, and no gaps


def test_aws_calls_per_mail(aws: Any) -> None:
    ingest(aws, make_mail(message_id="<warm@kunde.example>"))  # warm: config cached, clients created
    from helpdesk.bootstrap import config_store

    config_store().ttl = 3600
    raw_new = make_mail(
        message_id="<counted@kunde.example>",
        sender="neu@kunde.example",
        attachments=[("Rechnung März.pdf", "application/pdf", b"%PDF-1.4 test")],
    )
    key_new = put_inbound(aws, raw_new)
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    with count_aws_calls() as new_calls:
        created = ingest_object(aws.bucket, key_new, ingest_deps())
    assert created.outcome == "created" and created.autoreply == "sent"
    follow = put_inbound(aws, make_mail(sender="neu@kunde.example", subject=f"Re: [#{created.number}]"))
    with count_aws_calls() as follow_calls:
        appended = ingest_object(aws.bucket, follow, ingest_deps())
    assert appended.outcome == "appended"
    print("\nAWS calls, new mail with auto-reply and 1 attachment:", dict(new_calls))
    print("AWS calls, follow-up:", dict(follow_calls))
    # GetObject, BatchGetItem, TransactWriteItems, UpdateItem (claim), SendEmail, TransactWriteItems (settle
    # the auto-reply as sent and count it: /stats counts only what SES accepted), + 1 PutObject.
    assert sum(new_calls.values()) <= 6 + 1
    assert new_calls["dynamodb.TransactWriteItems"] == 2
    assert new_calls["s3.PutObject"] == 1
    assert sum(follow_calls.values()) <= 4
    assert not any(op.endswith("Scan") for op in list(new_calls) + list(follow_calls))


def test_automatic_mail_gets_no_autoreply_and_window_limits_replies(aws: Any) -> None:
    ingest(aws, make_mail(headers={"Auto-Submitted": "auto-replied"}, message_id="<ooo@kunde.example>"))
    assert sent_mails() == []
    ingest(aws, make_mail(sender="a@kunde.example", subject="Eins"))
    ingest(aws, make_mail(sender="a@kunde.example", subject="Zwei"))
    assert len(sent_mails()) == 1  # one per sender per window
    ingest(aws, make_mail(sender="kollege@example.com", subject="intern"))
    assert len(sent_mails()) == 1  # own domain: never
    failed = {"Authentication-Results": "amazonses.com; spf=fail client-ip=203.0.113.9; dkim=none; dmarc=fail"}
    spoofed = ingest(aws, make_mail(sender="opfer@bank.example", subject="Rechnung", headers=failed))
    assert spoofed.outcome == "created"
    assert len(sent_mails()) == 1  # no backscatter to the owner of a forged address
    assert spoofed.autoreply == "suppressed"
    assert spoofed.autoreply_reason.startswith("sender failed authentication (DMARC fail)")
    with time_machine.travel(now() + timedelta(hours=25)):
        ingest(aws, make_mail(sender="a@kunde.example", subject="Drei"))
    assert len(sent_mails()) == 2


def test_two_autoresponders_facing_each_other_exchange_one_mail_each(aws: Any) -> None:
    """Their robot answers our auto-reply with its own (without Auto-Submitted, as broken robots do)."""
    ingest(aws, make_mail(sender="robot@vendor.example", subject="Ihre Bestellung"))
    for round_ in range(3):
        ours = sent_mails()[-1]
        ingest(
            aws,
            make_mail(
                sender="robot@vendor.example",
                subject=f"Re: {ours['Subject']}",
                in_reply_to=ours["Message-ID"],
                message_id=f"<robot{round_}@vendor.example>",
            ),
        )
    assert len(sent_mails()) == 1


def test_rules_route_and_trash(aws: Any) -> None:
    invoice = ingest(aws, make_mail(subject="Rechnung 2026-17 falsch"))
    t = detail(invoice.ticket_id)
    assert t.ticket.queue == "billing" and t.ticket.tags == ["rechnung"]
    created = next(e for e in t.events if e.type == "TicketCreated")
    assert created.detail["rules"][0]["rule"] == "invoices"

    newsletter = ingest(
        aws,
        make_mail(
            sender="news@shop.example", subject="Angebote", headers={"List-Unsubscribe": "<mailto:u@shop.example>"}
        ),
    )
    n = detail(newsletter.ticket_id).ticket
    assert n.status == "trash" and "newsletter" in n.tags
    assert len(sent_mails()) == 1  # only the invoice mail got one


def test_closed_ticket_older_than_the_reopen_age_opens_a_linked_ticket(aws: Any) -> None:
    first = ingest(aws, make_mail())
    ticket = TicketStore().get(first.ticket_id)
    assert ticket is not None
    ticket.status, ticket.closed_at = "closed", "2020-01-01T00:00:00.000000Z"
    ticket.save()
    result = ingest(aws, make_mail(subject=f"Re: [#{first.number}] noch eine Frage"))
    assert result.outcome == "created"
    assert [(link.type, link.ticket_id) for link in detail(result.ticket_id).ticket.links] == [
        ("previous", first.ticket_id)
    ]


def test_unknown_mailbox_still_becomes_a_ticket_in_the_default_queue(aws: Any) -> None:
    result = ingest(aws, make_mail(to="irgendwer@example.com"))
    t = detail(result.ticket_id).ticket
    assert t.queue == "support" and t.mailbox is None and t.review
    assert "no configured mailbox" in t.review_notes[0]


def test_attachments_are_stored_with_name_type_size_and_checksum(aws: Any) -> None:
    data = b"%PDF-1.4\n" + bytes(range(256)) * 10
    result = ingest(aws, make_mail(attachments=[("Prüfbericht März.pdf", "application/pdf", data)]))
    msg = next(m for m in detail(result.ticket_id).messages if m.direction == "inbound")
    (att,) = msg.attachments
    assert att.filename == "Prüfbericht März.pdf" and att.content_type == "application/pdf" and att.size == len(data)
    stored = aws.client("s3").get_object(Bucket=aws.bucket, Key=att.key)["Body"].read()
    assert stored == data
    import hashlib

    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert msg.raw_key.startswith("inbound/")


def test_large_bodies_live_in_s3(aws: Any) -> None:
    big = "Zeile mit Text.\n" * 20_000
    result = ingest(aws, make_mail(body=big))
    msg = next(m for m in detail(result.ticket_id).messages if m.direction == "inbound")
    assert msg.body_key and len(msg.text) <= 20_000
    stored = json.loads(aws.client("s3").get_object(Bucket=aws.bucket, Key=msg.body_key)["Body"].read())
    assert stored["text"].count("Zeile mit Text.") == 20_000


def test_a_parser_crash_becomes_a_quarantine_ticket(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import helpdesk.services.ingest as ingest_module

    def broken(raw: bytes, limits: Any) -> Any:
        raise RecursionError("simulated parser failure")

    monkeypatch.setattr(ingest_module, "parse_mail", broken)
    result = ingest(aws, make_mail(subject="Kaputt"))
    t = detail(result.ticket_id)
    assert result.quarantined and t.ticket.review
    assert "quarantine" in t.ticket.review_notes[0] and t.ticket.subject == "Kaputt"
    assert t.messages[0].raw_key  # the original is kept
    assert sent_mails() == []


def test_the_same_unreadable_mail_by_two_paths_is_one_quarantine_ticket(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relays prepend different trace fields; the quarantine id is taken from what the sender wrote."""
    import helpdesk.services.ingest as ingest_module

    def broken(raw: bytes, limits: Any) -> Any:
        raise RecursionError("simulated parser failure")

    monkeypatch.setattr(ingest_module, "parse_mail", broken)
    raw = make_mail(subject="Kaputt")
    first = ingest(
        aws, b"Received: from mx1.kunde.example by mx.example.com; Thu, 26 Nov 2026 12:00:00 +0000\r\n" + raw
    )
    second = ingest(
        aws,
        b"Return-Path: <juergen@kunde.example>\r\nReceived: from mx2.kunde.example\r\n by inbound-smtp; "
        b"Thu, 26 Nov 2026 12:00:07 +0000\r\nX-SES-Spam-Verdict: PASS\r\n" + raw,
    )
    assert first.quarantined and first.outcome == "created"
    assert (second.outcome, second.ticket_id) == ("duplicate", first.ticket_id)
    other = ingest(aws, make_mail(subject="Auch kaputt"))
    assert other.outcome == "created" and other.ticket_id != first.ticket_id


def test_mailbox_close_on_import_stores_closed_without_autoreply(aws: Any) -> None:
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import Mailbox

    config_store().put("mailbox", Mailbox(id="archive", address="archiv@example.com", close_on_import=True))
    result = ingest(aws, make_mail(to="archiv@example.com"))
    assert detail(result.ticket_id).ticket.status == "closed"
    assert sent_mails() == []


def test_a_rule_regex_that_backtracks_forever_does_not_stall_ingest(aws: Any) -> None:
    """An admin's catastrophic regex: the mail still becomes a ticket at once, the rule counts as
    not matching, and the ticket's history says why."""
    add_catastrophic_rule()
    result = ingest(aws, make_mail(body="a" * 80 + "!"))
    t = detail(result.ticket_id)
    assert "nie" not in t.ticket.tags
    created = next(e for e in t.events if e.type == "TicketCreated")
    text = "Langsame Regel: body regex '(a|aa)+$' took too long and counted as not matching"
    params = {"rule": "Langsame Regel", "condition": "body regex '(a|aa)+$'"}
    assert created.detail["rule_warnings"] == [{"code": "rules.timeout", "params": params, "text": text}]
    assert result.rule_warnings == [text]
