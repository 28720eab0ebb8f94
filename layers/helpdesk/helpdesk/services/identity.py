"""Who is asking: Cognito user-pool ID tokens, verified with PyJWT, for the REST API and the live socket.

Checked: signature (RS256, key from the pool's JWKS by ``kid``), issuer, audience (the app client),
expiry, ``token_use == "id"``. The issuer and the JWKS URL are configured separately, because moto's
Cognito issues real-AWS issuers but serves its keys locally. Roles come from ``cognito:groups``,
narrowed by the team's configuration (:func:`standing`): a token lives an hour, an admin's
"deactivate" or "make agent" takes effect on the next request.

A refusal is an :class:`IdentityError` with the HTTP status it means (401 :class:`NotAuthenticated`,
403 :class:`NoRole`): the API answers it like its own errors (``api/errors.translate``), the live
socket refuses the connection with it. (The API's bearer header is the API's: ``api/auth.py``.)
"""

from __future__ import annotations

import threading
from dataclasses import field
from typing import TYPE_CHECKING

from ..domain.config import ConfigSnapshot
from ..domain.dataclass import dataclass

if TYPE_CHECKING:
    from jwt import PyJWKClient

ROLES = ("admin", "agent")


class IdentityError(Exception):
    """The caller is not who may ask: ``status`` and ``code`` as the API and the socket answer it."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAuthenticated(IdentityError):
    """No valid token, or the account is deactivated (401)."""


class NoRole(IdentityError):
    """A valid token of a user in neither the admin nor the agent group (403)."""

    status = 403
    code = "forbidden"


@dataclass(frozen=True)
class Principal:
    username: str
    email: str
    groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.groups

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "agent"


class TokenVerifier:
    def __init__(self, issuer: str, jwks_url: str, client_id: str, leeway: int = 30) -> None:
        if not issuer or not jwks_url or not client_id:
            raise RuntimeError("token verification needs HELPDESK_USER_POOL_ID (or issuer/JWKS URL) and client id")
        self.issuer = issuer
        self.client_id = client_id
        self.leeway = leeway
        self.jwks_url = jwks_url
        self._jwks: PyJWKClient | None = None
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        # PyJWT and its cryptography on the first token, not at import: a cold start that serves the web
        # client, a public route or the login does not load them (PyJWT's algorithms import most of cryptography).
        import jwt

        try:
            with self._lock:
                if self._jwks is None:
                    self._jwks = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=3600, timeout=5)
                key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise NotAuthenticated("token expired") from exc
        except jwt.PyJWKClientConnectionError as exc:
            raise NotAuthenticated("signing keys are not reachable; try again") from exc
        except (jwt.PyJWTError, ValueError) as exc:
            raise NotAuthenticated("invalid token") from exc
        if claims.get("token_use") != "id":
            raise NotAuthenticated("an ID token is required")
        groups = frozenset(str(g) for g in claims.get("cognito:groups", []) or [])
        username = str(claims.get("cognito:username") or claims.get("sub") or "")
        if not username:
            raise NotAuthenticated("token has no user")
        if not groups & set(ROLES):
            raise NoRole("this user is in neither the admin nor the agent group")
        return Principal(username=username, email=str(claims.get("email", "")), groups=groups)


def standing(principal: Principal, cfg: ConfigSnapshot) -> Principal:
    """The token's user as the configuration sees them now: deactivated → 401; an admin whose
    record says "agent" is an agent (never the other way round: only a new token grants more)."""
    agent = cfg.agent(principal.username)
    if agent is None:  # a Cognito user the team has no record of: the token's groups decide
        return principal
    if not agent.active:
        raise NotAuthenticated("this account has been deactivated")
    if principal.is_admin and agent.role != "admin":
        return Principal(principal.username, principal.email, (principal.groups - {"admin"}) | {"agent"})
    return principal
