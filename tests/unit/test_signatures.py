"""strip_signature: what new_text drops at its end (issue 18, class 6), and what it deliberately keeps."""

from __future__ import annotations

import pytest

from helpdesk.domain.mail import parse_mail
from helpdesk.domain.signatures import strip_signature

BODY = "Hallo Frau Köhler,\n\ndie Heizung im 2. OG fällt seit heute Morgen aus. Können Sie jemanden schicken?"

CUT = {
    # "-- " (RFC 3676) and "--" (the space lost on the way) separated signatures
    "dash-dash-space": f"{BODY}\n\n-- \nJörg Bäcker\nBäcker Haustechnik GmbH\nTel. 089 123456",
    "dash-dash": f"{BODY}\n\n--\nJörg Bäcker\nTel. 089 123456",
    "dash-dash-long-disclaimer": (
        f"{BODY}\n\n-- \nJörg Bäcker\n\nDiese E-Mail enthält vertrauliche Informationen. Wenn Sie nicht der richtige "
        "Adressat sind, informieren Sie bitte sofort den Absender und vernichten Sie diese Mail.\n"
        "Amtsgericht München HRB 12345, Geschäftsführer: Jörg Bäcker"
    ),
    # short sign-off blocks, per language
    "de-viele-gruesse": f"{BODY}\n\nViele Grüße\nMax",
    "de-mfg-block": (
        f"{BODY}\n\nMit freundlichen Grüßen\n\nJürgen Weiß\nBauleitung\n\nWeiß Bau GmbH & Co. KG\n"
        "Lindwurmstraße 12 · 80337 München\nTel. +49 89 1234567"
    ),
    "de-gruesse-aus": f"{BODY}\n\nSchöne Grüße aus Würzburg\nGünther Föhr\nFöhr Elektrotechnik",
    "de-gruss-ss": f"{BODY}\n\nFreundliche Grüsse\nMax Muster",
    "de-lg": f"{BODY}\n\nLG\nMax",
    "en-best": f"{BODY}\n\nBest,\nJeff",
    "en-kind-regards": f"{BODY}\n\nKind regards,\n\nJeff Smith\nHead of Facilities | ACME Ltd.\n+44 20 7946 0000",
    "en-cheers": f"{BODY}\n\nCheers!\nJeff",
    "fr-cordialement": f"{BODY}\n\nCordialement,\nMarie Dupont",
    "fr-bien-a-vous": f"{BODY}\n\nBien à vous,\nMarie",
    "es-saludos": f"{BODY}\n\nUn saludo,\nJuan",
    "it-cordiali-saluti": f"{BODY}\n\nCordiali saluti\nMario Rossi",
    "nl-met-vriendelijke-groet": f"{BODY}\n\nMet vriendelijke groet,\n\nJan de Vries",
    "pt-atenciosamente": f"{BODY}\n\nAtenciosamente,\nJoão Silva",
    "pl-pozdrawiam": f"{BODY}\n\nPozdrawiam\nJan Kowalski",
    "ru-s-uvazheniem": f"{BODY}\n\nС уважением,\nИван Петров",
    # mobile footers
    "de-iphone": f"{BODY}\n\nVon meinem iPhone gesendet",
    "de-gesendet-von": f"{BODY}\n\nGesendet von meinem Samsung Galaxy Smartphone.",
    "de-webde-app": f"{BODY}\n\nGesendet mit der WEB.DE Mail App",
    "en-sent-from-my": f"{BODY}\n\nSent from my iPhone",
    "en-android": f"{BODY}\n\nSent from my Android device with Gmail",
    "en-outlook-ios": f"{BODY}\n\nGet Outlook for iOS<https://aka.ms/o0ukef>",
    "en-mail-for-windows": f"{BODY}\n\nSent from Mail for Windows",
    "fr-iphone": f"{BODY}\n\nEnvoyé de mon iPhone",
    "es-iphone": f"{BODY}\n\nEnviado desde mi iPhone",
    "it-iphone": f"{BODY}\n\nInviato da iPhone",
    "nl-iphone": f"{BODY}\n\nVerzonden vanaf mijn iPhone",
    "pt-iphone": f"{BODY}\n\nEnviado do meu iPhone",
    "pl-iphone": f"{BODY}\n\nWysłane z mojego iPhone'a",
    "ru-iphone": f"{BODY}\n\nОтправлено с iPhone",
    # mailing-list footers
    "mailman-footer": (
        f"{BODY}\n\n_______________________________________________\nhaustechnik mailing list\n"
        "haustechnik@lists.example.org\nhttps://lists.example.org/mailman/listinfo/haustechnik"
    ),
    "google-groups-footer": (
        f"{BODY}\n\n-- \nYou received this message because you are subscribed to the Google Groups "
        '"Haustechnik" group.\nTo unsubscribe from this group and stop receiving emails from it, send an email to '
        "haustechnik+unsubscribe@googlegroups.com."
    ),
    # combinations, from the end up
    "sign-off-then-iphone": f"{BODY}\n\nViele Grüße\nMax\n\nVon meinem iPhone gesendet",
    "sign-off-then-signature": (
        f"{BODY}\n\nMit freundlichen Grüßen\nSabine Körner\n\n-- \nSabine Körner\n"
        "Körner Immobilien · Schillerstraße 4 · 04109 Leipzig"
    ),
    "sign-off-then-list-footer": (
        f"{BODY}\n\nBest,\nJeff\n\n____\nhaustechnik mailing list -- unsubscribe: https://lists.example.org/u"
    ),
    "crlf": f"{BODY}\r\n\r\nViele Grüße\r\nMax",
}


