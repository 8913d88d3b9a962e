"""Where a text names administrative divisions: 泸州市江阳区 -> 泸州市, 江阳区.

Matching is a longest-first dictionary scan over the gazetteer's names, so
it is exact (no fuzzy place guessing) and fast on the short texts it reads
(headline, lead paragraph, source line). What it accepts:

* full names of every division, current or historic (江阳区, 徐水县);
* short names of provinces and prefecture cities only (长沙, 四川, 新疆):
  county short names are ordinary words too often (城中, 和平, 青山);
* two-character full names (城区, 郊区, 南县, 和县) only right after the
  name of their own parent (益阳市南县), as they are common words.

Place-name spam, runs of `|`-separated names, is skipped whatever cleaning
left of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from transform.gazetteer import CITY, COUNTY, PROVINCE, Gazetteer, Place, load_gazetteer

# Short forms the gazetteer's suffix rule does not produce.
_PROVINCE_ALIASES = {"新疆": "新疆维吾尔自治区", "兵团": "新疆维吾尔自治区"}
# Runs of three or more `|`-separated names: 砚山县| 泰安市| 嘉黎县| …
_SPAM_RUN = re.compile(r"(?:[\u4e00-\u9fff]{1,10}[ \t]*[|｜][ \t]*){3,}[\u4e00-\u9fff]{0,10}")
# A place name followed by these is the name of something else: 金山报, 长沙路.
_NOT_A_PLACE_AFTER = ("路", "街", "大道", "大学", "学院", "报", "日报", "晚报", "电视台", "银行", "号")


@dataclass(frozen=True)
class Mention:
    """One place name as written, with every division it can mean."""

    text: str
    start: int
    end: int
    places: tuple[Place, ...]
    short: bool  # written as a short name (长沙), not a full one (长沙市)


class _Index:
    """Names to places, filled per name on first hit (a page meets a few dozen of 7,000).

    Membership tests go straight to the gazetteer's own name index, so the
    first `find_mentions` of a process costs one `max()` over the names, and
    only names that are hits are cached (misses are most substrings tried).
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer
        self.full = gazetteer.full_names()
        self.short = gazetteer.short_names() | _PROVINCE_ALIASES.keys()
        # First two characters -> the lengths of the names (full or short) starting
        # with them, longest first: most positions of a text start no name at all and
        # are dismissed by one lookup, and the others try only lengths some name has.
        lengths: dict[str, set[int]] = {}
        for name in self.full | self.short:
            if len(name) >= 2:
                lengths.setdefault(name[:2], set()).add(len(name))
        self.reach = {prefix: tuple(sorted(found, reverse=True)) for prefix, found in lengths.items()}
        # Characters some name starts with: about a third of a text's positions, found
        # by re in C, so the Python-level lookups run only there.
        self.starts = re.compile("[" + re.escape("".join(sorted({key[0] for key in self.reach}))) + "]")
        self._names: dict[str, tuple[Place, ...]] = {}
        self._shorts: dict[str, tuple[Place, ...] | None] = {}

    def names(self, name: str) -> tuple[Place, ...]:
        """Places with this full name (one of `full`), by adcode."""
        places = self._names.get(name)
        if places is None:
            places = self._names[name] = self._gazetteer.named(name)
        return places

    def shorts(self, name: str) -> tuple[Place, ...] | None:
        """Provinces and prefecture cities with this short name (one of `short`), then aliases; None if none."""
        if name not in self._shorts:
            places = [p for p in self._gazetteer.short_named(name) if p.level in (PROVINCE, CITY)]
            if len(name) < 2:
                places = []
            full = _PROVINCE_ALIASES.get(name)
            if full:
                places += [p for p in self._gazetteer.named(full) if p.level == PROVINCE]
            self._shorts[name] = tuple(places) or None
        return self._shorts[name]


@cache
def _index() -> _Index:
    return _Index(load_gazetteer())


def without_spam(text: str) -> str:
    """The text with `|`-separated runs of names blanked out (offsets kept)."""
    if "|" not in text and "｜" not in text:
        return text  # the usual case, settled without trying the run pattern at every Han character
    return _SPAM_RUN.sub(lambda m: " " * len(m.group()), text)


def find_mentions(text: str) -> list[Mention]:
    """Place names in `text`, left to right, longest match first, not overlapping."""
    index = _index()
    text = without_spam(text)
    mentions: list[Mention] = []
    end = 0  # where the last mention ended: names do not overlap
    for start in index.starts.finditer(text):
        i = start.start()
        if i < end:
            continue
        mention = _mention_at(text, i, index, mentions[-1] if mentions else None)
        if mention is not None:
            mentions.append(mention)
            end = mention.end
    return mentions


def _mention_at(text: str, i: int, index: _Index, previous: Mention | None) -> Mention | None:
    lengths = index.reach.get(text[i : i + 2])
    if lengths is None:
        return None
    for length in lengths:
        name = text[i : i + length]
        if len(name) < length:
            continue  # the text ends first
        if name in index.full:
            places, short = index.names(name), False
        elif name in index.short:
            places, short = index.shorts(name), True
            if places is None:
                continue
        else:
            continue
        if text.startswith(_NOT_A_PLACE_AFTER, i + length):
            continue
        if length == 2 and not short:
            places = _under_previous(places, previous, i)
            if not places:
                continue
        return Mention(name, i, i + length, places, short)
    return None


def _under_previous(places: tuple[Place, ...], previous: Mention | None, start: int) -> tuple[Place, ...]:
    """Two-character names (南县, 城区) count only right after their parent's name."""
    if previous is None or previous.end != start:
        return ()
    parents = {p.name for p in previous.places}
    return tuple(p for p in places if p.level == COUNTY and (p.city in parents or p.province in parents))
