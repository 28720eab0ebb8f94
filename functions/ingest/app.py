"""Ingest Lambda: an SQS batch of S3 "object created" events → one ticket message per mail.

Reads like its table of contents: for every record, for every object: ingest it, log, count.
Failures are reported per record (ReportBatchItemFailures, metric ``MailFailed``) and each logs its
reason (``record failed``: exception type and message, SQS message id, S3 key); SQS retries them and,
after ``maxReceiveCount`` tries, moves them to the dead-letter queue (alarmed in template.yaml).
"""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from helpdesk.aws.s3events import created_objects
from helpdesk.aws.tracing import tracer as tracer_for
from helpdesk.bootstrap import ingest_deps
from helpdesk.services.ingest import IngestResult, ingest_object

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="helpdesk-ingest")
metrics = Metrics(namespace="Helpdesk", service="ingest")
tracer = tracer_for("helpdesk-ingest")  # X-Ray detail only when the deployment asks (helpdesk/aws/tracing.py)
PER_RECORD_KEYS = ["s3_key", "ticket_number", "message_id"]


def record_failed(record: dict[str, Any], error: Exception) -> None:
    """Why a record failed, in the log (SQS only learns that it did)."""
    logger.error(
        "record failed",
        extra={
            "sqs_message_id": record.get("messageId"),
            "error_type": type(error).__name__,
            "error": str(error),
        },
        exc_info=error,
    )


@tracer.capture_method
def record_handler(record: dict[str, Any]) -> None:
    # Nothing of the previous record's (or object's) mail is logged as this one's: a failure names its own.
    logger.remove_keys(PER_RECORD_KEYS)
    for bucket, key in created_objects(record["body"]):
        logger.remove_keys(PER_RECORD_KEYS)
        logger.append_keys(s3_key=key)
        result = ingest_object(bucket, key, ingest_deps(), last_try=last_try(record))
        report(result)


def last_try(record: dict[str, Any]) -> bool:
    """SQS will not deliver this record again: it moves to the dead-letter queue after maxReceiveCount
    receives (``HELPDESK_INGEST_MAX_RECEIVE_COUNT``, set from the template's ``IngestMaxReceiveCount``)."""
    limit = int(os.environ.get("HELPDESK_INGEST_MAX_RECEIVE_COUNT") or 5)
    return int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1) >= limit


def report(result: IngestResult) -> None:
    logger.append_keys(ticket_number=result.number, message_id=result.message_id)
    logger.info(
        "mail ingested",
        extra={
            "outcome": result.outcome,
            "reasons": result.reasons,
            "autoreply": result.autoreply,
            "autoreply_reason": result.autoreply_reason,
            "rules": [r["rule"] for r in result.rules],
            "review": result.review,
        },
    )
    if result.rule_warnings:  # each one a rule condition that ran out of its budget undecided
        logger.warning("rule conditions undecided", extra={"rule_warnings": result.rule_warnings})
        metrics.add_metric(name="RuleUndecided", unit=MetricUnit.Count, value=len(result.rule_warnings))
    metrics.add_metric(name="MailIngested", unit=MetricUnit.Count, value=1)
    if result.outcome == "created":
        metrics.add_metric(name="TicketCreated", unit=MetricUnit.Count, value=1)
    if result.outcome == "appended":
        metrics.add_metric(name="MailThreaded", unit=MetricUnit.Count, value=1)
    if result.outcome in ("duplicate", "own_echo", "own_notification"):
        metrics.add_metric(name="MailDuplicate", unit=MetricUnit.Count, value=1)
    if result.autoreply == "sent":
        metrics.add_metric(name="AutoReplySent", unit=MetricUnit.Count, value=1)
    if result.autoreply == "failed":  # SES rejected it: failed with the reason, for an agent to re-send
        metrics.add_metric(name="AutoReplyFailed", unit=MetricUnit.Count, value=1)
    if result.autoreply == "suppressed":
        metrics.add_metric(name="AutoReplySuppressed", unit=MetricUnit.Count, value=1)
    if result.quarantined:
        metrics.add_metric(name="MailQuarantined", unit=MetricUnit.Count, value=1)
        logger.error("mail quarantined", extra={"review": result.review})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """Each record on its own; the failed ones are reported back (ReportBatchItemFailures), so SQS retries only
    them. When every record failed, an error (as Powertools' batch processor raises it): SQS retries the batch."""
    records: list[dict[str, Any]] = event.get("Records") or []
    if not isinstance(records, list) or not records:
        raise ValueError("Invalid event format: an SQS event has a non-empty list of Records")
    failures: list[ExceptionInfo] = []
    failed: list[str] = []
    try:
        for record in records:
            try:
                record_handler(record)
            except Exception as error:
                failures.append((type(error), error, error.__traceback__))
                record_failed(record, error)
                failed.append(record["messageId"])
        if len(failed) == len(records):
            # Imported only here: the batch utility brings asyncio and every event data class (cold start).
            from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

            raise BatchProcessingError(
                msg=f"All records failed processing. {len(failures)} individual errors logged separately below.",
                child_exceptions=failures,
            )
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
    finally:  # also when every record failed (then it raises): 0 included, so graphs have no gaps
        metrics.add_metric(name="MailFailed", unit=MetricUnit.Count, value=len(failed))


coldstart.imported()  # what the import made lives as long as the process
