"""Admin routes (admins only): mailboxes, queues, rules (with a dry run), templates, agents, settings,
triggers (with a dry run), macros, SLA policies.

Configuration records are validated with the same models the ingest reads; a change is visible to
this Lambda at once and to the others within the config cache time (30 s).
"""

from __future__ import annotations

from typing import Any, cast

import msgspec

from ..aws.cognito import CognitoAuth
from ..domain.automation import Occurrence, unknown_references
from ..domain.autoreply_mail import render_autoreply
from ..domain.clock import now
from ..domain.config import (
    SNAPSHOT_FIELDS,
    Agent,
    ConfigSnapshot,
    Lang,
    Macro,
    Mailbox,
    Queue,
    Rule,
    SlaPolicy,
    TeamSettings,
    Template,
    Trigger,
)
from ..domain.header_guard import valid_address
from ..domain.intake import NewTicketFacts, decide_new_ticket, rules_outcome, typed_mail
from ..domain.mail import parse_mail
from ..domain.mail_domains import address_refused
from ..domain.notifications import sender_refused
from ..domain.reasons import reason
from ..domain.reasons import to_json as reason_json
from ..domain.records import Record, RecordError
from ..domain.setup import checklist, open_items
from ..domain.sla import calendar_of
from ..domain.status import Status
from ..domain.templating import KNOWN_FOR, unknown_variables
from ..services import agents as agent_accounts
from ..services import automation
from .context import Services
from .errors import BadRequest, Conflict, NotFound
from .routing import Api, Ctx, validation_error
from .schemas import (
    AgentIn,
    AgentPatch,
    AutoReplyPreviewIn,
    AutoReplyPreviewOut,
    Deleted,
    DryRunIn,
    DryRunOut,
    SetupItemOut,
    SetupOut,
    TriggerDryRunIn,
    TriggerDryRunOut,
)

RESOURCES: dict[str, tuple[str, type[Record]]] = {
    "mailboxes": ("mailbox", Mailbox),
    "queues": ("queue", Queue),
    "rules": ("rule", Rule),
    "templates": ("template", Template),
    "triggers": ("trigger", Trigger),
    "macros": ("macro", Macro),
    "sla-policies": ("sla_policy", SlaPolicy),
}


def _list_model(model: type[Record]) -> type[Record]:
    """``{"items": [model, …]}``: the answer of an admin listing (``AdminMailboxList`` … in /openapi.json)."""
    items: Any = list[model]  # type: ignore[valid-type]
    return cast("type[Record]", msgspec.defstruct(f"Admin{model.__name__}List", [("items", items)], bases=(Record,)))


