"""Flatten a parsed page into visual text lines, once, in one tree walk.

Every later decision (where the body is, which line is the headline, which
is the dateline) works on this flat list instead of walking the DOM again:
one Python-level traversal is the main cost of extraction, so it is done once.

A line ends wherever a browser would break one: at the start and end of a
block element and at <br>. Each block element remembers the range of lines
it spans, so "the text of this container" is a slice, and the score of a
container is a difference of prefix sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

# Never rendered as text, or controls whose labels are not article text.
_SKIP = frozenset(
    {
        "script", "style", "noscript", "iframe", "frame", "frameset", "select", "option",
        "textarea", "button", "input", "head", "template", "svg", "canvas", "object",
        "embed", "map", "area", "audio", "video", "title", "meta", "link", "img",
        "nav", "aside", "footer",
    }
)  # fmt: skip
_BLOCK = frozenset(
    {
        "html", "body", "div", "p", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody",
        "thead", "tfoot", "tr", "td", "th", "caption", "h1", "h2", "h3", "h4", "h5", "h6",
        "section", "article", "main", "header", "blockquote", "center", "form", "fieldset",
        "legend", "pre", "address", "figure", "figcaption", "hr", "details", "summary",
        "marquee", "text",
    }
)  # fmt: skip
_HEADINGS = frozenset({"h1", "h2", "h3"})
# Table parts hold no inline content: the HTML parser moves text and inline
# elements found in them out of the table ("foster parenting"). Whitespace
# between their cells therefore never joins two pieces of a line, and the
# walk lets lexbor skip it in C (a seventh of the nodes of a table layout).
_TABLE_PARTS = frozenset({"table", "tbody", "thead", "tfoot", "tr"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Whitespace a Chinese page uses for indentation and layout: ASCII, NBSP, ideographic space.
_SPACE = re.compile(r"[\s\u00a0\u3000\u2002\u2003\u200b\ufeff]+")


@dataclass(slots=True)
class Line:
    """One visual line of the page.

    `chars` counts non-space characters; `link_chars` those inside <a href>.
    `heading` is set for lines in h1-h3 or in an element whose class/id says title.
    """

    text: str
    chars: int
    link_chars: int
    heading: bool
    tag: str
    # The pieces of text outside links, for `plain`; None when no text is in a link.
    plain_parts: list[str] | None = None
    # Cache for extract.content.line_weight: several stages ask for it.
    weight: float | None = None

    @property
    def plain(self) -> str:
        """The text outside links: where a dateline on a link-heavy line really is.

        Made when asked: only lines around the body are, and a page has many link lines.
        """
        parts = self.plain_parts
        return self.text if parts is None else normalise_space("".join(parts))


# A block element and the half-open range of lines it spans: (tag, start, end,
# depth, children), children being the line ranges of its block children in
# order (lines between them are loose text). A plain tuple: a page has
# hundreds of them, and a dataclass instance costs some eighty times as much to make.
Container = tuple[str, int, int, int, list[tuple[int, int]]]


@dataclass
class PageLines:
    lines: list[Line] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    # Lines of the element page_lines was asked to mark (a profile's body selector), if any.
    marked: tuple[int, int] | None = None


def normalise_space(text: str) -> str:
    """Runs of _SPACE as one space, none at the ends.

    str.split() splits on exactly the whitespace of _SPACE's `\\s` (checked
    over every code point), and is several times faster than the regex; only
    the zero-width space and BOM it does not know need the regex.
    """
    if "\u200b" in text or "\ufeff" in text:
        return _SPACE.sub(" ", text).strip()
    return " ".join(text.split())


# Elements whose class/id marks a headline; found by one CSS query in C, not per node in Python.
TITLE_SELECTOR = (
    '[class*="title" i], [id*="title" i], [class*="headline" i], [class*="biaoti" i], '
    '[id*="biaoti" i], [class~="bt" i], [id="bt" i], [class~="tit" i]'
)
# Elements that may be hidden (is_hidden checks the style itself).
HIDDEN_SELECTOR = '[style*="none" i], [style*="hidden" i], [hidden]'


# CSS attribute selectors, judged in Python on an element a combined query
# returned (see extract.fields._scan_page): every full-tree query costs lexbor
# a walk of the page, so the page is queried once and each result is sorted
# here. The `i` flag folds ASCII letters only, and `~=` splits on CSS
# whitespace only, as lexbor does.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CSS_WHITESPACE = re.compile("[ \t\n\f\r]+")


def ascii_lower(value: str) -> str:
    """`value` with A-Z folded to a-z and nothing else (str.lower also folds İ, Σ, ...)."""
    return value.lower() if value.isascii() else value.translate(_ASCII_LOWER)


def css_contains(value: str | None, word: str) -> bool:
    """[attr*="word" i] for a lower-case `word`."""
    return bool(value) and word in ascii_lower(value)


def css_has_word(value: str | None, word: str) -> bool:
    """[attr~="word" i] for a lower-case `word`."""
    return bool(value) and word in _CSS_WHITESPACE.split(ascii_lower(value))


def css_equals(value: str | None, word: str) -> bool:
    """[attr="word" i] for a lower-case, non-empty `word`."""
    return bool(value) and ascii_lower(value) == word


def is_title_hinted(attrs: dict[str, str | None]) -> bool:
    """Whether an element matches TITLE_SELECTOR, from its attributes."""
    cls = attrs.get("class")
    ident = attrs.get("id")
    if not cls and not ident:
        return False  # every rule needs one of them (most elements queried are <meta>s with neither)
    return (
        css_contains(cls, "title") or css_contains(ident, "title") or css_contains(cls, "headline")
        or css_contains(cls, "biaoti") or css_contains(ident, "biaoti") or css_has_word(cls, "bt")
        or css_equals(ident, "bt") or css_has_word(cls, "tit")
    )  # fmt: skip


def is_hidden(attrs: dict[str, str | None]) -> bool:
    """Whether a browser would not show an element: it matches HIDDEN_SELECTOR and its style hides it (inline display:none, `hidden`)."""
    if "hidden" in attrs:
        return True
    style = attrs.get("style") or ""
    return (css_contains(style, "none") or css_contains(style, "hidden")) and _HIDDEN.search(style) is not None


_LINK = ("link",)

# What the walk does with a node, by kind. Read from the node's lexbor tag id
# (an int) rather than its name: `.tag` builds a new str for every element.
_TEXT, _BLOCK_KIND, _BREAK, _SKIPPED, _ANCHOR, _INLINE = range(6)
_TEXT_TAG_ID = 2  # LXB_TAG__TEXT
# LXB_TAG__LAST_ENTRY: ids up to it are lexbor's fixed tag table; larger ids are
# custom tags (<text>, <o:p>) numbered per document, so never remembered.
_LAST_STATIC_TAG_ID = 0xC4
# Kind and name by fixed tag id, filled as tags are first met (None: not yet).
_KIND_BY_ID: list[int | None] = [None] * (_LAST_STATIC_TAG_ID + 1)
_NAME_BY_ID: list[str | None] = [None] * (_LAST_STATIC_TAG_ID + 1)


def _kind(node: LexborNode, tag_id: int) -> int:
    """The walk's kind for a node, from its tag name; remembered for fixed tag ids."""
    tag = node.tag
    if tag == "-text":
        kind = _TEXT
    elif tag in _BLOCK:
        kind = _BLOCK_KIND
    elif tag == "br":
        kind = _BREAK
    elif tag in _SKIP or tag is None or tag[0] in "_!-":
        kind = _SKIPPED
    elif tag == "a":
        kind = _ANCHOR
    else:
        kind = _INLINE
    if 0 < tag_id <= _LAST_STATIC_TAG_ID:
        _KIND_BY_ID[tag_id] = kind
        _NAME_BY_ID[tag_id] = tag
    return kind


