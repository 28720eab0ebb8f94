"""What the bench scripts share: a local moto server provisioned from template.yaml, seeded config."""

from __future__ import annotations

import os
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
