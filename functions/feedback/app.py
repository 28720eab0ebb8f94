"""Feedback Lambda (SNS): SES's bounce and complaint events for the mails we sent → the message and the
suppression list (services/feedback.py)."""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.bootstrap import feedback_store
from helpdesk.services.feedback import record_feedback

logger = Logger(service="helpdesk-feedback")
metrics = Metrics(namespace="Helpdesk", service="feedback")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    counts = {"bounced": 0, "complained": 0, "unknown": 0}
    for record in event.get("Records", []):
        notification = json.loads(record["Sns"]["Message"])
        result = record_feedback(feedback_store(), notification)
        if result.kind:
            counts[result.kind] += 1
            counts["unknown"] += result.message_id is None
        logger.info(
            "SES feedback", extra={"kind": result.kind, "ticket_id": result.ticket_id, "suppressed": result.suppressed}
        )
    metrics.add_metric(name="MailBounced", unit=MetricUnit.Count, value=counts["bounced"])
    metrics.add_metric(name="MailComplained", unit=MetricUnit.Count, value=counts["complained"])
    return counts


coldstart.imported()  # what the import made lives as long as the process
