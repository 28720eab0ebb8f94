"""What the new text of a mail drops at its end: signatures, sign-offs, mobile and mailing-list footers.

Only ``new_text`` (previews, notifications) loses them; the mail's full text keeps every line. Rules,
each applied at the end of the text, repeatedly, until none applies:

* a ``-- `` line (RFC 3676) with at most 40 lines below it, or a ``--`` line (the space lost on the
  way) with at most 10 short lines below it (signature-like: none longer than 80 characters);
* a mobile footer as the last line (:data:`MOBILE_FOOTERS`: "Von meinem iPhone gesendet",
  "Sent from my …", "Get Outlook for iOS" …);
* a mailing-list footer: a line of underscores and at most 10 lines below it, one of which speaks
  of the list (:data:`LIST_WORDS`: "mailing list", "unsubscribe", "listinfo" …);
* a sign-off block: a greeting alone on its line (:data:`SIGN_OFFS`, per language: "Viele Grüße",
  "Best,", "Cordialement", "С уважением" …, also "… aus Würzburg") followed by at most 8 short lines
  (name, title, company, address, phone: none longer than 80 characters) and blank lines.

Deliberately not cut: a bare name without a greeting above it; thanks ("Danke!", "Thanks,", "Vielen
Dank im Voraus"), which carry meaning; a greeting and a name on one line ("Best, Jeff"); a sign-off
block with a PS, a question or a long line below it, or with more than 8 lines; a ``--`` line before
prose; a rule line without list words below it; and anything that would leave the new text empty
(a mail that is nothing but a signature keeps it).
"""

from __future__ import annotations

import re
from functools import cache

# Greetings that close a mail, per language (regexes, matched against a whole line, case-insensitive).
SIGN_OFFS: dict[str, tuple[str, ...]] = {
    "de": (
        r"(?:mit\s+)?(?:(?:viele|vielen|liebe|lieben|beste|besten|schöne|schönen|herzliche|herzlichen|freundliche|"
        r"freundlichen|sonnige|sonnigen|frohe|kollegiale|kollegialen)\s+)?gr(?:ü|ue|u)(?:ß|ss)(?:e|en)?",
        r"mit\s+freundlichem\s+gru(?:ß|ss)",
        r"(?:mfg|lg|vg|bg|gruß|gruss)",
    ),
    "en": (
        r"(?:best|kind|kindest|warm|warmest|many|with\s+best)?\s*(?:regards|wishes)",
        r"best",
        r"cheers",
        r"(?:yours\s+)?(?:sincerely|faithfully|truly)(?:\s+yours)?",
        r"all\s+the\s+best",
        r"take\s+care",
        r"(?:br|kr|rgds)",
    ),
    "fr": (
        r"(?:bien\s+)?cordialement",
        r"bien\s+à\s+(?:vous|toi)",
        r"(?:meilleures|sincères|bonnes)?\s*salutations(?:\s+distinguées)?",
        r"amicalement",
        r"bises",
    ),
    "es": (
        r"(?:un\s+)?(?:cordial\s+)?saludos?(?:\s+cordiales)?",
        r"atentamente",
        r"cordialmente",
        r"un\s+abrazo",
    ),
    "it": (
        r"(?:cordiali|distinti|tanti|un)?\s*salut[io]",
        r"cordialmente",
        r"a\s+presto",
    ),
    "nl": (
        r"(?:met\s+)?(?:vriendelijke|hartelijke|beste)?\s*groet(?:en)?",
        r"mvg",
    ),
    "pt": (
        r"atenciosamente",
        r"(?:melhores\s+)?cumprimentos",
        r"(?:um\s+)?abraços?",
        r"saudações",
    ),
    "pl": (
        r"(?:serdecznie\s+)?pozdrawiam(?:\s+serdecznie)?",
        r"pozdrowienia",
        r"z\s+poważaniem",
        r"z\s+wyrazami\s+szacunku",
    ),
    "ru": (
        r"с\s+уважением",
        r"с\s+наилучшими\s+пожеланиями",
        r"всего\s+(?:доброго|хорошего)",
    ),
}
# "Schöne Grüße aus Würzburg", "Greetings from Berlin": a greeting may name where it comes from.
_FROM_PLACE = r"(?:\s+(?:aus|from|de|desde|da|dalla|uit|van|z|из)\s+\S.{0,30}?)?"

