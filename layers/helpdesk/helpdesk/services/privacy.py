"""Use cases of data protection (DSGVO): delete a ticket for good, empty the Papierkorb, erase a customer.

**One purge function per ticket.** :func:`purge_ticket` removes every trace of one ticket: its
messages, comments, events and tag items, the ``MID#``/``NUM#`` lookups, the raw mails, attachments
and long bodies in S3, and the ticket with its share of the live counters. Everything that deletes a
ticket (the Papierkorb's "endgültig löschen", emptying the Papierkorb, erasing a customer) calls it. A
store of per-ticket data added later (e.g. a search index) hooks its clean-up in here, in
:func:`_purge_derived`. The ticket item goes last: a purge cut short leaves the ticket listed, and
running it again finishes the job (every step is idempotent).

**Erasing a customer is a resumable job.** :func:`start_erasure` writes a job item (meta table,
``JOB#privacy``) and works on it until the request's time budget ends; the scheduled job
(``functions/autoclose``) continues every unfinished job on each run (:func:`run_pending`). The
job's state (phase, cursor, counts) is saved after each ticket, and each ticket's step is idempotent,
so a Lambda that times out mid-way repeats at most one ticket. A lease (``value`` = until when)
keeps two runners off the same job. When the job ends, the address leaves the job item and an audit
entry names the customer by a hash only ("customer #3f2a… deleted by admin, 37 tickets").

Phases (``domain/privacy.py: Phase``): their own tickets (index ``by_customer``; deleted, or with
``shared=keep_others`` only their messages when others took part; or anonymized), their messages in
others' tickets (a resumable Scan over the tickets' participants: no index names every address), the
lookups keyed by their address (auto-reply window and daily count, contact-form rate limit), the team's
configuration naming them (a saved view's filter, a rule's condition: their address, full name or phone
number becomes "[gelöscht]") and the audit entries whose before/after name them (a resumable Scan of the audit months),
and the customer record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import field
from datetime import datetime, timedelta
from typing import Any

from ..aws.s3 import MailStore
from ..domain.clock import iso, now
from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass
from ..domain.headers import normalize_address
from ..domain.ids import new_id
from ..domain.privacy import (
    ERASED,
    ERASED_ADDRESS,
    ErasureMode,
    Phase,
    SharedTickets,
    anonymized,
    config_needles,
    erased_from_record,
    names_customer_config,
    next_phase,
    redact,
    redact_value,
    redacted_config,
    retention_cutoff,
    retention_years,
    shared_with_others,
    subject_hash,
    trash_cutoff,
)
from ..domain.status import Status
from ..store import audit, customers, erasure, jobs, ratelimit
from ..store.config_store import ConfigStore
from ..store.models import (
    AddressMap,
    CommentItem,
    ConfigItem,
    CustomerItem,
    EventItem,
    MessageItem,
    MetaItem,
    TicketItem,
)
from ..store.search_index import SearchIndex
from ..store.tickets import (
    TicketStore,
    autoreply_day_key,
    autoreply_key,
    new_event,
    participant_scan,
    valid_ticket_id,
)
from ..store.unit import Conflict, Unit
from ..store.writes import Snapshot, forget_ticket, write_ticket
from .search import index_customer, index_ticket

UPLOAD_PREFIX = "uploads/"  # reply attachments before they are sent (services/replies.py)
EXPORT_PREFIX = "exports/"  # customers' data exports, exports/<subject hash>/ (services/data_export.py)
JOB_PK = "JOB#privacy"
MARGIN_SECONDS = 10.0
PAGE = 25  # tickets per Query of the job
SCAN_PAGE = 200  # items per Scan page (shared tickets)
# Items per Scan page of the meta table for the audit log's entries: the Scan reads every lookup, counter and
# window too (45,031 items, 15 MB at 10,000 tickets: about 23 pages, and DynamoDB's 1 MB per page bounds each).
AUDIT_SCAN_PAGE = 2000

TimeLeft = Callable[[], float]


class NotInTrash(Exception):
    """Only a ticket in the Papierkorb can be deleted for good."""


# ------------------------------------------------------------------------------------- one ticket


@dataclass
class Purged:
    ticket_id: str
    number: str | None = None
    found: bool = False
    messages: int = 0
    objects: int = 0


def message_objects(message: MessageItem) -> set[str]:
    """The S3 objects a message names: raw mail, long body, attachments (also "attach original")."""
    keys = {key for key in (message.raw_key, message.body_key) if key}
    keys |= {att.key for att in message.attachments or [] if att.key}
    return keys


def _delete_objects(mail: MailStore, keys: Iterable[str]) -> int:
    count = 0
    for key in sorted(set(keys)):
        mail.delete(key)  # S3 answers 204 for a key already gone: a repeated purge is fine
        count += 1
    return count


def _purge_derived(ticket_id: str) -> None:
    """Per-ticket data kept outside the ticket's partition and its lookups: the search index's postings
    (every deletion path — Papierkorb, retention, erasure — takes them along)."""
    SearchIndex().replace(ticket_id, {})


def purge_ticket(ticket_id: str, mail: MailStore) -> Purged:
    """Delete one ticket and everything of it, for good. Idempotent; the ticket item goes last."""
    result = Purged(ticket_id)
    if not valid_ticket_id(ticket_id):
        return result
    for _ in range(5):
        items = erasure.partition(ticket_id)
        ticket = next((i for i in items if isinstance(i, TicketItem)), None)
        messages = [i for i in items if isinstance(i, MessageItem)]
        result.found = result.found or bool(items)
        result.number = ticket.number if ticket else result.number
        objects = set().union(*(message_objects(m) for m in messages)) if messages else set()
        objects |= set(mail.keys(f"{UPLOAD_PREFIX}{ticket_id}/"))
        result.objects += _delete_objects(mail, objects)
        erasure.delete_lookups(ticket_id, messages, ticket.number if ticket else None)
        _purge_derived(ticket_id)
        erasure.delete_timeline(items)
        result.messages += len(messages)
        if ticket is None:
            return result
        unit = Unit()
        forget_ticket(unit, ticket)
        try:
            unit.commit()
        except Conflict:
            continue  # the ticket changed meanwhile (a mail arrived): purge what came with it too
        erasure.uncount_customer(ticket.customer_email)
        return result
    raise RuntimeError(f"ticket {ticket_id} kept changing while being deleted; try again")


def delete_for_good(ticket_id: str, mail: MailStore, *, actor: str) -> Purged:
    """The Papierkorb's "endgültig löschen" (admins): only a ticket in the Papierkorb, with an audit entry."""
    ticket = erasure.ticket(ticket_id) if valid_ticket_id(ticket_id) else None
    if ticket is None:
        raise LookupError(ticket_id)
    if ticket.status != Status.TRASH.value:
        raise NotInTrash(f"{ticket.number} is not in the Papierkorb; move it there first")
    purged = purge_ticket(ticket_id, mail)
    audit.record("ticket.deleted", ticket.number, actor, detail={"messages": purged.messages, "reason": "trash"})
    return purged


