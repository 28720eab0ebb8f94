"""Shared fixtures.

* ``aws``: a moto server (one per test worker) with every resource of ``template.yaml``, reset for each
  test that asks for it and given a new copy of the state the first provisioning left
  (``tests/moto_state.py``); the helpdesk code is pointed at it.
* ``mail``: loads a fixture mail from ``tests/data/mails``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
MAILS = DATA / "mails"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Aws:
    endpoint: str
    resources: Any  # helpdesk_local.provision.Provisioned

    def client(self, service: str) -> Any:
        from helpdesk_local.provision import local_client

        return local_client(service, self.endpoint)

    @property
    def bucket(self) -> str:
        return str(self.resources.names["MailBucket"])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from helpdesk_local.moto_server import MotoServer

    server = MotoServer("127.0.0.1", free_port())
    server.start()
    yield server.endpoint
    server.stop()


def point_code_at(endpoint: str, resources: Any) -> None:
    """Environment and caches as the Lambda functions would see them, against moto."""
    from helpdesk import bootstrap
    from helpdesk.aws.clients import reset_clients
    from helpdesk.settings import reset_settings
    from helpdesk.store.models import bind

    pool = resources.user_pool_id
    os.environ.update(resources.env)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-central-1",
            "AWS_REGION": "eu-central-1",
            "HELPDESK_LOCAL": "1",
            "HELPDESK_JWT_ISSUER": f"https://cognito-idp.eu-central-1.amazonaws.com/{pool}",
            "HELPDESK_JWKS_URL": f"{endpoint}/{pool}/.well-known/jwks.json",
            "HELPDESK_CONFIG_TTL": "0",
            "HELPDESK_LINK_SECRET": "test-link-secret",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    reset_settings()
    reset_clients()
    bootstrap.reset()
    bind()


_PROVISIONED: dict[str, tuple[Any, Any]] = {}  # moto endpoint → (resources, tests.moto_state.MotoState)


@pytest.fixture
def aws(moto_endpoint: str) -> Aws:
    """A fresh, fully provisioned AWS (moto) for this test, with the seed configuration.

    The first test of a worker provisions and seeds; the state that leaves is kept (``tests/moto_state.py``)
    and every later test gets a new copy of it after moto's reset."""
    from tests.moto_state import MotoState

    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    if moto_endpoint in _PROVISIONED:
        resources, state = _PROVISIONED[moto_endpoint]
        state.put_back()
        point_code_at(moto_endpoint, resources)
        return Aws(endpoint=moto_endpoint, resources=resources)
    from helpdesk_local.provision import provision

    resources = provision(moto_endpoint, {"MailDomain": "example.com", "AWS::Region": "eu-central-1"})
    point_code_at(moto_endpoint, resources)
    from helpdesk.store.config_store import ConfigStore
    from helpdesk_local.seed import seed_config

    seed_config(ConfigStore(ttl=0), "example.com")
    _PROVISIONED[moto_endpoint] = (resources, MotoState.take())
    return Aws(endpoint=moto_endpoint, resources=resources)


@pytest.fixture
def mail() -> Any:
    def load(name: str) -> bytes:
        return (MAILS / name).read_bytes()

    return load


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With ``--dist loadgroup``: tests sharing a running stack run on one worker (one stack, one browser);
    the long schemathesis run gets a worker of its own."""
    for item in items:
        path = str(item.path)
        if "test_schemathesis" in path:
            item.add_marker(pytest.mark.xdist_group("schemathesis"))
        elif f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.xdist_group("e2e"))
        elif f"{os.sep}browser{os.sep}" in path:
            item.add_marker(pytest.mark.xdist_group("browser"))


# ------------------------------------------------------------------ IAM: grants no integration test used
IAM_ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "iam"


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not _is_worker(session.config):
        for stale in IAM_ARTIFACTS.glob("*.json"):
            stale.unlink()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Grants of the functions' roles that no integration test of this run used (tests/integration/conftest.py)."""
    if _is_worker(config):
        return
    grants: set[str] = set()
    used: set[str] = set()
    for part in IAM_ARTIFACTS.glob("*.json"):
        data = json.loads(part.read_text())
        grants.update(data["grants"])
        used.update(data["used"])
    if grants:
        terminalreporter.section("IAM grants no integration test of this run used")
        for line in sorted(grants - used) or ["(none)"]:
            terminalreporter.write_line(line)
