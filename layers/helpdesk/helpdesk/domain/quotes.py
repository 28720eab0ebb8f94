"""The new part of a reply: the text above the quoted history, for previews and notifications.

Recognised history markers, per language in :data:`LANGUAGES` (German, English, French, Spanish,
Italian, Dutch, Portuguese, Polish, Russian), as Outlook, Outlook.com, Thunderbird, Apple Mail, Gmail,
GMX/web.de and Mail.ru write them:

* attribution lines: ``Am 12.03.2026 um 10:15 schrieb Max <max@example.com>:``,
  ``On Tue, Mar 12, 2026 at 10:15 AM Max <max@example.com> wrote:``, ``Le … a écrit :``,
  ``El … escribió:``, ``Il giorno … ha scritto:``, ``Op … schreef …:``, ``Em … escreveu:``,
  ``W dniu … pisze:``, ``… napisał(a):``, ``… пишет:`` (also wrapped over two lines). They need a
  date (a digit) between the opening words and the verb; those without opening words (Polish and
  Russian Gmail, Thunderbird) need a time;
* dashed rules: ``-----Ursprüngliche Nachricht-----``, ``-----Original Message-----``,
  ``-----Message d'origine-----``, ``-------- Weitergeleitete Nachricht --------`` …, also with the
  header block run into the same line;
* Outlook's header block: ``Von:``/``From:``/``De :``/``Da:``/``Van:``/``Od:``/``От:`` with at least
  two more header lines of the same language around it (``Gesendet:``/``Sent:``/``An:``/``Betreff:`` …;
  GMX/web.de, Outlook for Mac and Outlook.com/Hotmail put ``Gesendet:``/``Date:``/``Subject:`` above
  ``From:``), also after a ``_____`` rule line (Outlook.com's ``<hr>``, Outlook 2003's short rule);
* Apple Mail's forward line (``Anfang der weitergeleiteten Nachricht:``, ``Begin forwarded message:``)
  and a trailing run of ``>`` quoted lines.

Bottom-posting with interleaved quotes (an attribution line, then ``>`` quotes answered line by line)
keeps the answers. When the whole text is quote (a pure forward), the original text is kept so a
preview is never empty. Signatures and footers are left to :mod:`helpdesk.domain.signatures`.

Deliberately not cut: attribution-like sentences without a date (``Am Montag schrieb mir …:``),
header-like lists without a From line or with fewer than three header lines (``Von: 8 Uhr``),
quote headers of languages not in the table, and anything after a marker that a customer wrote
below the history (only interleaved answers between ``>`` quotes are kept).
"""

from __future__ import annotations

import re
from functools import cache


class Language:
    """How one language's mail programs mark the quoted history. (Plain classes here and below: a
    NamedTuple or dataclass costs half a millisecond or more of every cold start.)"""

    __slots__ = ("attributions", "dated", "fields", "forwards", "openers", "sender", "separators", "untitled", "verbs")

    def __init__(
        self,
        *,
        openers: tuple[str, ...],  # the words attribution lines begin with ("Am", "On"), to join wrapped ones
        attributions: tuple[str, ...],  # regexes for a whole attribution line; (?P<date>…) holds the date
        untitled: tuple[str, ...],  # attribution regexes without opening words: they need a time as well
        verbs: tuple[str, ...],  # one of these stands in each of its attribution lines (a cheap test first)
        separators: tuple[str, ...],  # the words between the dashes of a rule line
        forwards: tuple[str, ...],  # Apple Mail's line above a forwarded mail (without the colon)
        sender: tuple[str, ...],  # the From field of a quoted header block
        dated: tuple[str, ...],  # its fields that hold the date (sent, date)
        fields: tuple[str, ...],  # its other fields (to, cc, subject)
    ) -> None:
        self.openers = openers
        self.attributions = attributions
        self.untitled = untitled
        self.verbs = verbs
        self.separators = separators
        self.forwards = forwards
        self.sender = sender
        self.dated = dated
        self.fields = fields


_DATE = r"(?P<date>.{4,200}?)"
_REST = r"(?!\w).{0,200}:"  # after the verb: the name (Gmail, Apple Mail), then the colon

