"""Data protection's pure decisions (domain/privacy.py): what is redacted, when the trash empties, the phases."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from helpdesk.domain.privacy import (
    ERASED,
    Phase,
    changed_paths,
    config_needles,
    erased_from_record,
    names_customer_config,
    next_phase,
    redact,
    redact_value,
    redacted_config,
    shared_with_others,
    subject_hash,
    trash_cutoff,
)


def test_redact_replaces_address_name_and_phone_case_insensitively_and_whole_words_only() -> None:
    text = "Hallo, HILDEGARD Schwarz (hildegard@kunde.example, +49 761 555) schrieb: Hildegardstraße bleibt."
    needles = ["hildegard@kunde.example", "Hildegard Schwarz", "+49 761 555"]
    assert redact(text, needles) == f"Hallo, {ERASED} ({ERASED}, {ERASED}) schrieb: Hildegardstraße bleibt."


def test_redact_leaves_short_needles_alone_and_longer_ones_win() -> None:
    assert redact("Al und Alma", ["Al"]) == "Al und Alma"
    assert redact("Max Muster und Max", ["Max", "Max Muster"]) == f"{ERASED} und {ERASED}"
    assert redact("Maximilian und Max.", ["Max"]) == f"Maximilian und {ERASED}."


def test_redact_value_walks_event_details() -> None:
    detail = {"to": ["a@b.example", "c@d.example"], "n": 3, "nested": {"customer": "a@b.example"}}
    assert redact_value(detail, ["a@b.example"]) == {
        "to": [ERASED, "c@d.example"],
        "n": 3,
        "nested": {"customer": ERASED},
    }


def test_the_papierkorb_empties_only_when_days_are_set() -> None:
    moment = datetime(2026, 12, 2, 12, tzinfo=UTC)
    assert trash_cutoff(0, moment) is None
    assert trash_cutoff(30, moment) == "2026-11-02T12:00:00.000000Z"


def test_the_job_runs_its_phases_in_order_and_stays_done() -> None:
    order = [Phase.OWN]
    while order[-1] is not Phase.DONE:
        order.append(next_phase(order[-1]))
    assert order == [Phase.OWN, Phase.SHARED, Phase.LOOKUPS, Phase.CONFIG, Phase.CUSTOMER, Phase.DONE]
    assert next_phase(Phase.DONE) is Phase.DONE


def test_the_audit_names_a_customer_by_a_stable_hash_only() -> None:
    assert subject_hash(" Hildegard@Kunde.example ") == subject_hash("hildegard@kunde.example")
    assert len(subject_hash("x@y.example")) == 12 and "@" not in subject_hash("x@y.example")


def test_shared_means_someone_besides_the_customer_took_part() -> None:
    assert not shared_with_others({"a@b.example"}, "A@b.example")
    assert shared_with_others({"a@b.example", "c@d.example"}, "a@b.example")


def test_the_configuration_loses_address_full_name_and_phone_but_not_single_words() -> None:
    needles = config_needles("olga@kunde.example", ["olga@kunde.example", "Olga Ott", "Anna", "07615550199", "+49 761"])
    assert needles == ["olga@kunde.example", "Olga Ott", "07615550199", "+49 761"]
    view = {"id": "v-1", "name": "Olga Ott (Stammkundin)", "query": {"customer": "OLGA@kunde.example", "q": None}}
    assert redacted_config(view, needles) == {
        "id": "v-1",
        "name": f"{ERASED} (Stammkundin)",
        "query": {"customer": ERASED, "q": None},
    }
    template = {"id": "t-1", "body": "Ihre Anna vom Support, Rückruf unter 07615550199"}
    assert redacted_config(template, needles) == {"id": "t-1", "body": f"Ihre Anna vom Support, Rückruf unter {ERASED}"}
    assert redacted_config({"id": "r-1", "value": "bernd@andere.example"}, needles) is None  # nothing of hers


def test_a_record_stays_valid_without_the_customer() -> None:
    """Replaced by "[gelöscht]", her address made the SLA policy invalid (not an address, not an @domain):
    the configuration load skipped it, and the team's SLA was gone without a word."""
    from helpdesk.domain.config import Queue, SlaPolicy

    needles = ["olga@kunde.example"]
    policy = {"id": "vip", "name": "VIP", "customers": ["olga@kunde.example"], "targets": {"*": {"solution_hours": 8}}}
    assert "customers" in str(_refused(SlaPolicy, redacted_config(policy, needles)))  # the redaction alone
    only_hers = erased_from_record("sla_policy", policy, needles)
    assert only_hers is not None
    assert (only_hers["customers"], only_hers["enabled"]) == ([], False)  # not widened to every customer
    assert SlaPolicy.model_validate(only_hers).enabled is False
    shared = erased_from_record("sla_policy", policy | {"customers": ["Olga@Kunde.example", "@firma.example"]}, needles)
    assert shared is not None and (shared["customers"], shared.get("enabled", True)) == (["@firma.example"], True)
    queue = {"id": "vip", "name": "VIP", "notify_address": "olga@kunde.example"}
    mended = erased_from_record("queue", queue, needles)
    assert mended == {"id": "vip", "name": "VIP", "notify_address": None}
    Queue.model_validate(mended)
    view = {"id": "v-1", "name": "Olga", "query": {"customer": "olga@kunde.example"}}
    assert erased_from_record("view", view, needles) == redacted_config(view, needles)  # valid as redacted
    assert erased_from_record("view", {"id": "v-2", "name": "Bernd"}, needles) is None
    # still invalid (her number in the id): returned redacted, the load lists it for an admin
    by_id = {"id": "rueckruf-07615550199", "name": "R", "conditions": [{"field": "from", "value": "x"}], "actions": {}}
    assert erased_from_record("rule", by_id, ["07615550199"]) == redacted_config(by_id, ["07615550199"])


def _refused(model: Any, data: object) -> Exception | None:
    try:
        model.model_validate(data)
    except ValueError as exc:
        return exc
    return None


def test_only_kinds_that_may_name_a_customer_are_redacted() -> None:
    assert names_customer_config("view#v-1") and names_customer_config("rule#vip")
    assert not names_customer_config("agent#anna")  # an agent's aliases are the team's own addresses
    assert not names_customer_config("mailbox#support") and not names_customer_config("settings#team")


def test_every_phase_a_job_can_be_in_is_a_valid_answer() -> None:
    """A job cut short in any phase is shown (``GET /admin/privacy/jobs``): the response names every phase."""
    from helpdesk.api.privacy import job_out
    from helpdesk.services.privacy import Job

    for phase in Phase:
        job = Job("01J", "running", phase.value, "delete", "delete", "3f2a9c1e7d0b", "admin", "2026-12-04T05:00:00Z")
        assert job_out(job).phase == phase.value


def test_changed_paths_name_where_a_redaction_changed_a_record() -> None:
    before = {"name": "Olga Ott", "query": {"customer": "o@k.example", "sort": "updated"}, "tags": ["a", "Olga Ott"]}
    after = {"name": ERASED, "query": {"customer": ERASED, "sort": "updated"}, "tags": ["a", ERASED]}
    assert changed_paths(before, after) == ["name", "query.customer", "tags[1]"]
    assert changed_paths(before, before) == []
