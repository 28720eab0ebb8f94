"""Issue 14 part 3: rich-text replies and forwards as moto's SES outbox records them — text + HTML alternative,
inline images as multipart/related parts with their Content-ID, the quote of the mail answered, hostile HTML
gone, threading kept; templates filled in for the composer exactly as they are sent."""

from __future__ import annotations

from typing import Any

import pytest

from .api_client import ApiClient, make_api
from .helpers import ingest, make_mail, presigned_post, reset_sent, sent_mails

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


@pytest.fixture
def api(aws: Any) -> ApiClient:
    reset_sent()
    return make_api(aws)


def new_ticket(aws: Any, api: ApiClient, **mail: Any) -> dict[str, Any]:
    result = ingest(aws, make_mail(**mail))
    response = api.get(f"/tickets/{result.ticket_id}", user="agent")
    assert response.status == 200
    return response.json  # type: ignore[no-any-return]


def upload(api: ApiClient, ticket_id: str, name: str, data: bytes, ctype: str) -> str:
    up = api.call(
        "POST",
        f"/tickets/{ticket_id}/uploads",
        user="agent",
        body={"filename": name, "content_type": ctype, "size": len(data)},
    )
    assert up.status == 201, up.text
    presigned_post(up.json["url"], up.json["fields"], data, ctype)
    return str(up.json["key"])


def text_of(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("plain",)).get_content()).replace("\r\n", "\n")


def html_of(mail: Any) -> str:
    return str(mail.get_body(preferencelist=("html",)).get_content())


RICH = (
    "<p>Guten Tag Herr {NAME},</p><p>das ist <b>wichtig</b> und <i>eilig</i>:</p>"
    "<ul><li>erstens</li><li>zweitens</li></ul>"
    '<p>Details: <a href="https://example.org/hilfe">Hilfe</a></p>'
    '<p><img src="cid:shot-1@helpdesk" alt="bildschirm.png"></p>'
    '<script>alert(1)</script><p onclick="steal()" style="color:red">Ende'
    '<a href="javascript:alert(2)">klick</a><img src="https://tracker.example/p.png"></p>'
)


def test_a_rich_reply_goes_out_as_text_and_html_with_the_pasted_image_inline(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api, message_id="<frage-1@kunde.example>")
    key = upload(api, t["id"], "bildschirm.png", PNG, "image/png")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={
            "html": RICH,
            "inline": [{"content_id": "shot-1@helpdesk", "key": key}],
            "seen_thread_version": t["thread_version"],
        },
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    assert str(mail["In-Reply-To"]) == "<frage-1@kunde.example>"
    parts = [(p.get_content_type(), p["Content-ID"]) for p in mail.walk()]
    assert parts == [
        ("multipart/alternative", None),
        ("text/plain", None),
        ("multipart/related", None),
        ("text/html", None),
        ("image/png", "<shot-1@helpdesk>"),
    ]
    image = next(p for p in mail.walk() if p.get_content_type() == "image/png")
    assert image.get_content() == PNG and image.get_content_disposition() == "inline"

    text = text_of(mail)
    assert text.startswith(
        "Guten Tag Herr Jürgen Müller,\n\ndas ist wichtig und eilig:\n\n- erstens\n- zweitens\n\n"
        "Details: Hilfe <https://example.org/hilfe>\n\n[bildschirm.png]\n\nEndeklick"
    )
    html = html_of(mail)
    assert "<b>wichtig</b>" in html and "<li>erstens</li>" in html and 'src="cid:shot-1@helpdesk"' in html
    assert "Jürgen Müller" in html
    for hostile in ("script", "alert", "onclick", "steal", "javascript", "tracker.example", "color:red"):
        assert hostile not in html, hostile
    assert "<p>Ende<a" in html  # the paragraph without its style and handler, the link without its target

    # The stored message keeps the HTML; the thread shows the image through a short-lived link of its copy.
    messages = api.get(f"/tickets/{t['id']}", user="agent").json["messages"]
    shown = next(m for m in messages if m["id"] == r.json["message"]["id"])
    assert shown["rich"] and "<b>wichtig</b>" in shown["html"] and "cid:" not in shown["html"]
    (inline,) = shown["attachments"]
    assert inline["inline"] and inline["content_id"] == "shot-1@helpdesk" and inline["filename"] == "bildschirm.png"


def test_an_inline_image_must_be_an_uploaded_image_of_the_ticket_and_small(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api)
    pdf = upload(api, t["id"], "rechnung.pdf", b"%PDF-1.4", "application/pdf")
    html = '<p>Bild <img src="cid:a@helpdesk"></p>'
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": html, "inline": [{"content_id": "a@helpdesk", "key": pdf}]},
    )
    assert r.status == 400 and "PNG" in r.text
    big = upload(api, t["id"], "gross.png", PNG + b"\0" * (5 * 1024 * 1024), "image/png")
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": html, "inline": [{"content_id": "a@helpdesk", "key": big}]},
    )
    assert r.status == 400 and "5 MB" in r.text
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": html, "inline": [{"content_id": "a>\r\nBcc: x@y@helpdesk", "key": big}]},
    )
    assert r.status == 400
    assert sent_mails() == [] or all("Bild" not in text_of(m) for m in sent_mails())