# The last line that mail apps on phones (and Windows Mail) add, per language.
MOBILE_FOOTERS: dict[str, tuple[str, ...]] = {
    "de": (
        r"von\s+meinem\s+.{1,60}\s+gesendet",
        r"gesendet\s+(?:von|mit)\s+(?:meinem|meiner|der)\s+.{1,60}",
        r"gesendet\s+von\s+mail\s+für\s+windows(?:\s+1[01])?",
        r"(?:outlook\s+für\s+(?:ios|android)\s+(?:beziehen|herunterladen)|holen\s+sie\s+sich\s+outlook\s+für\s+"
        r"(?:ios|android)).{0,80}",
    ),
    "en": (
        r"sent\s+from\s+my\s+.{1,60}",
        r"sent\s+from\s+(?:mail\s+for\s+windows(?:\s+1[01])?|outlook\s+for\s+(?:ios|android)|yahoo\s+mail\s+.{1,30}|"
        r"aol\s+mobile\s+mail)",
        r"get\s+outlook\s+for\s+(?:ios|android).{0,80}",
        r"sent\s+via\s+the\s+samsung\s+.{1,60}",
    ),
    "fr": (r"envoyé\s+(?:de|depuis)\s+mon\s+.{1,60}", r"obtenir\s+outlook\s+pour\s+(?:ios|android).{0,80}"),
    "es": (r"enviado\s+desde\s+mi\s+.{1,60}", r"obtener\s+outlook\s+para\s+(?:ios|android).{0,80}"),
    "it": (r"inviato\s+da\s+(?:iphone|ipad|android)", r"inviato\s+dal\s+mio\s+.{1,60}"),
    "nl": (r"(?:verzonden|verstuurd)\s+(?:vanaf|met)\s+(?:mijn\s+)?.{1,60}",),
    "pt": (r"enviado\s+(?:do|a\s+partir\s+do)\s+meu\s+.{1,60}",),
    "pl": (r"wysłan[eo]\s+z\s+(?:mojego\s+)?.{1,60}",),
    "ru": (r"отправлено\s+(?:с|из)\s+.{1,60}",),
}
# The devices and apps that the open phrases ("Sent from my …") must name to count as a footer
# (matched at the start of a word: "Mobiltelefon", "Mail", not "email" or "happy").
DEVICES = (
    "iphone",
    "ipad",
    "android",
    "samsung",
    "galaxy",
    "smartphone",
    "mobil",
    "handy",
    "telefon",
    "phone",
    "blackberry",
    "huawei",
    "xiaomi",
    "pixel",
    "outlook",
    "mail",
    "почт",
    "app",
    "tablet",
)

# What a mailing-list footer below a line of underscores speaks of.
LIST_WORDS = (
    "mailing list",
    "mailinglist",
    "mailingliste",
    "listinfo",
    "unsubscribe",
    "abbestellen",
    "abmelden",
    "austragen",
    "désinscri",
    "desinscri",
    "darse de baja",
    "disiscriviti",
    "afmelden",
    "wypisać",
    "отписаться",
    "googlegroups.com",
)

MAX_SIGNATURE_LINES = 40  # below "-- "
MAX_DASHES_LINES = 10  # below "--"
MAX_SIGN_OFF_LINES = 8  # non-empty lines below a greeting
MAX_SHORT_LINE = 80  # the longest line a signature-like block may have


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(sign-off line, mobile footer line, underscore rule, device name), compiled on first use."""
    sign_offs = "|".join(p for patterns in SIGN_OFFS.values() for p in patterns)
    mobile = "|".join(p for patterns in MOBILE_FOOTERS.values() for p in patterns)
    return (
        re.compile(rf"\s*(?:{sign_offs}){_FROM_PLACE}\s*[,.!]?\s*", re.IGNORECASE),
        re.compile(rf"\s*(?:{mobile})\s*[.!]?\s*", re.IGNORECASE),
        re.compile(r"\s*_{4,}\s*"),
        re.compile(r"(?<!\w)(?:" + "|".join(DEVICES) + ")", re.IGNORECASE),
    )


def _short(lines: list[str], limit: int) -> bool:
    """Signature-like: at most ``limit`` non-empty lines, none longer than MAX_SHORT_LINE."""
    filled = [line for line in lines if line.strip()]
    return len(filled) <= limit and all(len(line.strip()) <= MAX_SHORT_LINE for line in filled)


def _content(line: str) -> bool:
    """A line below a greeting that is content, not signature: a PS or a question."""
    stripped = line.strip()
    return stripped.endswith("?") or re.match(r"p\.?\s?p?\.?\s?s\b", stripped, re.IGNORECASE) is not None


def _cut_at(lines: list[str]) -> int | None:
    """Where the first signature element at the end of ``lines`` begins, or None."""
    sign_off, mobile, rule, _ = _patterns()
    last = len(lines)
    while last and not lines[last - 1].strip():
        last -= 1
    if not last:
        return None
    if mobile.fullmatch(lines[last - 1]) and _mobile_device(lines[last - 1]):
        return last - 1
    window = range(max(0, last - MAX_SIGNATURE_LINES - 1), last)
    for i in window:
        line = lines[i].rstrip("\r")
        below = lines[i + 1 : last]
        if line == "-- ":
            return i
        if line.strip() == "--" and _short(below, MAX_DASHES_LINES):
            return i
        if rule.fullmatch(line) and _short(below, 10) and any(w in "\n".join(below).lower() for w in LIST_WORDS):
            return i
        if sign_off.fullmatch(line) and _short(below, MAX_SIGN_OFF_LINES) and not any(_content(b) for b in below):
            return i
    return None


def _mobile_device(line: str) -> bool:
    """The open phrases ("Sent from my …") must name a device or app; "Sent from my heart" is prose."""
    return _patterns()[3].search(line) is not None and len(line.strip()) <= MAX_SHORT_LINE


def strip_signature(text: str) -> str:
    """``text`` without the signature elements at its end (see the module doc); never empty if text is not."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut_any = False
    for _ in range(6):  # a footer below a signature below a sign-off …: each round cuts one
        cut = _cut_at(lines)
        if cut is None or not "\n".join(lines[:cut]).strip():
            break
        lines, cut_any = lines[:cut], True
    return "\n".join(lines).rstrip() if cut_any else text
