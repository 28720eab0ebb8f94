"""What the auto-reply says: its language, subject and text (``autoreply.py`` decides whether it goes out).

One function renders it for the ingest and for the admin's preview, so the preview is the mail.

- **Language**: the mailbox's language, unless the mailbox has both texts and the customer's mail says or
  shows another: its ``Content-Language`` header first, else a guess from common German and English words
  in its new text (at least three hits, twice as many as for the other language). The reason is a code
  (``mailbox`` / ``only_text`` / ``content_language`` / ``guessed``) recorded on the ticket's event.
- **Subject**: the mailbox's subject template; ``[#<number>]`` is put in front when the template does not
  name the ticket (so the customer's answer threads). The customer's subject loses reply prefixes and any
  other ticket's tag first: a stranger writing "Re: Ihre Anfrage [#T-1]: Lieferung" gets "Ihre Anfrage
  [#T-2]: Lieferung", not a stack of both numbers.
"""

from __future__ import annotations

import re

from .config import Mailbox
from .dataclass import dataclass
from .status import Status
from .templating import html_values, render, render_html, render_line

LANGS = ("de", "en")
_WORD = re.compile(r"[a-zäöüß]+")
# Short, frequent function words and greetings; deliberately no words both languages share ("an", "in").
_GERMAN = (
    "und der die das ich nicht ist mit bitte für sie ein eine wir auf den vielen dank hallo guten tag "
    "sehr geehrte geehrter damen herren meine mein ihr ihre ihnen noch schon wurde habe haben wie"
)
_ENGLISH = (
    "the and is i not with please for you a we on thanks thank hello my your our have has was would "
    "could dear regards kind order received what when"
)
_COMMON = {"de": frozenset(_GERMAN.split()), "en": frozenset(_ENGLISH.split())}
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|wg|fw|fwd|antw|antwort|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAG = re.compile(r"\[#[^\]\r\n]{1,60}\]")


@dataclass(frozen=True)
class AutoReplyText:
    lang: str
    lang_reason: str  # mailbox | only_text | content_language | guessed
    subject: str
    text: str
    html: str


def _has_text(mailbox: Mailbox, lang: str) -> bool:
    """The mailbox has its own text in ``lang`` (``LocalizedText.get`` would fall back to the other one)."""
    return bool(str(getattr(mailbox.autoreply_body, lang)).strip())


def guess_language(text: str) -> str | None:
    """``de`` or ``en`` when the text clearly reads as one of them, else None."""
    words = _WORD.findall(text[:5000].lower())
    hits = {lang: sum(1 for w in words if w in common) for lang, common in _COMMON.items()}
    best = max(LANGS, key=lambda lang: hits[lang])
    other = hits["en" if best == "de" else "de"]
    return best if hits[best] >= 3 and hits[best] >= 2 * other else None


def reply_language(mailbox: Mailbox, content_language: str, text: str) -> tuple[str, str]:
    """``(language, reason code)`` of the auto-reply to a mail with this header and new text."""
    available = [lang for lang in LANGS if _has_text(mailbox, lang)]
    if len(available) < 2:
        return (available[0], "only_text") if available else (mailbox.language, "mailbox")
    declared = content_language.strip().lower()[:2]
    if declared in LANGS:
        return declared, "content_language"
    guessed = guess_language(text)
    if guessed is not None and guessed != mailbox.language:
        return guessed, "guessed"
    return mailbox.language, "mailbox"


def customer_subject(subject: str) -> str:
    """The customer's subject for ``{BETREFF}``: without reply prefixes and without ticket tags."""
    base = _REPLY_PREFIX.sub("", subject)
    tag = _TAG.search(base)
    if tag is not None:
        after = base[tag.end() :].lstrip(" :-–")
        base = after if after.strip() else base[: tag.start()]
        base = _REPLY_PREFIX.sub("", _TAG.sub("", base))
    return " ".join(base.split()) or subject.strip()


def render_autoreply(
    mailbox: Mailbox,
    number: str,
    values: dict[str, str],
    content_language: str = "",
    text: str = "",
    status: Status | None = None,
) -> AutoReplyText:
    """The auto-reply for ticket ``number``; ``values`` are the template values (``outbound.template_values``).
    ``status``: ``{STATUS}`` is its label in the language the reply speaks."""
    lang, reason = reply_language(mailbox, content_language, text)
    cleaned = {**values}
    if status is not None:
        cleaned["STATUS"] = status.label(lang)
    for key in ("BETREFF", "SUBJECT"):
        if key in cleaned:
            cleaned[key] = customer_subject(cleaned[key])
    subject = render_line(mailbox.autoreply_subject.get(lang), cleaned)
    if f"#{number}" not in subject:
        subject = f"[#{number}] {subject}".strip()
    body = mailbox.autoreply_body.get(lang)
    return AutoReplyText(
        lang=lang,
        lang_reason=reason,
        subject=subject,
        text=render(body, cleaned),
        html=render_html(body, html_values(cleaned)),
    )
