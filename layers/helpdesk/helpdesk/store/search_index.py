"""The search table: an inverted index from folded word prefixes to tickets (issue 15).

One table (``SearchTable`` in template.yaml, ``HELPDESK_SEARCH_TABLE``), written with plain boto3 like
the live table. Key spaces:

``K#<key>#<shard>`` / ``<ticket id>``  a posting: the ticket has words starting with ``<key>``
                                       (``w``: those words, ``f``: fields bit mask, ``k``/``r``/``a``/``s``:
                                       where the key first occurs — kind, message or comment id, date, snippet)
``M#<ticket id>`` / ``M``              the ticket's manifest: every key it is indexed under, with a digest of
                                       its posting, so re-indexing writes only what changed
``C#<key>#<shard>`` / ``<digest>``     a customer's posting (name, address, company, customer number, phone);
                                       ``e``: the address (the key holds a digest of it: an erased customer's
                                       empty manifest names nobody)
``MC#<digest>`` / ``M``                the customer's manifest

Keys are spread over ``SHARDS`` partitions by ticket (``domain.search.shard_of``): a common word is
``SHARDS`` partition keys, not one. Within a partition the sort key is the ticket id (a ULID: creation
order), so a query reads the newest tickets first. The table can be rebuilt from the tickets at any
time (``helpdesk reindex``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field
from typing import TYPE_CHECKING, Any

from ..aws import clients
from ..domain.dataclass import dataclass
from ..domain.search import Posting, shard_of
from .plain import BATCH_WRITE, key_value_shape

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE_ENV = "HELPDESK_SEARCH_TABLE"
SHARDS = 2
TABLE_SHAPE = key_value_shape(stream="KEYS_ONLY")  # the live fan-out hears which tickets were indexed
BATCH_GET = 100  # DynamoDB's limit per BatchGetItem


def table_name() -> str:
    return os.environ.get(TABLE_ENV, "helpdesk-search")


def indexed_ticket_pages() -> Iterator[list[str]]:
    """The ids of the tickets that have postings (their manifest names keys), a page of a Scan at a time."""
    args: dict[str, Any] = {
        "TableName": table_name(),
        "FilterExpression": "begins_with(pk, :m) AND size(#keys) > :zero",  # (left the index already: empty)
        "ExpressionAttributeNames": {"#keys": "keys"},
        "ExpressionAttributeValues": {":m": {"S": "M#"}, ":zero": {"N": "0"}},
        "ProjectionExpression": "pk",
    }
    while True:
        page = _client().scan(**args)
        yield [raw["pk"]["S"][2:] for raw in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        if not last:
            return
        args["ExclusiveStartKey"] = last


def _client() -> DynamoDBClient:
    return clients.dynamodb()


TICKETS, CUSTOMERS = "K", "C"  # key spaces: postings of tickets, postings of customers
_MANIFEST = {TICKETS: "M#", CUSTOMERS: "MC#"}


def posting_pk(key: str, ticket_id: str, space: str = TICKETS) -> str:
    return f"{space}#{key}#{shard_of(ticket_id, SHARDS)}"


def digest(posting: Posting) -> str:
    body = json.dumps([sorted(posting.words), posting.fields, posting.kind, posting.ref, posting.at, posting.snippet])
    return hashlib.blake2b(body.encode(), digest_size=6).hexdigest()


def doc_id(item_id: str, space: str = TICKETS) -> str:
    """The id a ticket's or customer's postings are kept under: the ticket id; a digest of the address."""
    if space == TICKETS:
        return item_id
    return hashlib.blake2b(item_id.lower().encode(), digest_size=12).hexdigest()


def _item(key: str, ticket_id: str, posting: Posting, space: str = TICKETS) -> dict[str, Any]:
    doc = doc_id(ticket_id, space)
    item: dict[str, Any] = {
        "pk": {"S": posting_pk(key, doc, space)},
        "sk": {"S": doc},
        "w": {"SS": sorted(posting.words)},
        "f": {"N": str(posting.fields)},
        "k": {"S": posting.kind},
    }
    if doc != ticket_id:
        item["e"] = {"S": ticket_id}
    for name, value in (("r", posting.ref), ("a", posting.at), ("s", posting.snippet)):
        if value:
            item[name] = {"S": value}
    return item


@dataclass
class Hit:
    """A posting as read back (``ticket_id``: the ticket, or the customer's address; ``sk``: its sort key)."""

    ticket_id: str
    words: set[str]
    fields: int
    kind: str
    ref: str
    at: str
    snippet: str
    sk: str = ""

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> Hit:
        return cls(
            ticket_id=raw["e"]["S"] if "e" in raw else raw["sk"]["S"],
            words=set(raw.get("w", {}).get("SS", [])),
            fields=int(raw.get("f", {}).get("N", "0")),
            kind=raw.get("k", {}).get("S", ""),
            ref=raw.get("r", {}).get("S", ""),
            at=raw.get("a", {}).get("S", ""),
            snippet=raw.get("s", {}).get("S", ""),
            sk=raw["sk"]["S"],
        )


@dataclass
class Written:
    """What indexing one ticket wrote: items put and deleted, calls made."""

    put: int = 0
    deleted: int = 0
    calls: int = 0
    unchanged: int = 0


@dataclass
class Reads:
    calls: int = 0
    items: int = 0
    extra: dict[str, int] = field(default_factory=dict)


class SearchIndex:
    """The postings of one key space: tickets (default) or customers (``space=CUSTOMERS``, ids are addresses)."""

    def __init__(self, space: str = TICKETS) -> None:
        self.space = space

    def manifest(self, ticket_id: str) -> dict[str, str]:
        raw = (
            _client()
            .get_item(
                TableName=table_name(),
                Key={"pk": {"S": f"{_MANIFEST[self.space]}{doc_id(ticket_id, self.space)}"}, "sk": {"S": "M"}},
                ConsistentRead=True,
            )
            .get("Item")
        )
        if not raw:
            return {}
        return {k: v["S"] for k, v in raw.get("keys", {}).get("M", {}).items()}

    def _put_manifest(self, ticket_id: str, keys: dict[str, str]) -> None:
        # An empty manifest stays (a ticket that left the index): no DeleteItem right needed, and the
        # manifest's postings are removed with BatchWriteItem's DeleteRequests.
        item: dict[str, Any] = {
            "pk": {"S": f"{_MANIFEST[self.space]}{doc_id(ticket_id, self.space)}"},
            "sk": {"S": "M"},
            "keys": {"M": {k: {"S": v} for k, v in keys.items()}},
        }
        _client().put_item(TableName=table_name(), Item=item)

    def replace(self, ticket_id: str, postings: dict[str, Posting]) -> Written:
        """Make the ticket's postings exactly ``postings`` (empty: the ticket leaves the index).

        Idempotent and safe to interrupt: the manifest first grows to the union of old and new keys,
        the postings are written and deleted, then the manifest shrinks to the new keys. A run that
        stops half-way leaves every posting it wrote listed, so the next run removes what is stale.
        """
        out = Written(calls=1)
        old = self.manifest(ticket_id)
        new = {key: digest(p) for key, p in postings.items()}
        puts = [key for key, d in new.items() if old.get(key) != d]
        deletes = [key for key in old if key not in new]
        out.unchanged = len(new) - len(puts)
        if not puts and not deletes:
            return out
        if puts and set(new) - set(old):
            self._put_manifest(ticket_id, {**old, **new})
            out.calls += 1
        requests: list[dict[str, Any]] = [
            {"PutRequest": {"Item": _item(k, ticket_id, postings[k], self.space)}} for k in puts
        ]
        doc = doc_id(ticket_id, self.space)
        requests += [
            {"DeleteRequest": {"Key": {"pk": {"S": posting_pk(k, doc, self.space)}, "sk": {"S": doc}}}} for k in deletes
        ]
        out.calls += self._batch_write(requests)
        out.put, out.deleted = len(puts), len(deletes)
        self._put_manifest(ticket_id, new)
        out.calls += 1
        return out

    def _batch_write(self, requests: list[dict[str, Any]]) -> int:
        calls = 0
        for start in range(0, len(requests), BATCH_WRITE):
            pending: list[dict[str, Any]] = requests[start : start + BATCH_WRITE]
            while pending:
                answer = _client().batch_write_item(RequestItems={table_name(): pending})  # type: ignore[dict-item]
                calls += 1
                pending = [dict(r) for r in answer.get("UnprocessedItems", {}).get(table_name(), [])]
        return calls

    def query(self, key: str, shard: int, start: str | None, limit: int, reads: Reads) -> tuple[list[Hit], str | None]:
        """Newest tickets first from one shard of a key: up to ``limit`` postings after ``start``, and the
        ticket id to continue after (None: the shard is exhausted)."""
        args: dict[str, Any] = {
            "TableName": table_name(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"{self.space}#{key}#{shard}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            args["ExclusiveStartKey"] = {"pk": {"S": f"{self.space}#{key}#{shard}"}, "sk": {"S": start}}
        answer = _client().query(**args)
        reads.calls += 1
        reads.items += int(answer.get("ScannedCount", 0))
        hits = [Hit.from_raw(raw) for raw in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return hits, (last["sk"]["S"] if last else None)

    def get(
        self,
        postings: Iterable[tuple[str, str]],
        tickets: Iterable[str],
        tickets_table: str,
        reads: Reads,
        item_key: Callable[[str], dict[str, Any]] | None = None,
    ) -> tuple[dict[tuple[str, str], Hit], dict[str, dict[str, Any]]]:
        """One BatchGetItem (more only past 100 keys or for unprocessed keys) for postings ``(key, ticket)``
        of the search table and ticket items of the tickets table (or, with ``item_key``, the items of
        another table by id: the customers)."""
        key_of = item_key or (lambda t: {"pk": {"S": t}, "sk": {"S": "TICKET"}})
        wanted: list[tuple[str, dict[str, Any]]] = [
            (
                table_name(),
                {"pk": {"S": posting_pk(k, doc_id(t, self.space), self.space)}, "sk": {"S": doc_id(t, self.space)}},
            )
            for k, t in dict.fromkeys(postings)
        ]
        wanted += [(tickets_table, key_of(t)) for t in dict.fromkeys(tickets)]
        found_postings: dict[tuple[str, str], Hit] = {}
        found_tickets: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), BATCH_GET):
            request: dict[str, dict[str, Any]] = {}
            for table, wanted_key in wanted[start : start + BATCH_GET]:
                request.setdefault(table, {"Keys": []})["Keys"].append(wanted_key)
            while request:
                answer = _client().batch_get_item(RequestItems=request)  # type: ignore[arg-type]
                reads.calls += 1
                for table, items in answer.get("Responses", {}).items():
                    reads.items += len(items)
                    for raw in items:
                        if table == tickets_table:
                            found_tickets[raw["pk"]["S"] if item_key is None else raw["email"]["S"]] = raw
                        else:
                            hit = Hit.from_raw(raw)
                            key = raw["pk"]["S"].split("#")[1]
                            found_postings[(key, hit.ticket_id)] = hit
                request = dict(answer.get("UnprocessedKeys", {}))  # type: ignore[arg-type]
        return found_postings, found_tickets
