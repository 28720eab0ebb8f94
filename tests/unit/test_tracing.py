"""X-Ray detail only on request: without ``HELPDESK_TRACE_DETAIL`` no handler imports the X-Ray SDK (about
0.3 s of CPU at every cold start, bench/package.py); with it, each handler is traced by Powertools' Tracer."""

from __future__ import annotations

import pytest

from helpdesk.aws.tracing import detail_wanted, tracer
from tests.fresh_import import fresh_json, handler_env

HANDLERS = ["ingest", "api", "autoclose", "publisher", "live"]
PROBE = """
import importlib, json, sys
loaded = {}
for name in %r:
    module = importlib.import_module(f"functions.{name}.app")
    loaded[name] = type(module.tracer).__name__
print(json.dumps({"xray": "aws_xray_sdk" in sys.modules, "tracers": loaded}))
"""


def probe(detail: str | None) -> dict[str, object]:
    env = handler_env("HELPDESK_TRACE", POWERTOOLS_TRACE_DISABLED="false")
    if detail is not None:
        env["HELPDESK_TRACE_DETAIL"] = detail
    return fresh_json(PROBE % HANDLERS, env)


def test_without_detail_no_handler_imports_the_xray_sdk() -> None:
    result = probe(None)
    assert result["xray"] is False
    assert set(result["tracers"].values()) == {"_Untraced"}  # type: ignore[attr-defined]


def test_with_detail_every_handler_is_traced_by_powertools() -> None:
    result = probe("true")
    assert result["xray"] is True
    assert set(result["tracers"].values()) == {"Tracer"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "wanted"),
    [("true", True), ("1", True), (" On ", True), ("false", False), ("", False)],
)
def test_the_switch_reads_like_the_template_parameter(value: str, wanted: bool) -> None:
    assert detail_wanted({"HELPDESK_TRACE_DETAIL": value}) is wanted


def test_untraced_decorators_return_the_function_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPDESK_TRACE_DETAIL", raising=False)

    def handler(event: dict[str, object], context: object) -> str:
        return "ran"

    plain = tracer("helpdesk-test")
    assert plain.capture_lambda_handler(handler) is handler
    assert plain.capture_method(handler) is handler
