"""Place-name spam: runs like `砚山县| 泰安市| 嘉黎县| 本溪| 客服| …`.

SEO link farms append runs of county names to pages, separated by `|`.
A run is removed only as a whole: at least `MIN_RUN` consecutive tokens
between `|` separators, of which at least `MIN_PLACE_SHARE` are place names
(full or short names from the gazetteer, current or historic, or a 2-6
character Han name ending in an administrative suffix), the rest short junk
words (客服, 明星). Tokens must be bare names: 1-8 Han characters, nothing
else. Prose is never split on `、` or `，`, so an enumeration in a sentence
(`与中南大学、中南林科大、省林科院等12家单位`) or a sentence naming places
(`长沙市天心区文源街道…`) cannot be a run; a headline list uses one `|` per
line, far below `MIN_RUN`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transform.gazetteer import Gazetteer, load_gazetteer

MIN_RUN = 5
MIN_PLACE_SHARE = 0.7

_SEPARATOR = re.compile(r"\s*[|｜¦]\s*")
_TOKEN = re.compile(r"[\u4e00-\u9fff]{1,8}")
_ADMIN_SUFFIX = re.compile(r"[\u4e00-\u9fff]{1,5}(?:县|市|区|旗|盟|州|自治县|自治州|自治旗|地区|林区|特区)")
_JUNK = re.compile(r"[\u4e00-\u9fff]{1,4}")
# Where prose ends and a run glued to it begins: `…受益群众3000余户。砚山县| 泰安市| …`.
_PROSE_END = re.compile(r"^(?P<prose>.*[。！？；;!?…”）)\s])(?P<token>[\u4e00-\u9fff]{1,8})$")


@dataclass(frozen=True)
class SpamResult:
    """The line with spam runs cut out, and the runs removed."""

    text: str
    removed: list[str]


def is_place_token(token: str, gazetteer: Gazetteer | None = None) -> bool:
    """True when `token` names an administrative division (or has the shape of one)."""
    gazetteer = gazetteer or load_gazetteer()
    return gazetteer.is_place(token) or _ADMIN_SUFFIX.fullmatch(token) is not None


def _is_run(tokens: list[str], gazetteer: Gazetteer) -> bool:
    if len(tokens) < MIN_RUN:
        return False
    places = sum(1 for t in tokens if is_place_token(t, gazetteer))
    return places >= MIN_PLACE_SHARE * len(tokens)


def _token_ok(piece: str) -> bool:
    return _TOKEN.fullmatch(piece) is not None


def has_separator(line: str) -> bool:
    """True when `line` holds a `|` (any form): a line without one cannot hold a run."""
    return "|" in line or "｜" in line or "¦" in line


def strip_spam(line: str, gazetteer: Gazetteer | None = None) -> SpamResult:
    """`line` without place-name runs; prose before or after a run stays."""
    if not has_separator(line):
        return SpamResult(line, [])
    gazetteer = gazetteer or load_gazetteer()
    pieces = _SEPARATOR.split(line)
    if len(pieces) < MIN_RUN:
        return SpamResult(line, [])
    # The first piece may be prose ending in the run's first token; the last may be empty.
    prefix = ""
    first = pieces[0]
    if not _token_ok(first):
        match = _PROSE_END.match(first)
        if match:
            prefix, pieces[0] = match["prose"], match["token"]
    if pieces[-1] == "":
        pieces = pieces[:-1]

    kept: list[str] = []
    removed: list[str] = []
    i = 0
    while i < len(pieces):
        j = i
        while j < len(pieces) and _token_ok(pieces[j]):
            j += 1
        if j > i and _is_run(pieces[i:j], gazetteer):
            removed.append("| ".join(pieces[i:j]))
        else:
            # Not a run: these pieces (at least one) stay as they were.
            j = max(j, i + 1)
            kept.append("|".join(pieces[i:j]))
        i = j
    if not removed:
        return SpamResult(line, [])
    text = (prefix + "|".join(kept)).strip()
    return SpamResult(text, removed)
