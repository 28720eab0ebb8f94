"""The live socket on moto: the Lambda handlers with API Gateway's WebSocket events, the tickets stream
feeding the fan-out, boto3's management API client posting to a recording stand-in of API Gateway.

The socket part of the authorization matrix lives here: who may connect, what each socket hears.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from helpdesk_local.filters import stream_filter
from helpdesk_local.live_server import new_connection_id, socket_event
from helpdesk_local.runners import LambdaContext, StreamPoller

from .api_client import login_tokens
from .helpers import ingest, make_mail


@dataclass
class Gateway:
    """API Gateway's connections API as the Lambdas see it: records posts, 410 for gone sockets."""

    server: ThreadingHTTPServer
    posts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    closed: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def received(self, connection_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            found = list(self.posts.get(connection_id, []))
        return [m for m in found if kind is None or m["type"] == kind]


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state: dict[str, Gateway] = {}

    class Handler(BaseHTTPRequestHandler):
        def _id(self) -> str:
            return unquote(self.path.split("/@connections/", 1)[1])

        def _send(self, status: int, gone: bool = False) -> None:
            body = json.dumps({"message": "gone"}).encode() if gone else b""
            self.send_response(status)
            if gone:
                self.send_header("x-amzn-ErrorType", "GoneException")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            gw, connection_id = state["gw"], self._id()
            if connection_id in gw.gone:
                return self._send(410, gone=True)
            with gw.lock:
                gw.posts.setdefault(connection_id, []).append(json.loads(data))
            return self._send(200)

        def do_DELETE(self) -> None:
            state["gw"].closed.append(self._id())
            self._send(204)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    gw = state["gw"] = Gateway(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield gw
    server.shutdown()
    server.server_close()


@dataclass
class Live:
    aws: Any
    gateway: Gateway
    tokens: dict[str, str]
    poller: StreamPoller

    def handler(self, event: dict[str, Any]) -> dict[str, Any]:
        from functions.live.app import handler

        result: dict[str, Any] = handler(event, LambdaContext("helpdesk-live"))  # type: ignore[arg-type]
        return result

    def connect(self, token: str | None, query: dict[str, list[str]] | None = None) -> tuple[str, int, str]:
        connection_id = new_connection_id()
        params = query if query is not None else ({"token": [token]} if token is not None else {})
        event = socket_event(
            "CONNECT", "$connect", connection_id, connected_at=int(time.time() * 1000), domain="live.test", query=params
        )
        result = self.handler(event)
        return connection_id, int(result["statusCode"]), str(result.get("body") or "")

    def send(self, connection_id: str, frame: dict[str, Any] | str) -> dict[str, Any]:
        body = frame if isinstance(frame, str) else json.dumps(frame)
        route = frame.get("action", "$default") if isinstance(frame, dict) else "$default"
        event = socket_event("MESSAGE", str(route), connection_id, connected_at=0, domain="live.test", body=body)
        result = self.handler(event)
        assert result["statusCode"] == 200
        answer: dict[str, Any] = json.loads(result["body"])
        return answer

    def disconnect(self, connection_id: str) -> None:
        event = socket_event("DISCONNECT", "$disconnect", connection_id, connected_at=0, domain="live.test")
        assert self.handler(event)["statusCode"] == 200

    def session(self, user: str, ticket: str | None = None) -> str:
        connection_id, status, body = self.connect(self.tokens[user])
        assert status == 200, body
        answer = self.send(connection_id, {"action": "subscribe", "inbox": True, "ticket": ticket})
        assert answer["type"] == "subscribed", answer
        return connection_id

    def pump(self) -> None:
        """Run the stream through the fan-out (as the event source mapping does) until it is drained."""
        while self.poller.step():
            pass


@pytest.fixture
def live(aws: Any, gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Live:
    monkeypatch.setenv("HELPDESK_LIVE_ENDPOINT", gateway.endpoint)
    from functions.live.app import fanout
    from helpdesk.bootstrap import live_deps

    live_deps.cache_clear()
    tokens = login_tokens(aws)
    streams = aws.client("dynamodbstreams")
    poller = StreamPoller(streams, aws.resources.stream_arns["TicketsTable"])
    poller.add(fanout, "helpdesk-live-fanout", keep=stream_filter("LiveFanoutFunction"))
    result = Live(aws, gateway, tokens, poller)
    result.pump()  # nothing from before the sockets opened
    return result


def forged_token(real: str) -> str:
    """The same claims, signed with a key that is not the user pool's."""
    claims = jwt.decode(real, options={"verify_signature": False})
    header = jwt.get_unverified_header(real)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header["kid"]})


# ------------------------------------------------------------------------------------------- connect


def test_connect_needs_a_valid_id_token(live: Live) -> None:
    from helpdesk.store.live import LiveStore

    for token, query in ((None, {}), ("", None), ("not-a-jwt", None), (forged_token(live.tokens["agent"]), None)):
        connection_id, status, body = live.connect(token, query)
        assert status == 401, (token, body)
        assert json.loads(body)["error"] == "unauthorized"
        assert LiveStore().connection(connection_id) is None
    connection_id, status, _ = live.connect(live.tokens["agent"])
    assert status == 200
    stored = LiveStore().connection(connection_id)
    assert stored is not None and stored.user == "agent" and stored.name == "Tom Agent"


def test_a_deactivated_agent_is_refused_and_loses_an_open_socket(live: Live) -> None:
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import Agent

    open_socket = live.session("agent")
    config_store().put("agent", Agent(username="agent", email="agent@example.com", name="Tom Agent", active=False))
    _, status, body = live.connect(live.tokens["agent"])
    assert status == 401 and "deactivated" in body
    assert live.send(open_socket, {"action": "ping"})["code"] == "unauthorized"
    ingest(live.aws, make_mail(subject="Nach der Sperre"))
    live.pump()
    assert not live.gateway.received(open_socket, "ticket")
    assert live.gateway.received(open_socket, "error")[0]["code"] == "unauthorized"
    assert open_socket in live.gateway.closed


# ------------------------------------------------------------------------------------------- frames


def test_frames_are_answered_and_bad_ones_named(live: Live) -> None:
    connection_id = live.session("agent")
    assert live.send(connection_id, {"action": "ping"})["type"] == "pong"
    assert live.send(connection_id, "{")["code"] == "bad_request"
    assert live.send(connection_id, {"action": "shout"})["code"] == "unknown_action"
    unknown = "01HZX5Q3J8W2V4K6M8N0P2R4T6"
    assert live.send(connection_id, {"action": "subscribe", "ticket": unknown})["code"] == "not_found"
    assert live.send(connection_id, {"action": "presence", "ticket": unknown, "state": "viewing"})["code"] == (
        "not_subscribed"
    )


def test_subscribing_to_a_ticket_checks_access(live: Live) -> None:
    restricted = ingest(live.aws, make_mail(subject="Rechnung 4711 falsch", sender="kim@kunde.example"))
    agent = live.session("agent")
    # a ticket the agent may not see is answered like one that does not exist
    assert live.send(agent, {"action": "subscribe", "ticket": restricted.ticket_id})["code"] == "not_found"
    admin = live.session("admin")
    answer = live.send(admin, {"action": "subscribe", "inbox": True, "ticket": restricted.ticket_id})
    assert answer["type"] == "subscribed" and answer["ticket"] == restricted.ticket_id


# ------------------------------------------------------------------------------------------- fan-out


def test_ticket_changes_reach_only_sockets_that_may_see_them(live: Live) -> None:
    admin, agent = live.session("admin"), live.session("agent")
    open_ticket = ingest(live.aws, make_mail(subject="Lieferung fehlt", sender="jo@kunde.example"))
    restricted = ingest(live.aws, make_mail(subject="Rechnung doppelt bezahlt", sender="kim@kunde.example"))
    live.pump()

    def tickets(connection_id: str) -> set[str]:
        return {m["ticket"]["id"] for m in live.gateway.received(connection_id, "ticket")}

    assert tickets(admin) == {open_ticket.ticket_id, restricted.ticket_id}
    assert tickets(agent) == {open_ticket.ticket_id}  # billing is the admin's queue only
    created = live.gateway.received(agent, "ticket")[0]
    assert created["ticket"]["queue"] == "support" and "unread" not in created["ticket"]  # per agent: `read`
    assert {e["type"] for e in created["events"]} >= {"TicketCreated", "MessageAdded"}
    everything = json.dumps(live.gateway.posts)
    assert "Lieferung fehlt" not in everything and "Rechnung" not in everything  # never subjects
    assert "jo@kunde.example" not in everything

    # A follow-up in the restricted ticket (threaded by its number): again only the admin hears of it.
    before = len(live.gateway.received(admin, "ticket"))
    number = live.gateway.received(admin, "ticket")[-1]["ticket"]["number"]
    ingest(live.aws, make_mail(subject=f"AW: Rechnung doppelt bezahlt [#{number}]", sender="kim@kunde.example"))
    live.pump()
    assert len(live.gateway.received(admin, "ticket")) > before
    assert tickets(agent) == {open_ticket.ticket_id}


def test_a_searching_inbox_hears_when_a_ticket_it_may_see_was_indexed(live: Live) -> None:
    """A search-filtered inbox (``#/inbox?q=…``) missed a new matching ticket: its ``ticket`` message comes
    before the publisher has indexed the ticket, so the search re-read found nothing. The search table's
    stream (its manifest items) now tells the searching inbox sockets, after the index changed."""
    from functions.live.app import fanout
    from helpdesk.services.search import index_tickets
    from helpdesk.store.live import LiveStore

    def searching(user: str) -> str:
        connection_id, status, body = live.connect(live.tokens[user])
        assert status == 200, body
        answer = live.send(connection_id, {"action": "subscribe", "inbox": True, "ticket": None, "search": True})
        assert answer["type"] == "subscribed" and answer["search"] is True, answer
        return connection_id

    agent, admin, plain = searching("agent"), searching("admin"), live.session("agent")
    index = StreamPoller(live.aws.client("dynamodbstreams"), live.aws.resources.stream_arns["SearchTable"])
    index.add(fanout, "helpdesk-live-fanout", keep=stream_filter("LiveFanoutFunction", "Indexed"))
    while index.step():  # what is there from before
        pass
    open_ticket = ingest(live.aws, make_mail(subject="Lieferung fehlt", sender="jo@kunde.example"))
    restricted = ingest(live.aws, make_mail(subject="Rechnung doppelt bezahlt", sender="kim@kunde.example"))
    live.pump()
    assert not live.gateway.received(agent, "indexed")  # the ticket messages came; the index had not changed yet
    index_tickets([open_ticket.ticket_id, restricted.ticket_id])  # the publisher's part
    while index.step():
        pass

    def indexed(connection_id: str) -> set[str]:
        # (a new ticket's manifest is written before its postings and after them: one message each, or
        # one when both are in one stream batch; the last comes after the postings)
        return {m["ticket_id"] for m in live.gateway.received(connection_id, "indexed")}

    assert indexed(agent) == {open_ticket.ticket_id}  # billing is the admin's queue only
    assert indexed(admin) == {open_ticket.ticket_id, restricted.ticket_id}
    assert indexed(plain) == set()  # no search shown: nothing to re-read
    assert "Lieferung" not in json.dumps(live.gateway.received(agent, "indexed"))

    # The search cleared: the socket leaves the search partition; closing it forgets it there too.
    assert live.send(agent, {"action": "subscribe", "inbox": True, "ticket": None})["search"] is False
    live.disconnect(admin)
    assert LiveStore().subscribers("search") == []


def test_a_gone_socket_is_removed(live: Live) -> None:
    from helpdesk.store.live import INBOX, LiveStore

    gone, stays = live.session("agent"), live.session("agent")
    live.gateway.gone.add(gone)
    ingest(live.aws, make_mail(subject="Nach dem Schließen des Tabs"))
    live.pump()
    store = LiveStore()
    assert store.connection(gone) is None
    assert gone not in {s.connection_id for s in store.subscribers(INBOX)}
    assert store.connection(stays) is not None and live.gateway.received(stays, "ticket")


def test_an_open_ticket_hears_changes_by_others(live: Live) -> None:
    from .api_client import make_api

    ticket = ingest(live.aws, make_mail(subject="Passwort vergessen"))
    viewer = live.connect(live.tokens["agent"])[0]
    answer = live.send(viewer, {"action": "subscribe", "inbox": False, "ticket": ticket.ticket_id})
    assert answer["inbox"] is False
    live.pump()
    api = make_api(live.aws)
    current = api.get(f"/tickets/{ticket.ticket_id}", user="admin").json
    changed = api.call(
        "PATCH", f"/tickets/{ticket.ticket_id}", user="admin", body={"version": current["version"], "priority": "high"}
    )
    assert changed.status == 200, changed.text
    live.pump()
    changes = live.gateway.received(viewer, "ticket")
    assert changes and changes[-1]["ticket"]["priority"] == "high"
    assert changes[-1]["ticket"]["version"] == changed.json["version"]
    assert {e["actor"] for e in changes[-1]["events"]} == {"admin"}


# ------------------------------------------------------------------------------------------- presence


def test_presence_is_announced_expires_and_never_touches_the_ticket(live: Live) -> None:
    from helpdesk.store.tickets import TicketStore

    ticket = ingest(live.aws, make_mail(subject="Drucker defekt"))
    version = TicketStore().get(ticket.ticket_id).version  # type: ignore[union-attr]
    anna = live.session("admin", ticket.ticket_id)
    tom = live.session("agent", ticket.ticket_id)
    inbox_only = live.session("agent")

    answer = live.send(anna, {"action": "presence", "ticket": ticket.ticket_id, "state": "viewing"})
    assert [(v["user"], v["state"]) for v in answer["viewers"]] == [("admin", "viewing")]
    seen = live.gateway.received(tom, "presence")
    assert seen[-1]["viewers"][0]["name"] == "Anna Admin" and seen[-1]["viewers"][0]["state"] == "viewing"
    assert not live.gateway.received(inbox_only, "typing")  # viewing is not news for the inbox

    live.send(anna, {"action": "presence", "ticket": ticket.ticket_id, "state": "typing"})
    assert live.gateway.received(tom, "presence")[-1]["viewers"][0]["state"] == "typing"
    marker = live.gateway.received(inbox_only, "typing")[-1]
    assert marker["ticket_id"] == ticket.ticket_id and marker["users"] == [{"user": "admin", "name": "Anna Admin"}]

    # A heartbeat with the same state within 10 s is not written again, nor sent.
    count = len(live.gateway.received(tom))
    live.send(anna, {"action": "presence", "ticket": ticket.ticket_id, "state": "typing"})
    assert len(live.gateway.received(tom)) == count

    # Tom subscribing now sees Anna typing at once, in his answer.
    again = live.send(tom, {"action": "subscribe", "inbox": True, "ticket": ticket.ticket_id})
    assert [(v["user"], v["state"]) for v in again["presence"]] == [("admin", "typing")]
    assert [m["ticket_id"] for m in again["typing"]] == [ticket.ticket_id]

    live.send(anna, {"action": "presence", "ticket": ticket.ticket_id, "state": "left"})
    assert live.gateway.received(tom, "presence")[-1]["viewers"] == []
    assert live.gateway.received(inbox_only, "typing")[-1]["users"] == []
    assert TicketStore().get(ticket.ticket_id).version == version  # type: ignore[union-attr]


def test_presence_of_an_agent_without_access_is_refused_and_never_shown(live: Live) -> None:
    restricted = ingest(live.aws, make_mail(subject="Rechnung 99", sender="kim@kunde.example"))
    anna = live.session("admin", restricted.ticket_id)
    live.send(anna, {"action": "presence", "ticket": restricted.ticket_id, "state": "typing"})
    tom = live.session("agent")  # inbox: the marker of a ticket he may not see is not in his answer
    answer = live.send(tom, {"action": "subscribe", "inbox": True})
    assert answer["typing"] == []
    live.send(anna, {"action": "presence", "ticket": restricted.ticket_id, "state": "viewing"})
    assert not live.gateway.received(tom, "typing")


def test_disconnect_forgets_the_socket_and_tells_the_viewers(live: Live) -> None:
    from helpdesk.store.live import LiveStore

    ticket = ingest(live.aws, make_mail(subject="Zugang gesperrt"))
    anna = live.session("admin", ticket.ticket_id)
    tom = live.session("agent", ticket.ticket_id)
    live.send(anna, {"action": "presence", "ticket": ticket.ticket_id, "state": "viewing"})
    live.disconnect(anna)
    assert LiveStore().connection(anna) is None
    assert LiveStore().viewers(ticket.ticket_id, time.time()) == []
    assert live.gateway.received(tom, "presence")[-1]["viewers"] == []


def test_meta_names_the_socket(aws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from .api_client import make_api

    monkeypatch.setenv("HELPDESK_LIVE_URL", "ws://127.0.0.1:8001")
    response = make_api(aws).get("/meta", user="agent")
    assert response.json["live_url"] == "ws://127.0.0.1:8001"
    monkeypatch.setenv("HELPDESK_LIVE_URL", "")
    assert make_api(aws).get("/meta", user="agent").json["live_url"] is None


def test_a_read_mark_reaches_only_the_sockets_of_its_agent(live: Live) -> None:
    """Issue 12, part 5: opening a ticket updates my other tabs, not other agents'."""
    from helpdesk.services.reading import set_read
    from helpdesk.store.tickets import TicketStore

    t = ingest(live.aws, make_mail(subject="Gelesen?", sender="lu@kunde.example"))
    admin_inbox, admin_ticket = live.session("admin"), live.session("admin", ticket=t.ticket_id)
    agent_inbox, agent_ticket = live.session("agent"), live.session("agent", ticket=t.ticket_id)
    live.pump()
    tickets_before = {c: len(live.gateway.received(c, "ticket")) for c in (admin_inbox, agent_inbox)}
    ticket = TicketStore().get(t.ticket_id)
    assert ticket is not None
    set_read(ticket, "admin", unread=False)
    live.pump()
    read = {"type": "read", "ticket_id": t.ticket_id, "unread": False}
    assert live.gateway.received(admin_inbox, "read") == [read]
    assert live.gateway.received(admin_ticket, "read") == [read]
    assert live.gateway.received(agent_inbox, "read") == [] and live.gateway.received(agent_ticket, "read") == []
    # A read mark is no change of the ticket: nobody hears of a ticket change.
    assert {c: len(live.gateway.received(c, "ticket")) for c in (admin_inbox, agent_inbox)} == tickets_before
    set_read(ticket, "agent", unread=True)
    live.pump()
    assert live.gateway.received(agent_inbox, "read") == [{"type": "read", "ticket_id": t.ticket_id, "unread": True}]
    assert live.gateway.received(admin_inbox, "read") == [read]
