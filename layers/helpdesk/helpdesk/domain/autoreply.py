"""Should this inbound mail get an auto-reply? RFC 3834 and the loop lessons of Zammad and OTRS.

No auto-reply when: the mailbox has it off; the mail is automatic (Auto-Submitted, Precedence,
List-*, X-Loop, X-Auto-Response-Suppress, bounces, system senders); the sender is one of our own
addresses or domain; the Message-ID comes from our own domain; SES says spam or virus; SES could
not verify the sender (DMARC fail, or SPF fail without a DKIM pass: the reply would go to whoever
owns the forged address, i.e. backscatter); a rule suppresses it; the ticket is stored closed
(import); the address is suppressed (a mail to it bounced for good, or its owner complained: SES's
feedback, services/feedback.py); this sender already got one within the window (two auto-responders facing each other
exchange at most one mail each per window); or this sender already got ``max_per_day`` today (a hard
cap, as OTRS's 40 a day, for when the window is short or off). docs/threading.md lists them for users.

The window and the daily count are facts about the sender alone: the caller reads them in reserved
places of its lookup, so no number of references in a mail can keep them from being read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .clock import parse_iso
from .dataclass import dataclass
from .reasons import Reason, reason


@dataclass(frozen=True)
class AutoReplyFacts:
    mailbox_autoreply: bool
    automatic_reason: str | None
    sender: str
    message_id: str
    own_domain: str
    own_addresses: frozenset[str]
    spam: bool
    virus: bool
    rule_suppressed: bool
    stored_closed: bool
    last_sent_at: str | None
    window_hours: float
    sender_unverified: str | None = None
    sent_today: int = 0  # auto-replies this sender got today (UTC)
    max_per_day: int = 0  # 0: no daily cap
    suppressed: str | None = None  # why this address gets no automatic mail (it bounced for good, complained)
    other_domains: tuple[str, ...] = ()  # the deployment's further mail domains (own_domain is the first)

    @property
    def domains(self) -> set[str]:
        return {d for d in (self.own_domain, *self.other_domains) if d}


def autoreply_verdict(facts: AutoReplyFacts, now: datetime) -> tuple[bool, Reason]:
    """``(send, reason)``; the reason is recorded either way."""
    sender_domain = facts.sender.rpartition("@")[2]
    domains = facts.domains
    mid_domain = facts.message_id.lower().rpartition("@")[2] if "@" in facts.message_id else ""
    checks: list[tuple[bool, Reason]] = [
        (not facts.mailbox_autoreply, reason("autoreply.off")),
        (facts.automatic_reason is not None, reason("autoreply.automatic", kind=facts.automatic_reason or "")),
        (not facts.sender, reason("autoreply.no_sender")),
        (facts.sender in facts.own_addresses, reason("autoreply.own_address")),
        (sender_domain in domains, reason("autoreply.own_domain")),
        (mid_domain in domains, reason("autoreply.loop")),
        (facts.spam, reason("autoreply.spam")),
        (facts.virus, reason("autoreply.virus")),
        (
            facts.sender_unverified is not None,
            reason("autoreply.unverified", verdict=facts.sender_unverified or ""),
        ),
        (facts.suppressed is not None, reason("autoreply.suppressed", why=facts.suppressed or "")),
        (facts.rule_suppressed, reason("autoreply.rule")),
        (facts.stored_closed, reason("autoreply.stored_closed")),
    ]
    for hit, why in checks:
        if hit:
            return False, why
    if facts.last_sent_at and facts.window_hours > 0:
        last = parse_iso(facts.last_sent_at)
        if now - last < timedelta(hours=facts.window_hours):
            return False, reason("autoreply.window", hours=facts.window_hours)
    if facts.max_per_day and facts.sent_today >= facts.max_per_day:
        return False, reason("autoreply.daily_cap", sent=facts.sent_today, cap=facts.max_per_day)
    return True, reason("autoreply.allowed")
