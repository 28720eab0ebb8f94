"""Team configuration as validated, typed records: mailboxes, queues, rules, templates, agents, settings.

The API validates admin input with these records; the ingest reads a :class:`ConfigSnapshot` (cached
across warm invocations). No I/O here. Records are msgspec Structs (``domain/records.py`` says why and
how they behave): constraints are ``Meta``, checks across fields are ``check()``.
"""

# No "from __future__ import annotations": msgspec would compile every string annotation at first use.
import re
from datetime import date
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from msgspec import Meta, field

from .header_guard import no_header_breaks
from .headers import normalize_address
from .numbering import DEFAULT_FORMAT, NumberFormatError, number_format
from .records import Check, FieldError
from .records import Record as Record  # the base of every record here (the store writes any of them)
from .status import Priority, Status

Key = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Lang = Literal["de", "en"]
Address = Annotated[str, Meta(max_length=320)]
# One line of a header or a name: at most 300 characters, no line break (domain/header_guard.py).
Line = Annotated[str, Meta(max_length=300), Check(no_header_breaks)]
Text = Annotated[str, Meta(max_length=20000)]
Signature = Annotated[str, Meta(max_length=5000)]
Days = Annotated[float, Meta(gt=0, le=365)]


# frozen: its instances are defaults (shared); msgspec allows a frozen record on the base, mypy does not know it
class LocalizedText(Record, frozen=True, kw_only=True):  # type: ignore[misc]
    de: Text = ""
    en: Text = ""

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else self.de) or self.de or self.en


DEFAULT_AUTOREPLY_SUBJECT = LocalizedText(
    de="Ihre Anfrage [#{TICKET}]: {BETREFF}",
    en="Your request [#{TICKET}]: {SUBJECT}",
)
DEFAULT_AUTOREPLY_BODY = LocalizedText(
    de=(
        "Guten Tag {NAME},\n\nvielen Dank für Ihre Nachricht. Wir haben sie unter der Ticketnummer {TICKET} "
        "erfasst und melden uns so bald wie möglich.\n\nBitte lassen Sie die Nummer im Betreff stehen, "
        "wenn Sie antworten.\n\nIhr Team von {MAILBOX}"
    ),
    en=(
        "Hello {NAME},\n\nthank you for your message. We have filed it as ticket {TICKET} and will get back to "
        "you as soon as we can.\n\nPlease keep the number in the subject when you reply.\n\nYour {MAILBOX} team"
    ),
)


DEFAULT_CUSTOMER_LINK_TEXT = LocalizedText(
    de="Ihr Ticket online: {LINK}",
    en="Your ticket online: {LINK}",
)


DEFAULT_REMINDER_SUBJECT = LocalizedText(de="Erinnerung: {BETREFF}", en="Reminder: {SUBJECT}")
DEFAULT_REMINDER_BODY = LocalizedText(
    de=(
        "Guten Tag {NAME},\n\nwir warten noch auf Ihre Rückmeldung zu Ihrer Anfrage {TICKET}. Wenn wir bis dahin "
        "nichts von Ihnen hören, schließen wir das Ticket in einigen Tagen. Eine Antwort auf diese Mail öffnet es "
        "jederzeit wieder.\n\nIhr Team von {MAILBOX}"
    ),
    en=(
        "Hello {NAME},\n\nwe are still waiting for your reply to your request {TICKET}. If we do not hear from you, "
        "we will close the ticket in a few days. Replying to this mail reopens it at any time.\n\nYour {MAILBOX} team"
    ),
)
DEFAULT_CLOSE_SUBJECT = LocalizedText(de="Abgeschlossen: {BETREFF}", en="Closed: {SUBJECT}")
DEFAULT_CLOSE_BODY = LocalizedText(
    de=(
        "Guten Tag {NAME},\n\nda wir keine Rückmeldung erhalten haben, haben wir Ihre Anfrage {TICKET} "
        "abgeschlossen. Antworten Sie einfach auf diese Mail, wenn noch etwas offen ist.\n\nIhr Team von {MAILBOX}"
    ),
    en=(
        "Hello {NAME},\n\nas we have not heard back from you, we have closed your request {TICKET}. Just reply to "
        "this mail if anything is still open.\n\nYour {MAILBOX} team"
    ),
)


