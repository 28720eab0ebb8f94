"""Helpers for integration tests: build mails, ingest them through S3 as SES would, count AWS calls."""

from __future__ import annotations

import contextlib
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import botocore.handlers

from helpdesk.domain.clock import now
from helpdesk.domain.ids import new_id


def make_mail(
    *,
    sender: str = "Jürgen Müller <juergen@kunde.example>",
    to: str = "support@example.com",
    subject: str = "Lieferung fehlt",
    body: str = "Guten Tag,\n\nmeine Bestellung ist nicht angekommen.\n\nGruß",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = message_id or make_msgid(domain="kunde.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for filename, ctype, data in attachments or []:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def put_inbound(aws: Any, raw: bytes, key: str | None = None) -> str:
    key = key or f"inbound/{new_id().lower()}"
    aws.client("s3").put_object(Bucket=aws.bucket, Key=key, Body=raw)
    return key


def ingest(aws: Any, raw: bytes, key: str | None = None) -> Any:
    from helpdesk.bootstrap import ingest_deps
    from helpdesk.services.ingest import ingest_object

    return ingest_object(aws.bucket, put_inbound(aws, raw, key), ingest_deps())


def sent_mails() -> list[Any]:
    """Messages moto's SES recorded, parsed."""
    from email import message_from_bytes, policy

    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"]
    # moto keeps the raw message as text (decoded UTF-8); parse the bytes, as a mail program would.
    return [message_from_bytes(m.raw_data.encode("utf-8"), policy=policy.default) for m in backend.sent_messages]


def reset_sent() -> None:
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    ses_backends[DEFAULT_ACCOUNT_ID]["eu-central-1"].sent_messages.clear()


@contextlib.contextmanager
def count_aws_calls() -> Iterator[Counter[str]]:
    """Count every AWS API call (boto3 and pynamodb alike) made inside the block: "service.Operation"."""
    from helpdesk.aws.clients import reset_clients
    from helpdesk.store.models import bind

    calls: Counter[str] = Counter()

    def hook(event_name: str, **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        calls[f"{service}.{operation}"] += 1

    entry = ("before-call.*.*", hook)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)
    reset_clients()
    bind()  # pynamodb opens new connections (new botocore sessions) that carry the hook
    try:
        yield calls
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove(entry)
        reset_clients()
        bind()


def add_catastrophic_rule() -> None:
    """An admin's rule whose regex backtracks forever on "aaa…a!" (it must count as undecided)."""
    from helpdesk.bootstrap import config_store
    from helpdesk.domain.config import Condition, Rule, RuleActions

    config_store().put(
        "rule",
        Rule(
            id="slow",
            name="Langsame Regel",
            conditions=[Condition(field="body", op="regex", value=r"(a|aa)+$")],
            actions=RuleActions(tags=["nie"]),
        ),
    )


def presigned_post(url: str, fields: dict[str, str], data: bytes, content_type: str) -> None:
    """Upload as a browser does: a multipart form POST to the presigned URL (moto's S3)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    urllib.request.urlopen(request, timeout=10).read()


@contextlib.contextmanager
def count_items_read() -> Iterator[Counter[str]]:
    """Count the items every AWS call inside the block answered with, by "service.Operation" (a GetItem's
    item, a Query's page of items, a BatchGetItem's responses)."""
    from helpdesk.aws.clients import reset_clients
    from helpdesk.store.models import bind

    items: Counter[str] = Counter()

    def hook(event_name: str, parsed: dict[str, Any], **kwargs: Any) -> None:
        _, service, operation = event_name.split(".", 2)
        found = len(parsed.get("Items", [])) + (1 if parsed.get("Item") else 0)
        found += sum(len(v) for v in (parsed.get("Responses") or {}).values() if isinstance(v, list))
        items[f"{service}.{operation}"] += found

    entry = ("after-call.*.*", hook)
    botocore.handlers.BUILTIN_HANDLERS.append(entry)
    reset_clients()
    bind()
    try:
        yield items
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove(entry)
        reset_clients()
        bind()


def ticket_shown(aws: Any, api: Any, **mail: Any) -> dict[str, Any]:
    """A ticket made of a mail (``make_mail``'s arguments), as the API shows it to the admin."""
    result = ingest(aws, make_mail(**mail))
    response = api.get(f"/tickets/{result.ticket_id}", user="admin")
    assert response.status == 200
    return response.json  # type: ignore[no-any-return]
