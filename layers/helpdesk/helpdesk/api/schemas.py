"""Typed request and response models: the routes validate with them, ``/openapi.json`` is built from them."""

# No "from __future__ import annotations": pydantic reads these annotations as objects (a string is compiled
# first, at every cold start); tests/unit/test_cold_import.py.
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, core_schema

from ..domain.config import TicketEvent, ViewQuery
from ..domain.header_guard import no_header_breaks, valid_address
from ..domain.privacy import Phase
from ..domain.records import Record
from ..domain.status import Priority, Status


# Field types several models share.
def _email(value: str) -> str:
    address = valid_address(value)
    if not address:
        raise ValueError("not an e-mail address")
    return address


HeaderText = Annotated[str, AfterValidator(no_header_breaks)]
Email = Annotated[str, Field(max_length=320), AfterValidator(_email)]
Tag = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(no_header_breaks)]


# Configuration records (domain/records.py, msgspec) inside these models: validated and written by the record,
# described by a reference to its own component (api/openapi.py adds the components of these records).
EMBEDDED_RECORDS: set[type[Record]] = set()


class Embedded:
    """``Annotated[SomeRecord, Embedded(SomeRecord)]``: a field of an API model that holds a record."""

    def __init__(self, record: type[Record]) -> None:
        self.record = record
        EMBEDDED_RECORDS.add(record)

    def _validate(self, value: Any) -> Record:
        return value if isinstance(value, self.record) else self.record.model_validate(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda value: value.model_dump()),
        )

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return {"allOf": [{"$ref": f"#/components/schemas/{self.record.__name__}"}]}


EmbeddedViewQuery = Annotated[ViewQuery, Embedded(ViewQuery)]


class Model(BaseModel):
    # defer_build: a model's validator is built when a route first uses it, not at import (cold start).
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ErrorDetail(Model):
    field: str
    message: str


class ErrorBody(Model):
    """Every error response: ``error`` (a code) and ``message``; some carry more (DESIGN §9)."""

    error: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] | None = Field(
        None, description="validation_error (400): every invalid field, at most 10"
    )
    current: "TicketOut | None" = Field(None, description="conflict (409) on a ticket: the ticket as it is now")
    message_id: str | None = Field(None, description="send_failed: the stored reply whose sending failed")
    reason: Literal["new_message", "new_reply", "new_comment"] | None = Field(
        None, description="reply_conflict (409): what arrived since the position you saw"
    )
    new: "ThreadNews | None" = Field(
        None, description="reply_conflict (409) on an agent's reply: the entries since the position you saw"
    )
    new_messages: "list[PublicMessage] | None" = Field(
        None, description="reply_conflict (409) on the customer page: our messages since the one you saw"
    )


class ThreadNews(Model):
    """What arrived in a ticket's thread since a reply's author saw it (oldest first)."""

    messages: "list[MessageOut]"
    comments: "list[CommentOut]"


class AddressOut(Model):
    name: str = ""
    address: str


class Link(Model):
    type: str
    ticket_id: str
    number: str | None = None


class SlaOut(Model):
    """The most urgent SLA clock of the policy that applies (docs/automation.md), as of the request."""

    policy: str = Field(description="the SLA policy's id")
    state: Literal["running", "warning", "paused", "breached", "met", "cancelled"]
    metric: Literal["first_response", "next_response", "solution"]
    due_at: str | None = Field(description="when it breaches (breached: when it did); null when paused or done")


class TicketOut(Model):
    id: str
    number: str
    subject: str
    status: Status
    status_label: str
    priority: Priority
    queue: str
    assignee: str | None
    customer: AddressOut | None
    customer_name: str | None = Field(None, description="also for a ticket without a customer address (a call)")
    customer_phone: str | None = None
    mailbox: str | None
    project: str | None
    type: str | None
    channel: str
    tags: list[str]
    private: bool
    personal: bool
    prio: bool
    unread: bool
    review: bool
    review_notes: list[str]
    due_at: str | None
    overdue: bool
    parent_id: str | None = Field(description="null also when the parent is a ticket the caller may not see")
    merged_into: str | None = Field(description="null also when the target is a ticket the caller may not see")
    links: list[Link] = Field(description="links to tickets the caller may not see are left out")
    preview: str
    message_count: int
    created_at: str
    updated_at: str
    last_customer_at: str | None
    first_response_at: str | None
    closed_at: str | None
    version: int
    thread_version: int = Field(
        0, description="entries in the thread (messages, comments); a reply names the one its author saw"
    )
    sla: SlaOut | None = Field(None, description="the most urgent SLA clock; null when no SLA policy applies")


