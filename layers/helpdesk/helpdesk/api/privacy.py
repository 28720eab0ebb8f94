"""Data protection routes (admins only): delete a ticket for good, erase or anonymize a customer, the audit log.

The work is done by ``services/privacy.py``; see ``docs/data-protection.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.clock import iso
from ..domain.headers import normalize_address
from ..domain.privacy import ErasureMode, SharedTickets
from ..services import data_export, privacy
from ..store import audit
from .context import Services
from .errors import BadRequest, Conflict, NotFound
from .routing import Api, Ctx
from .schemas import (
    AuditEntryOut,
    AuditList,
    AuditQuery,
    DataExportOut,
    ErasureIn,
    ErasureJobList,
    ErasureJobOut,
    ErasurePreviewOut,
    RetentionItemOut,
    RetentionOut,
    TicketDeletedOut,
)

# How long an erasure request works before it answers (API Gateway ends a request at 29 s); the
# scheduled job continues what is left.
REQUEST_BUDGET_SECONDS = 15.0
T = TypeVar("T")


def request_budget() -> Callable[[], float]:
    """Seconds left of the work a request may do itself (the scheduled job does the rest)."""
    deadline = time.monotonic() + REQUEST_BUDGET_SECONDS
    return lambda: deadline - time.monotonic()


def found(get: Callable[[str], T | None], job_id: str, what: str) -> T:
    """The job ``job_id`` (ids are alphanumeric: anything else is no job), or 404."""
    job = get(job_id) if job_id.isalnum() else None
    if job is None:
        raise NotFound(f"no such {what}")
    return job


def job_out(job: privacy.Job) -> ErasureJobOut:
    return ErasureJobOut.model_validate(
        {
            "id": job.id,
            "state": job.state,
            "phase": job.phase,
            "mode": job.mode,
            "shared": job.shared,
            "subject": job.subject,
            "actor": job.actor,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "counts": job.counts,
        }
    )


def export_out(job: data_export.Export, services: Services) -> DataExportOut:
    return DataExportOut(
        id=job.id,
        state="done" if job.state == "done" else "failed" if job.state == "failed" else "running",
        subject=job.subject,
        actor=job.actor,
        started_at=job.started_at,
        finished_at=job.finished_at,
        size=job.size,
        counts=job.counts,
        filename=job.filename,
        download_url=data_export.download_url(job, services.mail),
    )


def register(api: Api, services: Services) -> None:
    @api.route(
        "/tickets/{ticket_id}",
        "DELETE",
        auth="admin",
        response=TicketDeletedOut,
        tags=("privacy",),
        summary="Delete a ticket in the Papierkorb for good: messages, comments, events, files, raw mails",
        errors=(401, 403, 404, 409),
    )
    def delete_ticket(ctx: Ctx, ticket_id: str) -> TicketDeletedOut:
        try:
            purged = privacy.delete_for_good(ticket_id, services.mail, actor=ctx.user.username)
        except LookupError as exc:
            raise NotFound("no such ticket") from exc
        except privacy.NotInTrash as exc:
            raise Conflict(str(exc)) from exc
        return TicketDeletedOut(deleted=True, number=purged.number, messages=purged.messages)

    @api.route(
        "/admin/privacy/customers/{email}",
        auth="admin",
        response=ErasurePreviewOut,
        tags=("privacy",),
        summary="Dry run of erasing a customer: what would go (tickets, messages, attachments)",
        errors=(400, 401, 403),
    )
    def erasure_preview(ctx: Ctx, email: str) -> ErasurePreviewOut:
        if not normalize_address(email):
            raise BadRequest("not an e-mail address", field="email")
        found = privacy.preview(email)
        return ErasurePreviewOut.model_validate(vars(found))

    @api.route(
        "/admin/privacy/customers/{email}/erase",
        "POST",
        auth="admin",
        body=ErasureIn,
        response=ErasureJobOut,
        status=202,
        tags=("privacy",),
        summary="Erase (delete or anonymize) a customer and everything about them: a resumable job",
        errors=(400, 401, 403),
    )
    def erase(ctx: Ctx, email: str) -> ErasureJobOut:
        body: ErasureIn = ctx.body
        address = normalize_address(email)
        if not address:
            raise BadRequest("not an e-mail address", field="email")
        if normalize_address(body.confirm) != address:
            raise BadRequest("confirm must repeat the customer's address", field="confirm")
        job = privacy.start_erasure(
            address,
            services.mail,
            mode=ErasureMode(body.mode),
            shared=SharedTickets(body.shared),
            actor=ctx.user.username,
            time_left=request_budget(),
        )
        services.config.invalidate()  # the job may have redacted saved views or rules: this process reads them anew
        return job_out(job)

    @api.route(
        "/admin/privacy/customers/{email}/export",
        "POST",
        auth="admin",
        response=DataExportOut,
        status=202,
        tags=("privacy",),
        summary="Export a customer's data as one ZIP (Art. 15/20): built into the bucket by a job, then a "
        "presigned link",
        errors=(400, 401, 403),
    )
    def export(ctx: Ctx, email: str) -> DataExportOut:
        address = normalize_address(email)
        if not address:
            raise BadRequest("not an e-mail address", field="email")
        job = data_export.start_export(address, services.mail, actor=ctx.user.username, time_left=request_budget())
        return export_out(job, services)

    @api.route(
        "/admin/privacy/exports/{job_id}",
        auth="admin",
        response=DataExportOut,
        tags=("privacy",),
        summary="One data export: its state, and when done a fresh download link",
        errors=(401, 403, 404),
    )
    def export_job(ctx: Ctx, job_id: str) -> DataExportOut:
        return export_out(found(data_export.get_export, job_id, "export"), services)

    @api.route(
        "/admin/privacy/exports/{job_id}/run",
        "POST",
        auth="admin",
        response=DataExportOut,
        tags=("privacy",),
        summary="Build a running data export now (up to 15 s) instead of waiting for the scheduled job",
        errors=(401, 403, 404),
    )
    def run_export(ctx: Ctx, job_id: str) -> DataExportOut:
        found(data_export.get_export, job_id, "export")
        job = data_export.run_export(job_id, services.mail, time_left=request_budget())
        return export_out(job, services)

    @api.route(
        "/admin/privacy/jobs",
        auth="admin",
        response=ErasureJobList,
        tags=("privacy",),
        summary="Erasure jobs, newest first (running ones are continued by the scheduled job)",
        errors=(401, 403),
    )
    def jobs(ctx: Ctx) -> ErasureJobList:
        return ErasureJobList(items=[job_out(j) for j in privacy.list_jobs()])

    @api.route(
        "/admin/privacy/jobs/{job_id}",
        auth="admin",
        response=ErasureJobOut,
        tags=("privacy",),
        summary="One erasure job: phase and counts",
        errors=(401, 403, 404),
    )
    def job(ctx: Ctx, job_id: str) -> ErasureJobOut:
        return job_out(found(privacy.get_job, job_id, "job"))

    @api.route(
        "/admin/privacy/jobs/{job_id}/run",
        "POST",
        auth="admin",
        response=ErasureJobOut,
        tags=("privacy",),
        summary="Work on a running erasure job now (up to 15 s) instead of waiting for the scheduled job",
        errors=(401, 403, 404),
    )
    def run_job(ctx: Ctx, job_id: str) -> ErasureJobOut:
        found(privacy.get_job, job_id, "job")
        job = privacy.run_erasure(job_id, services.mail, time_left=request_budget())
        services.config.invalidate()
        return job_out(job)

    @api.route(
        "/admin/privacy/retention",
        auth="admin",
        response=RetentionOut,
        tags=("privacy",),
        summary="Dry run of retention: the closed tickets the scheduled job would delete or anonymize now",
        errors=(401, 403),
    )
    def retention(ctx: Ctx) -> RetentionOut:
        report = privacy.apply_retention(
            services.mail,
            services.config.snapshot(),
            dry_run=True,
            time_left=request_budget(),
            limit=500,
        )
        return RetentionOut(
            items=[
                RetentionItemOut.model_validate({k: v for k, v in vars(a).items() if k != "result"})
                for a in report.actions
            ],
            examined=report.examined,
            stopped_early=report.stopped_early,
        )

    @api.route(
        "/admin/audit",
        auth="admin",
        query=AuditQuery,
        response=AuditList,
        tags=("privacy",),
        summary="The audit log of a month: configuration changes (before → after), deletions, erasures",
        errors=(400, 401, 403),
    )
    def audit_log(ctx: Ctx) -> AuditList:
        q: AuditQuery = ctx.query
        month = q.month or iso()[:7]
        items: list[Any] = [AuditEntryOut.model_validate(vars(e)) for e in audit.entries(month)]
        return AuditList(month=month, items=items)
