"""The Lambda layer ships what the package needs: requirements.txt equals pyproject's dependencies."""

from __future__ import annotations

import re
import tomllib

from helpdesk_local.template import ROOT
from tests.unit.settings_factory import settings_on_aws


def _names(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            name = re.split(r"[\[<>=!~ ]", line, maxsplit=1)[0].lower().replace("_", "-")
            found[name] = line.replace(" ", "")
    return found


def test_layer_requirements_match_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    layer = (ROOT / "layers/helpdesk/requirements.txt").read_text().splitlines()
    expected = {k: v for k, v in _names(project).items() if k != "boto3"}  # boto3 is in the Lambda runtime
    assert _names(layer) == expected


def test_upload_origins_on_aws_are_the_mail_buckets() -> None:
    from helpdesk.api.app import upload_origins

    settings = settings_on_aws()
    assert upload_origins(settings) == [
        "https://hd-mail-1.s3.amazonaws.com",
        "https://hd-mail-1.s3.eu-west-1.amazonaws.com",
    ]