class SearchMatchOut(Model):
    """Where a ticket matched a full-text search (``q``): the piece of text and the words to highlight."""

    kind: Literal["subject", "number", "customer", "message", "comment", "attachment"]
    ref: str | None = Field(None, description="the message's or comment's id")
    at: str | None = Field(None, description="when that message or comment was written")
    snippet: str
    highlights: list[list[int]] = Field(description="[start, end) offsets in the snippet of the matching words")
    in_subject: bool


class TicketList(Model):
    items: list[TicketOut]
    cursor: str | None
    partial: bool = Field(False, description="the read budget ended the page early; follow the cursor for more")
    matches: dict[str, SearchMatchOut] | None = Field(
        None,
        description="with q: per ticket id, where it matched (ranked: subject or number first, then newest change)",
    )


class AttachmentOut(Model):
    id: str
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    note: str | None
    url: str | None = Field(None, description="short-lived download link (Content-Disposition: attachment)")


class ReplyAllOut(Model):
    to: list[AddressOut]
    cc: list[AddressOut]


class MessageOut(Model):
    id: str
    direction: Literal["inbound", "outbound"]
    channel: str
    from_: AddressOut | None = Field(alias="from")
    to: list[AddressOut]
    cc: list[AddressOut]
    bcc: list[AddressOut] = Field(default_factory=list, description="outbound: blind copies (never in the mail)")
    side: Literal["forward"] | None = Field(
        None,
        description="forward: a mail we forwarded, an answer of its recipients or ours to them (not the customer's "
        "conversation; never on the customer's page)",
    )
    reply_all: ReplyAllOut | None = Field(
        None, description="the composer's To and Cc when answering this mail (reply-all without our own addresses)"
    )
    subject: str
    text: str
    html: str
    new_text: str
    remote_images: int
    message_id: str
    attachments: list[AttachmentOut]
    verdicts: dict[str, Any] | None
    auto_submitted: str | None
    auto_reply: bool
    rich: bool = Field(False, description="outbound: written as rich text (its HTML is the mail; show it)")
    author: str | None
    send_state: str | None = Field(
        description="outbound: pending | sending | sent | retry (SES refused it for now; sent again automatically)"
        " | failed (refused; POST …/resend) | bounced | complained"
        " | outside (an agent's own mail from their mail program, joined to the ticket: never sent by us)"
    )
    send_error: str | None = Field(None, description="why it is not delivered: SES's refusal, the bounce or complaint")
    send_retry_at: str | None = Field(None, description="retry: when it is sent again")
    defects: list[str]
    limit_exceeded: list[str]
    created_at: str
    truncated: bool = False
    omitted: bool = Field(
        False,
        description="the bodies were left out to keep the response under Lambda's 6 MB (a very large ticket's "
        "older messages); GET …/messages/{id}/body has them",
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class CommentOut(Model):
    id: str
    author: str
    body: str
    tags: list[str]
    mentions: list[str]
    created_at: str


class EventOut(Model):
    id: str
    type: str
    actor: str
    detail: dict[str, Any]
    created_at: str


class RelatedTicket(Model):
    id: str
    number: str
    subject: str
    status: Status
    relation: str


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]
    comments: list[CommentOut]
    events: list[EventOut] = Field(
        description="the history; ids and numbers of tickets the caller may not see read '…' in the details"
    )
    related: list[RelatedTicket] = Field(
        default_factory=list, description="tickets this one names; those the caller may not see are left out"
    )


class LoginIn(Model):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Model):
    refresh_token: str = Field(min_length=1, max_length=10000)


class NewPasswordIn(Model):
    username: str = Field(min_length=1, max_length=128)
    session: str = Field(min_length=1, max_length=10000)
    new_password: str = Field(min_length=8, max_length=256)


class TokensOut(Model):
    id_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    challenge: str | None = None
    session: str | None = None


