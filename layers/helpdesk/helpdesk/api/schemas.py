"""Typed request and response models: the routes validate with them, ``/openapi.json`` is built from them.

They are records (``domain/records.py``, msgspec), as the team's configuration is, except that strings are
taken as sent (a reply's text keeps its leading spaces). A field's JSON name other than its own is
``msgspec.field(name=...)`` (``from``); a patch's fields default to ``UNSET``, so that ``null`` (clear it) and
absent (leave it) differ.
"""

from typing import Annotated, Any, ClassVar, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from ..domain.config import TicketEvent, ViewQuery
from ..domain.header_guard import no_header_breaks, valid_address
from ..domain.privacy import Phase
from ..domain.records import Check, Record
from ..domain.status import Priority, Status

# Field types several models share.
MatchKind = Literal["subject", "number", "customer", "message", "comment", "attachment"]
Direction = Literal["inbound", "outbound"]
SlaMetric = Literal["first_response", "next_response", "solution"]


def _email(value: str) -> str:
    address = valid_address(value)
    if not address:
        raise ValueError("not an e-mail address")
    return address


HeaderText = Annotated[str, Check(no_header_breaks)]
Email = Annotated[str, Meta(max_length=320), Check(_email)]
Tag = Annotated[str, Meta(min_length=1, max_length=50), Check(no_header_breaks)]


class Model(Record, kw_only=True):
    """An API model: a record whose strings are taken as sent."""

    __strip__: ClassVar[bool] = False


class ErrorDetail(Model, kw_only=True):
    field: str
    message: str


class ErrorBody(Model, kw_only=True):
    """Every error response: ``error`` (a code) and ``message``; some carry more (DESIGN §9)."""

    error: str
    message: str
    field: str | None = None
    details: Annotated[
        list[ErrorDetail] | None,
        Meta(description="validation_error (400): every invalid, unknown or missing field, at most 10"),
    ] = None
    current: Annotated["TicketOut | None", Meta(description="conflict (409) on a ticket: the ticket as it is now")] = (
        None
    )
    message_id: Annotated[str | None, Meta(description="send_failed: the stored reply whose sending failed")] = None
    reason: Annotated[
        Literal["new_message", "new_reply", "new_comment"] | None,
        Meta(description="reply_conflict (409): what arrived since the position you saw"),
    ] = None
    new: Annotated[
        "ThreadNews | None",
        Meta(description="reply_conflict (409) on an agent's reply: the entries since the position you saw"),
    ] = None
    new_messages: Annotated[
        "list[PublicMessage] | None",
        Meta(description="reply_conflict (409) on the customer page: our messages since the one you saw"),
    ] = None


class ThreadNews(Model, kw_only=True):
    """What arrived in a ticket's thread since a reply's author saw it (oldest first)."""

    messages: "list[MessageOut]"
    comments: "list[CommentOut]"


class AddressOut(Model, kw_only=True):
    name: str = ""
    address: str


class Link(Model, kw_only=True):
    type: str
    ticket_id: str
    number: str | None = None


class SlaOut(Model, kw_only=True):
    """The most urgent SLA clock of the policy that applies (docs/automation.md), as of the request."""

    policy: Annotated[str, Meta(description="the SLA policy's id")]
    state: Literal["running", "warning", "paused", "breached", "met", "cancelled"]
    metric: Literal["first_response", "next_response", "solution"]
    due_at: Annotated[
        str | None, Meta(description="when it breaches (breached: when it did); null when paused or done")
    ]


class TicketOut(Model, kw_only=True):
    id: str
    number: str
    subject: str
    status: Status
    status_label: str
    priority: Priority
    queue: str
    assignee: str | None
    customer: AddressOut | None
    customer_name: Annotated[str | None, Meta(description="also for a ticket without a customer address (a call)")] = (
        None
    )
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
    parent_id: Annotated[str | None, Meta(description="null also when the parent is a ticket the caller may not see")]
    merged_into: Annotated[str | None, Meta(description="null also when the target is a ticket the caller may not see")]
    links: Annotated[list[Link], Meta(description="links to tickets the caller may not see are left out")]
    preview: str
    message_count: int
    created_at: str
    updated_at: str
    last_customer_at: str | None
    first_response_at: str | None
    closed_at: str | None
    version: int
    thread_version: Annotated[
        int, Meta(description="entries in the thread (messages, comments); a reply names the one its author saw")
    ] = 0
    sla: Annotated[SlaOut | None, Meta(description="the most urgent SLA clock; null when no SLA policy applies")] = None


class SearchMatchOut(Model, kw_only=True):
    """Where a ticket matched a full-text search (``q``): the piece of text and the words to highlight."""

    kind: MatchKind
    ref: Annotated[str | None, Meta(description="the message's or comment's id")] = None
    at: Annotated[str | None, Meta(description="when that message or comment was written")] = None
    snippet: str
    highlights: Annotated[
        list[list[int]], Meta(description="[start, end) offsets in the snippet of the matching words")
    ]
    in_subject: bool


class TicketList(Model, kw_only=True):
    items: list[TicketOut]
    cursor: str | None
    partial: Annotated[bool, Meta(description="the read budget ended the page early; follow the cursor for more")] = (
        False
    )
    matches: Annotated[
        dict[str, SearchMatchOut] | None,
        Meta(
            description="with q: per ticket id, where it matched (ranked: subject or number first, then newest change)"
        ),
    ] = None


