"""The rule dry run shows what the ingest does (issue 11, part 5): the same mail, once through
``POST /admin/rules/dry-run`` and once through the ingest, gets the same queue, status, priority,
project, fired rules and auto-reply verdict, for every kind of outcome.

Before, the dry run rebuilt the ingest's inputs by hand and had drifted: no SES spam or virus verdict,
no DMARC ``sender_unverified``, no close on import (both now read domain/intake.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.store.tickets import TicketStore

from .api_client import ApiClient
from .helpers import ingest, make_mail

UNVERIFIED = {"Authentication-Results": "amazonses.com; spf=fail client-ip=203.0.113.9; dkim=none; dmarc=fail"}


def _rule(rule_id: str, actions: dict[str, Any], word: str = "retoure") -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": rule_id,
        "conditions": [{"field": "subject", "op": "contains", "value": word}],
        "actions": actions,
    }


# case: (rules to add, mailbox to add, make_mail arguments)
CASES: dict[str, tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any]]] = {
    "no rule fires": ([], None, {}),
    "assign a queue": ([_rule("returns", {"queue": "returns", "priority": "high"})], None, {"subject": "Retoure 5"}),
    "set a status": ([_rule("wait", {"status": "waiting_customer"})], None, {"subject": "Retoure 6"}),
    "close": ([_rule("done", {"status": "closed"})], None, {"subject": "Retoure 7"}),
    "suppress the auto-reply": ([_rule("quiet", {"suppress_autoreply": True})], None, {"subject": "Retoure 8"}),
    "spam by a rule": ([_rule("junk", {"spam": True, "status": "trash"})], None, {"subject": "Retoure 9"}),
    "the seeded newsletter rule": ([], None, {"headers": {"List-Unsubscribe": "<mailto:x@y>"}}),
    "SES says spam": ([], None, {"headers": {"X-SES-Spam-Verdict": "FAIL"}}),
    "SES says virus": ([], None, {"headers": {"X-SES-Virus-Verdict": "FAIL"}}),
    "sender failed DMARC": ([], None, {"headers": UNVERIFIED}),
    "close on import": (
        [],
        {"id": "archive", "address": "archiv@example.com", "close_on_import": True},
        {"to": "archiv@example.com"},
    ),
    "mailbox default queue and project": (
        [],
        {"id": "werkstatt", "address": "werkstatt@example.com", "default_queue": "billing", "default_project": "shop"},
        {"to": "werkstatt@example.com"},
    ),
    "automatic mail": ([], None, {"headers": {"Auto-Submitted": "auto-generated"}}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_dry_run_and_the_ingest_agree(aws: Any, api: ApiClient, case: str) -> None:
    rules, mailbox, mail = CASES[case]
    for rule in rules:
        assert api.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    if mailbox is not None:
        assert api.call("POST", "/admin/mailboxes", user="admin", body=mailbox).status == 201
    raw = make_mail(**mail)

    dry = api.call("POST", "/admin/rules/dry-run", user="admin", body={"raw": raw.decode()}).json
    result = ingest(aws, raw)
    ticket = TicketStore().get(result.ticket_id)
    assert ticket is not None

    assert result.outcome == "created"
    assert [f["rule"] for f in dry["fired"]] == [f["rule"] for f in result.rules]
    shown = {k: dry["result"][k] for k in ("queue", "status", "priority", "project", "mailbox")}
    stored = {k: getattr(ticket, k) for k in ("queue", "status", "priority", "project", "mailbox")}
    assert shown == stored
    if result.autoreply == "suppressed":
        assert dry["autoreply"] == f"no: {result.autoreply_reason}"
    else:
        assert (dry["autoreply"], result.autoreply) == ("yes", "sent")


def test_a_typed_mail_is_judged_as_a_parsed_one(aws: Any, api: ApiClient) -> None:
    """The dry run's form (sender, subject, headers; no raw mail) reads its headers as the parser does:
    an Auto-Submitted header or a failed DMARC check refuses the auto-reply as the ingest would."""
    form = {"sender": "k@kunde.example", "subject": "Hallo", "to": ["support@example.com"]}
    assert api.call("POST", "/admin/rules/dry-run", user="admin", body=form).json["autoreply"] == "yes"
    for headers, why in (
        ({"Auto-Submitted": "auto-generated"}, "automatic mail"),
        (UNVERIFIED, "DMARC fail"),
        ({"X-SES-Spam-Verdict": "FAIL"}, "spam"),
    ):
        dry = api.call("POST", "/admin/rules/dry-run", user="admin", body={**form, "headers": headers}).json
        assert dry["autoreply"].startswith("no:") and why in dry["autoreply"], (headers, dry["autoreply"])
