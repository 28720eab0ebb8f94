"""Full-text search, the pure part: how text becomes index terms and a query becomes what to look up.

* **Folding**: lower case, accents dropped (``é`` → ``e``), ``ß`` → ``ss``; German umlauts both ways:
  a word with ``ü`` is indexed as ``u`` *and* ``ue`` (``müller`` → ``muller``, ``mueller``), and a word
  written with ``ue`` also without it (``mueller`` → ``muller``), so ``muller``, ``müller`` and
  ``mueller`` all find each other. A query folds umlauts to the plain vowel only.
* **Keys**: the index stores, per ticket, one posting per *key*: the first 4 and the first 6 letters of
  each word (a word shorter than 4 letters is its own key, matched whole). A posting lists the words
  of the ticket that start with its key, so ``Seriennum`` reads the postings of ``serien`` and keeps
  the tickets with a word starting with ``seriennum``: prefixes cost no extra items per word.
* **Stop words** (German and English) are neither indexed nor looked up.
* **Ticket numbers**: ``T-2026-000042``, ``2026-000042``, ``000042`` and ``42`` are all the word ``42``
  (digits lose leading zeros); the ticket's own number is indexed as that word in the field ``number``.

Compounds are not split (``Seriennummer`` is found by ``serien…``, not by ``nummer``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import field

from .dataclass import dataclass

SHORT = 4  # the short prefix key; words shorter than this are keys of their own (matched whole)
LONG = 6  # the long prefix key
MAX_WORD = 40  # longer "words" (hashes, base64) are cut here
MAX_WORDS = 5000  # distinct words indexed per ticket (the rest is not searchable; bounded item size)
MAX_QUERY_TERMS = 8

# Fields a word was found in (a bit mask per posting; ranking prefers the subject).
SUBJECT, BODY, COMMENT, CUSTOMER, ATTACHMENT, NUMBER = 1, 2, 4, 8, 16, 32

_STOP_TEXT = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes auch auf aus
    bei bin bis bist da damit dann das dass dein deine dem den der des dessen deshalb die dies diese diesem
    diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwas euch euer eure für hab
    habe haben hat hatte hier hin hinter ich ihm ihn ihnen ihr ihre im in indem ins ist ja jede jedem jeden
    jeder jedes jetzt kann kein keine können man mich mir mit muss nach nicht nichts noch nun nur ob oder ohne
    sehr sein seine sich sie sind so soll sollte sondern sonst über um und uns unser unsere unter vom von vor
    wann war waren warum was weil weiter wenn wer werde werden wie wieder will wir wird wo wurde zu zum zur
    zwar a about after all also am an and any are as at be because been but by can could did do does for from
    had has have he her here him his how i if in into is it its just me my no not of on or our out she so than
    that the their them then there these they this those to too us was we were what when where which who why
    will with would you your
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())  # German and English

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# T-2026-000042, t2026-42, 2026-000042: a prefix of letters, an optional year, the sequence
_NUMBER = re.compile(r"^(?:[a-z]{1,5}-?)?(?:\d{4}-)?0*(\d+)$")
_UMLAUT_VARIANTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UMLAUT_PLAIN = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
_DIGRAPH = re.compile(r"(?<![qe])([aou])e")  # "ue" in "mueller", not in "quelle" or "feuer"


def _strip_accents(text: str) -> str:
    """Lower-cased, ``ß`` → ``ss``, accents dropped, umlauts kept (they are folded separately)."""
    text = text.lower().replace("ß", "ss").replace("ẞ", "ss")
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if ch == "\u0308" and out and out[-1] in "aou":  # the umlaut's two dots: keep ä, ö, ü
                out[-1] = unicodedata.normalize("NFC", out[-1] + ch)
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _digits(word: str) -> str:
    return word.lstrip("0") or "0" if word.isdigit() else word


def fold_query_word(word: str) -> str:
    """A query word as it is looked up: umlauts to the plain vowel, digits without leading zeros."""
    return _digits(_strip_accents(word).translate(_UMLAUT_PLAIN))[:MAX_WORD]


def sort_text(text: str) -> str:
    """A text as it sorts: folded like a query word (``Weiß`` → ``weiss``, ``Özdemir`` → ``ozdemir``),
    spaces kept, so ``Ärger`` sorts beside ``Anger`` and not after ``Zander``."""
    return " ".join(_strip_accents(text).translate(_UMLAUT_PLAIN).split())


def index_forms(word: str) -> set[str]:
    """Every form a word of the text is indexed under (see the module's docstring)."""
    base = _strip_accents(word)[:MAX_WORD]
    if base.isdigit():
        return {_digits(base)}
    forms = {base.translate(_UMLAUT_PLAIN)}
    if any(ch in base for ch in "äöü"):
        forms.add(base.translate(_UMLAUT_VARIANTS))
    elif _DIGRAPH.search(base):
        forms.add(_DIGRAPH.sub(r"\1", base))
    return {f[:MAX_WORD] for f in forms}


def words(text: str) -> list[str]:
    """The words of a text, in order, as written (no stop words, no single letters)."""
    return [w for w in _WORD.findall(text) if len(w) > 1 or w.isdigit()]


def index_words(text: str) -> set[str]:
    """The folded words of a text that go into the index."""
    out: set[str] = set()
    for word in words(text):
        if _strip_accents(word) in STOP_WORDS:
            continue
        out |= index_forms(word)
    return out


def keys_of(word: str) -> set[str]:
    """The index keys a folded word is stored under."""
    if len(word) < SHORT:
        return {word}
    return {word[:SHORT], word[:LONG]}


def number_word(number: str) -> str | None:
    """The word a ticket number is found by: its sequence without leading zeros (``T-2026-000042`` → ``42``)."""
    found = _NUMBER.match(number.strip().lower())
    return _digits(found.group(1)) if found else None


@dataclass(frozen=True)
class Term:
    """One word of a query: the key to read and how a posting's words must match it."""

    text: str  # folded query word
    key: str
    whole: bool  # short words match whole words only; longer ones any word starting with them

    def matches(self, indexed: Iterable[str]) -> bool:
        if self.whole:
            return self.text in indexed
        return any(w.startswith(self.text) for w in indexed)


def term(word: str) -> Term:
    if len(word) < SHORT:
        return Term(word, word, True)
    return Term(word, word[:LONG] if len(word) >= LONG else word[:SHORT], False)


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]
    phrases: tuple[tuple[Term, ...], ...] = ()  # quoted: these words in this order (stop words aside)

    @property
    def empty(self) -> bool:
        return not self.terms