class AttachmentOut(Model, kw_only=True):
    id: str
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    note: str | None
    url: Annotated[str | None, Meta(description="short-lived download link (Content-Disposition: attachment)")] = None


class ReplyAllOut(Model, kw_only=True):
    to: list[AddressOut]
    cc: list[AddressOut]


class MessageOut(Model, kw_only=True):
    id: str
    direction: Direction
    channel: str
    from_: AddressOut | None = msgspec.field(name="from")
    to: list[AddressOut]
    cc: list[AddressOut]
    bcc: Annotated[list[AddressOut], Meta(description="outbound: blind copies (never in the mail)")] = msgspec.field(
        default_factory=list
    )
    side: Annotated[
        Literal["forward"] | None,
        Meta(
            description=(
                "forward: a mail we forwarded, an answer of its recipients or ours to them (not the customer's "
                "conversation; never on the customer's page)"
            )
        ),
    ] = None
    reply_all: Annotated[
        ReplyAllOut | None,
        Meta(description="the composer's To and Cc when answering this mail (reply-all without our own addresses)"),
    ] = None
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
    rich: Annotated[bool, Meta(description="outbound: written as rich text (its HTML is the mail; show it)")] = False
    author: str | None
    send_state: Annotated[
        str | None,
        Meta(
            description=(
                "outbound: pending | sending | sent | retry (SES refused it for now; sent again automatically) | "
                "failed (refused; POST …/resend) | bounced | complained | outside (an agent's own mail from their mail "
                "program, joined to the ticket: never sent by us)"
            )
        ),
    ]
    send_error: Annotated[
        str | None, Meta(description="why it is not delivered: SES's refusal, the bounce or complaint")
    ] = None
    send_retry_at: Annotated[str | None, Meta(description="retry: when it is sent again")] = None
    defects: list[str]
    limit_exceeded: list[str]
    created_at: str
    truncated: bool = False
    omitted: Annotated[
        bool,
        Meta(
            description=(
                "the bodies were left out to keep the response under Lambda's 6 MB (a very large ticket's older "
                "messages); GET …/messages/{id}/body has them"
            )
        ),
    ] = False


class CommentOut(Model, kw_only=True):
    id: str
    author: str
    body: str
    tags: list[str]
    mentions: list[str]
    created_at: str


class EventOut(Model, kw_only=True):
    id: str
    type: str
    actor: str
    detail: dict[str, Any]
    created_at: str


class RelatedTicket(Model, kw_only=True):
    id: str
    number: str
    subject: str
    status: Status
    relation: str


class TicketDetailOut(TicketOut, kw_only=True):
    messages: list[MessageOut]
    comments: list[CommentOut]
    events: Annotated[
        list[EventOut],
        Meta(description="the history; ids and numbers of tickets the caller may not see read '…' in the details"),
    ]
    related: Annotated[
        list[RelatedTicket], Meta(description="tickets this one names; those the caller may not see are left out")
    ] = msgspec.field(default_factory=list)