class MeOut(Model):
    username: str
    email: str
    role: Literal["admin", "agent"]
    groups: list[str]
    name: str = ""
    language: str = "de"
    phone: str = ""
    signature: str = Field("", description="the agent's own signature, above the sending mailbox's")
    aliases: list[str] = Field(
        default_factory=list, description="further addresses the agent mails from (their mail joins tickets as theirs)"
    )
    away: bool = Field(False, description='"abwesend": fair assignment passes me by')


class ProfileIn(Model):
    phone: Annotated[HeaderText, Field(max_length=50)] = ""
    signature: str = Field("", max_length=5000, description="variables as in reply templates ({AGENT}, {PHONE} …)")
    aliases: list[Email] | None = Field(
        None,
        max_length=10,
        description="further addresses the agent mails from with their own mail program (absent: unchanged); a "
        "mail from one of them that names a ticket joins it as the agent's, sent outside the helpdesk",
    )
    away: bool | None = Field(None, description='"abwesend": fair assignment passes me by (absent: unchanged)')


class Label(Model):
    id: str
    de: str
    en: str


class MetaOut(Model):
    statuses: list[Label]
    priorities: list[Label]
    transitions: dict[str, list[str]]
    default_reply_status: Status
    variables: dict[str, str]
    queues: list[dict[str, Any]] = Field(default_factory=list)
    mailboxes: list[dict[str, Any]] = Field(default_factory=list)
    agents: list[dict[str, Any]] = Field(default_factory=list)
    number_format: str = ""
    block_external_content: bool = True
    quote_replies: bool = Field(True, description="the composer quotes the mail answered below a reply by default")
    tags: dict[str, int] = Field(default_factory=dict, description="tags in use → number of tickets")
    projects: dict[str, int] = Field(default_factory=dict, description="projects in use → number of tickets")
    live_url: str | None = Field(
        default=None, description="the live socket (docs/api.md, 'Live socket'); null: none, the client polls"
    )


# ------------------------------------------------------------------------------------------ changes


class AddressIn(Model):
    name: Annotated[HeaderText, Field(max_length=200)] = ""
    address: Email


class TicketPatch(Model):
    version: int = Field(description="the version you saw; a stale one gets 409 with the current ticket")
    status: Status | None = None
    priority: Priority | None = None
    queue: str | None = Field(None, max_length=64)
    assignee: str | None = Field(None, max_length=64, description="username, or null to unassign")
    tags: list[Tag] | None = Field(None, max_length=30)
    due_at: str | None = Field(None, description="ISO 8601 date-time, or null")
    type: str | None = Field(None, max_length=64)
    project: str | None = Field(None, max_length=64)
    customer_email: Email | None = None
    customer_name: Annotated[HeaderText, Field(max_length=200)] | None = None
    parent_id: str | None = Field(None, max_length=40)
    private: bool | None = None
    personal: bool | None = None
    prio: bool | None = None
    unread: bool | None = None
    review: bool | None = None


class ConflictBody(Model):
    error: str
    message: str
    current: TicketOut


class BatchItem(Model):
    id: str = Field(max_length=40)
    version: int


class BatchIn(Model):
    items: list[BatchItem] = Field(min_length=1, max_length=100)
    action: Literal[
        "spam",
        "archive_unread",
        "mark_private",
        "mark_personal",
        "mark_prio",
        "unmark_private",
        "unmark_personal",
        "unmark_prio",
        "mark_read",
        "mark_unread",
        "status",
        "queue",
        "assignee",
        "priority",
        "tags",
        "macro",
    ] = Field(
        description="spam = 'Spam entfernen' (→ trash), archive_unread = 'Ungelesen ins Archiv' (→ closed), "
        "macro = apply the macro `value` to each (as POST /tickets/{id}/macros/{macro_id})"
    )
    value: str | None = Field(None, max_length=64, description="for status, queue, assignee, priority; macro: its id")
    tags: list[Tag] = Field(default_factory=list, max_length=30, description="for action tags: added")
    block_sender: bool = Field(False, description="with spam: future mail from these senders goes to the trash")
    confirm_typing: bool = Field(
        False,
        description="apply the actions that take a ticket away from a colleague writing a reply on it (spam, "
        "archive_unread, status, assignee, moving it) to those tickets too; without it they are skipped "
        "(error reply_in_progress)",
    )


