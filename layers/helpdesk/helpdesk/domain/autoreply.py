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

from dataclasses import dataclass
from datetime import datetime, timedelta

from .clock import parse_iso


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


def autoreply_verdict(facts: AutoReplyFacts, now: datetime) -> tuple[bool, str]:
    """``(send, reason)``; the reason is recorded either way."""
    sender_domain = facts.sender.rpartition("@")[2]
    checks: list[tuple[bool, str]] = [
        (not facts.mailbox_autoreply, "auto-reply is off for this mailbox"),
        (facts.automatic_reason is not None, f"automatic mail: {facts.automatic_reason}"),
        (not facts.sender, "no sender address"),
        (facts.sender in facts.own_addresses, "sender is one of our own addresses"),
        (bool(facts.own_domain) and sender_domain == facts.own_domain, "sender is in our own domain"),
        (
            bool(facts.own_domain) and facts.message_id.lower().endswith("@" + facts.own_domain),
            "Message-ID is from our own domain (loop)",
        ),
        (facts.spam, "spam verdict"),
        (facts.virus, "virus verdict"),
        (
            facts.sender_unverified is not None,
            f"sender failed authentication ({facts.sender_unverified}): no reply to a possibly forged address",
        ),
        (facts.suppressed is not None, f"address suppressed: {facts.suppressed}"),
        (facts.rule_suppressed, "a rule suppresses the auto-reply"),
        (facts.stored_closed, "ticket is stored closed (import)"),
    ]
    for hit, reason in checks:
        if hit:
            return False, reason
    if facts.last_sent_at and facts.window_hours > 0:
        last = parse_iso(facts.last_sent_at)
        if now - last < timedelta(hours=facts.window_hours):
            return False, f"an auto-reply went to this sender less than {facts.window_hours:g} h ago"
    if facts.max_per_day and facts.sent_today >= facts.max_per_day:
        return False, f"this sender got {facts.sent_today} auto-replies today (daily cap {facts.max_per_day})"
    return True, "auto-reply allowed"
