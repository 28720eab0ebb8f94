"""domain/access.py: who may see which ticket and queue, and what a response leaves out of the rest."""

from __future__ import annotations

import pytest

from helpdesk.domain.access import NO_OWNER, Hidden, Viewer, access, aggregate_scope, queue_scope
from helpdesk.domain.config import Agent, ConfigSnapshot, Queue

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
    ],
)
ADMIN, LENA, MAX, TOM = Viewer("admin", True), Viewer("lena"), Viewer("max"), Viewer("tom")


@pytest.mark.parametrize(
    ("viewer", "queue", "allowed"),
    [
        (ADMIN, "billing", True),
        (ADMIN, "vip", True),
        (TOM, "support", True),
        (TOM, "billing", False),  # restricted, not responsible
        (TOM, "vip", False),
        (LENA, "vip", True),  # responsible
        (LENA, "billing", False),
        (MAX, "billing", True),  # given in the agent record
        (TOM, "unconfigured", True),  # a queue nobody configured is open, as in the seeds
        (TOM, None, True),
    ],
)
def test_queues(viewer: Viewer, queue: str | None, allowed: bool) -> None:
    verdict = access(viewer, CFG, queue)
    assert verdict.allowed is allowed
    if not allowed:
        assert verdict.reason == f"no access to queue {queue!r}"


def test_private_tickets_only_for_their_assignee_and_admins() -> None:
    assert access(TOM, CFG, "support", private=True, assignee="tom").allowed
    refused = access(TOM, CFG, "support", private=True, assignee="lena")
    assert not refused.allowed and refused.reason == "a private ticket of another agent"
    assert not access(TOM, CFG, "support", private=True, assignee=None).allowed
    assert access(ADMIN, CFG, "support", private=True, assignee="lena").allowed
    assert not access(LENA, CFG, "billing", private=True, assignee="lena").allowed  # the queue first


def test_aggregates_are_scoped_only_for_agents_who_may_not_see_every_queue() -> None:
    assert queue_scope(ADMIN, CFG) is None
    assert queue_scope(TOM, ConfigSnapshot(queues=[Queue(id="support", name="Support")])) is None
    scope = queue_scope(TOM, CFG)
    assert scope is not None
    assert [q for q in ("support", "billing", "vip", "other") if scope(q)] == ["support", "other"]


def test_hidden_ids_and_numbers_read_as_an_ellipsis_but_the_subject_stays() -> None:
    hidden = Hidden(frozenset({"01ARZ3NDEKTSV4RRFFQ69G5FAV"}), frozenset({"T-2026-000001"}))
    detail = {
        "subject": "Re: [#T-2026-000001] Passwort",
        "threading": ["subject names ticket T-2026-000001", "not T-2026-0000012 nor XT-2026-000001"],
        "changes": {"parent_id": [None, "01ARZ3NDEKTSV4RRFFQ69G5FAV"]},
        "count": 3,
    }
    assert hidden.redact(detail) == {
        "subject": "Re: [#T-2026-000001] Passwort",
        "threading": ["subject names ticket …", "not T-2026-0000012 nor XT-2026-000001"],
        "changes": {"parent_id": [None, "…"]},
        "count": 3,
    }
    assert Hidden().redact(detail) is detail and not Hidden()


def test_aggregates_count_private_tickets_for_their_assignee_only() -> None:
    assert aggregate_scope(ADMIN, CFG) is None  # admins: every ticket, the team-wide figures as they are
    scope = aggregate_scope(TOM, CFG)
    assert scope is not None and scope.queues is not None
    assert scope.counts("support", None) and not scope.counts("billing", None)
    assert scope.counts("support", "tom") and not scope.counts("support", "anna")
    assert not scope.counts("support", NO_OWNER)  # private, assigned to nobody: admins only
    assert not scope.counts("billing", "tom")  # a queue tom may not see: not even his own private ones
    assert not scope.counts(None, None)  # figures recorded without their queue: team-wide only
    everything = aggregate_scope(TOM, ConfigSnapshot(queues=[Queue(id="support", name="Support")]))
    assert everything is not None and everything.queues is None
    assert everything.counts(None, None) and not everything.counts("support", "anna")
