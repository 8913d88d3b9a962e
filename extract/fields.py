"""HTML -> article fields (title, dateline, source, author, body blocks).

The generic extractor: flatten the page into lines once (extract.textlines),
pick the body container by line weights (extract.content), then read the
headline (extract.headline) and the byline/dateline (extract.metadata,
extract.dateline) from the lines around the body's top and tail. A source
profile may override where the title, body or date are with CSS selectors.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

from extract.content import BodySpan, article_end, choose_body, is_post_stamp, line_weight
from extract.dateline import DateMatch, first_date, labelled_date, parse_meta_date, url_date
from extract.headline import Headline, choose_headline
from extract.metadata import (
    Byline,
    NormalisedLine,
    closing_names,
    is_metadata_line,
    lead_reporter,
    names_byline_field,
    normalise_line,
    normalise_lines,
    read_byline,
)
from extract.textlines import (
    HIDDEN_SELECTOR,
    TITLE_SELECTOR,
    Line,
    css_contains,
    css_equals,
    is_hidden,
    is_title_hinted,
    normalise_space,
    page_lines,
)

# Lines after the headline (or before the body) that may hold the dateline/byline.
_HEAD_ZONE_BEFORE = 8
_HEAD_ZONE_INTO_BODY = 10
# A headline more lines than this above the body is read as far away (see _head_zone).
_HEAD_GAP = 8
# A body line weighing this much is a paragraph: the head zone ends there.
_PARAGRAPH_WEIGHT = 30.0
# Lines just above the headline that may carry the date (newspaper-page layouts).
_BEFORE_HEADLINE = 3
_MAX_STAMP_LINE_CHARS = 120
# Han characters of link text that make a link a headline rather than a site name.
_HEADLINE_LINK_HAN = 6
_STAMP_REACH = 80
# Lines at the end of the body and just after it that may hold 责编/来源/dates.
_TAIL_ZONE = 10
# Byline lines may follow the body container directly (at most this many).
_AFTER_BODY = 3
_MAX_METADATA_CHARS = 90
_AUTHOR_SELECTOR = '[class*="author" i], [id*="author" i], [class*="zuozhe" i], [itemprop="author" i]'
_MAX_AUTHOR_ELEMENT_CHARS = 40
# A character every byline label holds, in either script (来源, 出处, 来自, 编辑, 审核, 校对,
# 作者, 文, 撰稿, 执笔, 记者, 通讯员, 实习生): a quick test before normalising a line.
_BYLINE_CHAR = re.compile("[源处處自编編审審校作文撰执執笔筆记記讯訊实實]")
_META_DATE_NAMES = (
    "publishdate", "pubdate", "publish_date", "publishtime", "publish-date", "article:published_time",
    "og:release_date", "og:published_time", "dc.date.issued", "dc.date", "date", "firstpublishedtime",
    "created", "createdate", "releasedate",
)  # fmt: skip


@dataclass
class PageFields:
    """What the HTML says about one article, before any text cleaning.

    `blocks` are the candidate body paragraphs in document order, as text
    (one entry per paragraph-like element). Cleaning decides what of them is
    chrome or spam; extraction only decides where the article is.
    """

    url: str | None
    title: str | None
    published_at: datetime | None
    source: str | None = None
    author: str | None = None
    editors: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    # Lines the extractor read as metadata (datelines, 来源/作者/责编 lines) and
    # therefore kept out of `blocks`; cleaning records them as removed metadata.
    metadata_lines: list[str] = field(default_factory=list)
    # How much of published_at the page printed: "month", "day", "minute" or
    # "second" (a page giving only 2003年5月 yields the 1st at month precision).
    published_precision: str | None = None


@dataclass(frozen=True)
class FieldSelectors:
    """CSS selectors from a source profile for a known layout; each one is optional."""

    title: str | None = None
    body: str | None = None
    date: str | None = None


def _node_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    text = normalise_space(node.text(deep=True, separator=" "))
    return text or None


def _is_author_marked(attrs: dict[str, str | None]) -> bool:
    """Whether an element matches _AUTHOR_SELECTOR, from its attributes."""
    cls = attrs.get("class")
    return (
        css_contains(cls, "author") or css_contains(attrs.get("id"), "author") or css_contains(cls, "zuozhe")
        or css_equals(attrs.get("itemprop"), "author")
    )  # fmt: skip


@dataclass
class _Marked:
    """The elements extraction looks up by attribute, found by one query before hidden ones were removed.

    Elements inside a removed subtree are detached (parent None) and empty,
    so each use skips them and the result is that of a query made after.
    """

    page_title: str | None  # the text of the first <title>, read before anything was removed
    title_ids: frozenset[int]
    authors: list[LexborNode]
    metas: list[LexborNode]
    times: list[LexborNode]  # <time datetime>


def _grouped_by_attribute(*selector_lists: str) -> str:
    """Attribute selectors grouped by the attribute they test: `[id]:is([id*="a" i], [id="b" i])`.

    lexbor tries every selector of a list on every element. Grouped, an
    element without the attribute (most of them) fails one test instead of
    one per selector, and the query costs about two thirds as much. The same
    elements match: each selector of a group requires its attribute anyway.
    """
    groups: dict[str, list[str]] = {}
    for selector in ", ".join(selector_lists).split(", "):
        name = re.match(r"\[([\w-]+)", selector)
        assert name is not None, selector
        groups.setdefault(name[1], []).append(selector)
    return ", ".join(
        f"[{name}]:is({', '.join(group)})" if len(group) > 1 else group[0] for name, group in groups.items()
    )


_SCAN_SELECTOR = ", ".join(
    ("title", "meta", "time[datetime]", _grouped_by_attribute(HIDDEN_SELECTOR, TITLE_SELECTOR, _AUTHOR_SELECTOR))
)
# tree.css() makes each parsed page its own LexborCSSSelector (a lexbor CSS
# parser and matcher, ~15 µs to set up) for one query; one per thread serves
# every page. Per thread: a query keeps its state on the selector object.
_THREAD_SELECTOR = threading.local()


def _query(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """tree.css(selector), with this thread's reusable selector engine."""
    engine = getattr(_THREAD_SELECTOR, "engine", None)
    if engine is None:
        engine = _THREAD_SELECTOR.engine = LexborCSSSelector()
    root = tree.root
    return engine.find(selector, root) if root is not None else []