class Mailbox(Record, kw_only=True):
    """A receiving address (the seeds' "E-Mail-Account" with "Im Ticket-System nutzen")."""

    id: Key
    address: Address
    name: Line = ""
    default_queue: Key | None = None
    default_project: Key | None = None
    language: Lang = "de"
    autoreply: bool = True
    autoreply_subject: LocalizedText = DEFAULT_AUTOREPLY_SUBJECT
    autoreply_body: LocalizedText = DEFAULT_AUTOREPLY_BODY
    import_from: date | None = None  # "E-Mails ab Datum": older mail is stored closed, without auto-reply
    close_on_import: bool = False  # "Ticket als abgeschlossen markieren"
    outgoing_address: Address | None = None
    active: bool = True
    remind_after_days: Days | None = None  # autoclose overrides (queue wins)
    close_after_days: Days | None = None
    # Below every reply sent from this mailbox (instead of the team's); variables as in templates ({AGENT}, {PHONE} …).
    signature: Signature = ""

    def check(self) -> None:
        # a mailbox is its address: "" is no more acceptable than "nonsense"
        self.address = _address("address", self.address)
        # empty: send from the receiving address
        self.outgoing_address = _address("outgoing_address", self.outgoing_address) if self.outgoing_address else None
        for lang in ("de", "en"):
            try:
                no_header_breaks(getattr(self.autoreply_subject, lang))
            except ValueError as exc:
                raise FieldError("autoreply_subject", str(exc)) from None

    @property
    def sender(self) -> str:
        return self.outgoing_address or self.address


def _address(field: str, value: str) -> str:
    normalized = normalize_address(value) if value else None
    if not normalized:
        raise FieldError(field, "not an e-mail address")
    return normalized


class Queue(Record, kw_only=True):
    """A queue ("Warteschlange"/"Bearbeiter"): without a responsible agent every agent may take its tickets."""

    id: Key
    name: Line
    responsible: list[Key] = []  # agents with access; empty = everyone
    notify_address: Address | None = None
    mailbox: Key | None = None  # the mailbox its tickets' first mails go from (manual tickets, contact form)
    first_response_hours: Annotated[float, Meta(gt=0, le=24 * 90)] | None = None
    remind_after_days: Days | None = None
    close_after_days: Days | None = None
    # closed tickets older than this many years go (team setting retention_action); 0 = keep; None = the team's
    retention_years: Annotated[int, Meta(ge=0, le=30)] | None = None
    # Fair assignment (domain/assignment.py) of a ticket that enters the queue unassigned.
    assignment: Literal["off", "round_robin", "least_open"] = "off"
    assign_only_present: bool = False  # only agents with the app open (live presence) are candidates

    def check(self) -> None:
        # Normalized when it is an address. A stored value that is none is kept, so that the queue (its access
        # rules) still loads; the admin API refuses one on save (api/admin.py).
        if self.notify_address:
            self.notify_address = normalize_address(self.notify_address) or self.notify_address
        else:
            self.notify_address = None

    def open_to(self, agent: str) -> bool:
        return not self.responsible or agent in self.responsible


ConditionField = Literal[
    "from",
    "from_name",
    "from_domain",
    "to",
    "recipient",
    "cc",
    "subject",
    "body",
    "mailbox",
    "has_attachment",
    "attachment_name",
    "spam_verdict",
    "virus_verdict",
    "spf",
    "dkim",
    "dmarc",
    "header",
]
ConditionOp = Literal["equals", "contains", "starts_with", "ends_with", "regex", "not_contains", "exists"]


