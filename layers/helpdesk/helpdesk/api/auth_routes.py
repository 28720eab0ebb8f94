"""Login for the web client: username/password → Cognito tokens, refresh, first-login password."""

from __future__ import annotations

from ..aws.cognito import CognitoAuth, LoginFailed, Tokens
from ..domain.records import RecordError
from ..domain.templating import KNOWN_FOR, unknown_variables
from .context import Services
from .errors import BadRequest, NotFound, RateLimited, Unauthorized
from .routing import Api, Ctx, validation_error
from .schemas import LoginIn, MeOut, NewPasswordIn, ProfileIn, RefreshIn, TokensOut


def _out(tokens: Tokens) -> TokensOut:
    return TokensOut(
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
        challenge=tokens.challenge,
        session=tokens.session,
    )


def register(api: Api, services: Services) -> None:
    cognito = CognitoAuth(services.settings.user_pool_id, services.settings.user_pool_client_id)

    def guarded(call: object) -> TokensOut:
        try:
            return _out(call())  # type: ignore[operator]
        except LoginFailed as exc:
            if exc.throttled:
                raise RateLimited(str(exc)) from exc
            raise Unauthorized(str(exc)) from exc

    @api.route(
        "/auth/login",
        "POST",
        auth="public",
        body=LoginIn,
        response=TokensOut,
        tags=("auth",),
        summary="Log in with username and password (Cognito USER_PASSWORD_AUTH)",
        errors=(400, 401, 429),
    )
    def login(ctx: Ctx) -> TokensOut:
        body: LoginIn = ctx.body
        return guarded(lambda: cognito.login(body.username, body.password))

    @api.route(
        "/auth/refresh",
        "POST",
        auth="public",
        body=RefreshIn,
        response=TokensOut,
        tags=("auth",),
        summary="New ID token from a refresh token",
        errors=(400, 401, 429),
    )
    def refresh(ctx: Ctx) -> TokensOut:
        body: RefreshIn = ctx.body
        return guarded(lambda: cognito.refresh(body.refresh_token))

    @api.route(
        "/auth/new-password",
        "POST",
        auth="public",
        body=NewPasswordIn,
        response=TokensOut,
        tags=("auth",),
        summary="Set the permanent password after the first login",
        errors=(400, 401, 429),
    )
    def new_password(ctx: Ctx) -> TokensOut:
        body: NewPasswordIn = ctx.body
        return guarded(lambda: cognito.new_password(body.username, body.session, body.new_password))

    @api.route("/me", response=MeOut, tags=("auth",), summary="The logged-in agent", errors=(401, 403))
    def me(ctx: Ctx) -> MeOut:
        return me_out(ctx)

    def me_out(ctx: Ctx) -> MeOut:
        user = ctx.user
        agent = services.config.snapshot().agent(user.username)
        return MeOut(
            username=user.username,
            email=user.email,
            role="admin" if user.is_admin else "agent",
            groups=sorted(user.groups),
            name=agent.name if agent else "",
            language=agent.language if agent else "de",
            phone=agent.phone if agent else "",
            signature=agent.signature if agent else "",
            aliases=list(agent.aliases) if agent else [],
            away=agent.away if agent else False,
        )

    @api.route(
        "/me/profile",
        "PUT",
        body=ProfileIn,
        response=MeOut,
        tags=("auth",),
        summary="The logged-in agent's own phone number, signature, further mail addresses (aliases) and away",
        errors=(400, 401, 403, 404),
    )
    def profile(ctx: Ctx) -> MeOut:
        body: ProfileIn = ctx.body
        agent = services.config.snapshot().agent(ctx.user.username)
        if agent is None:
            raise NotFound("no agent record for this login (an admin adds it under Agents)")
        unknown = unknown_variables(body.signature, "signature")
        if unknown:
            known = ", ".join(f"{{{v}}}" for v in sorted(KNOWN_FOR["signature"]))
            found = ", ".join(f"{{{v}}}" for v in unknown)
            raise BadRequest(f"unknown variable {found}; a signature may use {known}", field="signature")
        update: dict[str, object] = {"phone": body.phone, "signature": body.signature.strip()}
        if body.aliases is not None:
            update["aliases"] = body.aliases
        if body.away is not None:
            update["away"] = body.away
        try:
            changed = type(agent).model_validate({**agent.model_dump(), **update})
        except RecordError as exc:
            raise validation_error(exc) from exc
        refused = services.config.snapshot().alias_refused(changed)
        if refused:
            raise BadRequest(refused, field="aliases")
        services.config.put("agent", changed, actor=ctx.user.username)
        return me_out(ctx)
