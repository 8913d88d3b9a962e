"""Byline metadata: 来源 (source), 作者/记者 (author), 责编 (editors), and which lines are metadata.

Mirror sites re-serve pages in traditional script with pinyin glossed after
each character (`文章來(lái)源: 紅星網(wǎng)`), so labels are matched on a
normalised copy (pinyin glosses dropped, OpenCC t2s) while the values
returned are cut from the original text: cleaning converts script later and
records what it changed, so extraction must not convert silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from extract.dateline import find_dates, labelled_among, labelled_date

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
# A pinyin gloss right after a Han character: 來(lái), 網（wǎng）.
_PINYIN_GLOSS = re.compile(
    rf"(?<=[{_HAN}])[（(]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{{1,7}}\d?\s*[)）]"
)

class _Worded:
    """A compiled pattern tried only on text holding one of the words it needs.

    Patterns opening with an optional prefix or a lookaround are tried by re
    at every position; `in` finds that none of their words is there much
    faster, and on most lines none is.
    """

    __slots__ = ("pattern", "words")

    def __init__(self, pattern: str, words: tuple[str, ...]) -> None:
        self.pattern = re.compile(pattern)
        self.words = words

    def search(self, text: str) -> re.Match[str] | None:
        for word in self.words:
            if word in text:
                return self.pattern.search(text)
        return None


_SEP = r"\s*[:：]\s*"
# Labels that end a value: the next field on the same line.
_NEXT_FIELD = (
    r"(?=\s*(?:[|｜/]\s*)?(?:文章)?(?:出自|来源|作者|记者|通讯员|发布|发表|时间|日期|更新|点击|浏览|阅读|访问|评论|网友|字号|编辑|责编|责任编辑|"
    r"稿源|出处|摄影|摄|分享|打印|关闭|【|\[|（|\(|\d{4}\s*[-年/.])|\s{2,}|$)"
)
_SOURCE = _Worded(
    r"(?:文章|信息|新闻)?(?:来源|稿源|出处|来自)" + _SEP + r"(?P<value>.+?)" + _NEXT_FIELD, ("来源", "稿源", "出处", "来自")
)
_AUTHOR = re.compile(r"(?:作者|文|撰稿|撰文|执笔人?|作者姓名)" + _SEP + r"(?P<value>.+?)" + _NEXT_FIELD)
_REPORTER = _Worded(
    r"(?:^|[\s（(【\[])(?:本报|本台|本网|新华社|中新社|人民网)?[^\s，。]{0,12}?(?:特约记者|记者|通讯员|实习生)\s*[:：]?\s*"
    r"(?P<value>[" + _HAN + r"]{2,4}(?:[\s、，,]+[" + _HAN + r"]{2,4})*)",
    ("记者", "通讯员", "实习生"),
)
# What may follow the names on a reporter line: 发自北京, 山东冠县报道, 摄.
_REPORTER_TAIL = re.compile(r"^\s*(?:发自\S{0,8}\s*$|\S{0,8}报道\s*$|[/／]\s*(?:文|图)|文\s*$|[)）】\]]\s*$|$)")
_MAX_REPORTER_LINE = 40
# 责编 labels start the line or a bracket/field and are followed by a colon or a space:
# (责编：王静、张三), 【编辑:刘欢】, (松花江网编辑 孙桂芳) — not 编辑部 or 主编辑器.
_EDITORS = _Worded(
    r"(?:^|[\s（(【\[|｜])[^\s：:，。]{0,8}?(?:责任编辑|责编|编辑|编审|审核|校对)\s*(?:[:：]\s*|\s+)"
    r"(?P<value>[^()（）\[\]【】\s][^()（）\[\]【】]*?)\s*(?:[)）\]】].*)?$",
    ("责编", "编辑", "编审", "审核", "校对"),
)
_LABELS = re.compile(
    r"(?:来源|稿源|出处|作者|记者|通讯员|责任编辑|责编|编辑|发布时间|发布日期|发表时间|发表日期|更新时间|时间|日期|"
    r"点击|浏览|阅读|次数|字号|字体|打印|关闭|窗口|收藏|分享|大|中|小|默认|【|】|\[|\]|\(|\)|（|）|:|：|\||｜|/|-)"
)
# A byline label the template left empty: 责任编辑：, (来源：).
_EMPTY_LABEL = re.compile(r"\s*[（(【\[]?\s*(?:责任编辑|责编|编辑|来源|作者|记者)\s*[:：]\s*[)）】\]]?\s*")
_SPLIT_NAMES = re.compile(r"\s*[、，,;；/]\s*|\s+")
# Metadata lines are short; a long line is prose that happens to mention a 记者.
_MAX_META_CHARS = 90
_MAX_NAME_CHARS = 20


@dataclass
class Byline:
    source: str | None = None
    author: str | None = None
    editors: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


class NormalisedLine(NamedTuple):
    """A simplified, gloss-free copy of a line and the original index of each of its characters.

    A NamedTuple, not a frozen dataclass: as immutable, and a third of the cost to make.
    """

    original: str
    text: str
    index: Sequence[int] | None  # a range when nothing was cut out

    def cut(self, start: int, end: int) -> str:
        """The original text behind text[start:end] (the normalised text when lengths diverged)."""
        if self.index is None or start >= end:
            return self.text[start:end]
        return self.original[self.index[start] : self.index[end - 1] + 1]


def normalise_line(line: str) -> NormalisedLine:
    return normalise_lines([line])[0]


def _unglossed(line: str) -> tuple[str, Sequence[int]]:
    """`line` without pinyin glosses, and the original index of each kept character."""
    if "(" not in line and "（" not in line:
        return line, range(len(line))  # no gloss: most lines, and no index list to build
    kept: list[int] = []
    pos = 0
    for m in _PINYIN_GLOSS.finditer(line):
        kept.extend(range(pos, m.start()))
        pos = m.end()
    if not pos:
        return line, range(len(line))  # parentheses, but no gloss
    kept.extend(range(pos, len(line)))
    return "".join(line[i] for i in kept), kept


def normalise_lines(lines: list[str]) -> list[NormalisedLine]:
    """normalise_line for several lines, with one OpenCC call for all of them.

    A call costs more than a short line's characters; joined with newlines
    (no dictionary phrase holds one) the result is the same as line by line.
    """
    stripped = [_unglossed(line) for line in lines]
    texts = [text for text, _ in stripped]
    joined = "\n".join(texts)
    if joined.isascii():
        simplified = texts
    else:
        simplified = []
        # No text holds a newline exactly when the joined text holds one per join.
        if len(texts) > 1 and joined.count("\n") == len(texts) - 1:
            simplified = _t2s().convert(joined).split("\n")
        if len(simplified) != len(texts):  # one line, or newlines inside: line by line
            simplified = [_t2s().convert(text) if not text.isascii() else text for text in texts]
    out = []
    for line, (text, kept), simple in zip(lines, stripped, simplified, strict=True):
        index = (kept if isinstance(kept, range) else tuple(kept)) if len(simple) == len(text) else None
        out.append(NormalisedLine(line, simple, index))
    return out


# Template debris where a value should be: size="20", <font>.
_MARKUP = re.compile(r"[=<>\"{}]")


def _value(norm: NormalisedLine, match: re.Match) -> str | None:
    value = norm.cut(match.start("value"), match.end("value")).strip(" ：:|｜/,，()（）[]【】")
    if not value or _MARKUP.search(value):
        return None
    return value


def source_of(norm: NormalisedLine) -> str | None:
    m = _SOURCE.search(norm.text)
    return _value(norm, m) if m else None


def _reporter_names(norm: NormalisedLine) -> list[str] | None:
    """The names on a reporter line (本报记者 王燕平 方云凤; 新京报记者 彭冲 山东冠县报道), else None."""
    text = norm.text
    if len(text) > _MAX_REPORTER_LINE:
        return None
    m = _REPORTER.search(text)
    if not m or m.start() > 16:
        return None
    names = [n for n in _SPLIT_NAMES.split(norm.cut(m.start("value"), m.end("value"))) if n]
    tail = text[m.end("value") :]
    if tail.startswith("报道") and len(names) > 1:
        # The last "name" is the place of a "…报道" tail: 彭冲 山东冠县 | 报道.
        names = names[:-1]
    elif not _REPORTER_TAIL.match(tail):
        return None
    return names or None


# A reporter credited inside the lead paragraph: 据新华社拉萨电（记者 格桑边觉）.
_INLINE_REPORTER = re.compile(
    r"[（(](?:[^）)]{0,10}?)(?:特约记者|记者|通讯员)\s*(?P<value>[" + _HAN + r"]{2,4}(?:[\s、，,]+[" + _HAN + r"]{2,4})*)\s*[）)]"
)


# The author's name alone in parentheses closing an article: （袁源）, （记者 刘涛）.
_CLOSING_NAME = re.compile(r"^[（(]\s*(?:记者|作者|通讯员)?\s*(?P<value>[" + _HAN + r"]{2,3}(?:[\s、，,]+[" + _HAN + r"]{2,3})*)\s*[）)]$")


def closing_names(line: str) -> str | None:
    """The names of a closing （袁源） line, space-separated, or None."""
    if not (line.startswith(("（", "(")) and line.endswith(("）", ")"))):
        return None  # normalising keeps the first character and the closing parenthesis
    norm = normalise_line(line)
    m = _CLOSING_NAME.match(norm.text)
    if not m:
        return None
    names = [n for n in _SPLIT_NAMES.split(norm.cut(m.start("value"), m.end("value"))) if n]
    return " ".join(names) or None


def lead_reporter(paragraph: str) -> str | None:
    """The reporter named in parentheses near the start of the lead paragraph, if any."""
    head = paragraph[:80]
    if "（" not in head and "(" not in head:
        return None
    norm = normalise_line(head)
    m = _INLINE_REPORTER.search(norm.text)
    if not m:
        return None
    names = [n for n in _SPLIT_NAMES.split(norm.cut(m.start("value"), m.end("value"))) if n]
    return " ".join(names) or None


# Who posted, on forum and blog stamp lines: 本贴由大卫于…, 由海姑娘张贴 @ …, ggjjzhzz 发表于 …, … by duscha.
_POSTER = (
    re.compile(r"由\s*(?P<value>[^\s@，,。]{1,16}?)\s*(?:于|张贴|发表|发布)"),
    re.compile(r"(?:^|\s)(?P<value>[^\s：:@，,。]{2,16})\s+发表于"),
    re.compile(r"\bby\s+(?P<value>[^\s〓|｜]{1,20})", re.I),
)


def _tidy_name(value: str) -> str:
    """Drop an affiliation after the name (赵培：北京物资学院) and the padding inside a two-character name (赵 培)."""
    value = re.split(r"[：:，,（(]", value, maxsplit=1)[0].strip()
    if re.fullmatch(rf"[{_HAN}][\s\u3000]+[{_HAN}]", value):
        value = value[0] + value[-1]
    return value


def author_of(norm: NormalisedLine) -> str | None:
    m = _AUTHOR.search(norm.text)
    if m:
        value = _value(norm, m)
        if value and len(value) <= _MAX_NAME_CHARS:
            return _tidy_name(value) or None
    names = _reporter_names(norm)
    if names:
        return " ".join(names)
    if labelled_date(norm.text) is not None:
        for pattern in _POSTER:
            m = pattern.search(norm.text)
            if m:
                return _value(norm, m)
    return None


def editors_of(norm: NormalisedLine) -> list[str]:
    if len(norm.text) > _MAX_META_CHARS // 2:
        return []
    m = _EDITORS.search(norm.text)
    if not m:
        return []
    value = norm.cut(m.start("value"), m.end("value"))
    names = [n.strip(" ：:()（）") for n in _SPLIT_NAMES.split(value)]
    return [n for n in names if n and len(n) <= _MAX_NAME_CHARS]


def is_metadata_line(norm: NormalisedLine) -> bool:
    """A short line that is only byline: labels, a date, a source or names, no prose."""
    text = norm.text
    if len(text) > _MAX_META_CHARS or "。" in text:
        return False
    short = len(text) <= _MAX_META_CHARS // 2
    if _SOURCE.search(text) or short and _EDITORS.search(text):
        return True
    if _EMPTY_LABEL.fullmatch(text):
        return True
    if short and _AUTHOR.search(text):
        return True
    if _reporter_names(norm):
        return True
    dates = find_dates(text)
    if "，" not in text and labelled_among(text, dates) is not None:
        # 发布时间：…, 本贴由某某于…发表: a stamp line, however much else it names.
        return True
    if dates:
        rest = text
        for d in reversed(dates):
            rest = rest[: d.start] + rest[d.end :]
        rest = _LABELS.sub("", rest)
        return len(rest.replace(" ", "")) <= 12
    return False


def names_byline_field(norm: NormalisedLine) -> bool:
    """A short text that is a source, editor or author label with or without its value (来源：, 【编辑：王静】)."""
    text = norm.text
    if len(text) > _MAX_META_CHARS // 2 or "。" in text:
        return False
    return bool(
        _EMPTY_LABEL.fullmatch(text) or _SOURCE.search(text) or _EDITORS.search(text) or _AUTHOR.search(text)
        or _reporter_names(norm)
    )  # fmt: skip


def read_byline(lines: list[NormalisedLine]) -> Byline:
    """The first source, first author and all editors named on these metadata lines."""
    byline = Byline()
    authors: list[str] = []
    for norm in lines:
        byline.source = byline.source or source_of(norm)
        author = author_of(norm)
        if author and author not in authors:
            authors.append(author)
        for name in editors_of(norm):
            if name not in byline.editors:
                byline.editors.append(name)
    # Several reporter lines (本报记者…, 本报实习生…) name several authors.
    byline.author = " ".join(authors) if authors else None
    return byline