class BatchResultItem(Model):
    id: str
    ok: bool
    version: int | None = None
    error: str | None = None
    message: str | None = None
    typing: list[str] = Field(default_factory=list, description="reply_in_progress: who is writing a reply on it")


class BatchOut(Model):
    results: list[BatchResultItem]
    ok: int
    failed: int = Field(description="items not changed, the skipped ones included")
    skipped: int = Field(0, description="items skipped because a colleague is writing a reply (reply_in_progress)")
    blocked_senders: list[str] = Field(default_factory=list)


class InlineImageIn(Model):
    content_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@[A-Za-z0-9][A-Za-z0-9.-]{0,63}$",
        description='the image\'s Content-ID, as the HTML shows it (src="cid:<content_id>")',
    )
    key: str = Field(max_length=500, description="its upload (POST …/uploads): PNG, JPEG, GIF or WebP, at most 5 MB")


class ReplyIn(Model):
    body: str = Field("", max_length=100_000, description="plain text; template variables are filled in")
    html: str | None = Field(
        None,
        max_length=500_000,
        description="rich text (the composer's): sanitized to b, strong, i, em, u, ul, ol, li, a (http, https, "
        "mailto), blockquote, p, div, br, img (cid: of `inline` only); the text part is derived from it and "
        "`body` is not used. Template variables are filled in",
    )
    inline: list[InlineImageIn] = Field(
        default_factory=list, max_length=20, description="images the HTML shows (cid:), sent as inline parts"
    )
    quote: bool = Field(False, description="quote the mail answered below the reply (text and HTML)")
    to: list[AddressIn] | None = Field(None, max_length=50, description="default: the customer / last sender")
    cc: list[AddressIn] | None = Field(None, max_length=50, description="default: the Cc of the mail answered")
    bcc: list[AddressIn] = Field(
        default_factory=list, max_length=50, description="blind copies: kept on our message, never in the mail"
    )
    answer_message: str | None = Field(
        None,
        max_length=40,
        description="the id of the message answered (In-Reply-To, reply-all defaults); default: the customer's "
        "newest mail",
    )
    subject: Annotated[HeaderText, Field(max_length=500)] | None = None
    template_id: str | None = Field(None, max_length=64)
    attach_original: bool = Field(False, description="'Originalnachricht anhängen': the mail answered, as .eml")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="keys from POST …/uploads")
    status: Status = Field(Status.WAITING_CUSTOMER, description="'Einreichen als': the status after sending")
    seen_thread_version: int | None = Field(
        None,
        ge=0,
        description="the ticket's thread_version you saw: if a message, reply or comment arrived since, 409 "
        "reply_conflict with what is new (nothing sent). Without it the reply is not checked",
    )
    confirm_conflict: bool = Field(False, description="'Trotzdem senden': send although the thread grew since")


class ForwardIn(Model):
    to: list[AddressIn] = Field(min_length=1, max_length=50)
    cc: list[AddressIn] = Field(default_factory=list, max_length=50)
    bcc: list[AddressIn] = Field(default_factory=list, max_length=50)
    note: str = Field("", max_length=100_000, description="the agent's words above the forwarded mail")
    note_html: str | None = Field(
        None, max_length=500_000, description="the note as rich text (sanitized as a reply's `html`; `note` unused)"
    )
    inline: list[InlineImageIn] = Field(default_factory=list, max_length=20, description="images the note shows")
    message_id: str | None = Field(
        None, max_length=40, description="the message forwarded (its id); none: the whole ticket's conversation"
    )
    attachment_ids: list[str] = Field(
        default_factory=list, max_length=50, description="files of the forwarded mail(s) to send along (their ids)"
    )
    attachments: list[str] = Field(default_factory=list, max_length=10, description="keys from POST …/uploads")
    attach_original: bool = Field(False, description="the forwarded mail as .eml (one message with its raw mail)")
    seen_thread_version: int | None = Field(
        None, ge=0, description="as for replies: 409 reply_conflict when the thread grew since (nothing sent)"
    )
    confirm_conflict: bool = False


class SplitIn(Model):
    version: int | None = Field(None, description="the version of the ticket you saw; a stale one gets 409")


