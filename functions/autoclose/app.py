"""Autoclose Lambda (EventBridge schedule): stale "warten auf Kunde" tickets are closed."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.bootstrap import ingest_deps
from helpdesk.services.autoclose import run

logger = Logger(service="helpdesk-autoclose")
metrics = Metrics(namespace="Helpdesk", service="autoclose")
tracer = Tracer(service="helpdesk-autoclose")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    deps = ingest_deps()
    report = run(deps.config)
    metrics.add_metric(name="TicketsAutoclosed", unit=MetricUnit.Count, value=len(report.closed))
    logger.info("autoclose run", extra={"examined": report.examined, "closed": report.closed})
    return {"examined": report.examined, "closed": report.closed, "skipped": report.skipped}
