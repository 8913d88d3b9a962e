"""Where the article body is: the run of sibling blocks whose lines are most prose-like.

Each line gets a weight: positive for prose (text with sentence punctuation
or long), negative for chrome (link text, copyright and licence furniture),
zero for short unpunctuated text (subheads, labels, bylines). Within every
block container, Kadane's algorithm finds the run of consecutive children
with the greatest total weight; the best run on the page is the body.
Including a navigation bar or a related-links list lowers the total, leaving
out a paragraph lowers it too, so the run ends where the article ends,
whatever the markup (<p> runs, <br>-separated text, layout tables, <div>
runs), and a whole container competes as a run of one child of its parent.

`article_end` then cuts the run at general signs that the article is over
(a comments or related-links header, the stamp closing a blog post).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from extract.dateline import MINUTE, first_date
from extract.textlines import Container, Line

# Sentence punctuation: prose has it; menus, labels (来源：…) and datelines do not.
_PUNCT = re.compile("[，。！？；、,!?;]")
_SENTENCE_END = re.compile("[。；！？;!?]")
# Site furniture that shares a container with the article: copyright, licences, contacts.
# Every alternative starts with a literal character, so re scans for their first
# characters in C before trying any (a character class there, [Cc], turns that off).
_FURNITURE = re.compile(
    r"版权所有|版权归|Copyright|copyright|COPYRIGHT|©|ICP|备案号|公网安备|刊号|邮发代号|未经(?:书面)?授权|不得转载|禁止转载|"
    r"转载请注明|联系我们|举报电话|违法和不良信息|增值电信|新闻信息服务许可|电子邮箱|投稿邮箱"
)
# A line this short still reads as prose when it is punctuated (dialogue: “咳咳，茶座君。”).
_SHORT_SENTENCE = 5
# A line this long is prose even without punctuation (a list of names, an old unpunctuated text).
_LONG = 60


@dataclass(frozen=True)
class BodySpan:
    """The chosen container: lines[start:end]."""

    start: int
    end: int
    score: float


def line_weight(line: Line) -> float:
    """The line's weight, computed once per line (several stages ask for it)."""
    weight = line.weight
    if weight is None:
        weight = line.weight = _weigh(line)
    return weight


def _weigh(line: Line) -> float:
    """How much a line argues for its container being the article body.

    Prose counts by its length; link text and site furniture count against.
    Short unpunctuated text without links (subheads, labels, spec-table rows,
    bylines) is neutral: it neither makes nor breaks a container, and runs
    extend over it on ties, so the article keeps its subheads and tables.
    """
    chars = line.chars
    links = line.link_chars
    if chars == 0:
        return 0.0
    if links * 2 >= chars:
        return -float(links)
    text = chars - links
    if _FURNITURE.search(line.text):
        return -float(chars)
    if line.tag == "li" and text < _LONG and not _SENTENCE_END.search(line.text):
        # Short list items are teasers and link captions, not paragraphs,
        # unless they end a sentence (a numbered point: 1. 坚持党的领导。).
        return -min(float(text), 12.0) * 0.5 - links
    if text >= _LONG or text >= _SHORT_SENTENCE and _PUNCT.search(line.text):
        return float(text) - links
    return -links if links else 0.0


def _weights(lines: list[Line]) -> list[float]:
    """line_weight of every line, with its call inlined (this runs over every line of a page)."""
    weights = []
    for line in lines:
        weight = line.weight
        if weight is None:
            weight = line.weight = _weigh(line)
        weights.append(weight)
    return weights


def _best_run(box: Container, prefix: list[float]) -> BodySpan | None:
    """Kadane over the box's units (block children and the loose lines between them).

    A run that starts fresh takes along the neutral units right before it
    (a leading subhead such as 一、背景 weighs nothing, but belongs to the text).
    The best run so far is kept in locals and made a BodySpan once, at the end.
    """
    best_start = best_end = -1
    best_score = 0.0
    run_start = -1
    run_score = 0.0
    neutral_from = -1  # first of the zero-weight units just passed, -1 if none
    _, pos, box_end, _, children = box
    k = 0
    n_children = len(children)
    while pos < box_end:
        if k < n_children and children[k][0] == pos:
            start, end = children[k]
            k += 1
        else:
            start, end = pos, pos + 1
        pos = end
        weight = prefix[end] - prefix[start]
        if run_start < 0 or run_score <= 0:
            run_start, run_score = (neutral_from if neutral_from >= 0 and weight > 0 else start), weight
        else:
            run_score += weight
        if weight == 0.0:
            if neutral_from < 0:
                neutral_from = start
        else:
            neutral_from = -1
        if best_end < 0 or run_score >= best_score:
            best_start, best_end, best_score = run_start, end, run_score
    return BodySpan(best_start, best_end, best_score) if best_end >= 0 else None