def register(api: Api, services: Services) -> None:
    cognito = CognitoAuth(services.settings.user_pool_id, services.settings.user_pool_client_id)
    _register_trigger_dry_run(api, services)  # before the CRUD routes: "dry-run" is no trigger id
    for plural, (kind, model) in RESOURCES.items():
        _crud(api, services, plural, kind, model)

    @api.route(
        "/admin/agents",
        auth="admin",
        response=_list_model(Agent),
        tags=("admin",),
        summary="Agents and their queue access",
        errors=(401, 403),
    )
    def agents(ctx: Ctx) -> Any:
        return {"items": [a.model_dump(mode="json") for a in services.config.snapshot().agents]}

    @api.route(
        "/admin/agents",
        "POST",
        auth="admin",
        body=AgentIn,
        response=Agent,
        status=201,
        tags=("admin",),
        summary="Create an agent (Cognito user in group admin/agent; an invitation mail goes out)",
        errors=(400, 401, 403, 409),
    )
    def create_agent(ctx: Ctx) -> Agent:
        body: AgentIn = ctx.body
        agent = Agent(
            username=body.username,
            email=body.email,
            name=body.name,
            role=body.role,
            queues=body.queues,
            language=body.language,
        )
        try:
            return agent_accounts.create_agent(
                services.config, cognito, agent, temporary_password=body.temporary_password, actor=ctx.user.username
            )
        except agent_accounts.AgentExists as exc:
            raise Conflict(str(exc)) from exc

    @api.route(
        "/admin/agents/{username}",
        "PATCH",
        auth="admin",
        body=AgentPatch,
        response=Agent,
        tags=("admin",),
        summary="Change an agent's role, queues, language, aliases, or disable them",
        errors=(400, 401, 403, 404),
    )
    def update_agent(ctx: Ctx, username: str) -> Agent:
        body: AgentPatch = ctx.body
        cfg = services.config.snapshot()
        current = cfg.agent(username)
        if current is None:
            raise NotFound("no such agent")
        changes = body.model_dump(exclude_unset=True)
        try:
            agent = Agent.model_validate({**current.model_dump(), **changes})
        except RecordError as exc:
            raise validation_error(exc) from exc
        refused = cfg.alias_refused(agent)
        if refused:
            raise BadRequest(refused, field="aliases")
        if current.active and current.role == "admin" and not (agent.active and agent.role == "admin"):
            others = [a for a in cfg.agents if a.username != username]
            if not any(a.active and a.role == "admin" for a in others):
                raise Conflict("at least one active admin must remain")
        if "role" in changes and changes["role"] != current.role:
            cognito.set_group(username, agent.role)
        if "active" in changes and changes["active"] != current.active:
            cognito.set_enabled(username, agent.active)
        services.config.put("agent", agent, actor=ctx.user.username)
        return agent

    @api.route(
        "/admin/settings",
        auth="admin",
        response=TeamSettings,
        tags=("admin",),
        summary="Team settings: number format, external content, auto-reply window, autoclose policy, …",
        errors=(401, 403),
    )
    def get_settings(ctx: Ctx) -> TeamSettings:
        return services.config.snapshot().settings

    @api.route(
        "/admin/settings",
        "PUT",
        auth="admin",
        body=TeamSettings,
        response=TeamSettings,
        tags=("admin",),
        summary="Replace the team settings",
        errors=(400, 401, 403),
    )
    def put_settings(ctx: Ctx) -> TeamSettings:
        body: TeamSettings = ctx.body
        refused = sender_refused(body.notification_sender, services.settings.mail_domains)
        if refused:
            raise BadRequest(refused, field="notification_sender")
        services.config.put_settings(body, actor=ctx.user.username)
        return body

    @api.route(
        "/admin/mailboxes/preview",
        "POST",
        auth="admin",
        body=AutoReplyPreviewIn,
        response=AutoReplyPreviewOut,
        tags=("admin",),
        summary="The auto-reply of a mailbox (saved or as the form holds it) exactly as the ingest would send it",
        errors=(400, 401, 403),
    )
    def autoreply_preview(ctx: Ctx) -> AutoReplyPreviewOut:
        body: AutoReplyPreviewIn = ctx.body
        try:
            mailbox = Mailbox.model_validate({"id": "preview", "address": "preview@example.com", **body.mailbox})
        except RecordError as exc:
            raise validation_error(exc) from exc
        cfg = services.config.snapshot()
        queue = cfg.queue(mailbox.default_queue or cfg.settings.default_queue)
        number = "T-2026-000123"
        values = {
            "TICKET": number,
            "BETREFF": body.subject,
            "SUBJECT": body.subject,
            "NAME": body.name or body.email,
            "EMAIL": body.email,
            "QUEUE": queue.name if queue else (mailbox.default_queue or cfg.settings.default_queue),
            "MAILBOX": mailbox.name or mailbox.address,
            "COMPANY": cfg.settings.company,
            "DATE": now().date().isoformat(),
        }
        reply = render_autoreply(mailbox, number, values, body.content_language, body.text, status=Status.NEW)
        unknown = sorted({v for _, text, kind in _texts_of(mailbox) for v in unknown_variables(text, kind)})
        return AutoReplyPreviewOut(
            subject=reply.subject,
            text=reply.text,
            lang=cast(Lang, reply.lang),
            lang_reason=reply.lang_reason,
            unknown=unknown,
        )

    @api.route(
        "/admin/setup",
        auth="admin",
        response=SetupOut,
        tags=("admin",),
        summary="The set-up checklist: what this helpdesk still lacks (first mailbox, default queue, auto-reply …)",
        errors=(401, 403),
    )
    def setup(ctx: Ctx) -> SetupOut:
        items = checklist(services.config.snapshot())
        return SetupOut(
            items=[SetupItemOut.model_validate(vars(i)) for i in items],
            open=len(open_items(items)),
        )

    @api.route(
        "/admin/rules/dry-run",
        "POST",
        auth="admin",
        body=DryRunIn,
        response=DryRunOut,
        tags=("admin",),
        summary="Which rule would fire for this mail (a raw mail or its fields), and what would happen",
        errors=(400, 401, 403),
    )
    def dry_run(ctx: Ctx) -> DryRunOut:
        body: DryRunIn = ctx.body
        cfg = services.config.snapshot()
        try:
            rules = [Rule.model_validate(r) for r in body.rules] if body.rules is not None else cfg.sorted_rules()
        except RecordError as exc:
            raise validation_error(exc) from exc
        rules = sorted(rules, key=lambda r: (r.order, r.id))
        if body.raw:
            mail = parse_mail(body.raw.encode("utf-8", "surrogateescape"))
            mailbox = cfg.mailbox_for(mail.recipients)
        elif body.sender:
            mail = typed_mail(
                sender=body.sender,
                sender_name=body.sender_name,
                to=body.to,
                subject=body.subject,
                body=body.body,
                headers=body.headers,
            )
            mailbox = cfg.mailbox(body.mailbox) if body.mailbox else cfg.mailbox_for(body.to)
        else:
            raise BadRequest("give a raw mail or at least a sender", field="raw")
        # What the ingest decides for a mail that opens a ticket (domain/intake.py), for a first mail of
        # this sender (no auto-reply window open, none sent today).
        outcome = rules_outcome(mail, mailbox, rules)
        facts = NewTicketFacts(mail, mailbox, outcome, cfg.settings.default_queue)
        decision = decide_new_ticket(facts, cfg, services.settings.mail_domains, now())
        ticket, send, why = decision.fields, decision.autoreply, decision.autoreply_reason
        result = {k: v for k, v in outcome.__dict__.items() if k not in ("fired", "said")}
        result["mailbox"] = mailbox.id if mailbox else None
        # what the ticket gets: the rules' values, else the mailbox's and the team's defaults, close on import
        result |= {
            "queue": ticket.queue,
            "status": ticket.status.value,
            "priority": ticket.priority,
            "project": ticket.project,
        }
        said = [*outcome.said] if outcome.fired else [reason("rules.none")]
        return DryRunOut(
            fired=outcome.fired,
            explanation=outcome.explanation,
            reasons=[reason_json(r) for r in [*said, *outcome.warnings, why]],
            result=result,
            autoreply=("yes" if send else f"no: {why}"),
        )


