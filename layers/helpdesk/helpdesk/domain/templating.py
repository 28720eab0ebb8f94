"""Template variables for auto-replies, reply templates, reminders: ``{TICKET}``, ``{BETREFF}``, …

Variables are upper-case words in braces. Unknown variables stay as they are (a typo is visible, not
silently empty). Values are data: in subjects they lose line breaks, in HTML they are escaped.
"""

from __future__ import annotations

import re

from .headers import header_line
from .sanitize import escape

VARIABLES: dict[str, str] = {
    "TICKET": "ticket number, e.g. T-2026-000123",
    "BETREFF": "subject of the customer's mail",
    "SUBJECT": "subject of the customer's mail",
    "NAME": "customer's name (or address when there is no name)",
    "EMAIL": "customer's address",
    "QUEUE": "queue name",
    "MAILBOX": "mailbox name",
    "AGENT": "name of the agent who writes",
    "PHONE": "phone number of the agent who writes",
    "STATUS": "ticket status (label)",
    "LINK": "customer's link to the ticket (when enabled)",
    "COMPANY": "company name from the settings",
    "DATE": "today's date",
    "DAYS": "days the ticket has been waiting (reminders)",
    "FAELLIG": "when a solution may be expected: the SLA's solution due date (policies shown to customers)",
    "DUE": "when a solution may be expected: the SLA's solution due date (policies shown to customers)",
}
_VAR = re.compile(r"\{([A-Z_]{2,20})\}")

# Which variables each kind of text gets filled in (anything else would be mailed literally).
BASE_VARIABLES = frozenset(
    {"TICKET", "BETREFF", "SUBJECT", "NAME", "EMAIL", "QUEUE", "MAILBOX", "COMPANY", "STATUS", "DATE", "FAELLIG", "DUE"}
)
KNOWN_FOR: dict[str, frozenset[str]] = {
    "autoreply": BASE_VARIABLES,
    "reply": BASE_VARIABLES | {"AGENT", "PHONE", "LINK"},
    "signature": BASE_VARIABLES | {"AGENT", "PHONE", "LINK"},
    "reminder": BASE_VARIABLES | {"DAYS"},
    "close": BASE_VARIABLES | {"DAYS"},
}


def unknown_variables(text: str, kind: str) -> list[str]:
    """Variable-looking words (``{TICKT}``) that a text of ``kind`` would not fill in, sorted."""
    known = KNOWN_FOR[kind]
    return sorted({m.group(1) for m in _VAR.finditer(text or "")} - known)


def render(template: str, values: dict[str, str]) -> str:
    return _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), template or "")


def render_line(template: str, values: dict[str, str]) -> str:
    """For headers (subjects): one line, no CR/LF/NUL, whatever the values contain."""
    return header_line(render(template, {k: header_line(v) for k, v in values.items()}))[:900]


def render_html(template: str, values: dict[str, str]) -> str:
    """The template is the admin's text (escaped too), values are escaped, line breaks kept."""
    escaped = _VAR.sub(lambda m: values.get(m.group(1), m.group(0)), escape(template or ""))
    return escaped.replace("\n", "<br>\n")


def html_values(values: dict[str, str]) -> dict[str, str]:
    return {k: escape(v) for k, v in values.items()}
