"""No double replies (issue 12, part 3) against moto: 409 with what is new, confirmation, and the race."""

from __future__ import annotations

import threading
from typing import Any

from .api_client import ApiClient
from .helpers import ingest, make_mail, reset_sent, sent_mails


def opened(aws: Any, api: ApiClient) -> dict[str, Any]:
    """A customer's ticket as an agent opens it (its auto-reply already sent, the outbox emptied)."""
    result = ingest(aws, make_mail(subject="Lieferung fehlt"))
    reset_sent()
    ticket = api.get(f"/tickets/{result.ticket_id}", user="agent").json
    assert ticket["thread_version"] == 2  # the mail and its auto-reply
    return ticket  # type: ignore[no-any-return]


def documented(api: ApiClient, body: dict[str, Any]) -> None:
    """The error body is what /openapi.json promises (ErrorBody, as schemathesis checks it)."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]  # (a dependency of schemathesis)

    spec = api.get("/openapi.json").json
    schema = {"$ref": "#/components/schemas/ErrorBody", "components": spec["components"]}
    Draft202012Validator(schema).validate(body)


def reply(api: ApiClient, ticket: dict[str, Any], body: str, user: str = "agent", **extra: Any) -> Any:
    payload = {"body": body, "seen_thread_version": ticket["thread_version"], **extra}
    return api.call("POST", f"/tickets/{ticket['id']}/replies", user=user, body=payload)


def test_a_reply_after_someone_elses_is_409_with_the_new_reply_and_nothing_goes_out(aws: Any, api: ApiClient) -> None:
    seen = opened(aws, api)
    first = reply(api, seen, "Die Lieferung kommt morgen.", user="admin")
    assert first.status == 201
    second = reply(api, seen, "Wir schicken Ersatz.")
    assert second.status == 409
    body = second.json
    assert body["error"] == "reply_conflict" and body["reason"] == "new_reply"
    assert [m["text"].split("\n")[0] for m in body["new"]["messages"]] == ["Die Lieferung kommt morgen."]
    assert body["new"]["messages"][0]["author"] == "admin" and body["new"]["comments"] == []
    assert body["current"]["thread_version"] == 3
    documented(api, body)
    assert len(sent_mails()) == 1
    # "Trotzdem senden": the same reply, confirmed, goes out
    confirmed = reply(api, seen, "Wir schicken Ersatz.", confirm_conflict=True)
    assert confirmed.status == 201 and len(sent_mails()) == 2
    # and a reply after seeing everything is no conflict
    assert reply(api, confirmed.json["ticket"], "Noch etwas.").status == 201


def test_field_changes_do_not_count_comments_and_customer_mail_do(aws: Any, api: ApiClient) -> None:
    seen = opened(aws, api)
    patched = api.call(
        "PATCH", f"/tickets/{seen['id']}", user="admin", body={"version": seen["version"], "priority": "high"}
    )
    assert patched.status == 200 and patched.json["thread_version"] == seen["thread_version"]
    api.call("POST", f"/tickets/{seen['id']}/comments", user="admin", body={"body": "Kunde ist VIP"})
    comment = reply(api, seen, "Hallo")
    assert comment.status == 409 and comment.json["reason"] == "new_comment"
    assert [c["body"] for c in comment.json["new"]["comments"]] == ["Kunde ist VIP"]
    documented(api, comment.json)
    # one's own comment does not count
    api.call("POST", f"/tickets/{seen['id']}/comments", user="agent", body={"body": "Ich kümmere mich"})
    after_comment = api.get(f"/tickets/{seen['id']}", user="agent").json
    thread = after_comment["thread_version"]
    original = after_comment["messages"][0]
    ingest(aws, make_mail(subject=f"Re: [#{seen['number']}] Lieferung fehlt", in_reply_to=original["message_id"]))
    mail = reply(api, {**seen, "thread_version": thread - 1}, "Hallo")  # saw up to the admin's comment only
    assert mail.status == 409 and mail.json["reason"] == "new_message"
    assert [m["direction"] for m in mail.json["new"]["messages"]] == ["inbound"]
    assert mail.json["new"]["comments"] == []  # the agent's own comment is not news to them
    assert sent_mails() == []


def test_old_clients_without_a_position_are_accepted_as_before(aws: Any, api: ApiClient) -> None:
    seen = opened(aws, api)
    assert reply(api, seen, "Erste Antwort", user="admin").status == 201
    legacy = api.call("POST", f"/tickets/{seen['id']}/replies", user="agent", body={"body": "Alte Oberfläche"})
    assert legacy.status == 201 and len(sent_mails()) == 2


def test_two_agents_sending_at_the_same_moment_send_one_mail(aws: Any, api: ApiClient, monkeypatch: Any) -> None:
    """Both read the thread at the same position and decide "current" before either writes (a barrier holds
    each at its commit): only the conditional write on the thread counter can stop the second."""
    from helpdesk.bootstrap import config_store, ingest_deps
    from helpdesk.services.replies import ReplyConflict, ReplyRequest, send_reply
    from helpdesk.store.unit import Unit

    seen = opened(aws, api)
    barrier = threading.Barrier(2, timeout=20)
    waited: set[int] = set()
    commit = Unit.commit

    def commit_together(self: Unit) -> None:
        if threading.get_ident() not in waited:  # each sender's first commit: its reply
            waited.add(threading.get_ident())
            barrier.wait()
        commit(self)

    monkeypatch.setattr(Unit, "commit", commit_together)
    deps = ingest_deps()
    cfg = config_store().snapshot()
    outcomes: dict[str, Any] = {}

    def send(actor: str) -> None:
        try:
            outcomes[actor] = send_reply(
                deps.tickets,
                deps.mail,
                deps.mailer,
                cfg,
                seen["id"],
                ReplyRequest(body=f"Antwort von {actor}", seen_thread=seen["thread_version"]),
                actor=actor,
                mail_domain="example.com",
            )
        except ReplyConflict as exc:
            outcomes[actor] = exc

    threads = [threading.Thread(target=send, args=(who,)) for who in ("admin", "agent")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    conflicts = [o for o in outcomes.values() if isinstance(o, ReplyConflict)]
    assert len(outcomes) == 2 and len(conflicts) == 1
    assert conflicts[0].verdict.reason.value == "new_reply" and len(conflicts[0].messages) == 1
    assert len(sent_mails()) == 1
    stored = api.get(f"/tickets/{seen['id']}", user="admin").json
    assert [m["direction"] for m in stored["messages"]] == ["inbound", "outbound", "outbound"]  # + auto-reply
    assert stored["thread_version"] == 3


def public_token(aws: Any, api: ApiClient) -> tuple[dict[str, Any], str]:
    seen = opened(aws, api)
    first = reply(api, seen, "Können Sie ein Foto schicken?")
    assert first.status == 201
    text = sent_mails()[-1].get_body(preferencelist=("plain",)).get_content()
    return first.json["ticket"], text.split("/#/t/")[1].split()[0]


def test_the_customer_link_reply_is_409_when_we_wrote_since(aws: Any, api: ApiClient) -> None:
    ticket, token = public_token(aws, api)
    page = api.get(f"/public/tickets/{token}").json
    last_seen = page["messages"][-1]["id"]
    api.call("POST", f"/tickets/{ticket['id']}/comments", user="agent", body={"body": "GEHEIM intern"})
    ok = api.call("POST", f"/public/tickets/{token}/replies", body={"body": "Foto anbei", "seen_message_id": last_seen})
    assert ok.status == 201  # an internal comment is none of the customer's news
    again = api.get(f"/tickets/{ticket['id']}", user="agent").json
    assert reply(api, again, "Danke, wir prüfen es.").status == 201
    late = api.call("POST", f"/public/tickets/{token}/replies", body={"body": "Und?", "seen_message_id": last_seen})
    assert late.status == 409 and late.json["error"] == "reply_conflict" and late.json["reason"] == "new_reply"
    assert [m["text"].split("\n")[0] for m in late.json["new_messages"]] == ["Danke, wir prüfen es."]
    assert "GEHEIM" not in late.text and "current" not in late.json
    documented(api, late.json)
    assert api.get(f"/tickets/{ticket['id']}", user="agent").json["thread_version"] == 6  # nothing stored
    sure = api.call(
        "POST",
        f"/public/tickets/{token}/replies",
        body={"body": "Und?", "seen_message_id": last_seen, "confirm_conflict": True},
    )
    assert sure.status == 201
    unknown = api.call("POST", f"/public/tickets/{token}/replies", body={"body": "x", "seen_message_id": "nope"})
    assert unknown.status == 400 and unknown.json["field"] == "seen_message_id"
    assert api.call("POST", f"/public/tickets/{token}/replies", body={"body": "Ohne Position"}).status == 201


def test_batch_actions_skip_a_ticket_a_colleague_is_answering_unless_confirmed(aws: Any, api: ApiClient) -> None:
    import time

    from helpdesk.store.live import Connection, LiveStore

    answered = opened(aws, api)
    other = api.get(f"/tickets/{ingest(aws, make_mail(subject='Zweite Frage')).ticket_id}", user="agent").json
    live = LiveStore()
    anna = Connection(id="conn-anna", user="admin", name="Anna", connected_at=int(time.time()))
    live.put_connection(anna)
    live.subscribe(anna, False, answered["id"])
    live.put_presence(anna, answered["id"], "typing", time.time())
    items = [{"id": t["id"], "version": t["version"]} for t in (answered, other)]

    marked = api.call("POST", "/tickets/batch", user="agent", body={"items": items, "action": "mark_prio"})
    assert marked.json["ok"] == 2 and marked.json["skipped"] == 0  # a flag does not disturb a reply
    items = [{"id": r["id"], "version": r["version"]} for r in marked.json["results"]]
    closing = api.call(
        "POST", "/tickets/batch", user="agent", body={"items": items, "action": "status", "value": "closed"}
    )
    assert closing.status == 200 and closing.json["ok"] == 1 and closing.json["skipped"] == 1
    skipped = next(r for r in closing.json["results"] if r["id"] == answered["id"])
    assert skipped["ok"] is False and skipped["error"] == "reply_in_progress" and skipped["typing"] == ["admin"]
    assert api.get(f"/tickets/{answered['id']}", user="agent").json["status"] == "new"
    # Anna herself is not stopped by her own typing
    own = api.call(
        "POST",
        "/tickets/batch",
        user="admin",
        body={"items": [{"id": answered["id"], "version": skipped["version"]}], "action": "queue", "value": "sales"},
    )
    assert own.json["ok"] == 1, own.json
    confirmed = api.call(
        "POST",
        "/tickets/batch",
        user="agent",
        body={
            "items": [{"id": answered["id"], "version": own.json["results"][0]["version"]}],
            "action": "status",
            "value": "closed",
            "confirm_typing": True,
        },
    )
    assert confirmed.json["ok"] == 1 and confirmed.json["skipped"] == 0


def test_a_manual_ticket_and_a_merge_keep_the_thread_position(aws: Any, api: ApiClient) -> None:
    call = {"subject": "Anruf", "body": "Rückruf erbeten", "channel": "phone", "customer": {"address": "a@b.example"}}
    phone = api.call("POST", "/tickets", user="agent", body=call)
    assert phone.json["thread_version"] == 1  # the note of the call
    target = opened(aws, api)
    source = api.get(f"/tickets/{phone.json['id']}", user="agent").json
    merged = api.call(
        "POST",
        f"/tickets/{source['id']}/merge",
        user="agent",
        body={"into": target["id"], "version": source["version"], "into_version": target["version"]},
    )
    assert merged.status == 200 and merged.json["thread_version"] == 3  # what moved follows what was there
    stale = reply(api, target, "Hallo")  # written on the target before the merge
    assert stale.status == 409 and stale.json["reason"] == "new_message"
    assert [m["text"] for m in stale.json["new"]["messages"]] == ["Rückruf erbeten"]
    assert reply(api, merged.json, "Hallo").status == 201