class Condition(Record, kw_only=True):
    field: ConditionField
    op: ConditionOp = "contains"
    value: Annotated[str, Meta(max_length=500)] = ""
    header: Annotated[str, Meta(max_length=100)] | None = None  # for field == "header"

    def check(self) -> None:
        if self.op == "regex":
            if len(self.value) > 200:
                raise ValueError("regex longer than 200 characters")
            import regex  # the engine rules run with (domain/rules.py); only regex rules pay the import

            try:
                regex.compile(self.value)
            except regex.error as exc:
                raise ValueError(f"invalid regex: {exc}") from exc
        if self.field == "header" and not self.header:
            raise ValueError("a header condition needs the header name")
        if self.op in ("contains", "starts_with", "ends_with", "regex", "not_contains") and not self.value:
            # An empty value would match every mail (or, for not_contains, none); "equals" "" means "is empty".
            raise ValueError(f"a '{self.op}' condition needs a value")


class RuleActions(Record, kw_only=True):
    queue: Key | None = None
    status: Status | None = None
    priority: Priority | None = None
    tags: list[Annotated[str, Meta(max_length=50)]] = []
    assignee: Key | None = None
    project: Key | None = None
    type: Key | None = None
    spam: bool = False  # → trash, no auto-reply
    private: bool = False
    personal: bool = False
    prio: bool = False
    suppress_autoreply: bool = False
    stop: bool = False  # stop processing further rules


class Rule(Record, kw_only=True):
    id: Key
    name: Line
    order: int = 100
    enabled: bool = True
    match: Literal["all", "any"] = "all"
    conditions: Annotated[list[Condition], Meta(min_length=1, max_length=20)]
    actions: RuleActions


class Template(Record, kw_only=True):
    """A reply template ("Ticket Vorlage"); scoped to mailboxes/projects, or global when both are empty."""

    id: Key
    name: Line
    language: Lang = "de"
    subject: Line = ""
    body: Text
    mailboxes: list[Key] = []
    projects: list[Key] = []
    kind: Literal["reply", "reminder", "close", "autoreply"] = "reply"

    def applies_to(self, mailbox: str | None, project: str | None) -> bool:
        mailbox_ok = not self.mailboxes or (mailbox in self.mailboxes)
        project_ok = not self.projects or (project in self.projects)
        return mailbox_ok and project_ok


class Agent(Record, kw_only=True):
    username: Key
    email: Address
    name: Line = ""
    role: Literal["admin", "agent"] = "agent"
    queues: list[Key] = []  # extra access to restricted queues
    language: Lang = "de"
    active: bool = True
    away: bool = False  # "abwesend": fair assignment passes them by
    phone: Line = ""  # {PHONE} in signatures
    signature: Signature = ""  # the agent's own, above the mailbox's
    # Further addresses the agent mails from with their own mail program (docs/threading.md: agents' own mail).
    aliases: Annotated[list[Address], Meta(max_length=10)] = []

    def check(self) -> None:
        self.email = _address("email", self.email)
        normalized: list[str] = []
        for value in self.aliases:
            address = normalize_address(value)
            if not address:
                raise FieldError("aliases", f"{value!r} is not an e-mail address")
            normalized.append(address)
        self.aliases = list(dict.fromkeys(normalized))

    @property
    def addresses(self) -> set[str]:
        """Every address this agent mails from: the login's e-mail and the aliases."""
        return {self.email, *self.aliases}


class AutoclosePolicy(Record, kw_only=True):
    remind_after_days: Days = 7
    close_after_days: Days = 14
    send_reminder: bool = True
    send_close_mail: bool = False
    raise_priority_when_overdue: bool = True
    # Warn who is responsible this long before a deadline (due date, first-response target) passes; 0: never.
    deadline_warning_minutes: Annotated[int, Meta(ge=0, le=7 * 24 * 60)] = 60

    def check(self) -> None:
        if self.close_after_days <= self.remind_after_days and self.send_reminder:
            raise ValueError("close_after_days must be later than remind_after_days")


