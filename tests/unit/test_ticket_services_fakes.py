"""The ticket use cases on in-memory fakes (tests/fakes), no moto: the ingest (a new ticket, a follow-up, the
same mail again), an agent's reply (stored, mailed, the lifecycle's fields and counters) and a change (status,
assignee, queue with its events; a stale version refused). The same cases against moto, with their AWS calls
checked against the IAM grants: tests/integration (test_ingest.py, test_reply_conflicts.py, test_api_changes.py)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from helpdesk.domain.clock import now
from helpdesk.domain.config import Agent, ConfigSnapshot, Mailbox, Queue, TeamSettings
from helpdesk.services.changes import Stale, change_ticket
from helpdesk.services.ingest import IngestDeps, IngestResult, ingest_raw
from helpdesk.services.replies import ReplyRequest, send_reply
from helpdesk.store.models import CustomerItem, EventItem, MetaItem, TicketItem
from helpdesk.store.stats import BACKLOG_KEY
from helpdesk.store.tickets import TicketDetail, apply_index_keys, mid_key, num_key
from helpdesk.store.unit import Conflict, Unit, read_counters
from tests.fakes import FakeConfig, FakeDb, FakeMail, FakeMailer, FakeTickets, FakeUnit, key_of

CFG = ConfigSnapshot(
    settings=TeamSettings(company="Beispiel GmbH", default_queue="support"),
    queues=[Queue(id="support", name="Support", first_response_hours=8), Queue(id="sales", name="Vertrieb")],
    mailboxes=[Mailbox(id="support", address="support@example.com", name="Support", default_queue="support")],
    agents=[Agent(username="tom", email="tom@example.com", name="Tom Agent", role="agent")],
)


def make_mail(subject: str = "Lieferung fehlt", message_id: str | None = None, body: str = "Wo bleibt sie?") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Jürgen Müller <juergen@kunde.example>"
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = message_id or make_msgid(domain="kunde.example")
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture
def deps() -> IngestDeps:
    return IngestDeps(
        mail=FakeMail(),  # type: ignore[arg-type]
        tickets=FakeTickets(),
        config=FakeConfig(CFG),  # type: ignore[arg-type]
        mailer=FakeMailer(),  # type: ignore[arg-type]
        mail_domain="example.com",
    )


def tickets(deps: IngestDeps) -> FakeTickets:
    assert isinstance(deps.tickets, FakeTickets)
    return deps.tickets


def sent(deps: IngestDeps) -> list[Any]:
    assert isinstance(deps.mailer, FakeMailer)
    return deps.mailer.sent


def detail(store: FakeTickets, ticket_id: str | None) -> TicketDetail:
    found = store.detail(ticket_id or "")
    assert found is not None
    return found


def ingest(deps: IngestDeps, raw: bytes) -> IngestResult:
    key = f"inbound/{make_msgid()}"
    deps.mail.put(key, raw)
    return ingest_raw(raw, key, deps)


def backlog(store: FakeTickets) -> dict[str, int]:
    """The live backlog counters (attributes no model names: read raw)."""
    _, attrs = store.db.items.get(key_of(MetaItem, *BACKLOG_KEY), (MetaItem, {}))
    return {f"b_{name}": n for name, n in read_counters(attrs, "b_").items()}


# ----------------------------------------------------------------------------------------------- ingest


def test_a_new_mail_becomes_a_numbered_ticket_with_its_customer_events_and_one_autoreply(deps: IngestDeps) -> None:
    result = ingest(deps, make_mail(message_id="<first@kunde.example>"))

    assert result.outcome == "created" and result.number == f"T-{now().year}-000001"
    store = tickets(deps)
    d = detail(store, result.ticket_id)
    assert (d.ticket.status, d.ticket.queue, d.ticket.mailbox, d.ticket.version) == ("new", "support", "support", 1)
    assert d.ticket.customer_email == "juergen@kunde.example" and d.ticket.message_count == 1
    assert [m.direction for m in sorted(d.messages, key=lambda m: m.thread_seq or 0)] == ["inbound", "outbound"]
    assert {e.type for e in d.events} == {"TicketCreated", "MessageAdded"}
    assert store.db.load(MetaItem, *mid_key("first@kunde.example")).ticket_id == result.ticket_id
    assert store.db.load(MetaItem, *num_key(str(result.number))).ticket_id == result.ticket_id
    assert store.db.load(CustomerItem, "juergen@kunde.example").ticket_count == 1
    assert backlog(store) == {"b_status_new": 1, "b_queue_support": 1, "b_agent_-": 1}
    (mail,) = sent(deps)
    assert mail.destinations == ["juergen@kunde.example"] and b"Auto-Submitted: auto-replied" in mail.raw
    assert result.autoreply == "sent"
    (autoreply,) = [m for m in d.messages if m.direction == "outbound"]
    assert autoreply.send_state == "sent" and autoreply.ses_message_id == "fake-1"


def test_an_answer_naming_the_number_joins_the_ticket_and_reopens_it(deps: IngestDeps) -> None:
    first = ingest(deps, make_mail())
    store = tickets(deps)
    ticket = store.get(str(first.ticket_id))
    assert ticket is not None
    ticket.status = "waiting_customer"
    store.put(ticket)

    answer = ingest(deps, make_mail(subject=f"AW: [#{first.number}] Lieferung fehlt", body="Nummer 4711"))

    assert answer.outcome == "appended" and answer.ticket_id == first.ticket_id
    d = detail(store, first.ticket_id)
    assert d.ticket.status == "open" and d.ticket.message_count == 2 and d.ticket.version == 2
    assert len([m for m in d.messages if m.direction == "inbound"]) == 2
    assert any(e.type == "StatusChanged" and e.detail["to"] == "open" for e in d.events)
    assert len(sent(deps)) == 1  # the follow-up gets no second auto-reply


def test_the_same_mail_again_is_a_duplicate_stored_once(deps: IngestDeps) -> None:
    raw = make_mail(message_id="<once@kunde.example>")
    first = ingest(deps, raw)
    again = ingest(deps, raw)

    assert again.outcome == "duplicate" and again.ticket_id == first.ticket_id
    store = tickets(deps)
    assert len(store.tickets) == 1 and len(sent(deps)) == 1
    assert len([m for m in detail(store, first.ticket_id).messages if m.direction == "inbound"]) == 1


class RacedTickets(FakeTickets):
    """An agent's change lands on the ticket between the ingest's read and its commit (once)."""

    raced = False

    def unit(self) -> Unit:
        if not self.raced and len(self.tickets) == 1:
            self.raced = True
            (ticket,) = self.tickets.values()
            ticket.priority = "high"
            racing = super().unit()
            racing.save("ticket", ticket)
            racing.commit()
        return super().unit()


def test_a_follow_up_that_loses_the_race_to_an_agents_change_reads_the_ticket_again_and_keeps_both() -> None:
    deps = IngestDeps(
        mail=FakeMail(),  # type: ignore[arg-type]
        tickets=FakeTickets(),
        config=FakeConfig(CFG),  # type: ignore[arg-type]
        mailer=FakeMailer(),  # type: ignore[arg-type]
        mail_domain="example.com",
    )
    first = ingest(deps, make_mail())
    raced = RacedTickets(db=tickets(deps).db)
    deps.tickets = raced
    answer = ingest(deps, make_mail(subject=f"AW: [#{first.number}] Lieferung fehlt", body="Nummer 4711"))

    assert raced.raced and answer.outcome == "appended" and answer.ticket_id == first.ticket_id
    d = detail(raced, first.ticket_id)
    assert (d.ticket.priority, d.ticket.message_count, d.ticket.version) == ("high", 2, 3)
    assert len([m for m in d.messages if m.direction == "inbound"]) == 2


# ------------------------------------------------------------------------------------------- the fake unit


def test_the_fake_unit_refuses_a_stale_version_whole_and_names_the_write() -> None:
    store = FakeTickets()
    ticket = TicketItem(
        pk="01JAAAAAAAAAAAAAAAAAAAAAAA",
        sk="TICKET",
        number="1",
        subject="x",
        status="new",
        queue="q",
        created_at="2026-12-01T10:00:00Z",
        updated_at="2026-12-01T10:00:00Z",
    )
    apply_index_keys(ticket)
    unit = store.unit()
    unit.save("ticket", ticket, condition=TicketItem.pk.does_not_exist())
    unit.commit()
    stale = store.get(ticket.pk)
    assert stale is not None and ticket.version == stale.version == 1
    ticket.subject = "first"
    first = store.unit()
    first.save("ticket", ticket)
    first.commit()
    stale.subject = "second"
    second = FakeUnit(store.db)
    second.save("ticket", stale)
    second.save("other", MetaItem("X", "Y"))
    with pytest.raises(Conflict) as refused:
        second.commit()
    assert refused.value.tags == ["ticket"]
    assert store.db.load(MetaItem, "X", "Y") is None and store.get(ticket.pk).subject == "first"  # type: ignore[union-attr]
    assert FakeDb().load(TicketItem, ticket.pk, "TICKET") is None


# -------------------------------------------------------------------------------------------------- reply


def test_an_agents_reply_is_stored_mailed_and_moves_the_ticket_to_waiting(deps: IngestDeps) -> None:
    created = ingest(deps, make_mail())
    store = tickets(deps)
    mailer = FakeMailer()
    result = send_reply(
        store,
        deps.mail,
        mailer,  # type: ignore[arg-type]
        CFG,
        str(created.ticket_id),
        ReplyRequest(body="Guten Tag, sie ist unterwegs."),
        actor="tom",
        mail_domain="example.com",
    )

    assert result.sent and result.message.send_state == "sent"
    (mail,) = mailer.sent
    assert mail.destinations == ["juergen@kunde.example"] and b"sie ist unterwegs" in mail.raw
    d = detail(store, created.ticket_id)
    assert d.ticket.status == "waiting_customer" and d.ticket.first_response_at and d.ticket.waiting_since
    (reply,) = [m for m in d.messages if m.author == "tom"]
    assert reply.direction == "outbound" and reply.send_state == "sent" and reply.thread_seq == 3
    assert {"StatusChanged", "MessageAdded"} <= {e.type for e in d.events if e.actor == "tom"}
    assert backlog(store)["b_status_waiting_customer"] == 1 and backlog(store)["b_status_new"] == 0
    assert store.db.load(MetaItem, *mid_key(reply.message_id)).direction == "outbound"


# ------------------------------------------------------------------------------------------------- change


def test_a_change_of_status_assignee_and_queue_is_one_version_with_its_events(deps: IngestDeps) -> None:
    created = ingest(deps, make_mail())
    store = tickets(deps)
    changes = {"status": "open", "assignee": "tom", "queue": "sales"}
    outcome = change_ticket(store, CFG, str(created.ticket_id), changes, version=1, actor="tom", viewer=None)

    d = detail(store, created.ticket_id)
    assert (d.ticket.status, d.ticket.assignee, d.ticket.queue, d.ticket.version) == ("open", "tom", "sales", 2)
    assert outcome.changed.keys() == changes.keys()
    events: list[EventItem] = [e for e in d.events if e.actor == "tom"]
    assert {e.type for e in events} == {"TicketUpdated", "StatusChanged"}
    assert backlog(store) == {
        "b_status_new": 0,
        "b_queue_support": 0,
        "b_agent_-": 0,
        "b_status_open": 1,
        "b_queue_sales": 1,
        "b_agent_tom": 1,
    }
    with pytest.raises(Stale):  # the version the caller saw is gone
        change_ticket(store, CFG, str(created.ticket_id), {"status": "closed"}, version=1, actor="tom", viewer=None)
    assert store.get(str(created.ticket_id)).status == "open"  # type: ignore[union-attr]