class SplitOut(Model):
    source: TicketOut = Field(description="the ticket the message left")
    ticket: TicketOut = Field(description="the new ticket with the message")


class ReplyOut(Model):
    ticket: TicketOut
    message: MessageOut


class CommentIn(Model):
    body: str = Field(min_length=1, max_length=50_000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    mentions: list[str] = Field(default_factory=list, max_length=20)


class CommentAdded(Model):
    ticket: TicketOut
    comment: CommentOut


class UploadIn(Model):
    filename: Annotated[HeaderText, Field(min_length=1, max_length=200)]
    content_type: Annotated[HeaderText, Field(max_length=100)] = "application/octet-stream"
    size: int = Field(gt=0, le=10 * 1024 * 1024)


class UploadOut(Model):
    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class CallerIn(Model):
    name: Annotated[HeaderText, Field(max_length=200)] = Field("", description="empty: a known customer's name")
    address: Email | None = None
    phone: Annotated[HeaderText, Field(max_length=50)] = ""


class TicketCreateIn(Model):
    subject: Annotated[HeaderText, Field(min_length=1, max_length=500)]
    body: str = Field(min_length=1, max_length=100_000, description="what the customer said (phone, visit)")
    customer: CallerIn | None = Field(None, description="who called or wrote; an address is needed for `send_mail`")
    channel: Literal["phone", "walk_in", "email", "web", "letter", "chat", "other"] = "phone"
    queue: str | None = Field(None, max_length=64)
    priority: Priority = Priority.MEDIUM
    assignee: str | None = Field(None, max_length=64)
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    status: Status = Status.OPEN
    project: str | None = Field(None, max_length=64)
    type: str | None = Field(None, max_length=64)
    due_at: str | None = None
    mailbox: str | None = Field(None, max_length=64)
    parent_id: str | None = Field(None, max_length=40)
    send_mail: bool = Field(False, description="also send `body` to the customer as the first mail")


class MergeIn(Model):
    into: str = Field(max_length=40, description="the ticket that survives")
    version: int = Field(description="version of the ticket being merged")
    into_version: int = Field(description="version of the surviving ticket")


class MessageBody(Model):
    text: str
    html: str


# ------------------------------------------------------------------------------------------ customers


class CustomerIn(Model):
    email: Email
    name: Annotated[HeaderText, Field(max_length=200)] | None = None
    company: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)
    external_id: str | None = Field(None, max_length=100, description="customer number in the ERP/CRM")


class CustomerPatch(Model):
    name: Annotated[HeaderText, Field(max_length=200)] | None = None
    company: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    notes: str | None = Field(None, max_length=5000)
    external_id: str | None = Field(None, max_length=100)


class CustomerOut(Model):
    email: str
    name: str
    company: str | None
    phone: str | None
    notes: str | None
    external_id: str | None
    ticket_count: int
    last_ticket_at: str | None
    created_at: str
    updated_at: str


class CustomerList(Model):
    items: list[CustomerOut]
    cursor: str | None


class CustomerQuery(Model):
    q: str | None = Field(
        None,
        max_length=100,
        description="any words of the name, address, company, customer number or phone (umlauts folded, prefixes); "
        "without q: every customer by name",
    )
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2000)


class CustomerDetail(CustomerOut):
    tickets: list[TicketOut]


# ------------------------------------------------------------------------------------------ reports


class StatsQuery(Model):
    start: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="first day (default: 30 days ago)")
    end: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$", description="last day (default: today)")
    granularity: Literal["day", "week"] = "day"


class DurationsOut(Model):
    count: int
    median_hours: float | None
    p90_hours: float | None


class SlaRateOut(Model):
    met: int
    breached: int
    breach_rate: float | None = Field(description="breached / (met + breached); null without either")


class StatsOut(Model):
    start: str
    end: str
    granularity: str
    series: list[dict[str, Any]]
    totals: dict[str, int]
    first_response: DurationsOut
    resolution: DurationsOut
    backlog: dict[str, dict[str, int]]
    sla: dict[Literal["first_response", "next_response", "solution"], SlaRateOut] = Field(
        default_factory=dict, description="SLA clocks met and breached in the range, per metric (docs/automation.md)"
    )


