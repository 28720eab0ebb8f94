"""domain/intake.py: what a new mail becomes (the ingest's and the rule dry run's one source)."""

from __future__ import annotations

from datetime import date

from helpdesk.domain.clock import now
from helpdesk.domain.config import ConfigSnapshot, Mailbox
from helpdesk.domain.intake import NewTicketFacts, SenderHistory, decide_new_ticket, new_ticket_fields, typed_mail
from helpdesk.domain.mail import ParsedMail
from helpdesk.domain.rules import Outcome
from helpdesk.domain.status import Status

SUPPORT = Mailbox(id="support", address="support@example.com", default_queue="support", default_project="web")
FAILED_DMARC = {"Authentication-Results": "amazonses.com; spf=fail; dkim=none; dmarc=fail"}


def _mail(**headers: str) -> ParsedMail:
    return typed_mail(
        sender="k@kunde.example", sender_name="K", to=["support@example.com"], subject="", body="x", headers=headers
    )


def _facts(
    mailbox: Mailbox | None = SUPPORT,
    rules: Outcome | None = None,
    mail: ParsedMail | None = None,
    quarantine: str | None = None,
    index_note: str | None = None,
    claimed_ticket_id: str | None = None,
) -> NewTicketFacts:
    return NewTicketFacts(
        mail or _mail(), mailbox, rules or Outcome(), "team-queue", quarantine, index_note, claimed_ticket_id
    )


def test_defaults_come_from_the_mailbox_then_the_team() -> None:
    fields = new_ticket_fields(_facts())
    assert (fields.status, fields.queue, fields.project, fields.priority) == (Status.NEW, "support", "web", "medium")
    assert fields.subject == "(kein Betreff)" and fields.review == []
    nowhere = new_ticket_fields(_facts(mailbox=None))
    assert (nowhere.queue, nowhere.project) == ("team-queue", None)
    assert nowhere.review == ["sent to no configured mailbox (support@example.com)"]


def test_a_rule_wins_over_close_on_import_and_the_claim() -> None:
    archive = SUPPORT.model_copy(update={"close_on_import": True})
    closed = new_ticket_fields(_facts(mailbox=archive, claimed_ticket_id="T1"))
    assert (closed.status, closed.stored_closed, closed.quiet) == (Status.CLOSED, True, True)
    reopened = new_ticket_fields(_facts(mailbox=archive, rules=Outcome(status="open", queue="sales")))
    assert (reopened.status, reopened.stored_closed, reopened.queue) == (Status.OPEN, True, "sales")
    trash = new_ticket_fields(_facts(rules=Outcome(status="trash")))
    assert (trash.stored_closed, trash.quiet) == (False, True)


def test_mail_dated_before_the_import_date_is_stored_closed() -> None:
    mailbox = SUPPORT.model_copy(update={"import_from": date(2030, 1, 1)})
    mail = _mail()
    mail.date = "2029-12-31T23:00:00Z"
    assert new_ticket_fields(_facts(mailbox=mailbox, mail=mail)).status is Status.CLOSED


def test_a_claim_is_to_clarify_and_says_why_in_the_review_notes_in_order() -> None:
    fields = new_ticket_fields(
        _facts(mail=_mail(**FAILED_DMARC), claimed_ticket_id="T1", quarantine="quarantine: x", index_note="reused")
    )
    assert fields.status is Status.CLARIFY
    assert fields.review[:2] == ["quarantine: x", "reused"]
    assert "failed authentication (DMARC fail)" in fields.review[2]


def test_the_auto_reply_verdict_reads_the_verdicts_the_rules_and_the_senders_history() -> None:
    cfg = ConfigSnapshot(mailboxes=[SUPPORT])

    def why(facts: NewTicketFacts, history: SenderHistory | None = None) -> str:
        decided = decide_new_ticket(facts, cfg, "example.com", now(), history)
        return "yes" if decided.autoreply else decided.autoreply_reason.code

    assert why(_facts()) == "yes"
    assert why(_facts(mail=_mail(**{"X-SES-Spam-Verdict": "FAIL"}))) == "autoreply.spam"
    assert why(_facts(mail=_mail(**{"X-SES-Virus-Verdict": "FAIL"}))) == "autoreply.virus"
    assert why(_facts(mail=_mail(**FAILED_DMARC))) == "autoreply.unverified"
    assert why(_facts(mail=_mail(**{"Auto-Submitted": "auto-replied"}))) == "autoreply.automatic"
    assert why(_facts(rules=Outcome(spam=True))) == "autoreply.spam"
    assert why(_facts(rules=Outcome(suppress_autoreply=True))) == "autoreply.rule"
    assert why(_facts(rules=Outcome(status="closed"))) == "autoreply.stored_closed"
    assert why(_facts(), SenderHistory(suppressed="bounced")) == "autoreply.suppressed"
    assert why(_facts(), SenderHistory(last_sent_at=now().isoformat())) == "autoreply.window"
