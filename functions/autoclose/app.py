"""Autoclose Lambda (EventBridge schedules): reminders, auto-close of stale "warten auf Kunde", deadline alerts;
and the outbox sweep, which sends again what SES refused for now (every run; ``{"job": "outbox"}``: only that)."""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.aws.tracing import tracer as tracer_for
from helpdesk.bootstrap import autoclose_deps, mail_store
from helpdesk.services import data_export, privacy
from helpdesk.services.autoclose import run, sweep_outbox

logger = Logger(service="helpdesk-autoclose")
# What exports leave of a run (at most a third) to erasures, the Papierkorb and retention: an export too big
# for its share must not starve them every hour (it fails after a few tries: services/data_export.py).
EXPORT_RESERVE_SECONDS = 90.0
metrics = Metrics(namespace="Helpdesk", service="autoclose")
tracer = tracer_for("helpdesk-autoclose")  # X-Ray detail only when the deployment asks (helpdesk/aws/tracing.py)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = autoclose_deps()

    def time_left() -> float:
        return float(context.get_remaining_time_in_millis()) / 1000

    outbox = sweep_outbox(deps, time_left=time_left)
    metrics.add_metric(name="MailRetried", unit=MetricUnit.Count, value=outbox.sent + outbox.refused)
    metrics.add_metric(name="MailRetrySent", unit=MetricUnit.Count, value=outbox.sent)
    retried = {"retry_due": outbox.due, "retry_sent": outbox.sent, "retry_refused": outbox.refused}
    if event.get("job") == "outbox":
        logger.info("outbox sweep", extra=retried)
        return retried
    report = run(deps, time_left=time_left)
    # Data protection: customers' data exports a request could not finish (services/data_export.py) — first,
    # so that an export asked for before an erasure is built and then deleted by it —, unfinished customer
    # erasures, the Papierkorb's retention (services/privacy.py).
    reserve = min(EXPORT_RESERVE_SECONDS, time_left() / 3)
    exports = data_export.run_pending(mail_store(), time_left=lambda: time_left() - reserve)
    kept = privacy.scheduled(mail_store(), deps.config.snapshot(), time_left=time_left)
    for name, value in (
        ("TicketsReminded", report.reminded),
        ("TicketsAutoclosed", report.closed),
        ("DeadlinesMissed", report.escalated),
        ("AutocloseSkipped", report.skipped),
        ("TrashDeleted", kept.trash_deleted),
        ("ErasureJobsRun", kept.jobs),
        ("RetentionDeleted", kept.retention_deleted),
        ("RetentionAnonymized", kept.retention_anonymized),
        ("ExportsBuilt", sum(1 for e in exports if e.state == "done")),
    ):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    summary = {
        "examined": report.examined,
        "reminded": report.reminded,
        "closed": report.closed,
        "escalated": report.escalated,
        "skipped": report.skipped,
        "stopped_early": report.stopped_early,
        **retried,
        "trash_deleted": kept.trash_deleted,
        "erasure_jobs": kept.jobs,
        "erasure_jobs_done": kept.jobs_done,
        "retention_deleted": kept.retention_deleted,
        "retention_anonymized": kept.retention_anonymized,
        "exports_done": sum(1 for e in exports if e.state == "done"),
    }
    logger.info("autoclose run", extra=summary)
    return summary


coldstart.imported()  # what the import made lives as long as the process
