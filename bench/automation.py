"""Scheduled-job cost with SLA clocks and time triggers at 10,000 open tickets (issue 17, services/timed.py).

    .venv/bin/python bench/automation.py [--tickets 10000] [--due 1000]

Seeds open tickets straight into DynamoDB on a local moto server provisioned from template.yaml, each with
its next look (``look_at``, in ``by_sla``): ``--due`` of them due now, the rest tomorrow; an SLA policy and a
time trigger (``in_status`` open for an hour: add a tag). Then, in the same run:

1. baseline: the job when no look is due (what autoclose and the deadline passes cost alone);
2. the job with the due tickets: each one's history read, its clocks computed, its trigger fired;
3. the job again at the same moment (every look moved on: what an overlapping or repeated run costs).

Prints AWS calls, items read and seconds of each, and the ratio to the baseline; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()

    from bench.common import local_stack

    server, _ = local_stack()

    from helpdesk.bootstrap import autoclose_deps, config_store
    from helpdesk.domain.clock import iso, now
    from helpdesk.domain.config import WEEKDAYS, Action, SlaCalendar, SlaPolicy, SlaTargets, Trigger
    from helpdesk.domain.ids import new_id
    from helpdesk.domain.status import Status
    from helpdesk.services.autoclose import run
    from helpdesk.store.models import TICKET_SK, TicketItem
    from helpdesk.store.tickets import apply_index_keys
    from tests.integration.helpers import count_aws_calls, count_items_read

    all_day = {day: ["00:00-24:00"] for day in WEEKDAYS}
    config_store().put(
        "sla_policy",
        SlaPolicy(
            id="rund",
            name="Rund um die Uhr",
            targets={"*": SlaTargets(first_response_hours=8, solution_hours=72)},
            calendar=SlaCalendar.model_validate({"holidays_region": "", **all_day}),
        ),
    )
    config_store().put(
        "trigger",
        Trigger(
            id="liegt",
            name="Liegt offen",
            event="in_status",
            status=Status.OPEN,
            hours=1,
            actions=[Action(kind="add_tag", value="liegt")],
        ),
    )

    moment = now()
    started = time.perf_counter()
    with TicketItem.batch_write() as batch:
        for i in range(args.tickets):
            created = iso(moment - timedelta(hours=2 + i % 24))
            ticket = TicketItem(
                pk=new_id(),
                sk=TICKET_SK,
                number=f"T-2026-{i + 1:06d}",
                subject=f"Bench {i}",
                status="open",
                queue="sales",
                customer_email=f"k{i}@kunde.example",
                mailbox="support",
                created_at=created,
                updated_at=created,
                first_response_at=created,  # answered: no first-response deadline in by_sla, only the looks
                look_at=iso(moment - timedelta(minutes=1)) if i < args.due else iso(moment + timedelta(days=1)),
                version=1,
            )
            apply_index_keys(ticket)
            batch.save(ticket)
    print(f"seeded {args.tickets} open tickets ({args.due} due a look) in {time.perf_counter() - started:.1f} s")

    deps = autoclose_deps()

    def measured(label: str, at: Any) -> tuple[float, int, int]:
        with count_aws_calls() as calls, count_items_read() as items:
            started = time.perf_counter()
            report = run(deps, at=at)
            elapsed = time.perf_counter() - started
        ddb_calls = sum(v for k, v in calls.items() if k.startswith("dynamodb."))
        read = sum(items.values())
        print(
            f"{label}: looked at {report.looked}, triggers fired {report.triggers_fired}, in {elapsed:.2f} s; "
            f"DynamoDB calls {ddb_calls}, items read {read}"
        )
        print(f"  calls: {dict(sorted(calls.items()))}")
        print(f"  items read: {dict(sorted(Counter(items).items()))}")
        return elapsed, ddb_calls, read

    base = measured("baseline (no look due)", moment - timedelta(hours=1))
    due = measured(f"{args.due} looks due", moment)
    again = measured("again at the same moment", moment)
    for label, figures in (("due", due), ("again", again)):
        print(
            f"ratio {label} / baseline: seconds {figures[0] / max(base[0], 1e-9):.1f}x, "
            f"calls {figures[1] / max(base[1], 1):.1f}x, items read {figures[2] / max(base[2], 1):.1f}x"
        )
    if args.due:
        print(
            f"per due ticket: {(due[1] - base[1]) / args.due:.2f} DynamoDB calls, "
            f"{(due[2] - base[2]) / args.due:.2f} items read, {(due[0] - base[0]) / args.due * 1000:.1f} ms"
        )
    server.stop()


if __name__ == "__main__":
    main()