# ------------------------------------------------------------------------------------------ public


class PublicMessage(Model):
    id: str
    direction: Literal["inbound", "outbound"]
    from_name: str
    text: str
    html: str
    created_at: str
    attachments: list[AttachmentOut]
    shortened: bool = Field(False, description="an older message of a very large ticket: the start of its text only")


class PublicTicket(Model):
    number: str
    subject: str
    status: Status
    status_label: str
    status_label_en: str
    created_at: str
    updated_at: str
    messages: list[PublicMessage]
    solution_due_at: str | None = Field(
        None, description="when a solution may be expected (the SLA's solution due date, where shown to customers)"
    )


class PublicReplyIn(Model):
    body: str = Field(min_length=1, max_length=20_000)
    seen_message_id: str | None = Field(
        None,
        max_length=40,
        description="the newest message your page showed: if we wrote to you since, 409 reply_conflict with "
        "our new messages (nothing stored). Without it the answer is not checked",
    )
    confirm_conflict: bool = Field(False, description="send although there are new messages")


class ContactIn(Model):
    name: Annotated[HeaderText, Field(max_length=200)] = ""
    email: Email
    subject: Annotated[HeaderText, Field(min_length=1, max_length=300)]
    body: str = Field(min_length=1, max_length=20_000)
    mailbox: str | None = Field(None, max_length=64)
    website: str = Field("", max_length=200, description="honeypot: leave empty (bots fill it in)")
    notice_lang: Literal["de", "en"] | None = Field(
        None,
        description="the language of the privacy notice the form showed (GET /public/info): its text, link and "
        "the time are kept with the new ticket",
    )


class ContactOut(Model):
    received: bool
    number: str | None = None


class PublicInfo(Model):
    company: str = Field(description="the company's name (setting company)")
    privacy_url: dict[str, str] = Field(description="the privacy notice (Datenschutzhinweis) per language; '' = none")
    notice: dict[str, str] = Field(description="the contact form's privacy notice per language, as it is stored")


# ------------------------------------------------------------------------------------------ admin


class DryRunIn(Model):
    raw: str | None = Field(None, max_length=2_000_000, description="a whole raw mail (.eml text)")
    sender: Email | None = None
    sender_name: str = ""
    to: list[Email] = Field(default_factory=list, max_length=20)
    subject: str = Field("", max_length=1000)
    body: str = Field("", max_length=100_000)
    headers: dict[str, str] = Field(default_factory=dict)
    mailbox: str | None = None
    rules: list[dict[str, Any]] | None = Field(None, description="rules to try instead of the saved ones")


class AutoReplyPreviewIn(Model):
    mailbox: dict[str, Any] = Field(description="the mailbox as the form holds it (a Mailbox, saved or not)")
    subject: str = Field("Lieferung fehlt", max_length=1000, description="the customer's subject to try")
    name: str = Field("Erika Mustermann", max_length=200)
    email: Email = "erika@kunde.example"
    content_language: str = Field("", max_length=35, description="the customer's Content-Language header")
    text: str = Field("", max_length=20_000, description="the customer's text (the language guess reads it)")


class AutoReplyPreviewOut(Model):
    subject: str
    text: str
    lang: Literal["de", "en"]
    lang_reason: str
    unknown: list[str] = Field(description="variables the auto-reply would not fill in (saving refuses them)")


class MacroOut(Model):
    id: str
    name: str
    owner: str | None = Field(None, description="null: shared with the team; else only this agent's")
    actions: list[dict[str, Any]]


class MacroList(Model):
    items: list[MacroOut]


class MacroRunIn(Model):
    version: int = Field(description="the version you saw; a stale one gets 409 with the current ticket")


class MacroRunOut(Model):
    ticket: TicketOut
    changes: dict[str, list[Any]] = Field(description="field: [before, after]")
    reasons: list[dict[str, Any]] = Field(description="{code, params, text}: what the macro (or its undo) did")
    mailed: bool = Field(False, description="a template went to the customer as the agent's reply")


class TriggerDryRunIn(Model):
    ticket: str = Field(max_length=64, description="the ticket's number (T-2026-000123) or id")
    event: TicketEvent
    status: str | None = Field(None, max_length=32, description="status_changed: the new status")
    tag: str | None = Field(None, max_length=100, description="tag_added: the tag")
    triggers: list[dict[str, Any]] | None = Field(None, description="triggers to try instead of the saved ones")


