"""Issue 12, part 6: event reasons are codes with parameters, told as sentences in German and English.

Reads the web client's ``i18n.js`` as tests/browser/test_client_source.py does: every reason code of
``domain/reasons.py`` and every event kind the services write must have its German and English text,
with the same placeholders as the code's parameters. Old events (bare English sentences) get their code back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.domain.events import EVENT_TYPES
from helpdesk.domain.reasons import TEMPLATES, Reason, from_stored, reason, to_json

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "functions" / "api" / "static"
I18N = (STATIC / "i18n.js", STATIC / "i18n-views.js")  # the first page's strings, the later views'
TICKET_JS = ROOT / "functions" / "api" / "static" / "ticket.js"
PACKAGE = ROOT / "layers" / "helpdesk" / "helpdesk"


def texts() -> dict[str, tuple[str, str]]:
    source = "".join(path.read_text() for path in I18N)
    pairs = re.findall(r'"([\w.]+)":\s*\[\s*"((?:[^"\\]|\\.)*)"\s*,\s*"((?:[^"\\]|\\.)*)"\s*\]', source)
    return {key: (de, en) for key, de, en in pairs}


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_every_reason_code_has_a_german_and_an_english_sentence_with_its_parameters() -> None:
    found = texts()
    missing = [code for code in TEMPLATES if f"reason.{code}" not in found]
    assert not missing, f"reason codes without a text in i18n.js: {missing}"
    for code, template in TEMPLATES.items():
        de, en = found[f"reason.{code}"]
        assert de.strip() and en.strip(), code
        assert placeholders(de) == placeholders(en) == placeholders(template), code


def written_event_types() -> set[str]:
    """Every event kind services/ and domain/ create (``new_event(ticket, "Kind", …)``, and the lifecycle's
    transitions: ``Happened("Kind", …)``)."""
    kinds: set[str] = set()
    for path in [*(PACKAGE / "services").glob("*.py"), *(PACKAGE / "domain").glob("*.py")]:
        kinds |= set(re.findall(r'new_event\(\s*\w+,\s*"(\w+)"', path.read_text()))
        kinds |= set(re.findall(r'Happened\(\s*"(\w+)"', path.read_text()))
    return kinds


def test_every_event_kind_written_is_known_and_told_in_both_languages() -> None:
    written = written_event_types()
    assert {"TicketCreated", "MessageAdded", "StatusChanged", "TicketUpdated"} <= written  # the grep works
    assert written <= set(EVENT_TYPES), f"event kinds not in domain/events.py: {written - set(EVENT_TYPES)}"
    found = texts()
    client = TICKET_JS.read_text()
    for kind in EVENT_TYPES:
        assert f"ev.{kind}" in found, kind  # the kind's name (for the fallback sentence)
        assert f'case "{kind}":' in client, f"ticket.js tells no sentence for {kind}"
    # The sentences the client builds for them exist in both languages.
    used = set(re.findall(r"""["'`](evp\.[\w.]+)["'`]""", client))
    used |= {f"evp.who.{w}" for w in ("system", "customer", "agent")} | {"evp.deadline.due", "evp.deadline.response"}
    for key in used:
        assert key in found, key
        de, en = found[key]
        assert de.strip() and en.strip() and placeholders(de) == placeholders(en), key


def test_the_client_shows_no_json() -> None:
    assert "JSON.stringify" not in TICKET_JS.read_text()


def test_a_reason_is_its_english_sentence_and_carries_its_code() -> None:
    why = reason("threading.subject_number", number="T-2026-000123")
    assert why == "subject names ticket T-2026-000123"
    assert (why.code, why.params) == ("threading.subject_number", {"number": "T-2026-000123"})
    assert to_json(why) == {
        "code": "threading.subject_number",
        "params": {"number": "T-2026-000123"},
        "text": "subject names ticket T-2026-000123",
    }
    assert reason("threading.too_old", number="T-1", days=29.5) == "T-1 was closed more than 29.5 days ago"
    with pytest.raises(KeyError):
        reason("no.such.code")


@pytest.mark.parametrize(
    ("stored", "code", "params"),
    [
        ("no reference or ticket number matches a ticket", "threading.no_match", {}),
        ("subject names ticket T-2026-000001", "threading.subject_number", {"number": "T-2026-000001"}),
        ("references our message <a@b>", "threading.ref_ours", {"ref": "a@b"}),
        (
            "sender x@y is not a participant of T-2026-000001",
            "threading.not_participant",
            {"sender": "x@y", "number": "T-2026-000001"},
        ),
        ("an auto-reply went to this sender less than 24 h ago", "autoreply.window", {"hours": "24"}),
        ("the customer answered", "status.customer_replied", {}),
        ("the customer answered on the web", "status.customer_replied_web", {}),
        ("reply", "status.reply", {}),
        ("batch: spam", "status.batch", {"action": "spam"}),
        (
            "abgeschlossen, da der Kunde nicht mehr geantwortet hat / closed: the customer did not answer",
            "status.autoclose",
            {},
        ),
        ("something nobody wrote a template for", "text", {"text": "something nobody wrote a template for"}),
    ],
)
def test_old_events_with_english_sentences_get_their_code_back(stored: str, code: str, params: dict[str, str]) -> None:
    found = from_stored(stored)
    assert (found.code, found.params, str(found)) == (code, params, stored)


def test_stored_codes_are_read_back_and_foreign_ones_become_text() -> None:
    stored = {"code": "threading.merged", "params": {"number": "T-9"}, "text": "that ticket was merged into T-9"}
    assert to_json(from_stored(stored)) == stored
    odd = from_stored({"code": "from.the.future", "params": {}, "text": "a later code"})
    assert (odd.code, str(odd)) == ("text", "a later code")
    assert isinstance(odd, Reason)
