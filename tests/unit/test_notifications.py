"""domain/notifications.py: who is told about a change, why, on which channel (issue 12, part 4)."""

from __future__ import annotations

import pytest

from helpdesk.domain.config import Agent, ConfigSnapshot, Queue
from helpdesk.domain.notifications import (
    DEFAULTS,
    Change,
    Kind,
    Preferences,
    Reason,
    Skip,
    TicketFacts,
    decide,
    is_own_notification,
    mail_text,
    notification_key,
    sender_refused,
)

CFG = ConfigSnapshot(
    queues=[
        Queue(id="support", name="Support"),
        Queue(id="billing", name="Buchhaltung", responsible=["admin"]),
        Queue(id="vip", name="VIP", responsible=["lena"]),
    ],
    agents=[
        Agent(username="admin", email="admin@example.com", role="admin"),
        Agent(username="lena", email="lena@example.com"),
        Agent(username="max", email="max@example.com", queues=["billing"]),
        Agent(username="tom", email="tom@example.com"),
        Agent(username="old", email="old@example.com", active=False),
    ],
)
AT = "2026-12-02T22:00:00.000000Z"
LATER = "2026-12-02T22:05:00.000000Z"


def ticket(**kw: object) -> TicketFacts:
    base: dict[str, object] = {"id": "01J0000000000000000000000A", "number": "T-2026-000001", "queue": "support"}
    base.update(kw)
    base.setdefault("created_at", AT)
    return TicketFacts(**base)  # type: ignore[arg-type]


def change(type_: str, actor: str = "system", at: str = LATER, **detail: object) -> Change:
    return Change("01J000000000000000000000EV", type_, actor, at, detail)


def test_new_ticket_in_open_queue_goes_to_every_active_agent() -> None:
    d = decide(change("TicketCreated", at=AT), ticket(), CFG, {})
    assert sorted(d.users()) == ["admin", "lena", "max", "tom"]
    assert {n.kind for n in d.notices} == {Kind.NEW_TICKET}
    assert {n.reason for n in d.notices} == {Reason.QUEUE_OPEN}
    assert d.skipped == {"old": Skip.INACTIVE}


def test_new_ticket_in_restricted_queue_goes_to_responsible_and_members_only() -> None:
    d = decide(change("TicketCreated", at=AT), ticket(queue="billing"), CFG, {})
    assert {n.user: n.reason for n in d.notices} == {"admin": Reason.QUEUE_RESPONSIBLE, "max": Reason.QUEUE_MEMBER}


def test_new_ticket_assigned_by_a_rule_is_one_assigned_notice_for_the_assignee() -> None:
    d = decide(change("TicketCreated", actor="system", at=AT), ticket(assignee="tom"), CFG, {})
    toms = [n for n in d.notices if n.user == "tom"]
    assert [(n.kind, n.reason) for n in toms] == [(Kind.ASSIGNED, Reason.ASSIGNEE)]  # one per event per agent
    assert len(d.users()) == len(set(d.users()))


def test_assignment_tells_the_new_assignee_but_never_the_actor() -> None:
    ev = change("TicketUpdated", actor="lena", changes={"assignee": [None, "tom"]})
    assert decide(ev, ticket(assignee="tom"), CFG, {}).users() == ["tom"]
    own = change("TicketUpdated", actor="tom", changes={"assignee": [None, "tom"]})
    d = decide(own, ticket(assignee="tom"), CFG, {})
    assert d.notices == [] and d.skipped == {"tom": Skip.ACTOR}
    other = change("TicketUpdated", actor="lena", changes={"priority": ["low", "high"]})
    assert decide(other, ticket(assignee="tom"), CFG, {}).notices == []


def test_customer_reply_goes_to_the_assignee_or_the_queue_people() -> None:
    ev = change("MessageAdded", actor="customer", direction="inbound")
    assert decide(ev, ticket(assignee="lena"), CFG, {}).users() == ["lena"]
    assert decide(ev, ticket(queue="vip"), CFG, {}).users() == ["lena"]
    first = change("MessageAdded", actor="customer", at=AT, direction="inbound")
    assert decide(first, ticket(), CFG, {}).notices == []  # the ticket's first mail: new_ticket tells it
    colleague = change("MessageAdded", actor="agent", direction="inbound")
    assert decide(colleague, ticket(assignee="lena"), CFG, {}).notices == []


def test_mention_respects_access_and_private_tickets() -> None:
    ev = change("CommentAdded", actor="lena", mentions=["tom", "Max", "lena", "ghost", "old"])
    d = decide(ev, ticket(queue="billing"), CFG, {})
    assert d.users() == ["max"]
    assert d.skipped == {"tom": Skip.NO_ACCESS, "lena": Skip.ACTOR, "ghost": Skip.INACTIVE, "old": Skip.INACTIVE}
    private = decide(ev, ticket(private=True, assignee="lena"), CFG, {})
    assert private.users() == [] and private.skipped["tom"] == Skip.NO_ACCESS
    admin = change("CommentAdded", actor="lena", mentions=["admin"])
    assert decide(admin, ticket(private=True, assignee="lena"), CFG, {}).users() == ["admin"]


