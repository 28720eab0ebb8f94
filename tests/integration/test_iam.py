"""IAM proven offline: each function's role in the translated template allows every call its code makes, and
grants no more than that.

Every integration test already fails on a call its function's role refuses (tests/integration/conftest.py);
here one tour walks through the work of all six functions, so that a grant no call needs shows up too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from botocore.exceptions import ClientError

from helpdesk.aws.ses import Mailer
from helpdesk.domain.clock import now
from helpdesk_local.filters import stream_filter
from helpdesk_local.runners import LambdaContext, StreamPoller
from tests.iam import (
    Access,
    Grant,
    Recorder,
    accesses,
    all_grants,
    condition_holds,
    evaluate,
    local_resolver,
    role_grants,
)
from tests.sam import translated_template

from .api_client import ApiClient, login_tokens, make_api
from .helpers import ingest, make_mail, presigned_post, reset_sent, sent_mails
from .test_live import Gateway, Live, gateway  # noqa: F401  (gateway: the fixture, used by the tour)

# Grants the tour cannot use, each with the reason it stays.
SES_IDENTITIES = (
    "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/* if StringLike ses:FromAddress *@example.com"
)
USED_OUTSIDE_THE_TESTS = {
    "ApiFunction: secretsmanager:GetSecretValue on ${LinkSecret}": (
        "read once at a cold start on AWS (helpdesk.settings); locally and in tests HELPDESK_LINK_SECRET is set"
    ),
    "PublisherFunction: sqs:SendMessage on ${PublisherDLQ.Arn}": (
        "the stream's on-failure destination: Lambda's event source mapping sends there with the function's role"
    ),
    **{
        f"{function}: ses:SendEmail on {SES_IDENTITIES}": (
            "SESv2 SendEmail of a raw message is authorized as ses:SendRawEmail; AWS documents no case where it also "
            "checks ses:SendEmail, but a refused send fails a mail, so the action named like the call stays"
        )
        for function in (
            "IngestFunction",
            "ApiFunction",
            "AutocloseFunction",
            "LiveFanoutFunction",
            "PublisherFunction",
        )
    },
}


# ------------------------------------------------------------------------------------ the evaluator itself


def grant(action: str, resource: str, effect: str = "Allow", **condition: tuple[str, str]) -> Grant:
    return Grant(
        "ApiFunction",
        effect,
        action,
        resource,
        resource,
        tuple((op, key, (value,)) for op, (key, value) in condition.items()),
    )


def test_wildcards_match_actions_case_insensitively_and_resources_exactly() -> None:
    put = Access("s3:PutObject", "arn:aws:s3:::bucket/inbound-web/01abc")
    assert grant("s3:Put*", "arn:aws:s3:::bucket/inbound-web/*").matches(put)
    assert grant("S3:putobject", "arn:aws:s3:::bucket/*").matches(put)
    assert not grant("s3:PutObject", "arn:aws:s3:::bucket/inbound/*").matches(put)
    assert not grant("s3:PutObject", "arn:aws:s3:::Bucket/*").matches(put)
    assert grant("s3:PutObject", "arn:aws:s3:::bucket/inbound-???/*").matches(put)
    assert not grant("dynamodb:Query", "arn:aws:dynamodb:eu-central-1:1:table/t").matches(
        Access("dynamodb:Query", "arn:aws:dynamodb:eu-central-1:1:table/t/index/by_status")
    )


def test_conditions_are_evaluated_and_a_missing_key_fails() -> None:
    ses = grant("ses:SendEmail", "*", StringLike=("ses:FromAddress", "*@example.com"))
    assert ses.matches(Access("ses:SendEmail", "x", (("ses:FromAddress", "support@example.com"),)))
    assert not ses.matches(Access("ses:SendEmail", "x", (("ses:FromAddress", "support@evil.example"),)))
    assert not ses.matches(Access("ses:SendEmail", "x"))
    assert condition_holds({"StringEqualsIfExists": {"aws:SourceAccount": "1"}}, {})
    with pytest.raises(ValueError, match="NumericLessThan"):
        condition_holds({"NumericLessThan": {"k": "1"}}, {"k": "0"})


def test_an_explicit_deny_wins_and_nothing_allowed_is_denied() -> None:
    from tests.iam import Recorded

    call = Recorded("ApiFunction", "s3.GetObject", (Access("s3:GetObject", "arn:aws:s3:::b/inbound/x"),))
    allow = grant("s3:GetObject", "arn:aws:s3:::b/*")
    assert evaluate([call], {"ApiFunction": [allow]}).ok
    assert not evaluate([call], {"ApiFunction": [allow, grant("s3:*", "*", effect="Deny")]}).ok
    refused = evaluate([call], {"ApiFunction": []})
    assert "ApiFunction may not s3:GetObject on arn:aws:s3:::b/inbound/x" in refused.describe()


def test_calls_become_the_authorizations_aws_makes() -> None:
    transaction = {
        "TransactItems": [
            {"Put": {"TableName": "tickets"}},
            {"Update": {"TableName": "meta"}},
            {"Delete": {"TableName": "tickets"}},
            {"ConditionCheck": {"TableName": "meta"}},
        ]
    }
    assert [a.action for a in accesses("dynamodb", "TransactWriteItems", transaction)] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ]
    (query,) = accesses("dynamodb", "Query", {"TableName": "tickets", "IndexName": "by_status"})
    assert query.resource.endswith(":table/tickets/index/by_status")
    (head,) = accesses("s3", "HeadObject", {"Bucket": "b", "Key": "uploads/x"})
    assert head == Access("s3:GetObject", "arn:aws:s3:::b/uploads/x")
    (post,) = accesses("s3", "CreateBucket", {"Bucket": "b"}, presigned=True, post_key="uploads/t/1/f.pdf")
    assert post == Access("s3:PutObject", "arn:aws:s3:::b/uploads/t/1/f.pdf")
    raw = {"FromEmailAddress": "Support <support@example.com>", "Content": {"Raw": {"Data": b"..."}}}
    (send,) = accesses("sesv2", "SendEmail", raw)
    assert send.action == "ses:SendRawEmail" and send.resource.endswith(":identity/example.com")
    assert dict(send.context) == {"ses:FromAddress": "support@example.com"}
    assert accesses("cognito-identity-provider", "InitiateAuth", {"ClientId": "c"}) == []
    with pytest.raises(LookupError, match=r"extend tests/iam\.py"):
        accesses("lambda", "Invoke", {})


def test_the_call_stack_decides_whose_call_it_is() -> None:
    from tests.iam import function_of

    namespace: dict[str, Any] = {"__name__": "helpdesk.services.ingest"}
    exec("import sys\ndef inner():\n    return sys._getframe()", namespace)
    assert function_of(namespace["inner"]()) == "IngestFunction"
    outer: dict[str, Any] = {"__name__": "helpdesk.api.gateway", "inner": namespace["inner"]}
    exec("def outer():\n    return inner()", outer)
    assert function_of(outer["outer"]()) == "ApiFunction"  # the contact form's ingest is the API's call
    import sys

    assert function_of(sys._getframe()) is None  # test code is no function
    # an agent's change a test injects into the autoclose job (test code in between) is the API's
    injected: dict[str, Any] = {"__name__": "tests.integration.test_autoclose", "change": outer["outer"]}
    exec("def agent_acts_first():\n    return change()", injected)
    job: dict[str, Any] = {"__name__": "helpdesk.services.autoclose", "close": injected["agent_acts_first"]}
    exec("def run():\n    return close()", job)
    assert function_of(job["run"]()) == "ApiFunction"


# ----------------------------------------------------------------------------------------------- the tour


def api_tour(aws: Any, api: ApiClient) -> None:
    """What agents, admins and customers do through the API."""
    big = ingest(
        aws,
        make_mail(body="Sehr lang. " * 15_000, attachments=[("Rechnung.pdf", "application/pdf", b"%PDF-1.4 x")]),
    )
    assert big.ticket_id
    t = api.get(f"/tickets/{big.ticket_id}", user="agent").json  # download links (presigned GETs)
    message_id = t["messages"][0]["id"]
    assert api.get(f"/tickets/{t['id']}/messages/{message_id}/body", user="agent").status == 200  # from bodies/
    for query in ({}, {"status": "all"}, {"assignee": "me"}, {"tag": "x"}, {"q": t["number"]}, {"unread": "true"}):
        assert api.get("/tickets", user="agent", query=query).status == 200
    up = api.call(
        "POST",
        f"/tickets/{t['id']}/uploads",
        user="agent",
        body={"filename": "a.pdf", "content_type": "application/pdf", "size": 8},
    )
    presigned_post(up.json["url"], up.json["fields"], b"%PDF-1.4", "application/pdf")
    body = {"body": "Anbei.", "attachments": [up.json["key"]], "attach_original": True}
    assert api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body=body).status == 201
    assert api.call("POST", f"/tickets/{t['id']}/comments", user="agent", body={"body": "intern"}).status == 201
    current = api.get(f"/tickets/{t['id']}", user="agent").json
    patch = {"version": current["version"], "tags": ["eilig"], "priority": "high"}
    assert api.call("PATCH", f"/tickets/{t['id']}", user="agent", body=patch).status == 200
    assert api.get("/meta", user="agent").status == 200
    assert [x["id"] for x in api.get("/tickets", user="agent", query={"tag": "eilig"}).json["items"]] == [t["id"]]
    assert api.call("POST", f"/tickets/{t['id']}/read", user="agent").status in (200, 204)
    phone = api.call(
        "POST",
        "/tickets",
        user="agent",
        body={
            "subject": "Anruf",
            "body": "Rückruf",
            "channel": "phone",
            "customer": {"name": "Gabi", "address": "gabi@kunde.example"},
            "send_mail": True,
        },
    )
    assert phone.status == 201, phone.text
    second = api.get(f"/tickets/{phone.json['id']}", user="agent").json
    items = [{"id": second["id"], "version": second["version"]}]
    assert api.call("POST", "/tickets/batch", user="agent", body={"action": "mark_prio", "items": items}).status == 200
    second = api.get(f"/tickets/{phone.json['id']}", user="agent").json
    items = [{"id": second["id"], "version": second["version"]}]
    assign = {"action": "assignee", "value": "agent", "items": items}  # reads who is typing (the live table)
    assert api.call("POST", "/tickets/batch", user="agent", body=assign).json["ok"] == 1
    second = api.get(f"/tickets/{phone.json['id']}", user="agent").json
    child = {"version": second["version"], "parent_id": t["id"]}
    assert api.call("PATCH", f"/tickets/{second['id']}", user="agent", body=child).status == 200
    assert api.get(f"/tickets/{t['id']}", user="agent").json["related"]  # the child, read in one batch
    second = api.get(f"/tickets/{phone.json['id']}", user="agent").json
    first = api.get(f"/tickets/{t['id']}", user="agent").json
    merge = {"into": first["id"], "version": second["version"], "into_version": first["version"]}
    assert api.call("POST", f"/tickets/{second['id']}/merge", user="agent", body=merge).status == 200

    assert api.get("/customers", user="agent", query={"q": "ga"}).status == 200
    assert (
        api.call("POST", "/customers", user="agent", body={"email": "neu@kunde.example", "name": "Neu"}).status == 201
    )
    assert api.call("PATCH", "/customers/neu@kunde.example", user="agent", body={"company": "Neu AG"}).status == 200
    found = api.get("/customers", user="agent", query={"q": "neu ag"}).json["items"]  # the customer search
    assert [c["email"] for c in found] == ["neu@kunde.example"]
    assert api.get("/customers/gabi@kunde.example", user="agent").status == 200
    assert api.get("/stats", user="agent").status == 200
    assert api.get("/templates", user="agent").status == 200

    queue = {"id": "returns", "name": "Retouren"}
    assert api.call("POST", "/admin/queues", user="admin", body=queue).status == 201
    rule = {
        "id": "r1",
        "name": "r1",
        "conditions": [{"field": "subject", "op": "contains", "value": "x"}],
        "actions": {"queue": "returns"},
    }
    assert api.call("POST", "/admin/rules", user="admin", body=rule).status == 201
    assert api.call("DELETE", "/admin/rules/r1", user="admin").status == 200
    settings = api.get("/admin/settings", user="admin").json
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    agent = {"username": "lena", "email": "lena@example.com", "name": "Lena", "role": "agent", "queues": []}
    assert api.call("POST", "/admin/agents", user="admin", body=agent).status == 201
    assert api.call("PATCH", "/admin/agents/lena", user="admin", body={"role": "admin"}).status == 200
    assert api.call("PATCH", "/admin/agents/lena", user="admin", body={"active": False}).status == 200
    assert api.call("PATCH", "/admin/agents/lena", user="admin", body={"active": True}).status == 200

    reset_sent()
    answer = ingest(aws, make_mail(subject="Wo ist mein Paket?"))
    api.call("POST", f"/tickets/{answer.ticket_id}/replies", user="agent", body={"body": "Unterwegs."})
    token = sent_mails()[-1].get_body(preferencelist=("plain",)).get_content().split("/#/t/")[1].split()[0]
    assert api.get(f"/public/tickets/{token}").status == 200
    assert api.call("POST", f"/public/tickets/{token}/replies", body={"body": "Danke!"}).status == 201
    contact = {"name": "Otto", "email": "otto@kunde.example", "subject": "Frage", "body": "Blau?"}
    web = api.call("POST", "/public/contact", body=contact)
    assert web.status == 201
    found = api.get("/tickets", user="agent", query={"q": web.json["number"]}).json["items"][0]
    original = {"body": "Ja.", "attach_original": True}  # the contact form's message, from inbound-web/
    assert api.call("POST", f"/tickets/{found['id']}/replies", user="agent", body=original).status == 201
    notifications_tour(api, found["id"])


def notifications_tour(api: ApiClient, ticket_id: str) -> None:
    """The agent's bell and settings (the live fan-out, which writes the notifications, is not under the check)."""
    from helpdesk.store.notifications import Notification, NotificationStore

    store = NotificationStore()
    for n in range(2):
        at = f"2026-12-02T10:00:0{n}.000000Z"
        note = Notification("agent", f"{at}_01JTOUR00000000000000000{n}", "mentioned", "mentioned", ticket_id, "T-1")
        assert store.add(note)
    listed = api.get("/notifications", user="agent").json
    assert api.get("/notifications/unread", user="agent").json["unread"] == listed["unread"] == 2
    assert api.call("POST", f"/notifications/{listed['items'][0]['id']}/read", user="agent").status == 200
    assert api.call("POST", "/notifications/read-all", user="agent").json == {"marked": 1, "unread": 0}
    prefs = {"preferences": {"mentioned": {"app": True, "mail": False}}}
    assert api.call("PUT", "/notifications/preferences", user="agent", body=prefs).status == 200
    assert api.get("/notifications/preferences", user="agent").json["preferences"]["mentioned"]["mail"] is False


