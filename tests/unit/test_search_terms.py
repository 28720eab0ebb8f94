"""Issue 15: tokenizing and folding for the full-text search (domain/search.py), German and English."""

from __future__ import annotations

import pytest

from helpdesk.domain.search import (
    BODY,
    NUMBER,
    SUBJECT,
    Source,
    index_words,
    keys_of,
    number_word,
    parse_query,
    postings,
    snippet_around,
)


def found(text: str, query: str) -> bool:
    """Would a ticket with this text be found by this query (through the keys the index stores)?"""
    index = postings([Source(text, BODY, "message")])
    return all(t.key in index and t.matches(index[t.key].words) for t in parse_query(query).terms)


def test_case_and_umlauts_fold_both_ways() -> None:
    for text in ("Herr Müller", "Herr Mueller", "Herr MÜLLER"):
        for query in ("muller", "Müller", "mueller", "MUELLER"):
            assert found(text, query), (text, query)
    for text in ("Familie Weiß", "familie weiss"):
        for query in ("weiss", "Weiß", "WEISS"):
            assert found(text, query), (text, query)
    assert found("Größe der Änderung", "grosse anderung")
    assert found("Café crème", "cafe creme")


def test_a_folded_digraph_does_not_break_words_that_only_look_like_one() -> None:
    assert found("Die Quelle ist aktuell", "quelle aktuell")
    assert found("Feuerwehr", "feuer")


def test_prefixes_find_longer_words() -> None:
    assert found("Die Seriennummer lautet 4711-A", "Seriennum")
    assert found("Die Seriennummer lautet 4711-A", "serie")
    assert found("The serial number is", "seri")
    assert not found("Die Seriennummer", "Serienbrief")
    assert not found("Der Seriennummer", "serin")


def test_short_words_match_whole_words_only() -> None:
    assert found("Fehler 42 im Modul", "42")
    assert not found("Fehler 420 im Modul", "42")
    assert found("USB Stick", "usb")


def test_all_words_must_match() -> None:
    text = "Lieferung der Bestellung 4711 ist nicht angekommen"
    assert found(text, "bestellung lieferung")
    assert not found(text, "bestellung rechnung")


def test_stop_words_are_not_indexed_nor_required() -> None:
    assert not index_words("und die der the and of") & {"und", "die", "der", "the", "and", "of"}
    assert [t.text for t in parse_query("die Rechnung und the invoice").terms] == ["rechnung", "invoice"]
    assert [t.text for t in parse_query("the").terms] == ["the"]  # nothing but stop words: looked up after all


def test_ticket_numbers_with_and_without_prefix_or_leading_zeros() -> None:
    assert number_word("T-2026-000042") == "42"
    index = postings([Source("T-2026-000042", NUMBER, "number")])
    for query in ("T-2026-000042", "t-2026-000042", "2026-000042", "000042", "42", "#42"):
        terms = parse_query(query).terms
        assert [t.text for t in terms] == ["42"], query
        assert terms[0].key in index and index[terms[0].key].fields == NUMBER


def test_letters_and_digits_without_a_hyphen_are_a_word_not_a_ticket_number() -> None:
    """An invoice or article number (RE12345, FA6237) was read as ticket number 12345 / 6237 and found
    nothing: the browser tests' random tags (``Stapel fa6237``) failed now and then because of it."""
    for code in ("FA6237", "RE12345", "abc123"):
        text = f"Rechnung {code} ist doppelt gebucht"
        assert [t.text for t in parse_query(code).terms] == [code.lower()]
        assert found(text, code) and found(text, code.lower()[:5])
        assert not found("Rechnung 12345 ist doppelt gebucht", code)


def test_a_ticket_number_without_hyphens_is_found_as_typed() -> None:
    """A number format without hyphens (``HD{seq:05d}``): typed as shown, it is one word of the index."""
    index = postings([Source("HD00042", NUMBER, "number")])
    for query in ("HD00042", "hd00042", "hd0004", "#42", "42"):
        terms = parse_query(query).terms
        assert all(t.key in index and t.matches(index[t.key].words) for t in terms), query


def test_english_text() -> None:
    text = "My invoice for the order #1234 was charged twice, please refund."
    assert found(text, "invoice refund")
    assert found(text, "charg")
    assert found(text, "1234")
    assert not found(text, "shipping")


def test_keys_are_short_and_long_prefixes() -> None:
    assert keys_of("seriennummer") == {"seri", "serien"}
    assert keys_of("ok") == {"ok"}
    assert keys_of("weiss") == {"weis", "weiss"}


def test_postings_keep_the_first_place_and_the_fields() -> None:
    index = postings(
        [
            Source("Drucker defekt", SUBJECT, "subject"),
            Source(
                "Unser Drucker im 2. Stock druckt nur noch Streifen.", BODY, "message", "m1", "2026-12-01T10:00:00Z"
            ),
        ]
    )
    drucker = index["drucke"]
    assert drucker.fields == SUBJECT | BODY and drucker.kind == "subject"
    streifen = index["streif"]
    assert (streifen.kind, streifen.ref, streifen.at) == ("message", "m1", "2026-12-01T10:00:00Z")
    assert "Streifen" in streifen.snippet


def test_snippet_is_around_the_word() -> None:
    text = "Lorem ipsum " * 40 + "Die Seriennummer lautet 4711. " + "dolor sit " * 40
    piece = snippet_around(text, "seriennum")
    assert "Seriennummer" in piece and piece.startswith("…") and piece.endswith("…") and len(piece) <= 170


@pytest.mark.parametrize(
    "text",
    ["Über die CLI 1796255149124548134", "Rückfrage für Müller", "Können Sie mir helfen?", "Straße über Brücke"],
)
def test_every_query_word_of_a_text_is_found_in_that_texts_index(text: str) -> None:
    """A subject typed into the search box finds its own ticket: stop words are judged alike on both sides
    ("Über" was dropped from the index as a stop word but asked for as "uber")."""
    indexed = index_words(text)
    assert all(t.matches(indexed) for t in parse_query(text).terms), (parse_query(text), indexed)


def test_a_quoted_phrase_keeps_its_words_in_order() -> None:
    from helpdesk.domain.search import parse_query, phrase_in

    query = parse_query('"Rechnung März" Kunde')
    assert [t.text for t in query.terms] == ["rechnung", "marz", "kunde"]
    (phrase,) = query.phrases
    assert phrase_in("Ihre Rechnung für März liegt bei", phrase)  # a stop word between them does not count
    assert phrase_in("die RECHNUNG MAERZ", phrase)
    assert not phrase_in("im März kam die Rechnung", phrase)
    assert not phrase_in("Rechnung vom Februar, März", phrase)
    (german,) = parse_query("„Seriennummer fehl“").phrases
    assert phrase_in("Die Seriennummer fehlt leider.", german)  # the last word by prefix
    assert parse_query('"Rechnung"').phrases == ()  # one word: no order to keep
