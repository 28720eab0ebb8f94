"""Publisher Lambda: DynamoDB stream of the tickets table → EventBridge (TicketCreated, MessageAdded, …).

Events are written in the same transaction as the change they describe (outbox); this function only
forwards them, so an event exists exactly when its change does. Failed records are retried by the
event source mapping and end in the publisher DLQ (alarmed).

Every change of a ticket writes an event, so the same records keep the search index current: before
an event is published, its ticket is re-indexed (once per batch; idempotent, so a retried record
costs only reads). Indexing first means a failure retries the record before anything was published.
A new ticket also re-indexes its customer (the ticket's transaction created or renamed them), so the
customer search finds them (issue 15 part 6).

Then the triggers judge the event (issue 17, ``services/automation.py``), before it is published: a failure
retries the record (and the ones after it, in order) with nothing published yet, and a retried event the
triggers already acted on is skipped (``TicketItem.automation_through``). They run here rather than in a
function of their own because a table's stream is best read by at most two functions (this one and the
live fan-out). After them, fair assignment (``services/assignment.py``) assigns a ticket that entered a
queue which assigns: one home for every way into a queue (mail, form, PATCH, batch, trigger, macro).

Last, the ticket's SLA clocks and its next look for the scheduled job (``services/timed.py``) follow the
change (once per ticket and batch; the triggers' own changes come back as events of a later batch).
"""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.aws.events import EventPublisher
from helpdesk.aws.tracing import tracer as tracer_for
from helpdesk.bootstrap import adapters, assignment_deps, automation_deps
from helpdesk.services.assignment import handle as assign_fairly
from helpdesk.services.automation import StoredEvent
from helpdesk.services.automation import handle as run_triggers
from helpdesk.services.publish import event_from_item
from helpdesk.services.search import index_customer, index_ticket
from helpdesk.services.timed import refresh as refresh_clocks

logger = Logger(service="helpdesk-publisher")
metrics = Metrics(namespace="Helpdesk", service="publisher")
tracer = tracer_for("helpdesk-publisher")  # X-Ray detail only when the deployment asks (helpdesk/aws/tracing.py)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
publisher = EventPublisher()  # the settings' bus, read when it publishes
_indexed: set[str] = set()  # tickets re-indexed in this invocation (the stream lags the table: once is enough)


def record_handler(record: DynamoDBRecord) -> None:
    """One stream record, typed by Powertools (``new_image`` is the deserialized item)."""
    if record.event_name != DynamoDBRecordEventName.INSERT or record.dynamodb is None:
        return
    image = record.dynamodb.new_image
    if not image:
        return
    event = event_from_item(image)
    if event is None:
        return
    ticket_id = str(event["detail"].get("ticket_id") or "")
    wired = adapters()
    if ticket_id and ticket_id not in _indexed:
        written = index_ticket(ticket_id, wired.tickets, wired.search)
        _indexed.add(ticket_id)
        metrics.add_metric(name="SearchPostingsWritten", unit=MetricUnit.Count, value=written.put + written.deleted)
    customer = str(event["detail"].get("customer") or "") if event["type"] == "TicketCreated" else ""
    if customer and f"customer:{customer}" not in _indexed:
        index_customer(customer, wired.customer_search)
        _indexed.add(f"customer:{customer}")
    stored = StoredEvent.of(image)
    if stored is not None:
        report = run_triggers(automation_deps(), [stored])
        if report.fired:
            metrics.add_metric(name="TriggersFired", unit=MetricUnit.Count, value=report.fired)
            logger.info("triggers fired", extra={"ticket": stored.ticket_id, "report": report.__dict__})
        # after the triggers (one that assigns or moves the ticket comes first): a ticket entering a queue
        assigned = assign_fairly(assignment_deps(), [(stored.ticket_id, stored.type, stored.detail)])
        if assigned.assigned:
            metrics.add_metric(name="TicketsAssigned", unit=MetricUnit.Count, value=len(assigned.assigned))
    if ticket_id and f"sla:{ticket_id}" not in _indexed:  # the clocks and next look follow the change
        looked = refresh_clocks(automation_deps(), [ticket_id])
        _indexed.add(f"sla:{ticket_id}")
        metrics.add_metric(name="SlaStatesSaved", unit=MetricUnit.Count, value=looked.saved)
    if publisher.publish([event]):
        raise RuntimeError(f"EventBridge refused {event['type']} {event['detail'].get('event_id')}")
    metrics.add_metric(name="EventPublished", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    _indexed.clear()
    with adapters().config.pinned_on_first_read():  # the triggers read the configuration once per batch
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )


coldstart.imported()  # what the import made lives as long as the process
