"""Issue 12, parts 5 and 6 over the API (moto): "Ungelesen" per agent, and events whose reasons are codes.

Two agents (``admin`` and ``agent``, both may see the support queue): what one opens is read for them
only. The inbox reads the caller's read marks for its page with one BatchGetItem (counted here).
"""

from __future__ import annotations

from typing import Any

from .api_client import ApiClient
from .helpers import count_aws_calls, ingest, make_mail


def unread(api: ApiClient, user: str, ticket_id: str) -> bool:
    """As the user sees it, without opening it (a background re-read)."""
    response = api.get(f"/tickets/{ticket_id}", user=user, query={"read": "false"})
    assert response.status == 200, response.text
    return bool(response.json["unread"])


def listed_unread(api: ApiClient, user: str) -> set[str]:
    return {t["id"] for t in api.get("/tickets", user=user, query={"unread": "true", "limit": 100}).json["items"]}


def test_opening_a_ticket_makes_it_read_for_me_and_for_nobody_else(aws: Any, api: ApiClient) -> None:
    t = ingest(aws, make_mail(subject="Lieferung fehlt", sender="kim@kunde.example"))
    before = api.get(f"/tickets/{t.ticket_id}", user="agent", query={"read": "false"}).json
    assert before["unread"] is True and unread(api, "admin", t.ticket_id) is True

    opened = api.get(f"/tickets/{t.ticket_id}", user="admin").json  # opening it
    assert opened["unread"] is False
    assert unread(api, "admin", t.ticket_id) is False
    assert unread(api, "agent", t.ticket_id) is True  # still unread for the other agent
    assert t.ticket_id not in listed_unread(api, "admin")
    assert t.ticket_id in listed_unread(api, "agent")
    rows = {i["id"]: i for i in api.get("/tickets", user="agent").json["items"]}
    assert rows[t.ticket_id]["unread"] is True
    rows = {i["id"]: i for i in api.get("/tickets", user="admin").json["items"]}
    assert rows[t.ticket_id]["unread"] is False
    # Reading is no change: the same version, no new history entry.
    after = api.get(f"/tickets/{t.ticket_id}", user="admin").json
    assert after["version"] == before["version"]
    assert [e["id"] for e in after["events"]] == [e["id"] for e in before["events"]]


def test_a_new_customer_message_makes_it_unread_again_for_whoever_had_read_it(aws: Any, api: ApiClient) -> None:
    t = ingest(aws, make_mail(subject="Drucker", sender="lo@kunde.example"))
    api.get(f"/tickets/{t.ticket_id}", user="admin")
    api.get(f"/tickets/{t.ticket_id}", user="agent")
    assert not unread(api, "admin", t.ticket_id) and not unread(api, "agent", t.ticket_id)
    ingest(aws, make_mail(subject=f"Re: [#{t.number}] Drucker", sender="lo@kunde.example", body="Noch da?"))
    assert unread(api, "admin", t.ticket_id) and unread(api, "agent", t.ticket_id)
    # An agent's reply does not make it read for the other agent.
    api.get(f"/tickets/{t.ticket_id}", user="admin")
    assert api.call("POST", f"/tickets/{t.ticket_id}/replies", user="admin", body={"body": "Ja."}).status == 201
    assert unread(api, "agent", t.ticket_id) is True
    assert unread(api, "admin", t.ticket_id) is False


def test_mark_unread_and_read_act_for_the_caller_only(aws: Any, api: ApiClient) -> None:
    t = ingest(aws, make_mail(subject="Rückruf", sender="mo@kunde.example"))
    api.get(f"/tickets/{t.ticket_id}", user="admin")
    api.get(f"/tickets/{t.ticket_id}", user="agent")
    r = api.call("POST", f"/tickets/{t.ticket_id}/unread", user="admin")
    assert r.status == 200 and r.json["unread"] is True
    assert unread(api, "admin", t.ticket_id) is True and unread(api, "agent", t.ticket_id) is False
    # The batch actions too: per agent, no version check, no change of the ticket.
    version = api.get(f"/tickets/{t.ticket_id}", user="agent", query={"read": "false"}).json["version"]
    items = [{"id": t.ticket_id, "version": 1}]  # a stale version does not matter for a read mark
    done = api.call("POST", "/tickets/batch", user="agent", body={"action": "mark_unread", "items": items})
    assert done.json["ok"] == 1
    assert unread(api, "agent", t.ticket_id) is True
    done = api.call("POST", "/tickets/batch", user="admin", body={"action": "mark_read", "items": items})
    assert done.json["ok"] == 1
    assert unread(api, "admin", t.ticket_id) is False and unread(api, "agent", t.ticket_id) is True
    # PATCH with unread: the caller's mark, not the ticket (so no 409 for an old version either).
    patched = api.call("PATCH", f"/tickets/{t.ticket_id}", user="agent", body={"version": 1, "unread": False})
    assert patched.status == 200 and patched.json["unread"] is False
    assert unread(api, "admin", t.ticket_id) is False
    detail = api.get(f"/tickets/{t.ticket_id}", user="agent", query={"read": "false"}).json
    assert detail["version"] == version
    assert not [e for e in detail["events"] if e["type"] == "TicketUpdated"]


def test_a_phone_ticket_marked_unread_is_in_my_unread_tab(aws: Any, api: ApiClient) -> None:
    created = api.call("POST", "/tickets", user="agent", body={"subject": "Anruf Frau Berg", "body": "Rückruf"})
    assert created.status == 201 and created.json["unread"] is False  # no customer message: nothing unread
    ticket_id = created.json["id"]
    api.call("POST", f"/tickets/{ticket_id}/unread", user="agent")
    assert ticket_id in listed_unread(api, "agent")
    assert ticket_id not in listed_unread(api, "admin")


