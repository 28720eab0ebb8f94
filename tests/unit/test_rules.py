"""domain/rules.py and the Rule/Condition models of domain/config.py: conditions, merging, order, explanation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from helpdesk.domain.config import Condition, ConfigSnapshot, Rule
from helpdesk.domain.records import RecordError
from helpdesk.domain.rules import MailView, Outcome, condition_matches, evaluate, mail_view


def view(**overrides: Any) -> MailView:
    facts: dict[str, Any] = {
        "sender": "Max.Mustermann@Kunde-GmbH.example",
        "sender_name": "Max Müller",
        "to": ["Support@Helpdesk.example"],
        "cc": ["Chefin@Kunde-GmbH.example", "buchhaltung@kunde-gmbh.example"],
        "recipients": ["support@helpdesk.example", "archiv@helpdesk.example"],
        "subject": "AW: PRÜFUNG der Rechnung 4711",
        "body": "Guten Tag,\nbitte prüfen Sie die Rechnung.\nGrüße",
        "mailbox": "Support",
        "attachment_names": ["Rechnung_4711.PDF", "Übersicht.xlsx"],
        "verdicts": {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "FAIL", "dmarc": None},
        "headers": {"X-Mailer": "Microsoft Outlook 16.0", "List-Id": "<news.kunde.example>"},
    }
    facts.update(overrides)
    return mail_view(**facts)


def cond(field: str, op: str = "contains", value: str = "", header: str | None = None) -> Condition:
    return Condition.model_validate({"field": field, "op": op, "value": value, "header": header})


def rule(
    rule_id: str, *conditions: Condition, match: str = "all", order: int = 100, enabled: bool = True, **actions: Any
) -> Rule:
    return Rule.model_validate(
        {
            "id": rule_id,
            "name": f"Regel {rule_id}",
            "order": order,
            "enabled": enabled,
            "match": match,
            "conditions": [c.model_dump() for c in conditions],
            "actions": actions,
        }
    )


def matches(field: str, op: str, value: str = "", header: str | None = None, **overrides: Any) -> bool:
    return condition_matches(view(**overrides), cond(field, op, value, header))


# ------------------------------------------------------------------------------------------ the view


def test_mail_view_lower_cases_everything() -> None:
    v = view()
    assert v.sender == "max.mustermann@kunde-gmbh.example"
    assert v.sender_name == "max müller"
    assert v.sender_domain == "kunde-gmbh.example"
    assert v.to == ("support@helpdesk.example",)
    assert v.subject == "aw: prüfung der rechnung 4711"
    assert v.mailbox == "support"
    assert v.attachment_names == ("rechnung_4711.pdf", "übersicht.xlsx")
    assert v.verdicts == {"spam": "pass", "virus": "pass", "spf": "pass", "dkim": "fail", "dmarc": ""}
    assert v.headers == {"x-mailer": "microsoft outlook 16.0", "list-id": "<news.kunde.example>"}


def test_the_body_is_bounded() -> None:
    v = view(body="A" * 30_000)
    assert v.body == "a" * 20_000


# ---------------------------------------------------------------------------------------- each field


@pytest.mark.parametrize(
    ("field", "value", "header"),
    [
        ("from", "max.mustermann@kunde-gmbh.example", None),
        ("from_name", "max müller", None),
        ("from_domain", "kunde-gmbh.example", None),
        ("to", "support@helpdesk.example", None),
        ("recipient", "archiv@helpdesk.example", None),
        ("recipient", "support@helpdesk.example", None),
        ("recipient", "chefin@kunde-gmbh.example", None),
        ("cc", "buchhaltung@kunde-gmbh.example", None),
        ("subject", "aw: prüfung der rechnung 4711", None),
        ("body", "guten tag,\nbitte prüfen sie die rechnung.\ngrüße", None),
        ("mailbox", "support", None),
        ("has_attachment", "true", None),
        ("attachment_name", "übersicht.xlsx", None),
        ("spam_verdict", "pass", None),
        ("virus_verdict", "pass", None),
        ("spf", "pass", None),
        ("dkim", "fail", None),
        ("dmarc", "", None),
        ("header", "microsoft outlook 16.0", "X-Mailer"),
    ],
)
def test_equals_on_every_field(field: str, value: str, header: str | None) -> None:
    assert matches(field, "equals", value, header) is True
    assert matches(field, "equals", value + "x", header) is False


def test_equals_is_case_insensitive_both_ways() -> None:
    assert matches("from", "equals", "MAX.MUSTERMANN@KUNDE-GMBH.EXAMPLE") is True
    assert matches("spam_verdict", "equals", "PASS") is True
    assert matches("header", "equals", "Microsoft Outlook 16.0", header="x-mailer") is True


def test_has_attachment_is_false_without_attachments() -> None:
    assert matches("has_attachment", "equals", "false", attachment_names=[]) is True
    assert matches("has_attachment", "equals", "true", attachment_names=[]) is False


def test_verdicts_missing_from_the_mail_are_empty() -> None:
    assert matches("spam_verdict", "equals", "", verdicts={}) is True
    assert matches("spam_verdict", "exists", verdicts={}) is False
    assert matches("dmarc", "exists") is False


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("contains", "prüfung", True),
        ("contains", "PRÜFUNG", True),
        ("contains", "Prüfung der", True),
        ("contains", "pruefung", False),
        ("starts_with", "AW: PRÜ", True),
        ("starts_with", "prüfung", False),
        ("ends_with", "RECHNUNG 4711", True),
        ("ends_with", "rechnung", False),
        ("equals", "aw: prüfung der rechnung 4711", True),
        ("equals", "prüfung", False),
        ("regex", r"rechnung\s+\d{4}$", True),
        ("regex", r"^PRÜFUNG", False),
        ("regex", r"\bPRÜFUNG\b", True),
        ("regex", r"[A-Z]{2}: P", True),  # upper-case classes match lower-cased text
        ("not_contains", "mahnung", True),
        ("not_contains", "Rechnung", False),
        ("exists", "", True),
    ],
)
def test_each_op_on_the_subject(op: str, value: str, expected: bool) -> None:
    assert matches("subject", op, value) is expected


def test_umlauts_compare_case_insensitively() -> None:
    assert matches("subject", "contains", "prüfung", subject="PRÜFUNG") is True
    assert matches("subject", "equals", "PRÜFUNG", subject="prüfung") is True
    assert matches("from_name", "equals", "MAX MÜLLER") is True
    assert matches("attachment_name", "starts_with", "ÜBERSICHT") is True
    assert matches("subject", "contains", "HAUPTSTRAẞE", subject="Hauptstraße 1") is True  # capital sharp s


def test_exists_is_false_for_empty_values() -> None:
    assert matches("subject", "exists", subject="") is False
    assert matches("cc", "exists", cc=[]) is False
    assert matches("cc", "exists") is True
    assert matches("header", "exists", header="List-Id") is True
    assert matches("header", "exists", header="List-Unsubscribe") is False
    assert matches("from_name", "exists", sender_name="") is False


def test_multi_valued_fields_match_when_any_value_matches() -> None:
    assert matches("cc", "starts_with", "buchhaltung@") is True
    assert matches("cc", "ends_with", "@kunde-gmbh.example") is True
    assert matches("attachment_name", "ends_with", ".pdf") is True
    assert matches("attachment_name", "regex", r"^rechnung_\d+\.pdf$") is True
    assert matches("to", "contains", "chefin") is False  # that one is in Cc


def test_not_contains_needs_every_value_to_lack_the_text() -> None:
    assert matches("cc", "not_contains", "chefin") is False
    assert matches("cc", "not_contains", "vertrieb") is True
    assert matches("cc", "not_contains", "chefin", cc=[]) is True
    assert matches("attachment_name", "not_contains", ".exe") is True


def test_recipient_looks_at_envelope_to_and_cc() -> None:
    v = view(recipients=["a@x.example"], to=["b@x.example"], cc=["c@x.example", "a@x.example"])
    assert [condition_matches(v, cond("recipient", "equals", f"{n}@x.example")) for n in "abcd"] == [
        True,
        True,
        True,
        False,
    ]


def test_from_domain_of_a_mail_without_sender_is_empty() -> None:
    assert matches("from_domain", "exists", sender="") is False
    assert matches("from_domain", "equals", "", sender="") is True


def test_header_names_are_case_insensitive() -> None:
    assert matches("header", "contains", "OUTLOOK", header="x-MAILER") is True
    assert matches("header", "contains", "outlook", header="X-Other") is False


def test_regex_search_is_bounded() -> None:
    body = "x" * 19_990 + "ZIEL" + "y" * 5000
    assert matches("body", "regex", "ziel", body=body) is True
    assert matches("body", "regex", "ziel", body="x" * 20_000 + "ZIEL") is False


# ------------------------------------------------------------------------------------ match all / any


def test_match_all_needs_every_condition() -> None:
    r = rule(
        "r1",
        cond("subject", "contains", "rechnung"),
        cond("from_domain", "equals", "andere.example"),
        queue="buchhaltung",
    )
    assert evaluate(view(), [r]).queue is None
    r2 = rule(
        "r2",
        cond("subject", "contains", "rechnung"),
        cond("from_domain", "equals", "kunde-gmbh.example"),
        queue="buchhaltung",
    )
    assert evaluate(view(), [r2]).queue == "buchhaltung"


def test_match_any_needs_one_condition_and_explains_only_the_ones_that_matched() -> None:
    r = rule(
        "r1",
        cond("subject", "contains", "mahnung"),
        cond("from_domain", "equals", "kunde-gmbh.example"),
        match="any",
        queue="buchhaltung",
    )
    out = evaluate(view(), [r])
    assert out.queue == "buchhaltung"
    assert out.fired == [
        {
            "rule": "r1",
            "name": "Regel r1",
            "because": ["from_domain equals 'kunde-gmbh.example'"],
            "actions": {"queue": "buchhaltung"},
        }
    ]
    none = rule("r2", cond("subject", "contains", "mahnung"), cond("from", "contains", "zzz"), match="any", queue="x")
    assert evaluate(view(), [none]).fired == []


# ---------------------------------------------------------------------------------- merging and order


def test_sorted_rules_orders_by_order_then_id_and_drops_disabled_rules() -> None:
    always = cond("subject", "exists")
    rules = [
        rule("zeta", always, order=10),
        rule("alpha", always, order=20),
        rule("beta", always, order=10),
        rule("off", always, order=1, enabled=False),
    ]
    snapshot = ConfigSnapshot(rules=rules)
    assert [r.id for r in snapshot.sorted_rules()] == ["beta", "zeta", "alpha"]


def test_later_rules_override_single_values_and_tags_accumulate() -> None:
    always = cond("subject", "exists")
    snapshot = ConfigSnapshot(
        rules=[
            rule("late", always, order=20, queue="technik", priority="urgent", tags=["b", "c"], assignee="maria"),
            rule(
                "early",
                always,
                order=10,
                queue="vertrieb",
                status="waiting_internal",
                priority="low",
                tags=["a", "b"],
                project="p1",
                type="frage",
            ),
        ]
    )
    out = evaluate(view(), snapshot.sorted_rules())
    assert out.queue == "technik"
    assert out.priority == "urgent"
    assert out.status == "waiting_internal"  # the later rule does not set one: the earlier value stays
    assert out.assignee == "maria"
    assert out.project == "p1"
    assert out.type == "frage"
    assert out.tags == ["a", "b", "c"]
    assert [f["rule"] for f in out.fired] == ["early", "late"]


def test_tags_are_not_duplicated_within_one_rule() -> None:
    out = evaluate(view(), [rule("r", cond("subject", "exists"), tags=["x", "x", "y"])])
    assert out.tags == ["x", "y"]


def test_flags_accumulate() -> None:
    always = cond("subject", "exists")
    out = evaluate(
        view(), [rule("a", always, private=True), rule("b", always, prio=True), rule("c", always, personal=True)]
    )
    assert (out.private, out.prio, out.personal, out.spam, out.suppress_autoreply) == (True, True, True, False, False)


def test_stop_ends_processing() -> None:
    always = cond("subject", "exists")
    out = evaluate(view(), [rule("a", always, queue="eins", stop=True), rule("b", always, queue="zwei", tags=["nie"])])
    assert out.queue == "eins"
    assert out.tags == []
    assert [f["rule"] for f in out.fired] == ["a"]


def test_stop_of_a_rule_that_does_not_match_changes_nothing() -> None:
    out = evaluate(
        view(),
        [
            rule("a", cond("subject", "contains", "nicht da"), queue="eins", stop=True),
            rule("b", cond("subject", "exists"), queue="zwei"),
        ],
    )
    assert out.queue == "zwei"


def test_spam_trashes_and_suppresses_the_autoreply_whatever_comes_later() -> None:
    always = cond("subject", "exists")
    out = evaluate(view(), [rule("spam", always, spam=True), rule("later", always, status="open", queue="support")])
    assert out.spam is True
    assert out.status == "trash"
    assert out.suppress_autoreply is True
    assert out.queue == "support"


def test_suppress_autoreply_alone_keeps_the_status() -> None:
    out = evaluate(view(), [rule("quiet", cond("header", "exists", header="list-id"), suppress_autoreply=True)])
    assert (out.suppress_autoreply, out.spam, out.status) == (True, False, None)


def test_disabled_rules_are_ignored_even_when_passed() -> None:
    out = evaluate(view(), [rule("off", cond("subject", "exists"), enabled=False, queue="x", spam=True)])
    assert out == Outcome()
    assert out.explanation == "no rule matched"


def test_the_explanation_lists_the_rules_that_fired_and_why() -> None:
    rules = [
        rule(
            "rechnung",
            cond("subject", "contains", "Rechnung"),
            cond("attachment_name", "ends_with", ".pdf"),
            queue="buchhaltung",
        ),
        rule("nie", cond("from", "equals", "x@y.example"), queue="nie"),
        rule("outlook", cond("header", "regex", r"outlook\s+\d+", header="X-Mailer"), tags=["outlook"]),
        rule("liste", cond("header", "exists", header="List-Id"), suppress_autoreply=True),
    ]
    out = evaluate(view(), rules)
    assert out.explanation == (
        "Regel rechnung (subject contains 'Rechnung', attachment_name ends with '.pdf'); "
        "Regel outlook (header X-Mailer regex 'outlook\\s+\\d+'); "
        "Regel liste (header List-Id exists)"
    )
    assert [f["actions"] for f in out.fired] == [
        {"queue": "buchhaltung"},
        {"tags": ["outlook"]},
        {"suppress_autoreply": True},
    ]


# ------------------------------------------------------------------------------------------ validation


def test_condition_defaults() -> None:
    c = Condition.model_validate({"field": "subject", "value": "x"})
    assert (c.op, c.value, c.header) == ("contains", "x", None)
    with pytest.raises(RecordError, match="needs a value"):
        Condition.model_validate({"field": "subject"})  # contains "" would match every mail


@pytest.mark.parametrize("pattern", ["(", "[a-", "*x", "[z-a]", "x{3,1}"])
def test_an_invalid_regex_is_refused(pattern: str) -> None:
    with pytest.raises(RecordError, match="invalid regex"):
        Condition.model_validate({"field": "subject", "op": "regex", "value": pattern})


def test_an_over_long_regex_is_refused() -> None:
    Condition.model_validate({"field": "subject", "op": "regex", "value": "a" * 200})
    with pytest.raises(RecordError, match="regex longer than 200 characters"):
        Condition.model_validate({"field": "subject", "op": "regex", "value": "a" * 201})


def test_long_values_are_fine_for_other_ops_up_to_500() -> None:
    Condition.model_validate({"field": "subject", "op": "contains", "value": "a" * 500})
    with pytest.raises(RecordError):
        Condition.model_validate({"field": "subject", "op": "contains", "value": "a" * 501})


def test_a_header_condition_needs_the_header_name() -> None:
    with pytest.raises(RecordError, match="a header condition needs the header name"):
        Condition.model_validate({"field": "header", "op": "exists"})
    with pytest.raises(RecordError, match="a header condition needs the header name"):
        Condition.model_validate({"field": "header", "op": "equals", "value": "x", "header": ""})


@pytest.mark.parametrize(
    "data",
    [
        {"field": "reply_to", "op": "contains", "value": "x"},
        {"field": "subject", "op": "like", "value": "x"},
        {"field": "subject", "op": "contains", "value": "x", "extra": 1},
    ],
)
def test_unknown_fields_ops_and_keys_are_refused(data: dict[str, Any]) -> None:
    with pytest.raises(RecordError):
        Condition.model_validate(data)


def test_a_rule_needs_between_one_and_twenty_conditions() -> None:
    with pytest.raises(RecordError):
        rule("leer")
    with pytest.raises(RecordError):
        rule("viele", *[cond("subject", "exists")] * 21)
    assert len(rule("genug", *[cond("subject", "exists")] * 20).conditions) == 20


def test_rule_actions_are_validated() -> None:
    with pytest.raises(RecordError):
        rule("r", cond("subject", "exists"), status="erledigt")
    with pytest.raises(RecordError):
        rule("r", cond("subject", "exists"), priority="sofort")
    with pytest.raises(RecordError):
        rule("r", cond("subject", "exists"), queue="Nicht Gültig")


def test_has_attachment_exists_means_there_is_one() -> None:
    from helpdesk.domain.config import Condition
    from helpdesk.domain.rules import condition_matches, mail_view

    def view(names: list[str]) -> object:
        return mail_view(
            sender="a@b.example",
            sender_name="",
            to=[],
            cc=[],
            recipients=[],
            subject="",
            body="",
            mailbox="",
            attachment_names=names,
            verdicts={},
            headers={},
        )

    cond = Condition(field="has_attachment", op="exists")
    assert condition_matches(view(["a.pdf"]), cond) is True  # type: ignore[arg-type]
    assert condition_matches(view([]), cond) is False  # type: ignore[arg-type]


def test_a_condition_without_a_value_is_refused() -> None:
    import pytest

    from helpdesk.domain.config import Condition

    with pytest.raises(ValueError, match="needs a value"):  # also when code makes it (the API: a RecordError)
        Condition(field="subject", op="contains", value="")


def test_the_explanation_shows_values_as_typed_without_escaping() -> None:
    from helpdesk.domain.config import Condition
    from helpdesk.domain.rules import _describe

    assert _describe(Condition(field="subject", op="regex", value=r"\b(dringend|asap)\b")) == (
        r"subject regex '\b(dringend|asap)\b'"
    )


# -------------------------------------------------------------------- catastrophic backtracking


def test_a_backtracking_regex_times_out_as_no_match_with_a_warning() -> None:
    """An admin's ``(a|aa)+$`` meets a mail of 60 a's and an "!": Python's ``re`` would backtrack
    for longer than the universe is old and stall ingest; the rule engine gives the match a time
    budget, treats it as "no match" and says so on the ticket's rule explanation."""
    slow = rule("slow", cond("body", "regex", r"(a|aa)+$"), tags=["never"])
    after = rule("after", cond("subject", "contains", "rechnung"), order=200, tags=["rechnung"])
    out = evaluate(view(body="a" * 60 + "!"), [slow, after])
    assert out.tags == ["rechnung"]
    assert [f["rule"] for f in out.fired] == ["after"]
    assert out.warnings == ["Regel slow: body regex '(a|aa)+$' took too long and counted as not matching"]
    assert "took too long" in out.explanation


