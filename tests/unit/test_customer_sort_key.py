"""The customer sort's key: a ticket without a customer (one whose customer was erased) carries none, so the
sort's second part lists it after the others in either order. It carried "~#", which sorted last from A to Z
and first from Z to A (seen in the browser: an erased customer's ticket at the top of "Kunde absteigend")."""

from __future__ import annotations

from helpdesk.store.models import TicketItem
from helpdesk.store.tickets import apply_index_keys


def ticket(name: str | None, email: str | None) -> TicketItem:
    item = TicketItem("01TICKET", "TICKET", status="open", updated_at="2026-12-03T10:00:00Z")
    item.customer_name, item.customer_email = name, email
    apply_index_keys(item)
    return item


def test_the_key_is_the_folded_name_else_the_address() -> None:
    assert ticket("Örs Ärger", "oe@kunde.example").customer_key == "ors arger#oe@kunde.example"
    assert ticket(None, "B@Kunde.example").customer_key == "b@kunde.example#B@Kunde.example"


def test_a_ticket_without_a_customer_has_no_key() -> None:
    assert ticket(None, None).customer_key is None
    assert ticket("", "").customer_key is None