@dataclass
class TrashReport:
    deleted: int = 0
    numbers: list[str] = field(default_factory=list)
    stopped_early: bool = False


def empty_trash(
    mail: MailStore, days: int, *, at: datetime | None = None, time_left: TimeLeft | None = None
) -> TrashReport:
    """The scheduled job: tickets in the Papierkorb unchanged for ``days`` days go for good (0: none)."""
    report = TrashReport()
    cutoff = trash_cutoff(days, at or now())
    if cutoff is None:
        return report
    for ticket in erasure.in_bucket_before("trash", cutoff):
        if time_left is not None and time_left() < MARGIN_SECONDS:
            report.stopped_early = True
            break
        if ticket.status != Status.TRASH.value:
            continue
        purge_ticket(ticket.pk, mail)
        report.deleted += 1
        report.numbers.append(ticket.number)
    if report.deleted:
        audit.record(
            "ticket.deleted",
            f"{report.deleted} tickets",
            "system",
            detail={"numbers": report.numbers[:500], "reason": "trash_retention", "days": days},
        )
    return report


# ------------------------------------------------------------------------- a person inside a ticket


def _is_theirs(message: MessageItem, people: set[str]) -> bool:
    """Their mail, or ours to them."""
    sender = message.from_addr.address.lower() if message.from_addr else ""
    if sender in people:
        return True
    return message.direction == "outbound" and any(a.address.lower() in people for a in message.to or [])