class TriggerDryRunOut(Model):
    fired: list[dict[str, str]] = Field(description="the triggers that would fire, in order: {id, name}")
    explanation: str = Field(description="every decision, in English (the reasons' codes are in `reasons`)")
    reasons: list[dict[str, Any]] = Field(description="{code, params, text}: the client says them in German or English")
    changes: dict[str, list[Any]] = Field(description="field: [now, after the triggers]")
    effects: list[dict[str, str]] = Field(description="comment, notice, template mail, event: {kind, value, source}")


class DryRunOut(Model):
    fired: list[dict[str, Any]]
    explanation: str = Field(description="every decision, in English (the reasons' codes are in `reasons`)")
    reasons: list[dict[str, Any]] = Field(
        default_factory=list,
        description="{code, params, text}, as the trigger dry run's: the rules that fired, each condition that "
        "held, the auto-reply's verdict; the client says them in German or English",
    )
    result: dict[str, Any]
    autoreply: str | None = None


class TemplateOut(Model):
    id: str
    name: str
    language: str
    subject: str
    body: str
    filled: str | None = Field(
        None, description="with ticket_id: the body with the variables filled in for that ticket, as it is sent"
    )
    kind: str
    mailboxes: list[str]
    projects: list[str]


class AgentIn(Model):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    email: Email
    name: Annotated[HeaderText, Field(max_length=200)] = ""
    role: Literal["admin", "agent"] = "agent"
    queues: list[str] = Field(default_factory=list)
    language: Literal["de", "en"] = "de"
    temporary_password: str | None = Field(None, min_length=12, max_length=128)


class AgentPatch(Model):
    email: Email | None = None
    name: Annotated[HeaderText, Field(max_length=200)] | None = None
    role: Literal["admin", "agent"] | None = None
    queues: list[str] | None = None
    language: Literal["de", "en"] | None = None
    active: bool | None = None
    aliases: list[Email] | None = Field(None, max_length=10, description="further addresses the agent mails from")


class Deleted(Model):
    deleted: bool


class SetupItemOut(Model):
    code: Literal["admin", "mailbox", "default_queue", "mailbox_queues", "autoreply", "signature", "team"]
    state: Literal["done", "todo", "warn", "unknown"]
    params: dict[str, str] = Field(default_factory=dict)
    required: bool = Field(description="optional items (signature, a second agent) never count as open")


class SetupOut(Model):
    items: list[SetupItemOut]
    open: int = Field(description="required items not done; the web client shows the checklist while > 0")


# ----------------------------------------------------------------------------- notifications (issue 12)

NotificationKind = Literal[
    "new_ticket",
    "assigned",
    "customer_replied",
    "forward_answered",
    "mentioned",
    "reopened",
    "deadline_warning",
    "deadline_missed",
    "automation",
]


class NotificationOut(Model):
    id: str = Field(description="<event time>_<event id>: POST /notifications/{id}/read")
    kind: NotificationKind
    reason: Literal["assignee", "queue_responsible", "queue_member", "queue_open", "mentioned", "trigger"]
    ticket_id: str
    number: str
    subject: str
    actor: str = Field(description="who did it: an agent's username, customer, system")
    text: str = Field(description="mentioned: the comment's text (at most 500 characters); else empty")
    event_type: str
    created_at: str
    read: bool


class NotificationQuery(Model):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=400)
    unread: bool = Field(False, description="only unread ones")


class NotificationList(Model):
    items: list[NotificationOut]
    cursor: str | None
    unread: int = Field(description="my unread notifications in all")


class UnreadCount(Model):
    unread: int


class MarkedRead(Model):
    marked: int
    unread: int


class ChannelChoice(Model):
    app: bool
    mail: bool


class NotificationPreferences(Model):
    """Event kind × channel. Kinds left out keep their defaults (GET shows every kind)."""

    preferences: dict[NotificationKind, ChannelChoice]


# ErrorBody's ``current`` refers to TicketOut, defined below it: resolved when ErrorBody is first built (defer_build).


# ------------------------------------------------------------------------ data protection (DSGVO)


