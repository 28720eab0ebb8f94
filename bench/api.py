"""API figures at 100,000 tickets: time and AWS calls per request, items read per page.

    .venv/bin/python bench/api.py [--tickets 100000]

Seeds tickets straight into DynamoDB on a moto server provisioned from template.yaml, then calls the
API in-process exactly as API Gateway would (proxy events through the Lambda handler). Times include
moto, which answers an index Query by walking every item of the table: on DynamoDB the same Query
reads only its page. The call counts and items read are what DynamoDB would see. Prints figures.
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
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()

    from bench.common import local_stack

    server, resources = local_stack()

    from helpdesk.domain.clock import iso, now
    from helpdesk.domain.ids import new_id
    from helpdesk.store.models import TICKET_SK, TicketItem
    from helpdesk.store.tickets import apply_index_keys, tag_items
    from tests.conftest import Aws
    from tests.integration.api_client import make_api
    from tests.integration.helpers import count_aws_calls

    statuses = ["new", "open", "waiting_customer", "waiting_internal", "closed", "closed", "closed", "trash"]
    queues = ["support", "sales", "support", "support", "sales"]
    moment = now()
    started = time.perf_counter()
    with TicketItem.batch_write() as batch:
        for i in range(args.tickets):
            at = iso(moment - timedelta(minutes=i))
            ticket = TicketItem(
                pk=new_id(),
                sk=TICKET_SK,
                number=f"T-2026-{i + 1:06d}",
                subject=f"Anfrage {i}",
                status=statuses[i % len(statuses)],
                queue=queues[i % len(queues)],
                customer_email=f"kunde{i % 5000}@kunde.example",
                customer_name=f"Kunde {i % 5000}",
                assignee="agent" if i % 7 == 0 else None,
                tags=["rechnung"] if i % 50 == 0 else [],
                created_at=at,
                updated_at=at,
                version=1,
            )
            apply_index_keys(ticket)
            batch.save(ticket)
            for tag in tag_items(ticket):
                batch.save(tag)
    print(f"seeded {args.tickets:,} tickets in {time.perf_counter() - started:.0f} s")

    api = make_api(Aws(server.endpoint, resources))
    api.get("/tickets", user="admin", query={"limit": 50})  # warm: clients, keys, configuration

    def measure(label: str, method: str, path: str, **kwargs: Any) -> Any:
        with count_aws_calls() as calls:
            started = time.perf_counter()
            response = api.call(method, path, user="admin", **kwargs)
            elapsed = time.perf_counter() - started
        ddb = Counter({k: v for k, v in calls.items() if k.startswith("dynamodb.")})
        items = len(response.json.get("items", [])) if isinstance(response.json, dict) else 0
        print(
            f"{label:<34} {response.status}  {elapsed * 1000:7.0f} ms  {dict(ddb)}"
            + (f"  items {items}" if "items" in response.json else "")
        )
        return response

    first = measure("inbox, first page of 50", "GET", "/tickets", query={"limit": 50})
    cursor, depth = first.json.get("cursor"), 1
    while cursor and depth < 20:  # page 21: deep in the list (or the last page of a small run)
        next_cursor = api.get("/tickets", user="admin", query={"limit": 50, "cursor": cursor}).json.get("cursor")
        if not next_cursor:
            break
        cursor, depth = next_cursor, depth + 1
    if cursor:
        measure(f"inbox, page {depth + 1} (deep)", "GET", "/tickets", query={"limit": 50, "cursor": cursor})
    measure("queue sales, first page", "GET", "/tickets", query={"limit": 50, "queue": "sales"})
    measure("status waiting_customer", "GET", "/tickets", query={"limit": 50, "status": "waiting_customer"})
    measure("tag rechnung (index + BatchGet)", "GET", "/tickets", query={"limit": 50, "tag": "rechnung"})
    measure("in Bearbeitung (assignee=me)", "GET", "/tickets", query={"limit": 50, "assignee": "agent"})
    measure(
        "assignee, status=all (3 merged)", "GET", "/tickets", query={"limit": 50, "assignee": "agent", "status": "all"}
    )
    measure("column filter: customer", "GET", "/tickets", query={"limit": 50, "customer_text": "kunde 12"})
    measure(
        "customer's tickets",
        "GET",
        "/tickets",
        query={"limit": 50, "customer": "kunde7@kunde.example", "status": "all"},
    )
    ticket = first.json["items"][0]
    measure("detail", "GET", f"/tickets/{ticket['id']}")
    measure(
        "PATCH priority", "PATCH", f"/tickets/{ticket['id']}", body={"version": ticket["version"], "priority": "high"}
    )

    from helpdesk.domain.status import Status
    from helpdesk.store.listing import TicketFilter, list_tickets

    for label, flt in (
        ("inbox", TicketFilter()),
        ("queue sales", TicketFilter(queue="sales")),
        ("assignee, status=all", TicketFilter(assignee="agent", statuses=list(Status))),
        ("free text 'anfrage 9999'", TicketFilter(q="anfrage 9999")),
        ("column customer 'kunde 12'", TicketFilter(columns={"customer": "kunde 12"})),
    ):
        page = list_tickets(flt, limit=50)
        print(
            f"items read for a page of 50, {label:<26} {page.scanned:5}  (returned {len(page.items)}, "
            f"{page.requests} request(s){', partial' if page.partial else ''})"
        )
    server.stop()


if __name__ == "__main__":
    main()
