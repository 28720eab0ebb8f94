"""Exports, pure: CSV as German Excel opens it (BOM, ';', formulas neutralised) and safe ZIP entry names."""

from __future__ import annotations

import csv
import io

import pytest

from helpdesk.domain.export import csv_cell, csv_text, entry_name, names_person, safe_name, stats_rows


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil.example","klick")', '\'=HYPERLINK("http://evil.example","klick")'),
        ("+49 761 555", "'+49 761 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Rechnung = offen", "Rechnung = offen"),  # only the first character counts
        ("Müller", "Müller"),
        (-3, "-3"),  # a number is no formula
        (1.5, "1,5"),  # German Excel's decimal comma
        (None, ""),
    ],
)
def test_a_cell_that_would_be_a_formula_gets_a_leading_apostrophe(value: object, cell: str) -> None:
    assert csv_cell(value) == cell  # type: ignore[arg-type]


def test_the_file_has_a_bom_semicolons_crlf_and_quotes_where_needed() -> None:
    text = csv_text([["Nummer", "Betreff"], ["T-1", 'Sagt "hallo"; und tschüss'], ["T-2", "zwei\nZeilen"]])
    assert text.startswith("\ufeffNummer;Betreff\r\n")
    assert '"Sagt ""hallo""; und tschüss"' in text
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))
    assert rows == [["Nummer", "Betreff"], ["T-1", 'Sagt "hallo"; und tschüss'], ["T-2", "zwei\nZeilen"]]
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_zip_entry_names_are_safe_and_unique() -> None:
    taken: set[str] = set()
    assert entry_name("t/a", "../../etc/passwd", taken) == "t/a/passwd"
    assert entry_name("t/a", "Rechnung.pdf", taken) == "t/a/Rechnung.pdf"
    assert entry_name("t/a", "rechnung.pdf", taken) == "t/a/rechnung (2).pdf"
    assert entry_name("t/a", "Rechnung.pdf", taken) == "t/a/Rechnung (3).pdf"
    assert entry_name("t/a", 'a<b>:"c|?*\x00.txt', taken) == "t/a/a_b___c____.txt"
    assert safe_name("...") == "datei" and safe_name("C:\\Users\\x\\brief.doc") == "brief.doc"


def test_a_message_is_theirs_when_it_names_them_as_sender_or_recipient() -> None:
    assert names_person(["support@example.com", "Erna@Kunde.example"], "erna@kunde.example")
    assert not names_person(["support@example.com", "ernst@kunde.example"], "erna@kunde.example")


def test_the_reports_tables_one_below_the_other() -> None:
    rows = stats_rows(
        "de",
        [{"period": "2026-12-01", "tickets_created": 3, "closed": 1}],
        {"first_response": (2, 1.25, 3.0), "resolution": (0, None, None)},
        {"status": [("offen", 4)], "agent": [("", 2)]},
    )
    assert rows[0] == ["Aufkommen"]
    assert rows[2] == ["2026-12-01", 3, 0, 0, 1, 0, 0, 0]
    assert ["Erste Antwort", 2, 1.2, 3.0] in rows or ["Erste Antwort", 2, 1.3, 3.0] in rows
    assert ["offen", 4] in rows and ["niemand", 2] in rows
    assert stats_rows("en", [], {}, {"queue": []})[0] == ["Volume"]
