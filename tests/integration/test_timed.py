"""SLA clocks applied to tickets and triggers on time events, on moto (issue 17): the publisher keeps each
ticket's clocks and next look after every change (the stream, as the event source mapping delivers it), the
scheduled job runs what is due (services/timed.py), once per episode, also when two runs overlap."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from helpdesk.bootstrap import autoclose_deps, automation_deps, config_store
from helpdesk.domain.config import WEEKDAYS, Action, SlaCalendar, SlaPolicy, SlaTargets, Trigger
from helpdesk.domain.links import customer_token
from helpdesk.domain.status import Status
from helpdesk.services import timed
from helpdesk.services.autoclose import run as run_job
from helpdesk.services.outbound import template_values
from helpdesk.settings import get_settings
from helpdesk.store.tickets import TicketStore
from helpdesk_local.filters import stream_filter
from helpdesk_local.runners import StreamPoller

from .api_client import make_api
from .helpers import count_aws_calls, count_items_read, ingest, make_mail

ALL_DAY = ["00:00-24:00"]
AROUND_THE_CLOCK = SlaCalendar.model_validate({"holidays_region": "", **dict.fromkeys(WEEKDAYS, ALL_DAY)})


@pytest.fixture
def poller(aws: Any) -> Iterator[StreamPoller]:
    import functions.publisher.app as app

    automation_deps.cache_clear()
    autoclose_deps.cache_clear()
    stream = StreamPoller(aws.client("dynamodbstreams"), aws.resources.stream_arns["TicketsTable"])
    stream.add(app.handler, "helpdesk-publisher", keep=stream_filter("PublisherFunction"))
    yield stream
    app.metrics.clear_metrics()
    for trigger in config_store().snapshot().triggers:
        config_store().delete("trigger", trigger.id)
    for policy in config_store().snapshot().sla_policies:
        config_store().delete("sla_policy", policy.id)


def pump(stream: StreamPoller) -> None:
    for _ in range(20):
        if not stream.step():
            return


def ticket(ticket_id: str) -> Any:
    found = TicketStore().get(ticket_id, consistent=True)
    assert found is not None
    return found


def ran(ticket_id: str) -> list[Any]:
    return [e for e in TicketStore().events(ticket_id) if e.type == "AutomationRan"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def job(moment: datetime) -> Any:
    with time_machine.travel(moment, tick=False):
        return run_job(autoclose_deps(), at=moment)


def new_ticket(aws: Any, stream: StreamPoller, moment: datetime, **mail: Any) -> str:
    with time_machine.travel(moment, tick=False):
        ticket_id = str(ingest(aws, make_mail(**mail)).ticket_id)
        pump(stream)
    return ticket_id


def patch(aws: Any, stream: StreamPoller, ticket_id: str, moment: datetime, **changes: Any) -> None:
    with time_machine.travel(moment, tick=False):
        api = make_api(aws)  # signed in then: a token of today has expired in a test's future
        version = api.get(f"/tickets/{ticket_id}", user="agent").json["version"]
        r = api.call("PATCH", f"/tickets/{ticket_id}", user="agent", body={"version": version, **changes})
        assert r.status == 200, r.text
        pump(stream)


def test_the_solution_clock_pauses_over_the_weekend_and_the_dst_change_and_while_waiting(
    aws: Any, poller: StreamPoller
) -> None:
    """Office hours in Berlin: Friday 16:00 CET created (1 h that day), the clocks go forward on Sunday;
    Monday 09:00 CEST waiting for the customer (2 h used, paused), Tuesday 10:00 CEST the customer answers:
    the 4 business hours end Tuesday 12:00 CEST."""
    calendar = SlaCalendar(holidays_region="")  # Good Friday 2027 is 26 March: no public holidays here
    config_store().put(
        "sla_policy",
        SlaPolicy(
            id="std",
            name="Standard",
            targets={"*": SlaTargets(solution_hours=4)},
            calendar=calendar,
            show_to_customer=True,
        ),
    )
    first = "<erste@kunde.example>"
    ticket_id = new_ticket(aws, poller, at("2027-03-26T16:00:00+01:00"), message_id=first)
    made = ticket(ticket_id)
    assert made.sla["clocks"]["solution"]["due_at"] == "2027-03-29T09:00:00.000000Z"  # Monday 11:00 CEST
    assert made.sla_state == "running" and made.look_at == "2027-03-29T08:00:00.000000Z"  # warned an hour before
    assert made.sla_at == min(made.look_at, made.response_due_at)  # by_sla: the earlier of look and deadline
    cfg = config_store().snapshot()
    values = template_values(made, cfg, cfg.mailboxes[0], made.subject, "", made.customer_email or "")
    assert values["FAELLIG"] == "29.03.2027, 11:00"  # the auto-reply's {FAELLIG}: local to the policy's calendar

    patch(aws, poller, ticket_id, at("2027-03-29T09:00:00+02:00"), status=Status.WAITING_CUSTOMER.value)
    waiting = ticket(ticket_id)
    assert waiting.sla["clocks"]["solution"]["state"] == "paused" and waiting.sla_state == "paused"
    assert waiting.look_at is None  # nothing to look at while paused
    assert waiting.sla_at == waiting.response_due_at  # by_sla keeps only the queue's first-response deadline

    with time_machine.travel(at("2027-03-30T10:00:00+02:00"), tick=False):
        ingest(aws, make_mail(subject="Re: Lieferung fehlt", in_reply_to=first, references=first))
        pump(poller)
        shown = make_api(aws).get(f"/tickets/{ticket_id}", user="agent").json
    assert shown["status"] == "open"
    with time_machine.travel(at("2027-03-30T10:00:00+02:00"), tick=False):
        token = customer_token(get_settings().link_secret, ticket_id, days=30)
        public = make_api(aws).get(f"/public/tickets/{token}").json
    assert public["solution_due_at"] == "2027-03-30T10:00:00.000000Z"  # the policy shows it to the customer
    assert shown["sla"] == {
        "policy": "std",
        "state": "running",
        "metric": "solution",
        "due_at": "2027-03-30T10:00:00.000000Z",  # Tuesday 12:00 CEST: 2 h left after the pause
    }


def test_no_agent_reply_fires_once_per_customer_message_and_overlapping_runs_act_once(
    aws: Any, poller: StreamPoller
) -> None:
    config_store().put(
        "trigger",
        Trigger(
            id="nachfassen",
            name="Nachfassen",
            event="no_agent_reply",
            hours=2,
            actions=[Action(kind="add_tag", value="nachfassen")],
        ),
    )
    first = "<frage@kunde.example>"
    start = at("2027-03-01T09:00:00+01:00")  # a Monday: office hours, no SLA policy
    ticket_id = new_ticket(aws, poller, start, message_id=first)
    assert ticket(ticket_id).look_at == "2027-03-01T10:00:00.000000Z"  # 11:00 CET, two business hours on

    job(at("2027-03-01T10:59:00+01:00"))
    assert ticket(ticket_id).tags == [] and not ran(ticket_id)
    stale = next(iter(TicketStore().deadlines_between(None, "2027-03-01T10:01:00.000000Z")))  # what a run read
    job(at("2027-03-01T11:01:00+01:00"))
    fired = ticket(ticket_id)
    assert fired.tags == ["nachfassen"]
    (event,) = ran(ticket_id)
    assert event.detail["fired"] == ["nachfassen"] and event.detail["cause"]["occurrences"] == ["no_agent_reply"]
    assert fired.look_at is None  # judged for this message: nothing waits any more

    # A second run that read the ticket before the first wrote it finds it changed, reads it again: nothing.
    report = timed.LookReport()
    moment = at("2027-03-01T11:02:00+01:00")
    with time_machine.travel(moment, tick=False):
        timed.look(automation_deps(), config_store().snapshot(), ticket_id, moment, report, fire=True, ticket=stale)
    assert report.retried == 1 and report.fired == 0 and len(ran(ticket_id)) == 1
    job(at("2027-03-01T15:00:00+01:00"))
    assert len(ran(ticket_id)) == 1  # once per customer message

    with time_machine.travel(at("2027-03-01T16:30:00+01:00"), tick=False):  # a new message: a new wait
        ingest(aws, make_mail(subject="Re: Lieferung fehlt", in_reply_to=first, references=first))
        pump(poller)
    assert ticket(ticket_id).look_at == "2027-03-02T08:30:00.000000Z"  # 17:00 closes, 1.5 h on Tuesday
    job(at("2027-03-02T09:31:00+01:00"))
    assert len(ran(ticket_id)) == 2


def test_in_status_and_due_soon_fire_when_their_time_comes(aws: Any, poller: StreamPoller) -> None:
    for trigger in (
        Trigger(
            id="liegt",
            name="Liegt neu",
            event="in_status",
            status=Status.NEW,
            hours=1,
            actions=[Action(kind="set_priority", value="high")],
        ),
        Trigger(
            id="bald",
            name="Bald fällig",
            event="due_soon",
            hours=2,
            actions=[Action(kind="add_tag", value="bald_faellig")],
        ),
    ):
        config_store().put("trigger", trigger)
    start = at("2027-03-02T10:00:00+01:00")
    ticket_id = new_ticket(aws, poller, start)
    patch(aws, poller, ticket_id, start + timedelta(minutes=5), due_at="2027-03-02T14:00:00+01:00")
    assert ticket(ticket_id).look_at == "2027-03-02T10:00:00.000000Z"  # the earlier of 11:00 and 12:00

    job(start + timedelta(minutes=61))
    assert ticket(ticket_id).priority == "high" and ticket(ticket_id).tags == []
    job(start + timedelta(minutes=119))
    assert ticket(ticket_id).tags == []
    job(start + timedelta(minutes=121))
    assert ticket(ticket_id).tags == ["bald_faellig"]
    assert [e.detail["fired"] for e in ran(ticket_id)] == [["liegt"], ["bald"]]


def test_sla_warning_fires_the_filter_finds_the_breach_and_the_reports_count_it(aws: Any, poller: StreamPoller) -> None:
    config_store().put(
        "sla_policy",
        SlaPolicy(
            id="rund",
            name="Rund um die Uhr",
            targets={"*": SlaTargets(first_response_hours=2)},
            calendar=AROUND_THE_CLOCK,
            warn_before_minutes=30,
        ),
    )
    config_store().put(
        "trigger",
        Trigger(id="warnung", name="SLA-Warnung", event="sla_warning", actions=[Action(kind="add_tag", value="sla")]),
    )
    start = at("2027-03-06T10:00:00+01:00")  # a Saturday: the calendar never sleeps
    ticket_id = new_ticket(aws, poller, start)
    other = new_ticket(aws, poller, start, subject="Andere Frage")

    def listed(state: str, moment: datetime) -> list[str]:
        with time_machine.travel(moment, tick=False):
            r = make_api(aws).get(f"/tickets?sla={state}", user="agent")
        assert r.status == 200, r.text
        return sorted(t["id"] for t in r.json["items"])

    assert listed("running", start) == sorted([ticket_id, other])
    patch(aws, poller, other, start + timedelta(minutes=10), status=Status.WAITING_CUSTOMER.value)
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        ok = make_api(aws).call("POST", f"/tickets/{other}/replies", user="agent", body={"body": "Erledigt."})
        assert ok.status == 201, ok.text
        pump(poller)
    assert ticket(other).sla["clocks"]["first_response"]["state"] == "met"

    job(start + timedelta(minutes=91))
    warned = ticket(ticket_id)
    assert warned.tags == ["sla"] and warned.sla_state == "warning"
    assert listed("warning", start + timedelta(minutes=92)) == [ticket_id]
    job(start + timedelta(minutes=121))
    assert ticket(ticket_id).sla_state == "breached" and len(ran(ticket_id)) == 1
    assert listed("breached", start + timedelta(minutes=122)) == [ticket_id]
    assert listed("running", start + timedelta(minutes=122)) == []

    with time_machine.travel(start + timedelta(minutes=122), tick=False):
        stats = make_api(aws).get("/stats?start=2027-03-01&end=2027-03-07", user="admin").json
    assert stats["sla"]["first_response"] == {"met": 1, "breached": 1, "breach_rate": 0.5}
    assert stats["sla"]["solution"] == {"met": 0, "breached": 0, "breach_rate": None}


def test_one_scheduled_run_reads_the_due_tickets_only(aws: Any, poller: StreamPoller) -> None:
    """A fine test of the cost: one Query of by_sla, then per due ticket its history and one write."""
    config_store().put(
        "trigger",
        Trigger(
            id="liegt",
            name="Liegt",
            event="in_status",
            status=Status.NEW,
            hours=1,
            actions=[Action(kind="add_tag", value="alt")],
        ),
    )
    start = at("2027-03-03T10:00:00+01:00")
    due = [new_ticket(aws, poller, start, subject=f"Frage {n}") for n in range(3)]
    later = new_ticket(aws, poller, start + timedelta(minutes=30), subject="Später")
    moment = start + timedelta(minutes=61)
    with time_machine.travel(moment, tick=False), count_aws_calls() as calls, count_items_read() as items:
        report = timed.run_due(
            automation_deps(),
            lambda until: TicketStore().deadlines_between(None, until),
            at=moment,
        )
    assert report.fired == 3 and all(ticket(t).tags == ["alt"] for t in due) and ticket(later).tags == []
    ddb = {k: v for k, v in calls.items() if k.startswith("dynamodb.")}
    assert ddb["dynamodb.Query"] == 1 + 3 + 1  # by_sla, each due ticket's history, the triggers' configuration
    assert ddb["dynamodb.TransactWriteItems"] == 3  # one change per due ticket (with its event and markers)
    assert items["dynamodb.Query"] <= 3 + 3 * 6 + 10  # the 3 due tickets, their few events, the configuration


def test_without_policies_and_time_triggers_a_change_costs_one_read(aws: Any, poller: StreamPoller) -> None:
    ticket_id = new_ticket(aws, poller, at("2027-03-04T10:00:00+01:00"))
    assert ticket(ticket_id).sla is None and ticket(ticket_id).look_at is None
    with count_aws_calls() as calls:
        report = timed.refresh(automation_deps(), [ticket_id], at("2027-03-04T11:00:00+01:00"))
    assert report.saved == 0
    ddb = {k: v for k, v in calls.items() if k.startswith("dynamodb.")}
    assert ddb.pop("dynamodb.Query", 0) <= 1  # the configuration (cached in a warm Lambda), not the history
    assert ddb == {"dynamodb.GetItem": 1}  # the ticket, to see it has no clocks to clear


def test_sla_refresh_gives_open_tickets_from_before_a_policy_their_clocks_once(aws: Any, poller: StreamPoller) -> None:
    """A policy added later reached a ticket only at its next change; ``helpdesk sla-refresh`` brings every
    open ticket's clocks at once, writes nothing the second time and leaves closed tickets alone."""
    moment = at("2027-03-24T10:00:00+01:00")
    open_id = new_ticket(aws, poller, moment, subject="vor der Richtlinie")
    closed_id = new_ticket(aws, poller, moment, subject="schon erledigt")
    patch(aws, poller, closed_id, moment, status=Status.CLOSED.value)
    assert ticket(open_id).sla is None
    config_store().put(
        "sla_policy",
        SlaPolicy(id="spaet", name="Später", targets={"*": SlaTargets(solution_hours=8)}, calendar=AROUND_THE_CLOCK),
    )
    later = moment + timedelta(hours=1)
    with time_machine.travel(later, tick=False):
        first = timed.refresh_open(automation_deps(), at=later)
        assert first.saved == 1 and not first.skipped
        refreshed = ticket(open_id)
        assert refreshed.sla["clocks"]["solution"]["due_at"] == "2027-03-24T17:00:00.000000Z"  # 8 h from creation
        assert refreshed.sla_state == "running" and refreshed.look_at
        assert ticket(closed_id).sla is None
        again = timed.refresh_open(automation_deps(), at=later)
        assert again.saved == 0
