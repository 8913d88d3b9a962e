"""Pinyin reading annotations: `長(zhǎng)` -> `長`.

Some mirrors render every converted character with its reading in
parentheses. The annotation is removed only where it is unmistakable: a
single, lower-case, tone-marked pinyin syllable in half- or full-width
parentheses right after a Han character. Parentheses holding anything else
stay: `人(次)`, `（一）`, `(English)`, `(2024)`, `(de)` (no tone mark: could be
anything). Runs before number extraction, which would otherwise read
`個(gè)月` as a unit with a remark.
"""

from __future__ import annotations

import re

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
_VOWELS = "aeiouüv" + _TONED
# One syllable: optional initial, vowel cluster, optional nasal/er coda.
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[{_VOWELS}]{{1,4}}(?:ng|n|r)?"
# The Han character before the parenthesis is checked by looking behind the
# pair from after the parenthesis: a pattern that begins with the parenthesis
# lets re scan for it, instead of trying a lookbehind at every character.
_ANNOTATION = re.compile(
    rf"[(（](?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][(（])(?P<syl>{_SYLLABLE})[)）]"
)
_HAS_TONE = re.compile(f"[{_TONED}]")


def find_pinyin(text: str) -> list[re.Match[str]]:
    """The annotation matches in `text`, in order."""
    return [m for m in _ANNOTATION.finditer(text) if _HAS_TONE.search(m["syl"])]


def strip_pinyin(text: str) -> tuple[str, list[str]]:
    """`text` without pinyin annotations, and the annotations removed (with their parentheses)."""
    if "(" not in text and "（" not in text:
        return text, []
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        if not _HAS_TONE.search(match["syl"]):
            return match.group(0)
        removed.append(match.group(0))
        return ""

    # Repeat: removing `(zhǎng)` in `長(zhǎng)(qū)` puts `(qū)` right after a Han character.
    while True:
        before = len(removed)
        text = _ANNOTATION.sub(drop, text)
        if len(removed) == before:
            return text, removed
