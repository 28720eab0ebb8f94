"""``/openapi.json``: OpenAPI 3.1, generated from the same models the routes validate with: the API's models
(``api/schemas.py``) and the configuration's records, all records (``domain/records.py``) described by msgspec."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from .. import __version__
from ..domain.records import Record
from .errors import ERROR_STATUSES
from .routing import Api, Ctx, RouteSpec, Schema
from .schemas import ErrorBody

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
REF = "#/components/schemas/{name}"


def _params(spec: RouteSpec, queries: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for name in re.findall(r"\{(\w+)\}", spec.path)
    ]
    if spec.query is not None:
        schema = queries[spec.query.__name__]
        for name, prop in schema.get("properties", {}).items():
            params.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": {k: v for k, v in prop.items() if k not in ("title", "description")},
                    **({"description": prop["description"]} if "description" in prop else {}),
                }
            )
    return params


def _components(api: Api) -> tuple[dict[type[Record], dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(each model's reference, every component, the query models' schemas): the models of every route and
    what they refer to; a query model is described by its parameters, not as a component of its own."""
    models: set[Schema] = {ErrorBody}
    for spec in api.specs:
        models.update(model for model in (spec.body, spec.query, spec.response) if model is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    names = [m.__name__ for m in ordered]
    if len(set(names)) != len(names):
        raise ValueError(f"two models share a name: {sorted(n for n in names if names.count(n) > 1)}")
    refs, components = msgspec.json.schema_components(ordered, ref_template=REF)
    described = {model for spec in api.specs for model in (spec.body, spec.response)} | {ErrorBody}
    text = json.dumps(components)
    queries: dict[str, Any] = {}
    for query in {spec.query for spec in api.specs if spec.query is not None} - described:
        name = query.__name__
        referred = f'"{REF.format(name=name)}"' in text  # by another model: it stays a component as well
        queries[name] = components[name] if referred else components.pop(name)
    return dict(zip(ordered, refs, strict=True)), components, queries


def build(api: Api) -> dict[str, Any]:
    refs, components, queries = _components(api)

    paths: dict[str, dict[str, Any]] = {}
    for spec in api.specs:
        responses: dict[str, Any] = {}
        ok: dict[str, Any] = {"description": "OK"}
        if spec.response is not None:
            ok["content"] = {"application/json": {"schema": refs[spec.response]}}
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
                "content": {"application/json": {"schema": refs[ErrorBody]}},
            }
        operation: dict[str, Any] = {
            "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', spec.path).strip('_') or 'root'}",
            "summary": spec.summary,
            "tags": list(spec.tags),
            "parameters": _params(spec, queries),
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
                "content": {"application/json": {"schema": refs[spec.body]}},
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
