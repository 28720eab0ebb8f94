"""Issue 15: find anything. Full-text search through ``GET /tickets?q=`` and the inbox's sorting."""

from __future__ import annotations

from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail


@pytest.fixture
def api(aws: Any) -> ApiClient:
    return make_api(aws)


def test_sorting_by_due_date_shows_tickets_without_one_last_instead_of_dropping_them(aws: Any, api: ApiClient) -> None:
    """Issue 15: "Sortierung: Fälligkeit" dropped every ticket without a due date (70 → 2, footer "2 Tickets")."""
    tickets = [ingest(aws, make_mail(subject=f"Frage {i}", sender=f"f{i}@kunde.example")) for i in range(5)]
    for ticket, due in ((tickets[1], "2026-12-20T10:00:00Z"), (tickets[3], "2026-12-10T10:00:00Z")):
        changed = api.call("PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": 1, "due_at": due})
        assert changed.status == 200, changed.text

    def subjects(**query: Any) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            page = api.get("/tickets", user="agent", query={**query, **({"cursor": cursor} if cursor else {})}).json
            seen += [t["subject"] for t in page["items"]]
            cursor = page["cursor"]
            if not cursor:
                return seen

    by_due = subjects(sort="due")
    assert by_due[:2] == ["Frage 3", "Frage 1"]  # earliest due date first
    assert sorted(by_due[2:]) == ["Frage 0", "Frage 2", "Frage 4"]  # then the rest, none dropped
    assert by_due[2:] == [s for s in subjects() if s not in ("Frage 1", "Frage 3")]  # newest change first
    # paged in small steps, the same list: nothing lost or repeated at the seam between the two parts
    assert subjects(sort="due", limit=1) == by_due
    assert subjects(sort="due", limit=2) == by_due


