"""Automation Lambda: the tickets table's stream (event items) → triggers (issue 17, docs/automation.md).

The event source mapping delivers only new event items (template.yaml's filter); each is judged and carried
out by ``services/automation.py``. Records are handled in order; a failure fails the rest of the batch
(reported as partial failures from the first failed record on), so a ticket's events are never judged out
of order, and a retried event the triggers already acted on is skipped (``TicketItem.automation_through``).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecordEventName,
    DynamoDBStreamEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.bootstrap import automation_deps
from helpdesk.services.automation import StoredEvent, handle

logger = Logger(service="helpdesk-automation")
metrics = Metrics(namespace="Helpdesk", service="automation")
tracer = Tracer(service="helpdesk-automation")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    stream = DynamoDBStreamEvent(event)
    failures: list[dict[str, str]] = []
    deps = automation_deps()
    for record in stream.records:
        if failures:  # after a failure: the rest again, in order
            failures.append({"itemIdentifier": str(record.dynamodb.sequence_number if record.dynamodb else "")})
            continue
        if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
            continue
        stored = StoredEvent.of(record.dynamodb.new_image or {})
        if stored is None:
            continue
        try:
            report = handle(deps, [stored])
        except Exception:
            logger.exception("automation failed", extra={"ticket": stored.ticket_id, "event": stored.type})
            metrics.add_metric(name="AutomationFailed", unit=MetricUnit.Count, value=1)  # alarmed
            failures.append({"itemIdentifier": str(record.dynamodb.sequence_number)})
            continue
        if report.fired:
            metrics.add_metric(name="TriggersFired", unit=MetricUnit.Count, value=report.fired)
            logger.info("triggers fired", extra={"ticket": stored.ticket_id, "report": report.__dict__})
    return {"batchItemFailures": failures}
