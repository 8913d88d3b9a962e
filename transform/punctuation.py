"""Punctuation and spacing inside Chinese text.

The rule (copied into the README):

1. Whitespace: every run of spaces, tabs, ideographic spaces (U+3000) and
   no-break spaces becomes one ASCII space; lines are stripped.
2. Half-width `,` `:` `;` `?` `!` become full-width (`，` `：` `；` `？` `！`) when
   they stand in Chinese text: the nearest non-space character before them
   is a Han character or Chinese punctuation, or the nearest one after them
   is, and the one before is not a Latin letter or digit. A mark between
   two digits or two Latin letters/digits never changes, so `1,362`,
   `10:30`, `http://`, `Hello, world` and `3.5` stay as they are (`.` is
   never touched).
3. A pair of half-width parentheses `( )` with no parenthesis inside
   becomes `（ ）` when it holds a Han character or touches one on either
   side (`超2000人(次)` -> `人（次）`, `(上海基层党建网)自` -> `（上海基层党建网）自`);
   `(English)` or `(2024)` in Latin text stays.
4. Spaces on both sides of pausing marks (`，。、；：？！…`) are removed, and
   spaces inside brackets and quotes (after `“‘（《【「『〈〔`, before
   `”’）》】」』〉〕`): `以来 , 金山区` -> `以来，金山区`, `《 绿水青山》` ->
   `《绿水青山》`. A space outside a quote or bracket stays, as does a space
   between two Han characters: both separate the two halves of a headline
   (`小区党支部建起来 “关键小事”有人管`).

Each step is idempotent, and so is the whole.
"""

from __future__ import annotations

import re

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。、；：？！“”‘’（）《》【】「」『』〈〉…—·〔〕"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_HALF_MARK = re.compile(r"[,:;?!]")
_PAREN_PAIR = re.compile(r"\(([^()]*)\)")
_PAUSING = "，。、；：？！…"
_OPENING = "“‘（《【「『〈〔"
_CLOSING = "”’）》】」』〉〕"
# Rule 4 as one pattern of spaces to delete: the replacement is a constant "",
# so re never expands a template per match (the commas of a page are many).
# A run goes when a pausing or closing mark follows it, or when a pausing or
# opening mark precedes it; the second test looks behind the run's first
# space together with that space, so that both branches begin with a literal
# space, which re finds by a fast scan instead of trying the lookbehind at
# every character.
_SPACE_TO_DROP = re.compile(f" (?: *(?=[{_PAUSING}{_CLOSING}])|(?<=[{_PAUSING}{_OPENING}] ) *)")
_IS_HAN = re.compile(f"[{_HAN}]")
_CHINESE_CHAR = re.compile(f"[{_HAN}{_CJK_PUNCT}]")


def normalise_spaces(text: str) -> str:
    """One ASCII space for every run of (Unicode) spaces; no leading or trailing space."""
    if text.isprintable() and "  " not in text:
        # Every space but U+0020 is unprintable, so there is no run to fold; this
        # check is several times faster than the pattern's search of a long line.
        return text.strip()
    return _SPACES.sub(" ", text).strip()


def _neighbour(text: str, index: int, step: int) -> str:
    """The nearest non-space character from `index` in direction `step`, or ''."""
    while 0 <= index < len(text):
        if text[index] != " ":
            return text[index]
        index += step
    return ""


def _latin_or_digit(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _full_width_marks(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = _neighbour(text, match.start() - 1, -1)
        after = _neighbour(text, match.end(), 1)
        if before and _CHINESE_CHAR.match(before):
            return _HALF_TO_FULL[match.group(0)]
        if after and _CHINESE_CHAR.match(after) and not _latin_or_digit(before):
            return _HALF_TO_FULL[match.group(0)]
        return match.group(0)

    return _HALF_MARK.sub(replace, text)


def _full_width_parens(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        before = _neighbour(text, match.start() - 1, -1)
        after = _neighbour(text, match.end(), 1)
        if (
            _IS_HAN.search(match.group(1))
            or (before and _CHINESE_CHAR.match(before))
            or (after and _CHINESE_CHAR.match(after))
        ):
            return f"（{match.group(1)}）"
        return match.group(0)

    return _PAREN_PAIR.sub(replace, text)


def _drop_spaces(text: str) -> str:
    """Rule 4. Deleting a run of spaces never changes the characters beside another
    run, so one application is final."""
    return _SPACE_TO_DROP.sub("", text) if " " in text else text


def _one_pass(text: str) -> str:
    if _HALF_MARK.search(text):
        text = _full_width_marks(text)
    if "(" in text:
        text = _full_width_parens(text)
    return _drop_spaces(text).strip()


def normalise_punctuation(text: str) -> str:
    """Apply the four rules of the module docstring to one line of text."""
    return punctuate(normalise_spaces(text))


def _has_half_width(text: str) -> bool:
    """True when rule 2 or 3 may apply: a half-width mark or parenthesis is left."""
    # Six substring tests cost half of one search for _HALF_MARK's class.
    return "(" in text or "," in text or ":" in text or ";" in text or "?" in text or "!" in text


def punctuate(text: str) -> str:
    """Rules 2-4 on a line whose spacing is already normalised (rule 1, normalise_spaces)."""
    if text.isascii():
        return text  # no Chinese context: nothing to change
    if not _has_half_width(text):
        # Only rule 4 can apply; spaces were already stripped at the ends.
        return _drop_spaces(text)
    # A converted mark or pair is Chinese context for its neighbours (nested
    # parentheses, `中,?`), so repeat until nothing changes; two passes are the norm.
    for _ in range(8):
        updated = _one_pass(text)
        if updated == text:
            break
        text = updated
        if not _has_half_width(text):
            break  # another pass would only repeat rule 4 and the strip: no change
    return text