class LoginIn(Model, kw_only=True):
    username: Annotated[str, Meta(min_length=1, max_length=128)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class RefreshIn(Model, kw_only=True):
    refresh_token: Annotated[str, Meta(min_length=1, max_length=10000)]


class NewPasswordIn(Model, kw_only=True):
    username: Annotated[str, Meta(min_length=1, max_length=128)]
    session: Annotated[str, Meta(min_length=1, max_length=10000)]
    new_password: Annotated[str, Meta(min_length=8, max_length=256)]


class TokensOut(Model, kw_only=True):
    id_token: str | None = None
    refresh_token: str | None = None
    expires_in: int | None = None
    challenge: str | None = None
    session: str | None = None


class MeOut(Model, kw_only=True):
    username: str
    email: str
    role: Literal["admin", "agent"]
    groups: list[str]
    name: str = ""
    language: str = "de"
    phone: str = ""
    signature: Annotated[str, Meta(description="the agent's own signature, above the sending mailbox's")] = ""
    aliases: Annotated[
        list[str], Meta(description="further addresses the agent mails from (their mail joins tickets as theirs)")
    ] = msgspec.field(default_factory=list)
    away: Annotated[bool, Meta(description='"abwesend": fair assignment passes me by')] = False


class ProfileIn(Model, kw_only=True):
    phone: Annotated[HeaderText, Meta(max_length=50)] = ""
    signature: Annotated[
        str, Meta(max_length=5000, description="variables as in reply templates ({AGENT}, {PHONE} …)")
    ] = ""
    aliases: Annotated[
        Annotated[list[Email], Meta(max_length=10)] | None,
        Meta(
            description=(
                "further addresses the agent mails from with their own mail program (absent: unchanged); a mail from "
                "one of them that names a ticket joins it as the agent's, sent outside the helpdesk"
            )
        ),
    ] = None
    away: Annotated[bool | None, Meta(description='"abwesend": fair assignment passes me by (absent: unchanged)')] = (
        None
    )


class Label(Model, kw_only=True):
    id: str
    de: str
    en: str


class MetaOut(Model, kw_only=True):
    statuses: list[Label]
    priorities: list[Label]
    transitions: dict[str, list[str]]
    default_reply_status: Status
    variables: dict[str, str]
    queues: list[dict[str, Any]] = msgspec.field(default_factory=list)
    mailboxes: list[dict[str, Any]] = msgspec.field(default_factory=list)
    agents: list[dict[str, Any]] = msgspec.field(default_factory=list)
    number_format: str = ""
    block_external_content: bool = True
    quote_replies: Annotated[
        bool, Meta(description="the composer quotes the mail answered below a reply by default")
    ] = True
    tags: Annotated[dict[str, int], Meta(description="tags in use → number of tickets")] = msgspec.field(
        default_factory=dict
    )
    projects: Annotated[dict[str, int], Meta(description="projects in use → number of tickets")] = msgspec.field(
        default_factory=dict
    )
    live_url: Annotated[
        str | None, Meta(description="the live socket (docs/api.md, 'Live socket'); null: none, the client polls")
    ] = None


# ------------------------------------------------------------------------------------------ changes


class AddressIn(Model, kw_only=True):
    name: Annotated[HeaderText, Meta(max_length=200)] = ""
    address: Email


class TicketPatch(Model, kw_only=True):
    """Only the fields sent change (absent: unchanged; null: cleared where a field may be empty)."""

    version: Annotated[int, Meta(description="the version you saw; a stale one gets 409 with the current ticket")]
    status: Status | UnsetType | None = UNSET
    priority: Priority | UnsetType | None = UNSET
    queue: Annotated[str, Meta(max_length=64)] | UnsetType | None = UNSET
    assignee: Annotated[
        Annotated[str, Meta(max_length=64)] | UnsetType | None, Meta(description="username, or null to unassign")
    ] = UNSET
    tags: Annotated[list[Tag], Meta(max_length=30)] | UnsetType | None = UNSET
    due_at: Annotated[str | UnsetType | None, Meta(description="ISO 8601 date-time, or null")] = UNSET
    type: Annotated[str, Meta(max_length=64)] | UnsetType | None = UNSET
    project: Annotated[str, Meta(max_length=64)] | UnsetType | None = UNSET
    customer_email: Email | UnsetType | None = UNSET
    customer_name: Annotated[HeaderText, Meta(max_length=200)] | UnsetType | None = UNSET
    parent_id: Annotated[str, Meta(max_length=40)] | UnsetType | None = UNSET
    private: bool | UnsetType | None = UNSET
    personal: bool | UnsetType | None = UNSET
    prio: bool | UnsetType | None = UNSET
    unread: bool | UnsetType | None = UNSET
    review: bool | UnsetType | None = UNSET


class ConflictBody(Model, kw_only=True):
    error: str
    message: str
    current: TicketOut


class BatchItem(Model, kw_only=True):
    id: Annotated[str, Meta(max_length=40)]
    version: int


class BatchIn(Model, kw_only=True):
    items: Annotated[list[BatchItem], Meta(min_length=1, max_length=100)]
    action: Annotated[
        Literal[
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
        ],
        Meta(
            description=(
                "spam = 'Spam entfernen' (→ trash), archive_unread = 'Ungelesen ins Archiv' (→ closed), macro = apply "
                "the macro `value` to each (as POST /tickets/{id}/macros/{macro_id})"
            )
        ),
    ]
    value: Annotated[
        Annotated[str, Meta(max_length=64)] | None,
        Meta(description="for status, queue, assignee, priority; macro: its id"),
    ] = None
    tags: Annotated[list[Tag], Meta(max_length=30, description="for action tags: added")] = msgspec.field(
        default_factory=list
    )
    block_sender: Annotated[bool, Meta(description="with spam: future mail from these senders goes to the trash")] = (
        False
    )
    confirm_typing: Annotated[
        bool,
        Meta(
            description=(
                "apply the actions that take a ticket away from a colleague writing a reply on it (spam, "
                "archive_unread, status, assignee, moving it) to those tickets too; without it they are skipped (error "
                "reply_in_progress)"
            )
        ),
    ] = False


class BatchResultItem(Model, kw_only=True):
    id: str
    ok: bool
    version: int | None = None
    error: str | None = None
    message: str | None = None
    typing: Annotated[list[str], Meta(description="reply_in_progress: who is writing a reply on it")] = msgspec.field(
        default_factory=list
    )


class BatchOut(Model, kw_only=True):
    results: list[BatchResultItem]
    ok: int
    failed: Annotated[int, Meta(description="items not changed, the skipped ones included")]
    skipped: Annotated[
        int, Meta(description="items skipped because a colleague is writing a reply (reply_in_progress)")
    ] = 0
    blocked_senders: list[str] = msgspec.field(default_factory=list)


class InlineImageIn(Model, kw_only=True):
    content_id: Annotated[
        str,
        Meta(
            pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}@[A-Za-z0-9][A-Za-z0-9.-]{0,63}$",
            description='the image\'s Content-ID, as the HTML shows it (src="cid:<content_id>")',
        ),
    ]
    key: Annotated[
        str, Meta(max_length=500, description="its upload (POST …/uploads): PNG, JPEG, GIF or WebP, at most 5 MB")
    ]


