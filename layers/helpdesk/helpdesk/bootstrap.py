"""The one composition root: every adapter built from settings once per process (cosmicpython's bootstrap).

Every entry point wires itself here — the API (``api/app.py``), the ingest, autoclose, automation, feedback,
publisher and live Lambdas (``functions/*``), the local stack (``helpdesk_local``) and the CLI — so there is one
``TicketStore``, one ``ConfigStore`` (with its warm-start cache), one ``MailStore`` and one ``Mailer`` per
process. :class:`Adapters` builds each on first use: a function that needs only the tables (feedback)
creates no S3 or SES client. :func:`reset` forgets them (tests and the local stack rebuild after changing
the environment).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from .aws.s3 import MailStore
from .aws.ses import Mailer
from .services.identity import TokenVerifier
from .services.ingest import IngestDeps
from .settings import Settings, get_settings
from .store.config_store import ConfigStore
from .store.models import bind
from .store.tickets import TicketStore

if TYPE_CHECKING:  # the ingest Lambda does not import the other functions' services (cold start)
    from .services.assignment import AssignmentDeps
    from .services.autoclose import AutocloseDeps
    from .services.automation import AutomationDeps
    from .services.live import LiveDeps
    from .services.notifications import NotifyDeps
    from .store.live import LiveStore
    from .store.notifications import NotificationStore
    from .store.search_index import SearchIndex


class Adapters:
    """The process's adapters, each built on first use; the tables are bound when this is built.

    The API's routes receive this object as ``services`` (``api/context.py``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        bind(settings.tables, host=settings.endpoint_url, region=settings.region)

    @cached_property
    def config(self) -> ConfigStore:
        return ConfigStore()

    @cached_property
    def tickets(self) -> TicketStore:
        return TicketStore()

    @cached_property
    def mail(self) -> MailStore:
        return MailStore(self.settings.mail_bucket)

    @cached_property
    def mailer(self) -> Mailer:
        return Mailer()

    @cached_property
    def notifications(self) -> NotificationStore:
        from .store.notifications import NotificationStore

        return NotificationStore()

    @cached_property
    def live(self) -> LiveStore:
        """The live table: who is writing a reply where (batch actions skip those tickets)."""
        from .store.live import LiveStore

        return LiveStore()

    @cached_property
    def search(self) -> SearchIndex:
        from .store.search_index import SearchIndex

        return SearchIndex()

    @cached_property
    def customer_search(self) -> SearchIndex:
        from .store.search_index import CUSTOMERS, SearchIndex

        return SearchIndex(CUSTOMERS)

    @cached_property
    def verifier(self) -> TokenVerifier:
        s = self.settings
        return TokenVerifier(issuer=s.jwt_issuer, jwks_url=s.jwks_url, client_id=s.user_pool_client_id)

    def download_url(self, key: str, filename: str, content_type: str, inline: bool) -> str:
        return self.mail.download_url(key, filename, content_type, inline=inline)


@lru_cache(maxsize=1)
def adapters() -> Adapters:
    return Adapters(get_settings())


def config_store() -> ConfigStore:
    return adapters().config


def mail_store() -> MailStore:
    """The mail bucket (the scheduled job's data-protection part deletes from it)."""
    return adapters().mail


def feedback_store() -> TicketStore:
    """The feedback function's store: only the tables (no mail, no SES)."""
    return adapters().tickets


@lru_cache(maxsize=1)
def ingest_deps() -> IngestDeps:
    wired = adapters()
    return IngestDeps(
        mail=wired.mail,
        tickets=wired.tickets,
        config=wired.config,
        mailer=wired.mailer,
        mail_domain=wired.settings.mail_domain,
        mail_domains=wired.settings.mail_domains,
    )


@lru_cache(maxsize=1)
def autoclose_deps() -> AutocloseDeps:
    from .services.autoclose import AutocloseDeps

    wired = adapters()
    return AutocloseDeps(
        config=wired.config,
        tickets=wired.tickets,
        mailer=wired.mailer,
        mail_domain=wired.settings.mail_domain,
        mail=wired.mail,
        notifications=wired.notifications,
        automation=automation_deps(),
    )


@lru_cache(maxsize=1)
def automation_deps() -> AutomationDeps:
    """The triggers' wiring (the publisher runs them on the tickets stream's events)."""
    from .aws.events import EventPublisher
    from .services.automation import AutomationDeps

    wired = adapters()
    return AutomationDeps(
        tickets=wired.tickets,
        config=wired.config.snapshot,
        mailer=wired.mailer,
        mail_domain=wired.settings.mail_domain,
        publish=EventPublisher().publish,
    )


def assignment_deps() -> AssignmentDeps:
    """Fair assignment's wiring (the publisher runs it on the tickets stream's events, after the triggers).
    Not cached: it is the current adapters' (and their configuration store's, pinned per stream batch)."""
    from .services.assignment import AssignmentDeps, online_now

    wired = adapters()
    return AssignmentDeps(tickets=wired.tickets, config=wired.config.snapshot, online=online_now(wired.live))


@lru_cache(maxsize=4)
def live_deps(endpoint: str) -> LiveDeps:
    """The live Lambdas' (routes and fan-out) wiring; ``endpoint``: the WebSocket API's management URL."""
    from .aws.live import ConnectionPoster
    from .services.live import LiveDeps

    wired = adapters()
    return LiveDeps(
        store=wired.live,
        tickets=wired.tickets,
        config=wired.config,
        poster=ConnectionPoster(endpoint),
        verify=wired.verifier.verify,
    )


@lru_cache(maxsize=4)
def notify_deps(endpoint: str) -> NotifyDeps:
    """The fan-out's notifications (bell, socket, mail)."""
    import os

    from .services.notifications import NotifyDeps

    wired, live = adapters(), live_deps(endpoint)
    return NotifyDeps(
        store=wired.notifications,
        tickets=wired.tickets,
        config=wired.config,
        mailer=wired.mailer,
        mail_domain=wired.settings.mail_domain,
        # links in notification mails
        public_url=wired.settings.public_url or os.environ.get("HELPDESK_API_URL", ""),
        live=live.store,
        poster=live.poster,
    )


def reset() -> None:
    """Forget wired objects (tests and the local stack rebuild them after changing the environment)."""
    adapters.cache_clear()
    ingest_deps.cache_clear()
    autoclose_deps.cache_clear()
    automation_deps.cache_clear()
    live_deps.cache_clear()
    notify_deps.cache_clear()
