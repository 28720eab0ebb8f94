"""Deployment settings, read once from the environment (template.yaml sets them; so does the local stack).

Missing required values fail at start-up with one message naming every missing variable, instead
of a ``KeyError`` deep inside a request.
"""

from __future__ import annotations

import os
from functools import lru_cache

from .domain.dataclass import dataclass
from .domain.mail_domains import parse_domains

# The environment variable naming each table (template.yaml sets them; so does the local stack).
TABLE_ENV = {
    "tickets": "HELPDESK_TICKETS_TABLE",
    "meta": "HELPDESK_META_TABLE",
    "config": "HELPDESK_CONFIG_TABLE",
    "customers": "HELPDESK_CUSTOMERS_TABLE",
}


class SettingsError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    region: str
    tables: dict[str, str]
    mail_bucket: str
    event_bus: str
    mail_domain: str
    user_pool_id: str
    user_pool_client_id: str
    jwt_issuer: str
    jwks_url: str
    web_origin: str
    public_url: str
    link_secret: str
    endpoint_url: str | None
    local: bool
    # Every mail domain (HELPDESK_MAIL_DOMAIN may list several, comma separated); ``mail_domain`` is the first.
    mail_domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.mail_domains:
            object.__setattr__(self, "mail_domains", (self.mail_domain,))


_REQUIRED = ("HELPDESK_MAIL_BUCKET", "HELPDESK_MAIL_DOMAIN")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = os.environ
    missing = [name for name in _REQUIRED if not env.get(name)]
    if missing:
        raise SettingsError(
            "missing environment variables: " + ", ".join(missing) + " (template.yaml sets them on AWS; "
            "'helpdesk local' sets them locally)"
        )
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-central-1"
    pool = env.get("HELPDESK_USER_POOL_ID", "")
    domains = parse_domains(env["HELPDESK_MAIL_DOMAIN"])
    if not domains:
        raise SettingsError("HELPDESK_MAIL_DOMAIN names no domain")
    issuer = env.get("HELPDESK_JWT_ISSUER") or (f"https://cognito-idp.{region}.amazonaws.com/{pool}" if pool else "")
    return Settings(
        region=region,
        tables={key: env.get(name, f"helpdesk-{key}") for key, name in TABLE_ENV.items()},
        mail_bucket=env["HELPDESK_MAIL_BUCKET"],
        event_bus=env.get("HELPDESK_EVENT_BUS", "default"),
        mail_domain=domains[0],
        mail_domains=domains,
        user_pool_id=pool,
        user_pool_client_id=env.get("HELPDESK_USER_POOL_CLIENT_ID", ""),
        jwt_issuer=issuer,
        jwks_url=env.get("HELPDESK_JWKS_URL") or (f"{issuer}/.well-known/jwks.json" if issuer else ""),
        web_origin=env.get("HELPDESK_WEB_ORIGIN", ""),
        public_url=env.get("HELPDESK_PUBLIC_URL", "").rstrip("/"),
        link_secret=env.get("HELPDESK_LINK_SECRET") or _secret(env.get("HELPDESK_LINK_SECRET_ARN", "")),
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        local=env.get("HELPDESK_LOCAL") == "1",
    )


def _secret(arn: str) -> str:
    """A Secrets Manager value, read once per cold start (customer-link signing key)."""
    if not arn:
        return ""
    import boto3

    return str(boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
