"""What the auto-reply says (domain/autoreply_mail.py): its language, its subject, one rendering for all."""

from __future__ import annotations

import pytest

from helpdesk.domain.autoreply_mail import customer_subject, guess_language, render_autoreply, reply_language
from helpdesk.domain.config import LocalizedText, Mailbox
from helpdesk.domain.templating import unknown_variables

BOTH = Mailbox(id="support", address="support@example.com", name="Beispiel Support")
GERMAN_ONLY = Mailbox(
    id="vertrieb",
    address="vertrieb@example.com",
    autoreply_body=LocalizedText(de="Danke, {NAME}.", en=""),
)
VALUES = {"TICKET": "T-2026-000002", "BETREFF": "Lieferung fehlt", "SUBJECT": "Lieferung fehlt", "NAME": "Erika"}


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Lieferung fehlt", "Lieferung fehlt"),
        ("Re: Ihre Anfrage [#T-2026-000001]: Lieferung fehlt", "Lieferung fehlt"),
        ("AW: WG: Re: Your request [#T-2026-000001]: Delivery", "Delivery"),
        ("Frage zu [#T-2026-000001]", "Frage zu"),
        ("[#T-2026-000001]", "[#T-2026-000001]"),  # nothing else to say: kept as it was
    ],
)
def test_the_customers_subject_loses_reply_prefixes_and_other_tickets_tags(subject: str, expected: str) -> None:
    assert customer_subject(subject) == expected


def test_a_stranger_quoting_an_old_number_does_not_get_both_numbers_in_the_subject() -> None:
    values = {**VALUES, "BETREFF": "Re: Ihre Anfrage [#T-2026-000001]: Lieferung fehlt"}
    reply = render_autoreply(BOTH, "T-2026-000002", values)
    assert reply.subject == "Ihre Anfrage [#T-2026-000002]: Lieferung fehlt"


def test_a_subject_template_without_the_number_gets_it_in_front() -> None:
    mailbox = Mailbox(id="m", address="m@example.com", autoreply_subject=LocalizedText(de="Eingangsbestätigung"))
    assert render_autoreply(mailbox, "T-2026-000002", VALUES).subject == "[#T-2026-000002] Eingangsbestätigung"


ENGLISH = "Hello, I have not received my order yet. Could you please check what happened? Thanks, Erika"
GERMAN = "Guten Tag, ich habe meine Bestellung noch nicht erhalten. Bitte prüfen Sie das. Vielen Dank"


def test_the_language_guess_needs_clear_evidence() -> None:
    assert guess_language(ENGLISH) == "en"
    assert guess_language(GERMAN) == "de"
    assert guess_language("OK") is None
    assert guess_language("Rechnung 4711 invoice attached") is None


def test_the_reply_speaks_the_customers_language_when_the_mailbox_has_both_texts() -> None:
    assert reply_language(BOTH, "", ENGLISH) == ("en", "guessed")
    assert reply_language(BOTH, "en-GB", GERMAN) == ("en", "content_language")  # the header wins
    assert reply_language(BOTH, "", GERMAN) == ("de", "mailbox")
    assert reply_language(BOTH, "fr", "Bonjour") == ("de", "mailbox")
    assert reply_language(GERMAN_ONLY, "en", ENGLISH) == ("de", "only_text")


def test_an_english_mail_gets_the_english_text_and_subject() -> None:
    reply = render_autoreply(BOTH, "T-2026-000002", {**VALUES, "SUBJECT": "Delivery"}, text=ENGLISH)
    assert (reply.lang, reply.lang_reason) == ("en", "guessed")
    assert reply.subject == "Your request [#T-2026-000002]: Delivery"
    assert reply.text.startswith("Hello Erika,")


def test_unknown_variables_are_named_per_kind_of_text() -> None:
    assert unknown_variables("Ticket {TICKT} für {NAME}", "autoreply") == ["TICKT"]
    assert unknown_variables("Gruß, {AGENT}", "autoreply") == ["AGENT"]  # no agent writes an auto-reply
    assert unknown_variables("Gruß, {AGENT}", "reply") == []
    assert unknown_variables("seit {DAYS} Tagen", "reminder") == []