class LocalizedUrl(Record, frozen=True, kw_only=True):  # type: ignore[misc]
    """A link per language (the privacy notice): http(s) only, never ``javascript:`` or ``data:``."""

    de: Annotated[str, Meta(max_length=500)] = ""
    en: Annotated[str, Meta(max_length=500)] = ""

    def check(self) -> None:
        for lang in ("de", "en"):
            value = getattr(self, lang)
            if value and not re.fullmatch(r"https?://[^\s<>\"']+", value):
                raise FieldError(lang, "an http(s) address, e.g. https://example.com/datenschutz")

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else self.de) or self.de or self.en


class TeamSettings(Record, kw_only=True):
    company: Line = "Helpdesk"
    # The privacy notice (Datenschutzhinweis) the contact form and the customers' ticket pages link to.
    privacy_url: LocalizedUrl = LocalizedUrl()
    number_format: Line = DEFAULT_FORMAT
    block_external_content: bool = True
    default_queue: Key = "support"
    default_language: Lang = "de"
    autoreply_window_hours: Annotated[float, Meta(ge=0, le=24 * 30)] = 24
    autoreply_max_per_day: Annotated[int, Meta(ge=1, le=1000)] = 40  # per sender and day, as OTRS
    reopen_max_age_days: Annotated[float, Meta(gt=0, le=3650)] = 30  # older closed tickets: new linked ticket
    autoclose: AutoclosePolicy = field(default_factory=AutoclosePolicy)
    customer_links: bool = True
    customer_link_days: Annotated[int, Meta(ge=1, le=365)] = 30
    # The line below a reply with the customer's link (in the sending mailbox's language); empty: no line.
    customer_link_text: LocalizedText = DEFAULT_CUSTOMER_LINK_TEXT
    signature: Signature = ""  # a mailbox's own signature replaces it
    # The composer quotes the mail answered below a reply (the agent can leave the quote out per reply).
    quote_replies: bool = True
    # The mailbox mail goes from when neither the ticket nor its queue names one (manual tickets, contact form).
    default_mailbox: Key | None = None
    # Papierkorb: tickets unchanged there this many days are deleted for good by the scheduled job (0: never).
    trash_retention_days: Annotated[int, Meta(ge=0, le=3650)] = 0
    # Closed tickets unchanged this many years are deleted or anonymized by the scheduled job (0: kept).
    retention_years: Annotated[int, Meta(ge=0, le=30)] = 0
    retention_action: Literal["delete", "anonymize"] = "delete"
    # Sender of the agents' notification mails (issue 12); empty: notifications@<mail domain>.
    notification_sender: Address | None = None

    def check(self) -> None:
        self.notification_sender = (
            _address("notification_sender", self.notification_sender) if self.notification_sender else None
        )
        try:
            number_format(self.number_format)
        except NumberFormatError as exc:
            raise FieldError("number_format", str(exc)) from None


# ------------------------------------------------------------------ automation (issue 17, domain/automation.py)
ActionKind = Literal[
    "set_status",
    "set_priority",
    "set_queue",
    "set_assignee",
    "unassign",
    "add_tag",
    "remove_tag",
    "set_type",
    "set_project",
    "set_due_in_hours",  # business hours from now on the calendar given
    "add_comment",
    "notify",  # value: "agent:<username>", "queue:<id>" or "assignee"
    "send_template",  # value: a template id; mailed to the customer with the auto-reply's loop guards
    "publish",  # value: the EventBridge detail-type suffix
]
EFFECTS: frozenset[str] = frozenset({"add_comment", "notify", "send_template", "publish"})
TicketEvent = Literal[
    "ticket_created",
    "customer_replied",
    "agent_replied",
    "status_changed",
    "assigned",
    "unassigned",
    "tag_added",
    "priority_changed",
]
TimeEvent = Literal["no_agent_reply", "in_status", "due_soon", "sla_warning"]
TicketField = Literal[
    "status", "priority", "queue", "assignee", "tag", "type", "project", "customer", "customer_domain", "subject"
]
FieldOp = Literal["is", "is_not", "contains", "not_contains", "is_set", "not_set"]


