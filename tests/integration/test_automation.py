"""Triggers on moto (issue 17): the tickets table's stream through the publisher Lambda (which runs them), as its
event source mapping (with the template's filter) delivers it; the changes, the comment, the mail and the loop
guards; the dry run; macros."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpdesk.bootstrap import automation_deps, config_store
from helpdesk.domain.config import Action, TicketCondition, Trigger
from helpdesk.store.tickets import TicketStore
from helpdesk_local.filters import stream_filter
from helpdesk_local.runners import LambdaContext, StreamPoller

from .helpers import ingest, make_mail, reset_sent, sent_mails


@pytest.fixture
def automation(aws: Any) -> Iterator[StreamPoller]:
    import functions.publisher.app as app

    automation_deps.cache_clear()
    reset_sent()
    poller = StreamPoller(aws.client("dynamodbstreams"), aws.resources.stream_arns["TicketsTable"])
    poller.add(app.handler, "helpdesk-publisher", keep=stream_filter("PublisherFunction"))
    yield poller
    app.metrics.clear_metrics()  # Powertools' metric set is shared: leave none to another test
    for trigger in config_store().snapshot().triggers:
        config_store().delete("trigger", trigger.id)


def pump(poller: StreamPoller) -> None:
    for _ in range(20):
        if not poller.step():
            return


def detail(ticket_id: str) -> Any:
    found = TicketStore().detail(ticket_id, consistent=True)
    assert found is not None
    return found


def events(ticket_id: str, type_: str) -> list[Any]:
    return [e for e in detail(ticket_id).events if e.type == type_]


def comments(ticket_id: str) -> list[Any]:
    return list(detail(ticket_id).comments)


def escalate() -> Trigger:
    return Trigger(
        id="eskalation",
        name="Dringendes eskalieren",
        event="ticket_created",
        conditions=[TicketCondition(field="subject", op="contains", value="dringend")],
        actions=[
            Action(kind="set_priority", value="urgent"),
            Action(kind="add_tag", value="eskaliert"),
            Action(kind="add_comment", value="Automatisch eskaliert."),
            Action(kind="notify", value="agent:agent"),
        ],
    )


def test_a_trigger_changes_the_new_ticket_comments_and_explains_itself(automation: StreamPoller, aws: Any) -> None:
    config_store().put("trigger", escalate())
    hit = ingest(aws, make_mail(subject="DRINGEND: Server steht", sender="ops@kunde.example"))
    miss = ingest(aws, make_mail(subject="Frage zur Rechnung", sender="buch@kunde.example"))
    pump(automation)

    ticket = TicketStore().get(hit.ticket_id, consistent=True)
    assert ticket is not None and ticket.priority == "urgent" and ticket.tags == ["eskaliert"]
    (ran,) = events(hit.ticket_id, "AutomationRan")
    assert ran.actor == "automation" and ran.detail["fired"] == ["eskalation"]
    assert ran.detail["cause"] == {"event": "TicketCreated", "occurrences": ["ticket_created"]}
    assert ran.detail["notify"] == ["agent"]  # told by the notifications (kind "automation") from this event
    codes = [r["code"] for r in ran.detail["reasons"]]
    assert codes[0] == "automation.fired" and "automation.set" in codes and "automation.add_comment" in codes
    (comment,) = comments(hit.ticket_id)
    assert (comment.author, comment.body) == ("automation", "Automatisch eskaliert.")
    updated = events(hit.ticket_id, "TicketUpdated")
    assert [e.actor for e in updated] == ["automation"]
    assert updated[0].detail["changes"]["priority"] == ["high", "urgent"]  # "dringend" made it high on arrival

    other = TicketStore().get(miss.ticket_id, consistent=True)
    assert other is not None and other.priority == "medium" and events(miss.ticket_id, "AutomationRan") == []

    # The trigger's own change (TicketUpdated, CommentAdded by "automation") runs no trigger again.
    pump(automation)
    assert len(events(hit.ticket_id, "AutomationRan")) == 1
    assert len(comments(hit.ticket_id)) == 1


def test_a_stream_retry_acts_once(automation: StreamPoller, aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import functions.publisher.app as app
    from helpdesk.store.config_store import ConfigStore

    config_store().put("trigger", escalate())
    batches: list[dict[str, Any]] = []

    def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
        batches.append(event)
        return {}

    automation.add(record, "recorder", keep=stream_filter("PublisherFunction"))
    hit = ingest(aws, make_mail(subject="dringend bitte", sender="retry@kunde.example"))
    pump(automation)
    assert len(events(hit.ticket_id, "AutomationRan")) == 1
    loads: list[int] = []
    load = ConfigStore._load

    def counting(self: ConfigStore) -> Any:
        loads.append(1)
        return load(self)

    monkeypatch.setattr(ConfigStore, "_load", counting)
    for batch in batches:  # the same records again, as a retried batch brings them
        before = len(loads)
        assert app.handler(batch, LambdaContext("helpdesk-publisher")) == {"batchItemFailures": []}
        assert len(loads) - before <= 1  # the configuration once per batch, however many records judge
    assert sum(len(b["Records"]) for b in batches) > len(batches)  # (batches of several records were replayed)
    assert len(events(hit.ticket_id, "AutomationRan")) == 1
    assert len(comments(hit.ticket_id)) == 1


def test_a_cascade_ends_and_every_trigger_fires_once(automation: StreamPoller, aws: Any) -> None:
    ping = Trigger(
        id="ping",
        name="Ping",
        order=1,
        event="tag_added",
        actions=[Action(kind="add_tag", value="ping"), Action(kind="set_status", value="open")],
    )
    pong = Trigger(
        id="pong",
        name="Pong",
        order=2,
        event="status_changed",
        actions=[Action(kind="add_tag", value="pong"), Action(kind="set_status", value="clarify")],
    )
    start = Trigger(
        id="start", name="Start", order=0, event="ticket_created", actions=[Action(kind="add_tag", value="x")]
    )
    for trigger in (ping, pong, start):
        config_store().put("trigger", trigger)
    hit = ingest(aws, make_mail(subject="Kaskade", sender="loop@kunde.example"))
    for _ in range(3):
        pump(automation)
    (ran,) = events(hit.ticket_id, "AutomationRan")
    assert ran.detail["fired"] == ["start", "ping", "pong"]
    codes = [r["code"] for r in ran.detail["reasons"]]
    assert "automation.once" in codes  # pong's status change would fire ping again: refused
    ticket = TicketStore().get(hit.ticket_id, consistent=True)
    assert ticket is not None and sorted(ticket.tags) == ["ping", "pong", "x"] and ticket.status == "clarify"


def test_a_template_mail_goes_to_the_customer_once_and_never_answers_automatic_mail(
    automation: StreamPoller, aws: Any
) -> None:
    from helpdesk.domain.config import Template

    config_store().put(
        "template",
        Template(id="eingang", name="Eingang", subject="Wir sind dran", body="Hallo {NAME}, wir kümmern uns."),
    )
    config_store().put(
        "trigger",
        Trigger(
            id="bestaetigen",
            name="Bestätigen",
            event="ticket_created",
            conditions=[TicketCondition(field="subject", op="contains", value="Bestellung")],
            actions=[Action(kind="send_template", value="eingang")],
        ),
    )
    human = ingest(aws, make_mail(subject="Bestellung 4711", sender="Eva Engel <eva@kunde.example>"))
    machine = ingest(
        aws,
        make_mail(
            subject="Bestellung 4712 (Abwesenheit)",
            sender="bot@kunde.example",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    reset_sent()
    pump(automation)
    mails = [m for m in sent_mails() if "Wir sind dran" in str(m["Subject"])]
    assert len(mails) == 1
    (mail,) = mails
    assert mail["To"].addresses[0].addr_spec == "eva@kunde.example"
    assert mail["Auto-Submitted"] == "auto-generated" and human.number in str(mail["Subject"])
    assert "Hallo Eva Engel, wir kümmern uns." in mail.get_body(("plain",)).get_content()
    stored = [m for m in TicketStore().messages(human.ticket_id) if m.author == "automation"]
    assert len(stored) == 1 and stored[0].send_state == "sent"
    # the machine's mail got none: the trigger fired, the mail was refused, and the ticket says why
    assert [m for m in TicketStore().messages(machine.ticket_id) if m.author == "automation"] == []
    (ran,) = events(machine.ticket_id, "AutomationRan")
    refused = [r for r in ran.detail["reasons"] if r["code"] == "automation.answer_to_automatic"]
    assert refused and refused[0]["params"]["value"] == "Auto-Submitted: auto-replied"
    # the customer writes again within the hour: a second template mail is held back
    config_store().put(
        "trigger",
        Trigger(
            id="nochmal",
            name="Nochmal",
            event="customer_replied",
            actions=[Action(kind="send_template", value="eingang")],
        ),
    )
    ingest(
        aws,
        make_mail(subject=f"Re: [#{human.number}] Bestellung 4711", sender="Eva Engel <eva@kunde.example>"),
    )
    pump(automation)
    assert len([m for m in sent_mails() if "Wir sind dran" in str(m["Subject"])]) == 1
    codes = [r["code"] for e in events(human.ticket_id, "AutomationRan") for r in e.detail["reasons"]]
    assert "automation.mail_gap" in codes


def test_admins_keep_triggers_and_what_cannot_run_is_refused_on_save(aws: Any) -> None:
    from .api_client import make_api

    api = make_api(aws)
    base = {"name": "Eskalation", "event": "customer_replied"}
    wrong = api.call(
        "POST",
        "/admin/triggers",
        user="admin",
        body={**base, "id": "t1", "actions": [{"kind": "set_queue", "value": "gibtsnicht"}]},
    )
    assert wrong.status == 400 and "unknown queue 'gibtsnicht'" in wrong.text
    timed = api.call(
        "POST",
        "/admin/triggers",
        user="admin",
        body={**base, "id": "t2", "event": "due_soon", "hours": 2, "actions": [{"kind": "add_tag", "value": "x"}]},
    )
    assert timed.status == 400 and "not run yet" in timed.text
    assert api.call("POST", "/admin/triggers", user="agent", body={**base, "id": "t3", "actions": []}).status == 403
    for order, trigger_id in ((20, "spaet"), (10, "frueh")):
        body = {**base, "id": trigger_id, "order": order, "actions": [{"kind": "set_priority", "value": "high"}]}
        assert api.call("POST", "/admin/triggers", user="admin", body=body).status == 201
    listed = api.get("/admin/triggers", user="admin").json["items"]
    assert [t["id"] for t in listed] == ["frueh", "spaet"]
    for trigger_id in ("frueh", "spaet"):
        assert api.call("DELETE", f"/admin/triggers/{trigger_id}", user="admin").status == 200


def test_the_dry_run_says_what_a_real_run_then_does_and_writes_nothing(automation: StreamPoller, aws: Any) -> None:
    from .api_client import make_api

    api = make_api(aws)
    ticket = ingest(aws, make_mail(subject="dringend: Probelauf", sender="probe@kunde.example"))
    pump(automation)  # no trigger saved yet: nothing happens
    before = TicketStore().get(ticket.ticket_id, consistent=True)
    assert before is not None
    unsaved = escalate().model_dump(mode="json")
    tried = api.call(
        "POST",
        "/admin/triggers/dry-run",
        user="admin",
        body={"ticket": ticket.number, "event": "ticket_created", "triggers": [unsaved]},
    )
    assert tried.status == 200, tried.text
    shown = tried.json
    assert shown["fired"] == [{"id": "eskalation", "name": "Dringendes eskalieren"}]
    assert shown["changes"] == {"priority": ["high", "urgent"], "tags": [[], ["eskaliert"]]}
    assert [e["kind"] for e in shown["effects"]] == ["add_comment", "notify"]
    assert "trigger Dringendes eskalieren fired on ticket_created" in shown["explanation"]
    after = TicketStore().get(ticket.ticket_id, consistent=True)
    assert after is not None and after.version == before.version  # nothing written
    # saved, the same trigger on the saved ticket's next event decides alike (here: a customer's answer)
    config_store().put("trigger", escalate().model_copy(update={"event": "customer_replied"}))
    again = api.call(
        "POST", "/admin/triggers/dry-run", user="admin", body={"ticket": ticket.ticket_id, "event": "customer_replied"}
    ).json
    ingest(aws, make_mail(subject=f"Re: [#{ticket.number}] dringend: Probelauf", sender="probe@kunde.example"))
    pump(automation)
    (ran,) = events(ticket.ticket_id, "AutomationRan")
    assert [r["code"] for r in ran.detail["reasons"]] == [r["code"] for r in again["reasons"]]
    assert ran.detail["fired"] == [f["id"] for f in again["fired"]]
    missing = api.call(
        "POST", "/admin/triggers/dry-run", user="admin", body={"ticket": "T-1999-999999", "event": "assigned"}
    )
    assert missing.status == 404


def test_an_agent_applies_a_macro_and_undoes_it(aws: Any) -> None:
    from helpdesk.domain.config import Macro, Template

    from .api_client import make_api

    api = make_api(aws)
    reset_sent()
    config_store().put(
        "template", Template(id="rueckfrage", name="Rückfrage", body="Guten Tag {NAME}, welche Seriennummer?")
    )
    macro = {
        "id": "rueckfrage",
        "name": "Rückfrage an Kunde",
        "actions": [
            {"kind": "send_template", "value": "rueckfrage"},
            {"kind": "set_status", "value": "waiting_customer"},
            {"kind": "add_tag", "value": "rueckfrage"},
            {"kind": "set_priority", "value": "low"},
        ],
    }
    assert api.call("POST", "/admin/macros", user="admin", body=macro).status == 201
    bad = {**macro, "id": "boese", "actions": [{"kind": "publish", "value": "x"}]}
    assert api.call("POST", "/admin/macros", user="admin", body=bad).status == 400
    mine = Macro(id="meins", name="Nur Admin", owner="admin", actions=[Action(kind="add_tag", value="a")])
    config_store().put("macro", mine)
    assert [m["id"] for m in api.get("/macros", user="agent").json["items"]] == ["rueckfrage"]

    ticket = ingest(aws, make_mail(subject="Gerät defekt", sender="Karl Kunde <karl@kunde.example>"))
    reset_sent()  # the auto-reply
    version = TicketStore().get(ticket.ticket_id, consistent=True).version  # type: ignore[union-attr]
    path = f"/tickets/{ticket.ticket_id}/macros/rueckfrage"
    assert (
        api.call("POST", f"/tickets/{ticket.ticket_id}/macros/meins", user="agent", body={"version": version}).status
        == 404
    )
    assert api.call("POST", path, user="agent", body={"version": version - 1}).status == 409
    ran = api.call("POST", path, user="agent", body={"version": version})
    assert ran.status == 200, ran.text
    assert ran.json["changes"]["status"] == ["new", "waiting_customer"] and ran.json["mailed"] is True
    shown = ran.json["ticket"]
    assert (shown["status"], shown["priority"], shown["tags"]) == ("waiting_customer", "low", ["rueckfrage"])
    (mail,) = [m for m in sent_mails() if "karl@kunde.example" in str(m["To"])]
    assert "Guten Tag Karl Kunde, welche Seriennummer?" in mail.get_body(("plain",)).get_content()
    assert mail["Auto-Submitted"] is None  # the agent's own reply, not an automatic mail
    (reply,) = [
        m for m in TicketStore().messages(ticket.ticket_id) if m.direction == "outbound" and m.author == "agent"
    ]
    assert reply.send_state == "sent"

    # someone sets the priority meanwhile: undo puts status and tags back, keeps that priority
    current = TicketStore().get(ticket.ticket_id, consistent=True)
    assert current is not None
    patched = api.call(
        "PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": current.version, "priority": "urgent"}
    )
    assert patched.status == 200
    undone = api.call(
        "POST", f"/tickets/{ticket.ticket_id}/undo-macro", user="agent", body={"version": patched.json["version"]}
    )
    assert undone.status == 200, undone.text
    # the tags go back; the priority changed since stays; "neu" is no status a ticket can go back to
    assert (undone.json["ticket"]["status"], undone.json["ticket"]["tags"]) == ("waiting_customer", [])
    assert undone.json["ticket"]["priority"] == "urgent"
    said = [(r["code"], r["params"].get("field")) for r in undone.json["reasons"]]
    assert said == [
        ("macro.undo_refused", "status"),
        ("macro.undo_changed", "priority"),
        ("macro.undone", None),
    ]
    again = api.call(
        "POST",
        f"/tickets/{ticket.ticket_id}/undo-macro",
        user="agent",
        body={"version": undone.json["ticket"]["version"]},
    )
    assert again.status == 400  # one undo, for the last run
    for kind, record_id in (("macro", "rueckfrage"), ("macro", "meins"), ("template", "rueckfrage")):
        config_store().delete(kind, record_id)


def test_a_macro_runs_on_many_tickets_from_the_batch_bar_each_with_its_own_result(aws: Any) -> None:
    import time

    from helpdesk.store.live import Connection, LiveStore

    from .api_client import make_api

    api = make_api(aws)
    macro = {
        "id": "erledigt-markieren",
        "name": "Als erledigt markieren",
        "actions": [{"kind": "add_tag", "value": "erledigt"}, {"kind": "set_priority", "value": "low"}],
    }
    assert api.call("POST", "/admin/macros", user="admin", body=macro).status == 201
    tickets = [ingest(aws, make_mail(subject=f"Stapel {n}", sender=f"stapel{n}@kunde.example")) for n in range(4)]
    versions = {t.ticket_id: TicketStore().get(t.ticket_id, consistent=True).version for t in tickets}  # type: ignore[union-attr]
    answered, stale, *rest = tickets
    anna = Connection(id="conn-anna-macro", user="admin", name="Anna", connected_at=int(time.time()))
    live = LiveStore()
    live.put_connection(anna)
    live.subscribe(anna, False, answered.ticket_id)
    live.put_presence(anna, answered.ticket_id, "typing", time.time())
    items = [{"id": t.ticket_id, "version": versions[t.ticket_id] - (1 if t is stale else 0)} for t in tickets] + [
        {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}
    ]

    ran = api.call(
        "POST", "/tickets/batch", user="agent", body={"items": items, "action": "macro", "value": macro["id"]}
    )
    assert ran.status == 200, ran.text
    by_id = {r["id"]: r for r in ran.json["results"]}
    assert (ran.json["ok"], ran.json["failed"], ran.json["skipped"]) == (2, 3, 1)
    assert by_id[answered.ticket_id]["error"] == "reply_in_progress" and by_id[answered.ticket_id]["typing"] == [
        "admin"
    ]
    assert by_id[stale.ticket_id]["error"] == "conflict"
    assert by_id["01ARZ3NDEKTSV4RRFFQ69G5FAV"]["error"] == "not_found"
    for ticket in rest:
        shown = TicketStore().get(ticket.ticket_id, consistent=True)
        assert shown is not None and (shown.tags, shown.priority) == (["erledigt"], "low")
        assert by_id[ticket.ticket_id]["version"] == shown.version
        (applied,) = events(ticket.ticket_id, "MacroApplied")
        assert applied.actor == "agent" and applied.detail["macro"] == "erledigt-markieren"
    for ticket in (answered, stale):
        untouched = TicketStore().get(ticket.ticket_id, consistent=True)
        assert untouched is not None and untouched.version == versions[ticket.ticket_id] and not untouched.tags
    # each ticket's run is undone on its own, as a run from the ticket view
    first = rest[0].ticket_id
    undone = api.call("POST", f"/tickets/{first}/undo-macro", user="agent", body={"version": by_id[first]["version"]})
    assert undone.status == 200 and undone.json["ticket"]["tags"] == [], undone.text
    # confirmed, the colleague's ticket gets it too; an unknown or someone else's macro is refused as a whole
    confirmed = api.call(
        "POST",
        "/tickets/batch",
        user="agent",
        body={
            "items": [{"id": answered.ticket_id, "version": versions[answered.ticket_id]}],
            "action": "macro",
            "value": macro["id"],
            "confirm_typing": True,
        },
    )
    assert confirmed.json["ok"] == 1, confirmed.text
    from helpdesk.domain.config import Macro

    config_store().put(
        "macro", Macro(id="nur-admin", name="A", owner="admin", actions=[Action(kind="add_tag", value="a")])
    )
    for value in ("gibtsnicht", "nur-admin", None):
        body = {"items": items[2:3], "action": "macro", "value": value}
        refused = api.call("POST", "/tickets/batch", user="agent", body=body)
        assert refused.status == 400 and refused.json["field"] == "value", refused.text


def test_admins_keep_sla_policies_and_a_calendar_that_cannot_run_is_refused(aws: Any) -> None:
    from .api_client import make_api

    api = make_api(aws)
    calendar: dict[str, Any] = {
        "tz": "Europe/Berlin",
        "holidays_region": "DE-BY",
        "extra_holidays": ["2026-12-24"],
        "monday": ["08:00-12:00", "13:00-17:00"],
        "saturday": [],
    }
    policy: dict[str, Any] = {
        "id": "standard",
        "name": "Standard",
        "targets": {"urgent": {"first_response_hours": 1}, "*": {"first_response_hours": 8, "solution_hours": 40}},
        "calendar": calendar,
        "pause_in": ["waiting_customer"],
        "warn_before_minutes": 30,
        "show_to_customer": True,
    }
    assert api.call("POST", "/admin/sla-policies", user="agent", body=policy).status == 403
    created = api.call("POST", "/admin/sla-policies", user="admin", body=policy)
    assert created.status == 201, created.text
    assert config_store().snapshot().sla_policies[0].calendar.holidays_region == "DE-BY"
    for change, field in (
        ({"calendar": {**calendar, "holidays_region": "DE-XX"}}, "calendar"),
        ({"calendar": {**calendar, "tz": "Mars/Olympus"}}, "calendar"),
        ({"calendar": {**calendar, "monday": ["13:00-17:00", "08:00-12:00"]}}, "calendar"),
        ({"queues": ["gibtsnicht"]}, "queues"),
    ):
        refused = api.call("PUT", "/admin/sla-policies/standard", user="admin", body={**policy, **change})
        assert refused.status == 400, (change, refused.text)
        assert str(refused.json.get("field", "")).startswith(field), refused.json
    later = {**policy, "name": "Standard (neu)", "order": 5}
    assert api.call("PUT", "/admin/sla-policies/standard", user="admin", body=later).status == 200
    assert api.get("/admin/sla-policies/standard", user="admin").json["name"] == "Standard (neu)"
    assert api.call("DELETE", "/admin/sla-policies/standard", user="admin").status == 200
    assert api.get("/admin/sla-policies", user="admin").json["items"] == []
