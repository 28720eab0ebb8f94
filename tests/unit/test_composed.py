"""The composer's rich text (domain/composed.py): the allow-list, the text alternative, the quote; and the MIME
structure of a mail with inline images (domain/outgoing.py)."""

from __future__ import annotations

import email
import email.policy

import pytest

from helpdesk.domain.composed import clean, compose, formatted, quote, text_of
from helpdesk.domain.headers import Address
from helpdesk.domain.outgoing import HeaderInjection, OutgoingAttachment, OutgoingMail, build_mime

CID = "img-1@helpdesk"


@pytest.mark.parametrize(
    ("raw", "gone"),
    [
        ("<p>a<script>alert(1)</script></p>", "alert"),
        ('<p onclick="steal()">a</p>', "onclick"),
        ('<p onmouseover="steal()">a</p>', "steal"),
        ('<a href="javascript:alert(1)">a</a>', "javascript"),
        ('<a href=" JaVaScRiPt:alert(1)">a</a>', "alert"),
        ('<a href="data:text/html,<script>x</script>">a</a>', "data:"),
        ('<a href="vbscript:x">a</a>', "vbscript"),
        ('<a href="/relative">a</a>', "relative"),
        ('<img src="https://tracker.example/p.png">', "tracker"),
        ('<img src="data:image/png;base64,AAAA">', "data:"),
        (f'<img src="cid:{CID}" onerror="x()">', "onerror"),
        ('<img src="cid:not-sent@helpdesk">', "not-sent"),
        ('<p style="background:url(https://t.example/x)">a</p>', "url("),
        ('<p style="color:red">a</p>', "style"),
        ("<style>p{color:red}</style><p>a</p>", "color"),
        ('<p class="x" id="y">a</p>', "class"),
        ("<iframe src='https://e.example'></iframe><p>a</p>", "iframe"),
        ("<svg><script>x()</script></svg><p>a</p>", "svg"),
        ('<form action="https://e.example"><input name="p"></form><p>a</p>', "form"),
        ("<!-- secret --><p>a</p>", "secret"),
        ("<base href='https://e.example/'><p>a</p>", "base"),
        ("<table><tr><td>a</td></tr></table>", "table"),
        ('<blockquote type="evil">a</blockquote>', "evil"),
    ],
)
def test_hostile_html_never_reaches_the_mail(raw: str, gone: str) -> None:
    html, _ = clean(raw, {CID})
    assert gone not in html.lower()


def test_what_the_composer_makes_survives() -> None:
    raw = (
        "<p><b>fett</b> <strong>stark</strong> <i>kursiv</i> <em>betont</em> <u>unter</u></p>"
        "<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>z</blockquote><div>zeile<br>zwei</div>"
        '<a href="https://example.org/x?a=1&amp;b=2">l</a><a href="mailto:a@b.example">m</a>'
        f'<img src="cid:{CID}" alt="bild.png">'
    )
    html, cids = clean(raw, {CID})
    assert html == raw
    assert cids == [CID]


def test_the_text_alternative_is_faithful() -> None:
    html = (
        "<p>Hallo <b>Welt</b>,</p><p>bitte:</p>"
        "<ul><li>eins</li><li>zwei<ul><li>zwei a</li></ul></li></ul>"
        "<ol><li>erst</li><li>dann<br>weiter</li></ol>"
        '<div>Seite: <a href="https://example.org/hilfe">Hilfe</a>, '
        '<a href="https://example.org">https://example.org</a>, <a href="mailto:a@b.example">a@b.example</a></div>'
        "<blockquote>Zitat<br>zwei<blockquote>tiefer</blockquote></blockquote>"
        f'<div><img src="cid:{CID}" alt="bild.png"></div>'
        "<div>a&nbsp;&nbsp;b &lt;tag&gt; &amp;</div>"
    )
    assert compose(html, {CID}).text == (
        "Hallo Welt,\n\nbitte:\n\n"
        "- eins\n- zwei\n  - zwei a\n"
        "1. erst\n2. dann\n   weiter\n"
        "Seite: Hilfe <https://example.org/hilfe>, https://example.org, a@b.example\n"
        "> Zitat\n> zwei\n> > tiefer\n"
        "[bild.png]\n"
        "a  b <tag> &"
    )


def test_lines_as_the_browser_makes_them_keep_their_blank_lines() -> None:
    """Chromium's editor: the first line bare, then one div per line; an empty line is <div><br></div>."""
    assert text_of("Guten Tag,<div><br></div><div>wir helfen.</div><div><br></div><div>Gruß</div>") == (
        "Guten Tag,\n\nwir helfen.\n\nGruß"
    )
    assert text_of("eins<br>zwei<br><br>drei<br>") == "eins\nzwei\n\ndrei"
    assert text_of("") == ""


def test_formatted_means_more_than_lines_of_text() -> None:
    assert not formatted("Guten Tag,<div><br></div><div>wir helfen.</div><p>Gruß</p>")
    assert formatted("<b>fett</b>") and formatted("<ul><li>a</li></ul>") and formatted('<a href="https://x">x</a>')
    assert formatted(f'<img src="cid:{CID}">') and formatted("<blockquote>z</blockquote>")


def test_the_quote_in_text_and_html() -> None:
    q = quote("Wo ist <mein> Paket?\n\nGruß", "Jo <jo@kunde.example>", "2026-12-01 09:30 UTC", "de")
    assert q.text == "Am 2026-12-01 09:30 UTC schrieb Jo <jo@kunde.example>:\n> Wo ist <mein> Paket?\n>\n> Gruß"
    assert "&lt;mein&gt;" in q.html and '<blockquote type="cite">' in q.html and "&lt;jo@kunde.example&gt;" in q.html
    assert quote("x", "Jo", "d", "en").text.startswith("On d, Jo wrote:")


def _mail(html: str | None, attachments: list[OutgoingAttachment]) -> email.message.EmailMessage:
    mail = OutgoingMail(
        sender=Address("Support", "support@example.com"),
        to=[Address("", "kunde@kunde.example")],
        subject="Re: Frage [#T-1]",
        text="Text",
        html=html,
        message_id="<a@example.com>",
        in_reply_to="<b@kunde.example>",
        attachments=attachments,
    )
    parsed = email.message_from_bytes(build_mime(mail), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_inline_images_are_related_to_the_html_and_files_stay_attachments() -> None:
    msg = _mail(
        f'<p>x<img src="cid:{CID}"></p>',
        [
            OutgoingAttachment("bild.png", "image/png", b"PNG", content_id=CID),
            OutgoingAttachment("rechnung.pdf", "application/pdf", b"PDF"),
        ],
    )
    parts = [(p.get_content_type(), p["Content-ID"], p.get_content_disposition()) for p in msg.walk()]
    assert parts == [
        ("multipart/mixed", None, None),
        ("multipart/alternative", None, None),
        ("text/plain", None, None),
        ("multipart/related", None, None),
        ("text/html", None, None),
        ("image/png", f"<{CID}>", "inline"),
        ("application/pdf", None, "attachment"),
    ]
    assert str(msg["In-Reply-To"]) == "<b@kunde.example>"


def test_an_inline_image_without_html_is_an_attachment_and_a_bad_content_id_is_refused() -> None:
    msg = _mail(None, [OutgoingAttachment("bild.png", "image/png", b"PNG", content_id=CID)])
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/mixed", "text/plain", "image/png"]
    with pytest.raises(HeaderInjection):
        _mail("<p>x</p>", [OutgoingAttachment("b.png", "image/png", b"PNG", content_id="a>\r\nBcc: x@y")])