def _scan_page(tree: LexborHTMLParser) -> _Marked:
    """Read <title>, remove hidden elements (textlines.is_hidden) and collect the marked ones, with one CSS query.

    Every full-tree query costs lexbor a walk of the whole page (~0.04 ms on
    the real pages, whatever it matches), so one query with all the selectors
    costs about four fifths of the six it replaces. Each result is sorted by
    the same rules in Python (is_hidden, is_title_hinted, _is_author_marked;
    a node matching several selectors comes back once per selector, and is
    sorted once).
    """
    title = None
    hidden = []
    title_ids = set()
    authors = []
    metas = []
    times = []
    seen = set()
    for node in _query(tree, _SCAN_SELECTOR):
        mem_id = node.mem_id
        if mem_id in seen:
            continue
        seen.add(mem_id)
        attrs = node.attributes
        if is_hidden(attrs):
            hidden.append(node)
        if is_title_hinted(attrs):
            title_ids.add(mem_id)
        if _is_author_marked(attrs):
            authors.append(node)
        tag = node.tag
        if tag == "meta":
            metas.append(node)
        elif tag == "time" and "datetime" in attrs:
            times.append(node)
        elif tag == "title" and title is None:
            title = node
    page_title = _node_text(title)
    for node in hidden:
        node.decompose()
    return _Marked(page_title, frozenset(title_ids), authors, metas, times)


def _meta_date(metas: list[LexborNode]) -> DateMatch | None:
    for meta in metas:
        if meta.parent is None:
            continue  # inside a removed hidden element
        attrs = meta.attributes
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content")
        if name in _META_DATE_NAMES and content:
            match = parse_meta_date(content)
            if match is not None:
                return match
    return None


def _last_body_line(
    lines: list[Line], start: int, end: int, metadata: Collection[int], head: int | None
) -> int | None:
    """The last line of the body that is not already metadata."""
    for i in range(end - 1, start - 1, -1):
        if i not in metadata and i != head:
            return i
    return None


def _may_be_metadata(line: Line) -> bool:
    return line.chars <= _MAX_METADATA_CHARS and line.link_chars * 2 <= line.chars