class ReplyIn(Model, kw_only=True):
    body: Annotated[str, Meta(max_length=100000, description="plain text; template variables are filled in")] = ""
    html: Annotated[
        Annotated[str, Meta(max_length=500000)] | None,
        Meta(
            description=(
                "rich text (the composer's): sanitized to b, strong, i, em, u, ul, ol, li, a (http, https, mailto), "
                "blockquote, p, div, br, img (cid: of `inline` only); the text part is derived from it and `body` is "
                "not used. Template variables are filled in"
            )
        ),
    ] = None
    inline: Annotated[
        list[InlineImageIn], Meta(max_length=20, description="images the HTML shows (cid:), sent as inline parts")
    ] = msgspec.field(default_factory=list)
    quote: Annotated[bool, Meta(description="quote the mail answered below the reply (text and HTML)")] = False
    to: Annotated[
        Annotated[list[AddressIn], Meta(max_length=50)] | None, Meta(description="default: the customer / last sender")
    ] = None
    cc: Annotated[
        Annotated[list[AddressIn], Meta(max_length=50)] | None, Meta(description="default: the Cc of the mail answered")
    ] = None
    bcc: Annotated[
        list[AddressIn], Meta(max_length=50, description="blind copies: kept on our message, never in the mail")
    ] = msgspec.field(default_factory=list)
    answer_message: Annotated[
        Annotated[str, Meta(max_length=40)] | None,
        Meta(
            description=(
                "the id of the message answered (In-Reply-To, reply-all defaults); default: the customer's newest mail"
            )
        ),
    ] = None
    subject: Annotated[HeaderText, Meta(max_length=500)] | None = None
    template_id: Annotated[str, Meta(max_length=64)] | None = None
    attach_original: Annotated[bool, Meta(description="'Originalnachricht anhängen': the mail answered, as .eml")] = (
        False
    )
    attachments: Annotated[list[str], Meta(max_length=10, description="keys from POST …/uploads")] = msgspec.field(
        default_factory=list
    )
    status: Annotated[Status, Meta(description="'Einreichen als': the status after sending")] = Status.WAITING_CUSTOMER
    seen_thread_version: Annotated[
        Annotated[int, Meta(ge=0)] | None,
        Meta(
            description=(
                "the ticket's thread_version you saw: if a message, reply or comment arrived since, 409 reply_conflict "
                "with what is new (nothing sent). Without it the reply is not checked"
            )
        ),
    ] = None
    confirm_conflict: Annotated[bool, Meta(description="'Trotzdem senden': send although the thread grew since")] = (
        False
    )


class ForwardIn(Model, kw_only=True):
    to: Annotated[list[AddressIn], Meta(min_length=1, max_length=50)]
    cc: Annotated[list[AddressIn], Meta(max_length=50)] = msgspec.field(default_factory=list)
    bcc: Annotated[list[AddressIn], Meta(max_length=50)] = msgspec.field(default_factory=list)
    note: Annotated[str, Meta(max_length=100000, description="the agent's words above the forwarded mail")] = ""
    note_html: Annotated[
        Annotated[str, Meta(max_length=500000)] | None,
        Meta(description="the note as rich text (sanitized as a reply's `html`; `note` unused)"),
    ] = None
    inline: Annotated[list[InlineImageIn], Meta(max_length=20, description="images the note shows")] = msgspec.field(
        default_factory=list
    )
    message_id: Annotated[
        Annotated[str, Meta(max_length=40)] | None,
        Meta(description="the message forwarded (its id); none: the whole ticket's conversation"),
    ] = None
    attachment_ids: Annotated[
        list[str], Meta(max_length=50, description="files of the forwarded mail(s) to send along (their ids)")
    ] = msgspec.field(default_factory=list)
    attachments: Annotated[list[str], Meta(max_length=10, description="keys from POST …/uploads")] = msgspec.field(
        default_factory=list
    )
    attach_original: Annotated[bool, Meta(description="the forwarded mail as .eml (one message with its raw mail)")] = (
        False
    )
    seen_thread_version: Annotated[
        Annotated[int, Meta(ge=0)] | None,
        Meta(description="as for replies: 409 reply_conflict when the thread grew since (nothing sent)"),
    ] = None
    confirm_conflict: bool = False


class SplitIn(Model, kw_only=True):
    version: Annotated[int | None, Meta(description="the version of the ticket you saw; a stale one gets 409")] = None


class SplitOut(Model, kw_only=True):
    source: Annotated[TicketOut, Meta(description="the ticket the message left")]
    ticket: Annotated[TicketOut, Meta(description="the new ticket with the message")]


class ReplyOut(Model, kw_only=True):
    ticket: TicketOut
    message: MessageOut


class CommentIn(Model, kw_only=True):
    body: Annotated[str, Meta(min_length=1, max_length=50000)]
    tags: Annotated[list[Tag], Meta(max_length=20)] = msgspec.field(default_factory=list)
    mentions: Annotated[list[str], Meta(max_length=20)] = msgspec.field(default_factory=list)


class CommentAdded(Model, kw_only=True):
    ticket: TicketOut
    comment: CommentOut


