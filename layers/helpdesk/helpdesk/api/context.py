"""What the routes need, built once per process: stores, adapters, the token verifier."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..aws.s3 import MailStore
from ..aws.ses import Mailer
from ..settings import Settings
from ..store.config_store import ConfigStore
from ..store.live import LiveStore
from ..store.tickets import TicketStore
from .auth import TokenVerifier


@dataclass
class Services:
    settings: Settings
    config: ConfigStore
    tickets: TicketStore
    mail: MailStore
    mailer: Mailer

    @cached_property
    def live(self) -> LiveStore:
        """The live table: who is writing a reply where (batch actions skip those tickets)."""
        return LiveStore()

    @cached_property
    def verifier(self) -> TokenVerifier:
        s = self.settings
        return TokenVerifier(issuer=s.jwt_issuer, jwks_url=s.jwks_url, client_id=s.user_pool_client_id)

    def download_url(self, key: str, filename: str, content_type: str, inline: bool) -> str:
        return self.mail.download_url(key, filename, content_type, inline=inline)
