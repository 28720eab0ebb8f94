"""Every integration test is also an IAM test: each AWS call a function's code makes must be allowed by that
function's role in the translated template (tests/iam.py). A call the role forbids fails the test that made it.

Which grants the whole run used is written to ``test-artifacts/iam/<worker>.json``; the summary at the end of
the run (tests/conftest.py) lists the grants no integration test used. ``HELPDESK_IAM_LOG=FILE`` appends every
recorded authorization (test, function, call, action, resource) to FILE as JSON lines: which test needs a grant.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import IAM_ARTIFACTS
from tests.iam import Recorder, all_grants, evaluate, local_resolver, role_grants
from tests.integration.api_client import ApiClient, make_api
from tests.integration.helpers import reset_sent
from tests.sam import translated_template

_GRANTS: set[str] = set()
_USED: set[str] = set()


@pytest.fixture
def api(aws: Any) -> ApiClient:
    """The API as the agents' client calls it, with nothing sent yet (a test file may define its own)."""
    reset_sent()
    return make_api(aws)


@pytest.fixture(scope="session")
def iam_recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.install()
    yield recorder
    recorder.uninstall()


@pytest.fixture(autouse=True)
def no_metrics_left_over() -> Iterator[None]:
    """Powertools keeps one metric set per process for every ``Metrics`` of a namespace: a test that runs a
    handler's code without its ``log_metrics`` flush (the fan-out's notifications, a sweep) must not hand
    its metrics to the next test's handler."""
    from aws_lambda_powertools import Metrics

    Metrics(namespace="Helpdesk").clear_metrics()
    yield
    Metrics(namespace="Helpdesk").clear_metrics()


@pytest.fixture(autouse=True)
def iam_checked(request: pytest.FixtureRequest, iam_recorder: Recorder) -> Iterator[None]:
    # The resources' ARNs (the user pool's id changes with every provisioning) come from the test's own stack.
    aws: Any = request.getfixturevalue("aws") if "aws" in request.fixturenames else None
    iam_recorder.take()
    yield
    calls = iam_recorder.take()
    if aws is None or not calls:
        return
    if os.environ.get("HELPDESK_IAM_LOG"):
        with open(os.environ["HELPDESK_IAM_LOG"], "a", encoding="utf-8") as log:
            for call in calls:
                for access in call.accesses:
                    entry = [request.node.nodeid, call.function, call.call, access.action, access.resource]
                    log.write(json.dumps(entry) + "\n")
    translated = translated_template()
    grants = role_grants(translated, local_resolver(translated, aws.resources))
    report = evaluate(calls, grants)
    _GRANTS.update(all_grants(grants))
    _USED.update(report.used)
    if not report.ok:
        pytest.fail(f"IAM (template.yaml's roles) refuses what the code did:\n{report.describe()}", pytrace=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _GRANTS:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    IAM_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (IAM_ARTIFACTS / f"{worker}.json").write_text(json.dumps({"grants": sorted(_GRANTS), "used": sorted(_USED)}))