class TicketDeletedOut(Model):
    deleted: bool
    number: str | None
    messages: int = Field(description="messages deleted with it")


class ErasureIn(Model):
    mode: Literal["delete", "anonymize"] = Field(
        "delete", description="delete: tickets and messages go; anonymize: tickets stay, personal data replaced"
    )
    shared: Literal["delete", "keep_others"] = Field(
        "delete", description="their tickets others took part in: delete entirely, or keep the others' messages"
    )
    confirm: str = Field(description="the customer's address again: the confirmation")


class ErasurePreviewOut(Model):
    subject: str = Field(description="how the audit log will name the customer (a hash of the address)")
    customer: bool = Field(description="a customer record exists")
    tickets: int
    shared_tickets: int = Field(description="of those, tickets others outside the team took part in")
    messages: int
    attachments: int
    attachments_complete: bool = Field(description="false: attachments counted in their first 50 tickets only")
    numbers: list[str] = Field(description="their tickets' numbers (at most 200)")
    config: list[str] = Field(
        description='the team\'s configuration records that name them ("<kind>#<id>": saved views, rules …); '
        "an erasure redacts them, it does not delete them"
    )


class ErasureJobOut(Model):
    id: str
    state: Literal["running", "done"]
    phase: Phase
    mode: Literal["delete", "anonymize"]
    shared: Literal["delete", "keep_others"]
    subject: str = Field(description="the customer as a hash of the address")
    actor: str
    started_at: str
    finished_at: str | None
    counts: dict[str, int]


class ErasureJobList(Model):
    items: list[ErasureJobOut]


class DataExportOut(Model):
    id: str
    state: Literal["running", "done", "failed"] = Field(
        description="running: being built (by this request, a push, or the scheduled job); done: ready to "
        "download; failed: too big to build in one run of the scheduled job (docs/data-protection.md)"
    )
    subject: str = Field(description="the customer as a hash of the address")
    actor: str
    started_at: str
    finished_at: str | None
    size: int = Field(description="bytes of the ZIP")
    counts: dict[str, int] = Field(description="tickets, messages, mails, attachments, messages_left_out")
    filename: str
    download_url: str | None = Field(
        description="presigned link to the ZIP, valid 15 minutes (ask again for a fresh one); the ZIP itself is "
        "deleted after a day"
    )


class AuditQuery(Model):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default: this month")


class AuditEntryOut(Model):
    id: str
    at: str
    actor: str
    action: str = Field(
        description="config.put | config.delete | ticket.deleted | customer.deleted | customer.anonymized"
    )
    target: str
    before: Any = None
    after: Any = None
    detail: dict[str, Any] = Field(default_factory=dict)


class AuditList(Model):
    month: str
    items: list[AuditEntryOut]


class RetentionItemOut(Model):
    ticket_id: str
    number: str
    queue: str
    updated_at: str
    action: Literal["delete", "anonymize"]


class RetentionOut(Model):
    items: list[RetentionItemOut] = Field(description="what the scheduled job would delete or anonymize, oldest first")
    examined: int
    stopped_early: bool = Field(description="the list ends at 500 tickets or 15 s: there may be more")


class SavedViewIn(Model):
    name: Annotated[HeaderText, Field(min_length=1, max_length=80)]
    shared: bool = Field(False, description="true: shared with the team (admins only); false: only mine")
    query: EmbeddedViewQuery = Field(
        default_factory=ViewQuery, description="the inbox's filter and sort: the parameters of GET /tickets"
    )
    order: int = Field(100, ge=0, le=10000, description="its place in the sidebar (then by name)")


class SavedViewOut(Model):
    id: str
    name: str
    built_in: bool = Field(description="one of the inbox's fixed tabs (inbox, mine, unread, review, trash)")
    owner: str | None = Field(None, description="null: shared with the team (or built in); else only this agent's")
    query: EmbeddedViewQuery
    order: int
    count: int = Field(description="tickets in the view for the caller now (at least this many when `more`)")
    more: bool = Field(False, description="the count stopped at its cap (shown as e.g. 100+)")
    editable: bool = Field(description="the caller may change or delete it (its owner; admins)")


class SavedViewList(Model):
    items: list[SavedViewOut]
