"""Routes that serve the web client and its assets."""

from __future__ import annotations

from chalice.app import Response

from .errors import NotFound
from .routing import Api, Ctx
from .static import StaticSite


def register(api: Api, site: StaticSite) -> None:
    @api.route("/", auth="public", raw_response="text/html", tags=("web",), summary="The agents' web client")
    def index(ctx: Ctx) -> Response:
        # Behind API Gateway the page lives at /<stage>/: without the slash, relative asset URLs break.
        full_path = str((ctx.request.context or {}).get("path") or "/")
        if not full_path.endswith("/"):
            return Response(body="", status_code=301, headers={"Location": f"{full_path}/"})
        return _page(site, "index.html")

    @api.route(
        "/assets/{name}",
        auth="public",
        raw_response="application/octet-stream",
        tags=("web",),
        summary="Static asset with a content-hashed name (cached for a year)",
        errors=(404,),
    )
    def asset(ctx: Ctx, name: str) -> Response:
        found = site.assets.get(name)
        if found is None:
            raise NotFound("no such asset")
        immutable = found.name != name.split("/")[-1] or ("." in name and name.count(".") >= 2)
        return Response(
            body=found.body.decode("utf-8")
            if found.content_type.startswith(("text/", "image/svg", "application/json"))
            else found.body,
            status_code=200,
            headers={
                "Content-Type": found.content_type,
                "Cache-Control": "public, max-age=31536000, immutable" if immutable else "no-cache",
            },
        )


def _page(site: StaticSite, name: str) -> Response:
    body = site.page(name)
    if body is None:
        raise NotFound("the web client is not installed")
    return Response(
        body=body.decode("utf-8"),
        status_code=200,
        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache"},
    )
