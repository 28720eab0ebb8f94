"""The new part of a reply: the text above the quoted history, for previews and notifications.

Recognised history markers (German and English, as Outlook, Thunderbird, Apple Mail, Gmail,
GMX/web.de write them):

* ``Am 12.03.2026 um 10:15 schrieb Max <max@example.com>:`` (also wrapped over two lines)
* ``On Tue, Mar 12, 2026 at 10:15 AM Max <max@example.com> wrote:`` (also wrapped)
* ``-----Ursprüngliche Nachricht-----`` / ``-----Original Message-----`` / ``--- Originalnachricht ---``
* Outlook's header block ``Von:``/``From:`` followed by ``Gesendet:``/``Sent:``/``An:``/``To:``/``Betreff:``
  (also after a ``____`` rule line)
* ``Gesendet: …`` blocks from GMX/web.de (``Gesendet:`` above ``Von:``) and a trailing run of ``>`` quoted lines.

Bottom-posting with interleaved quotes (an attribution line, then ``>`` quotes answered line by line)
keeps the answers. When the whole text is quote (a pure forward), the original text is kept so a
preview is never empty.
"""

from __future__ import annotations

import re

# "Am 12.03.2026 um 10:15 schrieb …:" / "On Thu, Mar 12, 2026 at 10:15 AM … wrote:": the opening word,
# a date (so at least one digit) before the verb, the verb as a whole word, a colon at the end. The
# digit and the word boundaries keep a customer's own "Am Montag hat er geschrieben, dass …:" as text.
_WROTE = re.compile(
    r"^\s*(Am|On|Le|El|Il)\s(.{4,200}?)\s(schrieb|wrote|a écrit|escribió|ha scritto)\b.{0,200}:\s*$",
    re.IGNORECASE,
)
_WROTE_START = re.compile(r"^\s*(Am|On)\s.{4,200}$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(Ursprüngliche Nachricht|Original Message|Originalnachricht|Weitergeleitete Nachricht|"
    r"Forwarded message|Urspr\S*ngliche Nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(r"^\s*\*?(Von|From|Gesendet|Sent|An|To|Betreff|Subject|Datum|Date|Cc)\s*:\*?\s", re.I)
_FROM_LINE = re.compile(r"^\s*\*?(Von|From)\s*:\*?\s", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")


def _outlook_block_at(lines: list[str], index: int) -> bool:
    """A ``From:`` line followed by at least two more header lines within the next five."""
    if not _FROM_LINE.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 6] if line.strip()]
    return sum(1 for line in following if _HEADER_LINE.match(line)) >= 2


def _is_wrote(line: str) -> bool:
    if len(line) > 500:  # an attribution is one short line; long lines never are (and cost no regex time)
        return False
    match = _WROTE.match(line)
    return bool(match and any(ch.isdigit() for ch in match.group(2)))


def _wrote_at(lines: list[str], index: int) -> int:
    """How many lines the attribution at ``index`` spans (1, or 2 when wrapped), or 0 when there is none."""
    line = lines[index]
    if _is_wrote(line):
        return 1
    if (
        index + 1 < len(lines)
        and len(line) <= 300
        and _WROTE_START.match(line)
        and _is_wrote(line + " " + lines[index + 1].strip())
    ):
        return 2
    return 0


def _marker(lines: list[str], start: int = 0) -> tuple[int, int] | None:
    """``(index, attribution lines)`` of the first history marker from ``start``; 0 lines for blocks."""
    for i in range(start, len(lines)):
        line = lines[i]
        span = _wrote_at(lines, i)
        if span:
            return i, span
        if _SEPARATOR.match(line):
            return i, 0
        if _outlook_block_at(lines, i):
            # GMX/web.de and Outlook for Mac put "Gesendet:"/"Datum:" above "Von:"; a rule may lead.
            while i > start and _HEADER_LINE.match(lines[i - 1]):
                i -= 1
            if i > start and _RULE.match(lines[i - 1]):
                i -= 1
            return i, 0
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


def new_text_of(text: str) -> str:
    return split_reply(text)[0]
