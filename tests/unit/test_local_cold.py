"""helpdesk_local.moto_cold: partitions kept compressed while idle give back the same items, build only the
part a keyed access needs, and keep what an in-place update changed (issue 19: memory at 10,000 tickets)."""

from __future__ import annotations

import threading
import zlib
from typing import Any

import pytest

from helpdesk_local import moto_cold
from helpdesk_local.moto_cold import GROUP_ITEMS, SPLIT_ABOVE, Freezer, Partition, build_item, encode, part_of


def _posting(n: int, word: str = "rechnung") -> dict[str, Any]:
    return {
        "pk": {"S": f"K#{word}#0"},
        "sk": {"S": f"01TICKET{n:06d}"},
        "w": {"SS": [word, f"{word}en"]},
        "f": {"N": str(n % 5)},
        "s": {"S": f"Guten Tag, die Rechnung Nr. {n} fehlt noch."},
    }


def _filled(count: int) -> Partition:
    partition = Partition("pk", "sk")
    for n in range(count):
        item = build_item(_posting(n), "pk", "sk")
        partition[item.range_key] = item
    return partition


def _key(n: int) -> Any:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType({"S": f"01TICKET{n:06d}"})


def _json(partition: Partition) -> list[dict[str, Any]]:
    return sorted((item.to_json()["Attributes"] for item in partition.values()), key=lambda a: a["sk"]["S"])


def test_a_frozen_partition_gives_back_the_same_items_and_counts_them_without_building_them() -> None:
    partition = _filled(40)
    before = _json(partition)
    assert partition.freeze() == 40
    assert dict.__len__(partition) == 0 and len(partition) == 40  # moto's item count reads len()
    assert _json(partition) == before  # a query's values() builds them back


def test_a_keyed_access_to_a_large_frozen_partition_builds_only_its_part() -> None:
    partition = _filled(SPLIT_ABOVE + 200)
    partition.freeze()
    assert partition.groups == 32  # about GROUP_ITEMS items a group
    assert partition[_key(7)].attrs["s"].value == "Guten Tag, die Rechnung Nr. 7 fehlt noch."
    built = dict.__len__(partition)
    assert 0 < built <= 2 * GROUP_ITEMS  # one group, not 456 items
    assert _key(8) in partition and _key(999_999) not in partition
    assert len(partition) == SPLIT_ABOVE + 200


def test_an_item_changed_in_place_after_a_keyed_access_keeps_the_change_through_a_freeze() -> None:
    """moto's update_item gets the item and changes its attributes in place: the part's blob must not win."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    partition = _filled(SPLIT_ABOVE + 10)
    partition.freeze()
    item = partition[_key(3)]  # as Table.get_item does
    item.attrs["f"] = DynamoType({"N": "42"})
    item.attrs["w"].value.append("mahnung")  # an ADD to a set changes it in place
    partition.freeze()
    again = partition.get(_key(3))
    assert again.attrs["f"].value == "42" and "mahnung" in again.attrs["w"].value


def test_deletes_and_new_items_after_a_freeze_are_kept_and_reading_all_leaves_the_blobs_as_they_were() -> None:
    partition = _filled(30)
    partition.freeze()
    blobs = dict(partition.blobs)
    assert len(list(partition.values())) == 30
    partition.freeze()
    assert partition.blobs == blobs  # only read: nothing encoded again
    partition.pop(_key(5))
    new = build_item(_posting(500), "pk", "sk")
    partition[new.range_key] = new
    partition.freeze()
    keys = sorted(a["sk"]["S"] for a in _json(partition))
    assert "01TICKET000005" not in keys and "01TICKET000500" in keys and len(keys) == 30


def test_a_restored_line_is_a_blob_until_read_and_a_part_can_be_dropped() -> None:
    """A restore keeps a snapshot line's bytes compressed; a later line of the same part replaces it."""
    parts: dict[int, list[dict[str, Any]]] = {}
    for n in range(40):
        posting = _posting(n)
        parts.setdefault(part_of("S", posting["sk"]["S"]) or 0, []).append(posting)
    partition = Partition("pk", "sk")
    for part, items in parts.items():
        line = encode({"table": "SearchTable", "part": part, "items": items})
        partition.add_blob(part, zlib.compress(line, 1), len(items))
    assert len(partition) == 40 and dict.__len__(partition) == 0
    dropped, kept = sorted(parts)[:2]
    partition.drop_part(dropped)  # frozen: its blob goes
    partition[build_item(parts[kept][0], "pk", "sk").range_key]  # builds its part
    partition.drop_part(kept)  # built: its items go
    gone = {p["sk"]["S"] for p in parts[dropped] + parts[kept]}
    left = [a["sk"]["S"] for a in _json(partition)]
    assert len(left) == 40 - len(gone) and not gone & set(left)


