"""The docs stay true to the code: every route is in docs/api.md, the state machine table matches."""

from __future__ import annotations

import os
import re

from helpdesk.domain.status import TRANSITIONS, Status
from helpdesk_local.template import ROOT

API_DOC = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")


def routes() -> set[tuple[str, str]]:
    os.environ.setdefault("HELPDESK_MAIL_BUCKET", "b")
    os.environ.setdefault("HELPDESK_MAIL_DOMAIN", "example.com")
    os.environ.setdefault("HELPDESK_USER_POOL_ID", "eu-central-1_x")
    os.environ.setdefault("HELPDESK_USER_POOL_CLIENT_ID", "c")
    from helpdesk.api.app import api_of, create_app

    return {(spec.method, spec.path) for spec in api_of(create_app()).specs}


def documented() -> set[tuple[str, str]]:
    found = set()
    for methods, path in re.findall(r"^\| ([A-Z, ]+) \| `([^`]+)` \|", API_DOC, re.MULTILINE):
        for method in methods.split(","):
            found.add((method.strip(), path))
    return found


def test_every_route_is_documented_and_nothing_else() -> None:
    assert routes() == documented()


def test_the_state_machine_table_matches_the_code() -> None:
    order = list(Status)
    rows = {}
    for line in API_DOC.splitlines():
        match = re.match(r"^\| \*\*(\w+)\*\*[^|]*\|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    assert set(rows) == {s.value for s in Status}
    for source, cells in rows.items():
        allowed = {order[i].value for i, cell in enumerate(cells) if cell.startswith("✓")}
        assert allowed == {t.value for t in TRANSITIONS[Status(source)]}, source
