"""Script conversion for the sample sites: simplified <-> traditional, pinyin glosses.

Articles are authored once in simplified script; the traditional sites are
rendered from them with OpenCC s2t. The cleaner reads them back with t2s, so
a paragraph only makes a fair test when t2s(s2t(p)) == p; `check_round_trip`
is how the build refuses text that would not survive (some simplified
characters map back ambiguously: 着 -> 著 -> 著, 于 -> 於 in names).
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_HAN = re.compile(r"[\u4e00-\u9fff]")

# Traditional characters the content farm glosses with pinyin: the ones its
# pages show glossed (長 區 實 個 開 網 時 來 動 轉 變 鄉 …) and other common
# characters whose traditional form differs from the simplified one. Other
# characters, including 黨 員 組 織, are left bare, as on the real mirror.
GLOSSED = frozenset(
    "長區實個開網時來動轉變鄉這們專縣鎮堅訪歡為參調傳還數樂會處結層項點蘭陽齊興"
)


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    """Traditional script in the forms the real traditional pages use (群眾, 為, 著).

    OpenCC's s2tw, not plain s2t: s2t writes the orthodox 羣衆 and 爲, which
    no real page in the seeds shows and Big5 cannot encode.
    """
    return _converter("s2tw.json").convert(text)


def to_orthodox_traditional(text: str) -> str:
    """OpenCC's plain s2t (羣衆, 爲): checked too, so either conversion reads back."""
    return _converter("s2t.json").convert(text)


def to_simplified(text: str) -> str:
    return _converter("t2s.json").convert(text)


class RoundTripError(ValueError):
    """An authored text does not come back from traditional script unchanged."""


def check_round_trip(text: str, *, where: str) -> None:
    """Fail unless t2s(s2tw(text)) == text and t2s(s2t(text)) == text.

    The way back is plain t2s, which is what the cleaner applies; the first
    differing character is named so the author can reword around it.
    """
    for convert in (to_traditional, to_orthodox_traditional):
        _check_one(text, convert(text), where=f"{where} ({convert.__name__})")


def _check_one(text: str, traditional: str, *, where: str) -> None:
    back = to_simplified(traditional)
    if back == text:
        return
    for i, (a, b) in enumerate(zip(text, back)):
        if a != b:
            raise RoundTripError(
                f"{where}: {text[max(0, i - 8):i + 8]!r} comes back as {back[max(0, i - 8):i + 8]!r} "
                f"({a!r} -> {b!r}); reword it"
            )
    raise RoundTripError(f"{where}: length changes in the round trip; reword it")


def gloss_with_pinyin(simplified: str) -> str:
    """Traditional script with tone-marked pinyin after some characters: 長(zhǎng)沙.

    Readings come from pypinyin on the simplified text (phrase-aware), so a
    gloss is what a naive content farm would print, right or wrong.
    """
    from pypinyin import Style, lazy_pinyin  # dev-only: the build needs it, the package does not

    traditional = to_traditional(simplified)
    readings = lazy_pinyin(simplified, style=Style.TONE, errors=lambda s: list(s))
    if len(traditional) != len(simplified) or len(readings) != len(simplified):
        return traditional
    out = []
    for ch, reading in zip(traditional, readings):
        out.append(ch)
        if ch in GLOSSED and _HAN.match(ch):
            out.append(f"({reading})")
    return "".join(out)