def _metadata_line(line: Line, norm: NormalisedLine | None = None) -> NormalisedLine | None:
    """The normalised copy of a line when it is a byline/dateline line, else None."""
    if not _may_be_metadata(line):
        return _linked_byline(line)
    norm = norm or normalise_line(line.text)
    return norm if is_metadata_line(norm) else None


def _linked_byline(line: Line) -> NormalisedLine | None:
    """A byline line that is mostly link: its label is text, its value or a button is a link.

    来源：<a>某某网</a>, 【编辑：王静】<a>返回首页</a>. A line
    that is mostly link is not metadata in general (a related-article entry
    with its date), but one whose own text names a byline field is.
    """
    if line.chars > _MAX_METADATA_CHARS or line.plain == line.text or not _BYLINE_CHAR.search(line.plain):
        return None
    plain = normalise_line(line.plain)
    if not names_byline_field(plain):
        return None
    return normalise_line(line.text)


def _normalised_zone(lines: list[Line], indices: list[int]) -> dict[int, NormalisedLine]:
    """Normalised copies of the zone lines that may be metadata, made in one batch (one OpenCC call)."""
    wanted = [i for i in dict.fromkeys(indices) if 0 <= i < len(lines) and _may_be_metadata(lines[i])]
    return dict(zip(wanted, normalise_lines([lines[i].text for i in wanted]), strict=True))


def _time_element_date(times: list[LexborNode]) -> DateMatch | None:
    """The machine-readable <time datetime> of the page, used to read ambiguous printed dates."""
    node = next((node for node in times if node.parent is not None), None)
    value = node.attributes.get("datetime") if node is not None else None
    return parse_meta_date(value) if value else None


def _han_count(text: str) -> int:
    return sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")


def _is_link_list_item(line: Line) -> bool:
    """A line whose links carry a headline (·某地召开会议（2005-04-03）): a related-articles entry.

    A dateline may sit beside a link too, but that link is a site name or a URL.
    """
    if line.link_chars * 2 <= line.chars:
        return False
    return _han_count(line.text) - _han_count(line.plain) >= _HEADLINE_LINK_HAN


def _first_date_in(lines: list[Line], indices: range | list[int]) -> DateMatch | None:
    """The first full date printed outside links on these lines, related-article entries skipped."""
    for i in indices:
        line = lines[i]
        if _is_link_list_item(line):
            continue
        match = first_date(line.plain)
        if match is not None:
            return match
    return None


def _labelled_date_in(lines: list[Line], indices: Iterable[int]) -> DateMatch | None:
    """The first date introduced by a stamp label (发布时间, 发表于, 于) on these lines."""
    for i in indices:
        line = lines[i]
        if line.chars > _MAX_STAMP_LINE_CHARS:
            continue
        match = labelled_date(line.plain)
        if match is not None:
            return match
    return None


def _nearest_first(count: int, anchor: int) -> Iterator[int]:
    """Line indices near `anchor`, nearest first (earlier on ties): a stamp far away dates something else.

    The order of sorting range(anchor - reach, anchor + reach) by (distance, index),
    made as it is read: the first labelled date usually sits a few lines away.
    """
    low, high = max(0, anchor - _STAMP_REACH), min(count, anchor + _STAMP_REACH)
    for distance in range(max(anchor - low, high - 1 - anchor) + 1):
        before, after = anchor - distance, anchor + distance
        if low <= before < high:
            yield before
        if distance and low <= after < high:
            yield after


def _head_zone(lines: list[Line], layout: _Layout) -> list[int]:
    """Lines after the headline down to the first real paragraph: where datelines sit.

    Without a headline line close above the body, the lines just above the
    body are read nearest first: the dateline sits against the article, blog
    and site boxes further up.
    """
    head = layout.headline.index
    span = layout.body
    end = layout.body_start
    limit = min(span.end, layout.body_start + _HEAD_ZONE_INTO_BODY)
    while end < limit and (end < layout.body_start + 2 or line_weight(lines[end]) < _PARAGRAPH_WEIGHT):
        end += 1
    if head is not None and layout.body_start - head <= _HEAD_GAP:
        return list(range(head + 1, end))
    # No headline, or one far above the body (a blog's name): nearest the body first.
    top = head + 1 if head is not None else max(0, span.start - _HEAD_ZONE_BEFORE)
    above = list(range(span.start - 1, top - 1, -1))
    return above + list(range(span.start, end))


