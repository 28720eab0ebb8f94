"""SAM's transform offline (aws-sam-translator, a dev dependency), as CloudFormation runs it on deploy."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from .build import ROOT


class NoManagedPolicies:
    """The translator asks IAM for managed policy ARNs; offline there are none (we use inline policies)."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any], base: Path = ROOT) -> dict[str, Any]:
    """Replace local CodeUri/ContentUri paths (relative to ``base``) with s3:// URIs, as packaging does."""
    result = copy.deepcopy(template)
    for logical_id, resource in result["Resources"].items():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                if not (base / props[key]).exists():
                    raise FileNotFoundError(f"{logical_id}.{key} points at {base / props[key]}, which is missing")
                props[key] = f"s3://helpdesk-artifacts/{logical_id}.zip"
    return result


def translate(
    template: dict[str, Any], parameters: dict[str, str], region: str = "eu-central-1", base: Path = ROOT
) -> dict[str, Any]:
    """The plain CloudFormation SAM's transform makes of ``template`` (the translator reads the region from
    the environment)."""
    from samtranslator.translator.transform import transform

    saved = {key: os.environ.get(key) for key in ("AWS_DEFAULT_REGION", "AWS_REGION")}
    os.environ.update({"AWS_DEFAULT_REGION": region, "AWS_REGION": region})
    try:
        result: dict[str, Any] = transform(packaged(template, base), parameters, NoManagedPolicies())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result
