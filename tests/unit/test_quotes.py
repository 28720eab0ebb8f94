"""split_reply: the new part of a reply, with the history markers real mail programs write."""

from __future__ import annotations

import pytest

from helpdesk.domain.quotes import split_reply

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
    # ---- issue 18: attributions, Outlook blocks and dashed rules in more languages
    "gmail-fr-thunderbird": f"{REPLY}\n\nLe 12/03/2026 à 10:15, Max Mustermann a écrit :\n{QUOTED_HISTORY}\n",
    "gmail-es": (
        f"{REPLY}\n\nEl jue, 12 mar 2026 a las 10:15, Max (<max@example.com>) escribió:\n\n{QUOTED_HISTORY}\n"
    ),
    "thunderbird-es": f"{REPLY}\n\nEl 12/03/26 a las 10:15, Max Mustermann escribió:\n{QUOTED_HISTORY}\n",
    "gmail-it": (
        f"{REPLY}\n\nIl giorno gio 12 mar 2026 alle ore 10:15 Max <max@example.com> ha scritto:\n\n{QUOTED_HISTORY}\n"
    ),
    "thunderbird-it": f"{REPLY}\n\nIl 12/03/2026 10:15, Max Mustermann ha scritto:\n{QUOTED_HISTORY}\n",
    "gmail-nl": f"{REPLY}\n\nOp do 12 mrt 2026 om 10:15 schreef Max <max@example.com>:\n\n{QUOTED_HISTORY}\n",
    "thunderbird-nl": f"{REPLY}\n\nOp 12-03-2026 om 10:15 schreef Max Mustermann:\n{QUOTED_HISTORY}\n",
    "gmail-pt-br": (
        f"{REPLY}\n\nEm qui., 12 de mar. de 2026 às 10:15, Max <max@example.com> escreveu:\n\n{QUOTED_HISTORY}\n"
    ),
    "gmail-pt-pt": f"{REPLY}\n\nA quinta, 12/03/2026, 10:15, Max <max@example.com> escreveu:\n\n{QUOTED_HISTORY}\n",
    "gmail-pl": f"{REPLY}\n\nczw., 12 mar 2026 o 10:15 Max <max@example.com> napisał(a):\n\n{QUOTED_HISTORY}\n",
    "thunderbird-pl": f"{REPLY}\n\nW dniu 12.03.2026 o 10:15, Max Mustermann pisze:\n{QUOTED_HISTORY}\n",
    "gmail-ru": f"{REPLY}\n\nчт, 12 мар. 2026 г. в 10:15, Max <max@example.com>:\n\n{QUOTED_HISTORY}\n",
    "thunderbird-ru": f"{REPLY}\n\n12.03.2026 10:15, Max Mustermann пишет:\n{QUOTED_HISTORY}\n",
    "mailru-ru": (
        f"{REPLY}\n\nЧетверг, 12 марта 2026, 10:15 +03:00 от Max Mustermann <max@example.com>:\n{QUOTED_HISTORY}\n"
    ),
    "gmail-es-wrapped": (
        f"{REPLY}\n\nEl jue, 12 mar 2026 a las 10:15, Kundenservice Büromöbel Schäfer (<\n"
        f"service@bueromoebel-schaefer.example>) escribió:\n\n{QUOTED_HISTORY}\n"
    ),
    "gmail-pl-wrapped": (
        f"{REPLY}\n\nczw., 12 mar 2026 o 10:15 Kundenservice Büromöbel Schäfer <\n"
        f"service@bueromoebel-schaefer.example> napisał(a):\n\n{QUOTED_HISTORY}\n"
    ),
    "outlook-original-message-fr": (
        f"{REPLY}\n\n-----Message d'origine-----\nDe : Sabine Köhler <support@example.de>\n"
        f"Envoyé : mercredi 11 mars 2026 16:40\nÀ : j@example.de\nObjet : Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-original-message-es": f"{REPLY}\n\n-----Mensaje original-----\nDe: support@example.de\n\n{HISTORY}\n",
    "outlook-original-message-it": f"{REPLY}\n\n-----Messaggio originale-----\nDa: support@example.de\n\n{HISTORY}\n",
    "outlook-original-message-nl": (
        f"{REPLY}\n\n-----Oorspronkelijk bericht-----\nVan: support@example.de\n\n{HISTORY}\n"
    ),
    "outlook-original-message-pt": f"{REPLY}\n\n-----Mensagem original-----\nDe: support@example.de\n\n{HISTORY}\n",
    "outlook-original-message-pl": f"{REPLY}\n\n-----Oryginalna wiadomość-----\nOd: support@example.de\n\n{HISTORY}\n",
    "outlook-original-message-ru": f"{REPLY}\n\n-----Исходное сообщение-----\nОт: support@example.de\n\n{HISTORY}\n",
    "outlook-original-message-one-line": (
        f"{REPLY}\n\n-----Original Message----- From: Sabine Köhler <support@example.de> Sent: Wednesday, "
        f"March 11, 2026 4:40 PM To: j@example.de Subject: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-express-spaced": f"{REPLY}\n\n----- Original Message ----- \nFrom: support@example.de\n\n{HISTORY}\n",
    "outlook-block-fr": (
        f"{REPLY}\n\nDe : Sabine Köhler <support@example.de>\nEnvoyé : mardi 10 mars 2026 14:02\n"
        f"À : Jörg Bäcker <j@example.de>\nObjet : Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-es": (
        f"{REPLY}\n\nDe: Sabine Köhler <support@example.de>\nEnviado: martes, 10 de marzo de 2026 14:02\n"
        f"Para: Jörg Bäcker <j@example.de>\nAsunto: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-it": (
        f"{REPLY}\n\nDa: Sabine Köhler <support@example.de>\nInviato: martedì 10 marzo 2026 14:02\n"
        f"A: Jörg Bäcker <j@example.de>\nOggetto: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-nl": (
        f"{REPLY}\n\nVan: Sabine Köhler <support@example.de>\nVerzonden: dinsdag 10 maart 2026 14:02\n"
        f"Aan: Jörg Bäcker <j@example.de>\nOnderwerp: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-pt": (
        f"{REPLY}\n\nDe: Sabine Köhler <support@example.de>\nEnviado: terça-feira, 10 de março de 2026 14:02\n"
        f"Para: Jörg Bäcker <j@example.de>\nAssunto: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-pl": (
        f"{REPLY}\n\nOd: Sabine Köhler <support@example.de>\nWysłano: wtorek, 10 marca 2026 14:02\n"
        f"Do: Jörg Bäcker <j@example.de>\nTemat: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-block-ru": (
        f"{REPLY}\n\nОт: Sabine Köhler <support@example.de>\nОтправлено: 10 марта 2026 г. 14:02\n"
        f"Кому: Jörg Bäcker <j@example.de>\nТема: Unterlagen\n\n{HISTORY}\n"
    ),
    "outlook-com-rule-block-en": (
        f"{REPLY}\n\n________________________________\nFrom: Sabine Köhler <support@example.de>\n"
        f"Sent: Tuesday, March 10, 2026 2:02 PM\nTo: Jörg Bäcker <j@example.de>\nSubject: Unterlagen\n\n{HISTORY}\n"
    ),
    "hotmail-date-subject-above-from": (
        f"{REPLY}\n\n________________________________\nDate: Tue, 10 Mar 2026 14:02:00 +0100\n"
        f"Subject: Unterlagen\nFrom: support@example.de\nTo: j@example.de\n\n{HISTORY}\n"
    ),
    "hotmail-date-subject-above-from-no-rule": (
        f"{REPLY}\n\nDate: Tue, 10 Mar 2026 14:02:00 +0100\nSubject: Unterlagen\nFrom: support@example.de\n"
        f"To: j@example.de\n\n{HISTORY}\n"
    ),
    "outlook-2003-short-rule": (
        f"{REPLY}\n\n  _____  \n\nFrom: Sabine Köhler [mailto:support@example.de] \nSent: Tuesday, March 10, 2026 "
        f"2:02 PM\nTo: j@example.de\nSubject: Unterlagen\n\n{HISTORY}\n"
    ),
    "apple-mail-forward-de": (
        f"{REPLY}\n\nAnfang der weitergeleiteten Nachricht:\n\nVon: Sabine Köhler <support@example.de>\n{HISTORY}\n"
    ),
    "apple-mail-forward-fr": f"{REPLY}\n\nDébut du message réexpédié :\n\nDe: support@example.de\n{HISTORY}\n",
    "thunderbird-forward-fr": (
        f"{REPLY}\n\n-------- Message transféré --------\nSujet : Unterlagen\nDe : support@example.de\n\n{HISTORY}\n"
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
    assert split_reply(MARKED[name])[0] == new_text


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
        # The same in the other languages of the table: no date, or no attribution form.
        "Bonjour,\n\nLe client a écrit :\n- une lettre\n- un courriel",
        "Hola,\n\nEl técnico escribió:\n- nada",
        "Ciao,\n\nIl tecnico ha scritto:\n- niente",
        "Hallo,\n\nOp maandag schreef ik:\n- niets",
        "Olá,\n\nEm março o técnico escreveu:\n- nada",
        "Dzień dobry,\n\nKlient 4711 napisał:\n- nic",
        "Здравствуйте,\n\nКлиент 4711 пишет:\n- ничего",
        "Здравствуйте,\n\nПисьмо 12.03 в 10:15 от бухгалтерии:\n- ничего",
        "Q&A:\nDa: Roma\nA: Milano\nOggetto: treno",  # Italian words, but no From line with two more below
        "Bonjour,\n\nDe : 8 h\nÀ : 17 h\n\nCordialement",
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
