"""Issue 10: hostile mail must not loop us or vanish (against moto).

* Loop guard: the sender's auto-reply window and daily cap are read in reserved positions of the one
  BatchGetItem, so no number of references can push them out.
* Nothing accepted is dropped: sizes are measured in encoded bytes (DynamoDB's 400 KB are bytes); a
  different mail under a known Message-ID is stored (a true redelivery is not); mail without a
  Message-ID is told apart by its inbound object, not by its text.
* Auto-replies SES refused are sent when SQS delivers the mail again; /stats counts what SES accepted.
* A mail that still fails on its last try becomes a quarantine ticket with the raw mail attached,
  instead of cycling through the dead-letter queue.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from helpdesk.domain.clock import now
from helpdesk.store.tickets import TicketStore

from .helpers import ingest, make_mail, reset_sent, sent_mails


@pytest.fixture(autouse=True)
def _clean_outbox() -> None:
    reset_sent()


def ids(count: int, tag: str) -> str:
    return " ".join(f"<{tag}-{i}@vendor.example>" for i in range(count))


def replies_to(address: str) -> list[Any]:
    return [m for m in sent_mails() if any(a.addr_spec == address for a in m["To"].addresses)]


def settings(**changes: Any) -> None:
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import TeamSettings

    config_store().put_settings(TeamSettings.model_validate(changes))


# ------------------------------------------------------------------------------------------ loop guard


def test_a_responder_with_50_in_reply_to_and_50_references_gets_one_autoreply(aws: Any) -> None:
    """The reported bypass: 1 + 50 + 50 Message-IDs pushed the window key out of the lookup."""
    results = [
        ingest(
            aws,
            make_mail(
                sender="robot@vendor.example",
                subject=f"Ihre Anfrage {round_}",
                in_reply_to=ids(50, f"irt{round_}"),
                references=ids(50, f"ref{round_}"),
            ),
        )
        for round_ in range(4)
    ]
    assert [r.outcome for r in results] == ["created"] * 4
    assert len(replies_to("robot@vendor.example")) == 1
    assert [r.autoreply for r in results[1:]] == ["suppressed"] * 3
    assert all("less than 24 h ago" in r.autoreply_reason for r in results[1:])


def test_a_responder_with_500_references_gets_one_autoreply_and_the_newest_still_thread(aws: Any) -> None:
    first = ingest(aws, make_mail(sender="robot@vendor.example", subject="Start", references=ids(500, "old")))
    ours = replies_to("robot@vendor.example")[0]["Message-ID"]
    for round_ in range(3):
        ingest(
            aws,
            make_mail(
                sender="robot@vendor.example",
                subject=f"Neu {round_}",
                in_reply_to=ids(50, f"irt{round_}"),
                references=ids(500, f"ref{round_}"),
            ),
        )
    assert len(replies_to("robot@vendor.example")) == 1
    # Our Message-ID as the newest of 500 References (its In-Reply-To full of strangers' ids) still threads.
    answer = ingest(
        aws,
        make_mail(
            sender="robot@vendor.example",
            subject="Re: irgendwas",
            in_reply_to=ids(50, "irt-x"),
            references=f"{ids(499, 'ref-x')} {ours}",
        ),
    )
    assert (answer.outcome, answer.ticket_id) == ("appended", first.ticket_id)


def test_a_responder_that_changes_case_and_display_name_is_one_sender(aws: Any) -> None:
    senders = [
        "Robot <robot@vendor.example>",
        "ROBOT@VENDOR.EXAMPLE",
        "Vendor Support Bot <Robot@Vendor.Example>",
        '"robot@vendor.example" <rObOt@vEnDoR.eXaMpLe>',
    ]
    for round_, sender in enumerate(senders):
        ingest(
            aws,
            make_mail(
                sender=sender,
                subject=f"Ticket {round_}",
                in_reply_to=ids(50, f"irt{round_}"),
                references=ids(50, f"ref{round_}"),
            ),
        )
    assert len(replies_to("robot@vendor.example")) == 1


def test_the_daily_cap_holds_when_the_window_is_off_and_starts_anew_the_next_day(aws: Any) -> None:
    settings(autoreply_window_hours=0, autoreply_max_per_day=3)
    results = [
        ingest(
            aws,
            make_mail(
                sender="robot@vendor.example",
                subject=f"Runde {round_}",
                in_reply_to=ids(50, f"irt{round_}"),
                references=ids(50, f"ref{round_}"),
            ),
        )
        for round_ in range(5)
    ]
    assert len(replies_to("robot@vendor.example")) == 3
    assert [r.autoreply for r in results] == ["sent"] * 3 + ["suppressed"] * 2
    assert results[-1].autoreply_reason == "this sender got 3 auto-replies today (daily cap 3)"
    ingest(aws, make_mail(sender="mensch@kunde.example", subject="Frage"))
    assert len(replies_to("mensch@kunde.example")) == 1  # the cap is per sender
    with time_machine.travel(now() + timedelta(days=1)):
        tomorrow = ingest(aws, make_mail(sender="robot@vendor.example", subject="Morgen"))
    assert tomorrow.autoreply == "sent"


def test_the_daily_cap_defaults_to_40() -> None:
    from helpdesk.domain.config import TeamSettings

    assert TeamSettings().autoreply_max_per_day == 40


def test_concurrent_mails_from_one_responder_get_one_autoreply(aws: Any) -> None:
    """Five Lambdas read "no window" at the same moment: the conditional window write lets one send."""
    from concurrent.futures import ThreadPoolExecutor

    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    keys = [put_inbound(aws, make_mail(sender="robot@vendor.example", subject=f"Parallel {i}")) for i in range(5)]
    deps = ingest_deps()
    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(lambda key: ingest_object(aws.bucket, key, deps), keys))
    assert [r.outcome for r in results] == ["created"] * 5
    assert len(replies_to("robot@vendor.example")) == 1


# ---------------------------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("\U0001f600", 120_000),  # the report: 120k emoji, 480 KB
        ("漢", 140_000),  # the report: 140k CJK characters, 420 KB
        ("\U0001f4e6", 262_144),  # 1 MB of 4-byte characters
    ],
    ids=["120k-emoji", "140k-cjk", "1MB-4-byte"],
)
def test_a_large_multibyte_body_is_stored(aws: Any, text: str, count: int) -> None:
    body = "\n".join(text * 64 for _ in range(count // 64))
    result = ingest(aws, make_mail(subject="Viel Text", body=body, html=f"<p>{text * 200}</p>"))
    assert result.outcome == "created"
    detail = TicketStore().detail(str(result.ticket_id))
    assert detail is not None
    msg = next(m for m in detail.messages if m.direction == "inbound")
    assert msg.body_key  # the whole body is in S3 ...
    stored = json.loads(aws.client("s3").get_object(Bucket=aws.bucket, Key=msg.body_key)["Body"].read())
    assert stored["text"].count(text) == count // 64 * 64
    inline = sum(len(v.encode()) for v in (msg.text, msg.html, msg.new_text))
    assert inline <= 100_000  # ... and what the item keeps is well below DynamoDB's 400 KB


# --------------------------------------------------------------------------------- reused Message-IDs


def detail(ticket_id: str | None) -> Any:
    found = TicketStore().detail(str(ticket_id))
    assert found is not None
    return found


def inbound(ticket_id: str | None) -> list[Any]:
    return [m for m in detail(ticket_id).messages if m.direction == "inbound"]


def test_a_different_mail_under_a_known_message_id_is_stored_with_a_review_note(aws: Any) -> None:
    first = ingest(aws, make_mail(message_id="<reused@kunde.example>", subject="Erste", body="Eins"))
    other = make_mail(
        sender="Petra <petra@firma.example>", message_id="<reused@kunde.example>", subject="Zweite", body="Zwei"
    )
    second = ingest(aws, other)
    assert second.outcome == "created" and second.ticket_id != first.ticket_id
    ticket = detail(second.ticket_id).ticket
    assert ticket.subject == "Zweite" and ticket.review
    assert ticket.review_notes == [
        f"Message-ID <reused@kunde.example> was used before by a different mail (ticket {first.number}); "
        "this mail is stored on its own"
    ]
    (message,) = inbound(second.ticket_id)
    assert message.message_id == "reused@kunde.example" and "Zwei" in message.text
    assert [m.text.strip() for m in inbound(first.ticket_id)] == ["Eins"]  # the first mail is untouched
    # Its redelivery (another object, another relay) is a duplicate of the second mail, not a third ticket.
    again = ingest(aws, b"Received: from mx2.firma.example by inbound-smtp\r\n" + other)
    assert (again.outcome, again.ticket_id) == ("duplicate", second.ticket_id)


def test_a_different_mail_under_a_known_message_id_from_a_participant_threads_with_a_note(aws: Any) -> None:
    first = ingest(aws, make_mail(message_id="<dup-in-thread@kunde.example>", subject="Bestellung"))
    follow = make_mail(
        message_id="<dup-in-thread@kunde.example>", subject=f"AW: [#{first.number}] Bestellung", body="Nachtrag"
    )
    result = ingest(aws, follow)
    assert (result.outcome, result.ticket_id) == ("appended", first.ticket_id)
    ticket = detail(first.ticket_id).ticket
    assert ticket.review and "was used before by a different mail" in ticket.review_notes[-1]
    assert sorted(m.text.strip()[:8] for m in inbound(first.ticket_id)) == ["Guten Ta", "Nachtrag"]
    assert ingest(aws, follow).outcome == "duplicate"


def test_a_true_redelivery_is_not_stored_again(aws: Any) -> None:
    raw = make_mail(message_id="<echt@kunde.example>", attachments=[("a.pdf", "application/pdf", b"%PDF-1")])
    first = ingest(aws, raw)
    via_ses = b"Return-Path: <juergen@kunde.example>\r\nX-SES-Spam-Verdict: PASS\r\n" + raw
    crlf = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    for again in (raw, via_ses, crlf, raw.replace(b"To: support@example.com", b"To: sales@example.com")):
        result = ingest(aws, again)
        assert (result.outcome, result.ticket_id) == ("duplicate", first.ticket_id)
    assert len(inbound(first.ticket_id)) == 1
    assert len(replies_to("juergen@kunde.example")) == 1


def test_a_stranger_reusing_our_message_id_is_stored_and_our_own_echo_is_not(aws: Any) -> None:
    first = ingest(aws, make_mail(subject="Anfrage"))
    ours = replies_to("juergen@kunde.example")[0]["Message-ID"]
    echo = make_mail(sender="Support <support@example.com>", message_id=ours, subject="[#x] Ihre Anfrage")
    assert ingest(aws, echo).outcome == "own_echo"
    forged = make_mail(sender="mallory@evil.example", message_id=ours, subject="Bitte Passwort zurücksetzen")
    result = ingest(aws, forged)
    assert result.outcome == "created" and result.ticket_id != first.ticket_id
    ticket = detail(result.ticket_id).ticket
    assert ticket.review and "is one we sent" in ticket.review_notes[0]
    assert result.autoreply == "suppressed"  # our own Message-ID: the loop guard holds


def test_a_different_mail_racing_for_the_same_message_id_is_stored(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both read "unknown id" before either committed: the loser re-reads the id and compares content."""
    from helpdesk.store.tickets import Lookup

    ingest(aws, make_mail(message_id="<race@kunde.example>", subject="Erster"))
    original = TicketStore.lookup

    def stale(self: TicketStore, *args: Any, **kwargs: Any) -> Lookup:
        found = original(self, *args, **kwargs)
        found.message_ids.pop("race@kunde.example", None)  # read before the other mail was committed
        return found

    monkeypatch.setattr(TicketStore, "lookup", stale)
    raw = make_mail(message_id="<race@kunde.example>", subject="Zweiter", body="anders")
    different = ingest(aws, raw)
    same = ingest(aws, raw)
    assert different.outcome == "created" and detail(different.ticket_id).ticket.subject == "Zweiter"
    assert (same.outcome, same.ticket_id) == ("duplicate", different.ticket_id)


