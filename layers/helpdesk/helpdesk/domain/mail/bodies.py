"""The inline bodies of a mail (text, HTML, or both versions of one) and the text and HTML views of them."""

from __future__ import annotations

import html as html_lib

from ..htmltext import html_to_text


class Body:
    """One inline body of a mail: a text part, an HTML part, or the two versions of a multipart/alternative.

    (A plain class: a dataclass costs a millisecond of every cold start.)
    """

    __slots__ = ("html", "text")

    def __init__(self, text: str | None, html: str | None) -> None:
        self.text = text
        self.html = html

    def as_text(self) -> str:
        return self.text if self.text is not None else html_to_text(self.html or "")

    def as_html(self) -> str:
        return self.html if self.html is not None else text_as_html(self.text or "")


def text_as_html(text: str) -> str:
    """A text part in the HTML view: escaped, its line breaks kept."""
    lines = text.strip("\n").split("\n")
    return "<div>" + "<br>\n".join(html_lib.escape(line, quote=False) for line in lines) + "</div>"


def _same_message(text: str, markup: str) -> bool:
    """Are a text part and the HTML part next to it two versions of one message (as form mailers put
    them into multipart/mixed instead of multipart/alternative)?"""
    words = text.split()
    return bool(words) and words == html_to_text(markup).split()


def merged(bodies: list[Body]) -> list[Body]:
    """Adjacent text and HTML parts that say the same thing become one body with two versions."""
    out: list[Body] = []
    for body in bodies:
        pair = _pair(out[-1], body) if out else None
        if pair is not None:
            out[-1] = pair
        else:
            out.append(body)
    return out


def _pair(first: Body, second: Body) -> Body | None:
    for plain, rich in ((first, second), (second, first)):
        if plain.html is None and rich.text is None and plain.text is not None and rich.html is not None:
            return Body(plain.text, rich.html) if _same_message(plain.text, rich.html) else None
    return None


def render_text(bodies: list[Body]) -> str:
    """The text view: every body as text, in order (HTML-only parts rendered as text)."""
    texts = (body.as_text().strip("\n") for body in bodies)
    return "\n\n".join(t for t in texts if t.strip())


def render_html(bodies: list[Body]) -> str:
    """The HTML view, when there is HTML at all: every body as HTML, in order (text parts escaped)."""
    if not any(body.html is not None for body in bodies):
        return ""
    return "\n".join(body.as_html() for body in bodies if body.html is not None or (body.text or "").strip())