def _addresses(found: Iterable[AddressMap], people: set[str]) -> list[AddressMap]:
    return [AddressMap(name="", address=ERASED_ADDRESS) if a.address.lower() in people else a for a in found]


def _headers(message: MessageItem) -> list[AddressMap]:
    return [*([message.from_addr] if message.from_addr else []), *(message.to or []), *(message.cc or [])]


def _names(message: MessageItem, people: set[str]) -> bool:
    return any(a.address.lower() in people for a in _headers(message))


def _redact_body(mail: MailStore, key: str, needles: list[str]) -> None:
    """A long body kept in S3 (``bodies/``), with the person's data replaced."""
    data = json.loads(mail.get(key))
    redacted = redact_value(data, needles)
    if redacted != data:
        mail.put(key, json.dumps(redacted, ensure_ascii=False).encode(), "application/json")


@dataclass
class Rewritten:
    messages_deleted: int = 0
    messages_blanked: int = 0
    objects: int = 0


def rewrite_ticket(
    ticket_id: str,
    mail: MailStore,
    address: str | Iterable[str],
    needles: list[str],
    *,
    everything: bool,
    delete_theirs: bool,
) -> Rewritten:
    """Take a person out of a ticket that stays.

    Their messages (and ours to them) are deleted (``delete_theirs``) or blanked: body replaced,
    attachments, raw mail and long body deleted, their address replaced. ``everything``: every message
    counts as theirs (anonymizing their own ticket). In what stays, their address, name and phone are
    replaced (other messages, comments, event details, the ticket's subject and preview); the ticket
    forgets them as customer and participant. ``address``: one person, or several (retention). Idempotent.
    """
    done = Rewritten()
    people = {address.lower()} if isinstance(address, str) else {a.lower() for a in address if a}
    items = erasure.partition(ticket_id)
    needles = [*needles, *(p for p in people if p not in needles)]
    for item in items:  # the names they went by in this ticket's mail headers
        if isinstance(item, MessageItem):
            for a in _headers(item):
                if a.address.lower() in people and a.name and a.name not in needles:
                    needles.append(a.name)
    gone: set[str] = set()
    deleted: list[MessageItem] = []
    for item in items:
        if isinstance(item, MessageItem):
            theirs = everything or _is_theirs(item, people)
            if theirs and delete_theirs:
                gone |= message_objects(item)
                deleted.append(item)
                continue
            gone |= _rewrite_message(item, mail, people, needles, theirs=theirs)
            done.messages_blanked += 1 if theirs else 0
        elif isinstance(item, CommentItem):
            item.body = redact(item.body, needles)
        elif isinstance(item, EventItem):
            item.detail = redact_value(item.detail or {}, needles)
    if everything:  # their own ticket: the reply uploads too (a sent reply's files were copied out of them)
        gone |= set(mail.keys(f"{UPLOAD_PREFIX}{ticket_id}/"))
    for item in items:  # attachments of what stays that named a deleted object ("attach original")
        if isinstance(item, MessageItem) and item not in deleted:
            item.attachments = [a for a in item.attachments or [] if a.key not in gone]
    done.objects = _delete_objects(mail, gone)
    erasure.delete_lookups(ticket_id, deleted)
    erasure.rewrite_timeline(deleted, [item for item in items if item not in deleted])
    done.messages_deleted = len(deleted)
    kept = [i for i in items if isinstance(i, MessageItem) and i not in deleted and i.direction == "inbound"]
    preview = ERASED if everything or not kept else (kept[-1].new_text or kept[-1].text or "")[:300]
    _forget_person(ticket_id, people, needles, len(deleted), preview)
    index_ticket(ticket_id)  # the search postings of the ticket that stays lose her words now, not on the stream's time
    return done


