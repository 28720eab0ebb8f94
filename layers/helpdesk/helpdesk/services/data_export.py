"""Use case: a customer's data as one ZIP (DSGVO Art. 15 information, Art. 20 portability), for admins.

**Never in a response.** The ZIP is streamed into the mail bucket (``exports/<hash>/<job>.zip``, a
multipart upload, one 8 MB part in memory at a time) by a job: the request that asks for it works on it
for up to 15 seconds, and the scheduled function (``functions/autoclose``, 300 s) builds whatever did
not finish then, from the start (a ZIP cut short is never completed: its unfinished upload is removed by
the bucket's rule after a day). The admin downloads it with a presigned link; the bucket's lifecycle
deletes exports after a day (``template.yaml``: rule ``exports``), and erasing the customer deletes
them at once.

**What is in it** (``docs/data-protection.md``): ``customer.json`` (the customer record),
``configuration.json`` (the team's records that name them: kind, name and the fields, not the records),
``tickets/<number>/ticket.json`` for each of their tickets (the ticket, every message that names them as
sender or recipient — with long bodies read back from S3 —, internal comments, the history),
``tickets/<number>/mails/…eml`` (the mails as received), ``tickets/<number>/attachments/…``, the same for
tickets of others they wrote in or were sent a copy of (only the messages that name them; no comments,
no history), and ``LIESMICH.txt`` (German and English). Messages of others that do not name them stay
out (Art. 15(4)); ``counts.messages_left_out`` says how many.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import field
from typing import Any

from ..aws.s3 import MailStore
from ..domain.clock import iso
from ..domain.dataclass import dataclass
from ..domain.export import entry_name, names_person, safe_name
from ..domain.headers import normalize_address
from ..domain.ids import new_id
from ..domain.privacy import changed_paths, subject_hash
from ..store import audit, customers, erasure, jobs
from ..store.models import (
    AddressMap,
    CommentItem,
    EventItem,
    MessageItem,
    MetaItem,
    TicketItem,
)
from ..store.tickets import TicketStore, participant_scan
from .privacy import EXPORT_PREFIX, config_naming, needles_of

EXPORT_PK = "JOB#export"
LINK_SECONDS = 900  # the presigned download link
MARGIN_SECONDS = 5.0
MAX_ATTEMPTS = 6  # the request's, pushes, then the scheduled runs: an export that never fits gives up
CHUNK = 1024 * 1024  # bytes copied from S3 into the ZIP at a time

TimeLeft = Callable[[], float]

README = """Datenauskunft / Data export

DE: Diese Datei enthält die Daten, die der Helpdesk über {address} gespeichert hat (Stand {at}):
customer.json: der Kundendatensatz; tickets/<Nummer>/ticket.json: das Ticket, jede Nachricht von
oder an diese Adresse, interne Kommentare und der Verlauf; mails/: die Mails wie empfangen;
attachments/: die Anhänge. Tickets anderer, an denen die Adresse beteiligt war, enthalten nur die
Nachrichten von oder an sie. configuration.json: Einträge der Konfiguration des Teams (gespeicherte
Ansichten, Regeln …), die die Adresse, den Namen oder die Telefonnummer nennen: Art, Name, Felder.

EN: This file holds what the helpdesk stores about {address} (as of {at}): customer.json: the
customer record; tickets/<number>/ticket.json: the ticket, every message from or to this address,
internal comments and the history; mails/: the mails as received; attachments/: the attachments.
Tickets of others the address took part in hold only the messages from or to it.
configuration.json: the team's configuration records (saved views, rules …) that name the address,
the name or the phone number: their kind, name and fields.
"""


class OutOfTime(Exception):
    """The run's time is up: the ZIP is abandoned and the next run builds it again."""


@dataclass
class Export:
    id: str
    state: str  # running | done | failed (it did not fit into one run, MAX_ATTEMPTS times)
    subject: str  # the customer's hash
    actor: str
    started_at: str
    finished_at: str | None = None
    key: str | None = None
    size: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    address: str | None = None  # only while running
    attempts: int = 0  # runs that ran out of time; after MAX_ATTEMPTS the job fails (it never fits one run)

    def data(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "actor": self.actor,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "key": self.key,
            "size": self.size,
            "counts": self.counts,
            "address": self.address,
            "attempts": self.attempts,
        }

    @classmethod
    def of(cls, item: MetaItem) -> Export:
        d = item.data if isinstance(item.data, dict) else {}
        return cls(
            id=item.sk,
            state=item.state or "running",
            subject=str(d.get("subject", "")),
            actor=str(d.get("actor", "")),
            started_at=str(d.get("started_at", "")),
            finished_at=d.get("finished_at"),
            key=d.get("key"),
            size=int(d.get("size") or 0),
            counts=dict(d.get("counts") or {}),
            address=d.get("address"),
            attempts=int(d.get("attempts") or 0),
        )

    @property
    def filename(self) -> str:
        return f"datenauskunft-{self.subject}-{self.started_at[:10]}.zip"


