"""The raw bytes of a mail: where its header block ends, the body as it arrived, the headers alone."""

from __future__ import annotations

from .types import Limits


def header_end(raw: bytes) -> int:
    """Where the header block ends: the first blank line, CRLF or bare LF (whichever comes first); -1 if none.

    The block is ``raw[:end]``; the body, with the blank line that ends the block, is ``raw[end:]``."""
    crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
    found = [at for at in (crlf, lf) if at >= 0]
    return min(found) if found else -1


def raw_body(raw: bytes) -> bytes:
    """The bytes after the header block (with the blank line that ends it), as they arrived."""
    end = header_end(raw)
    return raw[end:] if end >= 0 else b""


def header_only(raw: bytes, limits: Limits) -> bytes:
    end = header_end(raw)
    end = end if end >= 0 else len(raw)
    block = raw[: min(end, limits.max_header_bytes)]
    if end > limits.max_header_bytes and b"\n" in block:
        block = block[: block.rfind(b"\n")]  # a header cut in half would read as the start of the body
    return block.rstrip(b"\r\n") + b"\r\n\r\n"
