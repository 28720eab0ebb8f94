"""The API's side of who is asking: the bearer token of a request. Verifying it, the principal and their
standing are the services' (``services/identity.py``, shared with the live socket); re-exported here."""

from __future__ import annotations

from ..services.identity import ROLES, IdentityError, NoRole, NotAuthenticated, Principal, TokenVerifier, standing
from .errors import Unauthorized

__all__ = [
    "ROLES",
    "IdentityError",
    "NoRole",
    "NotAuthenticated",
    "Principal",
    "TokenVerifier",
    "bearer_token",
    "standing",
]


def bearer_token(headers: dict[str, str]) -> str:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()
