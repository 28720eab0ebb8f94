"""Live Lambdas (one code package, two functions in template.yaml):

* ``handler`` — the WebSocket API's routes (``$connect``, ``$disconnect``, ``subscribe``, ``presence``,
  ``ping``, ``$default``), API Gateway's WebSocket proxy events;
* ``fanout`` — the tickets table's stream (a second consumer beside the publisher): each ticket change
  goes to the sockets whose agent may see it, with ``PostToConnection``; then the same records'
  events become the agents' notifications (bell, socket, mail: ``services/notifications.py``).

The local stack calls both with the same event shapes (``helpdesk_local.live_server`` and the stream
poller). Nothing runs while nobody is connected but the fan-out per ticket change, which finds no
subscriber and ends.
"""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.aws.live import endpoint_from
from helpdesk.aws.tracing import tracer as tracer_for
from helpdesk.bootstrap import live_deps, notify_deps
from helpdesk.domain.live import encode, error_message
from helpdesk.services import live, notifications
from helpdesk.services.identity import IdentityError

logger = Logger(service="helpdesk-live")
metrics = Metrics(namespace="Helpdesk", service="live")
tracer = tracer_for("helpdesk-live")  # X-Ray detail only when the deployment asks (helpdesk/aws/tracing.py)


def _reply(status: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"statusCode": status}
    if body is not None:
        reply["body"] = encode(body).decode("utf-8")
    return reply


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event.get("requestContext") or {}
    connection_id = str(request.get("connectionId") or "")
    kind = request.get("eventType")
    logger.append_keys(route=request.get("routeKey"), connection_id=connection_id)
    wired = live_deps(endpoint_from(request))
    if kind == "CONNECT":
        token = (event.get("queryStringParameters") or {}).get("token")
        try:
            conn = live.connect(wired, connection_id, token)
        except IdentityError as exc:
            logger.info("socket refused", extra={"status": exc.status, "reason": exc.message})
            return _reply(exc.status, {"error": exc.code, "message": exc.message})
        logger.append_keys(user=conn.user)
        return _reply(200)
    if kind == "DISCONNECT":
        live.disconnect(wired, connection_id)
        return _reply(200)
    body = event.get("body")
    if event.get("isBase64Encoded"):
        return _reply(200, error_message("bad_request", "frames are JSON text"))
    answer = live.message(wired, connection_id, body if isinstance(body, str) else None)
    if answer.get("type") == "error":
        logger.info("frame refused", extra={"code": answer.get("code")})
    return _reply(200, answer)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def fanout(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Stream batch → socket messages, then notifications. Best effort: a delivery that fails is not
    retried (the client re-reads on reconnect); an error reading or writing DynamoDB raises, and the
    event source mapping retries the batch a few times while it is younger than a minute (the
    notifications' conditional puts make a retry store, push and mail nothing twice)."""
    records = event.get("Records") or []
    endpoint = endpoint_from()
    report = live.fan_out(live_deps(endpoint), records)
    told = notifications.notify(notify_deps(endpoint), records)
    if told.stored or told.repeated:
        metrics.add_metric(name="NotificationsStored", unit=MetricUnit.Count, value=told.stored)
        if told.mail_deferred:
            metrics.add_metric(name="NotificationMailDeferred", unit=MetricUnit.Count, value=told.mail_deferred)
        if told.mail_failed:
            metrics.add_metric(name="NotificationMailFailed", unit=MetricUnit.Count, value=told.mail_failed)
        logger.info("notifications", extra={"report": json.loads(json.dumps(told.__dict__))})
    if report.tickets:
        metrics.add_metric(name="LiveMessagesSent", unit=MetricUnit.Count, value=report.sent)
        metrics.add_metric(name="LiveFanOutTime", unit=MetricUnit.Milliseconds, value=report.seconds * 1000)
        if report.gone:
            metrics.add_metric(name="LiveConnectionsGone", unit=MetricUnit.Count, value=report.gone)
        logger.info("fan-out", extra={"report": json.loads(json.dumps(report.__dict__))})
    return {"batchItemFailures": []}


coldstart.imported()  # what the import made lives as long as the process
