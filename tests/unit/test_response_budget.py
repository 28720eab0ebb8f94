"""Responses with many large messages stay under Lambda's 6 MB (api/views.py: within_budget)."""

from __future__ import annotations

from helpdesk.api.schemas import PublicMessage
from helpdesk.api.views import MESSAGES_BUDGET, encoded_size, public_short, within_budget


def message(n: int, size: int) -> PublicMessage:
    return PublicMessage(
        id=f"M{n:025d}",
        direction="inbound",
        from_name="Kunde",
        text=f"Nachricht {n} " + '"x" ' * (size // 4),
        html=f"<p>{n}</p>" + '<a href="y">z</a>' * (size // 17),
        created_at=f"2026-12-02T10:{n:02d}:00Z",
        attachments=[],
    )


def test_a_small_thread_is_returned_as_it_is() -> None:
    thread = [message(n, 1_000) for n in range(5)]
    assert within_budget(thread, public_short) is thread


def test_the_customer_page_keeps_the_newest_whole_and_the_start_of_older_ones() -> None:
    thread = [message(n, 120_000) for n in range(40)]
    assert sum(encoded_size(m) for m in thread) > 2 * MESSAGES_BUDGET
    out = within_budget(thread, public_short)
    assert sum(encoded_size(m) for m in out) <= MESSAGES_BUDGET
    assert out[-1] == thread[-1] and not out[-1].shortened
    assert out[0].shortened and out[0].html == "" and out[0].text.startswith("Nachricht 0 ")
    assert len(out[0].text) <= 2_002
    assert [m.created_at for m in out] == [m.created_at for m in thread]  # the order is kept
