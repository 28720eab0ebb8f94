"""Parse one raw mail into what the helpdesk needs, with the stdlib ``email`` package.

Principles:

* **Never fatal.** Anything that is a mail at all parses; what was odd is listed in ``defects``.
* **Bounded.** Raw size, part count, nesting depth, header count/size and decoded attachment size
  are capped (:class:`Limits`). Past a cap the mail still becomes a ticket, flagged for review
  (``limit_exceeded``), with what could be read safely.
* **Data, not markup.** Subjects, names and addresses are plain text with control characters
  removed; HTML is returned raw here and sanitized by :mod:`helpdesk.domain.sanitize`.

Modules, one job each: ``types`` (what comes out, the limits), ``raw`` (where the header block ends),
``prescan`` (MIME-bomb checks before parsing), ``walk`` (the MIME tree: bodies, attachments),
``bodies`` (text and HTML views), ``filenames``, ``flowed`` (format=flowed), ``automatic`` (automatic
mail: no auto-reply), ``auth`` (SES's verdicts), ``parse`` (the orchestration: :func:`parse_mail`).
"""

from __future__ import annotations

from .automatic import automatic_reason
from .flowed import unflow
from .parse import parse_mail
from .types import DEFAULT_LIMITS, Attachment, Limits, ParsedMail, Verdicts

__all__ = [
    "DEFAULT_LIMITS",
    "Attachment",
    "Limits",
    "ParsedMail",
    "Verdicts",
    "automatic_reason",
    "parse_mail",
    "unflow",
]
