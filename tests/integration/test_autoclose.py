"""The scheduled job with a moved clock: reminders, auto-close, deadlines, safety under concurrency."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine

from helpdesk.domain.clock import now

from .api_client import ApiClient
from .helpers import ingest, make_mail, reset_sent, sent_mails


def run_job(at: datetime, **kwargs: Any) -> Any:
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import run

    with time_machine.travel(at, tick=False):
        return run(autoclose_deps(), **kwargs)


def waiting_ticket(aws: Any, api: ApiClient, **mail: Any) -> dict[str, Any]:
    """A ticket the agent answered with 'Einreichen als: warten auf Kunde'."""
    created = ingest(aws, make_mail(**mail))
    r = api.call("POST", f"/tickets/{created.ticket_id}/replies", user="agent", body={"body": "Bitte Foto schicken."})
    assert r.status == 201
    reset_sent()
    return r.json["ticket"]  # type: ignore[no-any-return]


def detail(api: ApiClient, ticket_id: str) -> dict[str, Any]:
    return api.get(f"/tickets/{ticket_id}", user="admin").json  # type: ignore[no-any-return]


def ticket_due(aws: Any, api: ApiClient, subject: str, due: datetime, **mail: Any) -> dict[str, Any]:
    """A new ticket from a mail, given a due date (and, with ``assignee=``, an owner); the ticket as it is then."""
    assignee = mail.pop("assignee", None)
    t = detail(api, str(ingest(aws, make_mail(subject=subject, **mail)).ticket_id))
    body = {"version": t["version"], "due_at": due.isoformat(), **({"assignee": assignee} if assignee else {})}
    assert api.call("PATCH", f"/tickets/{t['id']}", user="admin", body=body).status == 200
    return detail(api, t["id"])


def agent_reply(ticket_id: str) -> None:
    """An agent's reply through the service (inside a time travel the API's tokens would be expired)."""
    from helpdesk.bootstrap import config_store, ingest_deps
    from helpdesk.services.replies import ReplyRequest, send_reply

    deps = ingest_deps()
    send_reply(
        deps.tickets,
        deps.mail,
        deps.mailer,
        config_store().snapshot(),
        ticket_id,
        ReplyRequest(body="Antwort"),
        actor="agent",
        mail_domain="example.com",
    )


def test_one_reminder_after_seven_days_and_closed_after_fourteen(aws: Any, api: ApiClient) -> None:
    t = waiting_ticket(aws, api)
    start = now()
    assert run_job(start + timedelta(days=6)).actions == []
    first = run_job(start + timedelta(days=8))
    assert first.reminded == 1
    again = run_job(start + timedelta(days=9))
    assert again.reminded == 0
    mails = sent_mails()
    assert len(mails) == 1
    assert mails[0]["Subject"].startswith("Erinnerung:") and f"[#{t['number']}]" in mails[0]["Subject"]
    assert mails[0]["Auto-Submitted"] == "auto-generated"
    assert mails[0]["In-Reply-To"] is not None  # threads like a reply
    assert detail(api, t["id"])["status"] == "waiting_customer"

    closing = run_job(start + timedelta(days=15))
    assert closing.closed == 1
    d = detail(api, t["id"])
    assert d["status"] == "closed" and d["status_label"] == "abgeschlossen"
    event = next(e for e in d["events"] if e["type"] == "StatusChanged" and e["actor"] == "system")
    assert event["detail"]["reason"]["code"] == "status.autoclose"  # the client says "… nicht mehr geantwortet"
    assert len(sent_mails()) == 1  # no closing mail unless the policy says so
    assert run_job(start + timedelta(days=16)).closed == 0


def test_an_answered_ticket_is_never_closed(aws: Any, api: ApiClient) -> None:
    t = waiting_ticket(aws, api)
    start = now()
    with time_machine.travel(start + timedelta(days=10), tick=False):
        ingest(aws, make_mail(subject=f"Re: [#{t['number']}] hier das Foto", body="Foto anbei."))
    assert detail(api, t["id"])["status"] == "open"
    report = run_job(start + timedelta(days=30))
    assert report.closed == 0
    assert detail(api, t["id"])["status"] == "open"


def test_the_clock_restarts_when_the_ticket_waits_again(aws: Any, api: ApiClient) -> None:
    t = waiting_ticket(aws, api)
    start = now()
    run_job(start + timedelta(days=8))  # reminder
    with time_machine.travel(start + timedelta(days=10), tick=False):
        ingest(aws, make_mail(subject=f"Re: [#{t['number']}]", body="Noch eine Frage"))
        agent_reply(t["id"])  # 'Einreichen als' warten auf Kunde again: a new waiting period
    reset_sent()
    assert run_job(start + timedelta(days=16)).closed == 0  # only 6 days since it waits again
    assert run_job(start + timedelta(days=18)).reminded == 1  # a new waiting period: a new reminder


def test_an_agents_concurrent_change_wins(aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    t = waiting_ticket(aws, api)
    import helpdesk.services.autoclose as job

    original = job.close

    def agent_acts_first(deps: Any, cfg: Any, ticket: Any, *args: Any, **kwargs: Any) -> bool:
        # The job has read the ticket; now the agent changes it, before the job writes.
        from helpdesk.domain.access import Viewer
        from helpdesk.services.changes import change_ticket

        change_ticket(
            deps.tickets,
            cfg,
            t["id"],
            {"priority": "urgent", "status": "open"},
            version=int(ticket.version),
            actor="agent",
            viewer=Viewer("agent"),
        )
        return original(deps, cfg, ticket, *args, **kwargs)

    monkeypatch.setattr(job, "close", agent_acts_first)
    report = run_job(now() + timedelta(days=20))
    assert report.closed == 0 and report.skipped == 1
    d = detail(api, t["id"])
    assert d["status"] == "open" and d["priority"] == "urgent"


def test_two_overlapping_runs_act_once(aws: Any, api: ApiClient) -> None:
    tickets = [waiting_ticket(aws, api, sender=f"k{i}@kunde.example", subject=f"W{i}") for i in range(3)]
    moment = now() + timedelta(days=8)
    reports: list[Any] = []
    threads = [threading.Thread(target=lambda: reports.append(run_job(moment))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.reminded for r in reports) == 3
    assert len(sent_mails()) == 3
    for t in tickets:
        reminders = [e for e in detail(api, t["id"])["events"] if e["type"] == "ReminderSent"]
        assert len(reminders) == 1


def test_dry_run_changes_nothing(aws: Any, api: ApiClient) -> None:
    t = waiting_ticket(aws, api)
    report = run_job(now() + timedelta(days=20), dry_run=True)
    assert [(a.number, a.step, a.result) for a in report.actions] == [(t["number"], "close", "planned")]
    assert detail(api, t["id"])["status"] == "waiting_customer"
    assert sent_mails() == []


def test_queue_policy_overrides_the_default_and_can_send_a_closing_mail(aws: Any, api: ApiClient) -> None:
    settings = api.get("/admin/settings", user="admin").json
    settings["autoclose"]["send_close_mail"] = True
    api.call("PUT", "/admin/settings", user="admin", body=settings)
    queue = api.get("/admin/queues/support", user="admin").json
    api.call("PUT", "/admin/queues/support", user="admin", body={**queue, "close_after_days": 3})
    t = waiting_ticket(aws, api)
    report = run_job(now() + timedelta(days=4))
    assert report.closed == 1 and report.reminded == 0  # closes before the global reminder would come
    (mail,) = sent_mails()
    assert mail["Subject"].startswith("Abgeschlossen:") and f"[#{t['number']}]" in mail["Subject"]


def test_a_missed_due_date_is_alerted_once_raises_priority_and_tells_the_assignee(aws: Any, api: ApiClient) -> None:
    created = ingest(aws, make_mail(subject="mit Frist", to="sales@example.com"))  # sales: no first-response target
    t = detail(api, created.ticket_id)
    due = now() + timedelta(days=2)
    api.call(
        "PATCH",
        f"/tickets/{t['id']}",
        user="admin",
        body={"version": t["version"], "due_at": due.isoformat(), "assignee": "agent"},
    )
    reset_sent()
    assert run_job(now() + timedelta(days=1)).escalated == 0
    report = run_job(now() + timedelta(days=3))
    assert report.escalated == 1
    (alert,) = sent_mails()
    assert [a.addr_spec for a in alert["To"].addresses] == ["agent@example.com"]
    assert alert["Auto-Submitted"] == "auto-generated"
    d = detail(api, t["id"])
    assert d["priority"] == "high"  # medium, raised once
    missed = next(e for e in d["events"] if e["type"] == "DeadlineMissed")
    assert [x["kind"] for x in missed["detail"]["deadlines"]] == ["due"]
    assert run_job(now() + timedelta(days=4)).escalated == 0  # once per breach
    api.call(
        "PATCH",
        f"/tickets/{t['id']}",
        user="admin",
        body={"version": d["version"], "due_at": (now() + timedelta(days=5)).isoformat()},
    )
    assert run_job(now() + timedelta(days=6)).escalated == 1  # a new due date is a new deadline


def test_a_deadline_alert_ses_refuses_for_now_is_sent_again_by_the_outbox_sweep(aws: Any, api: ApiClient) -> None:
    """The alert of a missed deadline went straight to SES: refused (throttled), it was lost (the deadline
    counts as alerted) and the exception stopped the job's run. Now it waits in the outbox like every
    notification mail; each recipient gets one mail of their own."""
    from unittest import mock

    from botocore.exceptions import ClientError

    from helpdesk.aws.ses import Mailer
    from helpdesk.bootstrap import autoclose_deps, config_store
    from helpdesk.domain.config import Queue
    from helpdesk.services.autoclose import sweep_outbox

    config_store().put("queue", Queue(id="sales", name="Vertrieb", responsible=["agent", "admin"]))
    first = ticket_due(
        aws, api, "Frist gedrosselt", now() + timedelta(days=1), to="sales@example.com", assignee="agent"
    )
    second = ticket_due(aws, api, "Frist danach", now() + timedelta(days=1, hours=1), to="sales@example.com")
    reset_sent()

    def refusing(code: str) -> Any:
        def send_raw(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
            raise ClientError({"Error": {"Code": code, "Message": "no"}}, "SendEmail")

        return mock.patch.object(Mailer, "send_raw", send_raw)

    at = now() + timedelta(days=2)
    with refusing("Throttling"):
        report = run_job(at)
    assert report.escalated == 2  # the refused alert did not stop the run: the second ticket was alerted too
    assert [a.ticket_id for a in report.actions] == [first["id"], second["id"]]
    assert sent_mails() == []
    assert sweep_outbox(autoclose_deps(), at=at).due == 0  # its pause is not over
    with refusing("Throttling"):
        again = sweep_outbox(autoclose_deps(), at=at + timedelta(minutes=10))
    assert (again.due, again.refused, again.sent) == (3, 3, 0)  # kept for the next pause
    done = sweep_outbox(autoclose_deps(), at=at + timedelta(hours=1))
    assert (done.due, done.sent) == (3, 3)
    mails = sent_mails()
    to = sorted((m["X-Helpdesk-Ticket"], *(a.addr_spec for a in m["To"].addresses)) for m in mails)
    # the assignee for the first; the second is unassigned: the queue's responsible agents, one mail each
    assert to == sorted(
        [
            (first["number"], "agent@example.com"),
            (second["number"], "agent@example.com"),
            (second["number"], "admin@example.com"),
        ]
    )
    assert all(m["Auto-Submitted"] == "auto-generated" and "überfällig" in m.get_content() for m in mails)
    assert sweep_outbox(autoclose_deps(), at=at + timedelta(days=1)).due == 0  # sent once
    assert run_job(at + timedelta(hours=2)).escalated == 0  # and alerted once


def test_a_deadline_soon_due_is_warned_of_once_before_it_passes(aws: Any, api: ApiClient) -> None:
    start = now()  # sales: no first-response target
    t = ticket_due(aws, api, "Frist naht", start + timedelta(hours=3), to="sales@example.com", assignee="agent")
    reset_sent()
    assert run_job(start + timedelta(minutes=90)).warned == 0  # 90 minutes before: not yet (the default: 60)
    report = run_job(start + timedelta(minutes=140))
    assert report.warned == 1 and report.escalated == 0
    assert [(a.ticket_id, a.step, a.result) for a in report.actions] == [(t["id"], "warn", "done")]
    d = detail(api, t["id"])
    (warning,) = [e for e in d["events"] if e["type"] == "DeadlineWarning"]
    assert warning["actor"] == "system" and [x["kind"] for x in warning["detail"]["deadlines"]] == ["due"]
    assert d["priority"] == "medium"  # a warning raises nothing
    assert sent_mails() == []  # the live fan-out tells the agent (tests/integration/test_notifications.py)
    # Once per deadline, also when runs overlap (the second finds it warned, or loses the version check).
    assert run_job(start + timedelta(minutes=150)).warned == 0
    assert run_job(start + timedelta(minutes=179)).warned == 0
    missed = run_job(start + timedelta(minutes=181))
    assert (missed.escalated, missed.warned) == (1, 0)
    events = [e["type"] for e in detail(api, t["id"])["events"]]
    assert events.count("DeadlineWarning") == 1 and events.count("DeadlineMissed") == 1


def test_overlapping_runs_warn_of_a_deadline_once(aws: Any, api: ApiClient) -> None:
    start = now()
    t = ticket_due(aws, api, "Zweimal gleichzeitig", start + timedelta(minutes=30), to="sales@example.com")
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import run

    barrier = threading.Barrier(2)
    results: list[int] = []

    def one() -> None:
        deps = autoclose_deps()
        barrier.wait()
        results.append(run(deps, at=start).warned)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]  # the loser found it warned, or lost the version check
    events = [e["type"] for e in detail(api, t["id"])["events"]]
    assert events.count("DeadlineWarning") == 1


def test_no_warning_when_it_is_switched_off_or_the_deadline_passed_unseen(aws: Any, api: ApiClient) -> None:
    start = now()
    ticket_due(aws, api, "Ohne Warnung", start + timedelta(minutes=30), to="sales@example.com")
    settings = api.get("/admin/settings", user="admin").json
    settings["autoclose"]["deadline_warning_minutes"] = 0
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    assert run_job(start + timedelta(minutes=10)).warned == 0
    settings["autoclose"]["deadline_warning_minutes"] = 60
    api.call("PUT", "/admin/settings", user="admin", body=settings)
    report = run_job(start + timedelta(minutes=45))  # first seen after it passed: the alert, no warning
    assert (report.warned, report.escalated) == (0, 1)


def test_a_missed_first_response_target_alerts_the_queue_until_someone_answers(aws: Any, api: ApiClient) -> None:
    first = ingest(aws, make_mail(subject="Support ohne Antwort"))  # queue support: first response within 8 h
    second = ingest(aws, make_mail(subject="Support mit Antwort", sender="b@kunde.example"))
    api.call("POST", f"/tickets/{second.ticket_id}/replies", user="agent", body={"body": "Wir sind dran."})
    reset_sent()
    report = run_job(now() + timedelta(hours=9))
    assert [(a.ticket_id, a.step) for a in report.actions] == [(first.ticket_id, "overdue")]
    assert report.actions[0].reason.startswith("response deadline")


def test_a_first_response_target_before_a_later_due_date_is_alerted_in_time(aws: Any, api: ApiClient) -> None:
    """The index holds a ticket's earliest deadline: it held the due date (sorted by name, 'due' before
    'response'), so an 8 h first-response target was alerted only when the due date in 5 days came."""
    t = ticket_due(aws, api, "Frist später, Antwort bald", now() + timedelta(days=5))  # support: 8 h target
    report = run_job(now() + timedelta(hours=9))
    assert report.escalated == 1
    missed = next(e for e in detail(api, t["id"])["events"] if e["type"] == "DeadlineMissed")
    assert [x["kind"] for x in missed["detail"]["deadlines"]] == ["response"]


def test_several_missed_deadlines_are_alerted_together(aws: Any, api: ApiClient) -> None:
    t = ticket_due(aws, api, "Frist und Erstreaktion", now() + timedelta(days=1))  # queue support: 8 h target
    report = run_job(now() + timedelta(days=2))
    assert report.escalated == 1
    missed = next(e for e in detail(api, t["id"])["events"] if e["type"] == "DeadlineMissed")
    assert sorted(x["kind"] for x in missed["detail"]["deadlines"]) == ["due", "response"]
    assert detail(api, t["id"])["priority"] == "high"  # raised once, not twice
    assert run_job(now() + timedelta(days=3)).escalated == 0


def test_the_job_stops_before_its_time_runs_out(aws: Any, api: ApiClient) -> None:
    waiting_ticket(aws, api)
    report = run_job(now() + timedelta(days=20), time_left=lambda: 5.0)
    assert report.stopped_early and report.closed == 0
