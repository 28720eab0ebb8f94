"""pynamodb models: the tables, their keys and indexes. ``docs/data-model.md`` explains each choice.

Four tables:

``tickets``   one partition per ticket (``pk`` = ticket id): the ticket item (``sk = TICKET``), its tag
              items (``TAG#…``), messages (``MSG#…``), internal comments (``CMT#…``), events
              (``EVT#…``) and the agents' read marks (``READ#<agent>``). A ticket's detail is one
              Query. Sparse GSIs serve the lists.
``meta``      unique lookups and counters: Message-ID → ticket, number → ticket, number counters,
              auto-reply windows, rate limits, processed S3 objects, report aggregates. TTL on
              ``expires_at``.
``config``    mailboxes, queues, rules, templates, agents, settings (``kind`` + ``id``).
``customers`` one item per customer e-mail address, listed by name.

The tables and indexes declared here are the single source of truth for ``template.yaml`` checks
(``tests/unit/test_drift.py``); the local stack creates the tables from the template.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import pynamodb.connection.base
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from ..aws import sessions
from ..settings import TABLE_ENV  # the variables naming each table (template.yaml, the local stack)

# pynamodb makes a botocore session for each connection (one per model class) and thread; on a cold start
# each parsed the DynamoDB model again. Its sessions share the process's loader (helpdesk.aws.sessions).
setattr(pynamodb.connection.base, "get_session", sessions.session)  # noqa: B010 (not exported: mypy)


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"


def _host() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL") or None


class _Meta:
    region = _region()
    host = _host()
    max_retry_attempts = 5
    connect_timeout_seconds = 5
    read_timeout_seconds = 10


# --------------------------------------------------------------------------------------------- tickets


def _gsi_meta(name: str, include: list[str] | None = None) -> type:
    projection = IncludeProjection(include) if include else AllProjection()
    return type("Meta", (), {"index_name": name, "projection": projection})


class ByBucket(GlobalSecondaryIndex["TicketTableItem"]):
    """Inbox by bucket (active/closed/trash), newest update first. The default ticket list."""

    Meta = _gsi_meta("by_bucket")
    bucket = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class ByStatus(GlobalSecondaryIndex["TicketTableItem"]):
    """Explicit statuses (the status checkboxes)."""

    Meta = _gsi_meta("by_status")
    status = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class ByQueue(GlobalSecondaryIndex["TicketTableItem"]):
    """A queue's tickets per bucket: ``queue_bucket = "<queue>#<bucket>"``."""

    Meta = _gsi_meta("by_queue")
    queue_bucket = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class ByAssignee(GlobalSecondaryIndex["TicketTableItem"]):
    """An agent's tickets per bucket ("in Bearbeitung"); sparse: unassigned tickets are absent."""

    Meta = _gsi_meta("by_assignee")
    assignee_bucket = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class ByCustomer(GlobalSecondaryIndex["TicketTableItem"]):
    """A customer's tickets, every status."""

    Meta = _gsi_meta("by_customer")
    customer_email = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class ByDue(GlobalSecondaryIndex["TicketTableItem"]):
    """Active tickets with a due date, earliest first; sparse (``due_bucket`` only while active)."""

    Meta = _gsi_meta("by_due")
    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class ByCreated(GlobalSecondaryIndex["TicketTableItem"]):
    """Tickets per bucket by creation (and so by number: numbers are handed out in creation order)."""

    Meta = _gsi_meta("by_created")
    bucket = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ByCustomerName(GlobalSecondaryIndex["TicketTableItem"]):
    """Tickets per bucket by customer (``customer_key``: folded name or address, then the address)."""

    Meta = _gsi_meta("by_customer_name")
    bucket = UnicodeAttribute(hash_key=True)
    customer_key = UnicodeAttribute(range_key=True)


class ByWaiting(GlobalSecondaryIndex["TicketTableItem"]):
    """Tickets waiting for the customer, oldest first (autoclose); sparse."""

    Meta = _gsi_meta("by_waiting")
    waiting_pk = UnicodeAttribute(hash_key=True)
    waiting_since = UnicodeAttribute(range_key=True)


class BySla(GlobalSecondaryIndex["TicketTableItem"]):
    """Active tickets with a deadline not yet alerted (due date, first-response target), earliest first; sparse."""

    Meta = _gsi_meta("by_sla")
    sla_bucket = UnicodeAttribute(hash_key=True)
    sla_at = UnicodeAttribute(range_key=True)


