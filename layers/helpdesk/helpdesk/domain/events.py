"""The kinds of event a ticket's history holds (``EventItem.type``), each with what its details carry.

Events are the audit trail and the outbox to EventBridge; the web client tells each kind as a sentence
(``functions/api/static/i18n.js``, keys ``evp.*``). Reasons inside the details are codes with
parameters (``domain/reasons.py``). ``tests/unit/test_event_prose.py`` checks that every kind the
services write is listed here and has its German and English text.
"""

from __future__ import annotations

EVENT_TYPES: dict[str, str] = {
    "TicketCreated": "number, subject, status, queue, mailbox, customer, channel; from mail also threading "
    "(reasons), rules (fired), autoreply (reason), rule_warnings (reasons)",
    "MessageAdded": "direction (inbound|outbound), message_id, from or to, channel, threading (reasons), "
    "reopened (true: a customer's message reopened a closed ticket), "
    "side ('forward': a forward's answer or an answer to it)",
    "MessageForwarded": "message_id (ours), forwarded (the message's id, or 'ticket'), to, cc, bcc",
    "TicketSplit": "source, source_number, target, target_number, message (the id of the message moved)",
    "StatusChanged": "from, to, reason (a reason), days_waiting (autoclose)",
    "TicketUpdated": "changes: {field: [before, after]}",
    "CommentAdded": "comment_id, mentions, tags",
    "TicketMerged": "source, source_number, target, target_number, moved",
    "ReminderSent": "days_waiting, mailed",
    "DeadlineWarning": "deadlines [{kind: due|response, at}] (passing within deadline_warning_minutes)",
    "DeadlineMissed": "deadlines [{kind: due|response, at}], notified, priority [before, after]",
    "AutomationRan": "cause {event, occurrences}, fired (trigger ids), reasons (every decision and action), "
    "notify (usernames told)",
    "MacroApplied": "macro, name, changes {field: [before, after]} (what undo puts back), reasons, notify",
    "MacroUndone": "undoes (the MacroApplied event's id), macro, name, reasons (fields kept and why)",
    "AutoAssigned": "queue, mode (round_robin|least_open), assignee (null: nobody available), reason (a reason)",
    "PersonalDataErased": "a person's data was taken out of this ticket (services/privacy.py; no personal data)",
}
