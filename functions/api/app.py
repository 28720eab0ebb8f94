"""API Lambda: the Chalice app behind API Gateway's ``/{proxy+}`` resource (SAM ``Handler: app.handler``).

Wired like the other functions: Powertools Logger (structured JSON; correlation id = API Gateway's
request id; the route and the ticket id as keys), Metrics (``RouteError`` on every unhandled error, flushed at once,
alarmed in template.yaml: the route answers 500 itself, so Lambda's own ``Errors`` never sees a route
bug) and Tracer.
"""

from __future__ import annotations

from helpdesk.aws import coldstart

coldstart.importing()  # the collector pauses while the imports below run (helpdesk/aws/coldstart.py)

from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from helpdesk.api.app import create_app
from helpdesk.api.gateway import ProxyAdapter
from helpdesk.api.routing import RouteSpec
from helpdesk.aws.tracing import tracer as tracer_for

logger = Logger(service="helpdesk-api")
metrics = Metrics(namespace="Helpdesk", service="api")
tracer = tracer_for("helpdesk-api")  # X-Ray detail only when the deployment asks (helpdesk/aws/tracing.py)
copy_config_to_registered_loggers(source_logger=logger, include={"helpdesk"})


class PowertoolsObserver:
    def route(self, spec: RouteSpec, path_params: dict[str, str]) -> None:
        logger.append_keys(route=f"{spec.method} {spec.path}", ticket_id=path_params.get("ticket_id"))

    def unhandled(self, spec: RouteSpec, exc: Exception) -> None:
        logger.exception("unhandled error", extra={"route": f"{spec.method} {spec.path}", "error": type(exc).__name__})
        metrics.add_metric(name="RouteError", unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()  # now: most requests count nothing, and an empty flush only warns


app = create_app(static_dir=Path(__file__).parent / "static", observer=PowertoolsObserver())
adapter = ProxyAdapter(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return adapter(event, context)


coldstart.imported()  # what the import made lives as long as the process