def start_export(email: str, mail: MailStore, *, actor: str, time_left: TimeLeft | None = None) -> Export:
    """Create the job and build the ZIP if ``time_left`` allows; else the scheduled function builds it."""
    address = normalize_address(email) or email.strip().lower()
    job = Export(new_id(), "running", subject_hash(address), actor, iso(), address=address)
    jobs.create(EXPORT_PK, job.id, job.data(), job.started_at)
    return run_export(job.id, mail, time_left=time_left)


def get_export(job_id: str) -> Export | None:
    item = jobs.load(EXPORT_PK, job_id)
    return None if item is None else Export.of(item)


def download_url(job: Export, mail: MailStore) -> str | None:
    if job.state != "done" or not job.key:
        return None
    return mail.download_url(job.key, job.filename, "application/zip", expires=LINK_SECONDS)


def _save(job: Export, *, release: bool = False) -> None:
    jobs.save(EXPORT_PK, job.id, job.state, job.data(), release=release)


def run_export(job_id: str, mail: MailStore, *, time_left: TimeLeft | None = None) -> Export:
    """Build the ZIP of a running job in one go, or leave the job running when the time is not enough."""
    job = get_export(job_id)
    if job is None or job.state != "running" or not jobs.claim(EXPORT_PK, job_id):
        return job or Export(job_id, "missing", "", "", "")

    def out_of_time() -> None:
        if time_left is not None and time_left() < MARGIN_SECONDS:
            raise OutOfTime

    key = f"{EXPORT_PREFIX}{job.subject}/{job.id}.zip"
    sink = mail.writer(key, "application/zip")
    try:
        counts = write_zip(sink, job.address or "", mail, out_of_time)
    except OutOfTime:
        sink.abandon()
        job.attempts += 1
        if job.attempts >= MAX_ATTEMPTS:  # too big for one run: say so instead of retrying every hour forever
            job.state, job.finished_at, job.address = "failed", iso(), None
        _save(job, release=True)
        return job
    except BaseException:
        sink.abandon()
        _save(job, release=True)
        raise
    sink.close()
    job.state, job.finished_at, job.key, job.size, job.counts = "done", iso(), key, sink.size, counts
    job.address = None
    _save(job, release=True)
    audit.record("customer.exported", f"customer #{job.subject}", job.actor, detail={"job": job.id, **counts})
    return job


def run_pending(mail: MailStore, *, time_left: TimeLeft | None = None) -> list[Export]:
    """The scheduled function's part: build every export a request could not finish, oldest first."""
    ran: list[Export] = []
    for item in jobs.running(EXPORT_PK):
        if time_left is not None and time_left() < MARGIN_SECONDS:
            break
        ran.append(run_export(item.sk, mail, time_left=time_left))
    return ran


# -------------------------------------------------------------------------------------------- the ZIP


def _addresses(found: list[AddressMap] | None) -> list[dict[str, str]]:
    return [{"name": a.name or "", "address": a.address} for a in found or []]


def _headers(message: MessageItem) -> list[str]:
    return [a.address for a in [*([message.from_addr] if message.from_addr else []), *message.to, *message.cc]]


