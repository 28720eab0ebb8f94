"""template.yaml translated offline by aws-sam-translator, as `sam package` + CloudFormation would see it."""

from __future__ import annotations

import copy
import os
from functools import cache
from typing import Any

from helpdesk_local.template import ROOT, load_template


class NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; offline there are none (we use inline policies)."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Replace local CodeUri/ContentUri paths with s3:// URIs, as `sam package` does."""
    result = copy.deepcopy(template)
    for logical_id, resource in result["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                assert (ROOT / props[key]).is_dir(), f"{logical_id}.{key} points at a missing folder"
                props[key] = f"s3://helpdesk-artifacts/{logical_id}.zip"
    return result


def translate(template: dict[str, Any], parameters: dict[str, str], region: str = "eu-central-1") -> dict[str, Any]:
    """The plain CloudFormation SAM's transform makes of ``template`` (the translator reads the region from
    the environment)."""
    from samtranslator.translator.transform import transform

    saved = {key: os.environ.get(key) for key in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    os.environ.update({"AWS_DEFAULT_REGION": region, "AWS_REGION": region})
    try:
        result: dict[str, Any] = transform(packaged(template), parameters, NoManagedPolicies())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result


@cache
def translated_template() -> dict[str, Any]:
    """template.yaml, translated once per process (a few seconds); callers must not change it."""
    return translate(load_template(), {"MailDomain": "example.com"})