_QUOTED = re.compile(r'["„“”»«]([^"„“”»«]+)["„“”»«]')


def _phrases(text: str) -> tuple[tuple[Term, ...], ...]:
    out: list[tuple[Term, ...]] = []
    for match in _QUOTED.finditer(text):
        found = [fold_query_word(w) for w in words(match.group(1)) if _strip_accents(w) not in STOP_WORDS]
        if len(found) > 1:
            out.append(tuple(term(w) for w in found))
    return tuple(out)


def phrase_in(text: str, phrase: tuple[Term, ...]) -> bool:
    """Whether ``text`` has the phrase's words one after another (stop words between them do not count:
    ``"Rechnung März"`` is in "Rechnung für März"); each word matches as a query word does (the last one
    of ``"Rechnung Mär"`` by prefix)."""
    sequence = [index_forms(w) for w in words(text) if _strip_accents(w) not in STOP_WORDS]
    width = len(phrase)
    return any(
        all(t.matches(sequence[start + i]) for i, t in enumerate(phrase))
        for start in range(len(sequence) - width + 1)
        if phrase[0].matches(sequence[start])
    )


def parse_query(text: str) -> Query:
    """The terms of a search box's text: every word must match; stop words and repeats dropped.
    A quoted phrase (``"Rechnung März"``, also „…“) must besides have its words in that order.

    A word that looks like a ticket number (``T-2026-000042``, ``2026-42``, ``#42``: with a hyphen or a
    ``#``) becomes its sequence. Letters and digits without one (``FA6237``, ``RE12345``, ``HD00042``)
    are a word as written: an invoice or an article number, or a ticket number of a format without
    hyphens, which the index has as one word too. A query made only of stop words looks them up after
    all (``"die"`` alone is still a question).
    """
    found: list[str] = []
    all_words: list[str] = []
    for raw in text.split():
        token = raw.strip("\"'#.,;:!?()[]{}<>„“”»«")
        numberish = token.isdigit() or (("-" in token or "#" in raw) and any(ch.isdigit() for ch in token))
        number = number_word(token) if numberish else None
        candidates = (
            [(number, False)]
            if number is not None
            # a stop word is judged as the index judges it: before umlauts fold ("über" is one, "uber" is not)
            else [(fold_query_word(w), _strip_accents(w) in STOP_WORDS) for w in words(token)]
        )
        for word, stop in candidates:
            all_words.append(word)
            if not stop:
                found.append(word)
    chosen = found or all_words
    unique: list[str] = []
    for word in chosen:
        if word not in unique:
            unique.append(word)
    # a word that is a prefix of another one asks nothing more
    kept = [w for w in unique if not any(o != w and o.startswith(w) and len(w) >= SHORT for o in unique)]
    return Query(tuple(term(w) for w in kept[:MAX_QUERY_TERMS]), _phrases(text))


