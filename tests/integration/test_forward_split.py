"""Everyday mail handling (issue 14 part 2): forward a message or the whole ticket, split a mail off into a
ticket of its own, Bcc on replies and forwards, reply-all to the message the agent picks. Checked on
moto's SES outbox: From per mailbox, To/Cc (never Bcc) headers, the envelope, threading headers, the ticket
number once in the subject, no Auto-Submitted on an agent's mail."""

from __future__ import annotations

from typing import Any

from .api_client import ApiClient
from .helpers import ingest, make_mail, reset_sent, sent_mails

CUSTOMER = "juergen@kunde.example"
SUPPLIER = "lager@lieferant.example"


def detail(api: ApiClient, ticket_id: str, user: str = "agent") -> dict[str, Any]:
    response = api.get(f"/tickets/{ticket_id}", user=user)
    assert response.status == 200, response.text
    return response.json  # type: ignore[no-any-return]


def envelopes() -> list[list[str]]:
    """The destinations of each mail moto's SES recorded (it adds the headers' recipients to the ones we name)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return [list(m.destinations) for m in ses_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].sent_messages]


def stored(ticket_id: str) -> list[Any]:
    from helpdesk.store.models import MessageItem

    return sorted((m for m in MessageItem.query(ticket_id) if isinstance(m, MessageItem)), key=lambda m: m.sk)


def new_ticket(aws: Any, **mail: Any) -> str:
    return str(ingest(aws, make_mail(**mail)).ticket_id)


# ---------------------------------------------------------------------------------------------- forward


def test_a_forwarded_mail_goes_out_with_note_files_and_eml_and_bcc_only_on_the_envelope(
    aws: Any, api: ApiClient
) -> None:
    tid = new_ticket(aws, attachments=[("Foto.jpg", "image/jpeg", b"\xff\xd8jpeg"), ("Liste.csv", "text/csv", b"a;b")])
    t = detail(api, tid)
    (inbound,) = [m for m in t["messages"] if m["direction"] == "inbound"]
    photo = next(a for a in inbound["attachments"] if a["filename"] == "Foto.jpg")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{tid}/forwards",
        user="agent",
        body={
            "to": [{"name": "Lager", "address": SUPPLIER}],
            "cc": [{"address": "einkauf@lieferant.example"}],
            "bcc": [{"address": "chefin@example.org"}],
            "note": "Bitte prüfen, ob die Lieferung raus ist.",
            "message_id": inbound["id"],
            "attachment_ids": [photo["id"]],
            "attach_original": True,
            "seen_thread_version": t["thread_version"],
        },
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    assert mail["From"] == "Beispiel GmbH Support <support@example.com>"
    assert mail["To"] == f"Lager <{SUPPLIER}>" and mail["Cc"] == "einkauf@lieferant.example"
    assert mail["Bcc"] is None and "chefin@example.org" not in mail.as_string()
    assert {SUPPLIER, "einkauf@lieferant.example", "chefin@example.org"} <= set(envelopes()[0])
    assert mail["Subject"] == f"Fwd: Lieferung fehlt [#{t['number']}]"
    assert mail["Subject"].count(t["number"]) == 1
    assert mail["In-Reply-To"] is None and mail["References"] is None  # a new conversation for the supplier
    assert mail["Auto-Submitted"] is None and mail["Precedence"] is None
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Bitte prüfen, ob die Lieferung raus ist.")
    assert "---------- Weitergeleitete Nachricht ----------" in text
    assert f"Von: Jürgen Müller <{CUSTOMER}>" in text and "meine Bestellung ist nicht angekommen" in text
    assert [p.get_filename() for p in mail.iter_attachments()] == ["Foto.jpg", "original.eml"]

    after = detail(api, tid)
    out = next(m for m in after["messages"] if m["id"] == r.json["message"]["id"])
    assert out["side"] == "forward" and [a["address"] for a in out["bcc"]] == ["chefin@example.org"]
    assert out["send_state"] == "sent"
    assert after["thread_version"] == t["thread_version"] + 1
    (event,) = [e for e in after["events"] if e["type"] == "MessageForwarded"]
    assert event["actor"] == "agent" and event["detail"]["forwarded"] == inbound["id"]
    assert event["detail"]["to"] == [SUPPLIER]
    from helpdesk.store.models import TicketItem

    ticket = TicketItem.get(tid, "TICKET")
    assert SUPPLIER not in (ticket.participants or set()) and ticket.first_response_at is None
    from helpdesk.services.public import public_view
    from helpdesk.store.tickets import TicketStore

    assert [m.direction for m in public_view(TicketStore(), tid).messages] == ["inbound", "outbound"]  # + auto-reply


def test_the_recipients_answer_threads_back_on_the_forward_side_and_never_joins_the_customers(
    aws: Any, api: ApiClient
) -> None:
    tid = new_ticket(aws)
    t = detail(api, tid)
    api.call("PATCH", f"/tickets/{tid}", user="agent", body={"version": t["version"], "status": "waiting_customer"})
    r = api.call("POST", f"/tickets/{tid}/forwards", user="agent", body={"to": [{"address": SUPPLIER}]})
    assert r.status == 201, r.text
    ours = r.json["message"]["message_id"]
    detail(api, tid)  # the agent has read everything so far
    result = ingest(
        aws,
        make_mail(
            sender=f"Lager <{SUPPLIER}>",
            subject=f"Re: Fwd: Lieferung fehlt [#{t['number']}]",
            body="Ist gestern rausgegangen.",
            in_reply_to=f"<{ours}>",
            references=f"<{ours}>",
        ),
    )
    assert result.outcome == "appended" and result.ticket_id == tid
    unread = api.get("/tickets", user="agent", query={"unread": "true", "status": "all"}).json["items"]
    assert tid in [t["id"] for t in unread]  # new mail from outside: unread again for the agent
    after = detail(api, tid)
    answer = next(m for m in after["messages"] if m["from"] and m["from"]["address"] == SUPPLIER)
    assert answer["side"] == "forward"
    assert after["status"] == "waiting_customer"  # the customer did not answer
    added = [e for e in after["events"] if e["type"] == "MessageAdded" and e["detail"].get("from") == SUPPLIER]
    assert added[0]["actor"] == "third_party" and added[0]["detail"]["side"] == "forward"
    codes = [r["code"] for r in added[0]["detail"]["threading"]]
    assert "threading.ref_forward" in codes and "threading.forward_side" in codes
    from helpdesk.store.models import TicketItem

    assert SUPPLIER not in (TicketItem.get(tid, "TICKET").participants or set())
    assert len(sent_mails()) == 2  # the auto-reply to the customer and the forward: no auto-reply to the supplier

    # The agent's reply still goes to the customer (the supplier's mail is newer, but not the customer's) ...
    reset_sent()
    r = api.call("POST", f"/tickets/{tid}/replies", user="agent", body={"body": "Ist unterwegs."})
    assert r.status == 201, r.text
    assert sent_mails()[0]["To"] == f"Jürgen Müller <{CUSTOMER}>"
    # ... and answering the supplier stays on the forward side (threaded to their mail, no participant)
    reset_sent()
    r = api.call(
        "POST", f"/tickets/{tid}/replies", user="agent", body={"body": "Danke!", "answer_message": answer["id"]}
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    assert mail["To"] == f"Lager <{SUPPLIER}>" and mail["In-Reply-To"] == f"<{answer['message_id']}>"
    assert r.json["message"]["side"] == "forward"
    assert SUPPLIER not in (TicketItem.get(tid, "TICKET").participants or set())
    # The supplier naming the number without our Message-ID is a stranger to the customer's ticket.
    result = ingest(aws, make_mail(sender=SUPPLIER, subject=f"Noch was [#{t['number']}]", body="Und noch was."))
    assert result.outcome == "created" and result.ticket_id != tid


def test_a_forward_of_the_whole_ticket_carries_the_conversation_and_is_held_back_when_the_thread_grew(
    aws: Any, api: ApiClient
) -> None:
    tid = new_ticket(aws)
    t = detail(api, tid)
    seen = t["thread_version"]
    first = t["messages"][0]
    ingest(
        aws,
        make_mail(body="Es fehlt auch die Rechnung.", in_reply_to=f"<{first['message_id']}>", subject="Re: Lieferung"),
    )
    body = {"to": [{"address": SUPPLIER}], "note": "Der ganze Fall.", "seen_thread_version": seen}
    r = api.call("POST", f"/tickets/{tid}/forwards", user="agent", body=body)
    assert r.status == 409 and r.json["error"] == "reply_conflict", r.text
    assert sent_mails()[-1]["To"] != SUPPLIER and all(SUPPLIER not in e for e in envelopes())
    r = api.call("POST", f"/tickets/{tid}/forwards", user="agent", body={**body, "confirm_conflict": True})
    assert r.status == 201, r.text
    text = sent_mails()[-1].get_body(("plain",)).get_content()
    assert f"---------- Weitergeleitetes Ticket {t['number']}: Lieferung fehlt ----------" in text
    assert "meine Bestellung ist nicht angekommen" in text and "Es fehlt auch die Rechnung." in text
    assert text.count("---------- Weitergeleitete Nachricht ----------") == 3  # two mails and the auto-reply
    r = api.call(
        "POST", f"/tickets/{tid}/forwards", user="agent", body={"to": [{"address": SUPPLIER}], "attach_original": True}
    )
    assert r.status == 400 and r.json["field"] == "attach_original", r.text


# ------------------------------------------------------------------------------------------------- Bcc


def test_bcc_on_a_reply_reaches_the_envelope_only_and_stays_on_our_message(aws: Any, api: ApiClient) -> None:
    tid = new_ticket(aws)
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{tid}/replies",
        user="agent",
        body={"body": "Wir kümmern uns.", "bcc": [{"name": "Chefin", "address": "chefin@example.org"}]},
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    assert mail["Bcc"] is None and "chefin" not in mail.as_string()
    assert mail["To"] == f"Jürgen Müller <{CUSTOMER}>"
    assert {CUSTOMER, "chefin@example.org"} <= set(envelopes()[0])
    assert [a.address for a in stored(tid)[-1].bcc] == ["chefin@example.org"]
    from helpdesk.store.models import TicketItem

    assert "chefin@example.org" not in (TicketItem.get(tid, "TICKET").participants or set())
    assert r.json["message"]["bcc"] == [{"name": "Chefin", "address": "chefin@example.org"}]


# ------------------------------------------------------------------------------------------- reply-all


def test_reply_all_keeps_every_to_and_cc_but_our_own_and_answers_the_message_picked(aws: Any, api: ApiClient) -> None:
    tid = new_ticket(
        aws,
        to="support@example.com, Kollegin <kollegin@kunde.example>, sales@example.com",
        cc="Chef <chef@kunde.example>, Support@Example.com",
    )
    t = detail(api, tid)
    first = t["messages"][0]
    assert first["reply_all"] == {
        "to": [
            {"name": "Jürgen Müller", "address": CUSTOMER},
            {"name": "Kollegin", "address": "kollegin@kunde.example"},
        ],
        "cc": [{"name": "Chef", "address": "chef@kunde.example"}],
    }
    ingest(aws, make_mail(body="Noch eine Frage.", in_reply_to=f"<{first['message_id']}>", subject="Re: Lieferung"))
    reset_sent()
    r = api.call("POST", f"/tickets/{tid}/replies", user="agent", body={"body": "Zur ersten Mail: …"})
    assert r.status == 201, r.text
    newest = sent_mails()[0]
    assert newest["To"] == f"Jürgen Müller <{CUSTOMER}>" and newest["Cc"] is None  # the newest mail had no others
    reset_sent()
    body = {"body": "Zur ersten Mail.", "answer_message": first["id"]}
    r = api.call("POST", f"/tickets/{tid}/replies", user="agent", body=body)
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    assert mail["From"] == "Beispiel GmbH Support <support@example.com>"
    assert mail["To"] == f"Jürgen Müller <{CUSTOMER}>, Kollegin <kollegin@kunde.example>"
    assert mail["Cc"] == "Chef <chef@kunde.example>"
    assert mail["In-Reply-To"] == f"<{first['message_id']}>"
    assert mail["References"] == f"<{first['message_id']}>"
    assert mail["Subject"].count(t["number"]) == 1 and mail["Auto-Submitted"] is None
    r = api.call("POST", f"/tickets/{tid}/replies", user="agent", body={"body": "x", "answer_message": "01NOPE"})
    assert r.status == 400 and r.json["field"] == "answer", r.text


# ------------------------------------------------------------------------------------------------ split


def test_a_split_mail_becomes_a_ticket_of_its_own_linked_both_ways_and_its_answers_follow_it(
    aws: Any, api: ApiClient
) -> None:
    tid = new_ticket(aws)
    t = detail(api, tid)
    first = t["messages"][0]
    ingest(
        aws,
        make_mail(
            body="Ganz andere Sache: mein Passwort geht nicht.",
            subject=f"Passwort [#{t['number']}]",
            cc="kollegin@kunde.example",
            attachments=[("fehler.png", "image/png", b"\x89PNG")],
        ),
    )
    t = detail(api, tid)
    second = next(m for m in t["messages"] if m["direction"] == "inbound" and m["id"] != first["id"])
    count_before = t["message_count"]
    r = api.call(
        "POST", f"/tickets/{tid}/messages/{second['id']}/split", user="agent", body={"version": t["version"] - 1}
    )
    assert r.status == 409, r.text
    r = api.call("POST", f"/tickets/{tid}/messages/{second['id']}/split", user="agent", body={"version": t["version"]})
    assert r.status == 201, r.text
    source, new = r.json["source"], r.json["ticket"]
    assert new["number"] != t["number"] and new["subject"] == f"Passwort [#{t['number']}]"
    assert new["queue"] == t["queue"] and new["status"] == "open" and new["customer"]["address"] == CUSTOMER
    assert source["message_count"] == count_before - 1 and new["message_count"] == 1
    assert {"type": "split_into", "ticket_id": new["id"], "number": new["number"]} in source["links"]
    assert {"type": "split_from", "ticket_id": tid, "number": t["number"]} in new["links"]
    moved = detail(api, new["id"])
    assert [m["id"] for m in moved["messages"]] == [second["id"]]
    assert moved["messages"][0]["attachments"][0]["filename"] == "fehler.png"
    assert second["id"] not in [m["id"] for m in detail(api, tid)["messages"]]
    for ticket in (tid, new["id"]):
        (event,) = [e for e in detail(api, ticket)["events"] if e["type"] == "TicketSplit"]
        assert event["detail"]["message"] == second["id"] and event["detail"]["target"] == new["id"]
    assert {r["relation"] for r in detail(api, tid)["related"]} == {"split_into"}
    from helpdesk.store.models import TicketItem

    assert "kollegin@kunde.example" in (TicketItem.get(new["id"], "TICKET").participants or set())
    from helpdesk.store.models import CustomerItem

    assert int(CustomerItem.get(CUSTOMER).ticket_count) == 2  # the first mail's ticket and the split one
    # an answer to the split mail threads onto the new ticket
    result = ingest(aws, make_mail(body="Geht wieder.", in_reply_to=f"<{second['message_id']}>", subject="Re: x"))
    assert result.ticket_id == new["id"] and result.outcome == "appended"
    # the only message of a ticket, and a mail we sent, stay
    only = detail(api, new["id"])
    r = api.call("POST", f"/tickets/{tid}/messages/{first['id']}/split", user="agent", body={})
    assert r.status == 400 and r.json["field"] == "message_id", r.text
    ours = next(m for m in detail(api, new["id"])["messages"] if m["direction"] == "inbound")
    assert only["message_count"] == 2 and ours
    auto = next(m for m in detail(api, tid)["messages"] if m["direction"] == "outbound")
    r = api.call("POST", f"/tickets/{tid}/messages/{auto['id']}/split", user="agent", body={})
    assert r.status == 400, r.text
