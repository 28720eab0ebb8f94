"""Ingest Lambda: an SQS batch of S3 "object created" events → one ticket message per mail.

Reads like its table of contents: for every record, for every object: ingest it, log, count.
Failures are reported per record (ReportBatchItemFailures, metric ``MailFailed``) and each logs its
reason (``record failed``: exception type and message, SQS message id, S3 key); SQS retries them and,
after ``maxReceiveCount`` tries, moves them to the dead-letter queue (alarmed in template.yaml).
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.base import FailureResponse
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.aws.s3events import created_objects
from helpdesk.bootstrap import ingest_deps
from helpdesk.services.ingest import IngestResult, ingest_object

logger = Logger(service="helpdesk-ingest")
metrics = Metrics(namespace="Helpdesk", service="ingest")
tracer = Tracer(service="helpdesk-ingest")
PER_RECORD_KEYS = ["s3_key", "ticket_number", "message_id"]


class LoggingBatchProcessor(BatchProcessor):
    """Powertools' batch processor, logging why a record failed (it keeps the reason to itself otherwise)."""

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        error = exception[1]
        logger.error(
            "record failed",
            extra={
                "sqs_message_id": getattr(record, "message_id", None),
                "error_type": type(error).__name__ if error is not None else None,
                "error": str(error),
            },
            exc_info=error,
        )
        return super().failure_handler(record, exception)


processor = LoggingBatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    # Nothing of the previous record's (or object's) mail is logged as this one's: a failure names its own.
    logger.remove_keys(PER_RECORD_KEYS)
    for bucket, key in created_objects(record.body):
        logger.remove_keys(PER_RECORD_KEYS)
        logger.append_keys(s3_key=key)
        result = ingest_object(bucket, key, ingest_deps(), last_try=last_try(record))
        report(result)


def last_try(record: SQSRecord) -> bool:
    """SQS will not deliver this record again: it moves to the dead-letter queue after maxReceiveCount
    receives (``HELPDESK_INGEST_MAX_RECEIVE_COUNT``, set from the template's ``IngestMaxReceiveCount``)."""
    limit = int(os.environ.get("HELPDESK_INGEST_MAX_RECEIVE_COUNT") or 5)
    return int(record.attributes.get("ApproximateReceiveCount") or 1) >= limit


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
    try:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )
    finally:  # also when every record failed (Powertools then raises): 0 included, so graphs have no gaps
        metrics.add_metric(name="MailFailed", unit=MetricUnit.Count, value=len(processor.fail_messages))
