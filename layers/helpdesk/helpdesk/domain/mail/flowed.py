"""``format=flowed`` (RFC 3676) undone."""

from __future__ import annotations


def unflow(text: str, delsp: bool = False) -> str:
    """Undo ``format=flowed`` (RFC 3676): join soft-broken lines, remove space-stuffing.

    Quoted lines keep their ``>`` marks (as ``"> "``, one per level) so quote detection still sees them.
    """
    out: list[str] = []
    buffer: str | None = None
    buffer_depth = 0

    def flush(hard: bool = True) -> None:
        nonlocal buffer
        if buffer is not None:
            line = (">" * buffer_depth + " " if buffer_depth and buffer else ">" * buffer_depth) + buffer
            out.append(line if hard else line.rstrip(" "))  # a hard line keeps "-- " intact
            buffer = None

    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the space after the quote marks)
        soft = content.endswith(" ") and content.rstrip(" ") != "--"
        if buffer is not None and depth != buffer_depth:
            flush(hard=False)  # a flowed paragraph never continues across quote depths
        if soft and delsp:
            content = content[:-1]
        buffer = content if buffer is None else buffer + content
        buffer_depth = depth
        if not soft:
            flush()
    flush(hard=False)
    return "\n".join(out)