def all_pages(api: ApiClient, **query: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        answer = api.get("/tickets", user="agent", query={**query, **({"cursor": cursor} if cursor else {})})
        assert answer.status == 200, answer.text
        seen += answer.json["items"]
        cursor = answer.json["cursor"]
        if not cursor:
            return seen


def test_every_sort_in_both_orders_lists_every_ticket_the_filter_matches(aws: Any, api: ApiClient) -> None:
    """Issue 15 part 7: sorting by last change, created, due date, priority, number and customer, ascending
    and descending, hides nothing (a ticket without the sort's value comes last) and pages without seams."""
    people = ["Zoe Zander <z@kunde.example>", "Örs Ärger <oe@kunde.example>", "Anna Berg <a@kunde.example>",
              "b@kunde.example", "Carl Weiß <c@kunde.example>"]  # fmt: skip
    tickets = [ingest(aws, make_mail(subject=f"Sortierung {i}", sender=who)) for i, who in enumerate(people)]
    changes = {0: {"priority": "urgent"}, 1: {"priority": "low", "due_at": "2026-12-20T10:00:00Z"},
               3: {"priority": "high", "due_at": "2026-12-10T10:00:00Z"}, 4: {"status": "closed"}}  # fmt: skip
    for i, change in changes.items():
        answer = api.call("PATCH", f"/tickets/{tickets[i].ticket_id}", user="admin", body={"version": 1, **change})
        assert answer.status == 200, answer.text

    def order(**query: Any) -> list[str]:
        return [t["subject"] for t in all_pages(api, **query)]

    def names(**query: Any) -> list[str]:
        return [s.split()[-1] for s in order(**query)]

    active = ["0", "1", "2", "3"]  # the closed one only with status=all
    assert names(sort="created") == ["3", "2", "1", "0"]
    assert names(sort="created", order="asc") == active
    assert names(sort="number", order="asc") == active
    assert names(sort="number") == ["3", "2", "1", "0"]
    assert names(sort="priority") == ["0", "3", "2", "1"]  # urgent, high, medium, low
    assert names(sort="priority", order="asc") == ["1", "2", "3", "0"]
    assert names(sort="due") == ["3", "1", "0", "2"]  # earliest due first, then the rest (newest change first)
    assert names(sort="due", order="desc")[:2] == ["1", "3"] and len(names(sort="due", order="desc")) == 4
    # customer: the folded name, else the address ("Örs Ärger" beside A, not after Z)
    assert names(sort="customer") == ["2", "3", "1", "0"]  # anna, b@…, ors, zoe
    assert names(sort="customer", order="desc") == ["0", "1", "3", "2"]
    assert names(sort="customer", status="all") == ["2", "3", "4", "1", "0"]  # carl weiss after b@…
    updated = names(sort="updated")
    assert names(sort="updated", order="asc") == list(reversed(updated)) and sorted(updated) == active
    for sort in ("created", "priority", "due", "customer", "number"):
        for direction in ("asc", "desc"):
            whole = names(sort=sort, order=direction, status="all")
            assert sorted(whole) == ["0", "1", "2", "3", "4"], (sort, direction)  # nothing hidden
            assert names(sort=sort, order=direction, status="all", limit=1) == whole, (sort, direction)
            assert names(sort=sort, order=direction, status="all", limit=2) == whole, (sort, direction)
    # a ticket written before the customer sort existed (no customer_key yet) comes last, not never
    aws.client("dynamodb").update_item(
        TableName=aws.resources.names["TicketsTable"],
        Key={"pk": {"S": tickets[2].ticket_id}, "sk": {"S": "TICKET"}},
        UpdateExpression="REMOVE customer_key",
    )
    assert names(sort="customer") == ["3", "1", "0", "2"]
    assert names(sort="customer", limit=1) == ["3", "1", "0", "2"]
    assert names(sort="customer", order="desc") == ["0", "1", "3", "2"]  # last in either order
    # combined with filters: the filter decides what is listed, the sort only the order
    assert names(sort="priority", priority="low") == ["1"]
    assert names(sort="created", order="asc", status="closed") == ["4"]
    assert api.get("/tickets", user="agent", query={"sort": "colour"}).status == 400


def index_from_stream(aws: Any) -> None:
    """What the publisher does on AWS: the tickets table's stream through its handler (which indexes)."""
    import functions.publisher.app as publisher
    from helpdesk_local.runners import StreamPoller

    poller = StreamPoller(
        aws.client("dynamodbstreams"),
        aws.resources.stream_arns["TicketsTable"],
        publisher.handler,
        "helpdesk-publisher",
    )
    try:
        while poller.step():
            pass
    finally:
        publisher.metrics.clear_metrics()  # Powertools' metric set is shared: leave none to another test


def found(api: ApiClient, q: str, user: str = "agent", **query: Any) -> list[str]:
    answer = api.get("/tickets", user=user, query={"q": q, **query})
    assert answer.status == 200, answer.text
    return [t["subject"] for t in answer.json["items"]]


def test_a_word_of_a_message_body_is_found_by_its_prefix_in_every_status(aws: Any, api: ApiClient) -> None:
    """Issue 15: "Seriennummer" found nothing although it was in a ticket's text; "Latenztest" found
    nothing once the ticket was closed."""
    serial = ingest(aws, make_mail(subject="Gerät defekt", body="Hallo,\n\ndie Seriennummer lautet SN-4711.\n\nGruß"))
    latency = ingest(aws, make_mail(subject="Messung", body="Der Latenztest ergab 250 ms.", sender="l@kunde.example"))
    ingest(aws, make_mail(subject="Anderes", body="Nichts davon.", sender="x@kunde.example"))
    closed = api.call("PATCH", f"/tickets/{latency.ticket_id}", user="agent", body={"version": 1, "status": "closed"})
    assert closed.status == 200, closed.text
    index_from_stream(aws)

    for q in ("Seriennummer", "seriennum", "SERIENNUMMER", "sn-4711"):
        assert found(api, q) == ["Gerät defekt"], q
    assert found(api, "Latenztest") == ["Messung"]
    assert found(api, "latenz", status="closed") == ["Messung"]
    assert found(api, "latenz", status="open") == []
    page = api.get("/tickets", user="agent", query={"q": "seriennummer"}).json
    match = page["matches"][serial.ticket_id]
    assert match["kind"] == "message" and match["at"] and "Seriennummer" in match["snippet"]
    start, end = match["highlights"][0]
    assert match["snippet"][start:end] == "Seriennummer"


def test_umlauts_fold_both_ways_and_every_word_must_match(aws: Any, api: ApiClient) -> None:
    ingest(aws, make_mail(subject="Lieferung", sender="Jürgen Müller <jm@kunde.example>", body="Bitte um Rückruf."))
    ingest(aws, make_mail(subject="Rechnung?", sender="Anna Weiß <aw@kunde.example>", body="Eine Frage zum Angebot."))
    ingest(aws, make_mail(subject="Angebot", sender="Ben Mueller <bm@kunde.example>", body="Frage zur Lieferzeit."))
    index_from_stream(aws)

    for q in ("muller", "Müller", "mueller", "MUELLER"):
        assert sorted(found(api, q)) == ["Angebot", "Lieferung"], q
    assert found(api, "weiss", user="admin") == ["Rechnung?"]  # "Rechnung" → the restricted billing queue
    assert found(api, "weiß", user="admin") == ["Rechnung?"]
    assert found(api, "muller rückruf") == ["Lieferung"]
    assert found(api, "müller lieferzeit") == ["Angebot"]
    assert found(api, "müller rechnung") == []


def test_comments_attachment_names_and_numbers_are_found(aws: Any, api: ApiClient) -> None:
    ticket = ingest(
        aws,
        make_mail(
            subject="Unterlagen", body="Anbei.", attachments=[("Lieferschein_2026.pdf", "application/pdf", b"%PDF")]
        ),
    )
    other = ingest(aws, make_mail(subject="Noch etwas", sender="o@kunde.example"))
    comment = api.call(
        "POST", f"/tickets/{ticket.ticket_id}/comments", user="agent", body={"body": "Kunde ruft Donnerstag an"}
    )
    assert comment.status == 201, comment.text
    index_from_stream(aws)

    assert found(api, "donnerstag") == ["Unterlagen"]
    assert found(api, "lieferschein") == ["Unterlagen"]
    number = other.number  # T-2026-000002 and friends
    seq = number.rsplit("-", 1)[-1]
    for q in (number, number.lower(), seq, seq.lstrip("0")):
        assert found(api, q)[0] == "Noch etwas", q


def test_search_respects_access_and_leaves_trash_out_unless_asked(aws: Any, api: ApiClient) -> None:
    billing = ingest(aws, make_mail(subject="Rechnung Zahlungserinnerung", sender="b@kunde.example"))
    private = ingest(aws, make_mail(subject="Zahlungserinnerung privat", sender="p@kunde.example"))
    ingest(
        aws,
        make_mail(
            subject="Zahlungserinnerung Werbung", sender="news@x.example", headers={"List-Unsubscribe": "<mailto:u@x>"}
        ),
    )
    ingest(aws, make_mail(subject="Zahlungserinnerung offen", sender="o@kunde.example"))
    marked = api.call(
        "PATCH",
        f"/tickets/{private.ticket_id}",
        user="admin",
        body={"version": 1, "private": True, "assignee": "admin"},
    )
    assert marked.status == 200, marked.text
    index_from_stream(aws)

    assert found(api, "zahlungserinnerung") == ["Zahlungserinnerung offen"]  # no billing, no private, no trash
    assert found(api, "zahlungserinnerung", status="trash") == ["Zahlungserinnerung Werbung"]
    assert sorted(found(api, "zahlungserinnerung", user="admin")) == sorted(
        ["Rechnung Zahlungserinnerung", "Zahlungserinnerung privat", "Zahlungserinnerung offen"]
    )
    answer = api.get("/tickets", user="agent", query={"q": "zahlungserinnerung"}).json
    assert set(answer["matches"]) == {t["id"] for t in answer["items"]}  # no snippet of a hidden ticket
    assert billing.ticket_id not in answer["matches"]


def test_search_combines_with_filters_ranks_subject_first_and_pages_with_a_cursor(aws: Any, api: ApiClient) -> None:
    body_only = ingest(
        aws, make_mail(subject="Frage", body="Es geht um den Drucker im Büro.", sender="a@kunde.example")
    )
    ingest(aws, make_mail(subject="Drucker defekt", body="Geht nicht.", sender="b@kunde.example"))
    for i in range(5):
        ingest(aws, make_mail(subject=f"Thema {i}", body=f"Der Drucker {i} streikt.", sender=f"c{i}@kunde.example"))
    urgent = api.call(
        "PATCH", f"/tickets/{body_only.ticket_id}", user="agent", body={"version": 1, "priority": "urgent"}
    )
    assert urgent.status == 200, urgent.text
    index_from_stream(aws)

    ranked = found(api, "drucker")
    assert ranked[0] == "Drucker defekt" and len(ranked) == 7  # the subject match first, then newest change
    assert ranked[1] == "Frage"  # changed last
    assert found(api, "drucker", priority="urgent") == ["Frage"]
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get(
            "/tickets", user="agent", query={"q": "drucker", "limit": 2, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status == 200, page.text
        seen += [t["subject"] for t in page.json["items"]]
        cursor = page.json["cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ranked) and len(seen) == len(set(seen))
    assert api.get("/tickets", user="agent", query={"q": "drucker", "cursor": "bm9wZQ"}).status == 400


def test_a_typical_query_reads_at_most_3_calls_and_200_items(aws: Any) -> None:
    from helpdesk.services.search import search_tickets
    from helpdesk.store.listing import TicketFilter

    for i in range(60):
        body = f"Bestellung {i}: die Lieferung ist unvollständig." + (" Seriennummer fehlt." if i % 7 == 0 else "")
        ingest(aws, make_mail(subject=f"Bestellung {i}", body=body, sender=f"k{i}@kunde.example"))
    index_from_stream(aws)
    for text in ("seriennummer", "lieferung", "lieferung seriennummer", "unvollst", "müller"):
        page = search_tickets(TicketFilter(), text, limit=50)
        assert page is not None
        assert page.reads.calls <= 3 and page.reads.items <= 200, (text, page.reads)
    rare = search_tickets(TicketFilter(), "seriennummer", limit=50)
    assert rare is not None and len(rare.items) == 9 and rare.cursor is None
    common = search_tickets(TicketFilter(), "lieferung", limit=50)
    assert common is not None and len(common.items) == 50 and common.cursor is not None


def test_merged_tickets_leave_the_results(aws: Any, api: ApiClient) -> None:
    source = ingest(aws, make_mail(subject="Quittung fehlt", body="Wo ist die Quittung?", sender="q@kunde.example"))
    target = ingest(aws, make_mail(subject="Zweite Mail", body="Noch einmal.", sender="q@kunde.example"))
    index_from_stream(aws)
    assert found(api, "quittung") == ["Quittung fehlt"]
    merged = api.call(
        "POST",
        f"/tickets/{source.ticket_id}/merge",
        user="agent",
        body={"into": target.ticket_id, "version": 1, "into_version": 1},
    )
    assert merged.status in (200, 201), merged.text
    index_from_stream(aws)
    assert found(api, "quittung") == ["Zweite Mail"]  # the message moved: found in the target only


def test_reindex_builds_the_index_idempotently_resumes_and_drops_deleted_tickets(aws: Any, api: ApiClient) -> None:
    """`helpdesk reindex`: tickets from before the index (nothing indexed them) become searchable."""
    from helpdesk.services.reindex import Reindexed, reindex

    tickets = [
        ingest(aws, make_mail(subject=f"Altbestand {i}", body="Kühlschrank brummt.", sender=f"r{i}@kunde.example"))
        for i in range(5)
    ]
    assert found(api, "kuhlschrank") == []  # not indexed: the stream did not run
    positions: list[str] = []

    def stop_after_first_page(done: Reindexed, position: str | None) -> None:
        if position and done.tickets:  # (a Scan page's limit counts messages and events too)
            positions.append(position)
            raise KeyboardInterrupt  # the operator's Ctrl-C after the first page with tickets

    with pytest.raises(KeyboardInterrupt):
        reindex(progress=stop_after_first_page, page_size=2)
    assert 0 < len(found(api, "kuhlschrank")) < 5
    reindex(start=positions[0], page_size=2)
    assert len(found(api, "kühlschrank")) == 5
    again = reindex()
    assert (again.tickets, again.changed, again.put, again.deleted) == (5, 0, 0, 0)  # idempotent: nothing written

    aws.client("dynamodb").delete_item(
        TableName=aws.resources.names["TicketsTable"],
        Key={"pk": {"S": tickets[0].ticket_id}, "sk": {"S": "TICKET"}},
    )
    assert reindex().pruned == 1
    assert len(found(api, "kühlschrank", user="admin")) == 4


def test_customer_search_finds_any_part_of_name_address_company_number_and_phone(aws: Any, api: ApiClient) -> None:
    """Issue 15 part 6: the customer search found "Brigitte" but not "Weiß", "b.weiss", "Bäckerei",
    "K-10023" or "+49"."""
    from helpdesk.services.search import search_customers

    brigitte = {
        "email": "b.weiss@baeckerei-weiss.example",
        "name": "Brigitte Weiß",
        "company": "Bäckerei Weiß GmbH",
        "external_id": "K-10023",
        "phone": "+49 30 1234567",
    }
    other = {"email": "h.berg@example.com", "name": "Hans Berg", "company": "Berg AG", "phone": "+41 44 7654321"}
    for body in (brigitte, other):
        made = api.call("POST", "/customers", user="agent", body=body)
        assert made.status == 201, made.text
    ingest(aws, make_mail(sender="Jürgen Müller <jm@kunde.example>"))  # a customer made by a mail
    index_from_stream(aws)

    def customers(q: str) -> list[str]:
        answer = api.get("/customers", user="agent", query={"q": q})
        assert answer.status == 200, answer.text
        return [c["name"] for c in answer.json["items"]]

    for q in ("Brigitte", "Weiß", "weiss", "b.weiss", "Bäckerei", "baeckerei", "backer", "K-10023", "10023",
              "+49", "+49 30", "1234567", "brigitte bäckerei", "WEISS GMBH"):  # fmt: skip
        assert customers(q) == ["Brigitte Weiß"], q
    assert customers("+41") == ["Hans Berg"]
    assert customers("muller") == ["Jürgen Müller"] and customers("mueller") == ["Jürgen Müller"]
    assert customers("weiss berg") == []
    assert sorted(customers("")) == ["Brigitte Weiß", "Hans Berg", "Jürgen Müller"]  # no q: all, by name
    page = search_customers("weiß")
    assert page is not None and page.reads.calls <= 3 and page.reads.items <= 200

    # an edit is searchable at once; what it replaced is not
    edited = api.call("PATCH", f"/customers/{brigitte['email']}", user="agent", body={"company": "Konditorei Lind"})
    assert edited.status == 200, edited.text
    assert customers("konditorei") == ["Brigitte Weiß"] and customers("bäckerei") == ["Brigitte Weiß"]  # (address)
    assert customers("gmbh") == []


def test_a_quoted_phrase_finds_its_words_in_order_only(aws: Any, api: ApiClient) -> None:
    """Issue 15 part 3: a quoted phrase matches the words in that order (it was matched as loose words)."""
    filler = " ".join(["Wir prüfen das gerne und melden uns bald."] * 12)
    ingest(aws, make_mail(subject="Frage A", body="Die Rechnung für März fehlt.", sender="a@kunde.example"))
    ingest(aws, make_mail(subject="Frage B", body="Im März kam keine Rechnung.", sender="b@kunde.example"))
    deep = f"Eine Rechnung kam. Im März auch. {filler} Nur die Rechnung März ist falsch."  # beyond the snippets
    ingest(aws, make_mail(subject="Frage C", body=deep, sender="c@kunde.example"))
    index_from_stream(aws)

    assert sorted(found(api, "Rechnung März")) == ["Frage A", "Frage B", "Frage C"]  # loose words
    assert sorted(found(api, '"Rechnung März"')) == ["Frage A", "Frage C"]
    assert sorted(found(api, "„rechnung maerz“")) == ["Frage A", "Frage C"]
    assert found(api, '"März Rechnung"') == []