LANGUAGES: dict[str, Language] = {
    "de": Language(
        openers=("Am",),
        attributions=(rf"Am\s{_DATE}\sschrieb{_REST}", rf"Am\s{_DATE}\shat\s.{{1,200}}\sgeschrieben\s*:"),
        untitled=(),
        verbs=("schrieb", "geschrieben"),
        separators=(
            "Ursprüngliche Nachricht",
            r"Urspr\S*ngliche Nachricht",
            "Originalnachricht",
            "Original-Nachricht",
            "Weitergeleitete Nachricht",
        ),
        forwards=("Anfang der weitergeleiteten Nachricht",),
        sender=("Von",),
        dated=("Gesendet", "Datum"),
        fields=("An", "Cc", "Kopie", "Betreff"),
    ),
    "en": Language(
        openers=("On",),
        attributions=(rf"On\s{_DATE}\s(?:wrote|writes){_REST}",),
        untitled=(),
        verbs=("wrote", "writes"),
        separators=("Original Message", "Forwarded message"),
        forwards=("Begin forwarded message",),
        sender=("From",),
        dated=("Sent", "Date"),
        fields=("To", "Cc", "Bcc", "Subject"),
    ),
    "fr": Language(
        openers=("Le",),
        attributions=(rf"Le\s{_DATE}\sa\s+écrit{_REST}",),
        untitled=(),
        verbs=("écrit",),
        separators=("Message d['’]origine", "Message original", "Message transféré"),
        forwards=("Début du message réexpédié", "Début du message transféré"),
        sender=("De",),
        dated=("Envoyé", "Date"),
        fields=("À", "A", "Cc", "Objet", "Sujet", "Pour"),
    ),
    "es": Language(
        openers=("El",),
        attributions=(rf"El\s{_DATE}\sescribió{_REST}",),
        untitled=(),
        verbs=("escribió",),
        separators=("Mensaje original", "Mensaje reenviado"),
        forwards=("Inicio del mensaje reenviado",),
        sender=("De",),
        dated=("Enviado", "Enviado el", "Fecha"),
        fields=("Para", "CC", "Asunto"),
    ),
    "it": Language(
        openers=("Il",),
        attributions=(rf"Il\s{_DATE}\sha\s+scritto{_REST}",),
        untitled=(),
        verbs=("scritto",),
        separators=("Messaggio originale", "Messaggio inoltrato"),
        forwards=("Inizio messaggio inoltrato",),
        sender=("Da",),
        dated=("Inviato", "Data"),
        fields=("A", "Cc", "Oggetto"),
    ),
    "nl": Language(
        openers=("Op",),
        attributions=(rf"Op\s{_DATE}\sschreef{_REST}",),
        untitled=(),
        verbs=("schreef",),
        separators=("Oorspronkelijk bericht", "Origineel bericht", "Doorgestuurd bericht"),
        forwards=("Begin doorgestuurd bericht",),
        sender=("Van",),
        dated=("Verzonden", "Datum"),
        fields=("Aan", "CC", "Onderwerp"),
    ),
    "pt": Language(
        openers=("Em", "No dia", "A"),
        attributions=(rf"(?:Em|No dia|A)\s{_DATE}\sescreveu{_REST}",),
        untitled=(),
        verbs=("escreveu",),
        separators=("Mensagem original", "Mensagem encaminhada"),
        forwards=("Início da mensagem reencaminhada", "Início da mensagem encaminhada"),
        sender=("De",),
        dated=("Enviado", "Enviada", "Data"),
        fields=("Para", "Cc", "Assunto"),
    ),
    "pl": Language(
        openers=("W dniu",),
        attributions=(rf"W dniu\s{_DATE}\s(?:pisze|napisał\(a\)|napisała|napisał)\s*:",),
        untitled=(rf"{_DATE}\s(?:napisał\(a\)|napisała|napisał|pisze)\s*:",),  # Gmail
        verbs=("napisał", "pisze"),
        separators=("Oryginalna wiadomość", "Wiadomość oryginalna", "Przekazana wiadomość", "Wiadomość przekazana"),
        forwards=("Początek przekazywanej wiadomości",),
        sender=("Od",),
        dated=("Wysłano", "Wysłane", "Data"),
        fields=("Do", "DW", "Kopia", "Temat"),
    ),
    "ru": Language(
        openers=(),
        attributions=(),
        untitled=(
            rf"{_DATE}\s(?:пишет|написал\(а\)|написала|написал)\s*:",  # Thunderbird
            r"(?P<date>.{0,40}?\d{4}\sг\.\sв\s\d{1,2}:\d{2}),\s.{1,200}:",  # Gmail: no verb at all
            rf"{_DATE}\sот\s.{{1,200}}<[^<>@\s]+@[^<>\s]+>\s*:",  # Mail.ru: "…, 10:15 +03:00 от Max <…>:"
        ),
        verbs=("пишет", "написал", " г. в ", " от "),
        separators=("Исходное сообщение", "Пересылаемое сообщение", "Пересланное сообщение", "Оригинальное сообщение"),
        forwards=("Начало переадресованного сообщения",),
        sender=("От",),
        dated=("Отправлено", "Дата"),
        fields=("Кому", "Копия", "Тема"),
    ),
}


