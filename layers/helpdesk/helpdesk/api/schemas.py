"""Typed request and response models: the routes validate with them, ``/openapi.json`` is built from them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..domain.status import Priority, Status


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Model):
    error: str
    message: str
    field: str | None = None


class AddressOut(Model):
    name: str = ""
    address: str


class Link(Model):
    type: str
    ticket_id: str
    number: str | None = None


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
    parent_id: str | None
    merged_into: str | None
    links: list[Link]
    preview: str
    message_count: int
    created_at: str
    updated_at: str
    last_customer_at: str | None
    first_response_at: str | None
    closed_at: str | None
    version: int


class TicketList(Model):
    items: list[TicketOut]
    cursor: str | None
    partial: bool = Field(False, description="the read budget ended the page early; follow the cursor for more")


class AttachmentOut(Model):
    id: str
    filename: str
    content_type: str
    size: int
    inline: bool
    content_id: str | None
    note: str | None
    url: str | None = Field(None, description="short-lived download link (Content-Disposition: attachment)")


class MessageOut(Model):
    id: str
    direction: Literal["inbound", "outbound"]
    channel: str
    from_: AddressOut | None = Field(alias="from")
    to: list[AddressOut]
    cc: list[AddressOut]
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
    author: str | None
    send_state: str | None
    defects: list[str]
    limit_exceeded: list[str]
    created_at: str
    truncated: bool = False

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


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
    events: list[EventOut]
    related: list[RelatedTicket] = Field(default_factory=list)


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