@dataclass
class _Layout:
    """The page as lines plus the decisions made about them."""

    lines: list[Line]
    body: BodySpan
    headline: Headline
    body_start: int  # first body line after the headline


def _layout(root: LexborNode, page_title: str | None, title_ids: frozenset[int]) -> _Layout | None:
    page = page_lines(root, title_ids)
    span = choose_body(page.lines, page.containers)
    if span is None:
        return None
    headline = choose_headline(page.lines, page_title, span.start, span.end)
    body_start = span.start
    if headline.index is not None and span.start <= headline.index < span.end:
        body_start = headline.index + 1
    span = BodySpan(span.start, article_end(page.lines, body_start, span.end), span.score)
    return _Layout(page.lines, span, headline, body_start)


def _selected_layout(
    tree: LexborHTMLParser, selectors: FieldSelectors, page_title: str | None, title_ids: frozenset[int]
) -> _Layout | None:
    """The body as a profile's selector names it: every line of that element is body.

    The whole page is still flattened so the headline and the dateline can be
    found around the selected element.
    """
    node = tree.css_first(selectors.body) if selectors.body else None
    if node is None:
        return None
    whole = page_lines(tree.body or tree.root, title_ids, mark=node.mem_id)
    if whole.marked is None or whole.marked[0] == whole.marked[1]:
        return None  # selector matched nothing visible: the generic path decides
    span = BodySpan(whole.marked[0], whole.marked[1], 0.0)
    headline = choose_headline(whole.lines, page_title, span.start, span.end)
    body_start = span.start
    if headline.index is not None and span.start <= headline.index < span.end:
        body_start = headline.index + 1
    return _Layout(whole.lines, span, headline, body_start)


def extract_fields(html: str, url: str | None = None, *, selectors: FieldSelectors | None = None) -> PageFields:
    """Read title, dateline, byline and body paragraphs from one article page."""
    tree = LexborHTMLParser(html)
    marked = _scan_page(tree)
    page_title = marked.page_title
    title_ids = marked.title_ids
    layout = None
    if selectors and selectors.body:
        layout = _selected_layout(tree, selectors, page_title, title_ids)
    if layout is None:
        layout = _layout(tree.body or tree.root, page_title, title_ids)
    if layout is None:
        fields = PageFields(url=url, title=page_title, published_at=None)
        _apply_selectors(tree, fields, selectors)
        return fields

    zones = _zones(layout)
    found = _read_metadata(layout, zones, _author_texts(marked.authors))
    lines, span, head = layout.lines, layout.body, layout.headline.index
    blocks = [lines[i].text for i in range(layout.body_start, span.end) if i not in found.indices and i != head]
    byline = found.byline
    if byline.author is None and blocks:
        byline.author = lead_reporter(blocks[0])
    if byline.author is None:
        byline.author = found.closing_author
    date = _choose_date(marked, layout, zones, found, url)
    fields = PageFields(
        url=url,
        title=layout.headline.text or page_title,
        published_at=date.value if date else None,
        source=byline.source,
        author=byline.author,
        editors=byline.editors,
        blocks=blocks,
        metadata_lines=[lines[i].text for i in sorted(found.indices)],
        published_precision=date.precision if date else None,
    )
    _apply_selectors(tree, fields, selectors)
    return fields


@dataclass
class _Zones:
    """Where bylines and datelines are looked for, as line indices."""

    head: list[int]  # after the headline, down to the first paragraph
    before_head: list[int]  # just above the headline, nearest first
    tail: list[int]  # the last lines of the body
    after: list[int]  # just below the body


def _zones(layout: _Layout) -> _Zones:
    head = layout.headline.index
    span = layout.body
    return _Zones(
        head=_head_zone(layout.lines, layout),
        before_head=list(range(head - 1, max(0, head - _BEFORE_HEADLINE) - 1, -1)) if head is not None else [],
        tail=list(range(max(layout.body_start, span.end - _TAIL_ZONE), span.end)),
        after=list(range(span.end, min(len(layout.lines), span.end + _TAIL_ZONE))),
    )


@dataclass
class _Metadata:
    """The byline/dateline lines found around the body and what they say."""

    indices: set[int]
    byline: Byline
    closing_author: str | None