def test_an_image_the_html_does_not_show_is_not_sent_and_hostile_html_alone_is_empty(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api)
    key = upload(api, t["id"], "bild.png", PNG, "image/png")
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": "<script>x()</script><img src='https://a.example/x.png'>"},
    )
    assert r.status == 400 and "empty" in r.text
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": "<p>Nur Text</p>", "inline": [{"content_id": "x@helpdesk", "key": key}]},
    )
    assert r.status == 201, r.text
    assert r.json["message"]["rich"] is False  # lines of text, no formatting: the thread shows it as text
    (mail,) = sent_mails()
    assert [p.get_content_type() for p in mail.walk()] == ["multipart/alternative", "text/plain", "text/html"]


def test_the_quote_of_the_mail_answered_goes_below_in_text_and_html(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api, body="Wo bleibt meine Lieferung?\n\nGruß Jürgen")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={"html": "<div>Sie kommt morgen.</div>", "quote": True},
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    text = text_of(mail)
    assert text.startswith("Sie kommt morgen.")
    assert "schrieb Jürgen Müller <juergen@kunde.example>:\n> Wo bleibt meine Lieferung?\n>\n> Gruß Jürgen" in text
    html = html_of(mail)
    assert '<blockquote type="cite">Wo bleibt meine Lieferung?' in html
    assert html.index("Sie kommt morgen.") < html.index("blockquote")
    # Plain text quotes too; without "quote" (old clients) nothing is quoted.
    reset_sent()
    api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Nur so.", "quote": True})
    assert "> Wo bleibt meine Lieferung?" in text_of(sent_mails()[0])
    reset_sent()
    api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"body": "Ohne Zitat."})
    assert "Wo bleibt" not in text_of(sent_mails()[0])


def test_the_quote_is_on_by_default_as_a_team_setting(api: ApiClient) -> None:
    assert api.get("/meta", user="agent").json["quote_replies"] is True
    settings = api.get("/admin/settings", user="admin").json
    assert settings["quote_replies"] is True
    r = api.call("PUT", "/admin/settings", user="admin", body={**settings, "quote_replies": False})
    assert r.status == 200, r.text
    assert api.get("/meta", user="agent").json["quote_replies"] is False


def test_templates_are_filled_for_the_composer_as_they_are_sent(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api)
    items = api.get(f"/templates?ticket_id={t['id']}&language=de", user="agent").json["items"]
    assert items, "the seed has German reply templates"
    template = next(i for i in items if "{" in i["body"])
    assert template["filled"] and "{NAME}" not in template["filled"] and "{AGENT}" not in template["filled"]
    reset_sent()
    r = api.call("POST", f"/tickets/{t['id']}/replies", user="agent", body={"template_id": template["id"]})
    assert r.status == 201, r.text
    assert text_of(sent_mails()[0]).startswith(template["filled"].strip())
    # Without a ticket nothing is filled; a ticket the caller may not see is not found.
    assert api.get("/templates?language=de", user="agent").json["items"][0]["filled"] is None
    assert api.get("/templates?ticket_id=T-nope", user="agent").status == 404


def test_a_forward_note_in_rich_text_with_an_image(aws: Any, api: ApiClient) -> None:
    t = new_ticket(aws, api)
    key = upload(api, t["id"], "foto.png", PNG, "image/png")
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/forwards",
        user="agent",
        body={
            "to": [{"address": "lieferant@partner.example"}],
            "note_html": '<p>Bitte <b>prüfen</b>:</p><ol><li>Foto</li></ol><img src="cid:f@helpdesk" alt="foto.png">',
            "inline": [{"content_id": "f@helpdesk", "key": key}],
            "message_id": t["messages"][0]["id"],
        },
    )
    assert r.status == 201, r.text
    (mail,) = sent_mails()
    text = text_of(mail)
    assert text.startswith("Bitte prüfen:\n\n1. Foto\n[foto.png]\n\n---------- Weitergeleitete Nachricht")
    html = html_of(mail)
    assert "<b>prüfen</b>" in html and "<ol><li>Foto</li></ol>" in html
    assert [p["Content-ID"] for p in mail.walk() if p.get_content_type() == "image/png"] == ["<f@helpdesk>"]


def test_a_failed_rich_reply_is_sent_again_with_its_image_inline(
    aws: Any, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from helpdesk.aws.ses import Mailer

    def refuse(self: Any, source: str, destinations: list[str], raw: bytes) -> str:
        raise ClientError({"Error": {"Code": "MessageRejected", "Message": "not verified"}}, "SendEmail")

    t = new_ticket(aws, api)
    key = upload(api, t["id"], "bild.png", PNG, "image/png")
    original = Mailer.send_raw
    monkeypatch.setattr(Mailer, "send_raw", refuse)
    reset_sent()
    r = api.call(
        "POST",
        f"/tickets/{t['id']}/replies",
        user="agent",
        body={
            "html": '<p><b>Bild</b>: <img src="cid:r@helpdesk"></p>',
            "inline": [{"content_id": "r@helpdesk", "key": key}],
        },
    )
    assert r.status == 502 and r.json["error"] == "send_failed", r.text
    monkeypatch.setattr(Mailer, "send_raw", original)
    again = api.call("POST", f"/tickets/{t['id']}/messages/{r.json['message_id']}/resend", user="agent")
    assert again.status == 200, again.text
    (mail,) = sent_mails()
    assert [(p.get_content_type(), p["Content-ID"]) for p in mail.walk()][-3:] == [
        ("multipart/related", None),
        ("text/html", None),
        ("image/png", "<r@helpdesk>"),
    ]
