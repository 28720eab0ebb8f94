"""The set-up checklist: what a new helpdesk still lacks before mail flows and agents can answer.

One decision, two readers: the web client shows it to an admin of an unconfigured helpdesk (the
configuration items), and ``make deploy`` prints it after a deploy with the SES facts it looked up
(the mail items). Every item is a code with parameters; the client and the deploy command word them.
"""

from __future__ import annotations

from dataclasses import field
from typing import Literal

from .config import ConfigSnapshot
from .dataclass import dataclass
from .header_guard import valid_address

State = Literal["done", "todo", "warn", "unknown"]


@dataclass(frozen=True)
class SetupItem:
    code: str
    state: State
    params: dict[str, str] = field(default_factory=dict)
    required: bool = True  # optional items ("invite a colleague") never count as open set-up


@dataclass(frozen=True)
class DomainFacts:
    """What SES says about one mail domain's identity. ``None``: could not be looked up."""

    domain: str
    identity_verified: bool | None = None
    dkim_status: str | None = None  # SES: Pending, Success, Failed, TemporaryFailure, NotStarted
    configuration_set: str | None = None  # the identity's default configuration set; "" = none


@dataclass(frozen=True)
class MailFacts:
    """What SES says about the deployment's mail domains and account (looked up by the deploy command, not
    the API).

    ``None`` means "could not be looked up" (an API the account or the emulator does not offer);
    ``our_configuration_set`` empty: the stack names none (then the identities' sets are not checked)."""

    domains: tuple[DomainFacts, ...]
    production_access: bool | None = None
    active_rule_set: str | None = None  # "" = none active
    our_rule_set: str = ""
    our_configuration_set: str = ""


def _config_items(config: ConfigSnapshot) -> list[SetupItem]:
    items: list[SetupItem] = []
    active_admins = [a for a in config.agents if a.active and a.role == "admin"]
    items.append(SetupItem("admin", "done" if active_admins else "todo"))
    mailboxes = [m for m in config.mailboxes if m.active]
    items.append(SetupItem("mailbox", "done" if mailboxes else "todo"))
    default_queue = config.settings.default_queue
    items.append(
        SetupItem("default_queue", "done" if config.queue(default_queue) else "todo", {"queue": default_queue})
    )
    no_queue = [m.address for m in mailboxes if m.default_queue and config.queue(m.default_queue) is None]
    items.append(
        SetupItem("mailbox_queues", "warn" if no_queue else "done", {"mailboxes": ", ".join(sorted(no_queue))})
    )
    # A deadline warning goes to a queue's notification address; one saved before the admin API checked it
    # (and kept, so the queue still loads) fails only when SES refuses the mail.
    unmailable = [q.id for q in config.queues if q.notify_address and not valid_address(q.notify_address)]
    items.append(SetupItem("queue_notify", "warn" if unmailable else "done", {"queues": ", ".join(sorted(unmailable))}))
    empty = [
        m.address
        for m in mailboxes
        if m.autoreply
        and not ((m.autoreply_body.de or m.autoreply_body.en) and (m.autoreply_subject.de or m.autoreply_subject.en))
    ]
    if not mailboxes:
        items.append(SetupItem("autoreply", "todo"))
    else:
        items.append(SetupItem("autoreply", "warn" if empty else "done", {"mailboxes": ", ".join(sorted(empty))}))
    items.append(SetupItem("signature", "done" if config.settings.signature.strip() else "todo", required=False))
    colleagues = [a for a in config.agents if a.active]
    items.append(SetupItem("team", "done" if len(colleagues) > 1 else "todo", required=False))
    return items


def _known(value: bool | None, done: bool) -> State:
    if value is None:
        return "unknown"
    return "done" if done else "todo"


def _domain_items(facts: DomainFacts, our_configuration_set: str) -> list[SetupItem]:
    domain = {"domain": facts.domain}
    items = [
        SetupItem("ses_identity", _known(facts.identity_verified, bool(facts.identity_verified)), domain),
        SetupItem(
            "ses_dkim",
            "unknown" if facts.dkim_status is None else _known(True, facts.dkim_status == "Success"),
            {**domain, "status": facts.dkim_status or ""},
        ),
    ]
    if our_configuration_set:
        items.append(
            SetupItem(
                "ses_configuration_set",
                configuration_set_state(facts, our_configuration_set),
                {**domain, "ours": our_configuration_set, "actual": facts.configuration_set or ""},
            )
        )
    return items


def configuration_set_state(facts: DomainFacts, ours: str) -> State:
    """Whether the domain sends through the stack's configuration set. Without it SES sends, but bounces and
    complaints never reach the helpdesk: a dead address keeps getting auto-replies and nobody sees "nicht
    zugestellt". Another set is a warning: it may serve someone else's sending, so it is not replaced."""
    if facts.configuration_set is None:
        return "unknown"
    if facts.configuration_set == ours:
        return "done"
    return "warn" if facts.configuration_set else "todo"


def _mail_items(mail: MailFacts) -> list[SetupItem]:
    items = [item for facts in mail.domains for item in _domain_items(facts, mail.our_configuration_set)]
    items.append(SetupItem("ses_production", _known(mail.production_access, bool(mail.production_access))))
    if mail.active_rule_set is None:
        state: State = "unknown"
    elif mail.active_rule_set == mail.our_rule_set:
        state = "done"
    elif mail.active_rule_set:
        state = "warn"  # another set is active: only one can be, replacing it may stop someone else's mail
    else:
        state = "todo"
    items.append(SetupItem("receipt_rules", state, {"active": mail.active_rule_set or "", "ours": mail.our_rule_set}))
    return items


def checklist(config: ConfigSnapshot, mail: MailFacts | None = None) -> list[SetupItem]:
    """Every set-up item with its state; the mail items only when SES was asked."""
    return _config_items(config) + (_mail_items(mail) if mail else [])


def open_items(items: list[SetupItem]) -> list[SetupItem]:
    """The required items not done (an admin sees the checklist while any is left)."""
    return [i for i in items if i.required and i.state != "done"]