class ByTag(GlobalSecondaryIndex["TicketTableItem"]):
    """Tag items (``TAG#…``) by ``"<tag>#<bucket>"``; the tickets follow in one BatchGet.

    Projects ``kind`` besides the keys: pynamodb filters queries on the polymorphic base model by it.
    """

    Meta = _gsi_meta("by_tag", include=["kind"])
    tag_bucket = UnicodeAttribute(hash_key=True)
    updated_at = UnicodeAttribute(range_key=True)


class TicketTableItem(Model):
    """Base of every item in the tickets table; ``kind`` tells them apart."""

    class Meta(_Meta):
        table_name = os.environ.get(TABLE_ENV["tickets"], "helpdesk-tickets")
        stream_view_type = "NEW_IMAGE"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()

    by_bucket: ClassVar[ByBucket] = ByBucket()
    by_status: ClassVar[ByStatus] = ByStatus()
    by_queue: ClassVar[ByQueue] = ByQueue()
    by_assignee: ClassVar[ByAssignee] = ByAssignee()
    by_customer: ClassVar[ByCustomer] = ByCustomer()
    by_due: ClassVar[ByDue] = ByDue()
    by_created: ClassVar[ByCreated] = ByCreated()
    by_customer_name: ClassVar[ByCustomerName] = ByCustomerName()
    by_waiting: ClassVar[ByWaiting] = ByWaiting()
    by_sla: ClassVar[BySla] = BySla()
    by_tag: ClassVar[ByTag] = ByTag()


TICKET_SK = "TICKET"


class LinkMap(MapAttribute[str, Any]):
    # parent | child | merged_into | merged_from | claimed | related | previous | split_into | split_from
    type = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    number = UnicodeAttribute(null=True)


class TicketItem(TicketTableItem, discriminator="ticket"):
    number = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    bucket = UnicodeAttribute()
    priority = UnicodeAttribute(default="medium")
    queue = UnicodeAttribute()
    queue_bucket = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    assignee_bucket = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute(null=True)
    customer_key = UnicodeAttribute(null=True)  # the customer sort (by_customer_name); set on every write
    customer_phone = UnicodeAttribute(null=True)  # a manual ticket's caller (also without e-mail)
    mailbox = UnicodeAttribute(null=True)
    project = UnicodeAttribute(null=True)
    type = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(default="email")  # email | phone | walk_in | web | contact_form
    tags = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    private = BooleanAttribute(default=False)
    personal = BooleanAttribute(default=False)
    prio = BooleanAttribute(default=False)
    unread = BooleanAttribute(default=True)
    review = BooleanAttribute(default=False)  # flagged for review: limits exceeded, quarantine, claimed number
    review_notes = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    due_at = UnicodeAttribute(null=True)
    due_bucket = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    merged_into = UnicodeAttribute(null=True)
    links = ListAttribute(of=LinkMap, default=list)
    participants = UnicodeSetAttribute(default=set)
    preview = UnicodeAttribute(default="")
    search = UnicodeAttribute(default="")  # lower-cased number, subject, customer: the free-text filter
    message_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    last_customer_at = UnicodeAttribute(null=True)
    last_agent_at = UnicodeAttribute(null=True)
    first_response_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    waiting_pk = UnicodeAttribute(null=True)
    waiting_since = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    overdue_at = UnicodeAttribute(null=True)
    response_due_at = UnicodeAttribute(null=True)  # the queue's first-response target, while unanswered
    sla_alerted = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # deadline keys
    sla_bucket = UnicodeAttribute(null=True)
    sla_at = UnicodeAttribute(null=True)
    # SLA and time triggers (issue 17, services/timed.py): the clocks (domain/sla.stored), the most urgent
    # clock's state when last computed (the list's sla filter), when the ticket needs a look next (in by_sla
    # through sla_at), and per time trigger the episode judged.
    sla = JSONAttribute(null=True)
    sla_state = UnicodeAttribute(null=True)
    look_at = UnicodeAttribute(null=True)
    timed_fired = JSONAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    automation_through = UnicodeAttribute(null=True)  # the last event (sk) triggers acted on: a stream retry not again
    # Entries in the thread (messages in and out, comments): grows with each, never with a field change.
    # A reply names the position its author saw (domain/conflicts.py); absent on tickets from before.
    thread_version = NumberAttribute(default=0)
    version = VersionAttribute()


class TagItem(TicketTableItem, discriminator="tag"):
    tag = UnicodeAttribute()
    tag_bucket = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class AttachmentMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute(null=True)
    key = UnicodeAttribute()
    content_id = UnicodeAttribute(null=True)
    inline = BooleanAttribute(default=False)
    note = UnicodeAttribute(null=True)


