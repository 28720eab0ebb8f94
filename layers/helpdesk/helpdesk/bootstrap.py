"""Wiring: real adapters built from settings, once per process (cosmicpython's bootstrap)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .aws.s3 import MailStore
from .aws.ses import Mailer
from .services.ingest import IngestDeps
from .settings import get_settings
from .store.config_store import ConfigStore
from .store.models import bind
from .store.tickets import TicketStore

if TYPE_CHECKING:  # the ingest Lambda does not import the autoclose job or the automation (cold start)
    from .services.autoclose import AutocloseDeps
    from .services.automation import AutomationDeps


@lru_cache(maxsize=1)
def config_store() -> ConfigStore:
    return ConfigStore()


@lru_cache(maxsize=1)
def ingest_deps() -> IngestDeps:
    settings = get_settings()
    bind(settings.tables, host=settings.endpoint_url, region=settings.region)
    return IngestDeps(
        mail=MailStore(settings.mail_bucket),
        tickets=TicketStore(),
        config=config_store(),
        mailer=Mailer(),
        mail_domain=settings.mail_domain,
    )


@lru_cache(maxsize=1)
def autoclose_deps() -> AutocloseDeps:
    from .services.autoclose import AutocloseDeps
    from .store.notifications import NotificationStore

    deps = ingest_deps()
    return AutocloseDeps(
        config=deps.config,
        tickets=deps.tickets,
        mailer=deps.mailer,
        mail_domain=deps.mail_domain,
        mail=deps.mail,
        notifications=NotificationStore(),
    )


@lru_cache(maxsize=1)
def automation_deps() -> AutomationDeps:
    from .aws.events import EventPublisher
    from .services.automation import AutomationDeps

    deps = ingest_deps()
    return AutomationDeps(
        tickets=deps.tickets,
        config=deps.config.snapshot,
        mailer=deps.mailer,
        mail_domain=deps.mail_domain,
        publish=EventPublisher().publish,
    )


@lru_cache(maxsize=1)
def feedback_store() -> TicketStore:
    """The feedback function's store: only the tables (no mail, no SES)."""
    settings = get_settings()
    bind(settings.tables, host=settings.endpoint_url, region=settings.region)
    return TicketStore()


def mail_store() -> MailStore:
    """The mail bucket (the scheduled job's data-protection part deletes from it)."""
    return ingest_deps().mail


def reset() -> None:
    """Forget wired objects (tests and the local stack rebuild them after changing the environment)."""
    config_store.cache_clear()
    ingest_deps.cache_clear()
    autoclose_deps.cache_clear()
    automation_deps.cache_clear()
    feedback_store.cache_clear()
