"""Charset decoding: declarations are checked against the bytes, GB labels read as GB18030."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from extract.charset import BOM, GUESS, HEADER, HINT, META, UTF8, decode_html, header_charset, meta_charset

ARTICLE = "中共中央组织部召开座谈会，强调加强基层党组织建设，朱镕基同志的讲话精神。"


def page(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>党建</title></head><body><p>{body}</p></body></html>"


def test_header_charset_wins_when_it_decodes():
    raw = page(ARTICLE).encode("gb18030")
    decoded = decode_html(raw, "text/html; charset=GBK")
    assert decoded.decided_by == HEADER
    assert decoded.encoding == "gb18030"
    assert ARTICLE in decoded.text


def test_gb2312_label_is_read_as_gb18030():
    # 镕 is not in GB2312: a strict GB2312 decoder would fail on this real-world page.
    raw = page(ARTICLE, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")
    decoded = decode_html(raw)
    assert decoded.decided_by == META
    assert decoded.encoding == "gb18030"
    assert "朱镕基" in decoded.text
    assert not decoded.had_errors


def test_stale_gb2312_label_on_utf8_bytes_loses_to_utf8():
    raw = page(ARTICLE, '<meta charset="gb2312">').encode("utf-8")
    decoded = decode_html(raw)
    assert decoded.encoding == "utf-8"
    assert decoded.decided_by == UTF8
    assert ARTICLE in decoded.text


def test_utf8_header_on_gb_bytes_does_not_win():
    raw = page(ARTICLE).encode("gb18030")
    decoded = decode_html(raw, "text/html; charset=utf-8")
    assert decoded.encoding == "gb18030"
    assert decoded.decided_by == GUESS
    assert ARTICLE in decoded.text


def test_bom_beats_a_wrong_header():
    raw = codecs.BOM_UTF8 + page(ARTICLE).encode("utf-8")
    decoded = decode_html(raw, "text/html; charset=gb2312")
    assert decoded.decided_by == BOM
    assert decoded.text.startswith("<html>")


def test_undeclared_big5_is_guessed_as_big5():
    traditional = "中國共產黨新聞網報道，各級黨組織認真學習黨的二十大精神，推動基層黨建工作。"
    raw = page(traditional).encode("cp950")
    decoded = decode_html(raw)
    assert decoded.encoding in ("cp950", "big5hkscs")
    assert traditional in decoded.text


def test_undeclared_gb_is_guessed_as_gb18030():
    raw = page(ARTICLE).encode("gb18030")
    decoded = decode_html(raw)
    assert (decoded.encoding, decoded.decided_by) == ("gb18030", GUESS)
    assert ARTICLE in decoded.text


def test_hint_used_when_page_declares_nothing():
    raw = page(ARTICLE).encode("gb18030")
    decoded = decode_html(raw, hint="gbk")
    assert (decoded.encoding, decoded.decided_by) == ("gb18030", HINT)


def test_latin1_label_on_chinese_bytes_is_ignored():
    raw = page(ARTICLE, '<meta charset="iso-8859-1">').encode("gb18030")
    decoded = decode_html(raw)
    assert decoded.encoding == "gb18030"
    assert ARTICLE in decoded.text


def test_corrupt_bytes_replaced_only_where_invalid():
    raw = page(ARTICLE, '<meta charset="gbk">').encode("gb18030")
    cut = raw.index("座谈会".encode("gb18030"))
    damaged = raw[:cut] + b"\xff" + raw[cut:]
    decoded = decode_html(damaged)
    assert decoded.had_errors
    assert decoded.encoding == "gb18030"
    assert decoded.decided_by == META
    assert decoded.text.count("\ufffd") == 1
    assert "座谈会" in decoded.text


def test_declaration_parsers():
    assert header_charset('text/html; charset="GB2312"') == "GB2312"
    assert header_charset("text/html") is None
    assert meta_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">') == "gbk"
    assert meta_charset(b'<meta charset="UTF-8" />') == "UTF-8"
    assert meta_charset(b'<?xml version="1.0" encoding="gb2312"?><html>') == "gb2312"
    assert meta_charset(b"<html><body>" + b" " * 5000 + b'<meta charset="gbk">') is None


def _original_pages(realpages_dir: Path) -> list[Path]:
    pages = sorted((realpages_dir / "original").glob("*.html"))
    assert pages, "realpages/original is empty"
    return pages


def test_realpages_decode_without_replacement_where_bytes_are_valid(realpages_dir: Path):
    for path in _original_pages(realpages_dir):
        raw = path.read_bytes()
        decoded = decode_html(raw)
        if not decoded.had_errors:
            assert "\ufffd" not in decoded.text, path.name
            continue
        # Truncated pages: only genuinely invalid byte sequences may be replaced.
        strict_failures = 0
        decoder = codecs.getincrementaldecoder(decoded.encoding)(errors="strict")
        for i in range(len(raw)):
            try:
                decoder.decode(raw[i : i + 1])
            except UnicodeDecodeError:
                strict_failures += 1
                decoder.reset()
        assert decoded.text.count("\ufffd") <= strict_failures, path.name


def test_realpages_decode_to_readable_chinese(realpages_dir: Path):
    for path in _original_pages(realpages_dir):
        decoded = decode_html(path.read_bytes())
        han = sum(1 for ch in decoded.text if "\u4e00" <= ch <= "\u9fff")
        assert han > 100, path.name
        # Mojibake from a wrong codec shows up as rare characters; common ones must dominate.
        common = sum(1 for ch in decoded.text if ch in "的一是在不了有和人这中大为上个国我以要他时来用们")
        assert common / han > 0.03, (path.name, decoded.encoding)


@pytest.mark.parametrize("encoding, codec", [("gb18030", "gb2312"), ("cp950", "big5")])
def test_common_share_counts_like_encoding_each_character(encoding: str, codec: str) -> None:
    """The share is counted with a translate table in C; it must agree with the definition,
    character by character (GB2312 rows B0-D7, Big5 A440-C67E), over all of U+4E00-U+9FFF."""
    from extract.charset import _common_share

    def common(ch: str) -> bool:
        try:
            code = ch.encode(codec)
        except UnicodeEncodeError:
            return False
        if codec == "gb2312":
            return 0xB0 <= code[0] <= 0xD7
        return 0xA440 <= int.from_bytes(code, "big") <= 0xC67E

    han = [chr(c) for c in range(0x4E00, 0xA000)]
    expected = [ch for ch in han if common(ch)]
    assert 3000 < len(expected) < 6000
    assert all(_common_share(ch, encoding) == 1.0 for ch in expected)
    assert sum(_common_share(ch, encoding) for ch in han) == len(expected)
    assert _common_share("党" * 2000 + "x" + "㐀" * 5000, encoding) == (1.0 if common("党") else 0.0)
