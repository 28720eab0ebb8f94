"""X-Ray detail for the Lambda handlers, on request only.

Every function runs with Lambda's active tracing (``Tracing: Active`` in template.yaml): X-Ray records each
invocation, its duration, cold start and errors, and the service map, without any code of ours. The
*detail* (a subsegment per AWS call, the handler's annotations) needs the X-Ray SDK in the process, which
Powertools' ``Tracer`` imports when it is created: about 0.28 s of CPU at every cold start, 0.8 times the
import of boto3 itself (``bench/package.py``). So the handlers create it only when the deployment asks for
it (template parameter ``TraceDetail`` → ``HELPDESK_TRACE_DETAIL=true``); otherwise :func:`tracer` returns
decorators that change nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class HandlerTracer(Protocol):
    def capture_lambda_handler(self, lambda_handler: F) -> F: ...

    def capture_method(self, method: F) -> F: ...


class _Untraced:
    """No detail: the handler runs as it is (Lambda's own segment still records the invocation)."""

    def capture_lambda_handler(self, lambda_handler: F) -> F:
        return lambda_handler

    def capture_method(self, method: F) -> F:
        return method


def detail_wanted(environ: dict[str, str] | None = None) -> bool:
    value = (os.environ if environ is None else environ).get("HELPDESK_TRACE_DETAIL", "")
    return value.strip().lower() in ("1", "true", "yes", "on")


def tracer(service: str) -> HandlerTracer:
    """Powertools' Tracer when the deployment asks for X-Ray detail, else decorators that change nothing."""
    if not detail_wanted():
        return _Untraced()
    from aws_lambda_powertools import Tracer

    return Tracer(service=service)  # type: ignore[return-value]