def test_a_restored_partition_in_one_line_is_split_into_groups_on_first_use_without_building_the_rest() -> None:
    """A mail's search postings put one item into each of about 70 partitions of up to 256 items kept as
    one snapshot line: each put built the whole line's items (ingest at 10,000 tickets: 0.53 → 0.62 s CPU)."""
    items = [_posting(n) for n in range(200)]
    partition = Partition("pk", "sk")
    partition.add_blob(None, zlib.compress(encode({"table": "SearchTable", "items": items}), 1), 200)
    partition[_key(5)]  # as put_item's read of the current item does
    assert partition.groups == 16 and 0 < dict.__len__(partition) <= 2 * GROUP_ITEMS
    assert len(partition) == 200
    assert sorted(a["sk"]["S"] for a in partition.attributes_of(None)) == [i["sk"]["S"] for i in items]


def test_a_snapshot_reads_frozen_parts_without_building_them_and_sees_the_changed_ones() -> None:
    partition = _filled(SPLIT_ABOVE + 10)
    before = _json(partition)
    partition.freeze()
    assert sorted(partition.attributes_of(None), key=lambda a: a["sk"]["S"]) == before
    assert dict.__len__(partition) == 0  # read from the blobs
    part = part_of("S", "01TICKET000003") or 0
    partition.pop(_key(3))
    ours = partition.attributes_of(part)
    assert ours and "01TICKET000003" not in {a["sk"]["S"] for a in ours}
    assert all((part_of("S", a["sk"]["S"]) or 0) == part for a in ours)


def test_the_freezer_freezes_only_what_nobody_touched_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_cold, "_warm", {})  # (not the partitions other tests in this process left warm)
    idle, busy = _filled(5), _filled(5)
    idle.freeze(), busy.freeze()
    list(idle.values()), list(busy.values())  # both built (and warm)
    idle.touched -= 60
    freezer = Freezer(threading.Lock(), cold_after=30)
    freezer.step()
    assert dict.__len__(idle) == 0 and dict.__len__(busy) == 5
    assert freezer.frozen_items == 5
    assert id(idle) not in moto_cold._warm and id(busy) in moto_cold._warm
    busy.freeze()


def test_a_freeze_gives_the_items_memory_back_once_moto_no_longer_tracks_its_models() -> None:
    """moto appended every model it made to ``instances_tracked``: each item a cold partition built again
    stayed in memory for good (about 1,250 items a mail at 10,000 tickets)."""
    import gc
    import weakref

    from moto.dynamodb.models.dynamo_type import Item

    from helpdesk_local.moto_server import install_untracked_models

    install_untracked_models()
    partition = _filled(3 * GROUP_ITEMS)
    partition.freeze()
    built = [weakref.ref(item) for item in partition.values()]  # every group built again
    moto_made = Item(_key(1), None, {"s": {"S": "x"}})  # as moto's own put_item makes one
    made = weakref.ref(moto_made)
    del moto_made
    partition.freeze()
    gc.collect()
    assert [ref for ref in built if ref() is not None] == []
    assert made() is None
    assert Item.instances_tracked == []  # type: ignore[attr-defined]


def test_a_new_item_put_into_a_frozen_group_builds_nothing_and_a_freeze_merges_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """moto's put_item looks the key up, then sets it: a new search posting in a large frozen partition
    built the whole group (about 80 items at 10,000 tickets) and kept it until the next freeze."""
    built: list[int] = []
    real = moto_cold.build_item

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(moto_cold, "build_item", counted)
    partition = _filled(8 * GROUP_ITEMS)
    partition.freeze()
    built.clear()
    new = build_item(_posting(9999), "pk", "sk")
    with pytest.raises(KeyError):
        partition[new.range_key]  # (moto's get_item in its put_item)
    partition[new.range_key] = new
    assert built == []  # no group built
    assert len(partition) == 8 * GROUP_ITEMS + 1
    assert partition[new.range_key] is new  # read and changed in place before a freeze: kept
    new.attrs["f"] = moto_cold.dynamo(type(new.range_key), {"N": "7"})
    partition.freeze()
    assert built == [] and dict.__len__(partition) == 0
    assert partition[new.range_key].attrs["f"].value == "7"
    assert sorted(i["sk"]["S"] for i in _json(partition)) == sorted(
        [f"01TICKET{n:06d}" for n in range(8 * GROUP_ITEMS)] + ["01TICKET009999"]
    )
    other = _key(3)
    assert partition[other].attrs["s"].value == "Guten Tag, die Rechnung Nr. 3 fehlt noch."  # still there
