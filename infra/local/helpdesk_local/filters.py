"""Lambda event filtering, locally: the ``FilterCriteria`` of an event source in ``template.yaml``.

Only what the template uses is understood — nested objects and lists of exact values (the record
matches when any listed value equals its value) — and anything else is refused at start-up rather
than matched wrongly. A record is kept when any of the filters matches (Lambda ORs them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .template import template


def matches(pattern: Any, value: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(key in value and matches(p, value[key]) for key, p in pattern.items())
    if isinstance(pattern, list):
        return any(value == allowed for allowed in pattern)
    raise ValueError(f"unsupported filter pattern {pattern!r}")


def _check(pattern: Any) -> None:
    if isinstance(pattern, dict):
        for value in pattern.values():
            _check(value)
    elif isinstance(pattern, list):
        if any(isinstance(item, dict | list) for item in pattern):
            raise ValueError(f"filter operators are not supported locally: {pattern!r}")
    else:
        raise ValueError(f"a filter pattern needs a list of values: {pattern!r}")


def stream_filter(function_logical_id: str, event_name: str = "Stream") -> Callable[[dict[str, Any]], bool]:
    """The keep-function for a function's stream event source, as declared in template.yaml."""
    props = template()["Resources"][function_logical_id]["Properties"]["Events"][event_name]["Properties"]
    patterns = [json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])]
    for pattern in patterns:
        _check(pattern)

    def keep(record: dict[str, Any]) -> bool:
        return not patterns or any(matches(pattern, record) for pattern in patterns)

    return keep
