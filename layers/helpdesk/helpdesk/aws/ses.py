"""SES: send a finished MIME message. Building the message is the domain's job (helpdesk.domain.outgoing)."""

from __future__ import annotations

from . import clients


class Mailer:
    def send_raw(self, source: str, destinations: list[str], raw: bytes) -> str:
        response = clients.sesv2().send_email(
            FromEmailAddress=source,
            Destination={"ToAddresses": destinations},
            Content={"Raw": {"Data": raw}},
        )
        return str(response.get("MessageId", ""))


def refusal_code(exc: Exception) -> tuple[str, str] | None:
    """``(code, message)`` when SES refused the mail or was never reached (it does not have it: sending it
    again cannot deliver it twice); None when its answer was lost (it may have the mail)."""
    from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code") or "ClientError"), str(error.get("Message") or "")
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return "connection", str(exc)
    return None