def _new_line(parts: list[str], plain_parts: list[str], link_chars: int, heading: bool, tag: str) -> Line | None:
    """The line `parts` spell, or None when they hold only spaces (normalise_space, inlined).

    str.split() leaves no space inside the words, so the spaces of the joined
    text are one fewer than the words (str.count on CJK text costs far more).
    The Line keeps `plain_parts` (page_lines starts a new list for each line).
    """
    text = "".join(parts)
    if "\u200b" in text or "\ufeff" in text:
        text = _SPACE.sub(" ", text).strip()
        chars = len(text) - text.count(" ")
    else:
        words = text.split()
        text = " ".join(words)
        chars = len(text) - len(words) + 1
    if not text:
        return None
    if link_chars:
        return Line(text, chars, link_chars if link_chars < chars else chars, heading, tag, plain_parts)
    return Line(text, chars, 0, heading, tag)


def page_lines(root: LexborNode, title_ids: frozenset[int] = frozenset(), mark: int | None = None) -> PageLines:
    """The visual lines under `root` and the block containers that hold them.

    `title_ids` are the mem_ids of elements whose class/id marks a headline
    (see title_hinted); their lines are flagged as headings. `mark` is the
    mem_id of one element whose line range is wanted (PageLines.marked); it
    is treated as a block even when inline.

    One pass over every node, and the main cost of extraction, so it is
    written for CPython's sake: all state in locals, each level's children
    consumed by a `for` loop (a descent suspends it on an explicit stack and
    breaks out; real pages nest thousands deep, beyond the recursion limit),
    nodes told apart by their integer tag id, positional arguments to
    selectolax, and an attribute lookup only for <a>. Hidden nodes and title
    hints were found up front by CSS queries in C. Inline text accumulates in
    `parts`; block edges and <br> close the line.
    """
    lines: list[Line] = []
    containers: list[Container] = []
    parts: list[str] = []
    plain_parts: list[str] = []
    link_chars = 0
    in_heading = 0
    in_link = 0
    block_tag = "body"
    marked: tuple[int, int] | None = None
    # Line ranges of the block children of the innermost open block (the
    # enclosing blocks' lists wait in their block records on `stack`).
    kids: list[tuple[int, int]] = []
    headings = _HEADINGS
    table_parts = _TABLE_PARTS
    kinds = _KIND_BY_ID
    names = _NAME_BY_ID
    last_static = _LAST_STATIC_TAG_ID
    has_titles = bool(title_ids)
    new_line = _new_line
    text_tag = _TEXT_TAG_ID
    block_kind, break_kind, skipped_kind, anchor_kind = _BLOCK_KIND, _BREAK, _SKIPPED, _ANCHOR
    # Suspended levels: (child iterator, exit). Exit is None (inline), _LINK, or a block
    # record (tag, first line, enclosing block tag, heading, depth, is_mark, enclosing kids).
    stack: list[tuple] = []
    children = root.iter(True)
    exit_: tuple | None = None
    while True:
        for child in children:
            tag_id = child.tag_id
            if tag_id == text_tag:
                value = child.text_content
                if not value:
                    continue
                if value.isspace():
                    # Layout whitespace between tags: a space inside a line, nothing at its edges.
                    if parts:
                        parts.append(" ")
                    continue
                parts.append(value)
                if in_link:
                    link_chars += len(value) - value.count(" ") - value.count("\n") - value.count("\t")
                else:
                    plain_parts.append(value)
                continue
            kind = kinds[tag_id] if tag_id <= last_static else None
            if kind is None:
                kind = _kind(child, tag_id)
            if kind == block_kind or (mark and child.mem_id == mark):
                tag = names[tag_id] if kind == block_kind and tag_id <= last_static else child.tag
                if parts:
                    line = new_line(parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    if line is not None:
                        lines.append(line)
                    parts = []
                    plain_parts = []
                    link_chars = 0
                if has_titles or mark:
                    mem_id = child.mem_id
                    heading = tag in headings or mem_id in title_ids
                    is_mark = bool(mark) and mem_id == mark
                else:
                    heading = tag in headings
                    is_mark = False
                stack.append((children, exit_))
                exit_ = (tag, len(lines), block_tag, heading, len(stack), is_mark, kids)
                block_tag = tag
                in_heading += heading
                kids = []
                children = child.iter(True, tag in table_parts)
                break
            elif kind == break_kind:
                if parts:
                    line = new_line(parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    if line is not None:
                        lines.append(line)
                    parts = []
                    plain_parts = []
                    link_chars = 0
            elif kind == skipped_kind:
                continue
            elif kind == anchor_kind and child.attrs.get("href") is not None:  # a link, not an anchor
                in_link += 1
                stack.append((children, exit_))
                exit_ = _LINK
                children = child.iter(True)
                break
            else:
                stack.append((children, exit_))
                exit_ = None
                children = child.iter(True)
                break
        else:
            # This level is exhausted: close what it belonged to, resume its parent.
            if exit_ is _LINK:
                in_link -= 1
            elif exit_ is not None:
                tag, start, saved_tag, heading, depth, is_mark, outer_kids = exit_
                if parts:
                    line = new_line(parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    if line is not None:
                        lines.append(line)
                    parts = []
                    plain_parts = []
                    link_chars = 0
                in_heading -= heading
                block_tag = saved_tag
                end = len(lines)
                if is_mark:
                    marked = (start, end)
                if end > start:
                    outer_kids.append((start, end))
                    containers.append((tag, start, end, depth, kids))
                kids = outer_kids
            if not stack:
                break
            children, exit_ = stack.pop()
    if parts:
        line = new_line(parts, plain_parts, link_chars, in_heading > 0, block_tag)
        if line is not None:
            lines.append(line)
    containers.append((root.tag or "root", 0, len(lines), -1, kids))
    return PageLines(lines, containers, marked)

