"""Fair assignment (issue 17 part 5): round robin, least open, away and presence."""

from __future__ import annotations

from helpdesk.domain.assignment import Candidate, choose, eligible
from helpdesk.domain.config import Agent, Queue


def queue(mode: str, **more: object) -> Queue:
    return Queue.model_validate({"id": "support", "name": "Support", "assignment": mode, **more})


AGENTS = [
    Agent(username="carla", email="carla@firma.de"),
    Agent(username="anna", email="anna@firma.de"),
    Agent(username="ben", email="ben@firma.de", away=True),
    Agent(username="dora", email="dora@firma.de", active=False),
    Agent(username="emil", email="emil@firma.de"),
]


def test_eligible_agents_are_responsible_active_and_not_away_in_a_fixed_order() -> None:
    assert eligible(queue("round_robin"), AGENTS, present=set()) == ["anna", "carla", "emil"]
    assert eligible(queue("round_robin", responsible=["carla", "ben", "emil"]), AGENTS, set()) == ["carla", "emil"]
    only_present = queue("least_open", assign_only_present=True)
    assert eligible(only_present, AGENTS, present={"emil", "ben"}) == ["emil"]


def test_round_robin_gives_each_agent_a_turn_and_starts_over() -> None:
    q = queue("round_robin")
    candidates = [Candidate(n) for n in eligible(q, AGENTS, set())]
    turns, previous = [], None
    for _ in range(5):
        choice = choose(q, candidates, previous)
        turns.append(choice.assignee)
        previous = choice.assignee
    assert turns == ["anna", "carla", "emil", "anna", "carla"]
    assert choice.why.code == "assignment.round_robin"
    assert str(choice.why) == "assigned to carla: next in turn in queue Support"


def test_round_robin_goes_on_after_an_agent_who_is_no_longer_a_candidate() -> None:
    q = queue("round_robin")
    assert choose(q, [Candidate("anna"), Candidate("emil")], previous="carla").assignee == "emil"
    assert choose(q, [Candidate("anna"), Candidate("carla")], previous="zora").assignee == "anna"


def test_least_open_picks_the_fewest_open_tickets_then_the_longest_wait() -> None:
    q = queue("least_open")
    candidates = [
        Candidate("anna", open_tickets=4, last_assigned_at="2026-12-07T09:00:00Z"),
        Candidate("carla", open_tickets=2, last_assigned_at="2026-12-07T10:00:00Z"),
        Candidate("emil", open_tickets=2, last_assigned_at="2026-12-07T08:00:00Z"),
    ]
    choice = choose(q, candidates, previous=None)
    assert choice.assignee == "emil"
    assert choice.why.params == {"agent": "emil", "queue": "Support", "open": 2}
    never = [*candidates, Candidate("neu", open_tickets=2)]
    assert choose(q, never, previous=None).assignee == "neu"  # never assigned: waited longest


def test_off_or_nobody_available_leaves_the_ticket_unassigned_and_says_why() -> None:
    assert choose(queue("off"), [Candidate("anna")], None).why.code == "assignment.off"
    nobody = choose(queue("least_open"), [], None)
    assert nobody.assignee is None and nobody.why.code == "assignment.nobody"


def test_a_ticket_enters_a_queue_when_created_or_moved_there() -> None:
    from helpdesk.services.assignment import entered_queue

    assert entered_queue("TicketCreated", {"queue": "support"})
    assert entered_queue("TicketUpdated", {"changes": {"queue": ["support", "sales"]}})
    assert entered_queue("MacroApplied", {"changes": {"queue": ["support", "sales"]}})
    assert not entered_queue("TicketUpdated", {"changes": {"assignee": [None, "anna"]}})
    assert not entered_queue("StatusChanged", {"from": "new", "to": "open"})
    assert not entered_queue("AutoAssigned", {"queue": "support", "assignee": "anna"})