class Action(Record, kw_only=True):
    kind: ActionKind
    value: Annotated[str, Meta(max_length=5000)] = ""

    def check(self) -> None:
        if self.kind == "set_status":
            Status(self.value)
        elif self.kind == "set_priority":
            Priority(self.value)
        elif self.kind == "set_due_in_hours":
            hours = float(self.value)
            if not 0 < hours <= 24 * 365:
                raise ValueError("set_due_in_hours needs between 0 and 8760 hours")
        elif self.kind not in ("unassign",) and not self.value:
            raise ValueError(f"the action {self.kind} needs a value")


class TicketCondition(Record, kw_only=True):
    field: TicketField
    op: FieldOp = "is"
    value: Annotated[str, Meta(max_length=500)] = ""


class Macro(Record, kw_only=True):
    """Named actions an agent applies to one ticket or many ("Rückfrage an Kunde")."""

    id: Key
    name: Line
    actions: Annotated[list[Action], Meta(min_length=1, max_length=20)]
    owner: Key | None = None  # None: shared with the team; else only its owner sees it


Flag = Literal["true", "false"] | None
Sort = Literal["updated", "created", "due", "priority", "number", "customer"]
SearchText = Annotated[str, Meta(max_length=100)] | None


class ViewQuery(Record, kw_only=True):
    """A saved view's filter and sort: the parameters of ``GET /tickets`` (the inbox's URL) it stands for."""

    status: Annotated[str, Meta(pattern=r"^(all|[a-z_]+(,[a-z_]+)*)$", max_length=120)] | None = None
    queue: Key | None = None
    assignee: Key | None = None  # a username, or "me": whoever looks at the view
    tag: Annotated[str, Meta(max_length=50)] | None = None
    customer: Address | None = None
    priority: Priority | None = None
    mailbox: Key | None = None
    project: Key | None = None
    private: Flag = None
    personal: Flag = None
    prio: Flag = None
    unread: Flag = None
    review: Flag = None
    q: SearchText = None
    number: SearchText = None
    subject: SearchText = None
    customer_text: SearchText = None
    sla: Literal["running", "warning", "breached"] | None = None  # the SLA state (issue 17, part 3)
    sort: Sort = "updated"
    order: Literal["asc", "desc"] | None = None

    def check(self) -> None:
        if self.status and self.status != "all":
            for part in self.status.split(","):
                try:
                    Status(part)
                except ValueError as exc:
                    raise FieldError("status", str(exc)) from None
        self.status = self.status or None


class SavedView(Record, kw_only=True):
    """A saved view ("Eigene Ordner", issue 17 part 4): a named filter and sort in the inbox's sidebar.

    ``owner`` None: shared with the team (kept by admins); else only its owner sees it."""

    id: Key
    name: Line
    owner: Key | None = None
    query: ViewQuery = field(default_factory=ViewQuery)
    order: int = 100  # its place in the sidebar (then by name)


class Trigger(Record, kw_only=True):
    id: Key
    name: Line
    order: int = 100
    enabled: bool = True
    event: TicketEvent | TimeEvent
    hours: Annotated[float, Meta(gt=0, le=24 * 365)] | None = None  # time events: N (business) hours
    status: Status | None = None  # in_status: which status; status_changed: only to this status
    match: Literal["all", "any"] = "all"
    conditions: Annotated[list[TicketCondition], Meta(max_length=20)] = []
    mail_conditions: Annotated[list[Condition], Meta(max_length=20)] = []  # the rules' conditions
    business_hours: Literal["any", "inside", "outside"] = "any"
    actions: Annotated[list[Action], Meta(min_length=1, max_length=20)]
    stop: bool = False  # later triggers do not run for this occurrence

    def check(self) -> None:
        timed = self.event in ("no_agent_reply", "in_status", "due_soon", "sla_warning")
        if timed and self.event != "sla_warning" and self.hours is None:
            raise ValueError(f"the time event {self.event} needs 'hours'")
        if self.event == "in_status" and self.status is None:
            raise ValueError("the time event in_status needs 'status'")