@dataclass
class Source:
    """A piece of a ticket's text: where it is, what field it counts as, when it was written."""

    text: str
    field: int
    kind: str  # subject | message | comment | customer | attachment | number
    ref: str = ""  # message or comment id
    at: str = ""


@dataclass
class Posting:
    """What the index keeps for one key of one ticket: the words, the fields, where it first occurs."""

    words: set[str] = field(default_factory=set)
    fields: int = 0
    kind: str = ""
    ref: str = ""
    at: str = ""
    snippet: str = ""


SNIPPET = 160


def _snippet_at(text: str, position: int) -> str:
    start = max(0, position - SNIPPET // 3)
    end = min(len(text), start + SNIPPET)
    piece = " ".join(text[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def snippet_around(text: str, word: str) -> str:
    """About ``SNIPPET`` characters of ``text`` around the first word that folds to start with ``word``."""
    for match in _WORD.finditer(text):
        if any(f.startswith(word) for f in index_forms(match.group())):
            return _snippet_at(text, match.start())
    return " ".join(text[:SNIPPET].split())


def postings(sources: Iterable[Source]) -> dict[str, Posting]:
    """Every key of a ticket's texts with its posting, in one pass over each text. The first place a key
    occurs is where its snippet comes from (sources in order: subject, number, customer, then the
    timeline oldest first)."""
    out: dict[str, Posting] = {}
    forms_of: dict[str, set[str]] = {}  # a word's forms, once per ticket
    count = 0
    for source in sources:
        if source.field == NUMBER:  # its sequence (``42``), and the whole as one word (``t2026000042``)
            number = number_word(source.text)
            whole = "".join(_WORD.findall(_strip_accents(source.text)))[:MAX_WORD]
            occurrences: Iterable[tuple[int, set[str]]] = [(0, {w for w in (number, whole) if w})]
        else:
            occurrences = _occurrences(source.text, forms_of)
        for position, forms in occurrences:
            for word in sorted(forms):
                for key in keys_of(word):
                    posting = out.get(key)
                    if posting is None:
                        if count >= MAX_WORDS:
                            continue
                        plain = source.kind in ("subject", "number", "field")  # short fields: no snippet
                        snippet = "" if plain else _snippet_at(source.text, position)
                        posting = out[key] = Posting(kind=source.kind, ref=source.ref, at=source.at, snippet=snippet)
                    if word not in posting.words and count < MAX_WORDS:
                        posting.words.add(word)
                        count += 1
                    posting.fields |= source.field
    return out


def _occurrences(text: str, forms_of: dict[str, set[str]]) -> Iterable[tuple[int, set[str]]]:
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < 2 and not word.isdigit():
            continue
        forms = forms_of.get(word)
        if forms is None:
            forms = forms_of[word] = set() if _strip_accents(word) in STOP_WORDS else index_forms(word)
        if forms:
            yield match.start(), forms


def shard_of(ticket_id: str, shards: int) -> int:
    """The shard of a ticket's postings: stable, spread evenly (ULIDs end in 80 random bits)."""
    return sum(ticket_id.encode()) % shards
