"""Full-text search figures (issue 15): index build, write cost per mail, and per query the DynamoDB calls,
items read and time.

    .venv/bin/python bench/search.py [--tickets 2000] [--messages 3]

Seeds tickets with ``--messages`` messages each of generated German and English support text (a
vocabulary of common words and rarer ones, Zipf-like) straight into the tickets table of a moto server
provisioned from template.yaml, then indexes every ticket exactly as the publisher does
(``services.search.index_ticket``) and runs queries through ``services.search.search_tickets``.
Times include moto, which is far slower than DynamoDB for large tables; calls and items are what
DynamoDB would see. Prints figures.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

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
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=3)
    args = parser.parse_args()

    from bench.common import local_stack

    server, _ = local_stack()

    from helpdesk.aws import clients
    from helpdesk.domain.clock import iso, now
    from helpdesk.domain.ids import new_id
    from helpdesk.domain.search import postings
    from helpdesk.services.search import index_ticket, search_tickets, sources
    from helpdesk.store.listing import TicketFilter
    from helpdesk.store.models import TICKET_SK, AddressMap, MessageItem, TicketItem
    from helpdesk.store.search_index import SearchIndex, _item, table_name
    from helpdesk.store.tickets import TicketDetail, TicketStore, apply_index_keys

    rng = random.Random(15)
    moment = now()
    started = time.perf_counter()
    ids: list[str] = []
    with TicketItem.batch_write() as batch:
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
            batch.save(ticket)
            for m in range(args.messages):
                mid = new_id()
                batch.save(
                    MessageItem(
                        pk=tid,
                        sk=f"MSG#{iso(at + timedelta(seconds=m))}#{mid}",
                        id=mid,
                        direction="inbound" if m % 2 == 0 else "outbound",
                        from_addr=AddressMap(name=name, address=f"kunde{i}@kunde.example"),
                        text=body(rng),
                        message_id=f"<{mid}@bench>",
                        created_at=iso(at + timedelta(seconds=m)),
                    )
                )
    print(
        f"seeded {args.tickets:,} tickets / {args.tickets * args.messages:,} messages in "
        f"{time.perf_counter() - started:.0f} s"
    )

    # Write cost: what indexing a new ticket with its first mail writes, and what each further mail adds.
    store, index = TicketStore(), SearchIndex()
    first_mail: list[int] = []
    later_mail: list[int] = []
    wcu_first: list[int] = []
    sample = ids[: min(200, len(ids))]
    for tid in sample:
        detail = store.detail(tid)
        assert detail is not None
        grown: list[int] = []
        previous: dict[str, str] = {}
        for n in range(1, len(detail.messages) + 1):
            part = TicketDetail(ticket=detail.ticket, messages=detail.messages[:n])
            found = postings(sources(part))
            from helpdesk.store.search_index import digest

            now_keys = {k: digest(p) for k, p in found.items()}
            changed = [k for k, d in now_keys.items() if previous.get(k) != d]
            if n == 1:
                first_mail.append(len(changed))
                wcu_first.append(sum(-(-len(str(_item(k, tid, found[k]))) // 1024) for k in changed))
            else:
                grown.append(len(changed))
            previous = now_keys
        later_mail += grown

    def avg(values: list[int]) -> float:
        return sum(values) / max(1, len(values))

    print(
        f"postings written by a new ticket's first mail: {avg(first_mail):.0f} items (~{avg(wcu_first):.0f} WCU)"
        f" + 2 manifest writes; each further mail: {avg(later_mail):.0f} items"
    )

    started = time.perf_counter()
    written = Counter[str]()
    for tid in ids:
        w = index_ticket(tid, store, index)
        written["put"] += w.put
        written["calls"] += w.calls
    elapsed = time.perf_counter() - started
    print(
        f"index build: {args.tickets:,} tickets in {elapsed:.0f} s ({elapsed / args.tickets * 1000:.0f} ms each on "
        f"moto), {written['put']:,} postings, {written['calls']:,} calls "
        f"({written['put'] / args.tickets:.0f} postings and {written['calls'] / args.tickets:.1f} calls per ticket)"
    )
    size = clients.dynamodb().describe_table(TableName=table_name())["Table"].get("ItemCount", 0)
    print(f"search table: {size:,} items (moto's count)")

    queries = {
        "rare word": "Latenztest",
        "common word": "Bestellung",
        "two words": "Rechnung Seriennummer",
        "prefix": "Wärmepu",
        "customer name": "Weiß",
        "umlaut folded": "mueller",
        "ticket number": "T-2026-000042",
    }
    print(f"{'query':<16} {'text':<24} {'calls':>5} {'items':>6} {'found':>6} {'ms':>7}")
    for label, text in queries.items():
        started = time.perf_counter()
        page = search_tickets(TicketFilter(), text, limit=50)
        elapsed = (time.perf_counter() - started) * 1000
        assert page is not None
        print(
            f"{label:<16} {text:<24} {page.reads.calls:>5} {page.reads.items:>6} {len(page.items):>6} {elapsed:>7.0f}"
        )
    server.stop()


if __name__ == "__main__":
    main()