def _rewrite_message(
    item: MessageItem, mail: MailStore, people: set[str], needles: list[str], *, theirs: bool
) -> set[str]:
    """A message that stays, without the person: blanked when it is ``theirs`` (body replaced, files, raw mail
    and long body gone), else redacted; their address replaced in its headers. Returns the objects to delete."""
    gone: set[str] = set()
    if theirs:
        gone |= message_objects(item)
        item.text = item.new_text = ERASED
        item.html = ""
        item.body_key = item.raw_key = None
        item.attachments = []
    else:
        item.text = redact(item.text or "", needles)
        item.html = redact(item.html or "", needles)
        item.new_text = redact(item.new_text or "", needles)
        if item.raw_key and _names(item, people):  # the raw mail's headers name them: it cannot be edited
            gone.add(item.raw_key)
            item.raw_key = None
        if item.body_key:
            _redact_body(mail, item.body_key, needles)
    item.subject = redact(item.subject or "", needles)
    item.from_addr = _addresses([item.from_addr], people)[0] if item.from_addr else None
    if item.from_addr and item.from_addr.address == ERASED_ADDRESS:
        item.from_addr.name = ""
    elif item.from_addr:
        item.from_addr.name = redact(item.from_addr.name or "", needles)
    item.to = _addresses(item.to or [], people)
    item.cc = _addresses(item.cc or [], people)
    return gone


def _forget_person(ticket_id: str, people: set[str], needles: list[str], deleted: int, preview: str) -> None:
    for _ in range(5):
        ticket = erasure.ticket(ticket_id)
        if ticket is None:
            return
        before = Snapshot.of(ticket)
        if (ticket.customer_email or "").lower() in people:
            ticket.customer_email = None
            ticket.customer_name = None
            ticket.customer_phone = None
        ticket.participants = {p for p in ticket.participants or set() if p.lower() not in people} or None
        ticket.subject = redact(ticket.subject or "", needles)
        ticket.preview = preview  # the newest message that stays (redacted), as the ingest sets it
        ticket.review_notes = [redact(n, needles) for n in ticket.review_notes or []]
        ticket.message_count = max(0, int(ticket.message_count or 0) - deleted)
        at = iso()
        event = new_event(ticket, "PersonalDataErased", "system", {"ticket_id": ticket.pk, "number": ticket.number}, at)
        unit = Unit()
        write_ticket(unit, ticket, before, [event])
        try:
            unit.commit()
        except Conflict:
            continue
        return
    raise RuntimeError(f"ticket {ticket_id} kept changing while being anonymized; try again")


# ------------------------------------------------------------------------------- the erasure job


@dataclass
class Job:
    id: str
    state: str  # running | done
    phase: str
    mode: str
    shared: str
    subject: str  # the hash naming the customer
    actor: str
    started_at: str
    finished_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    address: str | None = None  # only while running
    needles: list[str] = field(default_factory=list)  # address, name(s), phone: only while running
    cursor: dict[str, Any] | None = None

    def data(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "mode": self.mode,
            "shared": self.shared,
            "subject": self.subject,
            "actor": self.actor,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "counts": self.counts,
            "address": self.address,
            "needles": self.needles,
            "cursor": self.cursor,
        }

    @classmethod
    def of(cls, item: MetaItem) -> Job:
        d = item.data if isinstance(item.data, dict) else {}
        return cls(
            id=item.sk,
            state=item.state or "running",
            phase=str(d.get("phase", Phase.OWN)),
            mode=str(d.get("mode", ErasureMode.DELETE)),
            shared=str(d.get("shared", SharedTickets.DELETE)),
            subject=str(d.get("subject", "")),
            actor=str(d.get("actor", "")),
            started_at=str(d.get("started_at", "")),
            finished_at=d.get("finished_at"),
            counts=dict(d.get("counts") or {}),
            address=d.get("address"),
            needles=list(d.get("needles") or []),
            cursor=d.get("cursor"),
        )


@dataclass
class Preview:
    """What an erasure would take (the confirmation's dry run): their own tickets, messages, files."""

    subject: str
    customer: bool
    tickets: int
    shared_tickets: int  # their own tickets others took part in
    messages: int
    attachments: int
    numbers: list[str]
    attachments_complete: bool  # False: attachments counted in the first PREVIEW_READS tickets only
    config: list[str] = field(default_factory=list)  # "<kind>#<id>" of the team's records that name them


PREVIEW_READS = 50  # tickets whose messages the dry run reads for the attachment count (a request has 29 s)