class UploadIn(Model, kw_only=True):
    filename: Annotated[HeaderText, Meta(min_length=1, max_length=200)]
    content_type: Annotated[HeaderText, Meta(max_length=100)] = "application/octet-stream"
    size: Annotated[int, Meta(gt=0, le=10 * 1024 * 1024)]


class UploadOut(Model, kw_only=True):
    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class CallerIn(Model, kw_only=True):
    name: Annotated[HeaderText, Meta(max_length=200, description="empty: a known customer's name")] = ""
    address: Email | None = None
    phone: Annotated[HeaderText, Meta(max_length=50)] = ""


class TicketCreateIn(Model, kw_only=True):
    subject: Annotated[HeaderText, Meta(min_length=1, max_length=500)]
    body: Annotated[str, Meta(min_length=1, max_length=100000, description="what the customer said (phone, visit)")]
    customer: Annotated[
        CallerIn | None, Meta(description="who called or wrote; an address is needed for `send_mail`")
    ] = None
    channel: Literal["phone", "walk_in", "email", "web", "letter", "chat", "other"] = "phone"
    queue: Annotated[str, Meta(max_length=64)] | None = None
    priority: Priority = Priority.MEDIUM
    assignee: Annotated[str, Meta(max_length=64)] | None = None
    tags: Annotated[list[Tag], Meta(max_length=30)] = msgspec.field(default_factory=list)
    status: Status = Status.OPEN
    project: Annotated[str, Meta(max_length=64)] | None = None
    type: Annotated[str, Meta(max_length=64)] | None = None
    due_at: str | None = None
    mailbox: Annotated[str, Meta(max_length=64)] | None = None
    parent_id: Annotated[str, Meta(max_length=40)] | None = None
    send_mail: Annotated[bool, Meta(description="also send `body` to the customer as the first mail")] = False


class MergeIn(Model, kw_only=True):
    into: Annotated[str, Meta(max_length=40, description="the ticket that survives")]
    version: Annotated[int, Meta(description="version of the ticket being merged")]
    into_version: Annotated[int, Meta(description="version of the surviving ticket")]


class MessageBody(Model, kw_only=True):
    text: str
    html: str


# ------------------------------------------------------------------------------------------ customers


class CustomerIn(Model, kw_only=True):
    email: Email
    name: Annotated[HeaderText, Meta(max_length=200)] | None = None
    company: Annotated[str, Meta(max_length=200)] | None = None
    phone: Annotated[str, Meta(max_length=50)] | None = None
    notes: Annotated[str, Meta(max_length=5000)] | None = None
    external_id: Annotated[
        Annotated[str, Meta(max_length=100)] | None, Meta(description="customer number in the ERP/CRM")
    ] = None


class CustomerPatch(Model, kw_only=True):
    name: Annotated[HeaderText, Meta(max_length=200)] | None = None
    company: Annotated[str, Meta(max_length=200)] | None = None
    phone: Annotated[str, Meta(max_length=50)] | None = None
    notes: Annotated[str, Meta(max_length=5000)] | None = None
    external_id: Annotated[str, Meta(max_length=100)] | None = None


class CustomerOut(Model, kw_only=True):
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


class CustomerList(Model, kw_only=True):
    items: list[CustomerOut]
    cursor: str | None


class CustomerQuery(Model, kw_only=True):
    q: Annotated[
        Annotated[str, Meta(max_length=100)] | None,
        Meta(
            description=(
                "any words of the name, address, company, customer number or phone (umlauts folded, prefixes); without "
                "q: every customer by name"
            )
        ),
    ] = None
    limit: Annotated[int, Meta(ge=1, le=100)] = 50
    cursor: Annotated[str, Meta(max_length=2000)] | None = None


class CustomerDetail(CustomerOut, kw_only=True):
    tickets: list[TicketOut]


# ------------------------------------------------------------------------------------------ reports


class StatsQuery(Model, kw_only=True):
    start: Annotated[
        Annotated[str, Meta(pattern="^\\d{4}-\\d{2}-\\d{2}$")] | None,
        Meta(description="first day (default: 30 days ago)"),
    ] = None
    end: Annotated[
        Annotated[str, Meta(pattern="^\\d{4}-\\d{2}-\\d{2}$")] | None, Meta(description="last day (default: today)")
    ] = None
    granularity: Literal["day", "week"] = "day"


class DurationsOut(Model, kw_only=True):
    count: int
    median_hours: float | None
    p90_hours: float | None


class SlaRateOut(Model, kw_only=True):
    met: int
    breached: int
    breach_rate: Annotated[float | None, Meta(description="breached / (met + breached); null without either")]


class StatsOut(Model, kw_only=True):
    start: str
    end: str
    granularity: str
    series: list[dict[str, Any]]
    totals: dict[str, int]
    first_response: DurationsOut
    resolution: DurationsOut
    backlog: dict[str, dict[str, int]]
    sla: Annotated[
        dict[SlaMetric, SlaRateOut],
        Meta(description="SLA clocks met and breached in the range, per metric (docs/automation.md)"),
    ] = msgspec.field(default_factory=dict)


# ------------------------------------------------------------------------------------------ public


class PublicMessage(Model, kw_only=True):
    id: str
    direction: Direction
    from_name: str
    text: str
    html: str
    created_at: str
    attachments: list[AttachmentOut]
    shortened: Annotated[
        bool, Meta(description="an older message of a very large ticket: the start of its text only")
    ] = False


