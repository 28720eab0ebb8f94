"""split_reply: the new part of a reply, with the history markers real mail programs write."""

from __future__ import annotations

import pytest

from helpdesk.domain.quotes import new_text_of, split_reply

REPLY = "Hallo Frau Köhler,\n\ndie Unterlagen schicke ich morgen.\n\nGrüße\nJörg Bäcker"
HISTORY = "Sehr geehrter Herr Bäcker,\n\nbitte senden Sie uns die fehlenden Unterlagen.\n\nSabine Köhler"
QUOTED_HISTORY = "\n".join(f"> {line}" if line else ">" for line in HISTORY.split("\n"))

MARKED = {
    "thunderbird-de": f"{REPLY}\n\nAm 12.03.2026 um 10:15 schrieb Max Mustermann:\n{QUOTED_HISTORY}\n",
    "thunderbird-de-address-short-year": (
        f"{REPLY}\n\nAm 12.03.26 um 10:15 schrieb Max Mustermann <max@example.com>:\n{QUOTED_HISTORY}\n"
    ),
    "apple-mail-de-wrapped": (
        f"{REPLY}\n\nAm 12.03.2026 um 10:15 schrieb Jürgen Müller\n<j@example.de>:\n\n{QUOTED_HISTORY}\n"
    ),
    "apple-mail-de-wrapped-after-verb": (
        f"{REPLY}\n\nAm 12.03.2026 um 10:15 schrieb\nJürgen Müller <j@example.de>:\n\n{QUOTED_HISTORY}\n"
    ),
    "gmail-en": f"{REPLY}\n\nOn Thu, Mar 12, 2026 at 10:15 AM Max <max@example.com> wrote:\n\n{QUOTED_HISTORY}\n",
    "gmail-en-wrapped": (
        f"{REPLY}\n\nOn Thu, Mar 12, 2026 at 10:15 AM Kundenservice Büromöbel Schäfer <\n"
        f"service@bueromoebel-schaefer.example> wrote:\n\n{QUOTED_HISTORY}\n"
    ),
    "gmail-de": (
        f"{REPLY}\n\nAm Do., 12. März 2026 um 10:15 Uhr schrieb Max Mustermann <max@example.com>:\n\n{QUOTED_HISTORY}\n"
    ),
    "gmail-fr": f"{REPLY}\n\nLe jeu. 12 mars 2026 à 10:15, Max <max@example.com> a écrit :\n\n{QUOTED_HISTORY}\n",
    "outlook-original-message-de": (
        f"{REPLY}\n\n-----Ursprüngliche Nachricht-----\nVon: Sabine Köhler <support@example.de> \n"
        f"Gesendet: Mittwoch, 11. März 2026 16:40\nAn: 'Jörg Bäcker' <j@example.de>\nBetreff: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-original-message-en": (
        f"{REPLY}\n\n-----Original Message-----\nFrom: Sabine Köhler <support@example.de>\n"
        f"Sent: Wednesday, March 11, 2026 4:40 PM\nTo: j@example.de\nSubject: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-originalnachricht": f"{REPLY}\n\n--- Originalnachricht ---\nVon: support@example.de\n\n{HISTORY}\n",
    "outlook-rule-block-de": (
        f"{REPLY}\n\n________________________________\nVon: Sabine Köhler <support@example.de>\n"
        f"Gesendet: Dienstag, 10. März 2026 14:02\nAn: Jörg Bäcker <j@example.de>\nBetreff: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-de-no-rule": (
        f"{REPLY}\n\nVon: Sabine Köhler <support@example.de>\nGesendet: Dienstag, 10. März 2026 14:02\n"
        f"An: Jörg Bäcker <j@example.de>\nCc: Team <team@example.de>\nBetreff: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-en": (
        f"{REPLY}\n\nFrom: Sabine Köhler <support@example.de>\nSent: Tuesday, March 10, 2026 2:02 PM\n"
        f"To: Jörg Bäcker <j@example.de>\nSubject: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-mac-datum": (
        f"{REPLY}\n\nVon: Sabine Köhler <support@example.de>\nDatum: Dienstag, 10. März 2026 um 14:02\n"
        f"An: Jörg Bäcker <j@example.de>\nBetreff: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-bold-from-html": (
        f"{REPLY}\n\n*Von:* Sabine Köhler <support@example.de>\n*Gesendet:* Dienstag, 10. März 2026 14:02\n"
        f"*An:* Jörg Bäcker <j@example.de>\n*Betreff:* Unterlagen\n\n{HISTORY}\n"
    ),
    "gmx-gesendet-first": (
        f'{REPLY}\n\nGesendet: Dienstag, 10. März 2026 um 14:02 Uhr\nVon: "Kundenservice" <support@example.de>\n'
        f"An: j@example.de\nBetreff: Unterlagen\n\n{HISTORY}\n"
    ),
    "gmx-gesendet-first-after-rule": (
        f"{REPLY}\n\n__________________________________________\nGesendet: Dienstag, 10. März 2026 um 14:02 Uhr\n"
        f'Von: "Kundenservice" <support@example.de>\nAn: j@example.de\nBetreff: Unterlagen\n\n{HISTORY}\n'
    ),
    "trailing-quote-block-only": f"{REPLY}\n\n{QUOTED_HISTORY}\n\n",
    "crlf-line-ends": f"{REPLY}\n\nAm 12.03.2026 um 10:15 schrieb Max Mustermann:\n{QUOTED_HISTORY}\n".replace(
        "\n", "\r\n"
    ),
}


@pytest.mark.parametrize("name", sorted(MARKED))
def test_history_is_cut(name: str) -> None:
    new_text, had_history = split_reply(MARKED[name])
    assert new_text == REPLY
    assert had_history is True
    assert "fehlenden Unterlagen" not in new_text
    assert new_text_of(MARKED[name]) == new_text


def test_no_history_is_kept_as_is() -> None:
    text = f"\n{REPLY}\n\n"
    assert split_reply(text) == (REPLY, False)


def test_empty() -> None:
    assert split_reply("") == ("", False)


@pytest.mark.parametrize(
    "text",
    [
        # A customer's own sentences that look a little like attribution lines or header blocks.
        "Hallo,\n\nAm Montag hat mir Ihr Kollege geschrieben, dass\n"
        "folgende Unterlagen fehlen:\n- Grundriss\n- Baubeschreibung",
        "Hallo,\n\nAm Montag schrieb mir Ihr Kollege, dass folgende Unterlagen fehlen:\n- Grundriss\n- Baubeschreibung",
        "Hallo,\n\nOn Monday your colleague wrote that these documents are missing:\n- floor plan",
        "Hallo,\n\nUnsere Öffnungszeiten:\nVon: 8 Uhr\nBis: 17 Uhr\n\nGrüße",
    ],
)
def test_customer_text_is_not_mistaken_for_history(text: str) -> None:
    new_text, had_history = split_reply(text)
    assert new_text == text.strip()
    assert had_history is False


def test_interleaved_bottom_posting_keeps_the_answers() -> None:
    text = (
        "Am 12.03.2026 um 10:15 schrieb Kundenservice <support@example.de>:\n"
        "> Können Sie uns die Seriennummer des Geräts schicken?\n"
        "\n"
        "Die Seriennummer lautet ÄB-4711-ÜZ.\n"
        "\n"
        "> Und wann haben Sie das Gerät gekauft?\n"
        "\n"
        "Im Februar 2025 bei Ihrem Händler in Köln.\n"
        "\n"
        "Grüße\n"
        "Jörg Bäcker\n"
    )
    new_text, had_history = split_reply(text)
    assert had_history is True
    assert new_text == (
        "Die Seriennummer lautet ÄB-4711-ÜZ.\n\nIm Februar 2025 bei Ihrem Händler in Köln.\n\nGrüße\nJörg Bäcker"
    )
    assert "Seriennummer des Geräts" not in new_text
    assert "schrieb Kundenservice" not in new_text


def test_interleaved_bottom_posting_with_greeting_above_the_attribution() -> None:
    text = (
        "Hallo Frau Köhler,\n"
        "\n"
        "On Thu, Mar 12, 2026 at 10:15 AM Kundenservice <support@example.de> wrote:\n"
        "> Welche Farbe hatte der Stuhl?\n"
        "Anthrazit.\n"
        "> Und die Bestellnummer?\n"
        "100-4711\n"
    )
    new_text, had_history = split_reply(text)
    assert had_history is True
    assert new_text == "Hallo Frau Köhler,\n\nAnthrazit.\n100-4711"
    assert "Welche Farbe" not in new_text


def test_interleaved_answers_stop_at_the_next_history_marker() -> None:
    text = (
        "Am 12.03.2026 um 10:15 schrieb Kundenservice <support@example.de>:\n"
        "> Funktioniert der Zugang wieder?\n"
        "Nein, leider nicht.\n"
        "\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Von: Kundenservice <support@example.de>\n"
        "Gesendet: Montag, 9. März 2026 09:00\n"
        "An: kunde@example.de\n"
        "Betreff: Zugang\n"
        "\n"
        "Ältere Nachricht ohne Zitatzeichen.\n"
    )
    new_text, _ = split_reply(text)
    assert new_text == "Nein, leider nicht."


def test_interleaving_only_counts_unquoted_text_after_a_quote() -> None:
    # Top-posting above the attribution; below it only quotes: nothing from below is kept.
    text = f"Danke!\n\nAm 12.03.2026 um 10:15 schrieb Max Mustermann:\n{QUOTED_HISTORY}\n\n"
    assert split_reply(text) == ("Danke!", True)


@pytest.mark.parametrize(
    "text",
    [
        "-------- Weitergeleitete Nachricht --------\nBetreff: Angebot Überdachung\nDatum: Wed, 11 Mar 2026 16:20:04 "
        "+0000\nVon: Ralf Böhm <r.boehm@example.de>\nAn: Ute Löffler <u@example.de>\n\nSehr geehrte Frau Löffler,\n"
        "anbei unser Angebot.",
        "---------- Forwarded message ---------\nFrom: Ralf Böhm <r.boehm@example.de>\nDate: Wed, Mar 11, 2026 at "
        "5:20 PM\nSubject: Angebot Überdachung\nTo: <u@example.de>\n\nSehr geehrte Frau Löffler,\nanbei unser Angebot.",
        "Von: Ralf Böhm <r.boehm@example.de>\nGesendet: Mittwoch, 11. März 2026 17:20\nAn: Ute Löffler "
        "<u@example.de>\nBetreff: Angebot Überdachung\n\nSehr geehrte Frau Löffler,\nanbei unser Angebot.",
        "> Sehr geehrte Frau Löffler,\n> anbei unser Angebot.",
    ],
)
def test_pure_forward_is_never_empty(text: str) -> None:
    new_text, had_history = split_reply(text)
    assert new_text == text.strip()
    assert "anbei unser Angebot." in new_text
    assert had_history is True


def test_forward_with_a_note_keeps_the_note() -> None:
    text = (
        "Hallo Team, bitte übernehmen.\n\n---------- Forwarded message ---------\nFrom: Ralf Böhm <r@example.de>\n"
        "Date: Wed, Mar 11, 2026 at 5:20 PM\nSubject: Angebot\nTo: <u@example.de>\n\nanbei unser Angebot."
    )
    assert split_reply(text) == ("Hallo Team, bitte übernehmen.", True)


def test_blank_line_runs_are_collapsed() -> None:
    text = "Erste Zeile\n\n\n\n\nZweite Zeile\n\nAm 12.03.2026 um 10:15 schrieb Max:\n> alt"
    assert split_reply(text) == ("Erste Zeile\n\nZweite Zeile", True)
