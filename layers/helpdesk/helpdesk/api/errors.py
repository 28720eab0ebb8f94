"""API errors: JSON ``{"error": code, "message": text}`` with the right status (DESIGN §9)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


class BadRequest(ApiError):
    status = 400
    code = "validation_error"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class ReplyConflict(ApiError):
    """409 for a reply whose author has not seen what arrived since (``reason``, ``new``/``new_messages``)."""

    status = 409
    code = "reply_conflict"


class TooLarge(ApiError):
    status = 413
    code = "too_large"


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"


ERROR_STATUSES: dict[int, str] = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "too_large",
    429: "rate_limited",
    500: "internal_error",
}


class SendFailed(ApiError):
    status = 502
    code = "send_failed"


def stale(current: Any) -> Conflict:
    """409 for a stale version, with the ticket as it is now (a ``TicketOut``, shaped for the caller)."""
    return Conflict(
        "someone else changed this ticket; reload it and apply your change again",
        extra={"current": current.model_dump(mode="json")},
    )


def translate(exc: Exception) -> ApiError | None:
    """Service exceptions → API errors (None: not ours, a bug → 500)."""
    from ..domain.outgoing import HeaderInjection
    from ..services.access import NoAccess
    from ..services.changes import ChangeError, Missing, Stale
    from ..services.outbound import NotResendable
    from ..services.outbound import SendFailed as ServiceSendFailed
    from ..services.public import Limited
    from ..store.listing import CursorError
    from .views import ticket_out

    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, CursorError):
        return BadRequest(str(exc), field="cursor")
    if isinstance(exc, ChangeError):
        return BadRequest(str(exc), field=exc.field)
    if isinstance(exc, HeaderInjection):
        return BadRequest(str(exc))
    if isinstance(exc, NoAccess):
        return Forbidden(str(exc))
    if isinstance(exc, Stale):  # routes that name other tickets answer with stale() themselves, for the caller
        return stale(ticket_out(exc.current))
    if isinstance(exc, Missing):
        return NotFound("no such ticket")
    if isinstance(exc, Limited):
        return RateLimited(str(exc), headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, NotResendable):
        return Conflict(str(exc))
    if isinstance(exc, ServiceSendFailed):
        return SendFailed(str(exc), extra={"message_id": exc.message.id})
    return None