class PublicTicket(Model, kw_only=True):
    number: str
    subject: str
    status: Status
    status_label: str
    status_label_en: str
    created_at: str
    updated_at: str
    messages: list[PublicMessage]
    solution_due_at: Annotated[
        str | None,
        Meta(description="when a solution may be expected (the SLA's solution due date, where shown to customers)"),
    ] = None


class PublicReplyIn(Model, kw_only=True):
    body: Annotated[str, Meta(min_length=1, max_length=20000)]
    seen_message_id: Annotated[
        Annotated[str, Meta(max_length=40)] | None,
        Meta(
            description=(
                "the newest message your page showed: if we wrote to you since, 409 reply_conflict with our new "
                "messages (nothing stored). Without it the answer is not checked"
            )
        ),
    ] = None
    confirm_conflict: Annotated[bool, Meta(description="send although there are new messages")] = False


class ContactIn(Model, kw_only=True):
    name: Annotated[HeaderText, Meta(max_length=200)] = ""
    email: Email
    subject: Annotated[HeaderText, Meta(min_length=1, max_length=300)]
    body: Annotated[str, Meta(min_length=1, max_length=20000)]
    mailbox: Annotated[str, Meta(max_length=64)] | None = None
    website: Annotated[str, Meta(max_length=200, description="honeypot: leave empty (bots fill it in)")] = ""
    notice_lang: Annotated[
        Literal["de", "en"] | None,
        Meta(
            description=(
                "the language of the privacy notice the form showed (GET /public/info): its text, link and the time "
                "are kept with the new ticket"
            )
        ),
    ] = None


class ContactOut(Model, kw_only=True):
    received: bool
    number: str | None = None


class PublicInfo(Model, kw_only=True):
    company: Annotated[str, Meta(description="the company's name (setting company)")]
    privacy_url: Annotated[
        dict[str, str], Meta(description="the privacy notice (Datenschutzhinweis) per language; '' = none")
    ]
    notice: Annotated[
        dict[str, str], Meta(description="the contact form's privacy notice per language, as it is stored")
    ]


# ------------------------------------------------------------------------------------------ admin


class DryRunIn(Model, kw_only=True):
    raw: Annotated[
        Annotated[str, Meta(max_length=2000000)] | None, Meta(description="a whole raw mail (.eml text)")
    ] = None
    sender: Email | None = None
    sender_name: str = ""
    to: Annotated[list[Email], Meta(max_length=20)] = msgspec.field(default_factory=list)
    subject: Annotated[str, Meta(max_length=1000)] = ""
    body: Annotated[str, Meta(max_length=100000)] = ""
    headers: dict[str, str] = msgspec.field(default_factory=dict)
    mailbox: str | None = None
    rules: Annotated[list[dict[str, Any]] | None, Meta(description="rules to try instead of the saved ones")] = None


class AutoReplyPreviewIn(Model, kw_only=True):
    mailbox: Annotated[dict[str, Any], Meta(description="the mailbox as the form holds it (a Mailbox, saved or not)")]
    subject: Annotated[str, Meta(max_length=1000, description="the customer's subject to try")] = "Lieferung fehlt"
    name: Annotated[str, Meta(max_length=200)] = "Erika Mustermann"
    email: Email = "erika@kunde.example"
    content_language: Annotated[str, Meta(max_length=35, description="the customer's Content-Language header")] = ""
    text: Annotated[str, Meta(max_length=20000, description="the customer's text (the language guess reads it)")] = ""


class AutoReplyPreviewOut(Model, kw_only=True):
    subject: str
    text: str
    lang: Literal["de", "en"]
    lang_reason: str
    unknown: Annotated[list[str], Meta(description="variables the auto-reply would not fill in (saving refuses them)")]


class MacroOut(Model, kw_only=True):
    id: str
    name: str
    owner: Annotated[str | None, Meta(description="null: shared with the team; else only this agent's")] = None
    actions: list[dict[str, Any]]


class MacroList(Model, kw_only=True):
    items: list[MacroOut]


class MacroRunIn(Model, kw_only=True):
    version: Annotated[int, Meta(description="the version you saw; a stale one gets 409 with the current ticket")]


class MacroRunOut(Model, kw_only=True):
    ticket: TicketOut
    changes: Annotated[dict[str, list[Any]], Meta(description="field: [before, after]")]
    reasons: Annotated[list[dict[str, Any]], Meta(description="{code, params, text}: what the macro (or its undo) did")]
    mailed: Annotated[bool, Meta(description="a template went to the customer as the agent's reply")] = False


class TriggerDryRunIn(Model, kw_only=True):
    ticket: Annotated[str, Meta(max_length=64, description="the ticket's number (T-2026-000123) or id")]
    event: TicketEvent
    status: Annotated[
        Annotated[str, Meta(max_length=32)] | None, Meta(description="status_changed: the new status")
    ] = None
    tag: Annotated[Annotated[str, Meta(max_length=100)] | None, Meta(description="tag_added: the tag")] = None
    triggers: Annotated[list[dict[str, Any]] | None, Meta(description="triggers to try instead of the saved ones")] = (
        None
    )


