"""Fair assignment's pointer per queue (``meta``: ``ASSIGN#<queue>`` / ``ASSIGN``): who got the queue's last
ticket by round robin (``last``) and when each agent last got one of its tickets (``at_<agent>``).

Round robin is race-safe through :func:`claim`: a conditional write "``last`` is still who I read", so two
tickets entering the queue at once never take the same turn (the one refused reads the pointer again).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from ..aws import clients
from ..domain.dataclass import dataclass
from .models import MetaItem
from .unit import counter_attribute, counter_name

PK = "ASSIGN#"
SK = "ASSIGN"
AT = "at_"


@dataclass(frozen=True)
class Pointer:
    last: str | None = None
    last_at: dict[str, str] = field(default_factory=dict)  # agent → ISO instant of their last assigned ticket


def _key(queue: str) -> dict[str, Any]:
    return {"pk": {"S": PK + queue}, "sk": {"S": SK}}


def pointer(queue: str) -> Pointer:
    item = (
        clients.dynamodb()
        .get_item(TableName=MetaItem.Meta.table_name, Key=_key(queue), ConsistentRead=True)
        .get("Item", {})
    )
    last = item.get("last", {}).get("S") or None
    at = {counter_name(k[len(AT) :]): v["S"] for k, v in item.items() if k.startswith(AT) and "S" in v}
    return Pointer(last, at)


def claim(queue: str, agent: str, at: str, *, previous: str | None, turn: bool) -> bool:
    """Note that ``agent`` got a ticket of ``queue`` at ``at``. ``turn`` (round robin): only if the pointer
    still says ``previous`` (None: no ticket yet), and move it to ``agent``; False when someone else took
    that turn meanwhile."""
    names = {"#at": AT + counter_attribute(agent)}
    values: dict[str, Any] = {":at": {"S": at}}
    update = "SET #at = :at"
    kwargs: dict[str, Any] = {}
    if turn:
        update += ", #last = :agent"
        names["#last"] = "last"
        values[":agent"] = {"S": agent}
        if previous is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(#last)"
        else:
            kwargs["ConditionExpression"] = "#last = :previous"
            values[":previous"] = {"S": previous}
    return _update(queue, update, names, values, **kwargs)


def give_back(queue: str, agent: str, *, previous: str | None, previous_at: str | None) -> bool:
    """Undo a round-robin ``claim`` of ``agent`` whose ticket change then failed: the pointer says
    ``previous`` again and ``agent``'s last ticket time is what it was, so ``agent`` keeps the turn. Only
    while the pointer still says ``agent`` (False when another ticket took the next turn meanwhile: then
    the turn has been used, and giving it back would hand one agent two)."""
    names = {"#last": "last", "#at": AT + counter_attribute(agent)}
    values: dict[str, Any] = {":agent": {"S": agent}}
    sets, removes = [], []
    if previous is None:
        removes.append("#last")
    else:
        sets.append("#last = :previous")
        values[":previous"] = {"S": previous}
    if previous_at is None:
        removes.append("#at")
    else:
        sets.append("#at = :previous_at")
        values[":previous_at"] = {"S": previous_at}
    update = " ".join(
        ([f"SET {', '.join(sets)}"] if sets else []) + ([f"REMOVE {', '.join(removes)}"] if removes else [])
    )
    return _update(queue, update, names, values, ConditionExpression="#last = :agent")


def _update(queue: str, update: str, names: dict[str, str], values: dict[str, Any], **condition: Any) -> bool:
    """One conditional write of the queue's pointer; False when its condition no longer holds."""
    ddb = clients.dynamodb()
    try:
        ddb.update_item(
            TableName=MetaItem.Meta.table_name,
            Key=_key(queue),
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            **condition,
        )
    except ddb.exceptions.ConditionalCheckFailedException:
        return False
    return True
