"""Records on msgspec (domain/records.py), the configuration's and the API's: they behave as the pydantic models
they replaced.

What the API and the config store rely on: whitespace stripped before any check, unknown fields refused,
errors that name the field (also inside lists), strict request bodies, lax stored data, and the calls the
API makes of a model (model_validate, model_validate_json, model_dump, model_copy).
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from helpdesk.domain.config import (
    CONFIG_KINDS,
    DEFAULT_AUTOREPLY_SUBJECT,
    AutoclosePolicy,
    ConfigSnapshot,
    LocalizedText,
    Mailbox,
    Queue,
    Rule,
    RuleActions,
    SlaPolicy,
    TeamSettings,
)
from helpdesk.domain.records import Check, FieldError, Record, RecordError


def error_of(model: Any, data: Any) -> dict[str, Any]:
    with pytest.raises(RecordError) as caught:
        model.model_validate(data)
    (error,) = caught.value.errors()
    return error


def test_whitespace_is_stripped_before_the_checks() -> None:
    mailbox = Mailbox.model_validate({"id": " support ", "address": "  Support@Example.COM ", "name": " Support "})
    assert (mailbox.id, mailbox.address, mailbox.name) == ("support", "support@example.com", "Support")
    assert Queue.model_validate({"id": "q", "name": "Q", "responsible": [" anna "]}).responsible == ["anna"]


def test_errors_name_the_field_also_inside_lists() -> None:
    rule = {"id": "r", "name": "R", "conditions": [{"field": "subject", "value": "x"}], "actions": {}}
    assert error_of(Rule, rule | {"order": "first"})["loc"] == ("order",)
    bad_condition = rule | {"conditions": [{"field": "subject", "value": "x"}, {"field": "subject"}]}
    error = error_of(Rule, bad_condition)
    assert error["loc"] == ("conditions", 1)
    assert "needs a value" in error["msg"]
    error = error_of(Rule, rule | {"actions": {"status": "erledigt"}})
    assert error["loc"] == ("actions", "status")
    assert error_of(Mailbox, {"id": "m", "address": "kein-mail"}) == {
        "loc": ("address",),
        "msg": "not an e-mail address",
        "type": "value_error",
    }


def test_unknown_and_missing_fields_are_named() -> None:
    assert error_of(Queue, {"id": "q", "name": "Q", "colour": "red"}) == {
        "loc": ("colour",),
        "msg": "unknown field",
        "type": "extra_forbidden",
    }
    assert error_of(Queue, {"id": "q"}) == {"loc": ("name",), "msg": "field required", "type": "missing"}
    nested = error_of(TeamSettings, {"autoclose": {"remind_after_days": 3, "later": True}})
    assert nested["loc"] == ("autoclose", "later")


def test_request_bodies_are_strict_and_stored_data_is_lax() -> None:
    with pytest.raises(RecordError) as caught:
        Queue.model_validate_json(b'{"id": "q", "name": "Q", "retention_years": "3"}')
    assert caught.value.errors()[0]["loc"] == ("retention_years",)
    with pytest.raises(RecordError):
        Mailbox.model_validate_json(b'{"id": "m", "address": "a@example.com", "autoreply": 0}')
    with pytest.raises(RecordError) as caught:
        Queue.model_validate_json(b'{"id": "q",')
    assert caught.value.errors()[0]["type"] == "json_invalid"
    assert Queue.model_validate({"id": "q", "name": "Q", "retention_years": "3"}).retention_years == 3
    # dates and enum values are JSON strings in both
    dated = Mailbox.model_validate_json(b'{"id": "m", "address": "a@example.com", "import_from": "2026-01-31"}')
    assert str(dated.import_from) == "2026-01-31"


def test_every_kind_survives_its_own_dump() -> None:
    policy = SlaPolicy.model_validate({"id": "p", "name": "P", "targets": {"high": {"first_response_hours": 4}}})
    examples: dict[str, Any] = {
        "mailbox": Mailbox(id="m", address="m@example.com", import_from=None),
        "queue": Queue(id="q", name="Q", assignment="least_open"),
        "rule": Rule.model_validate(
            {"id": "r", "name": "R", "conditions": [{"field": "from", "value": "x"}], "actions": {"priority": "high"}}
        ),
        "sla_policy": policy,
    }
    for kind, record in examples.items():
        assert CONFIG_KINDS[kind].model_validate(record.model_dump()) == record
    settings = TeamSettings(company="Firma")
    assert TeamSettings.model_validate_json(settings.model_dump_json()) == settings
    snapshot = ConfigSnapshot(mailboxes=[examples["mailbox"]], settings=settings)
    assert ConfigSnapshot.model_validate(snapshot.model_dump()) == snapshot


def test_model_dump_leaves_out_defaults_and_nones_when_asked() -> None:
    actions = RuleActions(queue="billing", tags=["rechnung"])
    assert actions.model_dump(exclude_defaults=True) == {"queue": "billing", "tags": ["rechnung"]}
    assert "queue" not in RuleActions().model_dump(exclude_none=True)


def test_a_copy_takes_the_callers_values_unchecked_and_leaves_the_original() -> None:
    policy = AutoclosePolicy()
    # An override may put close before remind (domain/autoclose.py decides what that means): no check runs.
    copied = policy.model_copy(update={"remind_after_days": 10, "close_after_days": 5})
    assert (copied.remind_after_days, copied.close_after_days) == (10, 5)
    assert (policy.remind_after_days, policy.close_after_days) == (7, 14)


def test_code_that_makes_a_record_runs_its_checks_but_not_the_constraints() -> None:
    with pytest.raises(FieldError, match="line breaks") as caught:
        Mailbox(id="m", address="m@example.com", name="Support\r\nBcc: x@evil.test")
    assert caught.value.field == "name"
    assert Mailbox(id="m", address=" M@Example.com").address == "m@example.com"  # normalized as when validated


def test_shared_defaults_cannot_be_changed_through_one_record() -> None:
    first, second = Mailbox(id="a", address="a@example.com"), Mailbox(id="b", address="b@example.com")
    assert first.autoreply_subject is second.autoreply_subject is DEFAULT_AUTOREPLY_SUBJECT
    with pytest.raises(AttributeError):
        first.autoreply_subject.de = "geändert"  # type: ignore[misc]
    assert Queue(id="q", name="Q").responsible is not Queue(id="r", name="R").responsible  # a list each
    assert LocalizedText(de="x").get("en") == "x"


def test_a_stored_queue_with_a_notification_address_that_is_none_still_loads() -> None:
    """The admin API refuses such an address on save (tests/integration/test_api_more.py); one stored before
    must not make the queue, and with it the queue's access rules, vanish from the configuration."""
    stored = Queue.model_validate({"id": "q", "name": "Q", "responsible": ["anna"], "notify_address": "team"})
    assert (stored.responsible, stored.notify_address) == (["anna"], "team")
    assert Queue.model_validate({"id": "q", "name": "Q", "notify_address": " Team@X.example"}).notify_address == (
        "team@x.example"
    )
    assert Queue.model_validate({"id": "q", "name": "Q", "notify_address": ""}).notify_address is None