class TriggerDryRunOut(Model, kw_only=True):
    fired: Annotated[list[dict[str, str]], Meta(description="the triggers that would fire, in order: {id, name}")]
    explanation: Annotated[str, Meta(description="every decision, in English (the reasons' codes are in `reasons`)")]
    reasons: Annotated[
        list[dict[str, Any]], Meta(description="{code, params, text}: the client says them in German or English")
    ]
    changes: Annotated[dict[str, list[Any]], Meta(description="field: [now, after the triggers]")]
    effects: Annotated[
        list[dict[str, str]], Meta(description="comment, notice, template mail, event: {kind, value, source}")
    ]


class DryRunOut(Model, kw_only=True):
    fired: list[dict[str, Any]]
    explanation: Annotated[str, Meta(description="every decision, in English (the reasons' codes are in `reasons`)")]
    reasons: Annotated[
        list[dict[str, Any]],
        Meta(
            description=(
                "{code, params, text}, as the trigger dry run's: the rules that fired, each condition that held, the "
                "auto-reply's verdict; the client says them in German or English"
            )
        ),
    ] = msgspec.field(default_factory=list)
    result: dict[str, Any]
    autoreply: str | None = None


class TemplateOut(Model, kw_only=True):
    id: str
    name: str
    language: str
    subject: str
    body: str
    filled: Annotated[
        str | None,
        Meta(description="with ticket_id: the body with the variables filled in for that ticket, as it is sent"),
    ] = None
    kind: str
    mailboxes: list[str]
    projects: list[str]


class AgentIn(Model, kw_only=True):
    username: Annotated[str, Meta(pattern="^[a-z0-9][a-z0-9_-]{0,62}$")]
    email: Email
    name: Annotated[HeaderText, Meta(max_length=200)] = ""
    role: Literal["admin", "agent"] = "agent"
    queues: list[str] = msgspec.field(default_factory=list)
    language: Literal["de", "en"] = "de"
    temporary_password: Annotated[str, Meta(min_length=12, max_length=128)] | None = None


class AgentPatch(Model, kw_only=True):
    email: Email | UnsetType | None = UNSET
    name: Annotated[HeaderText, Meta(max_length=200)] | UnsetType | None = UNSET
    role: Literal["admin", "agent"] | UnsetType | None = UNSET
    queues: list[str] | UnsetType | None = UNSET
    language: Literal["de", "en"] | UnsetType | None = UNSET
    active: bool | UnsetType | None = UNSET
    aliases: Annotated[
        Annotated[list[Email], Meta(max_length=10)] | UnsetType | None,
        Meta(description="further addresses the agent mails from"),
    ] = UNSET


class Deleted(Model, kw_only=True):
    deleted: bool


class SetupItemOut(Model, kw_only=True):
    code: Literal[
        "admin", "mailbox", "default_queue", "mailbox_queues", "queue_notify", "autoreply", "signature", "team"
    ]
    state: Literal["done", "todo", "warn", "unknown"]
    params: dict[str, str] = msgspec.field(default_factory=dict)
    required: Annotated[bool, Meta(description="optional items (signature, a second agent) never count as open")]


class SetupOut(Model, kw_only=True):
    items: list[SetupItemOut]
    open: Annotated[int, Meta(description="required items not done; the web client shows the checklist while > 0")]


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


class NotificationOut(Model, kw_only=True):
    id: Annotated[str, Meta(description="<event time>_<event id>: POST /notifications/{id}/read")]
    kind: NotificationKind
    reason: Literal["assignee", "queue_responsible", "queue_member", "queue_open", "mentioned", "trigger"]
    ticket_id: str
    number: str
    subject: str
    actor: Annotated[str, Meta(description="who did it: an agent's username, customer, system")]
    text: Annotated[str, Meta(description="mentioned: the comment's text (at most 500 characters); else empty")]
    event_type: str
    created_at: str
    read: bool


class NotificationQuery(Model, kw_only=True):
    limit: Annotated[int, Meta(ge=1, le=100)] = 20
    cursor: Annotated[str, Meta(max_length=400)] | None = None
    unread: Annotated[bool, Meta(description="only unread ones")] = False


class NotificationList(Model, kw_only=True):
    items: list[NotificationOut]
    cursor: str | None
    unread: Annotated[int, Meta(description="my unread notifications in all")]


class UnreadCount(Model, kw_only=True):
    unread: int


class MarkedRead(Model, kw_only=True):
    marked: int
    unread: int


class ChannelChoice(Model, kw_only=True):
    app: bool
    mail: bool


class NotificationPreferences(Model, kw_only=True):
    """Event kind × channel. Kinds left out keep their defaults (GET shows every kind)."""

    preferences: dict[NotificationKind, ChannelChoice]


# ErrorBody's ``current`` refers to TicketOut, defined below it: resolved when ErrorBody is first built (defer_build).


# ------------------------------------------------------------------------ data protection (DSGVO)


class TicketDeletedOut(Model, kw_only=True):
    deleted: bool
    number: str | None
    messages: Annotated[int, Meta(description="messages deleted with it")]


