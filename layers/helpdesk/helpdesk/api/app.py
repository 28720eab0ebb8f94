"""The Chalice app: agents' API, public customer routes, the web client, ``/openapi.json``.

``create_app()`` wires everything once per process; ``functions/api/app.py`` is the Lambda entry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from chalice.app import Chalice

from ..aws.live import live_origins
from ..bootstrap import adapters, ingest_deps
from ..settings import Settings
from . import (
    admin,
    auth_routes,
    customers,
    macros,
    meta,
    notifications,
    openapi,
    privacy,
    public,
    reports,
    saved_views,
    tickets,
    web,
)
from .auth import standing
from .routing import Api, RouteObserver
from .static import StaticSite

# The web client's policy: no inline script, no eval; mail HTML only inside sandboxed srcdoc iframes.
# img-src allows http(s) because the agent may unblock a message's remote images ("Bilder laden").
# style-src allows inline styles: a srcdoc iframe inherits this policy, and mail HTML is styled inline
# (the sanitizer keeps only harmless CSS properties and no url()); scripts stay strictly 'self'.
WEB_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https: http:; "
    "connect-src 'self'{uploads}; font-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; manifest-src 'self'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def upload_origins(settings: Settings) -> list[str]:
    """Where the browser posts attachment uploads (presigned S3 POST): the mail bucket, or moto locally."""
    if settings.endpoint_url:
        parts = urlsplit(settings.endpoint_url)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket, region = settings.mail_bucket, settings.region
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]


def security_headers(settings: Settings) -> Callable[[str, str], dict[str, str]]:
    origins = [*upload_origins(settings), *live_origins()]  # presigned uploads; the live socket
    web_csp = WEB_CSP.format(uploads="".join(f" {origin}" for origin in origins))

    def headers(path: str, content_type: str) -> dict[str, str]:
        result = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "X-Frame-Options": "DENY",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cross-Origin-Resource-Policy": "same-origin",
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
            "Content-Security-Policy": web_csp if content_type.startswith("text/html") else API_CSP,
        }
        if content_type.startswith("application/json"):
            result["Cache-Control"] = "no-store"
        if not settings.local:
            result["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return result

    return headers


def create_app(static_dir: Path | None = None, observer: RouteObserver | None = None) -> Chalice:
    services = adapters()  # the composition root's: one store of each kind per process
    settings = services.settings
    app = Chalice(app_name="helpdesk")
    app.debug = False
    if settings.web_origin:
        from chalice.app import CORSConfig

        app.api.cors = CORSConfig(
            allow_origin=settings.web_origin,
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
            allow_credentials=False,
        )
    api = Api(
        app,
        verifier=lambda: services.verifier,
        headers=security_headers(settings),
        standing=lambda principal: standing(principal, services.config.snapshot()),
        observer=observer,
    )
    auth_routes.register(api, services)
    meta.register(api, services)
    tickets.register(api, services)
    tickets.register_changes(api, services)
    macros.register(api, services)
    saved_views.register(api, services)
    customers.register(api, services)
    notifications.register(api, services)
    reports.register(api, services)
    admin.register(api, services)
    privacy.register(api, services)
    public.register(api, services, ingest_deps())
    web.register(api, StaticSite(static_dir or Path(__file__).parent / "static"))
    openapi.register(api)
    app.helpdesk_api = api  # type: ignore[attr-defined]  # the route table, for OpenAPI and the auth matrix
    return app


def api_of(app: Chalice) -> Api:
    """The route table (contracts) behind a Chalice app built by :func:`create_app`."""
    api: Api = app.helpdesk_api  # type: ignore[attr-defined]
    return api
