"""What SES said about the sender: the spam, virus, SPF, DKIM and DMARC verdicts of the headers."""

from __future__ import annotations

import re

from .types import Verdicts

# Authentication-Results are believed only from these authserv-ids (RFC 8601 §5: a receiver must
# ignore results claimed by others). ``headers`` holds the topmost occurrence of each header, which
# for mail stored by SES (ScanEnabled) is SES's own; a sender's fake copy sits further down.
TRUSTED_AUTHSERV_IDS = frozenset({"amazonses.com"})


def verdicts_of(headers: dict[str, str]) -> Verdicts:
    auth = headers.get("authentication-results", "")
    trusted = auth.split(";", 1)[0].strip().lower() in TRUSTED_AUTHSERV_IDS

    def _from_auth(kind: str) -> str | None:
        match = re.search(rf"\b{kind}=(\w+)", auth, re.IGNORECASE) if trusted else None
        return match.group(1).upper() if match else None

    spf = _from_auth("spf") or headers.get("received-spf", "").split(" ", 1)[0].upper()
    return Verdicts(
        spam=(headers.get("x-ses-spam-verdict") or "").upper() or None,
        virus=(headers.get("x-ses-virus-verdict") or "").upper() or None,
        spf=spf or None,
        dkim=_from_auth("dkim"),
        dmarc=_from_auth("dmarc"),
    )