def _any(words: list[str]) -> str:
    """An alternation of ``words``, longest first ("Enviado el" before "Enviado")."""
    return "(?:" + "|".join(sorted(set(words), key=len, reverse=True)) + ")"


class _Rules:
    """The table, compiled."""

    def __init__(
        self,
        *,
        attributions: list[tuple[re.Pattern[str], bool]],  # (pattern, needs a time)
        verbs: tuple[str, ...],  # lower case
        openers: re.Pattern[str],
        separator: re.Pattern[str],
        forward: re.Pattern[str],
        sender: re.Pattern[str],
        fields: dict[str, re.Pattern[str]],  # language → any header field line of it (sender included)
        dated: dict[str, re.Pattern[str]],  # language → a date field line with a date (a digit) in it
        languages: dict[str, list[str]],  # sender word (lower case) → the languages that use it
    ) -> None:
        self.attributions = attributions
        self.verbs = verbs
        self.openers = openers
        self.separator = separator
        self.forward = forward
        self.sender = sender
        self.fields = fields
        self.dated = dated
        self.languages = languages


@cache
def _rules() -> _Rules:
    """The table compiled, once, on first use (not at import: a cold start pays for every import)."""
    langs = list(LANGUAGES.values())

    def every(kind: str) -> list[str]:
        return [word for lang in langs for word in getattr(lang, kind)]

    def field_line(words: list[str]) -> re.Pattern[str]:
        return re.compile(rf"^\s*\*?({_any(words)})\s*:\*?\s", re.IGNORECASE)

    senders: dict[str, list[str]] = {}
    for code, lang in LANGUAGES.items():
        for word in lang.sender:
            senders.setdefault(word.lower(), []).append(code)
    attributions = [(p, False) for p in every("attributions")] + [(p, True) for p in every("untitled")]
    return _Rules(
        attributions=[(re.compile(rf"^\s*{p}\s*$", re.IGNORECASE), time) for p, time in attributions],
        verbs=tuple(verb.lower() for verb in every("verbs")),
        openers=re.compile(rf"^\s*{_any(every('openers'))}\s.{{4,200}}$", re.IGNORECASE),
        # Outlook's rule, alone on its line or with the header block run into it.
        separator=re.compile(
            rf"^\s*\*?-{{2,}}\s*{_any(every('separators'))}\s*-{{2,}}\*?(?:\s*$|\s*{_any(every('sender'))}\s*:)",
            re.IGNORECASE,
        ),
        forward=re.compile(rf"^\s*{_any(every('forwards'))}\s*:\s*$", re.IGNORECASE),
        sender=field_line(every("sender")),
        fields={code: field_line([*lang.sender, *lang.dated, *lang.fields]) for code, lang in LANGUAGES.items()},
        dated={
            code: re.compile(rf"^\s*\*?{_any(list(lang.dated))}\s*:\*?\s.*\d", re.IGNORECASE)
            for code, lang in LANGUAGES.items()
        },
        languages=senders,
    )


_RULE = re.compile(r"^\s*_{5,}\s*$")
_TIME = re.compile(r"\d{1,2}[:.]\d{2}")


