"""Full-text search figures (issue 15): index build, write cost per mail, and per query the DynamoDB calls,
items read and time.

    .venv/bin/python bench/search.py [--tickets 100000] [--messages 3] [--customers 20000]

Generates ``--tickets`` tickets with ``--messages`` messages each of German and English support text (a
vocabulary of common words and rarer ones, Zipf-like; one ticket in a thousand has "Quarzuhrwerk")
and computes every ticket's postings as the publisher would (``domain.search.postings``): the write
cost per mail and the size of the whole index. The whole index of 100,000 tickets does not fit in
moto's memory, so moto gets every ticket item, the postings of the keys the queries read (written
directly, in BatchWriteItems) and, for ``--build-sample`` tickets, their messages, indexed through
``services.search.index_ticket`` for the build time per ticket. Then the queries run through
``services.search.search_tickets`` / ``search_customers``. Times include moto, which walks every item of
a table per Query; calls and items are what DynamoDB would see. Prints figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMMON_DE = [
    "Bestellung",
    "Lieferung",
    "Rechnung",
    "Anfrage",
    "Problem",
    "Kunde",
    "Frage",
    "Termin",
    "Rückruf",
    "Angebot",
    "Vertrag",
    "Zahlung",
    "Konto",
    "Passwort",
    "Drucker",
    "Server",
    "Fehler",
    "Meldung",
    "Update",
    "Version",
    "Lizenz",
    "Zugang",
    "Support",
    "Hilfe",
    "Antwort",
    "Woche",
    "Montag",
    "Freitag",
    "heute",
    "morgen",
    "leider",
    "bitte",
    "danke",
    "Gruß",
    "freundlichen",
    "Grüßen",
    "Nummer",
    "Artikel",
    "Paket",
    "Versand",
    "Retoure",
]
COMMON_EN = [
    "order",
    "delivery",
    "invoice",
    "request",
    "problem",
    "customer",
    "question",
    "appointment",
    "callback",
    "offer",
    "contract",
    "payment",
    "account",
    "password",
    "printer",
    "server",
    "error",
    "message",
    "update",
    "version",
    "license",
    "access",
    "support",
    "help",
    "answer",
    "week",
    "monday",
    "friday",
    "today",
    "tomorrow",
    "unfortunately",
    "please",
    "thanks",
    "regards",
    "number",
    "item",
    "parcel",
    "shipping",
    "return",
]
RARE = [
    "Seriennummer",
    "Latenztest",
    "Kühlschrank",
    "Wärmepumpe",
    "Firmware",
    "Zertifikat",
    "Kalibrierung",
    "Ersatzteil",
    "Garantiefall",
    "Überweisung",
    "Mahnstufe",
    "Lastschrift",
    "Reklamation",
    "Kulanz",
    "Spedition",
    "Zollpapiere",
    "Webshop",
    "Schnittstelle",
    "Datenbank",
    "Backup",
    "Migration",
    "Tastatur",
    "Bildschirm",
    "Netzteil",
    "Akku",
    "Scanner",
    "Router",
    "Firewall",
    "Zwischenablage",
    "Benutzerkonto",
    "thermostat",
    "calibration",
    "warranty",
    "certificate",
    "refund",
    "chargeback",
    "firmware",
    "keyboard",
    "monitor",
    "adapter",
    "battery",
]
NAMES = [
    "Müller",
    "Weiß",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
]
FIRST = [
    "Brigitte",
    "Jürgen",
    "Anna",
    "Ben",
    "Claudia",
    "Dieter",
    "Eva",
    "Frank",
    "Gabi",
    "Hans",
    "Ines",
    "Jan",
    "Karin",
    "Lars",
]
FILLER = [
    "und",
    "die",
    "der",
    "das",
    "ist",
    "nicht",
    "mit",
    "für",
    "auf",
    "the",
    "and",
    "of",
    "to",
    "is",
    "in",
    "it",
    "for",
    "on",
    "with",
]


def sentence(rng: random.Random) -> str:
    words: list[str] = []
    for _ in range(rng.randint(6, 14)):
        roll = rng.random()
        if roll < 0.35:
            words.append(rng.choice(FILLER))
        elif roll < 0.65:
            words.append(rng.choice(COMMON_DE))
        elif roll < 0.9:
            words.append(rng.choice(COMMON_EN))
        elif roll < 0.97:
            words.append(rng.choice(RARE))
        else:
            words.append(str(rng.randint(1000, 99999)))
    return " ".join(words).capitalize() + "."


def body(rng: random.Random) -> str:
    return "\n\n".join(" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 4)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--customers", type=int, default=20_000, help="customer records (the customer search)")
    parser.add_argument("--build-sample", type=int, default=200, help="tickets indexed through index_ticket on moto")
    args = parser.parse_args()

    from bench.common import local_stack

    server, _ = local_stack()

    from helpdesk.domain.clock import iso, now
    from helpdesk.domain.ids import new_id
    from helpdesk.domain.search import parse_query, postings
    from helpdesk.services.search import (
        customer_sources,
        index_ticket,
        search_customers,
        search_tickets,
        sources,
    )
    from helpdesk.store.listing import TicketFilter
    from helpdesk.store.models import TICKET_SK, AddressMap, CustomerItem, MessageItem, MetaItem, TicketItem
    from helpdesk.store.search_index import CUSTOMERS, TICKETS, SearchIndex, _item, digest, table_name
    from helpdesk.store.tickets import TicketDetail, TicketStore, apply_index_keys, num_key

    queries = {
        "rare word": "Quarzuhrwerk",
        "less common word": "Latenztest",
        "common word": "Bestellung",
        "two words": "Rechnung Seriennummer",
        "prefix": "Wärmepu",
        "customer name": "Weiß",
        "umlaut folded": "mueller",
        "phrase": '"Rechnung Seriennummer"',
        "ticket number": "T-2026-000042",
    }
    customer_queries = {"customer: name": "Weiß", "customer: company": "Bäckerei", "customer: number": "K-10023"}
    # The keys these queries read: only their postings are written to moto (the whole index of 100,000
    # tickets is tens of millions of items, more than moto holds in memory); every ticket item is written.
    wanted = {t.key for text in queries.values() for t in parse_query(text).terms}
    wanted_customers = {t.key for text in customer_queries.values() for t in parse_query(text).terms}

    # Seeding 100,000 tickets through moto's HTTP API takes hours on a shared machine: the items go
    # straight into moto's in-process tables (the same tables the code then reads over HTTP), and word
    # folding is memoized across tickets (the index computes it once per word and ticket).
    import functools

    from moto.dynamodb.models import dynamodb_backends

    import helpdesk.domain.search as search_domain

    search_domain.index_forms = functools.lru_cache(maxsize=None)(search_domain.index_forms)
    search_domain._strip_accents = functools.lru_cache(maxsize=None)(search_domain._strip_accents)
    backend = next(b for account in dynamodb_backends.values() for b in account.values() if b.tables)
    moto_tables = {name: backend.get_table(name) for name in backend.tables}

    def put(table: str, item: Mapping[str, Any]) -> None:
        moto_tables[table].put_item(dict(item))

    rng = random.Random(15)
    moment = now()
    started = time.perf_counter()
    ids: list[str] = []
    totals = Counter[str]()
    first_mail: list[int] = []
    later_mail: list[int] = []
    wcu_first: list[int] = []
    pending: list[dict[str, object]] = []

    def flush() -> None:
        for item in pending:
            put(table_name(), item)
        pending.clear()

    sample: list[str] = []
    tickets_table = TicketItem.Meta.table_name
    if True:
        for i in range(args.tickets):
            at = moment - timedelta(minutes=args.tickets - i)
            tid = new_id()
            ids.append(tid)
            name = f"{rng.choice(FIRST)} {rng.choice(NAMES)}"
            ticket = TicketItem(
                pk=tid,
                sk=TICKET_SK,
                number=f"T-2026-{i + 1:06d}",
                subject=" ".join(rng.choice(COMMON_DE + RARE) for _ in range(3)),
                status=rng.choice(["new", "open", "waiting_customer", "closed", "closed"]),
                queue="support",
                customer_email=f"kunde{i}@kunde.example",
                customer_name=name,
                created_at=iso(at),
                updated_at=iso(at),
                version=1,
            )
            apply_index_keys(ticket)
            put(tickets_table, ticket.serialize())
            messages = []
            for m in range(args.messages):
                mid = new_id()
                text = body(rng) + (" Das Quarzuhrwerk steht." if rng.random() < 0.001 else "")
                messages.append(
                    MessageItem(
                        pk=tid,
                        sk=f"MSG#{iso(at + timedelta(seconds=m))}#{mid}",
                        id=mid,
                        direction="inbound" if m % 2 == 0 else "outbound",
                        from_addr=AddressMap(name=name, address=f"kunde{i}@kunde.example"),
                        text=text,
                        message_id=f"<{mid}@bench>",
                        created_at=iso(at + timedelta(seconds=m)),
                    )
                )
            if i < args.build_sample:  # indexed on moto below, through the publisher's code path
                sample.append(tid)
                for message in messages:
                    put(tickets_table, message.serialize())
            # the postings of the whole ticket (what the index holds); what each mail adds, every 20th
            found = postings(sources(TicketDetail(ticket=ticket, messages=messages)))
            previous: dict[str, str] = {}
            for n in range(1, len(messages) + 1) if i % 20 == 0 else ():
                found = postings(sources(TicketDetail(ticket=ticket, messages=messages[:n])))
                keys = {k: digest(p) for k, p in found.items()}
                changed = [k for k, d in keys.items() if previous.get(k) != d]
                if n == 1:
                    first_mail.append(len(changed))
                    if i % 100 == 0:  # (the item's size: its JSON, a little more than DynamoDB counts)
                        wcu_first.append(sum(-(-len(str(_item(k, tid, found[k]))) // 1024) for k in changed))
                else:
                    later_mail.append(len(changed))
                previous = keys
                found = postings(sources(TicketDetail(ticket=ticket, messages=messages)))
            totals["postings"] += len(found)
            if i >= args.build_sample:
                for key in wanted & set(found):
                    pending.append(_item(key, tid, found[key], TICKETS))
                flush()
            if (i + 1) % 10_000 == 0:
                print(f"  {i + 1:,} tickets generated, {time.perf_counter() - started:.0f} s", flush=True)
    flush()
    number = f"T-2026-{42:06d}"
    pk, sk = num_key(number)
    MetaItem(pk, sk, ticket_id=ids[41]).save()
    print(
        f"seeded {args.tickets:,} tickets / {args.tickets * args.messages:,} messages (texts generated; the "
        f"ticket items written, the messages of {len(sample)}) in {time.perf_counter() - started:.0f} s"
    )

    def avg(values: list[int]) -> float:
        return sum(values) / max(1, len(values))

    print(
        f"write cost per mail: a new ticket's first mail {avg(first_mail):.0f} postings (~{avg(wcu_first):.0f} WCU)"
        f" + 2 manifest writes; each further mail {avg(later_mail):.0f} postings + 2 manifest writes"
    )
    print(
        f"the whole index: {totals['postings']:,} postings + {args.tickets:,} manifests "
        f"({totals['postings'] / args.tickets:.0f} postings per ticket of {args.messages} mails)"
    )

    store, index = TicketStore(), SearchIndex()
    started = time.perf_counter()
    written = Counter[str]()
    for tid in sample:
        w = index_ticket(tid, store, index)
        written["put"] += w.put
        written["calls"] += w.calls
    elapsed = time.perf_counter() - started
    per = elapsed / max(1, len(sample))
    print(
        f"index build through index_ticket (moto, {len(sample)} tickets): {per * 1000:.0f} ms per ticket, "
        f"{written['put'] / max(1, len(sample)):.0f} postings and {written['calls'] / max(1, len(sample)):.1f} "
        f"calls per ticket; {args.tickets:,} tickets at that pace: {per * args.tickets / 3600:.1f} h "
        f"(on DynamoDB the calls, not moto, decide: {written['calls'] / max(1, len(sample)) * args.tickets:,.0f} calls)"
    )

    # customers: the records, and the postings of the keys the customer queries read
    started = time.perf_counter()
    customers_table = CustomerItem.Meta.table_name
    if True:
        for c in range(args.customers):
            email = "b.weiss@baeckerei-weiss.example" if c == 7 else f"kunde{c}@kunde.example"
            customer = CustomerItem(
                email,
                name="Brigitte Weiß" if c == 7 else f"{rng.choice(FIRST)} {rng.choice(NAMES)}",
                name_key="",
                company="Bäckerei Weiß GmbH" if c == 7 else rng.choice(["", "Becker AG", "Wolf GmbH", "Klein KG"]),
                external_id=f"K-{10016 + c}",
                phone=f"+49 {rng.randint(30, 89)} {rng.randint(100000, 9999999)}",
                created_at=iso(moment),
                updated_at=iso(moment),
            )
            customer.name_key = f"{customer.name.lower()}#{email}"
            put(customers_table, customer.serialize())
            found = postings(customer_sources(customer))
            for key in wanted_customers & set(found):
                pending.append(_item(key, email, found[key], CUSTOMERS))
            flush()
    flush()
    print(f"customers: {args.customers:,} records in {time.perf_counter() - started:.0f} s")
    size = sum(1 for _ in moto_tables[table_name()].all_items())
    print(f"search table on moto: {size:,} items (the postings of the queried keys)")

    print(f"{'query':<18} {'text':<26} {'calls':>5} {'items':>6} {'found':>6} {'ms':>7}")
    for label, text in queries.items():
        started = time.perf_counter()
        page = search_tickets(TicketFilter(), text, limit=50)
        elapsed = (time.perf_counter() - started) * 1000
        assert page is not None
        print(
            f"{label:<18} {text:<26} {page.reads.calls:>5} {page.reads.items:>6} {len(page.items):>6} {elapsed:>7.0f}"
        )
    for label, text in customer_queries.items():
        started = time.perf_counter()
        cpage = search_customers(text, limit=20)
        elapsed = (time.perf_counter() - started) * 1000
        assert cpage is not None
        print(
            f"{label:<18} {text:<26} {cpage.reads.calls:>5} {cpage.reads.items:>6} {len(cpage.items):>6} "
            f"{elapsed:>7.0f}"
        )
    server.stop()


if __name__ == "__main__":
    main()