def preview(email: str) -> Preview:
    address = normalize_address(email) or email.strip().lower()
    customer = _customer(address)
    tickets = list(erasure.customer_tickets(address))
    messages = sum(int(t.message_count or 0) for t in tickets)
    attachments = 0
    for ticket in tickets[:PREVIEW_READS]:
        for msg in TicketStore().messages(ticket.pk):
            attachments += len(msg.attachments or [])
    return Preview(
        subject=subject_hash(address),
        customer=customer is not None,
        tickets=len(tickets),
        shared_tickets=sum(1 for t in tickets if shared_with_others(t.participants or set(), address)),
        messages=messages,
        attachments=attachments,
        numbers=[t.number for t in tickets][:200],
        attachments_complete=len(tickets) <= PREVIEW_READS,
        config=[
            item.key for item, _ in config_naming(address, with_ticket_names(needles_of(address, customer), tickets))
        ],
    )


def needles_of(address: str, customer: CustomerItem | None) -> list[str]:
    """What names the customer before their tickets are read: the address, the record's name and phone."""
    found = [address]
    if customer is not None:
        found += [value for value in (customer.name, customer.phone) if value]
    return found


def with_ticket_names(needles: list[str], tickets: Iterable[TicketItem]) -> list[str]:
    """``needles`` and the names the customer's own tickets carry (a record keeps one name; each ticket
    the one its first mail gave), in order, once each. The job learns them ticket by ticket (phase own),
    the dry run from the list it shows, so both find the same configuration records."""
    names = [t.customer_name for t in tickets if t.customer_name]
    return list(dict.fromkeys([*needles, *names]))


def config_naming(address: str, needles: list[str]) -> list[tuple[ConfigItem, dict[str, Any]]]:
    """The team's configuration records that name the customer, each with its redacted data."""
    wanted = config_needles(address, needles)
    found = []
    for item in ConfigStore(ttl=0).stored():
        kind = item.key.partition("#")[0]
        data = erased_from_record(kind, item.data, wanted) if names_customer_config(item.key) else None
        if data is not None:
            found.append((item, data))
    return found


def _customer(address: str) -> CustomerItem | None:
    return customers.get(address, consistent=True)


def start_erasure(
    email: str,
    mail: MailStore,
    *,
    mode: ErasureMode,
    shared: SharedTickets,
    actor: str,
    time_left: TimeLeft | None = None,
) -> Job:
    """Create the job and run it as far as ``time_left`` allows; the scheduled job finishes the rest."""
    address = normalize_address(email) or email.strip().lower()
    customer = _customer(address)
    needles = needles_of(address, customer)
    job = Job(
        id=new_id(),
        state="running",
        phase=Phase.OWN.value,
        mode=mode.value,
        shared=shared.value,
        subject=subject_hash(address),
        actor=actor,
        started_at=iso(),
        address=address,
        needles=needles,
    )
    jobs.create(JOB_PK, job.id, job.data(), job.started_at)
    return run_erasure(job.id, mail, time_left=time_left)


def list_jobs(limit: int = 100) -> list[Job]:
    return [Job.of(i) for i in jobs.newest(JOB_PK, limit)]


def get_job(job_id: str) -> Job | None:
    item = jobs.load(JOB_PK, job_id)
    return None if item is None else Job.of(item)


def _save(job: Job, *, release: bool = False) -> None:
    jobs.save(JOB_PK, job.id, job.state, job.data(), release=release)


def _count(job: Job, **amounts: int) -> None:
    for name, amount in amounts.items():
        if amount:
            job.counts[name] = job.counts.get(name, 0) + amount


def run_erasure(job_id: str, mail: MailStore, *, time_left: TimeLeft | None = None) -> Job:
    """Work on one job until it is done or the time is up (then it stays ``running`` for the next run)."""
    job = get_job(job_id)
    if job is None or job.state != "running" or not jobs.claim(JOB_PK, job_id):
        return job or Job(job_id, "missing", "", "", "", "", "", "")

    def out_of_time() -> bool:
        return time_left is not None and time_left() < MARGIN_SECONDS

    try:
        while job.phase != Phase.DONE.value and not out_of_time():
            if _step(job, mail, out_of_time):
                job.phase = next_phase(Phase(job.phase)).value
                job.cursor = None
            _save(job)
        if job.phase == Phase.DONE.value:
            _finish(job)
    finally:
        _save(job, release=True)
    return job


