"""domain/threading.py: which ticket an inbound mail belongs to, and why (the decision table of its docstring)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from helpdesk.domain.reasons import reason
from helpdesk.domain.threading import (
    Action,
    Decision,
    KnownMessage,
    MailFacts,
    Reuse,
    TicketFacts,
    candidates,
    decide,
    first_lookup,
    reference_order,
    reuse,
)

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
CUSTOMER = "kunde@firma.example"
COLLEAGUE = "kollegin@firma.example"
STRANGER = "angreifer@evil.example"

# Ticket A: our outbound mail <out-a@helpdesk.example>, the customer's first mail <in-a@firma.example>.
KNOWN = {
    "out-a@helpdesk.example": KnownMessage("out-a@helpdesk.example", "tkt-a", outbound=True),
    "in-a@firma.example": KnownMessage("in-a@firma.example", "tkt-a", outbound=False),
    "out-b@helpdesk.example": KnownMessage("out-b@helpdesk.example", "tkt-b", outbound=True),
    "in-b@firma.example": KnownMessage("in-b@firma.example", "tkt-b", outbound=False),
    "in-c@firma.example": KnownMessage("in-c@firma.example", "tkt-c", outbound=False),
}
NUMBERS = {"T-2026-000123": "tkt-a", "T-2026-000124": "tkt-b", "T-2026-000125": "tkt-c"}


def mail(
    *,
    message_id: str = "new@firma.example",
    in_reply_to: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    numbers: tuple[str, ...] = (),
    sender: str = CUSTOMER,
) -> MailFacts:
    return MailFacts(message_id, in_reply_to, references, numbers, sender)


def ticket_a(
    status: str = "open", closed_at: str | None = None, participants: tuple[str, ...] = (CUSTOMER,)
) -> TicketFacts:
    return TicketFacts(
        ticket_id="tkt-a",
        number="T-2026-000123",
        status=status,
        participants=frozenset(participants),
        closed_at=closed_at,
    )


def run(facts: MailFacts, ticket: TicketFacts | None, *, max_age: float = 30) -> Decision:
    return decide(facts, KNOWN, NUMBERS, ticket, now=NOW, reopen_max_age_days=max_age)


# ------------------------------------------------------------------------------------------ step 1: own id


def test_a_redelivered_mail_is_a_duplicate() -> None:
    decision = first_lookup(mail(message_id="in-a@firma.example"), KNOWN)
    assert decision == Decision(
        Action.DUPLICATE, "tkt-a", [reason("threading.duplicate", message_id="in-a@firma.example")]
    )


def test_our_own_mail_coming_back_is_an_echo() -> None:
    decision = first_lookup(mail(message_id="out-a@helpdesk.example"), KNOWN)
    assert decision == Decision(
        Action.OWN_ECHO, "tkt-a", [reason("threading.own_echo", message_id="out-a@helpdesk.example")]
    )


def test_an_unknown_message_id_goes_on_to_the_decision() -> None:
    assert (
        first_lookup(mail(message_id="brand-new@firma.example", in_reply_to=("out-a@helpdesk.example",)), KNOWN) is None
    )


def test_message_ids_are_compared_exactly() -> None:
    # Message-IDs keep their case (RFC 5322); a different case is a different mail.
    assert first_lookup(mail(message_id="IN-A@firma.example"), KNOWN) is None


# --------------------------------------------------------------------------- step 2: a reply to our mail


def test_a_reply_to_our_mail_from_a_stranger_is_appended_on_proof() -> None:
    decision = run(mail(in_reply_to=("out-a@helpdesk.example",), sender=COLLEAGUE), ticket_a())
    assert decision.action is Action.APPEND
    assert decision.ticket_id == "tkt-a"
    assert decision.by == "reference"
    assert decision.claimed_ticket_id is None
    assert decision.reasons == ["references our message <out-a@helpdesk.example>", "proof: reply to our mail"]


def test_our_message_id_in_references_is_proof_too() -> None:
    decision = run(mail(references=("unknown@x.example", "out-a@helpdesk.example"), sender=STRANGER), ticket_a())
    assert (decision.action, decision.ticket_id, decision.by) == (Action.APPEND, "tkt-a", "reference")
    assert "proof: reply to our mail" in decision.reasons


def test_a_reply_to_our_mail_from_the_customer_names_the_participant() -> None:
    decision = run(mail(in_reply_to=("out-a@helpdesk.example",)), ticket_a())
    assert decision.action is Action.APPEND
    assert decision.reasons == ["references our message <out-a@helpdesk.example>", "the sender is a participant"]


# ------------------------------------------------------- step 3: customer's references and subject numbers


def test_a_reference_to_the_customers_mail_from_a_participant_is_appended() -> None:
    decision = run(mail(in_reply_to=("in-a@firma.example",)), ticket_a())
    assert (decision.action, decision.ticket_id, decision.by) == (Action.APPEND, "tkt-a", "reference")
    assert decision.reasons == ["references the customer's message <in-a@firma.example>", "the sender is a participant"]


def test_a_subject_number_from_a_participant_is_appended() -> None:
    decision = run(mail(numbers=("T-2026-000123",)), ticket_a())
    assert (decision.action, decision.ticket_id, decision.by) == (Action.APPEND, "tkt-a", "number")
    assert decision.reasons == ["subject names ticket T-2026-000123", "the sender is a participant"]


def test_a_cc_participant_may_answer_by_number() -> None:
    decision = run(mail(numbers=("T-2026-000123",), sender=COLLEAGUE), ticket_a(participants=(CUSTOMER, COLLEAGUE)))
    assert (decision.action, decision.ticket_id) == (Action.APPEND, "tkt-a")


def test_a_stranger_naming_a_ticket_number_gets_a_new_ticket_linked_for_agents() -> None:
    """The "Ticket Trick" (zammad/zammad#5064): a guessed number neither writes into nor reads the ticket."""
    decision = run(mail(numbers=("T-2026-000123",), sender=STRANGER), ticket_a())
    assert decision.action is Action.NEW
    assert decision.ticket_id is None
    assert decision.claimed_ticket_id == "tkt-a"
    assert decision.by == "number"
    assert decision.previous_ticket_id is None
    assert decision.reasons == [
        "subject names ticket T-2026-000123",
        f"sender {STRANGER} is not a participant of T-2026-000123",
    ]


def test_a_stranger_referencing_the_customers_message_gets_a_new_ticket() -> None:
    decision = run(mail(references=("in-a@firma.example",), sender=STRANGER), ticket_a())
    assert (decision.action, decision.ticket_id) == (Action.NEW, None)
    assert decision.claimed_ticket_id == "tkt-a"
    assert decision.by == "reference"
    assert decision.reasons[1] == f"sender {STRANGER} is not a participant of T-2026-000123"


def test_a_mail_without_sender_is_not_a_participant() -> None:
    decision = run(mail(numbers=("T-2026-000123",), sender=""), ticket_a())
    assert (decision.action, decision.claimed_ticket_id) == (Action.NEW, "tkt-a")
    assert decision.reasons[1] == "sender (none) is not a participant of T-2026-000123"


# ------------------------------------------------------------------------------- step 4: closed tickets


def test_a_ticket_closed_longer_ago_than_the_limit_is_not_reopened() -> None:
    decision = run(mail(numbers=("T-2026-000123",)), ticket_a("closed", "2026-10-01T12:00:00.000000Z"), max_age=30)
    assert decision.action is Action.NEW
    assert decision.ticket_id is None
    assert decision.previous_ticket_id == "tkt-a"
    assert decision.claimed_ticket_id is None
    assert decision.reasons == [
        "subject names ticket T-2026-000123",
        "the sender is a participant",
        "T-2026-000123 was closed more than 30 days ago",
    ]


def test_a_recently_closed_ticket_is_appended_to() -> None:
    decision = run(mail(numbers=("T-2026-000123",)), ticket_a("closed", "2026-11-20T12:00:00.000000Z"), max_age=30)
    assert (decision.action, decision.ticket_id, decision.previous_ticket_id) == (Action.APPEND, "tkt-a", None)


def test_the_reopen_limit_is_exclusive_and_honours_fractions() -> None:
    exactly_30_days = ticket_a("closed", "2026-10-27T12:00:00.000000Z")
    assert run(mail(numbers=("T-2026-000123",)), exactly_30_days, max_age=30).action is Action.APPEND
    decision = run(mail(numbers=("T-2026-000123",)), exactly_30_days, max_age=29.5)
    assert decision.action is Action.NEW
    assert decision.reasons[-1] == "T-2026-000123 was closed more than 29.5 days ago"


def test_a_proven_reply_to_an_old_closed_ticket_also_opens_a_new_one() -> None:
    decision = run(
        mail(in_reply_to=("out-a@helpdesk.example",), sender=COLLEAGUE), ticket_a("closed", "2025-01-01T00:00:00Z")
    )
    assert (decision.action, decision.previous_ticket_id, decision.claimed_ticket_id) == (Action.NEW, "tkt-a", None)


def test_a_stranger_to_an_old_closed_ticket_is_a_claim_not_a_reopen() -> None:
    decision = run(mail(numbers=("T-2026-000123",), sender=STRANGER), ticket_a("closed", "2025-01-01T00:00:00Z"))
    assert (decision.action, decision.claimed_ticket_id, decision.previous_ticket_id) == (Action.NEW, "tkt-a", None)


def test_a_closed_ticket_without_closing_time_is_appended_to() -> None:
    decision = run(mail(numbers=("T-2026-000123",)), ticket_a("closed", None))
    assert decision.action is Action.APPEND


def test_an_open_ticket_with_an_old_closed_at_is_appended_to() -> None:
    # Reopened tickets keep their last closed_at; only the status "closed" counts.
    decision = run(mail(numbers=("T-2026-000123",)), ticket_a("open", "2020-01-01T00:00:00Z"))
    assert decision.action is Action.APPEND


# ------------------------------------------------------------------------- step 5 and missing tickets


def test_no_evidence_means_a_new_ticket() -> None:
    decision = run(mail(references=("unknown@x.example",), numbers=("T-2026-999999",)), None)
    assert decision == Decision(Action.NEW, reasons=[reason("threading.no_match")])


def test_a_candidate_ticket_that_is_gone_means_a_new_ticket() -> None:
    decision = run(mail(numbers=("T-2026-000123",)), None)
    assert decision.action is Action.NEW
    assert decision.ticket_id is None
    assert decision.claimed_ticket_id is None
    assert decision.reasons == ["subject names ticket T-2026-000123", "but the ticket no longer exists"]


def test_facts_of_another_ticket_count_as_missing() -> None:
    other = TicketFacts("tkt-b", "T-2026-000124", "open", frozenset({CUSTOMER}))
    decision = run(mail(numbers=("T-2026-000123",)), other)
    assert decision.action is Action.NEW
    assert decision.reasons[-1] == "but the ticket no longer exists"


def test_a_merged_tickets_number_threads_onto_the_ticket_it_was_merged_into() -> None:
    survivor = TicketFacts("tkt-b", "T-2026-000124", "open", frozenset({CUSTOMER}))
    decision = decide(
        mail(numbers=("T-2026-000123",)), KNOWN, NUMBERS, survivor, now=NOW, reopen_max_age_days=30, merged_from="tkt-a"
    )
    assert decision.action is Action.APPEND
    assert decision.ticket_id == "tkt-b"
    assert "merged into T-2026-000124" in " ".join(decision.reasons)


def test_a_merged_tickets_our_message_id_still_proves_the_reply() -> None:
    survivor = TicketFacts("tkt-b", "T-2026-000124", "open", frozenset({CUSTOMER}))
    decision = decide(
        mail(in_reply_to=("out-a@helpdesk.example",), sender=STRANGER),
        KNOWN,
        NUMBERS,
        survivor,
        now=NOW,
        reopen_max_age_days=30,
        merged_from="tkt-a",
    )
    assert decision.action is Action.APPEND
    assert decision.ticket_id == "tkt-b"


# ------------------------------------------------------------------------------------- order of evidence


def test_in_reply_to_comes_before_references() -> None:
    facts = mail(in_reply_to=("in-b@firma.example",), references=("in-a@firma.example",))
    assert [c[0] for c in candidates(facts, KNOWN, NUMBERS)] == ["tkt-b", "tkt-a"]


def test_references_are_read_newest_first() -> None:
    facts = mail(references=("in-a@firma.example", "in-c@firma.example", "in-b@firma.example"))
    assert candidates(facts, KNOWN, NUMBERS) == [
        ("tkt-b", "references the customer's message <in-b@firma.example>", False),
        ("tkt-c", "references the customer's message <in-c@firma.example>", False),
        ("tkt-a", "references the customer's message <in-a@firma.example>", False),
    ]


def test_our_outbound_message_beats_the_customers_inbound_message() -> None:
    facts = mail(in_reply_to=("in-a@firma.example",), references=("out-b@helpdesk.example", "in-a@firma.example"))
    assert candidates(facts, KNOWN, NUMBERS) == [
        ("tkt-b", "references our message <out-b@helpdesk.example>", True),
        ("tkt-a", "references the customer's message <in-a@firma.example>", False),
    ]


def test_references_come_before_subject_numbers() -> None:
    facts = mail(references=("in-c@firma.example",), numbers=("T-2026-000123",))
    assert candidates(facts, KNOWN, NUMBERS) == [
        ("tkt-c", "references the customer's message <in-c@firma.example>", False),
        ("tkt-a", "subject names ticket T-2026-000123", False),
    ]


def test_several_numbers_in_one_subject_keep_their_order_and_each_ticket_counts_once() -> None:
    facts = mail(numbers=("T-2026-000124", "T-2026-999999", "T-2026-000123"), references=("in-a@firma.example",))
    assert candidates(facts, KNOWN, NUMBERS) == [
        ("tkt-a", "references the customer's message <in-a@firma.example>", False),
        ("tkt-b", "subject names ticket T-2026-000124", False),
    ]


def test_a_ticket_proven_by_our_mail_is_listed_once_as_proven() -> None:
    facts = mail(
        in_reply_to=("in-a@firma.example",), references=("out-a@helpdesk.example",), numbers=("T-2026-000123",)
    )
    assert candidates(facts, KNOWN, NUMBERS) == [("tkt-a", "references our message <out-a@helpdesk.example>", True)]


def test_unknown_references_are_no_candidates() -> None:
    assert candidates(mail(in_reply_to=("x@y.example",), references=("z@y.example",)), KNOWN, NUMBERS) == []


def test_the_decision_follows_the_strongest_evidence() -> None:
    """Subject names ticket B, but the mail answers our mail of ticket A: A wins, by reference."""
    facts = mail(references=("out-a@helpdesk.example",), numbers=("T-2026-000124",), sender=STRANGER)
    decision = run(facts, ticket_a())
    assert (decision.action, decision.ticket_id, decision.by) == (Action.APPEND, "tkt-a", "reference")


def test_only_the_first_candidate_is_decided_on() -> None:
    # A stranger's first candidate (by reference) is not theirs: claimed, even though a later number matches.
    facts = mail(in_reply_to=("in-a@firma.example",), numbers=("T-2026-000124",), sender=STRANGER)
    decision = run(facts, ticket_a())
    assert (decision.action, decision.claimed_ticket_id, decision.by) == (Action.NEW, "tkt-a", "reference")


@pytest.mark.parametrize(
    ("facts", "by"),
    [
        (mail(in_reply_to=("out-a@helpdesk.example",)), "reference"),
        (mail(references=("in-a@firma.example",)), "reference"),
        (mail(numbers=("T-2026-000123",)), "number"),
    ],
)
def test_by_names_the_kind_of_evidence(facts: MailFacts, by: str) -> None:
    assert run(facts, ticket_a()).by == by


# ------------------------------------------------------------------------- forged participant addresses


def test_a_participant_address_that_failed_authentication_is_a_claim_not_a_reply() -> None:
    """Forging the customer's From: is the next step of the Ticket Trick. When SES says the sender
    failed DMARC, the address proves nothing: a new ticket in clarify, linked for the agents."""
    forged = MailFacts("new@firma.example", (), (), ("T-2026-000123",), CUSTOMER, sender_unverified="DMARC fail")
    decision = run(forged, ticket_a())
    assert (decision.action, decision.claimed_ticket_id, decision.by) == (Action.NEW, "tkt-a", "number")
    assert decision.reasons == [
        "subject names ticket T-2026-000123",
        f"sender {CUSTOMER} failed authentication (DMARC fail): not trusted as a participant of T-2026-000123",
    ]


def test_a_reply_to_our_mail_is_proof_even_when_authentication_failed() -> None:
    """Forwarders and mailing lists break DMARC; knowing our random Message-ID still proves the reply."""
    relayed = MailFacts("new@x.example", ("out-a@helpdesk.example",), (), (), CUSTOMER, sender_unverified="DMARC fail")
    decision = run(relayed, ticket_a())
    assert (decision.action, decision.ticket_id) == (Action.APPEND, "tkt-a")


# ------------------------------------------------------------------------------------- lookup order


def test_references_are_looked_up_in_reply_to_first_then_newest_first() -> None:
    facts = mail(in_reply_to=("irt@x", "r3@x"), references=("r1@x", "r2@x", "r3@x"))
    assert reference_order(facts) == ["irt@x", "r3@x", "r2@x", "r1@x"]


# ------------------------------------------------------------------------------- reused Message-IDs


def test_a_redelivery_is_decided_by_content() -> None:
    known = {"in@firma.example": KnownMessage("in@firma.example", "tkt-a", False, digest="d1", number="T-1")}
    same = MailFacts("in@firma.example", (), (), (), CUSTOMER, digest="d1")
    assert first_lookup(same, known) == Decision(
        Action.DUPLICATE, "tkt-a", [reason("threading.duplicate", message_id="in@firma.example")]
    )
    assert reuse(same, known) is None
    different = MailFacts("in@firma.example", (), (), (), CUSTOMER, digest="d2")
    assert first_lookup(different, known) is None
    assert reuse(different, known) == Reuse(
        "in@firma.example d2",
        "tkt-a",
        "Message-ID <in@firma.example> was used before by a different mail (ticket T-1); "
        "this mail is stored on its own",
    )
    # Once stored under its variant id, the different mail's redelivery is a duplicate of it.
    known["in@firma.example d2"] = KnownMessage("in@firma.example d2", "tkt-b", False, digest="d2")
    assert first_lookup(different, known) == Decision(
        Action.DUPLICATE, "tkt-b", [reason("threading.duplicate_content", message_id="in@firma.example")]
    )


def test_without_a_recorded_digest_a_known_id_stays_a_duplicate() -> None:
    legacy = MailFacts("in-a@firma.example", (), (), (), CUSTOMER, digest="d9")
    assert first_lookup(legacy, KNOWN) == Decision(
        Action.DUPLICATE, "tkt-a", [reason("threading.duplicate", message_id="in-a@firma.example")]
    )


def test_our_message_id_is_an_echo_only_from_our_own_address() -> None:
    echo = MailFacts("out-a@helpdesk.example", (), (), (), "support@helpdesk.example", digest="x", sender_is_own=True)
    assert first_lookup(echo, KNOWN) == Decision(
        Action.OWN_ECHO, "tkt-a", [reason("threading.own_echo", message_id="out-a@helpdesk.example")]
    )
    stranger = MailFacts("out-a@helpdesk.example", (), (), (), STRANGER, digest="x")
    assert first_lookup(stranger, KNOWN) is None
    found = reuse(stranger, KNOWN)
    assert found is not None and found.index_id == "out-a@helpdesk.example x"
    assert found.note.startswith("Message-ID <out-a@helpdesk.example> is one we sent (another ticket), but this mail")


# ------------------------------------------------------------------------------ forwards (issue 14 part 2)

FORWARD = "fwd-a@helpdesk.example"
SUPPLIER = "lager@lieferant.example"
WITH_FORWARD = {**KNOWN, FORWARD: KnownMessage(FORWARD, "tkt-a", outbound=True, forward=True)}


def test_an_answer_to_a_forward_is_appended_on_the_forward_side_from_a_stranger() -> None:
    facts = mail(in_reply_to=(FORWARD,), sender=SUPPLIER)
    decision = decide(facts, WITH_FORWARD, NUMBERS, ticket_a(), now=NOW, reopen_max_age_days=30)
    assert decision.action is Action.APPEND and decision.ticket_id == "tkt-a" and decision.forward_side
    assert [r.code for r in decision.reasons] == ["threading.ref_forward", "threading.proof", "threading.forward_side"]


def test_the_customer_answering_a_forward_stays_on_the_customers_side() -> None:
    facts = mail(in_reply_to=(FORWARD,), sender=CUSTOMER)
    decision = decide(facts, WITH_FORWARD, NUMBERS, ticket_a(), now=NOW, reopen_max_age_days=30)
    assert decision.action is Action.APPEND and not decision.forward_side


def test_a_reference_to_our_mail_to_the_customer_wins_over_one_to_a_forward() -> None:
    facts = mail(references=("out-a@helpdesk.example", FORWARD), sender=SUPPLIER)  # the forward is the newest
    (first, *_) = candidates(facts, WITH_FORWARD, NUMBERS)
    assert first[1].code == "threading.ref_ours"
    decision = decide(facts, WITH_FORWARD, NUMBERS, ticket_a(), now=NOW, reopen_max_age_days=30)
    assert decision.action is Action.APPEND and not decision.forward_side


def test_a_forwards_recipient_naming_only_the_number_is_a_stranger() -> None:
    facts = mail(numbers=("T-2026-000123",), sender=SUPPLIER)
    decision = decide(facts, WITH_FORWARD, NUMBERS, ticket_a(), now=NOW, reopen_max_age_days=30)
    assert decision.action is Action.NEW and decision.claimed_ticket_id == "tkt-a" and not decision.forward_side


# ------------------------------------------------------------------------------ agents' own mail (issue 14.6)

AGENT = "anna@helpdesk-team.example"


def _agent(
    facts: MailFacts, *, agent: str | None = "anna", forged: str | None = None, verdict: str | None = None
) -> MailFacts:
    from dataclasses import replace

    return replace(facts, agent=agent, agent_forged=forged, sender_unverified=verdict)


@pytest.mark.parametrize(
    ("facts", "how"),
    [
        (mail(sender=AGENT, numbers=("T-2026-000123",)), "threading.subject_number"),
        (mail(sender=AGENT, in_reply_to=("in-a@firma.example",)), "threading.ref_customer"),
        (mail(sender=AGENT, references=("out-a@helpdesk.example",)), "threading.ref_ours"),
    ],
)
def test_an_agents_own_mail_naming_a_ticket_joins_it_as_theirs(facts: MailFacts, how: str) -> None:
    """The agent is no participant, yet their mail is theirs: not a new clarify ticket (the defect)."""
    before = run(facts, ticket_a())
    if how == "threading.ref_ours":  # appended on proof, but as a customer's inbound mail
        assert before.action is Action.APPEND and not before.agent_outside
    else:
        assert before.action is Action.NEW and before.claimed_ticket_id == "tkt-a"  # as a stranger's
    decided = run(_agent(facts), ticket_a())
    assert (decided.action, decided.ticket_id, decided.agent_outside, decided.agent) == (
        Action.APPEND,
        "tkt-a",
        True,
        "anna",
    )
    assert [r.code for r in decided.reasons] == [how, "threading.agent_own"]
    # Even on a ticket closed long ago: the agent chose it (a customer's mail would open a new ticket).
    old = run(_agent(facts), ticket_a("closed", closed_at="2026-01-01T00:00:00Z"))
    assert old.action is Action.APPEND and old.ticket_id == "tkt-a"


def test_a_forged_agent_address_is_judged_as_a_strangers_with_the_reason() -> None:
    facts = _agent(mail(sender=AGENT, numbers=("T-2026-000123",)), agent=None, forged="anna", verdict="DMARC fail")
    decided = run(facts, ticket_a())
    assert decided.action is Action.NEW and decided.claimed_ticket_id == "tkt-a" and not decided.agent_outside
    codes = [r.code for r in decided.reasons]
    assert codes == ["threading.subject_number", "threading.agent_unverified", "threading.not_participant"]
    assert "DMARC fail" in str(decided.reasons[1])


def test_an_agents_mail_naming_no_ticket_is_a_new_one_marked_as_theirs() -> None:
    decided = run(_agent(mail(sender=AGENT)), None)
    assert (decided.action, decided.agent_outside, decided.agent) == (Action.NEW, True, "anna")
    assert [r.code for r in decided.reasons] == ["threading.no_match", "threading.agent_own"]


def test_an_agents_answer_to_a_forwards_recipient_stays_on_the_forwards_side() -> None:
    known = {"fwd@helpdesk.example": KnownMessage("fwd@helpdesk.example", "tkt-a", outbound=True, forward=True)}
    facts = _agent(mail(sender=AGENT, in_reply_to=("fwd@helpdesk.example",)))
    decided = decide(facts, known, {}, ticket_a(), now=NOW, reopen_max_age_days=30)
    assert decided.action is Action.APPEND and decided.forward_side and decided.agent_outside