def _author_texts(authors: list[LexborNode]) -> frozenset[str]:
    """Texts of short elements whose class/id says author (<h4 class="author">某某党工委</h4>)."""
    texts = set()
    for node in authors:
        if node.parent is None:
            continue  # inside a removed hidden element
        text = _node_text(node)
        if text and len(text) <= _MAX_AUTHOR_ELEMENT_CHARS:
            texts.add(text)
    return frozenset(texts)


def _read_metadata(layout: _Layout, zones: _Zones, author_texts: frozenset[str]) -> _Metadata:
    """Metadata lines in the zones (kept out of the body) and the byline they spell out.

    A head-zone line that is exactly the text of an author-marked element is
    a byline even without a 作者 label: it names the author.
    """
    lines, span = layout.lines, layout.body
    last = span.end - 1
    ready = _normalised_zone(lines, zones.head + zones.tail + zones.after[:_AFTER_BODY] + [last])

    def norm_of(i: int) -> NormalisedLine:
        return ready.get(i) or normalise_line(lines[i].text)

    normalised: dict[int, NormalisedLine] = {}
    marked_author = None
    for i in dict.fromkeys(zones.head + zones.tail):
        norm = _metadata_line(lines[i], ready.get(i))
        if norm is not None:
            normalised[i] = norm
        elif i in zones.head and lines[i].text in author_texts and marked_author is None:
            normalised[i] = norm_of(i)
            marked_author = lines[i].text
    # The stamp that closed a post (发表于 …, 由某某张贴 @ …) is metadata too.
    if last >= layout.body_start and last not in normalised and is_post_stamp(lines[last]):
        normalised[last] = norm_of(last)
    # Byline lines directly under the body (责编, 来源 at the foot of the article).
    for i in zones.after[:_AFTER_BODY]:
        norm = _metadata_line(lines[i], ready.get(i))
        if norm is None:
            break
        normalised[i] = norm
    # A closing （袁源） line names the author when nothing else does.
    closing_author = None
    last_body = _last_body_line(lines, layout.body_start, span.end, normalised.keys(), layout.headline.index)
    if last_body is not None:
        closing_author = closing_names(lines[last_body].text)
        if closing_author:
            normalised[last_body] = norm_of(last_body)
    byline = read_byline([normalised[i] for i in sorted(normalised)])
    if byline.author is None and marked_author is not None:
        byline.author = marked_author
    return _Metadata(set(normalised), byline, closing_author)


def _choose_date(
    marked: _Marked, layout: _Layout, zones: _Zones, found: _Metadata, url: str | None
) -> DateMatch | None:
    """The publication date, from the most to the least trustworthy place.

    The dateline under the headline first; then just above it; then the
    page's machine-readable metadata; then a labelled stamp (发布时间, 发表于)
    at the foot of the body or near it; then the URL path. Dates in link
    text (related-article lists) never count.
    """
    lines, span = layout.lines, layout.body
    printed = (
        _first_date_in(lines, [i for i in zones.head if i in found.indices])
        or _first_date_in(lines, zones.head)
        or _first_date_in(lines, zones.before_head)
    )
    # The metadata is read only when it is used: as the date, or to read a printed date that reads either way.
    meta_date = _meta_date(marked.metas) if printed is None or printed.alternative is not None else None
    date = (
        printed
        or meta_date
        or _labelled_date_in(lines, zones.tail + zones.after)
        or _labelled_date_in(lines, _nearest_first(len(lines), span.start))
        or _first_date_in(lines, [i for i in sorted(found.indices) if i >= span.end - _TAIL_ZONE])
        or url_date(url)
    )
    if date is not None and date.alternative is not None:  # DateMatch.resolved leaves any other date as it is
        date = date.resolved(meta_date or _time_element_date(marked.times))
    return date


def _apply_selectors(tree: LexborHTMLParser, fields: PageFields, selectors: FieldSelectors | None) -> None:
    """Profile selectors for title and date win over the generic reading when they match."""
    if selectors is None:
        return
    if selectors.title:
        title = _node_text(tree.css_first(selectors.title))
        if title:
            fields.title = title
    if selectors.date:
        text = _node_text(tree.css_first(selectors.date))
        match = first_date(text) if text else None
        if match is not None:
            fields.published_at = match.value
            fields.published_precision = match.precision
