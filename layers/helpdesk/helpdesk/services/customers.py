"""Use cases: customers (list by name, detail with their tickets, create, edit)."""

from __future__ import annotations

from ..domain.clock import iso
from ..domain.dataclass import dataclass
from ..domain.headers import normalize_address
from ..store import customers as records
from ..store.models import CustomerItem
from .changes import ChangeError, Missing
from .search import index_customer, search_customers


@dataclass
class CustomerPage:
    items: list[CustomerItem]
    cursor: str | None


def name_key(name: str, email: str) -> str:
    return f"{(name or email).strip().lower()}#{email}"


def list_customers(prefix: str | None, limit: int, cursor: str | None) -> CustomerPage:
    """Customers sorted by name; ``prefix`` finds them by any word of their name, address, company,
    customer number or phone (the search index: folded, by prefix, every word must match), and on the
    first page also by the start of their name as typed (one Query of ``by_name``: as-you-type after
    two letters, and a customer the stream has not indexed yet). A page is sorted by name."""
    from ..store.listing import CursorError, decode_cursor, encode_cursor, is_key

    found = search_customers(prefix, limit, cursor) if prefix else None
    if found is not None:
        by_email = {c.email: c for c in found.items}
        if not cursor:
            for c in records.by_name(prefix, limit)[0]:
                by_email.setdefault(c.email, c)
        ordered = sorted(by_email.values(), key=lambda c: c.name_key or c.email)
        return CustomerPage(ordered, found.cursor)
    start = decode_cursor(cursor) or None
    if start is not None and (not is_key(start, {"email", "kind", "name_key"}) or start["kind"]["S"] != "customer"):
        raise CursorError("invalid cursor")
    items, last = records.by_name(prefix, limit, start)
    return CustomerPage(items, encode_cursor(last) if last else None)


def get_customer(email: str) -> CustomerItem:
    found = records.get(normalize_address(email) or email)
    if found is None:
        raise Missing(email)
    return found


def save_customer(
    email: str,
    *,
    name: str | None,
    company: str | None,
    phone: str | None,
    notes: str | None,
    external_id: str | None,
    create: bool,
) -> CustomerItem:
    address = normalize_address(email)
    if not address:
        raise ChangeError("not an e-mail address", "email")
    at = iso()
    if create:
        item = CustomerItem(
            address,
            name=name or "",
            name_key=name_key(name or "", address),
            company=company,
            phone=phone,
            notes=notes,
            external_id=external_id,
            created_at=at,
            updated_at=at,
        )
        if not records.create(item):
            raise ChangeError("a customer with this address exists", "email")
        index_customer(address)
        return item
    item = get_customer(address)
    if name is not None:
        item.name = name
        item.name_key = name_key(name, address)
    for attr, value in (("company", company), ("phone", phone), ("notes", notes), ("external_id", external_id)):
        if value is not None:
            setattr(item, attr, value or None)
    item.updated_at = at
    records.save(item)
    index_customer(address)
    return item
