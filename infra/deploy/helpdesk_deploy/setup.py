"""After the stack exists: check the mail set-up with SES and finish what a new helpdesk lacks.

``make deploy`` runs this after ``sam deploy`` (and ``python -m helpdesk_deploy --setup-only`` alone).
It is safe to run again: it only creates what is missing and never replaces another receipt rule set
that is active unless told to (only one set can be active per account and region; replacing someone
else's stops their mail).

What it does, in order:
1. Asks SES about every mail domain (identity verified, DKIM, the stack's configuration set as the
   identity's default, so bounces and complaints reach the helpdesk) and the account (sandbox or
   production access, the active receipt rule set). It changes nothing at SES except activating our
   rule set when none is active; a domain without our configuration set is a warning with the command.
2. Creates the first admin when there is none (Cognito mails a temporary password) — from
   ``[setup] admin_username`` / ``admin_email`` in deploy.toml.
3. Creates the first mailbox (``[setup] mailbox``, default ``support@<MailDomain>``) with the default
   queue and the standard auto-reply texts (German and English) when no mailbox exists.
4. Prints the checklist (helpdesk.domain.setup, the same one the web client shows an admin).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from helpdesk.domain.config import Agent, Mailbox, Queue
from helpdesk.domain.mail_domains import parse_domains
from helpdesk.domain.setup import DomainFacts, MailFacts, SetupItem, checklist, configuration_set_state

Out = Callable[[str], None]

WORDS: dict[str, str] = {
    "admin": "an active admin",
    "mailbox": "a mailbox receiving mail",
    "default_queue": "the default queue {queue} exists",
    "mailbox_queues": "every mailbox's queue exists {mailboxes}",
    "queue_notify": "every queue's notification address is an e-mail address {queues}",
    "autoreply": "auto-reply texts set {mailboxes}",
    "signature": "a team signature (optional)",
    "team": "a second agent invited (optional)",
    "ses_identity": "SES identity {domain} verified (DNS records: docs/deploy.md)",
    "ses_dkim": "DKIM for {domain} {status}",
    "ses_configuration_set": "SES identity {domain} sends through the configuration set {ours} {actual}",
    "ses_production": "SES production access (in the sandbox mail goes only to verified addresses)",
    "receipt_rules": "receipt rule set {ours} active (active now: {active})",
}


@dataclass(frozen=True)
class SetupOptions:
    admin_username: str = ""
    admin_email: str = ""
    admin_name: str = ""
    mailbox: str = ""  # default support@<MailDomain>
    queue_name: str = "Support"  # the default queue's name, when it has to be created
    replace_active_rule_set: bool = False

    @classmethod
    def from_toml(cls, section: dict[str, Any]) -> SetupOptions:
        known = {k: v for k, v in section.items() if k in cls.__dataclass_fields__}
        unknown = sorted(set(section) - set(known))
        if unknown:
            known_keys = ", ".join(cls.__dataclass_fields__)
            raise ValueError(f"[setup]: unknown keys {', '.join(unknown)} (known: {known_keys})")
        return cls(**known)


def connect(outputs: dict[str, str], region: str, domain: str) -> None:
    """Point the helpdesk library at the deployed tables and user pool, as the Lambdas see them."""
    from helpdesk import bootstrap
    from helpdesk.aws.clients import reset_clients
    from helpdesk.settings import reset_settings
    from helpdesk.store.models import bind

    os.environ.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "HELPDESK_CONFIG_TABLE": outputs["ConfigTableName"],
            "HELPDESK_MAIL_BUCKET": outputs["MailBucketName"],
            "HELPDESK_MAIL_DOMAIN": domain,
            "HELPDESK_USER_POOL_ID": outputs["UserPoolId"],
            "HELPDESK_USER_POOL_CLIENT_ID": outputs.get("UserPoolClientId", ""),
            "HELPDESK_CONFIG_TTL": "0",
        }
    )
    reset_settings()
    reset_clients()
    bootstrap.reset()
    bind()


def _call(fn: Callable[[], Any]) -> Any:
    """An SES lookup, or None when this account/region (or an emulator) does not offer it."""
    try:
        return fn()
    except Exception:
        return None


def domain_facts(ses: Any, sesv2: Any, domain: str) -> DomainFacts:
    verification = _call(lambda: ses.get_identity_verification_attributes(Identities=[domain]))
    dkim = _call(lambda: ses.get_identity_dkim_attributes(Identities=[domain]))
    identity = _call(lambda: sesv2.get_email_identity(EmailIdentity=domain))
    status = (verification or {}).get("VerificationAttributes", {}).get(domain, {}).get("VerificationStatus")
    dkim_attrs = (dkim or {}).get("DkimAttributes", {}).get(domain, {})
    return DomainFacts(
        domain=domain,
        identity_verified=None if verification is None else status == "Success",
        dkim_status=dkim_attrs.get("DkimVerificationStatus") if dkim is not None else None,
        configuration_set=None if identity is None else identity.get("ConfigurationSetName") or "",
    )


def mail_facts(ses: Any, sesv2: Any, domains: list[str], our_rule_set: str, our_configuration_set: str) -> MailFacts:
    """SES's answers for every mail domain, and the account's (production access, active receipt rules)."""
    account = _call(lambda: sesv2.get_account())
    active = _call(lambda: ses.describe_active_receipt_rule_set())
    return MailFacts(
        domains=tuple(domain_facts(ses, sesv2, domain) for domain in domains),
        production_access=None if account is None else bool(account.get("ProductionAccessEnabled")),
        active_rule_set=None if active is None else (active.get("Metadata") or {}).get("Name", ""),
        our_rule_set=our_rule_set,
        our_configuration_set=our_configuration_set,
    )


def finish(
    outputs: dict[str, str],
    region: str,
    domain: str,
    options: SetupOptions,
    out: Out = print,
    client: Callable[[str], Any] | None = None,
) -> list[SetupItem]:
    """Check and finish the set-up; returns the checklist after it (what is still open is printed)."""
    import boto3

    from helpdesk.aws.cognito import CognitoAuth
    from helpdesk.services.agents import AgentExists, create_agent
    from helpdesk.store.config_store import ConfigStore

    make = client or (lambda service: boto3.client(service, region_name=region))  # type: ignore[call-overload]
    connect(outputs, region, domain)  # every mail domain (MailDomain may list several)
    domains = list(parse_domains(domain) or (domain,))
    domain = domains[0]  # the first mailbox's domain
    ses, sesv2 = make("ses"), make("sesv2")
    ours = outputs.get("ReceiptRuleSetName", "")
    facts = mail_facts(ses, sesv2, domains, ours, outputs.get("SendingConfigurationSetName", ""))
    for identity in facts.domains:
        warning = configuration_set_warning(identity, facts.our_configuration_set)
        if warning:
            out(warning)
    if facts.active_rule_set == "" and ours:
        ses.set_active_receipt_rule_set(RuleSetName=ours)
        out(f"activated the receipt rule set {ours} (none was active)")
        facts = MailFacts(**{**vars(facts), "active_rule_set": ours})
    elif facts.active_rule_set and facts.active_rule_set != ours:
        if options.replace_active_rule_set:
            ses.set_active_receipt_rule_set(RuleSetName=ours)
            out(f"activated the receipt rule set {ours}, replacing {facts.active_rule_set} (replace_active_rule_set)")
            facts = MailFacts(**{**vars(facts), "active_rule_set": ours})
        else:
            out(
                f"WARNING: the receipt rule set {facts.active_rule_set} is active, not ours ({ours}); only one can be. "
                "Mail to the helpdesk is not received until ours is active. Not replaced: set "
                "replace_active_rule_set = true under [setup] (or merge the rules by hand, docs/deploy.md)"
            )

    store = ConfigStore(ttl=0)
    cfg = store.snapshot()
    if not any(a.active and a.role == "admin" for a in cfg.agents):
        if options.admin_username and options.admin_email:
            admin = Agent(
                username=options.admin_username,
                email=options.admin_email,
                name=options.admin_name,
                role="admin",
            )
            try:
                create_agent(store, CognitoAuth(outputs["UserPoolId"], outputs.get("UserPoolClientId", "")), admin)
                out(f"created the first admin {admin.username}: a temporary password goes to {admin.email}")
            except AgentExists:
                out(f"the agent {admin.username} exists but is no active admin: make them admin in the web client")
        else:
            out("no admin yet: set admin_username and admin_email under [setup] in deploy.toml and run again")
    queue = cfg.settings.default_queue
    if not cfg.queue(queue):
        store.put("queue", Queue(id=queue, name=options.queue_name))
        out(f"created the default queue {options.queue_name} ({queue})")
    if not cfg.mailboxes:
        address = options.mailbox or f"support@{domain}"
        store.put("mailbox", Mailbox(id="support", address=address, name=options.queue_name, default_queue=queue))
        out(f"created the first mailbox {address} → queue {queue}, with the standard auto-reply (DE/EN)")
    items = checklist(store.snapshot(), facts)
    for item in items:
        mark = {"done": "ok  ", "todo": "TODO", "warn": "WARN", "unknown": "?   "}[item.state]
        out(f"  [{mark}] {describe(item)}")
    return items


def configuration_set_warning(identity: DomainFacts, ours: str) -> str:
    """A domain that sends without the stack's configuration set (``configuration_set_state``: todo or warn):
    its bounces never reach the helpdesk. Not changed here: another set may serve someone else's sending."""
    if not ours or configuration_set_state(identity, ours) not in ("todo", "warn"):
        return ""
    now = f"it uses {identity.configuration_set}" if identity.configuration_set else "it has none"
    return (
        f"WARNING: the SES identity {identity.domain} does not send through the configuration set {ours} ({now}): "
        "bounces and complaints of mail from it never reach the helpdesk, so a dead address keeps getting "
        "auto-replies. Set it with: aws sesv2 put-email-identity-configuration-set-attributes "
        f"--email-identity {identity.domain} --configuration-set-name {ours}"
    )


INLINE = ("domain", "queue", "ours")


def describe(item: SetupItem) -> str:
    """The item in a line of English (the CLI's language; the web client words it in German and English)."""
    params = {k: (v if k in INLINE or not v else f"({v})") for k, v in item.params.items()}
    text = WORDS[item.code].format_map(_Blank(params))
    return " ".join(text.split())


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""
