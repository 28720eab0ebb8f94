"""The mail domains of one deployment (template.yaml ``MailDomain``: one or several, comma separated).

SES receives mail for each of them (one receipt rule recipient, one identity each) and may send from any
address on them (the functions' ``ses:FromAddress`` grant). The first one names the system's own mail
(notifications, Message-IDs of mail without a mailbox). A mailbox's receiving and sending addresses must
be on one of them: an address elsewhere would receive nothing and have every mail refused by SES.
"""

from __future__ import annotations

from collections.abc import Iterable


def parse_domains(value: str) -> tuple[str, ...]:
    """``"Support.Example.com, service.example.de"`` → ``("support.example.com", "service.example.de")``:
    lower-cased, trimmed, each once, in the order given (the first stays first)."""
    return tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def on_our_domains(address: str, domains: Iterable[str]) -> bool:
    """Is the address on one of the mail domains (exactly: a subdomain is another domain for SES)?"""
    return bool(address) and "@" in address and domain_of(address) in set(domains)


def address_refused(address: str, domains: tuple[str, ...]) -> str | None:
    """Why a mailbox may not use this address (None: it may): it is on none of the deployment's domains."""
    if not domains or on_our_domains(address, domains):
        return None
    allowed = ", ".join(domains)
    return (
        f"{address} is not on a mail domain of this deployment; SES receives and sends only for {allowed} "
        "(template parameter MailDomain)"
    )
