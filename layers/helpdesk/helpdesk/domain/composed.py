"""An agent's rich-text mail (the composer's HTML): a strict allow-list, its faithful text alternative, the quote.

The composer sends HTML it built with the browser's editing commands; it is treated as hostile like any mail
(a client can send anything). :func:`compose` keeps only what the composer can make — ``b strong i em u ul ol
li a blockquote p div br img`` — with ``href`` only ``http``/``https``/``mailto`` and ``src`` only a ``cid:``
of an image sent along (``known_cids``); no attribute else (no ``style``, no ``on*``, no ``class``). Content of
``script``/``style``/… is dropped with the tag, remote and ``data:`` images vanish.

The text alternative (:func:`text_of`) is derived from the cleaned HTML, as a reader of the text part expects
it: paragraphs separated by a blank line, a ``div`` (Chromium's line in an editor) one line, list items
``- `` or ``1. `` (nested ones indented), links ``text <url>`` (only the text when it is the address), quotes
``> ``, images ``[alt]``. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import field
from html.parser import HTMLParser

import nh3

from .dataclass import dataclass
from .sanitize import CLEAN_CONTENT, escape, text_to_html

TAGS = {"b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "blockquote", "p", "div", "br", "img"}
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}, "blockquote": {"type"}}
MAX_CIDS = 20
# A Content-ID the composer makes (``img-<random>@helpdesk``): a dot-atom, no room for header tricks.
CID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@[A-Za-z0-9][A-Za-z0-9.-]{0,63}$")
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_IMG_CID = re.compile(r'\ssrc="cid:([^"]*)"')


@dataclass
class Composed:
    html: str  # the cleaned HTML (what is mailed and stored)
    text: str  # its text alternative
    cids: list[str] = field(default_factory=list)  # the inline images it shows, in order, each once


def _attribute(tag: str, attr: str, value: str) -> str | None:
    lowered = value.strip().lower()
    if attr == "href":
        return value.strip() if tag == "a" and lowered.startswith(("http://", "https://", "mailto:")) else None
    if attr == "src":
        return value.strip() if tag == "img" and lowered.startswith("cid:") else None
    if attr == "type":  # <blockquote type="cite">: the thread view folds it like a mail program's quote
        return "cite" if lowered == "cite" else None
    return value


def clean(raw: str, known_cids: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """The composer's HTML on the allow-list; images only of ``known_cids`` (others are dropped)."""
    if not raw or not raw.strip():
        return "", []
    cleaned = nh3.clean(
        raw,
        tags=TAGS,
        clean_content_tags=CLEAN_CONTENT,  # dropped with their content, as in received mail
        attributes={tag: set(attrs) for tag, attrs in ATTRIBUTES.items()},
        attribute_filter=_attribute,
        strip_comments=True,
        link_rel=None,
        url_schemes={"http", "https", "mailto", "cid"},
        url_relative="deny",
    )
    cids: list[str] = []

    def _image(match: re.Match[str]) -> str:
        # nh3 serialises canonically (double quotes, entities escaped): the src, if any, is a cid: it kept.
        found = _IMG_CID.search(match.group(0))
        cid = found.group(1) if found else ""
        if cid not in known_cids or not CID.match(cid):
            return ""
        if cid not in cids:
            cids.append(cid)
        return match.group(0)

    return _IMG.sub(_image, cleaned), cids


_FORMATTING = re.compile(r"<(b|strong|i|em|u|ul|ol|a|blockquote|img)\b")


def formatted(html: str) -> bool:
    """Whether cleaned composer HTML has any formatting (else it is lines of text: shown as text in the thread)."""
    return bool(_FORMATTING.search(html))


def compose(raw: str, known_cids: set[str] | frozenset[str] = frozenset()) -> Composed:
    html, cids = clean(raw, known_cids)
    return Composed(html=html, text=text_of(html), cids=cids)


# ------------------------------------------------------------------------------------------ text alternative

