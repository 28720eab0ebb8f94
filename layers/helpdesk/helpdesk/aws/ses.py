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