def _copy(
    zf: zipfile.ZipFile, name: str, key: str, mail: MailStore, out_of_time: Callable[[], None], *, compress: bool
) -> int:
    """An S3 object into the ZIP, a megabyte at a time (a 40 MB attachment never sits in memory whole).
    ``compress``: deflate it (mails, text); attachments are mostly compressed already (PDF, images, Office
    files) and are stored as they are — deflating them again costs time and gains nothing."""
    body = mail.stream(key)
    size = 0
    info = zipfile.ZipInfo(name, date_time=time.gmtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zf.open(info, "w", force_zip64=True) as out:
        while chunk := body.read(CHUNK):
            out_of_time()
            out.write(chunk)
            size += len(chunk)
    return size


def _ticket_json(ticket: TicketItem, own: bool) -> dict[str, Any]:
    base: dict[str, Any] = {
        "number": ticket.number,
        "subject": ticket.subject,
        "role": "customer" if own else "participant",
    }
    if own:
        base |= {
            "status": ticket.status,
            "priority": ticket.priority,
            "queue": ticket.queue,
            "channel": ticket.channel,
            "customer": {"name": ticket.customer_name or "", "address": ticket.customer_email or ""},
            "tags": list(ticket.tags or []),
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
            "closed_at": ticket.closed_at,
            "merged_into": ticket.merged_into,
        }
    return base


def _ticket_entries(
    zf: zipfile.ZipFile,
    ticket_id: str,
    address: str,
    mail: MailStore,
    out_of_time: Callable[[], None],
    counts: dict[str, int],
    *,
    own: bool,
) -> None:
    items = list(TicketStore().partition(ticket_id))
    ticket = next((i for i in items if isinstance(i, TicketItem)), None)
    if ticket is None or (own and (ticket.customer_email or "").lower() != address):
        return
    folder = f"tickets/{safe_name(ticket.number, ticket_id)}"
    taken: set[str] = set()
    doc = _ticket_json(ticket, own)
    doc["messages"] = []
    for message in sorted((i for i in items if isinstance(i, MessageItem)), key=lambda m: m.created_at):
        out_of_time()
        if not names_person(_headers(message), address):
            counts["messages_left_out"] = counts.get("messages_left_out", 0) + 1
            continue
        text, html = message.text, message.html
        if message.body_key:
            body = json.loads(mail.get(message.body_key))
            text, html = str(body.get("text", "")), str(body.get("html", ""))
        entry: dict[str, Any] = {
            "id": message.id,
            "direction": message.direction,
            "channel": message.channel,
            "from": _addresses([message.from_addr] if message.from_addr else []),
            "to": _addresses(message.to),
            "cc": _addresses(message.cc),
            "subject": message.subject,
            "created_at": message.created_at,
            "text": text,
            "html": html,
            "attachments": [],
        }
        if message.raw_key:
            name = entry_name(f"{folder}/mails", f"{message.created_at[:19].replace(':', '-')}.eml", taken)
            _copy(zf, name, message.raw_key, mail, out_of_time, compress=True)
            entry["raw_mail"] = name
            counts["mails"] = counts.get("mails", 0) + 1
        for att in message.attachments or []:
            name = entry_name(f"{folder}/attachments", att.filename, taken)
            _copy(zf, name, att.key, mail, out_of_time, compress=att.content_type.startswith("text/"))
            entry["attachments"].append(
                {"filename": att.filename, "content_type": att.content_type, "size": int(att.size), "file": name}
            )
            counts["attachments"] = counts.get("attachments", 0) + 1
        doc["messages"].append(entry)
        counts["messages"] = counts.get("messages", 0) + 1
    if own:
        doc["comments"] = [
            {"author": c.author, "body": c.body, "created_at": c.created_at}
            for c in sorted((i for i in items if isinstance(i, CommentItem)), key=lambda c: c.created_at)
        ]
        doc["history"] = [
            {"type": e.type, "actor": e.actor, "detail": e.detail or {}, "created_at": e.created_at}
            for e in sorted((i for i in items if isinstance(i, EventItem)), key=lambda e: e.created_at)
        ]
    elif not doc["messages"]:
        return
    zf.writestr(entry_name(folder, "ticket.json", taken), json.dumps(doc, ensure_ascii=False, indent=2))
    counts["tickets"] = counts.get("tickets", 0) + 1


def _others_tickets(address: str) -> Iterator[str]:
    """Tickets of others that name them as a participant (a paged Scan: no index names every participant)."""
    start: dict[str, Any] | None = None
    while True:
        page, start = participant_scan(address, 200, start)
        yield from (ticket_id for ticket_id, customer in page if customer.lower() != address)
        if not start:
            return


def write_zip(sink: Any, address: str, mail: MailStore, out_of_time: Callable[[], None]) -> dict[str, int]:
    """Everything about ``address`` as a ZIP written into ``sink`` (any writable stream); returns the counts."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("LIESMICH.txt", README.format(address=address, at=iso()))
        customer = customers.get(address)
        record = (
            {
                key: getattr(customer, key)
                for key in ("email", "name", "company", "phone", "notes", "external_id", "created_at", "updated_at")
            }
            if customer
            else None
        )
        zf.writestr("customer.json", json.dumps(record, ensure_ascii=False, indent=2))
        named = [
            {
                "record": item.key.partition("#")[0],
                "name": (item.data or {}).get("name"),
                "fields": changed_paths(item.data, redacted),
            }
            for item, redacted in config_naming(address, needles_of(address, customer))
        ]
        zf.writestr("configuration.json", json.dumps(named, ensure_ascii=False, indent=2))
        counts["configuration_records"] = len(named)
        for ticket in erasure.customer_tickets(address):
            out_of_time()
            _ticket_entries(zf, ticket.pk, address, mail, out_of_time, counts, own=True)
        for ticket_id in _others_tickets(address):
            out_of_time()
            _ticket_entries(zf, ticket_id, address, mail, out_of_time, counts, own=False)
    return counts
