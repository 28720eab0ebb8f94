"""Customer links: an expiring, unforgeable link to one ticket's public view (no account needed).

Pure: HMAC-SHA256 over ``<ticket id>.<expiry>`` with the deployment's link secret.
"""

from __future__ import annotations

import hmac
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from hashlib import sha256


def customer_token(secret: str, ticket_id: str, days: int, now: float | None = None) -> str:
    """``<ticket id>.<expiry>.<signature>``: an expiring, unforgeable link to one ticket's public view."""
    expires = int((now or time.time()) + days * 86400)
    payload = f"{ticket_id}.{expires}"
    signature = hmac.new(secret.encode(), payload.encode(), sha256).digest()[:18]
    return f"{payload}.{urlsafe_b64encode(signature).decode().rstrip('=')}"


def verify_customer_token(secret: str, token: str, now: float | None = None) -> str | None:
    """The ticket id the token grants, or None when it is forged, damaged or expired."""
    try:
        ticket_id, expires, signature = token.split(".")
        given = urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        expiry = int(expires)
    except ValueError:
        return None
    expected = hmac.new(secret.encode(), f"{ticket_id}.{expires}".encode(), sha256).digest()[:18]
    if not secret or not hmac.compare_digest(given, expected) or expiry < (now or time.time()):
        return None
    return ticket_id
