"""domain/numbering.py: ticket number formats, counter scopes, and finding numbers in subjects."""

from __future__ import annotations

import pytest

from helpdesk.domain.numbering import DEFAULT_FORMAT, NumberFormatError, number_format

DEFAULT = number_format()


# ------------------------------------------------------------------------------------------ the default


def test_default_format() -> None:
    assert DEFAULT_FORMAT == "T-{year}-{seq:06d}"
    assert DEFAULT.template == DEFAULT_FORMAT
    assert DEFAULT.format(2026, 123) == "T-2026-000123"
    assert DEFAULT.format(2027, 1) == "T-2027-000001"
    assert DEFAULT.format(2026, 1234567) == "T-2026-1234567"  # past the padding the number just grows


def test_default_format_counts_per_year() -> None:
    assert DEFAULT.per_year is True
    assert DEFAULT.counter_scope(2026) == "2026"
    assert DEFAULT.counter_scope(2027) == "2027"


# --------------------------------------------------------------------------------------- in subjects


@pytest.mark.parametrize(
    "subject",
    [
        "[#T-2026-000123] Drucker defekt",
        "Re: [#T-2026-000123] Drucker defekt",
        "AW: [#T-2026-000123] Drucker defekt",
        "WG: AW: Re: [#T-2026-000123] Drucker defekt",
        "Fwd: [#T-2026-000123] Drucker defekt",
        "RE:[#T-2026-000123]",
        "Drucker defekt [# T-2026-000123 ]",
        "Drucker defekt [#\tT-2026-000123]",
        "re: [#t-2026-000123] drucker",
        "#T-2026-000123",
        "Drucker defekt #T-2026-000123",
        "Drucker (#T-2026-000123)",
        "Drucker [#T-2026-000123].",
        "Ticket#T-2026-000123",
        "[#T-2026-123]",  # fewer digits than the padding: still this ticket
    ],
)
def test_finds_the_number_in_what_mail_programs_make_of_a_subject(subject: str) -> None:
    assert DEFAULT.find_in_subject(subject) == ["T-2026-000123"]


def test_several_numbers_keep_their_order_without_duplicates() -> None:
    subject = "AW: [#T-2026-000200] und [#T-2025-000007], siehe auch #t-2026-000200 und [# T-2026-000001]"
    assert DEFAULT.find_in_subject(subject) == ["T-2026-000200", "T-2025-000007", "T-2026-000001"]


@pytest.mark.parametrize(
    "subject",
    [
        "",
        "Drucker defekt",
        "[#T-2026-000123X] Drucker",  # glued to letters: not a number
        "[#T-2026-000123a]",
        "[#T-2026-0001230000000000] ",  # longer than any number we make
        "T-2026-000123 ohne Raute",
        "[T-2026-000123]",
        "Bestellung #123456",
        "[#X-2026-000123]",
        "[#T-26-000123]",
        "[#T-2026/000123]",
        "[#T-2026-]",
    ],
)
def test_no_false_positives(subject: str) -> None:
    assert DEFAULT.find_in_subject(subject) == []


def test_an_empty_or_missing_subject_finds_nothing() -> None:
    assert DEFAULT.find_in_subject(None) == []  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------- custom formats


def test_a_format_without_year_runs_one_counter_forever() -> None:
    fmt = number_format("{seq}")
    assert fmt.per_year is False
    assert fmt.counter_scope(2026) == "all"
    assert fmt.counter_scope(2031) == "all"
    assert fmt.format(2026, 42) == "42"
    assert fmt.find_in_subject("Re: [#42] und [# 0042] und #43") == ["42", "43"]
    assert fmt.find_in_subject("Re: [#42abc] 42") == []


def test_a_compact_format_with_year_and_padding() -> None:
    fmt = number_format("HD{year}{seq:05d}")
    assert fmt.per_year is True
    assert fmt.counter_scope(2026) == "2026"
    assert fmt.format(2026, 42) == "HD202600042"
    assert fmt.find_in_subject("AW: [#hd202600042] Frage") == ["HD202600042"]
    assert fmt.find_in_subject("AW: [#HD2026100420] Frage") == ["HD2026100420"]  # past the padding
    assert fmt.find_in_subject("AW: [#HD-2026-00042] Frage") == []


def test_a_prefixed_format_without_year() -> None:
    fmt = number_format("SUP-{seq:04d}")
    assert fmt.counter_scope(2026) == "all"
    assert fmt.format(2026, 7) == "SUP-0007"
    assert fmt.find_in_subject("[#sup-7] [#SUP-0007] [#SUP-0008]") == ["SUP-0007", "SUP-0008"]


def test_regex_characters_in_a_format_are_literal() -> None:
    fmt = number_format("T.{seq}")
    assert fmt.find_in_subject("[#T.5]") == ["T.5"]
    assert fmt.find_in_subject("[#TX5]") == []


def test_every_number_a_format_makes_is_found_again() -> None:
    for template, seq in [(DEFAULT_FORMAT, 999999), ("{seq:012d}", 1), ("HD{year}{seq:05d}", 99999), ("{seq}", 10**11)]:
        fmt = number_format(template)
        number = fmt.format(2026, seq)
        assert fmt.find_in_subject(f"Re: [#{number}]") == [number], template


@pytest.mark.parametrize(
    "template",
    [
        "T-{year}",  # no {seq}
        "T-{year}-",
        "T {seq}",  # spaces
        "T-{year}- {seq}",
        "#{seq}",  # '#'
        "[{seq}]",  # brackets
        "T\t{seq}",
        "T-{seq}-{foo}",  # unknown placeholder
        "T-{jahr}-{seq}",
        "T-{seq:06}",
        "T-{seq!r}",
        "T-{{seq}}",
        "T-{seq",
        "T-" + "X" * 34 + "{seq}",  # 41 characters: too long
        "T-{seq}-{seq}",  # a placeholder twice
        "{year}{year}{seq}",
        "T-{seq:6d}",  # space padding would put spaces into numbers
        "T-{seq:020d}",  # wider than any number the subject search finds
    ],
)
def test_invalid_formats_are_refused(template: str) -> None:
    with pytest.raises(NumberFormatError):
        number_format(template)


def test_forty_characters_are_allowed() -> None:
    template = "T-" + "X" * 33 + "{seq}"
    assert len(template) == 40
    assert number_format(template).format(2026, 1) == "T-" + "X" * 33 + "1"


def test_number_format_error_is_a_value_error() -> None:
    # TeamSettings' validator turns ValueErrors into validation errors: nothing else may escape.
    assert issubclass(NumberFormatError, ValueError)
