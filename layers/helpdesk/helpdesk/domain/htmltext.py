"""A plain-text rendering of HTML mail, for mail that has no text part (and for previews).

Built on the stdlib's tolerant ``html.parser``: block elements become line breaks, list items get
bullets, links keep their target in angle brackets, scripts and styles vanish.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK = {
    "p",
    "div",
    "br",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "hr",
    "section",
    "article",
    "header",
    "footer",
    "address",
    "dl",
    "dt",
    "dd",
}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "math", "object", "iframe"}


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_depth = 0
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
            return
        if self.skip_depth:
            return
        if tag in _BLOCK:
            self.out.append("\n")
        if tag == "li":
            self.out.append("• ")
        elif tag == "td" or tag == "th":
            self.out.append(" ")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _BLOCK and tag not in ("img", "a"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        if self.skip_depth:
            return
        if tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            href = self.href
            if href.startswith(("http://", "https://")) and href != text:
                self.out.append(f" <{href}>")
            self.href = None
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        text = re.sub(r"\s+", " ", data)
        if self.href is not None:
            self.link_text.append(text)
        self.out.append(text)


def html_to_text(html: str) -> str:
    renderer = _Renderer()
    try:
        renderer.feed(html)
        renderer.close()
    except Exception:  # html.parser is tolerant, but never let a rendering fail a mail
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(renderer.out)
    lines = [line.strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
