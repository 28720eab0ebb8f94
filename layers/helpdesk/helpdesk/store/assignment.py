"""Fair assignment's pointer per queue (``meta``: ``ASSIGN#<queue>`` / ``ASSIGN``): who got the queue's last
ticket by round robin (``last``), when each agent last got one of its tickets (``at_<agent>``), and how many
tickets the queue has assigned (``n``).

Race-safe through :func:`claim`: the pointer moves in the same transaction as the ticket's change (and with
it the agents' open-ticket counters), on condition that ``n`` is still what the decision read. Two tickets
entering the queue at once never decide on the same facts: the second's transaction is refused, and it
reads the pointer and the counters again. A change that fails leaves the pointer as it was.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path

from ..aws import clients
from ..domain.dataclass import dataclass
from .models import MetaItem
from .unit import Unit, counter_attribute, counter_name

PK = "ASSIGN#"
SK = "ASSIGN"
AT = "at_"
TAG = "assignment"  # the pointer's write in a ticket change's transaction (Conflict.tags)


@dataclass(frozen=True)
class Pointer:
    last: str | None = None
    last_at: dict[str, str] = field(default_factory=dict)  # agent → ISO instant of their last assigned ticket
    assigned: int = 0  # tickets the queue has assigned: the version a claim is conditional on


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
    return Pointer(last, at, int(item.get("n", {}).get("N", "0")))


def claim(unit: Unit, queue: str, agent: str, at: str, *, seen: Pointer, turn: bool) -> None:
    """Add to ``unit`` (the ticket change that assigns ``agent``): note that ``agent`` got a ticket of
    ``queue`` at ``at`` and count it; ``turn`` (round robin): the pointer moves to ``agent``. Only if the
    queue has assigned nothing since ``seen`` was read: else the transaction is refused (tag :data:`TAG`)."""
    n = Path(["n"])
    actions = [Path([AT + counter_attribute(agent)]).set(at), n.add(1)]
    if turn:
        actions.append(Path(["last"]).set(agent))
    condition: Condition = n.does_not_exist() if seen.assigned == 0 else n == seen.assigned
    unit.update(TAG, MetaItem(PK + queue, SK), actions, condition=condition)
