"""Transactions report which write failed, in the order DynamoDB judged them."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.store.models import EventItem, MetaItem
from helpdesk.store.tickets import counter_key
from helpdesk.store.unit import Conflict, Unit


def test_the_failed_condition_is_named_by_its_tag_whatever_the_order_of_calls(aws: Any) -> None:
    MetaItem(*counter_key("x"), value=5).save()
    unit = Unit()
    unit.update("counter", MetaItem(*counter_key("x")), [MetaItem.value.set(6)], condition=MetaItem.value == 4)
    unit.save("a", MetaItem("A", "A"))
    unit.save("event", EventItem(pk="t", sk="EVT#1", id="1", type="x", actor="y", created_at="1"))
    unit.delete("gone", MetaItem("G", "G"), condition=MetaItem.pk.exists())
    with pytest.raises(Conflict) as caught:
        unit.commit()
    assert sorted(caught.value.tags) == ["counter", "gone"]
    assert MetaItem.get(*counter_key("x")).value == 5  # nothing of the transaction was written
    assert MetaItem.count("A") == 0