def choose_body(lines: list[Line], containers: list[Container]) -> BodySpan | None:
    """The run of sibling blocks with the greatest total line weight, anywhere in the page.

    A whole container is a run of one child of its parent, so whole containers
    compete too; runs matter where the article's paragraphs share a parent
    with chrome (a layout cell holding the article, then related links).
    Containers are visited richest first, and one whose positive weight
    cannot beat the best run so far is skipped: most of a page is pruned.
    """
    weights = _weights(lines)
    # The same additions in the same order as a running sum, done by accumulate in C.
    prefix = [0.0, *accumulate(weights)]
    gains = [0.0, *accumulate([weight if weight > 0 else 0.0 for weight in weights])]
    best: BodySpan | None = None
    # Richest first; a stable sort of indices by a list's __getitem__ (no Python
    # call per container) gives the order sorting the containers by key gives.
    keys = [gains[box[1]] - gains[box[2]] for box in containers]
    for index in sorted(range(len(containers)), key=keys.__getitem__):
        box = containers[index]
        if best is not None and gains[box[2]] - gains[box[1]] < best.score - 1e-9:
            break
        run = _best_run(box, prefix)
        if run is None:
            continue
        if (
            best is None
            or run.score > best.score + 1e-9
            or (abs(run.score - best.score) <= 1e-9 and run.end - run.start < best.end - best.start)
        ):
            best = run
    if best is None or best.score <= 0:
        return None
    return best


# Lines that open what follows an article: comments, related links, pagers.
_END_MARKER = re.compile(
    r"^[\s【\[(（《<>»·•●■◆★☆|｜\-—=]*(?:"
    r"相关(?:文章|新闻|报道|阅读|链接|专题|稿件|推荐|资讯|内容|评论|热词)|延伸阅读|推荐阅读|热门推荐|猜你喜欢|更多精彩|热点推荐|"
    r"精彩推荐|往期回顾|热门文章|最新文章|热门评论|最新评论|网友评论|发表评论|我要评论|评论列表|查看评论|"
    r"上一篇|下一篇|评论$|反侵权公告|版权声明|免责声明|郑重声明|特别声明|声明\s*[:：]|评论\s*[（(]\d+[)）]|"
    r".{0,40}(?:已有|共有?)\s*\d+\s*(?:件|条|篇|个)?(?:评论|回复|留言))"
)
_MARKER_MAX_CHARS = 40
# Prose weight that must precede a marker or a dateline before it can end the article:
# toolbars and datelines above the first paragraph are not the end of anything.
_MIN_PROSE_BEFORE = 50.0
_DATELINE_MAX_CHARS = 80


def _is_end_marker(line: Line) -> bool:
    # Spaced-out labels (郑 重 声 明) are common in old templates.
    return line.chars <= _MARKER_MAX_CHARS and bool(_END_MARKER.match(line.text.replace(" ", "")))


def is_post_stamp(line: Line) -> bool:
    """A short non-prose line with a date and a time of day: a post's or a comment's stamp."""
    text = line.text
    if line.chars > _DATELINE_MAX_CHARS or "。" in text or (":" not in text and "：" not in text and "时" not in text):
        return False
    match = first_date(line.text, min_precision=MINUTE)
    return match is not None


def article_end(lines: list[Line], start: int, end: int) -> int:
    """Where the article stops inside lines[start:end].

    Two general signs end it early: a marker line opening comments, related
    links or a pager, when less prose follows it than precedes it (a
    "延伸阅读" box set into the middle of an article is followed by the rest
    of the article); or, when the run holds several posts (a blog front page,
    an article with its comments), the first post's own time stamp, so the
    first post is kept with its stamp and the rest dropped.
    """
    weights = _weights(lines[start:end])
    total = sum(weights)
    datelines = {i for i in range(start, end) if is_post_stamp(lines[i])}
    repeated = len(datelines) >= 2
    prose = 0.0
    seen = 0.0
    for i in range(start, end):
        if prose >= _MIN_PROSE_BEFORE:
            if total - seen < prose and _is_end_marker(lines[i]):
                return i
            if repeated and i in datelines:
                return i + 1
        weight = weights[i - start]
        seen += weight
        if weight > 0:
            prose += weight
    return end
