"""What a refused send becomes (domain/sending.py), SES's feedback parsed, and a suppressed address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpdesk.domain.autoreply import AutoReplyFacts, autoreply_verdict
from helpdesk.domain.sending import BACKOFF, MAX_ATTEMPTS, parse_feedback, refusal

NOW = datetime(2026, 12, 2, 22, 0, tzinfo=UTC)


def test_throttling_is_retried_with_growing_pauses_then_given_up() -> None:
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS):
        verdict = refusal("TooManyRequestsException", "Maximum sending rate exceeded.", attempt, NOW)
        assert verdict.state == "retry" and verdict.retry_at is not None
        pauses.append(verdict.retry_at - NOW)
    assert pauses == list(BACKOFF) and pauses == sorted(pauses)
    last = refusal("TooManyRequestsException", "Maximum sending rate exceeded.", MAX_ATTEMPTS, NOW)
    assert (last.state, last.retry_at) == ("failed", None)
    assert last.reason.endswith(f"(gave up after {MAX_ATTEMPTS} tries)")


def test_a_rejection_fails_at_once_with_ses_reason() -> None:
    verdict = refusal("MessageRejected", "Email address is not verified.", 1, NOW)
    assert (verdict.state, verdict.reason, verdict.retry_at) == (
        "failed",
        "MessageRejected: Email address is not verified.",
        None,
    )
    assert refusal("connection", "Could not connect", 1, NOW).retry_at == NOW + timedelta(minutes=5)


def test_ses_notifications_and_events_are_read_alike() -> None:
    bounce = {
        "notificationType": "Bounce",
        "mail": {"messageId": "0100-abc"},
        "bounce": {
            "bounceType": "Transient",
            "bounceSubType": "MailboxFull",
            "bouncedRecipients": [{"emailAddress": "Voll@Kunde.example", "diagnosticCode": "smtp; 452 4.2.2 full"}],
        },
    }
    found = parse_feedback(bounce)
    assert found is not None
    assert (found.kind, found.ses_message_id, found.recipients) == ("bounced", "0100-abc", ("voll@kunde.example",))
    assert found.reason == "Transient/MailboxFull: smtp; 452 4.2.2 full" and not found.suppress  # may clear up
    complaint = {"eventType": "Complaint", "mail": {"messageId": "0100-def"}, "complaint": {"complainedRecipients": []}}
    parsed = parse_feedback(complaint)
    assert parsed is not None and parsed.kind == "complained" and parsed.suppress
    assert parse_feedback({"eventType": "Delivery", "mail": {"messageId": "x"}}) is None
    assert parse_feedback({"notificationType": "Bounce", "mail": {}}) is None


def test_a_suppressed_address_gets_no_auto_reply() -> None:
    facts = AutoReplyFacts(
        mailbox_autoreply=True,
        automatic_reason=None,
        sender="weg@kunde.example",
        message_id="<a@kunde.example>",
        own_domain="example.com",
        own_addresses=frozenset({"support@example.com"}),
        spam=False,
        virus=False,
        rule_suppressed=False,
        stored_closed=False,
        last_sent_at=None,
        window_hours=0,
    )
    assert autoreply_verdict(facts, NOW) == (True, "auto-reply allowed")
    suppressed = AutoReplyFacts(**{**facts.__dict__, "suppressed": "bounced: Permanent/General"})
    assert autoreply_verdict(suppressed, NOW) == (False, "address suppressed: bounced: Permanent/General")
