"""``/openapi.json``: OpenAPI 3.1, generated from the same models the routes validate with: the API's pydantic
models (``api/schemas.py``) and the configuration's records (``domain/records.py``, described by msgspec)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

import msgspec
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import __version__
from ..domain.records import Record
from .errors import ERROR_STATUSES
from .routing import Api, Ctx, RouteSpec, Schema
from .schemas import EMBEDDED_RECORDS, ErrorBody

Mode = Literal["validation", "serialization"]
DESCRIPTIONS = {
    400: "Validation error (the field is named)",
    401: "Missing, invalid or expired token",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict: stale version (`conflict`, the current ticket is in `current`) or, on replies, the thread "
    "grew since the position you saw (`reply_conflict`: `reason`, `new`/`new_messages`)",
    413: "Too large",
    429: "Rate limited",
}


def _params(spec: RouteSpec) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"\{(\w+)\}", spec.path)
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": {k: v for k, v in prop.items() if k not in ("title",)},
                    **({"description": prop["description"]} if "description" in prop else {}),
                }
            )
    return params


def _components(api: Api) -> tuple[Callable[[Schema, Mode], dict[str, Any]], dict[str, Any]]:
    """(the reference to a model's schema, every component), the records' and the pydantic models' together."""
    models: set[type[BaseModel]] = {ErrorBody}
    records: set[type[Record]] = set(EMBEDDED_RECORDS)
    for spec in api.specs:
        for model in (spec.body, spec.response):
            if model is not None and issubclass(model, Record):
                records.add(model)
            elif model is not None:
                models.add(model)
    ordered = sorted(models, key=lambda m: m.__name__)
    refs, pydantic_components = models_json_schema(
        [(m, "validation" if any(s.body is m for s in api.specs) else "serialization") for m in ordered],
        ref_template="#/components/schemas/{model}",
    )
    kept = sorted(records, key=lambda r: r.__name__)
    record_refs, components = msgspec.json.schema_components(kept, ref_template="#/components/schemas/{name}")
    for name, schema in pydantic_components.get("$defs", {}).items():
        if name in components and "properties" in schema:  # enums (Status, Priority) are in both: the same values
            raise ValueError(f"two schemas are called {name}: a record's and an API model's")
        components[name] = schema
    by_record = dict(zip(kept, record_refs, strict=True))

    def ref(model: Schema, mode: Mode) -> dict[str, Any]:
        if issubclass(model, Record):
            return dict(by_record[model])
        found = refs.get((model, mode)) or refs.get((model, "serialization")) or refs.get((model, "validation"))
        return dict(found) if found else {}

    return ref, components


def build(api: Api) -> dict[str, Any]:
    ref, components = _components(api)

    paths: dict[str, dict[str, Any]] = {}
    for spec in api.specs:
        responses: dict[str, Any] = {}
        ok: dict[str, Any] = {"description": "OK"}
        if spec.response is not None:
            ok["content"] = {"application/json": {"schema": ref(spec.response, "serialization")}}
        elif spec.raw_response:
            kind = "object" if spec.raw_response == "application/json" else "string"
            ok["content"] = {spec.raw_response: {"schema": {"type": kind}}}
        responses[str(spec.status)] = ok
        error_codes = set(spec.errors) | ({401, 403} if spec.auth != "public" else set())
        if spec.body is not None or spec.query is not None or re.search(r"\{\w+\}", spec.path):
            error_codes.add(400)
        for code in sorted(error_codes):
            responses[str(code)] = {
                "description": DESCRIPTIONS.get(code, ERROR_STATUSES.get(code, "error")),
                "content": {"application/json": {"schema": ref(ErrorBody, "serialization")}},
            }
        operation: dict[str, Any] = {
            "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', spec.path).strip('_') or 'root'}",
            "summary": spec.summary,
            "tags": list(spec.tags),
            "parameters": _params(spec),
            "responses": responses,
        }
        if spec.auth != "public":
            operation["security"] = [{"cognito": []}]
            operation["x-role"] = spec.auth
        else:
            operation["security"] = []
        if spec.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(spec.body, "validation")}},
            }
        paths.setdefault(spec.path, {})[spec.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Helpdesk API",
            "version": __version__,
            "description": "Agents' and admins' API of the serverless mail-to-ticket helpdesk. Authenticate with "
            'a Cognito ID token (`POST /auth/login`). Errors are `{"error", "message"}`.',
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"cognito": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def register(api: Api) -> None:
    cache: dict[str, Any] = {}

    @api.route(
        "/openapi.json", auth="public", tags=("meta",), summary="This OpenAPI document", raw_response="application/json"
    )
    def openapi(ctx: Ctx) -> dict[str, Any]:
        if not cache:
            cache.update(build(api))
        return cache
