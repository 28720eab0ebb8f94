"""What the bench scripts share: a local moto server provisioned from template.yaml, seeded config."""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk_local.moto_server import MotoServer
    from helpdesk_local.provision import Provisioned

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def local_stack() -> tuple[MotoServer, Provisioned]:
    """Start moto, create the template's resources, point the code at them and seed the demo config.

    Returns the running moto server (``.endpoint``, ``.stop()``) and the resources created.
    """
    from helpdesk_local.moto_server import MotoServer
    from helpdesk_local.provision import provision
    from tests.conftest import free_port, point_code_at

    server = MotoServer("127.0.0.1", free_port())
    server.start()
    resources = provision(server.endpoint, {"MailDomain": "example.com", "AWS::Region": "eu-central-1"})
    point_code_at(server.endpoint, resources)
    os.environ["HELPDESK_CONFIG_TTL"] = "3600"

    from helpdesk.store.config_store import ConfigStore
    from helpdesk_local.seed import seed_config

    seed_config(ConfigStore(ttl=0), "example.com")
    return server, resources


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency_line(name: str, values: list[float], width: int = 44) -> str:
    """One figure's line: p50, p95 and max in milliseconds, and how many were measured."""
    return (
        f"  {name:<{width}} p50 {statistics.median(values) * 1000:7.0f} ms   "
        f"p95 {percentile(values, 95) * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms   (n={len(values)})"
    )