class AddressMap(MapAttribute[str, Any]):
    name = UnicodeAttribute(default="")
    address = UnicodeAttribute()


class MessageItem(TicketTableItem, discriminator="message"):
    id = UnicodeAttribute()
    direction = UnicodeAttribute()  # inbound | outbound
    channel = UnicodeAttribute(default="email")
    from_addr = AddressMap(null=True)
    to = ListAttribute(of=AddressMap, default=list)
    cc = ListAttribute(of=AddressMap, default=list)
    bcc = ListAttribute(of=AddressMap, default=list)  # outbound: blind copies (kept here, never in the mail)
    # None: the customer's conversation. "forward": a mail we forwarded, and the mail exchanged with its
    # recipients (their answers thread back; they are no participants, the customer never sees them).
    side = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(default="")
    text = UnicodeAttribute(default="")
    html = UnicodeAttribute(default="")
    new_text = UnicodeAttribute(default="")
    body_key = UnicodeAttribute(null=True)  # bodies too large for DynamoDB live in S3
    remote_images = NumberAttribute(default=0)
    message_id = UnicodeAttribute()
    index_id = UnicodeAttribute(null=True)  # the MID# key when it is not message_id (a reused Message-ID)
    in_reply_to = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    references = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    raw_key = UnicodeAttribute(null=True)
    mailbox = UnicodeAttribute(null=True)
    attachments = ListAttribute(of=AttachmentMap, default=list)
    verdicts = JSONAttribute(null=True)
    auto_submitted = UnicodeAttribute(null=True)
    defects = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    limit_exceeded = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    author = UnicodeAttribute(null=True)  # agent for outbound mail; "system" for auto-replies
    auto_reply = BooleanAttribute(default=False)
    rich = BooleanAttribute(null=True)  # outbound: written in the rich-text composer (the thread shows its HTML)
    send_state = UnicodeAttribute(
        null=True
    )  # outbound: pending | sending | sent | retry | failed | bounced | complained
    send_error = UnicodeAttribute(null=True)  # why it is not delivered: SES's refusal, the bounce
    send_attempts = NumberAttribute(null=True)  # tries handed to SES (claims)
    send_retry_at = UnicodeAttribute(null=True)  # retry: when the outbox sweep tries again
    ses_message_id = UnicodeAttribute(null=True)  # SES's MessageId (its ``SES#`` item finds the message)
    thread_seq = NumberAttribute(null=True)  # its position in the ticket's thread (ticket.thread_version)
    created_at = UnicodeAttribute()


class CommentItem(TicketTableItem, discriminator="comment"):
    id = UnicodeAttribute()
    author = UnicodeAttribute()
    body = UnicodeAttribute()
    tags = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    mentions = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # elements are str
    thread_seq = NumberAttribute(null=True)  # its position in the ticket's thread (ticket.thread_version)
    created_at = UnicodeAttribute()


class EventItem(TicketTableItem, discriminator="event"):
    """Audit trail and outbox: the publisher puts each new event item on the EventBridge bus."""

    id = UnicodeAttribute()
    type = UnicodeAttribute()  # TicketCreated | MessageAdded | StatusChanged | TicketUpdated | …
    actor = UnicodeAttribute()  # agent username, "customer", "third_party" (a forward's answer), "system", "rule:<id>"
    number = UnicodeAttribute(null=True)
    detail = JSONAttribute(default=dict)
    created_at = UnicodeAttribute()


class ReadItem(TicketTableItem, discriminator="read"):
    """One agent's read mark on one ticket (``sk = READ#<username>``): when they last opened it, and whether
    they marked it unread by hand. "Ungelesen" is per agent (``domain/reading.py``); the mark is no change
    of the ticket (no version, no event) and its stream record reaches only that agent's sockets."""

    agent = UnicodeAttribute()
    seen_at = UnicodeAttribute(null=True)  # when they last opened it (None: marked unread, never opened)
    seen_through = UnicodeAttribute(null=True)  # the ticket's last_customer_at they saw then
    unread = BooleanAttribute(default=False)  # marked unread by hand ("als ungelesen markieren")
    updated_at = UnicodeAttribute()


READ_PREFIX = "READ#"


# ------------------------------------------------------------------------------------------------ meta


