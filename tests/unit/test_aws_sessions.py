"""helpdesk.aws.sessions: on a cold start the DynamoDB model is parsed once, not once per pynamodb model class.

Under the Lambda runtime's Python 3.12, eight clients from eight sessions took 0.78–0.92 s CPU, from
sessions sharing one loader 0.13–0.19 s: a cold start's first event paid it for every model class it
touched (pynamodb keeps a connection, and so a session, per model class).
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest

from helpdesk.aws import clients
from helpdesk.store import models


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The JSON files botocore parses from here on."""
    seen: list[str] = []
    load = botocore.loaders.JSONFileLoader.load_file

    def counting(self: Any, file_path: str) -> Any:
        found = load(self, file_path)
        if found is not None:
            seen.append(file_path)
        return found

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    return seen


def _dynamodb_models(parsed: list[str]) -> int:
    return len([path for path in parsed if "dynamodb" in path and "service-2" in path])


def test_every_model_class_connection_shares_one_parse_of_the_dynamodb_model(parsed: list[str]) -> None:
    models.bind({key: f"t-{key}" for key in models.TABLE_MODELS}, host="http://127.0.0.1:9", region="eu-central-1")
    first = models.TicketTableItem._get_connection().connection
    assert first.client.meta.service_model.service_name == "dynamodb"  # parsed here, if not before
    parsed.clear()
    others = [
        model._get_connection().connection
        for model in (models.MessageItem, models.EventItem, models.MetaItem, models.ConfigItem, models.CustomerItem)
    ]
    made = [connection.client for connection in others]
    assert len({id(client) for client in [first.client, *made]}) == 6  # a client each, as pynamodb keeps them
    assert _dynamodb_models(parsed) == 0  # not parsed again for each model class
    loaders = {id(connection.session.get_component("data_loader")) for connection in [first, *others]}
    assert len(loaders) == 1


def test_the_boto3_clients_share_it_too(parsed: list[str]) -> None:
    clients.reset_clients()
    try:
        clients.dynamodb()
        parsed.clear()
        clients.reset_clients()  # a new client, from a new session
        again = clients.dynamodb()
        assert again.meta.service_model.service_name == "dynamodb"
        assert _dynamodb_models(parsed) == 0
    finally:
        clients.reset_clients()
