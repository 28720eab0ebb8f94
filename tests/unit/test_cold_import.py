"""What a cold start pays for before its first event (bench/package.py measures it; these count it).

- No handler imports pydantic: the API's models, the configuration's records and the live frames are
  msgspec Structs (``domain/records.py``); importing pydantic and making the API's models was a third of the
  API's cold import beyond boto3. msgspec makes a record's encoder and decoder at its first use.
- The modules that define models or records do not use ``from __future__ import annotations``: msgspec and a
  record's checks (``Check``) would compile each string annotation at first use.
- The helpdesk's dataclasses compile only ``__init__`` (helpdesk/domain/dataclass.py).
- On Lambda a handler imports with the garbage collector paused, and freezes what it made
  (helpdesk/aws/coldstart.py): the collector runs again afterwards, and never walks those objects.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import msgspec
import pytest

from tests.fresh_import import ROOT, fresh_json, handler_env

PACKAGE = ROOT / "layers" / "helpdesk" / "helpdesk"
HANDLERS = ["ingest", "api", "autoclose", "publisher", "feedback", "live"]
PROBE = """
import importlib, inspect, json, sys
import gc
passes = []
gc.callbacks.append(lambda phase, info: passes.append(info["generation"]) if phase == "start" else None)
module = importlib.import_module("functions.%s.app")
gc.callbacks.clear()
pydantic = "pydantic" in sys.modules
standard = []  # helpdesk dataclasses whose methods the standard library compiled
for name, loaded in list(sys.modules.items()):
    if not name.startswith("helpdesk"):
        continue
    for cls in vars(loaded).values():
        if inspect.isclass(cls) and cls.__module__ == name and "__dataclass_fields__" in vars(cls):
            for method in ("__repr__", "__eq__"):
                if getattr(cls, method).__module__ == name:
                    standard.append(name + "." + cls.__qualname__ + "." + method)
spec = None
if hasattr(module, "app") and hasattr(module.app, "helpdesk_api"):  # the API: its first request may be the spec
    from helpdesk.api.openapi import build
    spec = len(build(module.app.helpdesk_api)["paths"])
print(json.dumps({
    "standard": sorted(standard), "spec": spec,
    "pydantic": pydantic, "collections": len(passes), "frozen": gc.get_freeze_count(),
    "collector": gc.isenabled(),
}))
"""


def probe(handler: str, on_lambda: bool = True) -> dict[str, object]:
    env = handler_env(
        "HELPDESK_",
        HELPDESK_USER_POOL_ID="eu-central-1_x",
        HELPDESK_USER_POOL_CLIENT_ID="x",
        AWS_LAMBDA_FUNCTION_NAME=f"helpdesk-{handler}" if on_lambda else "",
    )
    return fresh_json(PROBE % handler, env)


@pytest.mark.parametrize("handler", HANDLERS)
def test_a_cold_start_imports_no_pydantic_and_compiles_only_dataclass_inits(handler: str) -> None:
    result = probe(handler)
    assert result["pydantic"] is False
    assert result["standard"] == []
    # the collector did not run while the handler imported; what it made is frozen; it runs again
    assert result["collections"] == 0
    assert isinstance(result["frozen"], int) and result["frozen"] > 50_000
    assert result["collector"] is True
    if handler == "api":
        # The spec as a cold API serves it first (when the auto-reply defaults were pydantic models made by
        # model_construct, not built, pydantic could not encode them: "MockValSer is not a SchemaSerializer").
        assert isinstance(result["spec"], int) and result["spec"] > 50


def model_modules() -> list[Path]:
    """The helpdesk's modules that define a msgspec Struct (a record, an API model, a live frame)."""
    found = []
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="helpdesk."):
        if info.ispkg or info.name == "helpdesk.cli":  # the command line needs Typer, and defines no Struct
            continue
        module = importlib.import_module(info.name)
        defined = [
            value for value in vars(module).values() if isinstance(value, type) and value.__module__ == info.name
        ]
        if any(issubclass(cls, msgspec.Struct) for cls in defined):
            found.append(Path(str(module.__file__)))
    return sorted(found)


def test_model_and_record_modules_give_annotations_as_objects_not_strings() -> None:
    modules = model_modules()
    expected = {PACKAGE / "api" / name for name in ("schemas.py", "tickets.py", "reports.py")} | {
        PACKAGE / "domain" / name for name in ("config.py", "live.py", "records.py")
    }
    assert expected <= set(modules)
    stringly = [
        str(path.relative_to(PACKAGE))
        for path in modules
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
    ]
    assert stringly == []


def test_outside_lambda_a_handler_import_leaves_the_collector_alone() -> None:
    result = probe("ingest", on_lambda=False)  # the local stack, the tests: long-running processes
    assert isinstance(result["collections"], int) and result["collections"] > 10
    assert result["frozen"] == 0
    assert result["collector"] is True
