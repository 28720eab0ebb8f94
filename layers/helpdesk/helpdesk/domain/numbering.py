"""Human ticket numbers: formatting, the counter scope, and finding numbers in subjects.

The format is configurable (settings ``number_format``), default ``T-{year}-{seq:06d}``.
Placeholders: ``{year}`` (4 digits), ``{seq}`` with an optional zero-pad width (``{seq:06d}``).
A format with ``{year}`` counts per year, otherwise one counter runs forever.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .dataclass import dataclass

DEFAULT_FORMAT = "T-{year}-{seq:06d}"
# A zero-pad width only: ``{seq:6d}`` would pad with spaces, and numbers may not contain spaces.
_TOKEN = re.compile(r"\{(year|seq)(?::0(\d*)d)?\}")
_MAX_WIDTH = {"year": 4, "seq": 12}  # what the subject search matches: wider numbers would never be found


class NumberFormatError(ValueError):
    pass


@dataclass(frozen=True)
class NumberFormat:
    template: str
    pattern: re.Pattern[str]
    per_year: bool

    def format(self, year: int, seq: int) -> str:
        return self.template.format(year=year, seq=seq)

    def counter_scope(self, year: int) -> str:
        return str(year) if self.per_year else "all"

    def find_in_subject(self, subject: str) -> list[str]:
        """Numbers the subject names with a ``#`` before them, canonical, in order, no duplicates.

        Tolerant of ``Re:``/``AW:``/``WG:``/``Fwd:`` prefixes (they do not matter here), spacing
        (``[# T-2026-000123 ]``), brackets or none, and case (``t-2026-000123``).
        """
        found: list[str] = []
        for match in self.pattern.finditer(subject or ""):
            canonical = self.canonical(match)
            if canonical and canonical not in found:
                found.append(canonical)
        return found

    def canonical(self, match: re.Match[str]) -> str | None:
        year = match.groupdict().get("year")
        seq = match.group("seq")
        try:
            return self.format(year=int(year) if year else 0, seq=int(seq))
        except (TypeError, ValueError):
            return None


@lru_cache(maxsize=16)
def number_format(template: str = DEFAULT_FORMAT) -> NumberFormat:
    if "{seq" not in template:
        raise NumberFormatError("number format needs a {seq} placeholder")
    if any(ch in template for ch in "#[]\r\n\t ") or len(template) > 40:
        raise NumberFormatError("number format may not contain spaces, '#', brackets or be longer than 40")
    parts: list[str] = []
    pos = 0
    seen: set[str] = set()
    for token in _TOKEN.finditer(template):
        name = token.group(1)
        if name in seen:
            raise NumberFormatError(f"{{{name}}} may appear only once in a number format")
        if int(token.group(2) or 0) > _MAX_WIDTH[name]:
            raise NumberFormatError(f"{{{name}}} may be padded to at most {_MAX_WIDTH[name]} digits")
        seen.add(name)
        parts.append(re.escape(template[pos : token.start()]))
        parts.append(r"(?P<year>\d{4})" if token.group(1) == "year" else r"(?P<seq>\d{1,12})")
        pos = token.end()
    parts.append(re.escape(template[pos:]))
    if "{" in re.sub(_TOKEN, "", template) or "}" in re.sub(_TOKEN, "", template):
        raise NumberFormatError("unknown placeholder in number format")
    body = "".join(parts)
    try:
        template.format(year=2026, seq=1)
    except (KeyError, ValueError, IndexError) as exc:
        raise NumberFormatError(f"invalid number format: {exc}") from exc
    pattern = re.compile(r"#\s*" + body + r"(?![0-9A-Za-z])", re.IGNORECASE)
    return NumberFormat(template=template, pattern=pattern, per_year="{year" in template)
