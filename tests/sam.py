"""template.yaml translated offline by aws-sam-translator, as `sam package` + CloudFormation would see it."""

from __future__ import annotations

from functools import cache
from typing import Any

from helpdesk_deploy.sam import translate
from helpdesk_local.template import load_template

__all__ = ["translate", "translated_template"]


@cache
def translated_template() -> dict[str, Any]:
    """template.yaml, translated once per process (a few seconds); callers must not change it."""
    return translate(load_template(), {"MailDomain": "example.com"})