# ---------------------------------------------------------------------------------- no Message-ID


ALERT = (
    b"From: monitor@kunde.example\r\nTo: support@example.com\r\nSubject: DISK FULL on db1\r\n\r\n/var is 100% full\r\n"
)


def test_alerts_without_message_id_from_two_objects_are_two_tickets_and_one_object_twice_is_one(aws: Any) -> None:
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    first_key = put_inbound(aws, b"Received: from monitor by inbound-smtp; 12:00:00\r\n" + ALERT)
    second_key = put_inbound(aws, b"Received: from monitor by inbound-smtp; 12:00:20\r\n" + ALERT)
    first = ingest_object(aws.bucket, first_key, ingest_deps())
    second = ingest_object(aws.bucket, second_key, ingest_deps())
    assert (first.outcome, second.outcome) == ("created", "created")
    assert first.ticket_id != second.ticket_id
    again = ingest_object(aws.bucket, first_key, ingest_deps())  # S3/SQS deliver the same event twice
    assert (again.outcome, again.ticket_id) == ("duplicate", first.ticket_id)


# ------------------------------------------------------------------------------ auto-reply retry, stats


def throttled(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
    from botocore.exceptions import ClientError

    error = {"Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."}}
    raise ClientError(error, "SendEmail")  # type: ignore[arg-type]


