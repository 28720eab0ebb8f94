"""Saved views (issue 17 part 4): which views an agent sees, who keeps them, and which count the counters tell."""

from __future__ import annotations

from helpdesk.domain.config import ConfigSnapshot, SavedView, ViewQuery
from helpdesk.domain.status import Status
from helpdesk.services.saved_views import counter_names, may_change, visible
from helpdesk.store.listing import TicketFilter


def test_built_in_views_first_then_shared_then_mine_never_someone_elses() -> None:
    cfg = ConfigSnapshot(
        views=[
            SavedView(id="b", name="Beta", owner="anna"),
            SavedView(id="a", name="Alpha"),
            SavedView(id="c", name="Tom's", owner="tom"),
            SavedView(id="inbox", name="a stored view may not replace a built-in one"),
        ]
    )
    ids = [v.id for v in visible(cfg, "anna")]
    assert ids == ["inbox", "mine", "unread", "review", "trash", "a", "b"]
    assert ids.count("inbox") == 1


def test_admins_keep_shared_views_agents_their_own() -> None:
    shared, own = SavedView(id="s", name="S"), SavedView(id="o", name="O", owner="anna")
    assert not may_change(shared, "anna", is_admin=False) and may_change(shared, "chef", is_admin=True)
    assert may_change(own, "anna", is_admin=False) and not may_change(own, "tom", is_admin=False)
    assert not may_change(visible(ConfigSnapshot(), "chef")[0], "chef", is_admin=True)  # built in


def test_the_counters_count_statuses_or_one_queue_or_one_agent_among_the_active_tickets() -> None:
    assert counter_names(TicketFilter()) == [
        f"status_{s.value}" for s in sorted(s for s in Status if s.bucket == "active")
    ]
    assert counter_names(TicketFilter(statuses=[Status.TRASH])) == ["status_trash"]
    assert counter_names(TicketFilter(queue="support")) == ["queue_support"]
    assert counter_names(TicketFilter(assignee="anna")) == ["agent_anna"]
    # what the counters do not keep: the list counts it
    assert counter_names(TicketFilter(queue="support", assignee="anna")) is None
    assert counter_names(TicketFilter(queue="support", statuses=[Status.CLOSED])) is None
    assert counter_names(TicketFilter(unread=True)) is None
    assert counter_names(TicketFilter(tag="vip")) is None
    assert counter_names(TicketFilter(columns={"subject": "x"})) is None
    assert counter_names(TicketFilter(private=False)) is None


def test_a_view_query_takes_the_lists_parameters_only() -> None:
    assert ViewQuery.model_validate({"status": "new,open", "assignee": "me", "sort": "due"}).status == "new,open"
    for bad in ({"status": "offen"}, {"sort": "random"}, {"limit": 5}, {"unread": "yes"}):
        try:
            ViewQuery.model_validate(bad)
        except ValueError:
            continue
        raise AssertionError(f"accepted {bad}")