class MetaItem(Model):
    """Unique lookups, counters, windows, aggregates. The key spaces (``pk`` prefixes):

    ``MID#<message-id>``   → ticket (threading and idempotency), ``sk = "MID"``
    ``NUM#<number>``       → ticket (subject threading, numbers unique), ``sk = "NUM"``
    ``CTR#<scope>``        number counter, ``value`` (``sk = "CTR"``)
    ``AR#<address>``       last auto-reply to an address (TTL window), ``sk = "AR"``
    ``ARD#<address>#<day>`` auto-replies to an address that day, ``value`` (TTL), ``sk = "ARD"``
    ``SUP#<address>``      no automatic mail to this address (bounced for good, complained), ``sk = "SUP"``
    ``SES#<ses-id>``       SES's MessageId of a mail we sent → ``ticket_id``, ``msg_sk``, ``sk = "SES"``
    ``OUTBOX``             mails SES refused for now, ``sk = "<retry-at>#<ticket>#<msg sk>"``
    ``RL#<key>``           rate-limit bucket (TTL)
    ``STAT#<period>``      report counters, ``sk`` = day/week key (``STAT#queue-day``: ``<day>#<queue>``)
    ``DUR#<kind>#<month>`` a first-response/resolution time, ``value`` seconds, ``queue`` of its ticket
                           (and ``owner`` when it is private)
    ``STAT#private-day``   report counters of private tickets, ``sk`` = ``<day>#<queue>#<owner>``
    ``BACKLOG``/``IN_USE`` live counters, ``sk`` = ``all``, ``queue#<queue>`` or ``private#<queue>#<owner>``
    """

    class Meta(_Meta):
        table_name = os.environ.get(TABLE_ENV["meta"], "helpdesk-meta")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    ticket_id = UnicodeAttribute(null=True)
    number = UnicodeAttribute(null=True)
    msg_sk = UnicodeAttribute(null=True)
    direction = UnicodeAttribute(null=True)
    state = UnicodeAttribute(null=True)
    value = NumberAttribute(null=True)
    data = JSONAttribute(null=True)
    queue = UnicodeAttribute(null=True)  # DUR# items: the ticket's queue (reports for agents who may not see all)
    owner = UnicodeAttribute(null=True)  # DUR# items of a private ticket: whose it is (stats.private_owner)
    created_at = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


# ---------------------------------------------------------------------------------------------- config


class ConfigItem(Model):
    """Configuration records in one partition, so the whole configuration is one Query.

    ``scope`` is the team (one per deployment today: ``"team"``); ``key`` is ``"<kind>#<id>"`` with kind
    mailbox | queue | rule | template | agent | settings. ``data`` holds the validated JSON.
    """

    class Meta(_Meta):
        table_name = os.environ.get(TABLE_ENV["config"], "helpdesk-config")

    scope = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    data = JSONAttribute(default=dict)
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()


# ------------------------------------------------------------------------------------------- customers


class ByName(GlobalSecondaryIndex["CustomerItem"]):
    """Every customer, sorted by name (``name_key`` = lower-cased name + address)."""

    Meta = _gsi_meta("by_name")
    kind = UnicodeAttribute(hash_key=True)
    name_key = UnicodeAttribute(range_key=True)


class CustomerItem(Model):
    class Meta(_Meta):
        table_name = os.environ.get(TABLE_ENV["customers"], "helpdesk-customers")

    email = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="customer")
    name = UnicodeAttribute(default="")
    name_key = UnicodeAttribute()
    company = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)  # the customer number in the ERP/CRM
    ticket_count = NumberAttribute(default=0)
    last_ticket_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    by_name: ClassVar[ByName] = ByName()


TABLE_MODELS: dict[str, type[Model]] = {
    "tickets": TicketTableItem,
    "meta": MetaItem,
    "config": ConfigItem,
    "customers": CustomerItem,
}


def bind(table_names: dict[str, str] | None = None, host: str | None = None, region: str | None = None) -> None:
    """Point the models at concrete tables (and an endpoint, for the local stack and tests).

    pynamodb reads ``Meta`` lazily and caches one connection per model class; both are reset here.
    """
    names = table_names or {key: os.environ.get(env, f"helpdesk-{key}") for key, env in TABLE_ENV.items()}
    endpoint = host if host is not None else _host()
    for key, model in TABLE_MODELS.items():
        model.Meta.table_name = names[key]
        model.Meta.host = endpoint
        model.Meta.region = region or _region()
    # The transactions' connection (store.unit) is cached per (region, endpoint): it follows by itself.
    for model in (
        TicketTableItem,
        TicketItem,
        TagItem,
        MessageItem,
        CommentItem,
        EventItem,
        ReadItem,
        MetaItem,
        ConfigItem,
        CustomerItem,
    ):
        model._connection = None