def _is_wrote(line: str) -> bool:
    # An attribution is one short line ending in a colon; other lines never are (and cost no regex time).
    if len(line) > 500 or not line.rstrip().endswith(":"):
        return False
    lowered = line.lower()
    if not any(verb in lowered for verb in _rules().verbs):  # substring tests are cheaper than the patterns
        return False
    for pattern, needs_time in _rules().attributions:
        match = pattern.match(line)
        date = match.group("date") if match else ""
        # A date (a digit) it needs; without opening words ("…, Max пишет:") a time as well.
        if any(ch.isdigit() for ch in date) and (not needs_time or _TIME.search(date)):
            return True
    return False


def _wrote_at(lines: list[str], index: int) -> int:
    """How many lines the attribution at ``index`` spans (1, or 2 when wrapped), or 0 when there is none."""
    line = lines[index]
    if _is_wrote(line):
        return 1
    if (
        index + 1 < len(lines)
        and len(line) <= 300
        and lines[index + 1].rstrip().endswith(":")
        and (_rules().openers.match(line) or _TIME.search(line))
        and _is_wrote(line + " " + lines[index + 1].strip())
    ):
        return 2
    return 0


def _block_start(lines: list[str], index: int, start: int) -> int | None:
    """Where a quoted header block with its From line at ``index`` begins, or None when there is none.

    A block is the From line and at least two more header lines of the same language, one of them a
    date: directly above it (GMX, Outlook for Mac, Hotmail) or within the five lines below it
    (Outlook). A rule line (``_____``) right above the block, or one blank line above that, belongs
    to it.
    """
    rules = _rules()
    match = rules.sender.match(lines[index])
    if not match:
        return None
    for code in rules.languages.get(match.group(1).lower(), []):
        fields = rules.fields[code]
        top = index
        while top > start and fields.match(lines[top - 1]):
            top -= 1
        below = [line for line in lines[index + 1 : index + 6] if line.strip() and fields.match(line)]
        block = lines[top:index] + below
        if len(block) >= 2 and any(rules.dated[code].match(line) for line in block):
            for above in (1, 2):  # the rule, or the rule and a blank line
                between = lines[top - above + 1 : top]
                if top - above >= start and _RULE.match(lines[top - above]) and not "".join(between).strip():
                    return top - above
            return top
    return None


def _marker(lines: list[str], start: int = 0) -> tuple[int, int] | None:
    """``(index, attribution lines)`` of the first history marker from ``start``; 0 lines for blocks."""
    rules = _rules()
    for i in range(start, len(lines)):
        line = lines[i]
        span = _wrote_at(lines, i)
        if span:
            return i, span
        if rules.separator.match(line) or rules.forward.match(line):
            return i, 0
        top = _block_start(lines, i, start)
        if top is not None:
            return top, 0
    return None


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _answers_below(lines: list[str]) -> list[str]:
    """Unquoted lines between ``>`` quotes below an attribution: a bottom-posted, interleaved reply."""
    end = _marker(lines)
    rest = lines if end is None else lines[: end[0]]
    seen_quote = False
    answered = False
    for line in rest:
        if _quoted(line):
            seen_quote = True
        elif line.strip() and seen_quote:
            answered = True
            break
    if not answered:
        return []
    return [line for line in rest if not _quoted(line)]


def _strip_quotes(head: list[str]) -> list[str]:
    """Without ``>`` quoted lines; a trailing quote block goes with the blank lines around it."""
    end = len(head)
    while end and (not head[end - 1].strip() or _quoted(head[end - 1])):
        end -= 1
    return [line for line in head[:end] if not _quoted(line)]


def split_reply(text: str) -> tuple[str, bool]:
    """``(new_text, had_history)``: the text above the first history marker, trimmed.

    Below an attribution line, answers written between the quoted lines are kept as well.
    """
    if not text:
        return "", False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = _marker(lines)
    head = lines if found is None else lines[: found[0]]
    answers: list[str] = []
    if found is not None and found[1]:
        answers = _answers_below(lines[found[0] + found[1] :])
    body = _strip_quotes(head)
    had_history = found is not None or any(_quoted(line) for line in head)
    if answers:
        body = [*body, "", *answers]
    new_text = "\n".join(body).strip()
    if not new_text:
        return text.strip(), had_history
    return re.sub(r"\n{3,}", "\n\n", new_text), had_history
