"""The scheduled job on in-memory fakes (tests/fakes): which tickets it reminds, closes, alerts and warns,
read through the store's two index queries, and a run that carries two steps out — no moto (the same
against moto, with its AWS calls checked: tests/integration/test_autoclose.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from helpdesk.domain.clock import iso
from helpdesk.domain.config import ConfigSnapshot, Mailbox, Queue
from helpdesk.services.autoclose import AutocloseDeps, run
from helpdesk.store.models import TICKET_SK, TicketItem
from tests.fakes import FakeConfig, FakeMailer, FakeTickets

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def ticket(number: str, status: str, **fields: Any) -> TicketItem:
    return TicketItem(
        pk=f"T{number}",
        sk=TICKET_SK,
        number=number,
        subject="Heizung",
        status=status,
        queue="support",
        created_at=iso(NOW - timedelta(days=30)),
        updated_at=iso(NOW - timedelta(days=1)),
        **fields,
    )


def days_ago(days: float) -> str:
    return iso(NOW - timedelta(days=days))


def deps(*tickets: TicketItem, cfg: ConfigSnapshot | None = None) -> AutocloseDeps:
    config = FakeConfig(cfg or ConfigSnapshot(queues=[Queue(id="support", name="Support")]))
    return AutocloseDeps(config=config, tickets=FakeTickets(*tickets), mailer=FakeMailer(), mail_domain="example.com")  # type: ignore[arg-type]


def test_the_dry_run_plans_every_step_in_order_and_changes_nothing() -> None:
    wired = deps(
        ticket("1", "waiting_customer", waiting_since=days_ago(8)),  # remind (7 days)
        ticket("2", "waiting_customer", waiting_since=days_ago(15), reminded_at=days_ago(8)),  # close (14 days)
        ticket("3", "waiting_customer", waiting_since=days_ago(2)),  # not yet
        ticket("4", "open", due_at=iso(NOW - timedelta(hours=2))),  # missed
        ticket("5", "open", due_at=iso(NOW + timedelta(minutes=30))),  # within the warning lead (60 min)
        ticket("6", "open", due_at=iso(NOW + timedelta(hours=5))),  # later
        ticket("7", "closed", due_at=iso(NOW - timedelta(hours=2))),  # closed: in no index
    )
    report = run(wired, at=NOW, dry_run=True)
    assert [(a.number, a.step) for a in report.actions] == [
        ("2", "close"),
        ("1", "remind"),
        ("4", "overdue"),
        ("5", "warn"),
    ]
    assert report.examined == 4  # the two waiting past the earliest limit, the missed and the near deadline
    assert {a.result for a in report.actions} == {"planned"}
    assert (report.reminded, report.closed, report.escalated, report.warned) == (0, 0, 0, 0)
    assert wired.mailer.sent == []  # type: ignore[attr-defined]


def test_a_queue_that_waits_longer_is_not_reminded_by_the_teams_default() -> None:
    slow = ConfigSnapshot(queues=[Queue(id="support", name="Support", remind_after_days=10, close_after_days=20)])
    report = run(deps(ticket("1", "waiting_customer", waiting_since=days_ago(8)), cfg=slow), at=NOW, dry_run=True)
    assert report.actions == [] and report.examined == 1


def test_a_run_out_of_time_stops_before_the_next_ticket_and_says_so() -> None:
    wired = deps(*(ticket(str(n), "waiting_customer", waiting_since=days_ago(8)) for n in range(3)))
    report = run(wired, at=NOW, dry_run=True, time_left=lambda: 5.0)
    assert report.stopped_early and report.actions == [] and report.examined == 0


def test_a_run_reminds_and_closes_writing_through_the_fake_store_and_mailing_the_customer() -> None:
    cfg = ConfigSnapshot(
        queues=[Queue(id="support", name="Support")],
        mailboxes=[Mailbox(id="support", address="support@example.com", name="Support", default_queue="support")],
    )
    customer = {"customer_email": "kunde@example.org", "mailbox": "support", "message_count": 1}
    wired = deps(
        ticket("1", "waiting_customer", waiting_since=days_ago(8), **customer),
        ticket("2", "waiting_customer", waiting_since=days_ago(15), reminded_at=days_ago(8), **customer),
        cfg=cfg,
    )
    report = run(wired, at=NOW)

    assert (report.reminded, report.closed) == (1, 1)
    store: Any = wired.tickets
    reminded, closed = store.get("T1"), store.get("T2")
    assert reminded.status == "waiting_customer" and reminded.reminded_at == iso(NOW) and reminded.version == 1
    assert closed.status == "closed" and closed.closed_at == iso(NOW) and closed.version == 1
    (mail,) = wired.mailer.sent  # type: ignore[attr-defined]  # the reminder (closing mails no one: the default)
    assert mail.destinations == ["kunde@example.org"] and b"Erinnerung" in mail.raw
    (stored,) = store.messages("T1")
    assert (stored.direction, stored.send_state, stored.ses_message_id) == ("outbound", "sent", "fake-1")
    assert store.messages("T2") == []
