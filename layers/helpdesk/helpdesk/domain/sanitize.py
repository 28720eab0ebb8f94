"""HTML from mail is hostile: an allow-list sanitizer built on ``nh3`` (the Rust ``ammonia`` library).

What survives: formatting, tables, lists, links (http/https/mailto/tel only), images.
What never survives: script, style blocks, event handlers, forms, iframes, objects, SVG, ``<base>``,
``<meta>``, ``<link>``, ``javascript:``/``data:``/``vbscript:`` links, relative URLs, CSS ``url()``,
``expression()``, ``@import``, CSS escapes, ``position``.

Remote images are blocked by default: the sanitized HTML keeps them as
``<img src="{BLOCKED_IMAGE}" data-remote-src="https://…">`` and the web client swaps ``src`` back
when the agent clicks "Bilder laden". ``cid:`` images stay ``cid:`` references; the API resolves them
to short-lived links of the stored attachment when it serves the message.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import field

import nh3

from .dataclass import dataclass

BLOCKED_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='48' height='32'%3E"
    "%3Crect width='48' height='32' fill='%23eef0f3' stroke='%23a0a7b1'/%3E"
    "%3Cpath d='M10 24l8-9 6 6 4-4 10 7z' fill='%23a0a7b1'/%3E%3C/svg%3E"
)

TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map"} | {"font", "big", "section", "article", "main", "u"}
_GLOBAL_ATTRS = {"style", "title", "dir", "lang", "align", "valign", "width", "height", "bgcolor"}
ATTRIBUTES: dict[str, set[str]] = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = set(_GLOBAL_ATTRS)
ATTRIBUTES.setdefault("font", set()).update({"color", "face", "size"})
ATTRIBUTES.setdefault("table", set()).update({"border", "cellpadding", "cellspacing"})
ATTRIBUTES.setdefault("img", set()).update({"border", "hspace", "vspace"})
for _tag in ("td", "th"):
    ATTRIBUTES.setdefault(_tag, set()).update({"nowrap", "bgcolor"})
# URL-bearing attributes that browsers never fetch but we still do not want: drop them.
for _attrs in ATTRIBUTES.values():
    _attrs.discard("cite")
# Where mail programs put the quoted history, kept as markers (and only these values, see _Filter._marker) so
# the web client can fold it behind "… zitierter Text": Outlook's <div id="divRplyFwdMsg"> (the quote is
# everything from there on), Gmail's class gmail_quote, Thunderbird's class moz-cite-prefix (the line above
# its quote), Apple Mail's and Thunderbird's <blockquote type="cite">.
QUOTE_MARKERS = {"id": {"divRplyFwdMsg"}, "class": {"gmail_quote", "moz-cite-prefix"}, "type": {"cite"}}
ATTRIBUTES["*"] |= {"id", "class"}
ATTRIBUTES.setdefault("blockquote", set()).add("type")

URL_SCHEMES = {"http", "https", "mailto", "tel", "cid", "data"}
CLEAN_CONTENT = {
    "script",
    "style",
    "title",
    "head",
    "template",
    "noscript",
    "svg",
    "math",
    "object",
    "iframe",
    "frame",
    "frameset",
    "applet",
    "embed",
    "xml",
    "textarea",
    "select",
    "option",
}

_ALLOWED_CSS = {
    "color",
    "background-color",
    "font",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "font-variant",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-transform",
    "line-height",
    "letter-spacing",
    "word-spacing",
    "white-space",
    "vertical-align",
    "direction",
    "margin",
    "margin-top",
    "margin-right",
    "margin-bottom",
    "margin-left",
    "padding",
    "padding-top",
    "padding-right",
    "padding-bottom",
    "padding-left",
    "border",
    "border-top",
    "border-right",
    "border-bottom",
    "border-left",
    "border-color",
    "border-style",
    "border-width",
    "border-collapse",
    "border-spacing",
    "border-radius",
    "width",
    "min-width",
    "max-width",
    "height",
    "min-height",
    "max-height",
    "display",
    "float",
    "clear",
    "list-style-type",
    "table-layout",
    "overflow",
    "word-break",
    "overflow-wrap",
    "word-wrap",
}
_BAD_CSS_VALUE = re.compile(
    r"url\s*\(|expression\s*\(|javascript:|vbscript:|@import|\\|behavior|binding|image-set|/\*", re.IGNORECASE
)
_SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpe?g|gif|webp|bmp);base64,[A-Za-z0-9+/=\s]+$", re.IGNORECASE)
_REMOTE_IMG = re.compile(r'<img\b([^>]*?)\ssrc="(https?://[^"]*)"', re.IGNORECASE)
_CID_SRC = re.compile(r'\ssrc="cid:([^"]*)"', re.IGNORECASE)


@dataclass
class SanitizedHtml:
    html: str
    remote_images: int = 0
    removed_css: int = 0
    cids: list[str] = field(default_factory=list)


class _Filter:
    def __init__(self) -> None:
        self.removed_css = 0

    def __call__(self, tag: str, attr: str, value: str) -> str | None:
        if attr in QUOTE_MARKERS and (attr != "type" or tag == "blockquote"):
            return self._marker(attr, value)
        if attr == "style":
            return self._style(value)
        if attr == "href":
            lowered = value.strip().lower()
            if tag == "a" and lowered.startswith(("http://", "https://", "mailto:", "tel:")):
                return value
            return None
        if attr == "src":
            lowered = value.strip().lower()
            if tag != "img":
                return None
            if lowered.startswith(("http://", "https://", "cid:")):
                return value.strip()
            if lowered.startswith("data:") and _SAFE_DATA_IMAGE.match(value.strip()):
                return value.strip()
            return None
        if attr in ("width", "height", "border", "cellpadding", "cellspacing", "size", "hspace", "vspace"):
            return value if re.fullmatch(r"\s*\d{1,4}(\.\d+)?\s*(%|px)?\s*", value) else None
        if attr in ("color", "bgcolor"):
            return value if re.fullmatch(r"\s*(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20})\s*", value) else None
        return value

    @staticmethod
    def _marker(attr: str, value: str) -> str | None:
        """A quote marker, normalized; any other id, class or type is dropped."""
        words = value.split() if attr == "class" else [value.strip()]
        found = [w for w in words if w.lower() in {m.lower() for m in QUOTE_MARKERS[attr]}]
        return next((m for m in QUOTE_MARKERS[attr] if found and m.lower() == found[0].lower()), None)

    def _style(self, value: str) -> str | None:
        kept: list[str] = []
        for declaration in value.split(";"):
            if ":" not in declaration:
                continue
            prop, _, val = declaration.partition(":")
            prop = prop.strip().lower()
            val = val.strip()
            if prop not in _ALLOWED_CSS or not val or _BAD_CSS_VALUE.search(val) or len(val) > 200:
                self.removed_css += 1
                continue
            kept.append(f"{prop}: {val}")
        return "; ".join(kept) if kept else None


def sanitize_html(raw_html: str, *, block_remote: bool = True) -> SanitizedHtml:
    """Sanitize hostile HTML. With ``block_remote`` (the default), remote images become placeholders."""
    if not raw_html or not raw_html.strip():
        return SanitizedHtml(html="")
    flt = _Filter()
    cleaned = nh3.clean(
        raw_html,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=flt,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes=URL_SCHEMES,
        url_relative="deny",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    remote = 0
    if block_remote:
        # nh3 serialises attributes canonically (double quotes, entities escaped), so this rewrite
        # operates on trusted markup; it only moves an already-escaped URL into a data attribute.
        def _block(match: re.Match[str]) -> str:
            nonlocal remote
            remote += 1
            return f'<img{match.group(1)} src="{BLOCKED_IMAGE}" data-remote-src="{match.group(2)}"'

        cleaned = _REMOTE_IMG.sub(_block, cleaned)
    cids = [html_lib.unescape(c) for c in _CID_SRC.findall(cleaned)]
    return SanitizedHtml(html=cleaned, remote_images=remote, removed_css=flt.removed_css, cids=cids)


def escape(text: str) -> str:
    """HTML-escape data (subjects, names, addresses) for the few places we build HTML ourselves."""
    return html_lib.escape(text or "", quote=True)


def text_to_html(text: str) -> str:
    """Plain text as safe HTML (for outgoing mail): escaped, line breaks kept."""
    return "<br>\n".join(escape(line) for line in (text or "").splitlines())
