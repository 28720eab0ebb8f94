"""Drift guard: template.yaml, the pynamodb models and the local stack agree on tables, keys and indexes."""

from __future__ import annotations

import copy
from typing import Any

from helpdesk.store import live, notifications, search_index
from helpdesk.store.models import TABLE_MODELS
from helpdesk_local.template import load_template, resources

# Logical id in template.yaml → key in TABLE_MODELS
TABLES = {"TicketsTable": "tickets", "MetaTable": "meta", "ConfigTable": "config", "CustomersTable": "customers"}
# Tables written with plain boto3 (no pynamodb model): their shape is declared beside their store.
PLAIN_TABLES: dict[str, dict[str, Any]] = {
    "LiveTable": live.TABLE_SHAPE,
    "SearchTable": search_index.TABLE_SHAPE,
    "NotificationsTable": notifications.TABLE_SHAPE,
}
TTL = {"MetaTable": "expires_at", "LiveTable": live.TTL_ATTRIBUTE, "NotificationsTable": notifications.TTL_ATTRIBUTE}


def _keys(schema: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k["AttributeName"], k["KeyType"]) for k in schema))


def _projection(projection: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    return projection["ProjectionType"], tuple(sorted(projection.get("NonKeyAttributes", [])))


def shape_from_template(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]},
        "keys": _keys(props["KeySchema"]),
        "indexes": {
            gsi["IndexName"]: (_keys(gsi["KeySchema"]), _projection(gsi["Projection"]))
            for gsi in props.get("GlobalSecondaryIndexes", [])
        },
        "stream": props.get("StreamSpecification", {}).get("StreamViewType"),
    }


def shape_from_model(model: Any) -> dict[str, Any]:
    schema = model._get_schema()
    return {
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]},
        "keys": _keys(schema["key_schema"]),
        "indexes": {
            gsi["index_name"]: (_keys(gsi["key_schema"]), _projection(gsi["projection"]))
            for gsi in schema["global_secondary_indexes"]
        },
        "stream": getattr(model.Meta, "stream_view_type", None),
    }


def shape_from_dynamodb(description: dict[str, Any]) -> dict[str, Any]:
    return {
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]},
        "keys": _keys(description["KeySchema"]),
        "indexes": {
            gsi["IndexName"]: (_keys(gsi["KeySchema"]), _projection(gsi["Projection"]))
            for gsi in description.get("GlobalSecondaryIndexes", [])
        },
        "stream": description.get("StreamSpecification", {}).get("StreamViewType"),
    }


def differences(template: dict[str, Any]) -> list[str]:
    """Every disagreement between the template and the models, in words."""
    found: list[str] = []
    tables = resources("AWS::DynamoDB::Table", template)
    if set(tables) != set(TABLES) | set(PLAIN_TABLES):
        found.append(f"tables in template {sorted(tables)} != expected {sorted(set(TABLES) | set(PLAIN_TABLES))}")
    for logical_id, shape in PLAIN_TABLES.items():
        if logical_id in tables and shape_from_template(tables[logical_id]["Properties"]) != shape:
            found.append(f"{logical_id}: template {shape_from_template(tables[logical_id]['Properties'])} != {shape}")
    for logical_id, props in ((lid, r["Properties"]) for lid, r in tables.items()):
        ttl = props.get("TimeToLiveSpecification", {})
        declared = ttl.get("AttributeName") if ttl.get("Enabled") else None
        if declared != TTL.get(logical_id):
            found.append(f"{logical_id} TTL: template {declared} != expected {TTL.get(logical_id)}")
    for logical_id, key in TABLES.items():
        if logical_id not in tables:
            continue
        mine, theirs = shape_from_template(tables[logical_id]["Properties"]), shape_from_model(TABLE_MODELS[key])
        for aspect in ("attributes", "keys", "stream"):
            if mine[aspect] != theirs[aspect]:
                found.append(f"{logical_id} {aspect}: template {mine[aspect]} != model {theirs[aspect]}")
        for name in sorted(set(mine["indexes"]) | set(theirs["indexes"])):
            if mine["indexes"].get(name) != theirs["indexes"].get(name):
                template_side, model_side = mine["indexes"].get(name), theirs["indexes"].get(name)
                found.append(f"{logical_id} index {name}: template {template_side} != model {model_side}")
    return found


def test_template_tables_equal_the_models() -> None:
    assert differences(load_template()) == []


def test_the_guard_fails_when_a_gsi_is_removed_from_the_template() -> None:
    template = copy.deepcopy(load_template())
    gsis = template["Resources"]["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"]
    template["Resources"]["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"] = [
        g for g in gsis if g["IndexName"] != "by_waiting"
    ]
    assert any("index by_waiting" in d for d in differences(template))


def test_the_guard_fails_when_a_projection_differs() -> None:
    template = copy.deepcopy(load_template())
    for gsi in template["Resources"]["TicketsTable"]["Properties"]["GlobalSecondaryIndexes"]:
        if gsi["IndexName"] == "by_tag":
            gsi["Projection"] = {"ProjectionType": "KEYS_ONLY"}
    assert any("index by_tag" in d for d in differences(template))


def test_the_guard_fails_when_a_model_loses_an_index(monkeypatch: Any) -> None:
    from helpdesk.store.models import TicketTableItem

    original = TicketTableItem._get_schema

    def without_due() -> dict[str, Any]:
        schema: dict[str, Any] = dict(original())
        schema["global_secondary_indexes"] = [
            g for g in schema["global_secondary_indexes"] if g["index_name"] != "by_due"
        ]
        return schema

    monkeypatch.setattr(TicketTableItem, "_get_schema", without_due)
    assert any("index by_due" in d for d in differences(load_template()))


def test_the_guard_fails_when_the_live_table_loses_its_ttl() -> None:
    template = copy.deepcopy(load_template())
    del template["Resources"]["LiveTable"]["Properties"]["TimeToLiveSpecification"]
    assert any("LiveTable TTL" in d for d in differences(template))


def test_the_local_stack_creates_exactly_the_template_tables(aws: Any) -> None:
    ddb = aws.client("dynamodb")
    template = load_template()
    created = set(ddb.list_tables()["TableNames"])
    expected = {aws.resources.names[lid] for lid in [*TABLES, *PLAIN_TABLES]}
    assert created == expected
    for logical_id in [*TABLES, *PLAIN_TABLES]:
        description = ddb.describe_table(TableName=aws.resources.names[logical_id])["Table"]
        assert shape_from_dynamodb(description) == shape_from_template(
            resources("AWS::DynamoDB::Table", template)[logical_id]["Properties"]
        )
