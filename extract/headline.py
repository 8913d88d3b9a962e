"""The article headline: the on-page heading that agrees with <title>.

<title> carries the site name (`..._人民网`, `... - 中国共产党新闻网`) and
sometimes a column path, while the page's own heading is the clean headline.
The best line near the body start is the one that matches a <title> segment,
with a bonus for being marked as a heading (h1-h3, class/id "title").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extract.content import line_weight
from extract.dateline import first_date
from extract.textlines import Line

# Separators between headline, column and site name in <title>.
_TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]+|-{2,}|—+|－+|\s+-\s*|-\s+|::|>>|»|·{2,}|\s{2,})\s*")
# How far before the body the headline may sit, in lines.
_LOOKBACK = 40
_MAX_HEADLINE_CHARS = 100
# An unmarked headline (no <title> match, no heading tag) is a plain line this long
# within this many lines above the first paragraph.
_MIN_UNMARKED_CHARS = 4
_MAX_UNMARKED_CHARS = 50
_UNMARKED_REACH = 8
# Lines that are labels, not headlines: 编者按, 摘要, 正文, 当前位置….
_NOT_A_HEADLINE = re.compile(r"[：:。]|^(?:编者按|摘要|导语|正文|简介|当前位置|您现在的位置)")
# Forum and bulletin pages label the headline: 主题：…, 标题：….
_LABELLED = re.compile(r"^\s*(?:主题|标题|题目|帖子主题)\s*[:：]\s*(?P<text>\S.*)$")


@dataclass(frozen=True)
class Headline:
    text: str | None
    index: int | None  # the line index, None when taken from <title> only


# Everything str.isalnum() rejects: re's \w is exactly isalnum() plus "_" (checked
# over every code point), and one sub in C beats a per-character generator.
_NOT_ALNUM = re.compile(r"[\W_]+")
# Spacing and punctuation the key drops whatever NFKC makes of them. Dropped first,
# they leave most lines already in NFKC form, which normalize() then returns after
# its quick check: a Chinese comma (U+FF0C, which NFKC folds) otherwise costs it the
# full algorithm, ~3 µs a line. Fullwidth letters and digits stay for NFKC to fold.
# When what is left is not in NFKC form, the line is folded as it was instead: a
# mark such as ﾞ must not compose with the letter before a dropped colon.
_PUNCTUATION_RUN = re.compile(
    "[\\s\u00a0\u3000\u3001\u3002\u2026\u00b7\u2022\u2013\u2014\u2015\u2018\u2019\u201c\u201d"
    "\u3008-\u3011\u3014\u3015\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff5e!-/:-@\\[-`{-~]+"
)


def _key(text: str) -> str:
    """The letters and digits of `text`, NFKC-folded and lower-cased: how a line is compared with <title>."""
    letters = _PUNCTUATION_RUN.sub("", text)
    if not unicodedata.is_normalized("NFKC", letters):
        letters = unicodedata.normalize("NFKC", text)
    return _NOT_ALNUM.sub("", letters).lower()


def _keyed_segments(title: str) -> list[tuple[str, str]]:
    """The parts of a <title> with their _key (made once, for the sort and the comparisons), longest key
    (most likely the headline) first."""
    keyed = [(part, _key(part)) for part in (p.strip() for p in _TITLE_SPLIT.split(title)) if part]
    return sorted(keyed, key=lambda pair: -len(pair[1]))


def _match_score(key: str, title_key: str, segment_keys: list[str]) -> float:
    if not key or not title_key:
        return 0.0
    if key == title_key or key in segment_keys:
        return 10.0
    if len(key) >= 4 and key in title_key:
        return 4.0 + 4.0 * len(key) / len(title_key)
    for seg in segment_keys:
        if len(seg) >= 4 and seg in key and len(seg) * 2 >= len(key):
            return 4.0 + 4.0 * len(seg) / len(key)
    return 0.0


def choose_headline(lines: list[Line], page_title: str | None, body_start: int, body_end: int) -> Headline:
    """The headline line in the lines before (or at the very top of) the body."""
    title_key = _key(page_title or "")
    keyed = _keyed_segments(page_title or "")
    segments = [segment for segment, _ in keyed]
    segment_keys = [key for _, key in keyed]
    best: tuple[float, int, str] | None = None
    first = max(0, body_start - _LOOKBACK)
    last = min(len(lines), body_start + 4, body_end)
    for i in range(first, last):
        line = lines[i]
        if line.chars < 2 or line.chars > _MAX_HEADLINE_CHARS:
            continue
        if line.link_chars * 2 > line.chars and not line.heading:
            continue
        labelled = _LABELLED.match(line.text)
        text = labelled["text"] if labelled else line.text
        score = _match_score(_key(text), title_key, segment_keys)
        heading = line.heading or labelled is not None
        if score == 0.0 and not heading:
            continue
        score += 3.0 if heading else 0.0
        score -= 0.05 * abs(body_start - i)
        if best is None or score > best[0]:
            best = (score, i, text)
    if best is not None and best[0] > 2.0:
        return Headline(best[2], best[1])
    unmarked = _unmarked_headline(lines, body_start, body_end)
    if unmarked is not None:
        return Headline(lines[unmarked].text, unmarked)
    if segments:
        return Headline(segments[0], None)
    return Headline(None, None)


def _is_plain_label(line: Line) -> bool:
    """Short unpunctuated text without links or dates: what an unmarked headline looks like."""
    text = line.text
    return (
        _MIN_UNMARKED_CHARS <= line.chars <= _MAX_UNMARKED_CHARS
        and line_weight(line) == 0.0
        and not line.link_chars
        and not _NOT_A_HEADLINE.search(text)
        and first_date(text) is None
    )


def _unmarked_headline(lines: list[Line], body_start: int, body_end: int) -> int | None:
    """When nothing matches <title> (a site name, "显示", empty), the headline is usually the
    first of the plain short lines standing right above the first paragraph."""
    first_prose = next(
        (i for i in range(body_start, min(body_end, body_start + _UNMARKED_REACH)) if line_weight(lines[i]) > 0),
        None,
    )
    if first_prose is None:
        return None
    found = None
    for i in range(first_prose - 1, max(-1, first_prose - _UNMARKED_REACH), -1):
        line = lines[i]
        if _is_plain_label(line):
            found = i
        elif line.link_chars * 2 > line.chars or first_date(line.text) is not None or line.chars <= 12:
            continue  # a byline, a dateline or a share bar between headline and text
        else:
            break
    return found
