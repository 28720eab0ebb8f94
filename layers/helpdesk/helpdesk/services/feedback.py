"""Use case: SES's later word on a mail it accepted (SES → SNS → the feedback function).

A bounce marks the message ``bounced`` with SES's reason (the agent sees "nicht zugestellt (Bounce: …)");
a complaint marks it ``complained``. A permanent bounce and a complaint also put the address on the
suppression list (``SUP#`` in the meta table): the auto-reply decision reads it in the ingest's one
BatchGetItem and sends nothing more there (domain/autoreply.py). The message is found by SES's
MessageId, stored with its ``SES#`` lookup item when SES accepted the mail (services/outbound.py).
"""

from __future__ import annotations

import logging
from dataclasses import field
from typing import Any

from ..domain.clock import iso
from ..domain.dataclass import dataclass
from ..domain.sending import parse_feedback
from ..store.tickets import TicketStore

log = logging.getLogger(__name__)


@dataclass
class FeedbackResult:
    kind: str | None = None  # bounced | complained | None (not ours to act on)
    ticket_id: str | None = None
    message_id: str | None = None
    suppressed: list[str] = field(default_factory=list)


def record_feedback(store: TicketStore, notification: dict[str, Any]) -> FeedbackResult:
    feedback = parse_feedback(notification)
    if feedback is None:
        return FeedbackResult()
    at = iso()
    result = FeedbackResult(kind=feedback.kind)
    if feedback.suppress:
        for address in feedback.recipients:
            store.suppress(address, f"{feedback.kind}: {feedback.reason}", at)
            result.suppressed.append(address)
    message = store.by_ses_id(feedback.ses_message_id)
    if message is None:  # not a mail of ours, or from before SES's MessageId was stored: the suppression stands
        log.warning("SES %s for an unknown message %s", feedback.kind, feedback.ses_message_id)
        return result
    store.mark_delivery(message, feedback.kind, feedback.reason)
    result.ticket_id, result.message_id = message.pk, message.id
    return result
