"""Notifications on moto (issue 12, part 4): the tickets stream through the live fan-out Lambda into each
agent's notifications, their socket and their mail; the API's own-only routes; no loop back into ingest."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_local.runners import LambdaContext

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, reset_sent, sent_mails
from .test_live import Gateway, Live, gateway, live  # noqa: F401 - fixtures

SYSTEM_SENDER = "notifications@example.com"


@pytest.fixture
def world(live: Live) -> tuple[Live, ApiClient]:  # noqa: F811 - the fixture above
    from helpdesk.bootstrap import notify_deps

    notify_deps.cache_clear()
    reset_sent()
    api = make_api(live.aws)
    api.tokens = live.tokens
    return live, api


def _comment(api: ApiClient, ticket_id: str, user: str, body: str, mentions: list[str]) -> None:
    response = api.call("POST", f"/tickets/{ticket_id}/comments", user=user, body={"body": body, "mentions": mentions})
    assert response.status == 201, response.text


def _notifications(api: ApiClient, user: str, **query: Any) -> dict[str, Any]:
    response = api.get("/notifications", user=user, query=query or None)
    assert response.status == 200, response.text
    result: dict[str, Any] = response.json
    return result


def _mails_to(address: str) -> list[Any]:
    return [m for m in sent_mails() if address in str(m["To"])]


def test_a_mention_notifies_in_the_app_on_the_socket_and_by_mail_once(world: tuple[Live, ApiClient]) -> None:
    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Drucker druckt nicht", sender="kim@kunde.example"))
    hd.pump()
    agent_socket = hd.session("agent")
    before = _notifications(api, "agent")["unread"]
    reset_sent()

    batches: list[dict[str, Any]] = []

    def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append(event)
        return {}

    hd.poller.add(record, "recorder")
    _comment(api, ticket.ticket_id, "admin", "@agent bitte <b>ansehen</b>, Kunde wartet", ["agent"])
    hd.pump()

    listed = _notifications(api, "agent")
    assert listed["unread"] == before + 1
    note = listed["items"][0]
    assert (note["kind"], note["reason"], note["actor"], note["read"]) == ("mentioned", "mentioned", "admin", False)
    assert note["ticket_id"] == ticket.ticket_id and note["number"] == ticket.number
    assert note["text"] == "@agent bitte <b>ansehen</b>, Kunde wartet"
    # the actor is never told of their own comment
    assert all(n["kind"] != "mentioned" for n in _notifications(api, "admin")["items"])

    pushed = hd.gateway.received(agent_socket, "notification")
    assert [p["notification"]["id"] for p in pushed] == [note["id"]]
    assert "Drucker" not in str(pushed)  # ids only on the socket

    (mail,) = _mails_to("agent@example.com")
    assert mail["From"].addresses[0].addr_spec == SYSTEM_SENDER
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_content_type() == "text/plain" and not mail.is_multipart()
    text = mail.get_content()
    assert ticket.number in mail["Subject"] and ticket.number in text
    assert f"/#/ticket/{ticket.ticket_id}" in text

    # The stream delivers the same batch again (a retry): nothing is stored, pushed or mailed twice.
    from functions.live.app import fanout

    for event in batches:
        fanout(event, LambdaContext("helpdesk-live-fanout"))
    assert _notifications(api, "agent")["unread"] == before + 1
    assert len(hd.gateway.received(agent_socket, "notification")) == 1
    assert len(_mails_to("agent@example.com")) == 1


def test_preferences_choose_the_channels(world: tuple[Live, ApiClient]) -> None:
    hd, api = world
    shown = api.get("/notifications/preferences", user="agent").json["preferences"]
    assert shown["mentioned"] == {"app": True, "mail": True} and shown["new_ticket"] == {"app": True, "mail": False}
    put = api.call(
        "PUT",
        "/notifications/preferences",
        user="agent",
        body={"preferences": {"mentioned": {"app": True, "mail": False}}},
    )
    assert put.status == 200 and put.json["preferences"]["mentioned"] == {"app": True, "mail": False}
    assert put.json["preferences"]["assigned"] == {"app": True, "mail": True}  # untouched kinds keep theirs
    assert api.get("/notifications/preferences", user="admin").json["preferences"]["mentioned"]["mail"] is True
    bad = api.call("PUT", "/notifications/preferences", user="agent", body={"preferences": {"bogus": {"app": 1}}})
    assert bad.status == 400

    ticket = ingest(hd.aws, make_mail(subject="Nur in der App", sender="lu@kunde.example"))
    hd.pump()
    reset_sent()
    _comment(api, ticket.ticket_id, "admin", "@agent schau mal", ["agent"])
    hd.pump()
    assert _notifications(api, "agent")["items"][0]["kind"] == "mentioned"
    assert _mails_to("agent@example.com") == []

    api.call(
        "PUT",
        "/notifications/preferences",
        user="agent",
        body={"preferences": {"mentioned": {"app": False, "mail": True}}},
    )
    _comment(api, ticket.ticket_id, "admin", "@agent nur per Mail", ["agent"])
    hd.pump()
    assert [n["text"] for n in _notifications(api, "agent")["items"] if n["kind"] == "mentioned"] == [
        "@agent schau mal"
    ]
    assert len(_mails_to("agent@example.com")) == 1


def test_assignment_tells_the_assignee_and_access_is_respected(world: tuple[Live, ApiClient]) -> None:
    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Bitte zuweisen", sender="ab@kunde.example"))
    billing = ingest(hd.aws, make_mail(subject="Rechnung 17 doppelt", sender="cd@kunde.example"))
    hd.pump()
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    assert (
        api.call(
            "PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": version, "assignee": "agent"}
        ).status
        == 200
    )
    # A mention in a queue the agent may not see tells them nothing.
    _comment(api, billing.ticket_id, "admin", "@agent?", ["agent"])
    hd.pump()
    kinds = {(n["kind"], n["ticket_id"]) for n in _notifications(api, "agent")["items"]}
    assert ("assigned", ticket.ticket_id) in kinds
    assert all(tid != billing.ticket_id for _, tid in kinds)
    assert ("new_ticket", billing.ticket_id) in {
        (n["kind"], n["ticket_id"]) for n in _notifications(api, "admin")["items"]
    }

    # A notification of a ticket the agent can no longer see is left out of their list.
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    api.call(
        "PATCH",
        f"/tickets/{ticket.ticket_id}",
        user="admin",
        body={"version": version, "queue": "billing", "assignee": None},
    )
    hd.pump()
    assert all(n["ticket_id"] != ticket.ticket_id for n in _notifications(api, "agent")["items"])


def test_paging_mark_read_and_only_my_own(world: tuple[Live, ApiClient]) -> None:
    hd, api = world
    for i in range(3):
        ingest(hd.aws, make_mail(subject=f"Neu {i}", sender=f"n{i}@kunde.example"))
    hd.pump()
    everything = _notifications(api, "agent", limit=100)
    assert everything["unread"] == len(everything["items"]) >= 3
    first = _notifications(api, "agent", limit=2)
    assert len(first["items"]) == 2 and first["cursor"]
    second = _notifications(api, "agent", limit=2, cursor=first["cursor"])
    assert {n["id"] for n in first["items"]}.isdisjoint({n["id"] for n in second["items"]})
    assert api.get("/notifications", user="agent", query={"cursor": "bm9wZQ"}).status == 400

    one = first["items"][0]["id"]
    # The same event told admin too: their marking it read marks their own copy, not the agent's.
    assert api.call("POST", f"/notifications/{one}/read", user="admin").status == 200
    assert api.get("/notifications/unread", user="agent").json["unread"] == everything["unread"]
    marked = api.call("POST", f"/notifications/{one}/read", user="agent")
    assert marked.status == 200 and marked.json["unread"] == everything["unread"] - 1
    assert api.get("/notifications/unread", user="agent").json["unread"] == everything["unread"] - 1
    assert api.call("POST", "/notifications/not-an-id/read", user="agent").status == 404
    unread_only = _notifications(api, "agent", unread="true", limit=100)
    assert one not in {n["id"] for n in unread_only["items"]}
    all_read = api.call("POST", "/notifications/read-all", user="agent")
    assert all_read.status == 200 and all_read.json["unread"] == 0
    assert api.get("/notifications/unread", user="admin").json["unread"] > 0  # admin's own are untouched


def test_a_notification_mail_coming_back_to_a_mailbox_is_not_a_ticket(world: tuple[Live, ApiClient]) -> None:
    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Schleife?", sender="lo@kunde.example"))
    hd.pump()
    reset_sent()
    _comment(api, ticket.ticket_id, "admin", "@agent", ["agent"])
    hd.pump()
    (mail,) = _mails_to("agent@example.com")  # agent@example.com: the mailbox domain
    listed_before = api.get("/tickets", user="admin", query={"status": "all"}).json["items"]
    result = ingest(hd.aws, mail.as_bytes())
    assert result.outcome == "own_notification" and result.ticket_id is None
    assert len(api.get("/tickets", user="admin", query={"status": "all"}).json["items"]) == len(listed_before)

    # A human writing from the system address (no Auto-Submitted) is still a ticket.
    human = make_mail(subject="Frage", sender=SYSTEM_SENDER)
    assert ingest(hd.aws, human).outcome == "created"


def test_what_deciding_and_storing_costs(world: tuple[Live, ApiClient]) -> None:
    """AWS calls per stream batch: a new ticket (two agents told) and a mention (stored, mailed), and the
    same batches again (a retry: nothing stored, pushed or mailed)."""
    from helpdesk.aws.live import endpoint_from
    from helpdesk.bootstrap import notify_deps
    from helpdesk.services.notifications import notify
    from helpdesk_local.runners import StreamPoller

    from .helpers import count_aws_calls

    hd, api = world
    batches: list[dict[str, Any]] = []

    def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append(event)
        return {}

    recorder = StreamPoller(hd.aws.client("dynamodbstreams"), hd.aws.resources.stream_arns["TicketsTable"])
    recorder.add(record, "recorder", keep=lambda r: True)
    ticket = ingest(hd.aws, make_mail(subject="Was kostet das?", sender="pr@kunde.example"))
    while recorder.step():
        pass
    created = [r for batch in batches for r in batch["Records"]]
    batches.clear()
    _comment(api, ticket.ticket_id, "admin", "@agent kurz schauen", ["agent"])
    while recorder.step():
        pass
    mention = [r for batch in batches for r in batch["Records"]]
    deps = notify_deps(endpoint_from())
    # The fan-out has told everyone already: forget that, so the first runs below are fresh.
    ddb = hd.aws.client("dynamodb")
    for user in ("admin", "agent"):
        for item in ddb.query(
            TableName=deps.store.table,
            KeyConditionExpression="pk = :u",
            ExpressionAttributeValues={":u": {"S": user}},
        )["Items"]:
            if item["sk"]["S"] != "PREFS":
                ddb.delete_item(TableName=deps.store.table, Key={"pk": item["pk"], "sk": item["sk"]})

    with count_aws_calls() as new_ticket:
        told = notify(deps, created)
    assert told.stored == 2 and told.mailed == 0
    with count_aws_calls() as mentioned:
        told = notify(deps, mention)
    assert told.stored == 1 and told.mailed == 1
    with count_aws_calls() as retried:
        told = notify(deps, [*created, *mention])
    assert told.stored == 0 and told.repeated == 3 and told.mailed == 0
    print(f"\nnew ticket: {dict(new_ticket)}\nmention: {dict(mentioned)}\nretry of both: {dict(retried)}")
    # One read of the tickets, the configuration, each agent's preferences, one write per agent told,
    # one Query of the inbox subscribers when something new is to be pushed.
    assert sum(v for k, v in new_ticket.items() if k.startswith("dynamodb.")) <= 7
    assert mentioned["sesv2.SendEmail"] == 1 and sum(mentioned.values()) <= 8
    assert "sesv2.SendEmail" not in retried and retried["dynamodb.TransactWriteItems"] == 3  # refused: already there


def test_a_customer_reopening_my_ticket_tells_me_once(world: tuple[Live, ApiClient]) -> None:
    """The customer's mail on a closed ticket is a message and a status change (two events): its owner
    hears of it once, as ``reopened`` (it was two notices, ``customer_replied`` and ``reopened``)."""
    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Wieder da", sender="re@kunde.example"))
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    patched = api.call(
        "PATCH",
        f"/tickets/{ticket.ticket_id}",
        user="admin",
        body={"version": version, "assignee": "agent", "status": "closed"},
    )
    assert patched.status == 200, patched.text
    hd.pump()
    before = {n["id"] for n in _notifications(api, "agent", limit=100)["items"]}
    reset_sent()
    answer = ingest(hd.aws, make_mail(subject=f"Re: Wieder da [#{ticket.number}]", sender="re@kunde.example"))
    assert answer.ticket_id == ticket.ticket_id
    assert api.get(f"/tickets/{ticket.ticket_id}", user="agent").json["status"] == "open"
    hd.pump()
    new = [n for n in _notifications(api, "agent", limit=100)["items"] if n["id"] not in before]
    assert [(n["kind"], n["ticket_id"]) for n in new] == [("reopened", ticket.ticket_id)]

    # Unassigned, the queue's people hear of the customer's answer once (nobody owns a reopening).
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    api.call(
        "PATCH",
        f"/tickets/{ticket.ticket_id}",
        user="admin",
        body={"version": version, "assignee": None, "status": "closed"},
    )
    hd.pump()
    before = {n["id"] for n in _notifications(api, "agent", limit=100)["items"]}
    ingest(hd.aws, make_mail(subject=f"Re: Wieder da [#{ticket.number}]", sender="re@kunde.example"))
    hd.pump()
    new = [n for n in _notifications(api, "agent", limit=100)["items"] if n["id"] not in before]
    assert [(n["kind"], n["ticket_id"]) for n in new] == [("customer_replied", ticket.ticket_id)]


def test_the_answer_to_a_forward_tells_the_tickets_owner(world: tuple[Live, ApiClient]) -> None:
    """A supplier answers the mail an agent forwarded (issue 14): the answer threads back onto the ticket
    (forward side) and its owner is told (``forward_answered``); it told nobody."""
    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Lieferung fehlt", sender="lf@kunde.example"))
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    body = {"version": version, "assignee": "agent"}
    assert api.call("PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body=body).status == 200
    forward = {"to": [{"address": "lager@lieferant.example"}]}
    sent = api.call("POST", f"/tickets/{ticket.ticket_id}/forwards", user="admin", body=forward)
    assert sent.status == 201, sent.text
    ours = sent.json["message"]["message_id"]
    hd.pump()
    before = {n["id"] for n in _notifications(api, "agent", limit=100)["items"]}
    answer = ingest(
        hd.aws,
        make_mail(
            sender="Lager <lager@lieferant.example>",
            subject=f"Re: Fwd: Lieferung fehlt [#{ticket.number}]",
            body="Ist gestern rausgegangen.",
            in_reply_to=f"<{ours}>",
            references=f"<{ours}>",
        ),
    )
    assert answer.outcome == "appended" and answer.ticket_id == ticket.ticket_id
    hd.pump()
    new = [n for n in _notifications(api, "agent", limit=100)["items"] if n["id"] not in before]
    assert [(n["kind"], n["reason"], n["ticket_id"], n["event_type"]) for n in new] == [
        ("forward_answered", "assignee", ticket.ticket_id, "MessageAdded")
    ]
    assert all(n["kind"] != "forward_answered" for n in _notifications(api, "admin", limit=100)["items"])


def test_the_notification_sender_must_be_on_the_mail_domain(world: tuple[Live, ApiClient]) -> None:
    """SES sends only from the deployment's mail domain: another sender would have every notification
    refused, so saving it is refused with a clear error (it was stored, and every mail then failed)."""
    _, api = world
    settings = api.get("/admin/settings", user="admin").json
    for address in ("alerts@elsewhere.example", "alerts@sub.example.com", "alerts@example.com.evil.example"):
        refused = api.call("PUT", "/admin/settings", user="admin", body={**settings, "notification_sender": address})
        assert (refused.status, refused.json["field"]) == (400, "notification_sender"), address
        assert "@example.com" in refused.json["message"]
    assert api.get("/admin/settings", user="admin").json["notification_sender"] is None
    for sender in ("Alerts@Example.COM", None):
        saved = api.call("PUT", "/admin/settings", user="admin", body={**settings, "notification_sender": sender})
        assert saved.status == 200, saved.text
    assert api.get("/admin/settings", user="admin").json["notification_sender"] is None


def test_a_deadline_soon_due_warns_its_owner_in_the_app_and_by_mail(world: tuple[Live, ApiClient]) -> None:
    from datetime import timedelta

    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.services.autoclose import run

    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Frist in einer halben Stunde", sender="fr@kunde.example"))
    version = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json["version"]
    due = (now() + timedelta(minutes=30)).isoformat()
    body = {"version": version, "assignee": "agent", "due_at": due}
    assert api.call("PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body=body).status == 200
    hd.pump()
    reset_sent()
    assert run(autoclose_deps()).warned == 1
    hd.pump()
    notes = [n for n in _notifications(api, "agent")["items"] if n["kind"] == "deadline_warning"]
    assert [(n["ticket_id"], n["reason"], n["event_type"]) for n in notes] == [
        (ticket.ticket_id, "assignee", "DeadlineWarning")
    ]
    (mail,) = _mails_to("agent@example.com")
    assert mail["Subject"].startswith("Frist läuft bald ab: " + ticket.number)
    assert mail["Auto-Submitted"] == "auto-generated"
    assert all(n["kind"] != "deadline_warning" for n in _notifications(api, "admin")["items"])  # not theirs
    assert run(autoclose_deps()).warned == 0  # once


def test_a_notification_mail_refused_for_now_is_sent_again_by_the_outbox_sweep(world: tuple[Live, ApiClient]) -> None:
    """SES throttles the mention's mail: it is kept and the scheduled sweep sends it once its pause is over
    (it was marked failed and lost); a rejected one is failed at once and not retried."""
    from datetime import timedelta
    from unittest import mock

    from botocore.exceptions import ClientError

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.domain.clock import now
    from helpdesk.services.autoclose import sweep_outbox
    from helpdesk.store.notifications import NotificationStore

    hd, api = world
    ticket = ingest(hd.aws, make_mail(subject="Gedrosselte Erwähnung", sender="gd@kunde.example"))
    hd.pump()
    reset_sent()

    def refusing(code: str) -> Any:
        def send_raw(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
            raise ClientError({"Error": {"Code": code, "Message": "no"}}, "SendEmail")

        return mock.patch.object(Mailer, "send_raw", send_raw)

    with refusing("Throttling"):
        _comment(api, ticket.ticket_id, "admin", "@agent gedrosselt", ["agent"])
        hd.pump()
    assert _mails_to("agent@example.com") == []
    store = NotificationStore()
    (note,) = [n for n in store.page("agent", 100).items if n.text == "@agent gedrosselt"]
    assert note.mail == "retry"

    assert sweep_outbox(autoclose_deps(), at=now()).sent == 0  # its pause (5 minutes) is not over
    with refusing("Throttling"):  # refused again: kept for the next pause
        again = sweep_outbox(autoclose_deps(), at=now() + timedelta(minutes=6))
    assert (again.due, again.refused, again.sent) == (1, 1, 0)
    done = sweep_outbox(autoclose_deps(), at=now() + timedelta(minutes=30))
    assert (done.due, done.sent) == (1, 1)
    (mail,) = _mails_to("agent@example.com")
    assert ticket.number in mail["Subject"] and "@agent gedrosselt" in mail.get_content()
    assert mail["Auto-Submitted"] == "auto-generated"
    assert [n.mail for n in store.page("agent", 100).items if n.id == note.id] == ["sent"]
    assert sweep_outbox(autoclose_deps(), at=now() + timedelta(days=1)).due == 0  # sent once

    with refusing("MessageRejected"):
        _comment(api, ticket.ticket_id, "admin", "@agent abgelehnt", ["agent"])
        hd.pump()
    (rejected,) = [n for n in store.page("agent", 100).items if n.text == "@agent abgelehnt"]
    assert rejected.mail == "failed"
    assert sweep_outbox(autoclose_deps(), at=now() + timedelta(days=1)).due == 0
    assert len(_mails_to("agent@example.com")) == 1