def _step(job: Job, mail: MailStore, out_of_time: Callable[[], bool]) -> bool:
    """One page of the current phase; True when the phase is complete."""
    address = job.address or ""
    phase = Phase(job.phase)
    if phase is Phase.OWN:
        own = erasure.CustomerPage(address, PAGE, job.cursor or None)
        for ticket in own:
            if out_of_time():
                return False
            if isinstance(ticket, TicketItem):
                _own_ticket(job, ticket.pk, mail)
            job.cursor = own.last_key
            _save(job)
        return not own.last_key
    if phase is Phase.SHARED:
        page, cursor = participant_scan(address, SCAN_PAGE, job.cursor or None)
        for ticket_id, _ in page:
            rewritten = rewrite_ticket(
                ticket_id,
                mail,
                address,
                job.needles,
                everything=False,
                delete_theirs=job.mode == ErasureMode.DELETE.value,
            )
            _count(
                job,
                tickets_redacted=1,
                messages_deleted=rewritten.messages_deleted,
                messages_anonymized=rewritten.messages_blanked,
                objects_deleted=rewritten.objects,
            )
        job.cursor = cursor
        return not job.cursor
    if phase is Phase.LOOKUPS:
        today = now()
        keys = [autoreply_key(address)] + [
            autoreply_day_key(address, (today - timedelta(days=d)).strftime("%Y-%m-%d")) for d in (-1, 0, 1, 2)
        ]
        keys += ratelimit.bucket_keys(f"contact-address#{address}")
        erasure.delete_meta(keys)
        _count(job, objects_deleted=_delete_objects(mail, mail.keys(f"{EXPORT_PREFIX}{job.subject}/")))
        return True
    if phase is Phase.CONFIG:
        if not job.cursor:  # the records first (idempotent: a repeat finds nothing), then the audit, page by page
            _count(job, config_redacted=_redact_config(job, address))
        needles = config_needles(address, job.needles)
        entries, cursor = audit.scan_page(AUDIT_SCAN_PAGE, job.cursor or None)
        for entry in entries:
            data = redacted_config(entry.data, needles)
            if isinstance(data, dict):
                audit.rewrite(entry, data)
                _count(job, audit_redacted=1)
        job.cursor = cursor
        return not job.cursor
    if phase is Phase.CUSTOMER:
        customer = _customer(address)
        if customer is not None:
            customers.delete(customer)
            _count(job, customer_records=1)
        index_customer(address)  # (their postings leave the customer search)
        return True
    return True


def _redact_config(job: Job, address: str) -> int:
    """The team's records that name the customer (a saved view filtering by them, a rule on their address)
    keep their place and lose the address, full name or phone number: each becomes "[gelöscht]", which
    matches no mail and no ticket."""
    store = ConfigStore(ttl=0)
    found = config_naming(address, job.needles)
    for item, data in found:
        store.redact(item, data, job.actor, {"job": job.id, "customer": f"#{job.subject}"})
    return len(found)


def _own_ticket(job: Job, ticket_id: str, mail: MailStore) -> None:
    ticket = erasure.ticket(ticket_id)
    address = job.address or ""
    if ticket is None or (ticket.customer_email or "").lower() != address:
        return  # done before (the index follows the table within moments)
    job.needles = with_ticket_names(job.needles, [ticket])
    if job.mode == ErasureMode.ANONYMIZE.value:
        done = rewrite_ticket(ticket_id, mail, address, job.needles, everything=True, delete_theirs=False)
        _count(job, tickets_anonymized=1, messages_anonymized=done.messages_blanked, objects_deleted=done.objects)
        return
    others = shared_with_others(ticket.participants or set(), address)
    if others and job.shared == SharedTickets.KEEP_OTHERS.value:
        done = rewrite_ticket(ticket_id, mail, address, job.needles, everything=False, delete_theirs=True)
        _count(job, tickets_redacted=1, messages_deleted=done.messages_deleted, objects_deleted=done.objects)
        return
    purged = purge_ticket(ticket_id, mail)
    _count(job, tickets_deleted=1, messages_deleted=purged.messages, objects_deleted=purged.objects)


def _finish(job: Job) -> None:
    job.state = "done"
    job.finished_at = iso()
    job.address = None
    job.needles = []
    job.cursor = None
    action = "customer.anonymized" if job.mode == ErasureMode.ANONYMIZE.value else "customer.deleted"
    audit.record(action, f"customer #{job.subject}", job.actor, detail={"job": job.id, **job.counts})