@pytest.mark.parametrize("name", sorted(CUT))
def test_signature_is_cut(name: str) -> None:
    assert strip_signature(CUT[name]) == BODY


KEPT = [
    # Deliberately not cut: what reads as content, or too long for a signature.
    f"{BODY}\n\nMax",  # a bare name (no sign-off above it)
    f"{BODY}\n\nDanke!\nMax",  # thanks carry meaning; not a sign-off
    f"{BODY}\n\nVielen Dank im Voraus\nMax",
    f"{BODY}\n\nThanks,\nJeff",
    f"{BODY}\n\nBest, Jeff",  # sign-off and name on one line
    f"{BODY}\n\nLG Max",
    f"{BODY}\n\nViele Grüße\nMax\n\nPS: Der Schlüssel liegt beim Hausmeister.",  # a PS is content
    f"{BODY}\n\nViele Grüße\nMax\nKönnen Sie bitte auch den Zähler ablesen?",  # a question after it
    f"{BODY}\n\nGrüße\n" + "\n".join(f"Zeile {i}" for i in range(12)),  # too many lines for a sign-off block
    f"{BODY}\n\nGrüße an das ganze Team, das uns letzte Woche so schnell und freundlich geholfen hat\nMax",
    f"{BODY}\n--\nTeil 2: Die Warmwasserbereitung funktioniert auch nicht, seit der Monteur letzte Woche da war und "
    "das Ventil getauscht hat, kommt nur noch lauwarmes Wasser.",  # "--" before prose: a divider
    f"{BODY}\n\n____\nNotizen:\nBitte vor 10 Uhr anrufen.",  # a rule without a list footer
    f"{BODY}\n\nSent from my heart to yours, thank you for the fast help with the heating last week.",
    f"{BODY}\n\nSent from my happy place: the email with the plans follows.",  # "app", "mail" inside words
]


@pytest.mark.parametrize("text", KEPT)
def test_content_is_not_cut(text: str) -> None:
    assert strip_signature(text) == text


@pytest.mark.parametrize(
    "text",
    ["Viele Grüße\nMax", "-- \nJörg Bäcker\nTel. 089 123456", "Von meinem iPhone gesendet", "Best,\nJeff"],
)
def test_nothing_but_a_signature_stays(text: str) -> None:
    assert strip_signature(text) == text


def test_new_text_drops_the_signature_and_text_keeps_it() -> None:
    raw = (
        "From: Jörg Bäcker <j@example.de>\r\nTo: support@example-helpdesk.de\r\nSubject: Heizung\r\n"
        "Message-ID: <sig@example.de>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + CUT["sign-off-then-signature"].replace("\n", "\r\n")
        + "\r\n\r\nAm 12.03.2026 um 10:15 schrieb Kundenservice <support@example-helpdesk.de>:\r\n> alt\r\n"
    ).encode()
    mail = parse_mail(raw)
    assert mail.new_text == BODY
    assert mail.text.startswith(CUT["sign-off-then-signature"])