# -- the API's models are records too (api/schemas.py): strings as sent, checks at any depth, patches ----------


def test_an_api_model_takes_strings_as_sent() -> None:
    from helpdesk.api.schemas import CommentIn

    comment = CommentIn.model_validate_json(b'{"body": "  eingerueckt\\n", "tags": ["x"]}')
    assert comment.body == "  eingerueckt\n"  # a configuration record would strip it; a comment keeps it


def test_checked_types_run_inside_lists_and_optional_fields() -> None:
    from helpdesk.api.schemas import CommentIn, ProfileIn, TicketPatch

    with pytest.raises(RecordError) as caught:  # Tag inside list[Tag]
        CommentIn.model_validate_json(b'{"body": "b", "tags": ["ok", "Bcc: x\\r\\nmehr"]}')
    assert caught.value.errors()[0]["loc"] == ("tags",)
    with pytest.raises(RecordError) as caught:  # Email inside Email | None | UNSET
        TicketPatch.model_validate_json(b'{"version": 1, "customer_email": "kein-mail"}')
    assert caught.value.errors()[0]["loc"] == ("customer_email",)
    assert "e-mail" in caught.value.errors()[0]["msg"]
    with pytest.raises(RecordError):  # Email inside list[Email] | None
        ProfileIn.model_validate_json(b'{"aliases": ["a@example.com", "nope"]}')
    assert ProfileIn.model_validate_json(b'{"aliases": null}').aliases is None


def test_a_check_keeps_what_it_returns_also_inside_lists() -> None:
    from helpdesk.api.schemas import AddressIn, ProfileIn

    assert AddressIn.model_validate_json(b'{"address": " kunde@example.com "}').address == "kunde@example.com"
    profile = ProfileIn.model_validate_json(b'{"aliases": [" a@example.com", "b@example.com "]}')
    assert profile.aliases == ["a@example.com", "b@example.com"]


def test_a_patch_tells_absent_from_null() -> None:
    from helpdesk.api.schemas import TicketPatch

    assert TicketPatch.model_validate_json(b'{"version": 3}').model_dump(exclude={"version"}) == {}
    cleared = TicketPatch.model_validate_json(b'{"version": 3, "assignee": null, "tags": ["a"]}')
    assert cleared.model_dump(exclude={"version"}) == {"assignee": None, "tags": ["a"]}


def test_a_field_with_another_json_name_is_read_and_written_under_it() -> None:
    from helpdesk.api.schemas import AddressOut, MessageOut

    message = MessageOut(
        id="m", direction="inbound", channel="email", from_=AddressOut(address="a@example.com"), subject="s",
        text="", html="", new_text="", remote_images=0, message_id="<m@x>", verdicts=None, auto_submitted=None,
        auto_reply=False, author=None, send_state=None, created_at="2026-12-04T00:00:00Z", to=[], cc=[],
        attachments=[], defects=[], limit_exceeded=[],
    )  # fmt: skip
    dumped = message.model_dump()
    assert dumped["from"] == {"name": "", "address": "a@example.com"} and "from_" not in dumped
    assert MessageOut.model_validate(dumped) == message


def test_a_union_of_two_checked_types_is_refused_when_first_used() -> None:
    class Ambiguous(Record, kw_only=True):
        value: Annotated[str, Check(str.strip)] | Annotated[int, Check(abs)]

    with pytest.raises(TypeError, match="one checked type"):
        Ambiguous(value="x")


def test_every_invalid_unknown_or_missing_field_is_named_the_first_error_first() -> None:
    with pytest.raises(RecordError) as caught:
        Queue.model_validate({"id": "Keine Id", "responsible": "anna", "farbe": "rot"})
    named = [(e["loc"], e["type"]) for e in caught.value.errors()]
    assert named == [
        (("id",), "value_error"),
        (("responsible",), "value_error"),
        (("farbe",), "extra_forbidden"),
        (("name",), "missing"),
    ]
