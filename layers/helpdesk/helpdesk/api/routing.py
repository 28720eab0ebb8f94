"""Routes with their contract in one place: auth level, request/query/response models, errors.

Every route is declared through :meth:`Api.route`, which

* authenticates (``public`` / ``agent`` / ``admin``) before the view runs,
* validates the JSON body and the query string with the API's models (``api/schemas.py``) or the
  configuration's records: both are records (``domain/records.py``), and a 400 names the field,
* turns :class:`~helpdesk.api.errors.ApiError` into ``{"error", "message"}`` JSON,
* records the route for ``/openapi.json`` and the authorization-matrix test,
* tells a :class:`RouteObserver` which route runs and of every unhandled error (the API Lambda logs
  them with Powertools and counts ``RouteError``, which template.yaml alarms on).
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from dataclasses import field
from typing import Any, Literal, Protocol

from chalice.app import Chalice, Request, Response

from ..domain.access import Viewer
from ..domain.dataclass import dataclass
from ..domain.records import Record, RecordError
from .auth import Principal, TokenVerifier, bearer_token
from .errors import ApiError, BadRequest, Forbidden, TooLarge, translate

Auth = Literal["public", "agent", "admin"]
MAX_BODY_BYTES = 1_000_000
log = logging.getLogger("helpdesk.api")
# What a route's body, query or response is: an API model (api/schemas.py) or a configuration record.
Schema = type[Record]


@dataclass
class RouteSpec:
    path: str
    method: str
    auth: Auth
    body: Schema | None
    query: Schema | None
    response: Schema | None
    summary: str
    tags: tuple[str, ...]
    status: int
    errors: tuple[int, ...]
    raw_response: str | None = None  # content type of a non-JSON response (HTML, JS, …)


@dataclass
class Ctx:
    request: Request
    principal: Principal | None
    body: Any = None
    query: Any = None
    path: dict[str, str] = field(default_factory=dict)

    @property
    def user(self) -> Principal:
        if self.principal is None:  # only reachable from a public route calling an authed helper
            raise Forbidden("this route has no user")
        return self.principal

    @property
    def viewer(self) -> Viewer:
        """The user as access decisions see them (:func:`helpdesk.domain.access.access`)."""
        return Viewer(self.user.username, self.user.is_admin)

    @property
    def base_url(self) -> str:
        """The public base URL this request came to (for links in mails): scheme, host and API stage."""
        headers = self.request.headers
        host = headers.get("host", "")
        if not host:
            return ""
        scheme = headers.get("x-forwarded-proto", "https")
        stage = str((self.request.context or {}).get("stage", ""))
        on_default_domain = host.endswith(".amazonaws.com")
        return f"{scheme}://{host}" + (f"/{stage}" if stage and on_default_domain else "")

    @property
    def source_ip(self) -> str:
        context = self.request.context or {}
        return str(context.get("identity", {}).get("sourceIp", ""))


class RouteObserver(Protocol):
    def route(self, spec: RouteSpec, path_params: dict[str, str]) -> None:
        """A request matched ``spec`` (before authentication)."""

    def unhandled(self, spec: RouteSpec, exc: Exception) -> None:
        """A route raised something that is not an API error: a bug (the client gets a 500)."""


class LogObserver:
    """The default: unhandled errors logged with their trace (local stack, tests)."""

    def route(self, spec: RouteSpec, path_params: dict[str, str]) -> None:  # noqa: ARG002 - nothing to note
        return None

    def unhandled(self, spec: RouteSpec, exc: Exception) -> None:
        log.error("unhandled %s on %s %s\n%s", type(exc).__name__, spec.method, spec.path, traceback.format_exc())


def validation_error(exc: RecordError) -> BadRequest:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
    loc = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
    message = str(first.get("msg", "invalid"))
    return BadRequest(
        f"{loc}: {message}" if loc else message,
        field=loc or None,
        extra={
            "details": [
                {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg")}
                for e in exc.errors()[:10]
            ]
        },
    )


def body_of(model: Schema, raw: str | bytes) -> Record:
    """Parse and validate a request body in one pass, strictly, as /openapi.json says: 0 is not false,
    "3" is not 3 (JSON strings still make dates, datetimes and enum values)."""
    try:
        return model.model_validate_json(raw, strict=True)
    except RecordError as exc:
        first = exc.errors()[0] if exc.errors() else None
        if first is not None and first["type"] == "json_invalid":
            raise BadRequest(f"body is not JSON: {first['msg'].removeprefix('Invalid JSON: ')}") from exc
        raise


class Api:
    def __init__(
        self,
        app: Chalice,
        verifier: Callable[[], TokenVerifier],
        headers: Callable[[str, str], dict[str, str]],
        standing: Callable[[Principal], Principal] = lambda principal: principal,
        observer: RouteObserver | None = None,
    ) -> None:
        self.app = app
        self.observer: RouteObserver = observer or LogObserver()
        self.verifier = verifier
        self.headers = headers  # (path, content type) -> security headers
        # What the team's configuration says of a token's user now (deactivated, demoted): a token
        # lives an hour, a change by an admin must not wait for it to expire.
        self.standing = standing
        self.specs: list[RouteSpec] = []

    def route(
        self,
        path: str,
        method: str = "GET",
        *,
        auth: Auth = "agent",
        body: Schema | None = None,
        query: Schema | None = None,
        response: Schema | None = None,
        summary: str = "",
        tags: tuple[str, ...] = (),
        status: int = 200,
        errors: tuple[int, ...] = (),
        raw_response: str | None = None,
        content_types: tuple[str, ...] = ("application/json",),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        spec = RouteSpec(path, method, auth, body, query, response, summary, tags, status, errors, raw_response)
        self.specs.append(spec)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def endpoint(**path_params: str) -> Response:
                return self._run(spec, view, path_params)

            self.app.route(path, methods=[method], name=f"{method.lower()}:{path}", content_types=list(content_types))(
                endpoint
            )
            return view

        return decorator

    def _run(self, spec: RouteSpec, view: Callable[..., Any], path_params: dict[str, str]) -> Response:
        request = self.app.current_request
        assert request is not None
        self.observer.route(spec, path_params)
        try:
            principal = None
            if spec.auth != "public":
                principal = self.standing(self.verifier().verify(bearer_token(dict(request.headers))))
                if spec.auth == "admin" and not principal.is_admin:
                    raise Forbidden("only admins may do this")
            ctx = Ctx(request=request, principal=principal, path=path_params)
            if spec.query is not None:
                ctx.query = spec.query.model_validate(dict(request.query_params or {}))
            if spec.body is not None:
                raw = request.raw_body or b""
                if len(raw) > MAX_BODY_BYTES:
                    raise TooLarge(f"request body larger than {MAX_BODY_BYTES // 1000} KB")
                if not raw.strip():  # not "{}": an empty PUT /admin/settings would reset every setting
                    raise BadRequest("a JSON body is required")
                ctx.body = body_of(spec.body, raw)
            result = view(ctx, **path_params)
            return self._respond(spec, result)
        except RecordError as exc:
            return self._error(validation_error(exc), request.path)
        except Exception as exc:
            known = translate(exc)
            if known is not None:
                return self._error(known, request.path)
            # A bug: the observer logs and counts it; the client gets a 500 without internals.
            self.observer.unhandled(spec, exc)
            return self._error(ApiError("internal error"), request.path)

    def _respond(self, spec: RouteSpec, result: Any) -> Response:
        if isinstance(result, Response):
            result.headers = {**self.headers(spec.path, str(result.headers.get("Content-Type", ""))), **result.headers}
            return result
        if isinstance(result, Record):
            body: Any = result.model_dump()
        else:
            body = result
        status = spec.status if result is not None else 204
        headers: dict[str, str | list[str]] = {
            "Content-Type": "application/json",
            **self.headers(spec.path, "application/json"),
        }
        return Response(body=body if status != 204 else "", status_code=status, headers=headers)

    def _error(self, exc: ApiError, path: str) -> Response:
        headers: dict[str, str | list[str]] = {
            "Content-Type": "application/json",
            **self.headers(path, "application/json"),
            **exc.headers,
        }
        return Response(body=exc.body(), status_code=exc.status, headers=headers)
