"""What to do when SES refuses a mail: try again later, or give up and tell the agent. Pure.

SES answers a refused send with an error code. Throttling and SES's own trouble pass: the mail is tried
again later, with growing pauses (:func:`retry_at`), by the scheduled outbox sweep. A rejection
(``MessageRejected``: e.g. an unverified recipient in the SES sandbox; an unverified sender domain; a
paused account) does not pass by waiting: the mail is marked ``failed`` with the reason, the agent sees
"nicht zugestellt" and can send it again once the cause is fixed. After :data:`MAX_ATTEMPTS` tries a
passing refusal counts as failed too.

Send states of an outbound message: ``pending`` (stored, not yet handed to SES) → ``sending`` (claimed:
one process hands it to SES) → ``sent`` | ``retry`` (refused for now; tried again at ``send_retry_at``) |
``failed`` (refused; re-sendable) ; later ``bounced`` (SES could not deliver it) or ``complained`` (the
recipient marked it as spam).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from .dataclass import dataclass

# Error codes after which the same mail may go through later (SES v2 and v1 spellings; the SDK's own).
PASSING = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",  # the sending rate, not the quota
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalFailure",
        "InternalServiceError",
        "InternalServerError",
        "RequestTimeout",
        "connection",  # SES was never reached (the adapter's code for connection errors)
    }
)
# Pauses between tries: the first retry after 5 minutes, the last after about a day in all.
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=3), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1

RESENDABLE = frozenset({"failed", "retry"})  # an agent may send these again
DONE = frozenset({"sent", "sending"})  # a re-send of these is answered with the message as it is


@dataclass(frozen=True)
class Refusal:
    state: str  # retry | failed
    reason: str  # "<code>: <SES's message>", shown to the agent
    retry_at: datetime | None = None


def refusal(code: str, message: str, attempts: int, now: datetime) -> Refusal:
    """The verdict on the ``attempts``-th refused try (1 = the first)."""
    reason = f"{code}: {message}".strip().rstrip(":")[:500]
    if code in PASSING and attempts < MAX_ATTEMPTS:
        return Refusal("retry", reason, now + BACKOFF[attempts - 1])
    if code in PASSING:
        return Refusal("failed", f"{reason} (gave up after {attempts} tries)"[:500])
    return Refusal("failed", reason)


@dataclass(frozen=True)
class Feedback:
    """SES's word on a mail it accepted: it bounced, or its recipient complained."""

    kind: str  # bounced | complained
    ses_message_id: str
    recipients: tuple[str, ...]
    reason: str
    suppress: bool  # no more automatic mail to these addresses


def parse_feedback(notification: Mapping[str, object]) -> Feedback | None:
    """A bounce or complaint from SES (notifications' ``notificationType`` or event publishing's ``eventType``);
    None for anything else (deliveries, sends, the subscription's own messages)."""
    kind = str(notification.get("notificationType") or notification.get("eventType") or "")
    mail = notification.get("mail")
    if kind not in ("Bounce", "Complaint") or not isinstance(mail, dict) or not mail.get("messageId"):
        return None
    if kind == "Bounce":
        bounce = notification.get("bounce")
        if not isinstance(bounce, dict):
            return None
        people = [r for r in bounce.get("bouncedRecipients") or [] if isinstance(r, dict)]
        recipients = tuple(str(r.get("emailAddress", "")).lower() for r in people if r.get("emailAddress"))
        details = "; ".join(str(r["diagnosticCode"]) for r in people if r.get("diagnosticCode"))
        kind_text = f"{bounce.get('bounceType', '')}/{bounce.get('bounceSubType', '')}"
        reason = f"{kind_text}: {details}" if details else kind_text
        return Feedback(
            "bounced", str(mail["messageId"]), recipients, reason[:500], bounce.get("bounceType") == "Permanent"
        )
    complaint = notification.get("complaint")
    if not isinstance(complaint, dict):
        return None
    people = [r for r in complaint.get("complainedRecipients") or [] if isinstance(r, dict)]
    recipients = tuple(str(r.get("emailAddress", "")).lower() for r in people if r.get("emailAddress"))
    reason = str(complaint.get("complaintFeedbackType") or "complaint")
    return Feedback("complained", str(mail["messageId"]), recipients, reason[:500], True)
