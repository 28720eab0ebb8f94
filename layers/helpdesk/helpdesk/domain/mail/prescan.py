"""MIME-bomb checks on the raw bytes before the parser runs (part count, nesting, sizes)."""

from __future__ import annotations

import re

from .raw import header_end
from .types import Limits, size_words

_BOUNDARY_PARAM = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))')
_DELIMITER_LINE = re.compile(rb"\n--([^\r\n]{1,210})")


def _structure(lowered: bytes, limits: Limits) -> tuple[int, int]:
    """Delimiter lines and deepest nesting of the boundaries the (lower-cased) mail declares, unparsed.

    Parts need no Content-Type header of their own, so counting those headers misses parts; and the
    parser checks every line against the boundaries of all open multiparts. Stops once past the limits.
    """
    declared = {quoted or bare for quoted, bare in _BOUNDARY_PARAM.findall(lowered)}
    stack: list[bytes] = []
    delimiters = deepest = 0
    if not declared:
        return delimiters, deepest
    for match in _DELIMITER_LINE.finditer(lowered):
        token = match.group(1).rstrip(b" \t\r")
        closing = token.endswith(b"--") and token[:-2] in declared
        boundary = token[:-2] if closing else token
        if boundary not in declared:
            continue
        delimiters += 1
        if boundary in stack:
            del stack[stack.index(boundary) + (0 if closing else 1) :]  # inner multiparts end with it
        elif not closing:
            stack.append(boundary)
            deepest = max(deepest, len(stack))
        if delimiters > limits.max_parts * 4 or deepest > limits.max_depth * 2:
            break
    return delimiters, deepest


def prescan(raw: bytes, limits: Limits, exceeded: list[str]) -> bool:
    """Cheap checks before the parser runs. False means: parse the headers only."""
    ok = True
    if len(raw) > limits.max_raw_bytes:
        exceeded.append(f"mail larger than {size_words(limits.max_raw_bytes)} (headers read only)")
        ok = False
    end = header_end(raw)
    header_block = raw if end < 0 else raw[:end]
    if len(header_block) > limits.max_header_bytes:
        exceeded.append(f"header block larger than {size_words(limits.max_header_bytes)}")
        ok = False
    if not ok:
        return ok
    # The parser's work grows with the number of parts (bpo-31449) and, per line, with the number of
    # open multiparts: count and measure before parsing. The walker enforces the exact limits; this
    # leaves a margin so that a mail just past them is still read as far as it may be.
    lowered = raw.lower()
    delimiters, depth = _structure(lowered, limits)
    if max(lowered.count(b"content-type:"), delimiters) > limits.max_parts * 4:
        exceeded.append(f"more than {limits.max_parts} MIME parts (headers read only)")
        ok = False
    if depth > limits.max_depth * 2:
        exceeded.append(f"MIME nesting deeper than {limits.max_depth} (headers read only)")
        ok = False
    return ok
