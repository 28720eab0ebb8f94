"""API Gateway proxy events → Chalice routes.

template.yaml fronts the function with one ``/{proxy+}`` resource (plus ``/``), so API Gateway does not
need to know Chalice's routes. Chalice dispatches on ``requestContext.resourcePath``; this adapter
matches the concrete path against the app's route table and fills in the resource template and path
parameters, exactly as a per-route API Gateway resource would. The local stack's HTTP server sends
the same proxy events through the same adapter, so local and AWS take one code path.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from chalice.app import Chalice, CORSConfig


class RouteTable:
    def __init__(self, templates: list[str]) -> None:
        # Most specific first: more static segments win ("/tickets/batch" before "/tickets/{id}").
        self.templates = sorted(
            templates, key=lambda t: (-len(t.split("/")), -sum(1 for s in t.split("/") if not s.startswith("{")))
        )

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        if path != "/" and path.endswith("/"):
            path = path[:-1]
        parts = path.split("/")
        for template in self.templates:
            t_parts = template.split("/")
            if len(t_parts) != len(parts):
                continue
            params: dict[str, str] = {}
            for have, want in zip(parts, t_parts, strict=True):
                if want.startswith("{") and want.endswith("}"):
                    if not have:
                        break
                    params[want[1:-1]] = unquote(have)
                elif have != want:
                    break
            else:
                return template, params
        return None


def _json(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": "application/json",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
            **(headers or {}),
        },
        "body": json.dumps({"error": code, "message": message}),
        "isBase64Encoded": False,
    }


class ProxyAdapter:
    def __init__(self, app: Chalice) -> None:
        self.app = app
        self.table = RouteTable(list(app.routes))

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        path = event.get("path") or "/"
        method = (event.get("httpMethod") or "GET").upper()
        found = self.table.match(path)
        if found is None:
            return _json(404, "not_found", f"no route for {path}")
        template, params = found
        methods = self.app.routes[template]
        cors = self.app.api.cors
        if method == "OPTIONS" and "OPTIONS" not in methods and cors:
            # Preflight: API Gateway would answer it with a mock integration; behind a proxy we do.
            headers = cors.get_access_control_headers() if isinstance(cors, CORSConfig) else {}
            headers["Access-Control-Allow-Methods"] = ", ".join(sorted({*methods, "OPTIONS"}))
            return {"statusCode": 204, "headers": headers, "body": "", "isBase64Encoded": False}
        if method not in methods:
            return _json(
                405,
                "method_not_allowed",
                f"{method} is not allowed on {template}",
                {"Allow": ", ".join(sorted(methods))},
            )
        routed = dict(event)
        routed["resource"] = template
        routed["pathParameters"] = params or None
        routed["requestContext"] = {
            **(event.get("requestContext") or {}),
            "resourcePath": template,
            "httpMethod": method,
        }
        response: dict[str, Any] = self.app(routed, context)
        return response