class ErasureIn(Model, kw_only=True):
    mode: Annotated[
        Literal["delete", "anonymize"],
        Meta(description="delete: tickets and messages go; anonymize: tickets stay, personal data replaced"),
    ] = "delete"
    shared: Annotated[
        Literal["delete", "keep_others"],
        Meta(description="their tickets others took part in: delete entirely, or keep the others' messages"),
    ] = "delete"
    confirm: Annotated[str, Meta(description="the customer's address again: the confirmation")]


class ErasurePreviewOut(Model, kw_only=True):
    subject: Annotated[str, Meta(description="how the audit log will name the customer (a hash of the address)")]
    customer: Annotated[bool, Meta(description="a customer record exists")]
    tickets: int
    shared_tickets: Annotated[int, Meta(description="of those, tickets others outside the team took part in")]
    messages: int
    attachments: int
    attachments_complete: Annotated[bool, Meta(description="false: attachments counted in their first 50 tickets only")]
    numbers: Annotated[list[str], Meta(description="their tickets' numbers (at most 200)")]
    config: Annotated[
        list[str],
        Meta(
            description=(
                'the team\'s configuration records that name them ("<kind>#<id>": saved views, rules …); an erasure '
                "redacts them, it does not delete them"
            )
        ),
    ]


class ErasureJobOut(Model, kw_only=True):
    id: str
    state: Literal["running", "done"]
    phase: Phase
    mode: Literal["delete", "anonymize"]
    shared: Literal["delete", "keep_others"]
    subject: Annotated[str, Meta(description="the customer as a hash of the address")]
    actor: str
    started_at: str
    finished_at: str | None
    counts: dict[str, int]


class ErasureJobList(Model, kw_only=True):
    items: list[ErasureJobOut]


class DataExportOut(Model, kw_only=True):
    id: str
    state: Annotated[
        Literal["running", "done", "failed"],
        Meta(
            description=(
                "running: being built (by this request, a push, or the scheduled job); done: ready to download; "
                "failed: too big to build in one run of the scheduled job (docs/data-protection.md)"
            )
        ),
    ]
    subject: Annotated[str, Meta(description="the customer as a hash of the address")]
    actor: str
    started_at: str
    finished_at: str | None
    size: Annotated[int, Meta(description="bytes of the ZIP")]
    counts: Annotated[dict[str, int], Meta(description="tickets, messages, mails, attachments, messages_left_out")]
    filename: str
    download_url: Annotated[
        str | None,
        Meta(
            description=(
                "presigned link to the ZIP, valid 15 minutes (ask again for a fresh one); the ZIP itself is deleted "
                "after a day"
            )
        ),
    ]


class AuditQuery(Model, kw_only=True):
    month: Annotated[
        Annotated[str, Meta(pattern="^\\d{4}-(0[1-9]|1[0-2])$")] | None,
        Meta(description="YYYY-MM; default: this month"),
    ] = None


class AuditEntryOut(Model, kw_only=True):
    id: str
    at: str
    actor: str
    action: Annotated[
        str, Meta(description="config.put | config.delete | ticket.deleted | customer.deleted | customer.anonymized")
    ]
    target: str
    before: Any = None
    after: Any = None
    detail: dict[str, Any] = msgspec.field(default_factory=dict)


class AuditList(Model, kw_only=True):
    month: str
    items: list[AuditEntryOut]


class RetentionItemOut(Model, kw_only=True):
    ticket_id: str
    number: str
    queue: str
    updated_at: str
    action: Literal["delete", "anonymize"]


class RetentionOut(Model, kw_only=True):
    items: Annotated[
        list[RetentionItemOut], Meta(description="what the scheduled job would delete or anonymize, oldest first")
    ]
    examined: int
    stopped_early: Annotated[bool, Meta(description="the list ends at 500 tickets or 15 s: there may be more")]


class SavedViewIn(Model, kw_only=True):
    name: Annotated[HeaderText, Meta(min_length=1, max_length=80)]
    shared: Annotated[bool, Meta(description="true: shared with the team (admins only); false: only mine")] = False
    query: Annotated[ViewQuery, Meta(description="the inbox's filter and sort: the parameters of GET /tickets")] = (
        msgspec.field(default_factory=ViewQuery)
    )
    order: Annotated[int, Meta(ge=0, le=10000, description="its place in the sidebar (then by name)")] = 100

    def check(self) -> None:
        # The query is a configuration record, whose strings are stripped (" vip " finds the tag "vip");
        # decoded inside this model, which takes strings as sent, it was not.
        self.query = ViewQuery.model_validate(self.query)


class SavedViewOut(Model, kw_only=True):
    id: str
    name: str
    built_in: Annotated[bool, Meta(description="one of the inbox's fixed tabs (inbox, mine, unread, review, trash)")]
    owner: Annotated[
        str | None, Meta(description="null: shared with the team (or built in); else only this agent's")
    ] = None
    query: ViewQuery
    order: int
    count: Annotated[int, Meta(description="tickets in the view for the caller now (at least this many when `more`)")]
    more: Annotated[bool, Meta(description="the count stopped at its cap (shown as e.g. 100+)")] = False
    editable: Annotated[bool, Meta(description="the caller may change or delete it (its owner; admins)")]


class SavedViewList(Model, kw_only=True):
    items: list[SavedViewOut]