def stats_today(api: Any) -> dict[str, int]:
    response = api.get("/stats", user="admin")
    assert response.status == 200, response.text
    return dict(response.json["totals"])


@pytest.fixture
def api(aws: Any) -> Any:
    from .api_client import make_api

    return make_api(aws)


def autoreply_of(ticket_id: str | None) -> Any:
    (message,) = [m for m in detail(ticket_id).messages if m.auto_reply]
    return message


def test_a_throttled_autoreply_does_not_fail_the_mail_and_the_outbox_sweep_sends_it_later(
    aws: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13: a refused auto-reply failed the SQS record (ingest errors, alarm) and, on the last try, stayed
    ``failed`` for good because every redelivery is a duplicate. Now the mail is stored and its record
    succeeds; the auto-reply waits as ``retry`` and the scheduled sweep sends it once the pause is over."""
    from datetime import timedelta

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps, ingest_deps
    from helpdesk.domain.clock import now
    from helpdesk.services.autoclose import sweep_outbox
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    key = put_inbound(aws, make_mail(message_id="<retry@kunde.example>"))
    monkeypatch.setattr(Mailer, "send_raw", throttled)
    first = ingest_object(aws.bucket, key, ingest_deps())  # no exception: the record succeeds
    assert (first.outcome, first.autoreply) == ("created", "retry")
    reply = autoreply_of(first.ticket_id)
    assert reply.send_state == "retry" and reply.send_error.startswith("TooManyRequestsException")
    assert stats_today(api).get("autoreplies_sent", 0) == 0  # refused is not sent
    again = ingest_object(aws.bucket, key, ingest_deps())  # a redelivery (at least once) sends nothing
    assert (again.outcome, again.autoreply) == ("duplicate", "none")

    deps = autoclose_deps()
    early = sweep_outbox(deps, at=now())  # the pause (5 min) is not over
    assert early.due == 0
    refused = sweep_outbox(deps, at=now() + timedelta(minutes=6))
    assert (refused.due, refused.refused) == (1, 1)  # still throttled: the next, longer pause
    monkeypatch.undo()
    assert sweep_outbox(deps, at=now() + timedelta(minutes=10)).due == 0
    sent = sweep_outbox(deps, at=now() + timedelta(minutes=25))
    assert (sent.due, sent.sent) == (1, 1)
    reply = autoreply_of(first.ticket_id)
    assert (reply.send_state, reply.send_error, reply.send_attempts) == ("sent", None, 3)
    assert reply.ses_message_id
    assert sweep_outbox(deps, at=now() + timedelta(days=2)).due == 0
    (mail,) = replies_to("juergen@kunde.example")
    assert mail["Auto-Submitted"] == "auto-replied"
    totals = stats_today(api)
    assert totals["autoreplies_sent"] == 1 and totals.get("autoreplies_failed", 0) == 0
    assert len(inbound(first.ticket_id)) == 1


def test_a_refused_contact_form_autoreply_waits_for_the_outbox_sweep_like_any_other(
    aws: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: the contact form's auto-reply was not retried when SES refused it. It takes the same
    path as an auto-reply to mail: stored ``retry``, sent by the scheduled outbox sweep, once."""
    from datetime import timedelta

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.services.autoclose import sweep_outbox
    from helpdesk.store.tickets import TicketStore

    monkeypatch.setattr(Mailer, "send_raw", throttled)
    body = {"name": "Otto", "email": "otto@kunde.example", "subject": "Rückruf", "body": "Bitte melden"}
    answer = api.call("POST", "/public/contact", body=body)
    assert answer.status == 201, answer.text
    ticket = TicketStore().by_number(answer.json["number"])
    assert ticket is not None and ticket.channel == "contact_form"
    assert autoreply_of(ticket.pk).send_state == "retry"
    monkeypatch.undo()
    sent = sweep_outbox(autoclose_deps(), at=now() + timedelta(minutes=6))
    assert (sent.due, sent.sent) == (1, 1)
    assert autoreply_of(ticket.pk).send_state == "sent"
    assert len(replies_to("otto@kunde.example")) == 1
    assert sweep_outbox(autoclose_deps(), at=now() + timedelta(days=1)).due == 0


def test_a_rejected_autoreply_is_failed_with_the_reason_and_counted_so(
    aws: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES in the sandbox: the recipient is not verified. Waiting does not help: ``failed``, with SES's reason."""
    from botocore.exceptions import ClientError

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    def rejected(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
        message = "Email address is not verified. The following identities failed the check: juergen@kunde.example"
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": message}}, "SendEmail")

    monkeypatch.setattr(Mailer, "send_raw", rejected)
    key = put_inbound(aws, make_mail(message_id="<last@kunde.example>"))
    result = ingest_object(aws.bucket, key, ingest_deps())
    assert (result.outcome, result.autoreply) == ("created", "failed")
    reply = autoreply_of(result.ticket_id)
    assert reply.send_state == "failed"
    assert reply.send_error.startswith("MessageRejected: Email address is not verified.")
    totals = stats_today(api)
    assert totals.get("autoreplies_sent", 0) == 0 and totals["autoreplies_failed"] == 1
    assert sent_mails() == []


def test_stats_count_an_autoreply_as_sent_only_once_ses_accepted_it(
    aws: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between the ticket's transaction and SES: the auto-reply is not counted as sent."""
    from helpdesk.aws.ses import Mailer

    ingest(aws, make_mail(sender="a@kunde.example", subject="eins"))

    class Died(Exception):
        pass

    def dies(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
        raise Died

    monkeypatch.setattr(Mailer, "send_raw", dies)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - the crash itself, or the send failure it caused
        ingest(aws, make_mail(sender="b@kunde.example", subject="zwei"))
    assert isinstance(caught.value, Died) or isinstance(caught.value.__cause__, Died)
    totals = stats_today(api)
    assert totals["tickets_created"] == 2 and totals["autoreplies_sent"] == 1


# ------------------------------------------------------------------------------- last-try quarantine


def stored_from(key: str) -> list[Any]:
    from helpdesk.store.models import MessageItem

    return list(MessageItem.scan(MessageItem.raw_key == key))


def test_a_mail_that_fails_every_try_becomes_a_quarantine_ticket_not_a_dead_letter(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported case with the size bug back in place: 480 KB of emoji inline fail every try."""
    import helpdesk.services.ingest as ingest_module

    from .helpers import put_inbound
    from .test_ingest_failures import peek, poller

    monkeypatch.setattr(ingest_module, "BODY_INLINE_BYTES", 10**9)
    raw = make_mail(subject="Emoji-Flut", body="\U0001f600" * 120_000, message_id="<flut@kunde.example>")
    key = put_inbound(aws, raw)  # the bucket's notification queues it, as SES's object would
    run = poller(aws)
    for _ in range(8):  # maxReceiveCount is 5 in template.yaml
        run.step()
    assert peek(aws, "IngestDLQ") == [] and peek(aws, "IngestQueue") == []

    (message,) = stored_from(key)
    ticket = detail(message.pk).ticket
    assert ticket.subject == "Emoji-Flut" and ticket.review
    assert ticket.review_notes[0].startswith("quarantine: the mail could not be stored on its last try (")
    assert "Item size has exceeded" in ticket.review_notes[0]
    (original,) = message.attachments
    assert (original.filename, original.content_type, original.key) == ("original.eml", "message/rfc822", key)
    assert original.size == len(raw)
    assert sent_mails() == []  # no auto-reply to a mail we could not read


def test_the_last_try_quarantine_is_stored_once_and_leaves_a_missing_object_to_the_dlq(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import helpdesk.services.ingest as ingest_module
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    def bug(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug in threading")

    monkeypatch.setattr(ingest_module, "decide", bug)
    key = put_inbound(aws, make_mail(subject="Trifft den Fehler", message_id="<bug@kunde.example>"))
    with pytest.raises(RuntimeError):  # not the last try: SQS tries again
        ingest_object(aws.bucket, key, ingest_deps())
    assert stored_from(key) == []
    first = ingest_object(aws.bucket, key, ingest_deps(), last_try=True)
    again = ingest_object(aws.bucket, key, ingest_deps(), last_try=True)  # redriven, or delivered twice
    assert first.outcome == "created" and first.quarantined
    assert (again.outcome, again.ticket_id) == ("duplicate", first.ticket_id)
    assert "RuntimeError: simulated bug in threading" in detail(first.ticket_id).ticket.review_notes[0]
    assert len(stored_from(key)) == 1

    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):  # no object, nothing to keep: the dead-letter queue holds the event
        ingest_object(aws.bucket, "inbound/not-there", ingest_deps(), last_try=True)


def test_on_the_last_try_an_unknown_send_outcome_is_left_alone_not_retried(
    aws: Any, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES's answer was lost: it may have the mail, so it is never sent again, and the stored mail is not
    sent to the dead-letter queue for it."""
    from botocore.exceptions import ReadTimeoutError

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    from .helpers import put_inbound

    def lost(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
        raise ReadTimeoutError(endpoint_url="https://email.eu-central-1.amazonaws.com")

    monkeypatch.setattr(Mailer, "send_raw", lost)
    key = put_inbound(aws, make_mail(message_id="<lost@kunde.example>"))
    result = ingest_object(aws.bucket, key, ingest_deps(), last_try=True)
    assert (result.outcome, result.autoreply) == ("created", "unknown")
    assert autoreply_of(result.ticket_id).send_state == "sending"
    monkeypatch.undo()
    assert ingest_object(aws.bucket, key, ingest_deps()).autoreply == "none"  # never a second time
    assert sent_mails() == []
    totals = stats_today(api)
    assert totals.get("autoreplies_sent", 0) == 0 and totals.get("autoreplies_failed", 0) == 0
