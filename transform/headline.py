"""Headline cleanup, and the headline's copies inside the body.

Aggregators (seed 004) print headlines as `机构|标题`: the part before the bar
is the institution that published the story, not the headline. When the
prefix ends like an institution (…组织部, …网, …报, …政府) it is cut off
and offered as the source. Column names (`红色瞬间|…`) do not end like an
institution and stay.

The same pages repeat the headline in the body, as a line
`:原题为_<headline>。` and as `【<headline>】` glued to the start of a
paragraph; both are removed (kind duplicate_title), the rest of the
paragraph stays.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TypeGuard

from transform.normalise import NormalisedText, normalise_text
from transform.removal import Removal

_INSTITUTION = re.compile(
    r"^(?P<org>[\u4e00-\u9fffA-Za-z0-9（）()·]{2,24}"
    r"(?:组织部|宣传部|统战部|政法委|纪委|监委|委员会|党委|党组|党工委|工委|区委|市委|县委|省委|"
    r"人民政府|政府|办公室|办公厅|网|报|日报|晚报|新闻|电视台|广播电视台|融媒体中心|中心|社|局|厅|署|院|"
    r"学院|大学|协会|联合会|集团|公司))\s*[|｜]\s*(?P<headline>\S.*)$"
)
_ORIGINAL_TITLE = re.compile(r"^[:：\s]*原(?:标)?题(?:为|是)?\s*[_:：\s]\s*(?P<title>.+?)[。.]?$")
_BRACKETED = re.compile(r"【(?P<inner>[^【】]{4,120})】")
# Everything str.isalnum() rejects: re's \w is exactly isalnum() plus "_".
_NOT_ALNUM = re.compile(r"[\W_]+")
# The compatibility characters of most Chinese lines, each with its NFKC
# decomposition. Swapping one for its decomposition leaves NFKC unchanged,
# and leaves most lines already normalised, which unicodedata verifies far
# faster than it rebuilds a line that holds a full-width comma.
_COMMON_COMPAT = (("，", ","), ("：", ":"), ("；", ";"), ("！", "!"), ("？", "?"), ("（", "("), ("）", ")"), ("…", "..."))


@dataclass(frozen=True)
class SplitHeadline:
    """A headline with any aggregator prefix taken off."""

    title: str
    institution: str | None


def split_institution(title: str) -> SplitHeadline:
    """`金山区委组织部|金山区石化街道：…` -> (`金山区石化街道：…`, `金山区委组织部`)."""
    match = _INSTITUTION.match(title)
    if not match:
        return SplitHeadline(title, None)
    return SplitHeadline(match["headline"].strip(), match["org"])


def title_key(text: str) -> str:
    """Letters and digits only, NFKC: the same headline with other punctuation or spacing compares equal."""
    for compat, decomposition in _COMMON_COMPAT:
        text = text.replace(compat, decomposition)
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text))


def original_title_line(line: str) -> str | None:
    """The headline quoted by a `原题为_…` / `原标题：…` line, or None for any other line."""
    if "题" not in line:
        return None  # most lines: ruled out without a regex call
    match = _ORIGINAL_TITLE.match(line)
    return match["title"] if match else None


def strip_title_copies(line: str, titles: list[str]) -> tuple[str, list[str]]:
    """`line` without `【…】` spans whose text is one of `titles`; the spans removed."""
    if "【" not in line:
        return line, []
    keys = {title_key(t) for t in titles if t}
    keys.discard("")
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        if title_key(match["inner"]) in keys:
            removed.append(match.group(0))
            return ""
        return match.group(0)

    return _BRACKETED.sub(drop, line).strip(), removed


@dataclass
class CleanHeadline:
    """The cleaned title, the institution cut from it, and what cleaning removed.

    `variants` are the forms the headline may be copied into the body as
    (with and without the institution prefix).
    """

    title: str | None
    institution: str | None = None
    removed: list[Removal] = field(default_factory=list)
    damaged: bool = False
    variants: list[str] = field(default_factory=list)


def has_headline(raw: str | None) -> TypeGuard[str]:
    """False for a missing or blank title: there is nothing to clean."""
    return raw is not None and raw.strip() != ""


def clean_headline(raw: str | None) -> CleanHeadline:
    """Mojibake, pinyin, script and punctuation steps on the title, then the institution prefix."""
    if not has_headline(raw):
        return CleanHeadline(None)
    return headline_from(normalise_text(raw))


def headline_from(normalised: NormalisedText) -> CleanHeadline:
    """The institution prefix taken off a title that went through the character-level steps."""
    split = split_institution(normalised.text)
    title = split.title or None
    variants = [normalised.text] + ([split.title] if split.institution else [])
    return CleanHeadline(title, split.institution, normalised.removed, normalised.damaged, variants)
