"""A very large ticket stays under Lambda's 6 MB response limit (issue 13, part 5): the newest messages keep
their bodies, older ones come without and are loaded on demand; nothing is lost."""

from __future__ import annotations

import json
from typing import Any

from .api_client import make_api
from .helpers import ingest, make_mail

LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024
QUOTED = '"Zitat" und \\Pfad\\ ' * 3_500  # ~70 KB of the characters JSON escapes, twice in the proxy envelope


def proxy_size(status: int, headers: dict[str, str], body: str) -> int:
    return len(json.dumps({"statusCode": status, "headers": headers, "body": body}))


def test_fifty_large_messages_stay_under_six_mb_and_every_body_can_still_be_read(aws: Any) -> None:
    first_id = "<large-0@kunde.example>"
    ingest(aws, make_mail(subject="Große Sache", body=f"Nachricht 0\n{QUOTED}", message_id=first_id))
    for n in range(1, 50):
        ingest(
            aws,
            make_mail(
                subject="Re: Große Sache",
                body=f"Nachricht {n}\n{QUOTED}",
                message_id=f"<large-{n}@kunde.example>",
                in_reply_to=first_id,
            ),
        )
    api = make_api(aws)
    listed = api.get("/tickets", user="agent", query={"status": "new,open"}).json["items"]
    assert len(listed) == 1
    ticket_id = listed[0]["id"]

    response = api.get(f"/tickets/{ticket_id}", user="agent")
    assert response.status == 200
    assert proxy_size(response.status, response.headers, response.text) < LAMBDA_RESPONSE_LIMIT
    messages = response.json["messages"]
    inbound = [m for m in messages if m["direction"] == "inbound"]
    assert len(inbound) == 50  # (and the auto-reply to the first)
    newest, oldest = inbound[-1], inbound[0]
    assert newest["text"].startswith("Nachricht 49") and not newest["omitted"]
    assert oldest["omitted"] and oldest["truncated"] and oldest["text"] == ""
    kept = [m for m in inbound if not m["omitted"]]
    assert len(kept) >= 10 and kept == inbound[len(inbound) - len(kept) :]  # the newest keep their bodies
    assert not next(m for m in messages if m["direction"] == "outbound")["omitted"]  # small ones still fit
    full = api.get(f"/tickets/{ticket_id}/messages/{oldest['id']}/body", user="agent").json
    assert full["text"].startswith("Nachricht 0") and QUOTED.strip() in full["text"]
