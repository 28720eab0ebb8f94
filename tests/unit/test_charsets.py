"""Charsets real mail programs send that the stdlib alone reads wrong (issue 18, class 1).

Microsoft's extensions behind Japanese labels, ISO-2022-JP without a label, raw 8-bit headers in a
charset nobody declared, UTF-8 with one stray byte. Every guess is a defect on the mail.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.domain.headers import decode_bytes, decode_header_value, parse_addresses
from helpdesk.domain.mail import parse_mail

MAILS = Path(__file__).resolve().parents[1] / "data" / "mails"
JAPANESE = "①納品書の再発行（㈱ヤマダ商事）"


def jis(text: str) -> bytes:
    """``text`` as ISO-2022-JP the way Windows writes it (CP50220): cp932 pairs moved to JIS rows."""
    out = bytearray()
    double = False
    for ch in text:
        code = ch.encode("cp932")
        if len(code) == 1:
            if double:
                out += b"\x1b(B"
                double = False
            out += code
            continue
        if not double:
            out += b"\x1b$B"
            double = True
        lead, trail = code
        row = (lead - (0xC1 if lead >= 0xE0 else 0x81)) * 2 + 0x21
        if trail >= 0x9F:
            out += bytes([row + 1, trail - 0x7E])
        else:
            out += bytes([row, trail - 0x1F - (1 if trail > 0x7F else 0)])
    if double:
        out += b"\x1b(B"
    return bytes(out)


def test_jis_helper_matches_python_where_python_can() -> None:
    plain = "納品書の再発行について"
    assert jis(plain) == plain.encode("iso2022_jp")


# ---------------------------------------------------------------------------------- ISO-2022-JP


def test_iso2022jp_with_microsoft_extensions_is_read_via_cp932() -> None:
    data = jis(JAPANESE)
    with pytest.raises(UnicodeDecodeError):
        data.decode("iso2022_jp_ext")
    defects: list[str] = []
    assert decode_bytes(data, "iso-2022-jp", defects) == JAPANESE
    assert defects == [
        "text declared 'iso-2022-jp' is not valid iso2022_jp; read as cp50220 (Microsoft's extension characters)"
    ]


def test_iso2022jp_half_width_katakana() -> None:
    data = b"\x1b(I" + bytes(b - 0x80 for b in "ｶﾀｶﾅ".encode("cp932")) + b"\x1b(B"  # kana as 0x21-0x5F
    defects: list[str] = []
    assert decode_bytes(data, "iso-2022-jp", defects) == "ｶﾀｶﾅ"
    assert defects == ["text declared 'iso-2022-jp' is not valid iso2022_jp; read as iso2022_jp_ext"]


def test_plain_iso2022jp_needs_no_note() -> None:
    defects: list[str] = []
    assert decode_bytes("納品書".encode("iso2022_jp"), "ISO-2022-JP", defects) == "納品書"
    assert defects == []


def test_iso2022jp_without_a_label_is_recognised_by_its_escapes() -> None:
    for label in (None, "us-ascii", "iso-8859-1", "x-unknown", "x-no-such-charset"):
        defects: list[str] = []
        assert decode_bytes(jis("お世話になっております。"), label, defects) == "お世話になっております。"
        assert "ISO-2022-JP escape sequences" in defects[-1]
        assert defects[-1].endswith("read as iso2022_jp")


def test_iso2022jp_in_a_raw_header_and_an_unlabelled_body() -> None:
    raw = (
        b"From: " + jis("山田 太郎") + b" <t.yamada@example.jp>\r\nTo: support@example-helpdesk.de\r\n"
        b"Subject: " + jis("①見積もりの件") + b"\r\nMessage-ID: <jis@example.jp>\r\n"
        b"Date: Fri, 13 Mar 2026 10:24:51 +0900\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
        + jis("お見積もりをお願いします。\r\n")
    )
    mail = parse_mail(raw)
    assert mail.subject == "①見積もりの件"
    assert mail.sender_name == "山田 太郎"
    assert mail.text == "お見積もりをお願いします。"
    assert any("ISO-2022-JP escape sequences" in d for d in mail.defects)


def test_shift_jis_label_with_nec_characters_reads_as_cp932() -> None:
    data = JAPANESE.encode("cp932")
    defects: list[str] = []
    assert decode_bytes(data, "Shift_JIS", defects) == JAPANESE
    assert defects == [
        "text declared 'Shift_JIS' is not valid shift_jis; read as cp932 (Microsoft's extension characters)"
    ]


@pytest.mark.parametrize("label", ["windows-31j", "x-sjis", "MS932"])
def test_microsoft_labels_for_shift_jis(label: str) -> None:
    defects: list[str] = []
    assert decode_bytes(JAPANESE.encode("cp932"), label, defects) == JAPANESE
    assert defects == []


# ------------------------------------------------------------------------------- undeclared 8-bit


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("お問い合わせ：配送先の変更について", "cp932"),
        ("見積書送付のお願い", "cp932"),
        ("Re: 注文番号 4711 の納期について", "cp932"),
        ("お問い合わせの件について", "euc_jp"),
        ("Заявка на ремонт оборудования", "cp1251"),
        ("关于订单的问题", "gb18030"),
        ("주문에 관한 문의", "euc_kr"),
    ],
)
def test_undeclared_8bit_is_guessed_by_the_detector(text: str, codec: str) -> None:
    defects: list[str] = []
    assert decode_bytes(text.encode(codec), None, defects) == text
    assert len(defects) == 1
    assert defects[0].startswith("undeclared 8-bit text; read as ")
    assert defects[0].endswith("(guessed by charset-normalizer)")


def test_raw_shift_jis_subject() -> None:
    raw = (
        b"From: shop@example.jp\r\nMessage-ID: <s@example.jp>\r\nSubject: "
        + "見積書送付のお願い".encode("cp932")
        + b"\r\n\r\nText\r\n"
    )
    mail = parse_mail(raw)
    assert mail.subject == "見積書送付のお願い"
    assert "undeclared 8-bit text; read as cp932 (guessed by charset-normalizer)" in mail.defects


@pytest.mark.parametrize(
    "text",
    ["Prüfung der Unterlagen für Grüße", "Rückfrage zur Rechnung – 1.249,00 €", "Größe „XL“ geändert"],
)
def test_western_8bit_stays_windows_1252_without_the_detector(text: str) -> None:
    defects: list[str] = []
    assert decode_bytes(text.encode("cp1252"), None, defects) == text
    assert defects == ["undeclared 8-bit text; read as cp1252"]


def test_the_detector_is_imported_only_when_needed() -> None:
    code = (
        "import sys\n"
        "from helpdesk.domain.mail import parse_mail\n"
        "from pathlib import Path\n"
        "mails = Path(sys.argv[1])\n"
        "for p in sorted(mails.glob('*.eml')):\n"
        "    if 'sjis' not in p.name: parse_mail(p.read_bytes())\n"
        "assert 'charset_normalizer' not in sys.modules, 'imported for mail that needs no guess'\n"
        "parse_mail((mails / 'formmail_sjis_raw_subject.eml').read_bytes())\n"
        "assert 'charset_normalizer' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, str(MAILS)], check=True)


# ---------------------------------------------------------------------------- UTF-8, one bad byte


def test_utf8_display_name_with_a_stray_byte_keeps_the_good_part() -> None:
    name = "Иван Петров".encode()
    broken = name[:6] + b"\xff" + name[6:]  # one stray byte after "Ива"
    defects: list[str] = []
    [sender] = parse_addresses([(b'"' + broken + b'" <ivan@example.ru>').decode("utf-8", "surrogateescape")], defects)
    assert sender.name == "Ива\ufffdн Петров"
    assert sender.address == "ivan@example.ru"
    assert "undeclared 8-bit text; read as utf-8 with 1 invalid byte replaced" in defects


def test_utf8_encoded_word_with_a_truncated_sequence() -> None:
    word = "=?utf-8?B?" + __import__("base64").b64encode("Заявка на ремонт".encode()[:-1]).decode() + "?="
    defects: list[str] = []
    assert decode_header_value(word, defects) == "Заявка на ремон\ufffd"
    assert defects == ["text declared 'utf-8' is not valid utf-8; read as utf-8 with 1 invalid byte replaced"]


def test_windows_1252_is_not_mistaken_for_broken_utf8() -> None:
    # "Ã©" is a valid UTF-8 pair ("é"); one such pair among cp1252 bytes does not make the text UTF-8.
    text = "Müller & Söhne: Café Ã© Grüße"
    defects: list[str] = []
    assert decode_bytes(text.encode("cp1252"), None, defects) == text