def run_pending(mail: MailStore, *, time_left: TimeLeft | None = None) -> list[Job]:
    """The scheduled job's part: continue every unfinished erasure, oldest first."""
    ran: list[Job] = []
    for item in jobs.running(JOB_PK):
        if time_left is not None and time_left() < MARGIN_SECONDS:
            break
        ran.append(run_erasure(item.sk, mail, time_left=time_left))
    return ran


# ------------------------------------------------------------------------------------------ retention


def anonymize_ticket(ticket_id: str, mail: MailStore) -> Rewritten | None:
    """Take every person outside the team out of a ticket that stays (retention's "anonymize")."""
    ticket = erasure.ticket(ticket_id)
    if ticket is None:
        return None
    people = {p for p in [ticket.customer_email or "", *(ticket.participants or set())] if p}
    needles = [n for n in (ticket.customer_name,) if n]
    return rewrite_ticket(ticket_id, mail, people, needles, everything=True, delete_theirs=False)


@dataclass
class RetentionAction:
    ticket_id: str
    number: str
    queue: str
    updated_at: str
    action: str  # delete | anonymize
    result: str = "planned"  # planned (dry run) | done


@dataclass
class RetentionReport:
    examined: int = 0
    deleted: int = 0
    anonymized: int = 0
    stopped_early: bool = False
    actions: list[RetentionAction] = field(default_factory=list)


def apply_retention(
    mail: MailStore,
    cfg: ConfigSnapshot,
    *,
    at: datetime | None = None,
    dry_run: bool = False,
    time_left: TimeLeft | None = None,
    limit: int | None = None,
) -> RetentionReport:
    """Closed tickets unchanged for their queue's retention years (else the team's) are deleted or anonymized
    (``retention_action``); ``dry_run`` lists them. Candidates come oldest first from ``by_bucket`` (closed)."""
    report = RetentionReport()
    moment = at or now()
    team = cfg.settings.retention_years
    years = {q.id: retention_years(q.retention_years, team) for q in cfg.queues}
    cutoffs = [c for c in (retention_cutoff(y, moment) for y in [team, *years.values()]) if c]
    if not cutoffs:
        return report
    action = cfg.settings.retention_action
    for ticket in erasure.in_bucket_before("closed", max(cutoffs)):
        if (time_left is not None and time_left() < MARGIN_SECONDS) or (limit and len(report.actions) >= limit):
            report.stopped_early = True
            break
        report.examined += 1
        cutoff = retention_cutoff(years.get(ticket.queue, team), moment)
        if cutoff is None or ticket.updated_at >= cutoff:
            continue
        if action == "anonymize" and anonymized(ticket.customer_email, ticket.participants or set(), ticket.preview):
            continue
        planned = RetentionAction(ticket.pk, ticket.number, ticket.queue, ticket.updated_at, action)
        report.actions.append(planned)
        if dry_run:
            continue
        if action == "anonymize":
            anonymize_ticket(ticket.pk, mail)
            report.anonymized += 1
        else:
            purge_ticket(ticket.pk, mail)
            report.deleted += 1
        planned.result = "done"
    if report.deleted or report.anonymized:
        audit.record(
            f"ticket.{'anonymized' if action == 'anonymize' else 'deleted'}",
            f"{len([a for a in report.actions if a.result == 'done'])} tickets",
            "system",
            detail={"numbers": [a.number for a in report.actions][:500], "reason": "retention"},
        )
    return report


@dataclass
class ScheduledReport:
    jobs: int = 0
    jobs_done: int = 0
    trash_deleted: int = 0
    retention_deleted: int = 0
    retention_anonymized: int = 0


def scheduled(mail: MailStore, cfg: ConfigSnapshot, *, time_left: TimeLeft | None = None) -> ScheduledReport:
    """What the scheduled function (``functions/autoclose``) does for data protection on every run:
    continue unfinished erasures, empty the Papierkorb (``trash_retention_days``), apply retention."""
    jobs = run_pending(mail, time_left=time_left)
    trash = empty_trash(mail, cfg.settings.trash_retention_days, time_left=time_left)
    kept = apply_retention(mail, cfg, time_left=time_left)
    return ScheduledReport(
        len(jobs), sum(1 for j in jobs if j.state == "done"), trash.deleted, kept.deleted, kept.anonymized
    )