def test_tickets_from_before_per_agent_marks_keep_the_teams_read_state(aws: Any, api: ApiClient) -> None:
    from helpdesk.store.models import TicketItem

    t = ingest(aws, make_mail(subject="Altbestand", sender="alt@kunde.example"))
    item = TicketItem.get(t.ticket_id, "TICKET")
    TicketItem._get_connection().update_item(  # as the team-wide "read" left it, before marks existed
        t.ticket_id, range_key="TICKET", actions=[TicketItem.unread.set(False)]
    )
    assert item.pk == t.ticket_id
    assert not unread(api, "admin", t.ticket_id) and not unread(api, "agent", t.ticket_id)
    ingest(aws, make_mail(subject=f"Re: [#{t.number}] Altbestand", sender="alt@kunde.example", body="Und?"))
    assert unread(api, "admin", t.ticket_id) and unread(api, "agent", t.ticket_id)


def test_the_unread_tab_reads_marks_in_rounds_and_skips_nothing(aws: Any, api: ApiClient) -> None:
    ids = [ingest(aws, make_mail(subject=f"Fall {i}", sender=f"k{i}@kunde.example")).ticket_id for i in range(30)]
    for ticket_id in ids[::3]:  # the admin opened every third: 20 stay unread for them
        api.get(f"/tickets/{ticket_id}", user="admin")
    expected = {tid for i, tid in enumerate(ids) if i % 3}
    api.get("/tickets", user="admin", query={"unread": "true", "limit": 7})  # warm: clients, keys, config
    from helpdesk.bootstrap import config_store

    config_store().ttl = 3600
    seen: list[str] = []
    cursor = None
    pages: list[dict[str, int]] = []
    while True:
        query: dict[str, Any] = {"unread": "true", "limit": 7, **({"cursor": cursor} if cursor else {})}
        with count_aws_calls() as counted:
            page = api.get("/tickets", user="admin", query=query).json
        pages.append({k: v for k, v in counted.items() if k.startswith("dynamodb.")})
        seen += [i["id"] for i in page["items"]]
        assert all(i["unread"] for i in page["items"])
        cursor = page["cursor"]
        if not cursor:
            break
    print("\nunread tab, pages of 7 out of 30 tickets (20 unread):", pages)
    assert len(seen) == len(set(seen)) and set(seen) == expected
    for calls in pages:
        assert set(calls) <= {"dynamodb.Query", "dynamodb.BatchGetItem"}
        # A round of up to 20 candidates covers a page of 7 here: one Query, one BatchGetItem of marks.
        assert calls == {"dynamodb.Query": 1, "dynamodb.BatchGetItem": 1}


def test_events_carry_reason_codes_and_old_sentences_get_theirs_back(aws: Any, api: ApiClient) -> None:
    from helpdesk.store.models import EventItem
    from helpdesk.store.tickets import TicketStore

    t = ingest(aws, make_mail(subject="Neue Anfrage", sender="neu@kunde.example"))
    events = api.get(f"/tickets/{t.ticket_id}", user="agent").json["events"]
    created = next(e for e in events if e["type"] == "TicketCreated")
    assert created["detail"]["threading"] == [
        {"code": "threading.no_match", "params": {}, "text": "no reference or ticket number matches a ticket"}
    ]
    assert created["detail"]["autoreply"]["code"] == "autoreply.allowed"
    # A history stored before the codes: bare English sentences.
    ticket = TicketStore().get(t.ticket_id)
    assert ticket is not None
    from helpdesk.store.tickets import new_event

    old = new_event(
        ticket,
        "StatusChanged",
        "customer",
        {"from": "waiting_customer", "to": "open", "reason": "the customer answered"},
    )
    old.save()
    sentences = ["subject names ticket T-1", "the sender is a participant", "a sentence of long ago"]
    legacy = new_event(ticket, "MessageAdded", "customer", {"direction": "inbound", "threading": sentences})
    legacy.save()
    shown = {e["id"]: e for e in api.get(f"/tickets/{t.ticket_id}", user="agent").json["events"]}
    assert shown[old.id]["detail"]["reason"] == {
        "code": "status.customer_replied",
        "params": {},
        "text": "the customer answered",
    }
    assert [r["code"] for r in shown[legacy.id]["detail"]["threading"]] == [
        "threading.subject_number",
        "threading.participant",
        "text",
    ]
    assert shown[legacy.id]["detail"]["threading"][0]["params"] == {"number": "T-1"}
    assert isinstance(EventItem.get(t.ticket_id, old.sk).detail["reason"], str)  # stored as it was


def test_when_most_is_read_the_unread_tab_still_finds_every_unread_ticket(aws: Any, api: ApiClient) -> None:
    ids = [ingest(aws, make_mail(subject=f"Alt {i}", sender=f"a{i}@kunde.example")).ticket_id for i in range(30)]
    unread_ids = {ids[2], ids[17], ids[29]}
    for ticket_id in set(ids) - unread_ids:
        api.get(f"/tickets/{ticket_id}", user="agent")
    seen: list[str] = []
    rounds: list[int] = []
    cursor = None
    while True:
        query: dict[str, Any] = {"unread": "true", "limit": 2, **({"cursor": cursor} if cursor else {})}
        with count_aws_calls() as counted:
            page = api.get("/tickets", user="agent", query=query).json
        rounds.append(counted.get("dynamodb.BatchGetItem", 0))
        seen += [i["id"] for i in page["items"]]
        cursor = page["cursor"]
        if not cursor:
            break
    print("\nunread tab, 3 of 30 unread, pages of 2: BatchGetItem per page", rounds)
    assert sorted(seen) == sorted(unread_ids)
    assert sum(rounds) <= 4  # rounds of 20 candidates: 30 tickets need two, plus the pages' ends