def test_a_trivial_regex_decides_even_when_the_budget_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 10, finding 6: under CPU load ``\\b(dringend|urgent|asap)\\b`` ran out of its wall-clock
    budget and the rule silently did not fire. A pattern that cannot backtrack much needs no budget:
    with a budget far too small for any search, it still decides."""
    from helpdesk.domain import rules

    monkeypatch.setattr(rules, "REGEX_BUDGET_SECONDS", 1e-9)
    urgent = rule("urgent", cond("subject", "regex", r"\b(dringend|urgent|asap)\b"), tags=["eilig"])
    out = evaluate(view(subject="Bitte DRINGEND prüfen", body="x" * 19_000 + " asap"), [urgent])
    assert (out.tags, out.warnings) == (["eilig"], [])
    out = evaluate(view(subject="Dringlichkeit: keine", body="x" * 19_000), [urgent])
    assert (out.tags, out.warnings) == ([], [])


@pytest.mark.parametrize(
    ("pattern", "safe"),
    [
        (r"\b(dringend|urgent|asap)\b", True),
        (r"rechnung\s?(nr|no)\.?\s?\d{4}", True),  # 2 * 2 * 2 * 2 ways
        (r"rechnung\s?(nr|no)\.?\s?\d{4,8}", False),  # and 5 lengths of the number: 80
        (r"^(aw|re|wg|fwd?):", True),
        (r"(a|aa)+$", False),  # unbounded repetition
        (r"(a+)+b", False),
        (r"\d+", False),
        (r"[abc]{1,3}", False),  # bounded, but 3 + 9 + 27 ways (a|b|c is the same set to Python's parser)
        (r"(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)", False),  # 2**6 ways
        (r"(ab|cd|ef){1,30}", False),  # bounded, but 3**30 ways
        (r"(\w)\1", False),  # back-reference
        (r"\p{L}{3}", False),  # syntax of the regex package only: not analysed, so not trusted
    ],
)
def test_which_patterns_run_without_a_budget(pattern: str, safe: bool) -> None:
    from helpdesk.domain.rules import is_safe_pattern

    assert is_safe_pattern(pattern) is safe


def test_a_budgeted_match_starved_of_cpu_gets_more_wall_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """regex's timeout is wall-clock time; the budget is CPU time: a match that timed out while the
    thread hardly ran (a busy machine) is tried again with more wall time and decides."""
    from helpdesk.domain import rules

    cpu = iter([0.0, 0.001, 0.0, 0.002])  # the thread got 1 ms of CPU in the first 50 ms: starved
    monkeypatch.setattr(time, "thread_time", lambda: next(cpu))
    timeouts: list[float] = []

    class Starved:
        pattern = "x+y"

        def search(self, value: str, timeout: float) -> object:
            timeouts.append(timeout)
            if len(timeouts) == 1:
                raise TimeoutError("regex timed out")
            return object()

    assert rules.budgeted_search(Starved(), "xxy") is True
    assert timeouts == [rules.REGEX_BUDGET_SECONDS, 2 * rules.REGEX_BUDGET_SECONDS]


def test_a_budgeted_match_that_used_its_cpu_budget_is_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.domain import rules

    cpu = iter([0.0, rules.REGEX_BUDGET_SECONDS])
    monkeypatch.setattr(time, "thread_time", lambda: next(cpu))

    class Slow:
        pattern = "(a|aa)+$"

        def search(self, value: str, timeout: float) -> object:
            raise TimeoutError("regex timed out")

    with pytest.raises(rules.RegexTimeout):
        rules.budgeted_search(Slow(), "a" * 60 + "!")
