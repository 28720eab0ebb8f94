"""Customer records (``customers`` table): reads by address and by name, conditional create, save."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.exceptions import PutError

from ..aws import clients
from .models import CustomerItem


def every_address() -> Iterator[str]:
    """Every customer's address: a Scan of the customers table (maintenance only: ``helpdesk reindex``)."""
    args: dict[str, Any] = {"TableName": CustomerItem.Meta.table_name, "ProjectionExpression": "email"}
    while True:
        page = clients.dynamodb().scan(**args)
        for raw in page.get("Items", []):
            yield raw["email"]["S"]
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        args["ExclusiveStartKey"] = last


def get(address: str, consistent: bool = False) -> CustomerItem | None:
    try:
        return CustomerItem.get(address, consistent_read=consistent)
    except CustomerItem.DoesNotExist:
        return None


def by_name(
    prefix: str | None, limit: int, start: dict[str, Any] | None = None
) -> tuple[list[CustomerItem], dict[str, Any] | None]:
    """A page of customers sorted by name (those whose name starts with ``prefix``, lower case), and the
    key to continue from (one Query of ``by_name``)."""
    condition = CustomerItem.name_key.startswith(prefix.strip().lower()) if prefix else None
    result = CustomerItem.by_name.query("customer", condition, limit=limit, last_evaluated_key=start)
    items = list(result)
    return items, result.last_evaluated_key


def create(item: CustomerItem) -> bool:
    """Save a new customer; False when one with this address exists (nothing written)."""
    try:
        item.save(condition=CustomerItem.email.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def save(item: CustomerItem) -> None:
    item.save()


def delete(item: CustomerItem) -> None:
    item.delete()