def test_preferences_choose_channels_and_can_mute() -> None:
    ev = change("CommentAdded", actor="lena", mentions=["tom", "max"])
    prefs = {
        "tom": Preferences.from_table({"mentioned": {"app": True, "mail": False}}),
        "max": Preferences.from_table({"mentioned": {"app": False, "mail": False}}),
    }
    d = decide(ev, ticket(), CFG, prefs)
    assert [(n.user, n.channels) for n in d.notices] == [("tom", frozenset({"app"}))]
    assert d.skipped == {"max": Skip.MUTED}
    assert decide(ev, ticket(), CFG, {}).notices[0].channels == DEFAULTS[Kind.MENTIONED]


def test_preferences_table_round_trip_ignores_unknown_kinds() -> None:
    prefs = Preferences.from_table({"assigned": {"app": True, "mail": False}, "bogus": {"app": True}})
    table = prefs.table()
    assert table["assigned"] == {"app": True, "mail": False}
    assert table["mentioned"] == {"app": True, "mail": True}  # the default
    assert "bogus" not in table


def test_reopened_and_deadline_missed() -> None:
    reopened = change("StatusChanged", actor="customer", **{"from": "closed", "to": "open"})
    assert [(n.user, n.kind) for n in decide(reopened, ticket(assignee="tom"), CFG, {}).notices] == [
        ("tom", Kind.REOPENED)
    ]
    assert decide(reopened, ticket(), CFG, {}).notices == []
    # The customer's mail that reopened it: the owner is told once (by the StatusChanged above).
    reopening = change("MessageAdded", actor="customer", direction="inbound", reopened=True)
    assert decide(reopening, ticket(assignee="tom"), CFG, {}).notices == []
    assert decide(reopening, ticket(queue="vip"), CFG, {}).users() == ["lena"]  # unassigned: the queue's people
    plain = change("StatusChanged", actor="lena", **{"from": "open", "to": "waiting_customer"})
    assert decide(plain, ticket(assignee="tom"), CFG, {}).notices == []
    missed = change("DeadlineMissed", deadlines=[{"kind": "due", "at": AT}])
    assert decide(missed, ticket(assignee="tom"), CFG, {}).users() == ["tom"]
    assert decide(missed, ticket(queue="vip"), CFG, {}).users() == ["lena"]
    warning = change("DeadlineWarning", deadlines=[{"kind": "response", "at": AT}])
    told = decide(warning, ticket(assignee="tom"), CFG, {}).notices
    assert [(n.user, n.kind, n.channels) for n in told] == [("tom", Kind.DEADLINE_WARNING, frozenset({"app", "mail"}))]
    assert decide(warning, ticket(queue="vip"), CFG, {}).users() == ["lena"]


def test_trash_and_unknown_events_tell_nobody() -> None:
    assert decide(change("TicketCreated", at=AT), ticket(bucket="trash"), CFG, {}).notices == []
    assert decide(change("TicketMerged", actor="lena"), ticket(assignee="tom"), CFG, {}).notices == []


def test_the_key_is_the_same_for_the_same_event() -> None:
    assert notification_key(AT, "E1") == notification_key(AT, "E1") != notification_key(AT, "E2")
    assert "#" not in notification_key(AT, "E1") and "/" not in notification_key(AT, "E1")


def test_mail_text_is_plain_with_number_and_link() -> None:
    mail = mail_text(Kind.MENTIONED, "en", "T-2026-000001", "Drucker", "https://h/#/ticket/X", "lena", "look <b>")
    assert mail.subject == "You were mentioned: T-2026-000001 Drucker"
    assert "https://h/#/ticket/X" in mail.text and "> look <b>" in mail.text
    assert mail_text(Kind.ASSIGNED, "xx", "T-1", "S", "L").subject.startswith("Ihnen zugewiesen")


@pytest.mark.parametrize(
    ("sender", "auto", "unverified", "own"),
    [
        ("notifications@example.com", "auto-generated", False, True),
        ("Notifications@Example.com", "auto-generated", False, True),
        ("notifications@example.com", None, False, False),  # a human writing from it: a ticket
        ("notifications@example.com", "auto-generated", True, False),  # forged: a ticket
        ("someone@example.com", "auto-generated", False, False),
    ],
)
def test_own_notification_mail_is_recognised(sender: str, auto: str | None, unverified: bool, own: bool) -> None:
    assert is_own_notification(sender, auto, unverified, "notifications@example.com") is own


def test_the_notification_sender_must_be_on_the_mail_domain() -> None:
    assert sender_refused(None, "example.com") is None and sender_refused("", "example.com") is None
    assert sender_refused("alerts@EXAMPLE.com", "example.com") is None
    for address in ("alerts@other.example", "alerts@sub.example.com", "alerts@example.com.evil.example"):
        refused = sender_refused(address, "example.com")
        assert refused is not None and "@example.com" in refused


def test_a_triggers_notice_goes_to_whom_it_names_who_may_see_the_ticket() -> None:
    named = change("AutomationRan", actor="automation", notify=["tom", "old", "max"])
    d = decide(named, ticket(), CFG, {})
    assert sorted(d.users()) == ["max", "tom"]
    assert {n.kind for n in d.notices} == {Kind.AUTOMATION} and {n.reason for n in d.notices} == {Reason.TRIGGER}
    assert "old" in d.skipped  # inactive
    restricted = decide(named, ticket(queue="vip"), CFG, {})  # a queue only lena may see
    assert restricted.users() == [] and restricted.skipped["tom"] == Skip.NO_ACCESS
    assert decide(change("AutomationRan", actor="automation"), ticket(), CFG, {}).users() == []
