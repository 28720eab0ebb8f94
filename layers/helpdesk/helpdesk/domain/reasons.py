"""Why a decision went the way it did, as a stable code with parameters (issue 12, part 6).

Domain decisions (threading, auto-reply, rules, status changes) return :class:`Reason` values. A
reason *is* its English sentence (a ``str``: logs, the CLI and ``IngestResult`` read it as before) and
also carries ``code`` and ``params``; events store all three (:func:`to_json`), the API returns them,
and the web client turns the code and its parameters into a German or English sentence
(``functions/api/static/i18n.js``, keys ``reason.<code>``). The English text is the fallback for
clients that do not know a code.

Events stored before the codes carry the bare English sentence; :func:`from_stored` recognises the
sentences these templates produced (and the few literal ones of old) and gives them their code back,
so old histories read like new ones. A sentence it does not recognise stays text (code ``text``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

Param = str | int | float

# code → English template. Codes are stable: clients translate them; never rename one.
TEMPLATES: dict[str, str] = {
    # threading (domain/threading.py, services/ingest.py)
    "threading.no_match": "no reference or ticket number matches a ticket",
    "threading.ref_ours": "references our message <{ref}>",
    "threading.ref_forward": "references a mail we forwarded <{ref}>",
    "threading.forward_side": "an answer to a forward: its sender does not become a participant",
    "threading.ref_customer": "references the customer's message <{ref}>",
    "threading.subject_number": "subject names ticket {number}",
    "threading.gone": "but the ticket no longer exists",
    "threading.merged": "that ticket was merged into {number}",
    "threading.sender_unverified": (
        "sender {sender} failed authentication ({verdict}): not trusted as a participant of {number}"
    ),
    "threading.not_participant": "sender {sender} is not a participant of {number}",
    "threading.participant": "the sender is a participant",
    "threading.proof": "proof: reply to our mail",
    "threading.too_old": "{number} was closed more than {days} days ago",
    "threading.duplicate_content": "<{message_id}> with this content was received before",
    "threading.own_echo": "<{message_id}> is a message we sent",
    "threading.duplicate": "<{message_id}> was received before",
    "threading.quarantine": "quarantine: a ticket of its own, not threaded",
    "threading.web_form": "the sender is not verified (web form)",
    "threading.vanished": "the ticket vanished",
    "threading.agent_own": "mail of agent {agent} from their own address {sender}: sent outside the helpdesk",
    "threading.agent_unverified": (
        "{sender} is an address of agent {agent}, but it failed authentication ({verdict}): not taken as theirs"
    ),
    "threading.agent_new": "agent {agent} wrote to {customer}: a new ticket for them, the agent's mail sent outside",
    # auto-reply (domain/autoreply.py, services/ingest.py)
    "autoreply.allowed": "auto-reply allowed",
    "autoreply.off": "auto-reply is off for this mailbox",
    "autoreply.automatic": "automatic mail: {kind}",
    "autoreply.no_sender": "no sender address",
    "autoreply.own_address": "sender is one of our own addresses",
    "autoreply.own_domain": "sender is in our own domain",
    "autoreply.loop": "Message-ID is from our own domain (loop)",
    "autoreply.spam": "spam verdict",
    "autoreply.virus": "virus verdict",
    "autoreply.unverified": "sender failed authentication ({verdict}): no reply to a possibly forged address",
    "autoreply.suppressed": "address suppressed: {why}",
    "autoreply.rule": "a rule suppresses the auto-reply",
    "autoreply.stored_closed": "ticket is stored closed (import)",
    "autoreply.agent": "the mail is agent {agent}'s own",
    "autoreply.window": "an auto-reply went to this sender less than {hours} h ago",
    "autoreply.daily_cap": "this sender got {sent} auto-replies today (daily cap {cap})",
    "autoreply.race": "another auto-reply to this sender was stored at the same moment",
    # rules (domain/rules.py)
    "rules.timeout": "{rule}: {condition} took too long and counted as not matching",
    "rules.fired": "rule {rule} fired",
    "rules.condition": "rule {rule}: {condition}",
    "rules.none": "no rule matched",
    # status changes (services: ingest, public, replies, batch, autoclose)
    "status.customer_replied": "the customer answered",
    "status.customer_replied_web": "the customer answered on the web",
    "status.reply": "reply",
    "status.agent_outside": "an agent answered from their own mail program",
    "status.batch": "batch: {action}",
    "status.autoclose": "closed: the customer did not answer",
    # SLA clocks (domain/sla.py)
    "sla.policy": "SLA policy {name} applies (queue {queue}, priority {priority})",
    "sla.no_policy": "no SLA policy applies (queue {queue}, priority {priority})",
    "sla.paused": "the clock is paused while the ticket is {status}",
    "sla.cancelled": "the ticket is {status}: nothing is owed any more",
    "sla.first_response.running": "first response: {minutes} business minutes left",
    "sla.first_response.warning": "first response: only {minutes} business minutes left",
    "sla.first_response.breached": "first response: the target of {hours} business hours is missed",
    "sla.first_response.late": "first response: answered after the target of {hours} business hours",
    "sla.first_response.met": "first response: answered within {hours} business hours",
    "sla.next_response.running": "next response: {minutes} business minutes left",
    "sla.next_response.warning": "next response: only {minutes} business minutes left",
    "sla.next_response.breached": "next response: the target of {hours} business hours is missed",
    "sla.next_response.late": "next response: answered after the target of {hours} business hours",
    "sla.next_response.met": "next response: answered within {hours} business hours",
    "sla.solution.running": "solution: {minutes} business minutes left",
    "sla.solution.warning": "solution: only {minutes} business minutes left",
    "sla.solution.breached": "solution: the target of {hours} business hours is missed",
    "sla.solution.late": "solution: closed after the target of {hours} business hours",
    "sla.solution.met": "solution: closed within {hours} business hours",
    # automation: triggers and macros (domain/automation.py)
    "automation.fired": "trigger {trigger} fired on {event}",
    "automation.condition": "trigger {trigger}: {condition} does not hold",
    "automation.mail_condition": "trigger {trigger}: the mail's {field} does not match",
    "automation.once": "trigger {trigger} already fired in this run",
    "automation.own_change": "trigger {trigger} does not fire on its own change",
    "automation.depth": "trigger {trigger} not run: more than {limit} triggers deep",
    "automation.hours_inside": "trigger {trigger} not run: it runs only inside business hours",
    "automation.hours_outside": "trigger {trigger} not run: it runs only outside business hours",
    "automation.stop": "trigger {trigger} stops the triggers after it",
    "automation.set": "{field} set to {value}",
    "automation.add_comment": "internal comment added: {value}",
    "automation.notify": "notified: {value}",
    "automation.send_template": "template {value} mailed to the customer",
    "automation.publish": "event {value} published",
    "automation.no_mailbox": "no template mail: no mailbox to send from",
    "automation.no_recipient": "no template mail: the ticket has no customer address",
    "automation.answer_to_automatic": "no template mail: the customer's mail is automatic ({value})",
    "automation.mail_gap": "no template mail: the customer got an automatic one less than {minutes} minutes ago",
    "automation.template_missing": "no template mail: there is no template {value}",
    "automation.busy": "no template mail: the ticket kept changing",
    "macro.undone": "macro {name} undone",
    "macro.undo_changed": "{field} kept: it was changed after the macro",
    "macro.undo_refused": "{field} kept: it cannot go back from where it is now",
    # fair assignment (domain/assignment.py)
    "assignment.off": "queue {queue} assigns nobody automatically",
    "assignment.nobody": "queue {queue}: no agent is available (all away or not present)",
    "assignment.round_robin": "assigned to {agent}: next in turn in queue {queue}",
    "assignment.least_open": "assigned to {agent}: fewest open tickets in queue {queue} ({open})",
    # a sentence stored before the codes that no template recognises
    "text": "{text}",
}

# Literal sentences stored before the codes that no template above produces.
LEGACY: dict[str, str] = {
    "abgeschlossen, da der Kunde nicht mehr geantwortet hat / closed: the customer did not answer": "status.autoclose",
}


class Reason(str):
    """An English sentence that knows its code and parameters."""

    code: str
    params: dict[str, Param]

    def __new__(cls, code: str, params: Mapping[str, Param] | None = None, text: str | None = None) -> Reason:
        values = dict(params or {})
        sentence = text if text is not None else TEMPLATES[code].format(**{k: _shown(v) for k, v in values.items()})
        self = super().__new__(cls, sentence)
        self.code = code
        self.params = values
        return self


def _shown(value: Param) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def reason(code: str, **params: Param) -> Reason:
    """The reason ``code`` with its parameters (a ``KeyError`` for a code without a template)."""
    if code not in TEMPLATES:
        raise KeyError(f"unknown reason code {code!r}")
    return Reason(code, params)


def to_json(value: str) -> dict[str, Any]:
    """How an event stores a reason: ``{"code", "params", "text"}`` (a plain string becomes code ``text``)."""
    found = value if isinstance(value, Reason) else from_stored(value)
    return {"code": found.code, "params": dict(found.params), "text": str(found)}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.*?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


@cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """One pattern per template, for old bare sentences only: built when one is read, not at every cold
    start (95 patterns, about 4 ms of each Lambda's import)."""
    return [(code, _pattern(template)) for code, template in TEMPLATES.items() if code != "text"]


def from_stored(value: Any) -> Reason:
    """A reason as an event stored it: the new ``{"code", "params", "text"}`` form, or an old bare sentence."""
    if isinstance(value, Reason):
        return value
    if isinstance(value, Mapping):
        code, params, text = value.get("code"), value.get("params"), value.get("text")
        if isinstance(code, str) and code in TEMPLATES:
            clean = {str(k): v for k, v in (params or {}).items() if isinstance(v, str | int | float)}
            try:
                return Reason(code, clean, text if isinstance(text, str) else None)
            except (KeyError, IndexError, ValueError):
                pass
        return Reason("text", {"text": str(text or code or "")}, str(text or code or ""))
    sentence = str(value)
    if sentence in LEGACY:
        return Reason(LEGACY[sentence], {}, sentence)
    for code, pattern in _patterns():
        match = pattern.match(sentence)
        if match:
            return Reason(code, match.groupdict(), sentence)
    return Reason("text", {"text": sentence}, sentence)