_BLOCKS = {"p", "div", "ul", "ol", "li", "blockquote"}
_VOID = {"br", "img"}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _inline(node: _Node | str) -> str:
    """Inline content as text; ``\\n`` only from ``<br>``."""
    if isinstance(node, str):
        return re.sub(r"[ \t\r\n\f]+", " ", node).replace("\xa0", " ")  # the spaces an agent typed stay
    if node.tag == "br":
        return "\n"
    if node.tag == "img":
        return f"[{node.attrs.get('alt') or 'image'}]"
    inner = "".join(_inline(child) for child in node.children)
    if node.tag == "a":
        href = node.attrs.get("href", "")
        target = href[7:] if href.lower().startswith("mailto:") else href
        label = inner.strip()
        if not href or label in (href, target):
            return inner
        return f"{inner} <{href}>" if label else href
    return inner


def _lines(children: list[_Node | str]) -> list[str]:
    """Block layout: paragraphs get a blank line around them (``""`` entries), other blocks a line of their own."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        run.clear()
        if text.strip():
            out.extend(line.strip(" ") for line in text.split("\n"))
        elif "\n" in text and out:  # <br> alone: the empty lines it makes
            out.extend([""] * text.count("\n"))

    for child in children:
        if isinstance(child, str) or child.tag not in _BLOCKS:
            run.append(_inline(child))
            continue
        flush()
        if child.tag == "p":
            out.extend(["", *_lines(child.children), ""])
        elif child.tag == "div":
            inner = _lines(child.children)
            out.extend(inner if inner else [""])
        elif child.tag in ("ul", "ol"):
            out.extend(_list(child))
        elif child.tag == "blockquote":
            out.extend(f"> {line}".rstrip() for line in _trimmed(_lines(child.children)))
        else:  # a stray <li>
            out.extend(_item("- ", child))
    flush()
    return out


def _list(node: _Node) -> list[str]:
    out: list[str] = []
    number = 0
    for child in node.children:
        if isinstance(child, _Node) and child.tag == "li":
            number += 1
            out.extend(_item(f"{number}. " if node.tag == "ol" else "- ", child))
        elif isinstance(child, _Node) and child.tag in ("ul", "ol"):  # a nested list right in the list (Chromium)
            out.extend(f"  {line}" if line else "" for line in _list(child))
        elif isinstance(child, str) and not child.strip():
            continue
        else:
            out.extend(_item("- ", _Node("li", {}, [child])))
    return out


def _item(marker: str, node: _Node) -> list[str]:
    lines = _trimmed(_lines(node.children)) or [""]
    pad = " " * len(marker)
    return [marker + lines[0], *(f"{pad}{line}" if line else "" for line in lines[1:])]


def _trimmed(lines: list[str]) -> list[str]:
    """Blank lines collapsed to one, none at either end."""
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line.rstrip() if line.strip() else "")
    while out and not out[-1]:
        out.pop()
    return out


def text_of(html: str) -> str:
    """The text alternative of cleaned composer HTML (see the module's description)."""
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return "\n".join(_trimmed(_lines(tree.root.children)))


# ----------------------------------------------------------------------------------------------- the quote

_INTRO = {
    "de": "Am {date} schrieb {who}:",
    "en": "On {date}, {who} wrote:",
}


@dataclass(frozen=True)
class Quote:
    text: str
    html: str


def quote(text: str, who: str, date: str, language: str) -> Quote:
    """The mail answered, below the reply: an intro line, then its text as ``> `` lines (text part) or in a
    ``<blockquote type="cite">`` (HTML part; the thread view and mail programs fold it)."""
    intro = _INTRO["en" if language == "en" else "de"].format(date=date, who=who)
    body = text.strip("\n").replace("\r\n", "\n")
    lines = "\n".join(f"> {line}".rstrip() for line in body.split("\n"))
    return Quote(
        text=f"{intro}\n{lines}",
        html=f'<div>{escape(intro)}</div>\n<blockquote type="cite">{text_to_html(body)}</blockquote>',
    )
