"""Numerals as Chinese news writes them: 1362, 1,038, 1.2万, 三千, 二十五, 两千多万.

Kept apart from figure extraction because the same parsing serves any code
that reads a quantity (figures, dates, ranks), and because its rules are
arithmetic, not language: it never decides whether a numeral is a quantity.
"""

from __future__ import annotations

import re

# Full-width digits and point, as some pages still carry them after cleaning.
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
# Multipliers inside one section (below 万) and section multipliers.
CN_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
CN_BIG_UNITS: dict[str, int] = {"万": 10_000, "亿": 100_000_000}
CN_MAGNITUDES = frozenset(CN_SMALL_UNITS) | frozenset(CN_BIG_UNITS)
CN_NUMERAL_CHARS = frozenset(CN_DIGITS) | CN_MAGNITUDES
_DIGIT_PAIR = re.compile(f"[{''.join(CN_DIGITS)}]{{2}}")
# Most numerals are plain Arabic ones, which float() reads as they are.
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def normalise_digits(text: str) -> str:
    """ASCII digits, no thousands separators: the form float() accepts."""
    if not text.isascii():  # only full-width forms need mapping; most numerals are ASCII
        text = text.translate(_FULLWIDTH)
    return text.replace(",", "")


def is_digit_sequence(text: str) -> bool:
    """True for numerals read digit by digit (一九八九, 二〇二四, 三四).

    These are years, codes or "three or four" approximations, never a count,
    so figure extraction rejects them; they are told apart by two Chinese
    digits in a row with no magnitude between them.
    """
    return len(text) > 1 and _DIGIT_PAIR.search(text) is not None


def is_bare_magnitude(text: str) -> bool:
    """True for 千, 万, 百万: a magnitude with no digit, as in 千余名 or 万家灯火."""
    return bool(text) and CN_MAGNITUDES.issuperset(text)


def parse_numeral(text: str) -> float | None:
    """Value of an Arabic, Chinese or mixed numeral; None when it is not one.

    Mixed forms (2万, 1.2亿, 3千, 1万2千) are parsed section by section the
    way Chinese counts: digits, then 十/百/千 inside a section, then 万/亿
    closing a section.
    """
    text = normalise_digits(text.strip())
    if not text:
        return None
    if _PLAIN_DECIMAL.fullmatch(text):
        return float(text)
    total = 0.0  # closed by 亿/万
    section = 0.0  # below 万
    pending: float | None = None  # digits not yet multiplied
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isascii() and (ch.isdigit() or ch == "."):
            j = i
            while j < len(text) and text[j].isascii() and (text[j].isdigit() or text[j] == "."):
                j += 1
            try:
                pending = float(text[i:j])
            except ValueError:
                return None
            i = j
            continue
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
            # 一九八九: digit after digit reads positionally.
            pending = digit if pending is None or i == 0 or text[i - 1] not in CN_DIGITS else pending * 10 + digit
        elif ch in CN_SMALL_UNITS:
            section += (1 if pending is None else pending) * CN_SMALL_UNITS[ch]
            pending = None
        elif ch in CN_BIG_UNITS:
            section += pending or 0
            if section == 0 and total:
                total *= CN_BIG_UNITS[ch]  # 四万万: a magnitude of a magnitude
                pending = None
                i += 1
                continue
            if section == 0:
                section = 1  # 万余, 亿 alone
            if ch == "亿":
                total = (total + section) * CN_BIG_UNITS[ch]
            else:
                total += section * CN_BIG_UNITS[ch]
            section = 0.0
            pending = None
        else:
            return None
        i += 1
    return total + section + (pending or 0)
