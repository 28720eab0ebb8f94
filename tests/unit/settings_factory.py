"""Deployment settings as on AWS (no local endpoint), for tests of what the settings decide."""

from __future__ import annotations

from helpdesk.settings import Settings


def settings_on_aws() -> Settings:
    return Settings(
        region="eu-west-1",
        tables={},
        mail_bucket="hd-mail-1",
        event_bus="b",
        mail_domain="x.de",
        user_pool_id="",
        user_pool_client_id="",
        jwt_issuer="",
        jwks_url="",
        web_origin="",
        public_url="",
        link_secret="",
        endpoint_url=None,
        local=False,
    )
