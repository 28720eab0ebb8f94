"""Autoclose figures at 10,000 waiting tickets: tickets examined and acted on per second, AWS calls per close.

    .venv/bin/python bench/autoclose.py [--tickets 10000]

Seeds the tickets straight into DynamoDB on a local moto server provisioned from template.yaml (the
same resources ``helpdesk local`` creates), then runs the job: a dry run (examine only) and a real run
(half of them are old enough to close, a quarter get a reminder). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()

    from bench.common import local_stack

    server, _ = local_stack()

    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import iso, now
    from helpdesk.domain.ids import new_id
    from helpdesk.services.autoclose import run
    from helpdesk.store.models import TICKET_SK, MessageItem, TicketItem
    from helpdesk.store.tickets import apply_index_keys
    from tests.integration.helpers import count_aws_calls

    moment = now()
    started = time.perf_counter()
    with TicketItem.batch_write() as batch:
        for i in range(args.tickets):
            age = [2, 9, 20, 30][i % 4]  # days waiting: nothing, reminder, close, close
            since = iso(moment - timedelta(days=age))
            ticket = TicketItem(
                pk=new_id(),
                sk=TICKET_SK,
                number=f"T-2026-{i + 1:06d}",
                subject=f"Bench {i}",
                status="waiting_customer",
                queue="sales",
                customer_email=f"k{i}@kunde.example",
                mailbox="support",
                created_at=since,
                updated_at=since,
                waiting_since=since,
                first_response_at=since,
                version=1,
            )
            apply_index_keys(ticket)
            batch.save(ticket)
            msg_id = new_id()
            batch.save(
                MessageItem(
                    pk=ticket.pk,
                    sk=f"MSG#{since}#{msg_id}",
                    id=msg_id,
                    direction="inbound",
                    message_id=f"{msg_id}@kunde.example",
                    created_at=since,
                )
            )
    print(f"seeded {args.tickets} waiting tickets in {time.perf_counter() - started:.1f} s")

    deps = autoclose_deps()
    started = time.perf_counter()
    dry = run(deps, dry_run=True)
    elapsed = time.perf_counter() - started
    print(
        f"dry run: examined {dry.examined} in {elapsed:.1f} s = {dry.examined / elapsed:,.0f} tickets/s; "
        f"planned {Counter(a.step for a in dry.actions)}"
    )

    with count_aws_calls() as calls:
        started = time.perf_counter()
        report = run(deps)
        elapsed = time.perf_counter() - started
    acted = report.closed + report.reminded
    print(
        f"real run: examined {report.examined}, closed {report.closed}, reminded {report.reminded}, "
        f"skipped {report.skipped} in {elapsed:.1f} s"
    )
    print(f"  {report.examined / elapsed:,.0f} tickets examined/s, {acted / elapsed:,.0f} acted on/s")
    print(f"  AWS calls: {dict(calls)}")
    transactions = calls["dynamodb.TransactWriteItems"]
    queries = calls["dynamodb.Query"]
    print(
        f"  per closed ticket: 1 TransactWriteItems; per reminder: 1 TransactWriteItems + 1 Query (its messages) "
        f"+ 1 UpdateItem (claim) + 1 SES send; plus {queries} index Query pages for the whole run "
        f"({transactions} transactions in all)"
    )
    server.stop()


if __name__ == "__main__":
    main()