# ------------------------------------------------------------------ SLA policies (issue 17, domain/sla.py)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Window = Annotated[str, Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$")]
Windows = Annotated[list[Window], Meta(max_length=6)]
OFFICE_WINDOWS = ["08:00-17:00"]


class SlaCalendar(Record, kw_only=True):
    """Business hours per weekday ("08:00-12:00", "13:00-17:00"; "00:00-24:00" all day), a time zone, the
    public holidays of a German state (``DE`` or ``DE-BY`` …; empty: none) and own dates (company holidays)."""

    tz: Annotated[str, Meta(max_length=64)] = "Europe/Berlin"
    monday: Windows = field(default_factory=lambda: list(OFFICE_WINDOWS))
    tuesday: Windows = field(default_factory=lambda: list(OFFICE_WINDOWS))
    wednesday: Windows = field(default_factory=lambda: list(OFFICE_WINDOWS))
    thursday: Windows = field(default_factory=lambda: list(OFFICE_WINDOWS))
    friday: Windows = field(default_factory=lambda: list(OFFICE_WINDOWS))
    saturday: Windows = []
    sunday: Windows = []
    holidays_region: Annotated[str, Meta(pattern=r"^(DE|DE-[A-Z]{2})?$")] = "DE"
    extra_holidays: Annotated[list[date], Meta(max_length=400)] = []

    def check(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        for day in WEEKDAYS:
            previous = "00:00"
            for window in getattr(self, day):
                start, end = window.split("-")
                if (end != "24:00" and end <= start) or start < previous:
                    raise ValueError(f"{day}: business hours must be in order and must not overlap ({window})")
                previous = end
        if not any(getattr(self, day) for day in WEEKDAYS):
            raise ValueError("a calendar needs business hours on at least one weekday")


Hours = Annotated[float, Meta(gt=0, le=24 * 365)]


class SlaTargets(Record, kw_only=True):
    """Business hours allowed per clock; empty: the clock is not kept."""

    first_response_hours: Hours | None = None
    next_response_hours: Hours | None = None
    solution_hours: Hours | None = None


class SlaPolicy(Record, kw_only=True):
    """Targets per priority (key ``"*"``: every other priority), for some queues and customers (empty: all);
    the first enabled policy in order that matches a ticket applies."""

    id: Key
    name: Line
    order: int = 100
    enabled: bool = True
    queues: list[Key] = []
    customers: list[Address] = []
    targets: Annotated[dict[Literal["*", "lowest", "low", "medium", "high", "urgent"], SlaTargets], Meta(min_length=1)]
    calendar: SlaCalendar = field(default_factory=SlaCalendar)
    pause_in: list[Status] = field(default_factory=lambda: [Status.WAITING_CUSTOMER])
    warn_before_minutes: Annotated[int, Meta(ge=0, le=7 * 24 * 60)] = 60
    show_to_customer: bool = False  # the solution due date on the customer's page and as {FAELLIG}/{DUE}

    def check(self) -> None:
        customers = []
        for value in self.customers:
            text = value.strip().lower()
            if text.startswith("@") and "." in text and " " not in text:
                customers.append(text)
                continue
            address = normalize_address(text)
            if not address:
                raise FieldError("customers", f"{value!r} is neither an address nor an @domain")
            customers.append(address)
        self.customers = customers
        if Status.CLOSED in self.pause_in or Status.TRASH in self.pause_in:
            raise ValueError("closed and trash stop every clock; they cannot be pausing statuses")


class ConfigSnapshot(Record, kw_only=True):
    """Everything the ingest and the API need to decide, loaded in one Query per kind."""

    settings: TeamSettings = field(default_factory=TeamSettings)
    mailboxes: list[Mailbox] = []
    queues: list[Queue] = []
    rules: list[Rule] = []
    templates: list[Template] = []
    agents: list[Agent] = []
    triggers: list[Trigger] = []
    macros: list[Macro] = []
    sla_policies: list[SlaPolicy] = []
    views: list[SavedView] = []

    def mailbox_for(self, recipients: list[str]) -> Mailbox | None:
        """The first configured, active mailbox among the recipients (envelope first, then To/Cc)."""
        by_address = {m.address: m for m in self.mailboxes if m.active}
        for address in recipients:
            if address in by_address:
                return by_address[address]
        return None

    def mailbox(self, mailbox_id: str | None) -> Mailbox | None:
        return next((m for m in self.mailboxes if m.id == mailbox_id), None)

    def sending_mailbox(self, mailbox_id: str | None, queue_id: str | None) -> Mailbox | None:
        """The mailbox a ticket's mail goes from, the first of: its own (where it came in, or the one an
        agent chose); its queue's (``Queue.mailbox``); the team's default (``default_mailbox``); the mailbox
        that files into its queue, then into the default queue; the only mailbox there is. Never just "the
        first configured one": with several mailboxes and none of these, None (the caller asks for one)."""
        queue = self.queue(queue_id)
        filing = {m.default_queue: m for m in reversed(self.mailboxes) if m.active and m.default_queue}
        active = [m for m in self.mailboxes if m.active]
        return (
            self.mailbox(mailbox_id)
            or self.mailbox(queue.mailbox if queue else None)
            or self.mailbox(self.settings.default_mailbox)
            or (filing.get(queue_id) if queue_id else None)
            or filing.get(self.settings.default_queue)
            or (active[0] if len(active) == 1 else None)
        )

    def queue(self, queue_id: str | None) -> Queue | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def agent(self, username: str | None) -> Agent | None:
        return next((a for a in self.agents if a.username == username), None)

    def agent_by_email(self, address: str) -> Agent | None:
        return next((a for a in self.agents if a.email == address), None)

    def agent_by_address(self, address: str) -> Agent | None:
        """The active agent who mails from ``address`` (their e-mail or one of their aliases), if any."""
        if not address:
            return None
        return next((a for a in self.agents if a.active and address in a.addresses), None)

    def alias_refused(self, agent: Agent) -> str | None:
        """Why ``agent``'s aliases cannot be kept (None: they can): an alias may be neither one of our mailboxes'
        addresses (mail from it is our own) nor an address of another agent (whose mail would it be?)."""
        own = self.own_addresses
        for alias in agent.aliases:
            if alias in own:
                return f"{alias} is a mailbox address of the helpdesk, not an agent's own"
            other = next((a for a in self.agents if a.username != agent.username and alias in a.addresses), None)
            if other is not None:
                return f"{alias} is already an address of agent {other.username}"
        return None

    @property
    def own_addresses(self) -> set[str]:
        return {m.address for m in self.mailboxes} | {m.sender for m in self.mailboxes}

    def sorted_rules(self) -> list[Rule]:
        return sorted((r for r in self.rules if r.enabled), key=lambda r: (r.order, r.id))

    def hidden_queues(self, agent: str, is_admin: bool) -> set[str]:
        """Queues whose tickets this agent may not see: restricted queues they are not responsible for.

        A queue without responsible agents (and a queue id that is not configured at all) is open to
        every agent, as in the seeds; admins see everything.
        """
        if is_admin:
            return set()
        me = self.agent(agent)
        extra = set(me.queues) if me else set()
        return {q.id for q in self.queues if not q.open_to(agent) and q.id not in extra}


CONFIG_KINDS: dict[str, type[Record]] = {
    "mailbox": Mailbox,
    "queue": Queue,
    "rule": Rule,
    "template": Template,
    "agent": Agent,
    "trigger": Trigger,
    "macro": Macro,
    "sla_policy": SlaPolicy,
    "view": SavedView,
}
# the ConfigSnapshot field each kind's records are in
SNAPSHOT_FIELDS: dict[str, str] = {
    "mailbox": "mailboxes",
    "queue": "queues",
    "rule": "rules",
    "template": "templates",
    "agent": "agents",
    "trigger": "triggers",
    "macro": "macros",
    "sla_policy": "sla_policies",
    "view": "views",
}


def record_key(kind: str, record: Record) -> str:
    value: Any = getattr(record, "username" if kind == "agent" else "id")
    return str(value)