def _register_trigger_dry_run(api: Api, services: Services) -> None:
    @api.route(
        "/admin/triggers/dry-run",
        "POST",
        auth="admin",
        body=TriggerDryRunIn,
        response=TriggerDryRunOut,
        tags=("admin",),
        summary="Which triggers would fire on this ticket for this event now, and why (nothing is written)",
        errors=(400, 401, 403, 404),
    )
    def trigger_dry_run(ctx: Ctx) -> TriggerDryRunOut:
        body: TriggerDryRunIn = ctx.body
        cfg = services.config.snapshot()
        try:
            triggers = [Trigger.model_validate(t) for t in body.triggers] if body.triggers is not None else None
        except RecordError as exc:
            raise validation_error(exc) from exc
        ticket = services.tickets.by_number(body.ticket) or services.tickets.get(body.ticket)
        if ticket is None:
            raise NotFound("no such ticket")
        occurrence = Occurrence(body.event, status=body.status, tag=body.tag)
        found = automation.dry_run(cfg, ticket, occurrence, triggers)
        return TriggerDryRunOut(**found.__dict__)


def _texts_of(record: Record) -> list[tuple[str, str, str]]:
    """``(field, text, kind)`` of every template text a configuration record holds."""
    if isinstance(record, Mailbox):
        return [
            *(
                (f"{name}.{lang}", str(getattr(getattr(record, name), lang)), "autoreply")
                for name in ("autoreply_subject", "autoreply_body")
                for lang in ("de", "en")
            ),
            ("signature", record.signature, "signature"),
        ]
    if isinstance(record, Template):
        return [("subject", record.subject, record.kind), ("body", record.body, record.kind)]
    return []


def _refuse_unknown_variables(record: Record) -> None:
    """A typo such as ``{TICKT}`` is refused on save, with the variables this text may use (else it would
    be mailed literally)."""
    for name, text, kind in _texts_of(record):
        unknown = unknown_variables(text, kind)
        if unknown:
            known = ", ".join(f"{{{v}}}" for v in sorted(KNOWN_FOR[kind]))
            found = ", ".join(f"{{{v}}}" for v in unknown)
            raise BadRequest(f"unknown variable {found}; this text may use {known}", field=name)


def _refuse_foreign_domain(record: Record, domains: tuple[str, ...]) -> None:
    """A mailbox receives and sends on the deployment's mail domains only (SES's receipt rule and grants)."""
    if not isinstance(record, Mailbox):
        return
    for name in ("address", "outgoing_address"):
        address = getattr(record, name)
        refused = address_refused(address, domains) if address else None
        if refused:
            raise BadRequest(refused, field=name)


