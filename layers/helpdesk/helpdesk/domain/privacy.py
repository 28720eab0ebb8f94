"""Data protection (DSGVO) decisions: what a deletion or anonymization touches, pure and testable.

No I/O here. ``services/privacy.py`` carries the decisions out (one per-ticket purge function, the
resumable customer-erasure job, emptying the Papierkorb); ``docs/data-protection.md`` explains them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from .clock import iso
from .config import CONFIG_KINDS
from .records import Record, RecordError

# What replaces a person's data in what is kept (anonymization, others' tickets).
ERASED = "[gelöscht]"
ERASED_ADDRESS = "geloescht@anonym.invalid"

# Raw mails, attachments and long bodies a ticket's items can name in the mail bucket.
TICKET_OBJECT_PREFIXES = ("inbound/", "inbound-web/", "attachments/", "bodies/", "uploads/")


class ErasureMode(StrEnum):
    DELETE = "delete"  # the customer's tickets go entirely, their messages in others' tickets go
    ANONYMIZE = "anonymize"  # tickets stay (statistics, invoices); name, address, phone, bodies replaced


class SharedTickets(StrEnum):
    """What happens to a ticket of the customer that others outside the team took part in (Cc, answers)."""

    DELETE = "delete"  # the whole ticket goes, with the others' messages
    KEEP_OTHERS = "keep_others"  # only the customer's messages go; the others' stay (the customer redacted)


class Phase(StrEnum):
    """The erasure job's steps, in order; each is idempotent, so a run cut short repeats at most one ticket."""

    OWN = "own"  # tickets whose customer they are (index by_customer)
    SHARED = "shared"  # tickets of others they took part in (a resumable scan over participants)
    LOOKUPS = "lookups"  # auto-reply windows, daily counts, rate limits keyed by their address
    CONFIG = "config"  # the team's configuration naming their address (a saved view, a rule), and its audit
    CUSTOMER = "customer"  # the customer record
    DONE = "done"


PHASES = list(Phase)


def next_phase(phase: Phase) -> Phase:
    return PHASES[min(PHASES.index(phase) + 1, len(PHASES) - 1)]


