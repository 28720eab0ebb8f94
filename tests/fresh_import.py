"""Run code in a fresh interpreter, as a cold start would: only the repository's packages added to
``sys.path``, nothing imported yet. The code prints its findings as JSON on its last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = [str(ROOT), str(ROOT / "layers" / "helpdesk"), str(ROOT / "infra" / "local")]


def handler_env(without: str, **settings: str) -> dict[str, str]:
    """This process's environment without the variables starting with ``without``, with what every handler
    needs at import (a bucket, a mail domain, a region) and ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(without)}
    env.update(HELPDESK_MAIL_BUCKET="b", HELPDESK_MAIL_DOMAIN="example.com", AWS_DEFAULT_REGION="eu-central-1")
    return env | settings


def fresh_json(code: str, env: dict[str, str]) -> dict[str, object]:
    """The JSON object ``code`` printed last, run by a new interpreter with ``env``; fails on an error."""
    program = f"import sys; sys.path[:0] = {PATHS!r}\n" + code
    out = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