def ingest_tour(aws: Any, api: ApiClient) -> None:
    """Mail beyond the first of a thread: a customer's answer, and a number the counter lags behind."""
    from helpdesk.store.models import MetaItem
    from helpdesk.store.tickets import num_key

    first = ingest(aws, make_mail(subject="Lieferung falsch", sender="rita@kunde.example"))
    number = api.get(f"/tickets/{first.ticket_id}", user="agent").json["number"]
    answer = ingest(aws, make_mail(subject=f"Re: [#{number}] Lieferung falsch", sender="rita@kunde.example"))
    assert answer.outcome == "appended"
    prefix, _, seq = number.rpartition("-")
    taken = f"{prefix}-{int(seq) + 1:0{len(seq)}d}"  # as after restoring a backup: the next number exists
    MetaItem(*num_key(taken), ticket_id=first.ticket_id).save()
    skipped = ingest(aws, make_mail(subject="Neue Frage", sender="rita@kunde.example"))
    assert api.get(f"/tickets/{skipped.ticket_id}", user="agent").json["number"] not in (number, taken)


def throttled(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
    """SES's answer to a send over the rate (a mail refused for now: the outbox sweep sends it again)."""
    raise ClientError({"Error": {"Code": "Throttling", "Message": "Maximum sending rate exceeded."}}, "SendEmail")


def autoclose_tour(aws: Any, api: ApiClient) -> None:
    """A ticket waiting for the customer: reminded after a week, closed after two."""
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import run

    waiting = ingest(aws, make_mail(subject="Foto?", sender="waltraud@kunde.example"))
    assert (
        api.call("POST", f"/tickets/{waiting.ticket_id}/replies", user="agent", body={"body": "Foto bitte."}).status
        == 201
    )
    start = now()
    for days in (8, 15):
        with time_machine.travel(start + timedelta(days=days), tick=False):
            run(autoclose_deps())


def outbox_tour(aws: Any, api: ApiClient) -> None:
    """A reply SES throttled, with a file, sent again by the scheduled outbox sweep."""

    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import sweep_outbox

    t = ingest(aws, make_mail(subject="Gedrosselt", sender="gerda@kunde.example"))
    up = api.call(
        "POST",
        f"/tickets/{t.ticket_id}/uploads",
        user="agent",
        body={"filename": "b.pdf", "content_type": "application/pdf", "size": 8},
    )
    presigned_post(up.json["url"], up.json["fields"], b"%PDF-1.4", "application/pdf")
    with mock.patch.object(Mailer, "send_raw", throttled):
        body = {"body": "Anbei.", "attachments": [up.json["key"]]}
        assert api.call("POST", f"/tickets/{t.ticket_id}/replies", user="agent", body=body).status == 502
    assert sweep_outbox(autoclose_deps(), at=now() + timedelta(hours=1)).sent == 1


def feedback_tour(aws: Any, api: ApiClient) -> None:
    """SES reports a bounce of a mail we sent, through SNS."""
    from functions.feedback.app import handler
    from helpdesk.store.models import MessageItem
    from helpdesk_local.runners import LambdaContext

    from .test_outbound_durable import ses_event

    t = ingest(aws, make_mail(subject="Postfach weg", sender="weg@kunde.example"))
    (auto,) = [m for m in MessageItem.query(str(t.ticket_id)) if isinstance(m, MessageItem) and m.auto_reply]
    event = ses_event("Bounce", str(auto.ses_message_id), "weg@kunde.example")
    from functions.feedback.app import metrics

    try:
        assert handler(event, LambdaContext("helpdesk-feedback"))["bounced"] == 1
    finally:
        metrics.clear_metrics()  # Powertools' metric set is shared: leave none to another test


def automation_tour(aws: Any) -> None:
    """Triggers in the publisher: a change, a comment, a template mail, an event, a tag taken off; then fair
    assignment (the queue's pointer, who is online)."""
    import functions.publisher.app as publisher
    from helpdesk.bootstrap import automation_deps, config_store
    from helpdesk.domain.config import Action, Template, TicketCondition, Trigger

    automation_deps.cache_clear()
    store = config_store()
    support = store.snapshot().queue("support")
    assert support is not None
    store.put("queue", support.model_copy(update={"assignment": "least_open", "assign_only_present": True}))
    store.put("template", Template(id="tour-danke", name="Danke", body="Danke, {NAME}."))
    store.put(
        "trigger",
        Trigger(
            id="tour",
            name="Tour",
            event="ticket_created",
            conditions=[TicketCondition(field="subject", op="contains", value="Automatik-Tour")],
            actions=[
                Action(kind="set_priority", value="high"),
                Action(kind="add_tag", value="tour"),
                Action(kind="add_comment", value="Automatisch."),
                Action(kind="send_template", value="tour-danke"),
                Action(kind="publish", value="Tour"),
            ],
        ),
    )
    store.put(
        "trigger",
        Trigger(
            id="tour-2", name="Tour 2", event="customer_replied", actions=[Action(kind="remove_tag", value="tour")]
        ),
    )
    poller = StreamPoller(aws.client("dynamodbstreams"), aws.resources.stream_arns["TicketsTable"])
    poller.add(publisher.handler, "helpdesk-publisher", keep=stream_filter("PublisherFunction"))
    try:
        first = ingest(aws, make_mail(subject="Automatik-Tour", sender="tour@kunde.example"))
        while poller.step():
            pass
        ingest(aws, make_mail(subject=f"Re: [#{first.number}] Automatik-Tour", sender="tour@kunde.example"))
        while poller.step():
            pass
    finally:
        publisher.metrics.clear_metrics()
        for trigger in ("tour", "tour-2"):
            store.delete("trigger", trigger)
        store.delete("template", "tour-danke")
        store.put("queue", support)


def timed_tour(aws: Any) -> None:
    """A time trigger run by the scheduled job: the publisher sets the ticket's next look, the job publishes."""
    import functions.publisher.app as publisher
    from helpdesk.bootstrap import autoclose_deps, automation_deps, config_store
    from helpdesk.domain.config import Action, Trigger
    from helpdesk.domain.status import Status
    from helpdesk.services.autoclose import run

    automation_deps.cache_clear()
    autoclose_deps.cache_clear()
    store = config_store()
    publish = Action(kind="publish", value="Liegt")
    store.put(
        "trigger",
        Trigger(id="tour-zeit", name="Zeit", event="in_status", status=Status.NEW, hours=1, actions=[publish]),
    )
    poller = StreamPoller(aws.client("dynamodbstreams"), aws.resources.stream_arns["TicketsTable"])
    poller.add(publisher.handler, "helpdesk-publisher", keep=stream_filter("PublisherFunction"))
    try:
        ingest(aws, make_mail(subject="Zeit-Tour", sender="zeit@kunde.example"))
        while poller.step():
            pass
        later = now() + timedelta(hours=2)
        with time_machine.travel(later, tick=False):
            assert run(autoclose_deps(), at=later).triggers_fired >= 1
    finally:
        publisher.metrics.clear_metrics()
        store.delete("trigger", "tour-zeit")


def publisher_tour(aws: Any) -> None:
    """The tickets table's stream through the publisher, as the event source mapping delivers it."""
    import functions.publisher.app as publisher
    from helpdesk_local.runners import StreamPoller

    stream = aws.resources.stream_arns["TicketsTable"]
    poller = StreamPoller(aws.client("dynamodbstreams"), stream, publisher.handler, "helpdesk-publisher")
    try:
        while poller.step():
            pass
    finally:
        publisher.metrics.clear_metrics()  # Powertools' metric set is shared: leave none to another test


def search_tour(api: ApiClient) -> None:
    """Full-text search once the publisher has indexed the tour's tickets: two words (postings of the second
    word are read with the tickets, in one BatchGetItem)."""
    listed = api.get("/tickets", user="admin", query={"status": "all"}).json["items"]
    subjects = [t["subject"] for t in listed if not t["merged_into"]]
    subject = next(s for s in subjects if len([w for w in s.split() if len(w) > 3]) >= 2)
    found = api.get("/tickets", user="admin", query={"q": subject, "status": "all"}).json["items"]
    assert subject in [t["subject"] for t in found]


def privacy_world(aws: Any, api: ApiClient, address: str) -> None:
    """A customer with what erasing them touches: raw mail, attachment, reply upload, a contact-form
    message, and a long body (in S3) of someone else's mail that names them."""
    name = f"Person {address.split('@')[0]}"
    own = ingest(
        aws,
        make_mail(
            sender=f"{name} <{address}>", body="lang " * 40_000, attachments=[("a.pdf", "application/pdf", b"%PDF")]
        ),
    )
    up = api.call(
        "POST",
        f"/tickets/{own.ticket_id}/uploads",
        user="admin",
        body={"filename": "b.pdf", "content_type": "application/pdf", "size": 4},
    )
    presigned_post(up.json["url"], up.json["fields"], b"%PDF", "application/pdf")  # never sent: still in uploads/
    ingest(aws, make_mail(sender="ute@andere.example", cc=address, body=f"{name} weiß es. " + "lang " * 40_000))
    view = {"name": "Ihre Tickets", "query": {"customer": address}}  # configuration naming them: redacted
    assert api.call("POST", "/views", user="agent", body=view).status == 201
    contact = {"name": name, "email": address, "subject": "Frage", "body": "Blau?"}
    assert api.call("POST", "/public/contact", body=contact).status == 201


def privacy_tour(aws: Any, api: ApiClient) -> None:
    """Erasing customers (through the API, and a job the scheduled function finishes); the Papierkorb."""
    import functions.autoclose.app as autoclose
    from helpdesk.bootstrap import mail_store
    from helpdesk.domain.privacy import ErasureMode, SharedTickets
    from helpdesk.services.data_export import start_export
    from helpdesk.services.privacy import start_erasure
    from helpdesk_local.runners import LambdaContext

    privacy_world(aws, api, "erna@kunde.example")
    assert api.get("/admin/privacy/customers/erna@kunde.example", user="admin").status == 200
    exported = api.call("POST", "/admin/privacy/customers/erna@kunde.example/export", user="admin")
    assert exported.status == 202 and exported.json["state"] == "done", exported.text
    assert api.get(f"/admin/privacy/exports/{exported.json['id']}", user="admin").json["download_url"]
    assert api.call("POST", f"/admin/privacy/exports/{exported.json['id']}/run", user="admin").status == 200
    erased = api.call(
        "POST",
        "/admin/privacy/customers/erna@kunde.example/erase",
        user="admin",
        body={"confirm": "erna@kunde.example"},
    )
    assert erased.status == 202 and erased.json["state"] == "done", erased.text
    assert api.get("/admin/privacy/jobs", user="admin").status == 200
    assert api.get(f"/admin/privacy/jobs/{erased.json['id']}", user="admin").status == 200
    assert api.get("/admin/audit", user="admin").status == 200

    privacy_world(aws, api, "fritz@kunde.example")
    export = start_export("fritz@kunde.example", mail_store(), actor="admin", time_left=lambda: 0.0)
    assert export.state == "running"  # the scheduled function builds it, then its erasure deletes it
    job = start_erasure(  # the request ran out of time at once: the scheduled function does it all
        "fritz@kunde.example",
        mail_store(),
        mode=ErasureMode.DELETE,
        shared=SharedTickets.DELETE,
        actor="admin",
        time_left=lambda: 0.0,
    )
    assert job.state == "running"
    trash = ingest(aws, make_mail(subject="Werbung", sender="spam@werbung.example"))
    current = api.get(f"/tickets/{trash.ticket_id}", user="admin").json
    moved = api.call(
        "PATCH", f"/tickets/{trash.ticket_id}", user="admin", body={"version": current["version"], "status": "trash"}
    )
    assert moved.status == 200
    settings = {**api.get("/admin/settings", user="admin").json, "trash_retention_days": 1}
    assert api.call("PUT", "/admin/settings", user="admin", body=settings).status == 200
    with time_machine.travel(now() + timedelta(days=3), tick=False):
        result = autoclose.handler({}, LambdaContext("helpdesk-autoclose"))
    assert (result["exports_done"], result["erasure_jobs_done"], result["trash_deleted"]) == (1, 1, 1), result
    gone = ingest(aws, make_mail(subject="Werbung 2", sender="spam@werbung.example"))
    current = api.get(f"/tickets/{gone.ticket_id}", user="admin").json
    api.call(
        "PATCH", f"/tickets/{gone.ticket_id}", user="admin", body={"version": current["version"], "status": "trash"}
    )
    assert api.call("DELETE", f"/tickets/{gone.ticket_id}", user="admin").status == 200


def live_tour(aws: Any, api: ApiClient, gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """The live socket's two functions: connect, subscribe, presence (posted to the other socket), a socket
    whose token has ended (closed by the next post), a change fanned out, an event record without its
    ticket (read back), a gone socket, disconnect."""
    from functions.live.app import fanout
    from helpdesk.aws import clients
    from helpdesk.bootstrap import live_deps
    from helpdesk.store.live import table_name

    monkeypatch.setenv("HELPDESK_LIVE_ENDPOINT", gateway.endpoint)
    live_deps.cache_clear()
    poller = StreamPoller(aws.client("dynamodbstreams"), aws.resources.stream_arns["TicketsTable"])
    poller.add(fanout, "helpdesk-live-fanout", keep=stream_filter("LiveFanoutFunction"))
    live = Live(aws, gateway, login_tokens(aws), poller)
    live.pump()
    ticket = str(ingest(aws, make_mail(subject="Live-Rundgang", sender="live@kunde.example")).ticket_id)
    agent, later = live.session("agent", ticket), live.session("agent", ticket)
    admin = live.session("admin", ticket)
    ddb = clients.dynamodb()

    def token_ended(connection_id: str) -> None:  # the next post to the socket closes it
        for item in ddb.scan(TableName=table_name())["Items"]:
            if connection_id in (item["pk"]["S"].removeprefix("C#"), item["sk"]["S"]):
                ddb.put_item(TableName=table_name(), Item={**item, "token_exp": {"N": "1"}})

    token_ended(agent)
    assert live.send(admin, {"action": "presence", "ticket": ticket, "state": "typing"})["type"] != "error"
    assert agent in gateway.closed  # by the live function, posting the presence
    live.disconnect(live.session("admin"))  # an inbox with a typing marker: the marked tickets read back
    assert live.send(admin, {"action": "presence", "ticket": ticket, "state": "viewing"})["type"] != "error"
    token_ended(later)
    version = api.get(f"/tickets/{ticket}", user="admin").json["version"]
    body = {"version": version, "priority": "high"}
    assert api.call("PATCH", f"/tickets/{ticket}", user="admin", body=body).status == 200
    # a notification in the app and by mail (the agent chose no mail for mentions in the API tour: the admin);
    # SES throttles the mail: kept in the outbox, refused again by the sweep, then sent
    from helpdesk.bootstrap import autoclose_deps
    from helpdesk.services.autoclose import sweep_outbox

    mention = {"body": "@admin bitte ansehen", "mentions": ["admin"]}
    with mock.patch.object(Mailer, "send_raw", throttled):
        assert api.call("POST", f"/tickets/{ticket}/comments", user="agent", body=mention).status == 201
        live.pump()
        assert sweep_outbox(autoclose_deps(), at=now() + timedelta(minutes=6)).refused == 1
    again = {"body": "@admin und noch eins", "mentions": ["admin"]}  # this one SES takes at once
    assert api.call("POST", f"/tickets/{ticket}/comments", user="agent", body=again).status == 201
    live.pump()
    assert sweep_outbox(autoclose_deps(), at=now() + timedelta(hours=1)).sent == 1
    assert gateway.received(admin, "ticket") and later in gateway.closed  # by the fan-out
    event = {"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "event"}, "pk": {"S": ticket}}}}
    gateway.gone.add(admin)
    fanout({"Records": [event]}, LambdaContext("helpdesk-live-fanout"))
    live_deps.cache_clear()


def test_every_function_works_within_its_role_and_every_grant_is_needed(
    aws: Any,
    iam_recorder: Recorder,
    gateway: Gateway,  # noqa: F811  (the fixture imported from test_live)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import helpdesk.api.privacy

    monkeypatch.setattr(helpdesk.api.privacy, "REQUEST_BUDGET_SECONDS", 3600.0)  # the erasure, whatever the load
    api = make_api(aws)
    iam_recorder.take()
    api_tour(aws, api)
    ingest_tour(aws, api)
    autoclose_tour(aws, api)
    outbox_tour(aws, api)
    feedback_tour(aws, api)
    privacy_tour(aws, api)
    automation_tour(aws)
    timed_tour(aws)
    publisher_tour(aws)
    search_tour(api)
    live_tour(aws, api, gateway, monkeypatch)
    calls = iam_recorder.seen()  # left for the per-test check: the run's summary counts the tour's grants too
    assert {c.function for c in calls} == {
        "IngestFunction",
        "ApiFunction",
        "AutocloseFunction",
        "PublisherFunction",
        "FeedbackFunction",
        "LiveFunction",
        "LiveFanoutFunction",
    }

    translated = translated_template()
    grants = role_grants(translated, local_resolver(translated, aws.resources))
    report = evaluate(calls, grants)
    unused = all_grants(grants) - report.used
    expected = set(USED_OUTSIDE_THE_TESTS)
    problems = [report.describe()] if not report.ok else []
    if unused - expected:
        problems.append(
            "grants no call used (remove them, or say why they stay):\n" + "\n".join(sorted(unused - expected))
        )
    if expected - unused:
        problems.append(
            "said to be used outside the tests, but used here or gone:\n" + "\n".join(sorted(expected - unused))
        )
    assert not problems, "\n\n".join(problems)
