"""domain/autoreply.py (autoreply_verdict) and domain/mail/automatic.py (automatic_reason): no auto-reply when."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk.domain.autoreply import AutoReplyFacts, autoreply_verdict
from helpdesk.domain.mail import automatic_reason

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
CUSTOMER = "kunde@firma.example"

ALLOWED = AutoReplyFacts(
    mailbox_autoreply=True,
    automatic_reason=None,
    sender=CUSTOMER,
    message_id="CAF1234.5678@mail.firma.example",
    own_domain="helpdesk.example",
    own_addresses=frozenset({"support@helpdesk.example", "noreply@helpdesk.example", "info@other-brand.example"}),
    spam=False,
    virus=False,
    rule_suppressed=False,
    stored_closed=False,
    last_sent_at=None,
    window_hours=24,
)


def verdict(**changes: Any) -> tuple[bool, str]:
    return autoreply_verdict(dataclasses.replace(ALLOWED, **changes), NOW)


# ------------------------------------------------------------------------------------ autoreply_verdict


def test_a_normal_mail_gets_an_auto_reply() -> None:
    assert autoreply_verdict(ALLOWED, NOW) == (True, "auto-reply allowed")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"mailbox_autoreply": False}, "auto-reply is off for this mailbox"),
        ({"automatic_reason": "Precedence: bulk"}, "automatic mail: Precedence: bulk"),
        ({"sender": ""}, "no sender address"),
        ({"sender": "support@helpdesk.example"}, "sender is one of our own addresses"),
        ({"sender": "info@other-brand.example"}, "sender is one of our own addresses"),
        ({"sender": "kollege@helpdesk.example"}, "sender is in our own domain"),
        ({"message_id": "01kmw3z1q2.helpdesk@helpdesk.example"}, "Message-ID is from our own domain (loop)"),
        ({"message_id": "01KMW3Z1Q2.HELPDESK@HELPDESK.EXAMPLE"}, "Message-ID is from our own domain (loop)"),
        ({"spam": True}, "spam verdict"),
        ({"virus": True}, "virus verdict"),
        (
            {"sender_unverified": "DMARC fail"},
            "sender failed authentication (DMARC fail): no reply to a possibly forged address",
        ),
        ({"rule_suppressed": True}, "a rule suppresses the auto-reply"),
        ({"stored_closed": True}, "ticket is stored closed (import)"),
        ({"last_sent_at": "2026-11-26T00:00:00.000000Z"}, "an auto-reply went to this sender less than 24 h ago"),
        (
            {"last_sent_at": "2026-11-26T11:30:00.000000Z", "window_hours": 0.75},
            "an auto-reply went to this sender less than 0.75 h ago",
        ),
    ],
)
def test_each_reason_for_no_auto_reply(changes: dict[str, Any], reason: str) -> None:
    assert verdict(**changes) == (False, reason)


def test_a_sender_in_a_subdomain_is_not_our_domain() -> None:
    assert verdict(sender="kunde@mail.helpdesk.example.org") == (True, "auto-reply allowed")
    assert verdict(message_id="abc@nothelpdesk.example") == (True, "auto-reply allowed")


def test_without_own_domain_the_domain_checks_are_off() -> None:
    assert verdict(own_domain="", sender="x@", message_id="abc@") == (True, "auto-reply allowed")


def test_the_window_has_passed() -> None:
    assert verdict(last_sent_at="2026-11-25T11:59:59.000000Z") == (True, "auto-reply allowed")
    assert verdict(last_sent_at="2026-11-25T12:00:00.000000Z") == (True, "auto-reply allowed")  # exactly 24 h
    assert verdict(last_sent_at="2026-11-25T12:00:01.000000Z")[0] is False


def test_a_window_of_zero_sends_every_time() -> None:
    assert verdict(last_sent_at="2026-11-26T11:59:59.000000Z", window_hours=0) == (True, "auto-reply allowed")


def test_the_daily_cap_counts_per_sender_and_day() -> None:
    assert verdict(sent_today=39, max_per_day=40) == (True, "auto-reply allowed")
    assert verdict(sent_today=40, max_per_day=40) == (False, "this sender got 40 auto-replies today (daily cap 40)")
    assert verdict(sent_today=5, max_per_day=3, window_hours=0) == (
        False,
        "this sender got 5 auto-replies today (daily cap 3)",
    )
    assert verdict(sent_today=400, max_per_day=0) == (True, "auto-reply allowed")  # 0: no cap


def test_the_first_reason_wins() -> None:
    assert verdict(mailbox_autoreply=False, spam=True, sender="") == (False, "auto-reply is off for this mailbox")
    assert verdict(spam=True, virus=True, stored_closed=True) == (False, "spam verdict")


# ------------------------------------------------------------------------------------- automatic_reason


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"auto-submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
        ({"auto-submitted": "Auto-Generated"}, "Auto-Submitted: auto-generated"),
        (
            {"auto-submitted": "auto-notified; owner-email=x@y.example"},
            "Auto-Submitted: auto-notified; owner-email=x@y.example",
        ),
        ({"precedence": "bulk"}, "Precedence: bulk"),
        ({"precedence": " List "}, "Precedence: list"),
        ({"precedence": "junk"}, "Precedence: junk"),
        ({"precedence": "auto_reply"}, "Precedence: auto_reply"),
        ({"list-id": "<news.firma.example>"}, "List-Id present (mailing list)"),
        ({"list-unsubscribe": "<mailto:leave@firma.example>"}, "List-Unsubscribe present (mailing list)"),
        ({"list-post": "<mailto:list@firma.example>"}, "List-Post present (mailing list)"),
        ({"x-loop": "support@helpdesk.example"}, "X-Loop present"),
        ({"x-auto-response-suppress": "All"}, "X-Auto-Response-Suppress: all"),
        ({"x-auto-response-suppress": "AutoReply"}, "X-Auto-Response-Suppress: autoreply"),
        ({"x-auto-response-suppress": "DR, OOF"}, "X-Auto-Response-Suppress: dr, oof"),
        ({"x-autoreply": "yes"}, "X-Autoreply present"),
        ({"x-autorespond": "yes"}, "X-Autoreply present"),
        ({"x-ms-exchange-generated-message-source": "Mailbox Rules Agent"}, "generated by Exchange"),
        ({"x-failed-recipients": "weg@firma.example"}, "delivery status report (bounce)"),
    ],
)
def test_automatic_headers(headers: dict[str, str], reason: str) -> None:
    assert automatic_reason(headers, CUSTOMER) == reason


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"auto-submitted": "no"},
        {"auto-submitted": "No"},
        {"auto-submitted": "no (a person wrote this)"},
        {"auto-submitted": ""},
        {"precedence": "first-class"},
        {"precedence": "normal"},
        {"x-auto-response-suppress": "DR, RN, NRN"},
        {"list-id": ""},
        {"x-mailer": "Microsoft Outlook 16.0"},
    ],
)
def test_mail_written_by_a_person(headers: dict[str, str]) -> None:
    assert automatic_reason(headers, CUSTOMER) is None


def test_a_bounce_is_recognised_by_its_content_type() -> None:
    assert automatic_reason({}, CUSTOMER, "multipart/report") == "delivery status report (bounce)"
    assert automatic_reason({}, CUSTOMER, "multipart/mixed") is None


@pytest.mark.parametrize(
    ("sender", "local"),
    [
        ("mailer-daemon@mx.firma.example", "mailer-daemon"),
        ("MAILER-DAEMON@mx.firma.example", "MAILER-DAEMON"),
        ("postmaster@firma.example", "postmaster"),
        ("noreply@shop.example", "noreply"),
        ("no-reply@shop.example", "no-reply"),
        ("no_reply@email.apple.example", "no_reply"),
        ("no.reply@shop.example", "no.reply"),
        ("NoReply@shop.example", "NoReply"),
        ("noreply+bounce-42@shop.example", "noreply+bounce-42"),
        ("noreply.rechnung@shop.example", "noreply.rechnung"),
        ("no-reply_de@shop.example", "no-reply_de"),
        ("do-not-reply@bank.example", "do-not-reply"),
        ("donotreply@bank.example", "donotreply"),
        ("do_not_reply@bank.example", "do_not_reply"),
        ("do.not.reply@bank.example", "do.not.reply"),
        ("DoNotReply@bank.example", "DoNotReply"),
        ("bounces+123@list.example", "bounces+123"),
        ("notifications-noreply@service.example", "notifications-noreply"),
    ],
)
def test_system_senders(sender: str, local: str) -> None:
    assert automatic_reason({}, sender) == f"sender {local} is a system address"


@pytest.mark.parametrize(
    "sender",
    [
        "norbert@firma.example",
        "noreplyer@firma.example",
        "postmasters-fan@firma.example",
        "rooted@firma.example",
        "reply@firma.example",
        "info@noreply.example",
    ],
)
def test_people_whose_address_resembles_a_system_sender(sender: str) -> None:
    assert automatic_reason({}, sender) is None


def test_a_mail_without_sender_is_automatic() -> None:
    assert automatic_reason({}, "") == "no sender address"


def test_headers_are_checked_before_the_sender() -> None:
    assert automatic_reason({"precedence": "bulk", "auto-submitted": "auto-generated"}, "") == (
        "Auto-Submitted: auto-generated"
    )
    assert automatic_reason({"list-id": "<x>"}, "noreply@shop.example") == "List-Id present (mailing list)"


def test_long_header_values_are_cut_in_the_reason() -> None:
    reason = automatic_reason({"auto-submitted": "auto-generated " + "x" * 200}, CUSTOMER)
    assert reason == "Auto-Submitted: " + ("auto-generated " + "x" * 200)[:60]


def test_the_reason_flows_into_the_verdict() -> None:
    reason = automatic_reason({"x-auto-response-suppress": "OOF"}, CUSTOMER)
    assert verdict(automatic_reason=reason) == (False, "automatic mail: X-Auto-Response-Suppress: oof")
