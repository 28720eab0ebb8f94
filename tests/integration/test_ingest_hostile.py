"""Issue 10: hostile mail must not loop us or vanish (against moto).

* Loop guard: the sender's auto-reply window and daily cap are read in reserved positions of the one
  BatchGetItem, so no number of references can push them out.
* Nothing accepted is dropped: sizes are measured in encoded bytes (DynamoDB's 400 KB are bytes).
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

    config_store().put_settings(TeamSettings(**changes))


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
