"""What goes below an agent's reply: the signature and the line with the customer's link.

* The signature is the writing agent's own (``Agent.signature``, if any), then the one of the mailbox
  the reply goes from (``Mailbox.signature``), else the team's (``TeamSettings.signature``): a reply
  from "Vertrieb" signs as Vertrieb, one from "Support" as Support. Variables are filled as in reply
  templates (``{AGENT}``, ``{PHONE}``, ``{QUEUE}``, ``{MAILBOX}`` …).
* It is added once: not when the body already holds it (typed, pasted or inserted by a template),
  compared with whitespace folded, before and after the variables are filled in.
* The link line is a team setting with a German and an English text (``customer_link_text``, in the
  sending mailbox's language); an empty text, or a body that places ``{LINK}`` itself, adds none.

Pure: no I/O.
"""

from __future__ import annotations

from .config import ConfigSnapshot, Mailbox
from .sanitize import escape
from .templating import html_values, render, render_html


def reply_signature(cfg: ConfigSnapshot, mailbox: Mailbox, agent: str) -> str:
    """The signature template of a reply by ``agent`` from ``mailbox`` ("" when there is none)."""
    me = cfg.agent(agent)
    own = me.signature.strip() if me else ""
    shared = (mailbox.signature or cfg.settings.signature).strip()
    return "\n\n".join(part for part in (own, shared) if part)


def _folded(text: str) -> str:
    return " ".join(text.split())


def with_signature(text: str, html: str, body: str, signature: str, values: dict[str, str]) -> tuple[str, str]:
    """``text`` and ``html`` with the signature below, unless ``body`` (the unrendered text) or ``text``
    already hold it."""
    if not signature.strip():
        return text, html
    rendered = render(signature, values)
    if _folded(signature) in _folded(body) or _folded(rendered) in _folded(text):
        return text, html
    return f"{text}\n\n{rendered}", f'{html}<p class="signature">{render_html(signature, html_values(values))}</p>'


def with_link_line(text: str, html: str, template: str, link: str) -> tuple[str, str]:
    """The customer-link line below a reply (``template`` with ``{LINK}``; without it, the link follows)."""
    if not template.strip() or not link or link in text:
        return text, html
    if "{LINK}" not in template:
        template = f"{template} {{LINK}}"
    anchor = f'<a href="{escape(link)}">{escape(link)}</a>'
    line_html = render_html(template, {"LINK": "\0"}).replace("\0", anchor)
    return f"{text}\n\n{render(template, {'LINK': link})}", f'{html}<p style="color:#666">{line_html}</p>'