def subject_hash(address: str) -> str:
    """The customer in the audit record: a short hash of the address, never the address itself.

    It lets an admin answer "was X deleted?" by hashing X again; on its own it names nobody."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:12]


def trash_cutoff(days: int, moment: datetime) -> str | None:
    """Tickets in the Papierkorb last changed before this moment go for good; None: keep them (``days`` 0)."""
    if days <= 0:
        return None
    return iso(moment - timedelta(days=days))


def shared_with_others(participants: Iterable[str], address: str) -> bool:
    """Did anyone outside the team besides ``address`` take part (participants never hold own addresses)?"""
    return any(p and p.lower() != address.lower() for p in participants)


def redact(text: str, needles: Iterable[str]) -> str:
    """``text`` with every needle (address, name, phone) replaced by :data:`ERASED`, case-insensitive.

    Whole words only ("Max" leaves "Maximilian" alone); needles shorter than three characters are left
    alone: they would shred ordinary words."""
    out = text
    for needle in sorted({n.strip() for n in needles if n and len(n.strip()) >= 3}, key=len, reverse=True):
        pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
        out = re.sub(pattern, ERASED, out, flags=re.IGNORECASE)
    return out


def redact_value(value: object, needles: Iterable[str]) -> object:
    """:func:`redact` through JSON-like data (event details)."""
    found = list(needles)
    if isinstance(value, str):
        return redact(value, found)
    if isinstance(value, list):
        return [redact_value(v, found) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v, found) for k, v in value.items()}
    return value


# The configuration kinds that may name a customer: a saved view's filter, a rule's or trigger's condition,
# a macro's or template's text, a queue's or SLA policy's settings. Mailboxes and agents hold the team's
# own addresses (an agent's alias is theirs, not a customer's): an erasure leaves them alone.
CUSTOMER_CONFIG_KINDS = frozenset({"view", "rule", "trigger", "macro", "template", "queue", "sla_policy"})


def names_customer_config(key: str) -> bool:
    """May the configuration record stored under ``key`` (``<kind>#<id>``) name a customer?"""
    return key.partition("#")[0] in CUSTOMER_CONFIG_KINDS


def config_needles(address: str, needles: Iterable[str]) -> list[str]:
    """What an erasure looks for in the team's configuration and audit: the address, full names and phone
    numbers. Not a single word ("Anna", "Müller"): in a team's texts that is too often someone else (an
    agent, a template's "Herr Müller")."""
    wanted = [address]
    for needle in needles:
        text = needle.strip()
        if len(text.split()) >= 2 or sum(c.isdigit() for c in text) >= 6:
            wanted.append(text)
    return wanted


def redacted_config(data: object, needles: Iterable[str]) -> object | None:
    """``data`` (a configuration record or an audit entry, as stored) with each of :func:`config_needles`
    replaced by :data:`ERASED`; None when it names none of them."""
    out = redact_value(data, needles)
    return None if out == data else out


def erased_from_record(kind: str, data: object, needles: Iterable[str]) -> dict[str, object] | None:
    """A configuration record of ``kind`` as stored, without the customer (:func:`redacted_config`); None when
    it names none of ``needles``. Where "[gelöscht]" would leave an invalid record, which the configuration
    load skips (an SLA policy of the team's gone without a word), or an address nobody can mail, the
    customer is taken out instead:

    - an SLA policy's ``customers`` loses the erased address; a policy left without customers is disabled
      (with none it would apply to every customer, which nobody decided);
    - a queue's ``notify_address`` that was theirs is cleared.

    A record still invalid then (their phone number in a record's id) is returned redacted: the
    configuration load lists it as a problem, for an admin to mend."""
    redacted = redacted_config(data, needles)
    if not isinstance(redacted, dict):
        return None
    model = CONFIG_KINDS.get(kind)
    mended = dict(redacted)
    if kind == "sla_policy" and isinstance(customers := mended.get("customers"), list):
        kept = [c for c in customers if not (isinstance(c, str) and ERASED in c)]
        mended["customers"] = kept
        if customers and not kept:
            mended["enabled"] = False
    notify = mended.get("notify_address")
    if kind == "queue" and isinstance(notify, str) and ERASED in notify:
        mended["notify_address"] = None
    return mended if model is None or _valid(model, mended) else redacted


def _valid(model: type[Record], data: dict[str, object]) -> bool:
    try:
        model.model_validate(data)
    except RecordError:
        return False
    return True


def changed_paths(before: object, after: object, at: str = "") -> list[str]:
    """Where two JSON-like values differ, as paths (``query.customer``, ``conditions[0].value``): what a
    redaction changed, named in a customer's data export without the rest of the record."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            path
            for key in before
            for path in changed_paths(before[key], after.get(key), f"{at}.{key}" if at else str(key))
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            path
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for path in changed_paths(b, a, f"{at}[{i}]")
        ]
    return [] if before == after else [at]


def retention_years(queue_years: int | None, team_years: int) -> int:
    """How many years a closed ticket of a queue is kept: the queue's own setting, else the team's (0: always)."""
    return team_years if queue_years is None else queue_years


def retention_cutoff(years: int, moment: datetime) -> str | None:
    """Closed tickets last changed before this moment go; None: keep them (``years`` 0)."""
    if years <= 0:
        return None
    return iso(moment - timedelta(days=365 * years))


def anonymized(customer_email: str | None, participants: Iterable[str], preview: str) -> bool:
    """Was the ticket anonymized already (by retention or an erasure)? Then retention leaves it alone."""
    return not customer_email and not any(participants) and preview == ERASED


# ------------------------------------------------------------------------- the contact form's notice

NOTICE = {
    "de": "Mit dem Absenden werden Ihre Angaben von {company} gespeichert, um Ihre Anfrage zu bearbeiten.",
    "en": "When you send this, {company} stores what you entered to handle your request.",
}
NOTICE_LINK = {
    "de": " Mehr dazu im Datenschutzhinweis: {url}",
    "en": " More in the privacy notice: {url}",
}


def privacy_notice(company: str, url: str, lang: str) -> str:
    """What the contact form shows above its button, in ``lang`` — stored with the ticket as it was shown."""
    lang = lang if lang in NOTICE else "de"
    text = NOTICE[lang].format(company=company)
    return text + NOTICE_LINK[lang].format(url=url) if url else text


def consent_record(company: str, url: str, lang: str, at: str) -> dict[str, str]:
    """The consent kept in the ticket's first event: the text the customer saw, the link, language and time."""
    return {"text": privacy_notice(company, url, lang), "url": url, "lang": lang, "at": at}