def _refuse_what_cannot_run(kind: str, record: Record, cfg: ConfigSnapshot) -> None:
    """A trigger naming a queue, agent or template that does not exist is refused on save, with what is
    missing (time events run in the scheduled job: services/timed.py). An SLA
    policy's calendar must be one the business-time code can use (a known German state), its queues must exist.
    A queue's notification address must be one mail can go to (the scheduled job's deadline warnings)."""
    if isinstance(record, Queue) and record.notify_address and not valid_address(record.notify_address):
        raise BadRequest("not an e-mail address", field="notify_address")
    if isinstance(record, SlaPolicy):
        try:
            calendar_of(record.calendar, [now().year])
        except ValueError as exc:  # CalendarError is one, and so is an unknown state
            raise BadRequest(str(exc), field="calendar") from exc
        unknown = [q for q in record.queues if cfg.queue(q) is None]
        if unknown:
            raise BadRequest(f"unknown queue {', '.join(map(repr, unknown))}", field="queues")
        return
    if isinstance(record, Macro):
        problems = unknown_references(record.actions, cfg)
        if any(a.kind == "publish" for a in record.actions):
            problems.append("a macro cannot publish events (a trigger's action)")
        if record.owner and cfg.agent(record.owner) is None:
            problems.append(f"unknown agent {record.owner!r}")
        if problems:
            raise BadRequest("; ".join(problems), field="actions")
        return
    if not isinstance(record, Trigger):
        return
    problems = unknown_references(record.actions, cfg)
    if problems:
        raise BadRequest("; ".join(problems), field="actions")


def _crud(api: Api, services: Services, plural: str, kind: str, model: type[Record]) -> None:
    listing = _list_model(model)
    key_name = "id"

    def items() -> list[Any]:
        snapshot = services.config.snapshot()
        return list(getattr(snapshot, SNAPSHOT_FIELDS[kind]))

    @api.route(
        f"/admin/{plural}", auth="admin", response=listing, tags=("admin",), errors=(401, 403), summary=f"All {plural}"
    )
    def index(ctx: Ctx) -> Any:
        found = items()
        if kind in ("rule", "trigger", "sla_policy"):
            found.sort(key=lambda r: (r.order, r.id))
        return {"items": [i.model_dump(mode="json") for i in found]}

    @api.route(
        f"/admin/{plural}",
        "POST",
        auth="admin",
        body=model,
        response=model,
        status=201,
        tags=("admin",),
        summary=f"Create a {kind}",
        errors=(400, 401, 403, 409),
    )
    def create(ctx: Ctx) -> Any:
        record = ctx.body
        _refuse_unknown_variables(record)
        _refuse_foreign_domain(record, services.settings.mail_domains)
        _refuse_what_cannot_run(kind, record, services.config.snapshot())
        if any(getattr(i, key_name) == getattr(record, key_name) for i in items()):
            raise Conflict(f"{kind} {getattr(record, key_name)!r} exists")
        services.config.put(kind, record, actor=ctx.user.username)
        return record

    @api.route(
        f"/admin/{plural}/{{record_id}}",
        auth="admin",
        response=model,
        tags=("admin",),
        summary=f"One {kind}",
        errors=(401, 403, 404),
    )
    def show(ctx: Ctx, record_id: str) -> Any:
        found = next((i for i in items() if getattr(i, key_name) == record_id), None)
        if found is None:
            raise NotFound(f"no such {kind}")
        return found

    @api.route(
        f"/admin/{plural}/{{record_id}}",
        "PUT",
        auth="admin",
        body=model,
        response=model,
        tags=("admin",),
        summary=f"Replace a {kind}",
        errors=(400, 401, 403, 404),
    )
    def replace(ctx: Ctx, record_id: str) -> Any:
        record = ctx.body
        if getattr(record, key_name) != record_id:
            raise BadRequest(f"the body's {key_name} differs from the path", field=key_name)
        if not any(getattr(i, key_name) == record_id for i in items()):
            raise NotFound(f"no such {kind}")
        _refuse_unknown_variables(record)
        _refuse_foreign_domain(record, services.settings.mail_domains)
        _refuse_what_cannot_run(kind, record, services.config.snapshot())
        services.config.put(kind, record, actor=ctx.user.username)
        return record

    @api.route(
        f"/admin/{plural}/{{record_id}}",
        "DELETE",
        auth="admin",
        response=Deleted,
        tags=("admin",),
        summary=f"Delete a {kind}",
        errors=(401, 403, 404),
    )
    def delete(ctx: Ctx, record_id: str) -> Deleted:
        if not services.config.delete(kind, record_id, actor=ctx.user.username):
            raise NotFound(f"no such {kind}")
        return Deleted(deleted=True)
