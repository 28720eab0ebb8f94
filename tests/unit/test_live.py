"""The live socket without AWS: frames, message shapes, presence rules, and who a fan-out reaches."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from helpdesk.aws.live import Delivery
from helpdesk.domain.config import Agent, ConfigSnapshot, Queue
from helpdesk.domain.live import (
    SUMMARY_FIELDS,
    FrameError,
    Ping,
    Presence,
    Subscribe,
    Viewer,
    collapse,
    parse_frame,
    subscribed_message,
    ticket_summary,
    typing_message,
)
from helpdesk.services import live
from helpdesk.store.live import INBOX, Subscriber, topic_of
from helpdesk_local.template import load_template
from tests.unit.settings_factory import settings_on_aws

TICKET = "01HZX5Q3J8W2V4K6M8N0P2R4T6"
SECRET = "01HZX5Q3J8W2V4K6M8N0P2R4T7"
NOW = 1_800_000_000.0


# --------------------------------------------------------------------------------------------- frames


def test_frames_parse_into_their_actions() -> None:
    assert parse_frame('{"action": "subscribe", "inbox": true, "ticket": "' + TICKET + '"}') == Subscribe(
        action="subscribe", inbox=True, ticket=TICKET
    )
    assert parse_frame('{"action": "subscribe", "inbox": false}') == Subscribe(action="subscribe", inbox=False)
    assert parse_frame(json.dumps({"action": "presence", "ticket": TICKET, "state": "typing"})) == Presence(
        action="presence", ticket=TICKET, state="typing"
    )
    assert parse_frame('{"action": "ping"}') == Ping(action="ping")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "bad_request"),
        ("not json", "bad_request"),
        ("[1]", "bad_request"),
        ('{"action": "sendmessage"}', "unknown_action"),
        ('{"no": "action"}', "unknown_action"),
        ('{"action": "subscribe", "ticket": "../../etc"}', "bad_request"),
        ('{"action": "subscribe", "inbox": "true"}', "bad_request"),  # strict: a boolean is true/false
        ('{"action": "presence", "ticket": "' + TICKET + '", "state": "sleeping"}', "bad_request"),
        ('{"action": "presence", "state": "viewing"}', "bad_request"),
        ('{"action": "ping", "extra": 1}', "bad_request"),
        ('{"action": "ping", "pad": "' + "x" * 5000 + '"}', "too_large"),
        # nested past json's recursion limit within 4 KB: a RecursionError, and the live function failed
        ('{"action": "subscribe", "ticket": ' + "[" * 1500 + "]" * 1500 + "}", "bad_request"),
    ],
)
def test_bad_frames_are_named(body: str, code: str) -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(body)
    assert caught.value.code == code


# ------------------------------------------------------------------------------------------- messages


def test_a_ticket_summary_carries_ids_and_state_never_content() -> None:
    item = {
        "number": "T-2026-000001",
        "status": "open",
        "queue": "support",
        "assignee": None,
        "priority": "high",
        "bucket": "active",
        "unread": True,
        "updated_at": "2026-05-01T10:00:00Z",
        "version": 3,
        "subject": "Mein Passwort lautet hunter2",
        "preview": "Hallo …",
        "customer_email": "kim@kunde.example",
    }
    summary = ticket_summary(TICKET, item)
    assert summary == {"id": TICKET, **{k: item[k] for k in SUMMARY_FIELDS}}
    assert not {"subject", "preview", "customer_email", "search"} & set(summary)


def test_presence_collapses_to_one_line_per_agent() -> None:
    viewers = [
        Viewer("anna", "Anna", "viewing", int(NOW) + 20, "c1"),
        Viewer("anna", "Anna", "typing", int(NOW) + 10, "c2"),  # her second tab is typing: typing wins
        Viewer("bert", "Bert", "viewing", int(NOW) - 1, "c3"),  # expired
        Viewer("carl", "Carl", "viewing", int(NOW) + 5, "c4"),
    ]
    now = collapse(viewers, NOW)
    assert [(v.user, v.state) for v in now] == [("anna", "typing"), ("carl", "viewing")]
    marker = typing_message(TICKET, now)
    assert marker["users"] == [{"user": "anna", "name": "Anna"}] and marker["expires_at"] == int(NOW) + 10
    assert typing_message(TICKET, [])["users"] == []


def test_subscribed_reports_the_current_presence_and_markers() -> None:
    anna = Viewer("anna", "Anna", "typing", int(NOW) + 30)
    reply = subscribed_message(True, TICKET, [anna], {SECRET: [anna]})
    assert reply["type"] == "subscribed" and reply["ticket"] == TICKET and reply["inbox"] is True
    assert reply["presence"] == [{"user": "anna", "name": "Anna", "state": "typing", "expires_at": int(NOW) + 30}]
    assert [m["ticket_id"] for m in reply["typing"]] == [SECRET]
    assert subscribed_message(False, None, [], {SECRET: [anna]})["typing"] == []


# --------------------------------------------------------------------------------------------- fan-out


def _image(**values: Any) -> dict[str, Any]:
    serializer = TypeSerializer()
    return {k: serializer.serialize(v) for k, v in values.items() if v is not None}


def ticket_record(ticket_id: str, queue: str, version: int = 2, private: bool = False, assignee: str | None = None):
    image = _image(
        pk=ticket_id,
        sk="TICKET",
        kind="ticket",
        number=f"T-2026-{ticket_id[-4:]}",
        subject="nie im Socket",
        status="open",
        bucket="active",
        queue=queue,
        queue_bucket=f"{queue}#active",
        priority="medium",
        private=private,
        assignee=assignee,
        unread=True,
        created_at="2026-05-01T09:00:00Z",
        updated_at="2026-05-01T10:00:00Z",
        version=version,
    )
    return {"eventName": "MODIFY", "dynamodb": {"NewImage": image}}


def event_record(ticket_id: str, type_: str = "MessageAdded", actor: str = "customer") -> dict[str, Any]:
    image = _image(
        pk=ticket_id,
        sk="EVT#2026-05-01T10:00:00Z#E1",
        kind="event",
        id="E1",
        type=type_,
        actor=actor,
        detail='{"text": "never sent"}',
        created_at="2026-05-01T10:00:00Z",
    )
    return {"eventName": "INSERT", "dynamodb": {"NewImage": image}}


@dataclass
class FakeStore:
    subs: dict[str, list[Subscriber]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)

    def subscribers(self, topic: str) -> list[Subscriber]:
        return list(self.subs.get(topic, []))

    def drop(self, connection_id: str) -> Any:
        self.dropped.append(connection_id)


@dataclass
class FakePoster:
    gone: set[str] = field(default_factory=set)
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)

    def post_many(self, messages: Sequence[tuple[str, bytes]]) -> Delivery:
        delivery = Delivery()
        for connection_id, data in messages:
            if connection_id in self.gone:
                delivery.gone.append(connection_id)
            else:
                self.posts.append((connection_id, json.loads(data)))
                delivery.sent += 1
        return delivery

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)


@dataclass
class FakeConfig:
    cfg: ConfigSnapshot

    def snapshot(self) -> ConfigSnapshot:
        return self.cfg


class NoTickets:
    def batch_tickets(self, ids: list[str]) -> dict[str, Any]:
        return {}


def sub(connection_id: str, user: str, *groups: str, exp: float = NOW + 3600) -> Subscriber:
    return Subscriber(connection_id, user, f"{user}@example.com", groups or ("agent",), int(exp))


def deps(store: FakeStore, poster: FakePoster, agents: list[Agent] | None = None) -> live.LiveDeps:
    cfg = ConfigSnapshot(
        queues=[Queue(id="support", name="Support"), Queue(id="vip", name="VIP", responsible=["anna"])],
        agents=agents or [],
    )
    return live.LiveDeps(
        store=store,  # type: ignore[arg-type]
        tickets=NoTickets(),  # type: ignore[arg-type]
        config=FakeConfig(cfg),  # type: ignore[arg-type]
        poster=poster,
        verify=lambda token: (_ for _ in ()).throw(AssertionError("no tokens in a fan-out")),
        clock=lambda: NOW,
    )


def test_a_restricted_queue_ticket_reaches_only_agents_with_access() -> None:
    store = FakeStore(
        {INBOX: [sub("c-anna", "anna"), sub("c-bert", "bert"), sub("c-admin", "root", "admin")]},
    )
    poster = FakePoster()
    report = live.fan_out(deps(store, poster), [ticket_record(TICKET, "vip"), event_record(TICKET)])
    assert sorted(cid for cid, _ in poster.posts) == ["c-admin", "c-anna"]
    assert report.denied == 1 and report.sent == 2
    message = poster.posts[0][1]
    assert message["type"] == "ticket" and message["ticket"]["id"] == TICKET and message["ticket"]["queue"] == "vip"
    event = {"id": "E1", "type": "MessageAdded", "actor": "customer", "at": "2026-05-01T10:00:00Z"}
    assert message["events"] == [event]
    assert "nie im Socket" not in json.dumps(poster.posts) and "never sent" not in json.dumps(poster.posts)


def test_private_tickets_reach_their_assignee_and_admins_only() -> None:
    store = FakeStore({INBOX: [sub("c-anna", "anna"), sub("c-bert", "bert"), sub("c-admin", "root", "admin")]})
    poster = FakePoster()
    live.fan_out(deps(store, poster), [ticket_record(TICKET, "support", private=True, assignee="bert")])
    assert sorted(cid for cid, _ in poster.posts) == ["c-admin", "c-bert"]


def test_one_message_per_socket_and_ticket_even_when_subscribed_twice() -> None:
    store = FakeStore(
        {INBOX: [sub("c-anna", "anna")], topic_of(TICKET): [sub("c-anna", "anna"), sub("c-carl", "carl")]}
    )
    poster = FakePoster()
    records = [ticket_record(TICKET, "support", version=2), ticket_record(TICKET, "support", version=3)]
    live.fan_out(deps(store, poster), [*records, event_record(TICKET)])
    assert sorted(cid for cid, _ in poster.posts) == ["c-anna", "c-carl"]
    assert {m["ticket"]["version"] for _, m in poster.posts} == {3}


def test_gone_sockets_are_dropped_and_expired_or_deactivated_ones_refused() -> None:
    store = FakeStore(
        {
            INBOX: [
                sub("c-gone", "anna"),
                sub("c-old", "carl", exp=NOW - 3600),
                sub("c-off", "dora"),
                sub("c-ok", "bert"),
            ]
        }
    )
    poster = FakePoster(gone={"c-gone"})
    agents = [Agent(username="dora", email="dora@example.com", active=False)]
    report = live.fan_out(deps(store, poster, agents), [ticket_record(TICKET, "support")])
    posted = {cid: m["type"] for cid, m in poster.posts}
    assert posted == {"c-ok": "ticket", "c-old": "error", "c-off": "error"}
    assert {m["code"] for _, m in poster.posts if m["type"] == "error"} == {"token_expired", "unauthorized"}
    assert sorted(store.dropped) == ["c-gone", "c-off", "c-old"]
    assert sorted(poster.closed) == ["c-off", "c-old"]
    assert report.gone == 1 and report.refused == 2


def test_an_admin_made_agent_loses_restricted_tickets_at_once() -> None:
    store = FakeStore({INBOX: [sub("c-root", "root", "admin")]})
    poster = FakePoster()
    agents = [Agent(username="root", email="root@example.com", role="agent")]
    live.fan_out(deps(store, poster, agents), [ticket_record(TICKET, "vip")])
    assert poster.posts == []


def test_records_that_are_not_ticket_changes_send_nothing() -> None:
    store = FakeStore({INBOX: [sub("c-anna", "anna")]})
    poster = FakePoster()
    other = {"eventName": "INSERT", "dynamodb": {"NewImage": _image(pk="x", sk="TAG#a", kind="tag")}}
    assert live.fan_out(deps(store, poster), [other, {"eventName": "REMOVE", "dynamodb": {}}]).messages == 0
    assert poster.posts == []


# ------------------------------------------------------------------------------------------- template


def test_the_template_declares_the_socket_and_least_privilege() -> None:
    resources = load_template()["Resources"]
    api = resources["LiveApi"]["Properties"]
    assert api["ProtocolType"] == "WEBSOCKET" and api["RouteSelectionExpression"] == "$request.body.action"
    routes = {r["Properties"]["RouteKey"] for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Route"}
    assert routes == {"$connect", "$disconnect", "$default", "subscribe", "presence", "ping"}
    for lid in ("LiveFunction", "LiveFanoutFunction"):
        statements = resources[lid]["Properties"]["Policies"][0]["Statement"]
        manage = [s for s in statements if "execute-api:ManageConnections" in s["Action"]]
        assert len(manage) == 1 and manage[0]["Action"] == ["execute-api:ManageConnections"], lid
        for arn in manage[0]["Resource"]:
            assert "${LiveApi}/${StageName}/" in arn["Fn::Sub"] and "@connections/*" in arn["Fn::Sub"], lid
        for statement in statements:
            assert statement["Resource"] != "*", lid
    stream = resources["LiveFanoutFunction"]["Properties"]["Events"]["Stream"]["Properties"]
    assert stream["Stream"] == {"Fn::GetAtt": ["TicketsTable", "StreamArn"]}
    assert stream["MaximumRecordAgeInSeconds"] == 60 and stream["FilterCriteria"]["Filters"]
    table = resources["LiveTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # No schedule and no polling: nothing runs for the live socket while nobody is connected.
    assert not resources["LiveFunction"]["Properties"].get("Events")


# ----------------------------------------------------------------------------------------- web client


def test_the_web_client_may_open_the_socket_and_learns_where(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from helpdesk.api.app import security_headers
    from helpdesk.aws.live import live_origins

    settings = settings_on_aws()
    monkeypatch.setenv("HELPDESK_LIVE_URL", "wss://abc123.execute-api.eu-west-1.amazonaws.com/v1")
    assert live_origins() == ["wss://abc123.execute-api.eu-west-1.amazonaws.com"]
    csp = security_headers(settings)("/", "text/html")["Content-Security-Policy"]
    connect_src = next(part for part in csp.split(";") if part.strip().startswith("connect-src"))
    assert "wss://abc123.execute-api.eu-west-1.amazonaws.com" in connect_src
    monkeypatch.setenv("HELPDESK_LIVE_URL", "")
    assert live_origins() == []
    assert "wss:" not in security_headers(replace(settings))("/", "text/html")["Content-Security-Policy"]
