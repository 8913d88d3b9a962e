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

from selectolax.lexbor import LexborHTMLParser, LexborNode

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
    # The text outside links: where a dateline on a link-heavy line really is.
    plain: str = ""
    # Cache for extract.content.line_weight: several stages ask for it.
    weight: float | None = None


@dataclass(slots=True)
class Container:
    """A block element and the half-open range of lines it spans."""

    tag: str
    start: int
    end: int
    depth: int
    # Line ranges of the block children, in order; lines between them are loose text.
    children: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class PageLines:
    lines: list[Line] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)
    # Lines of the element page_lines was asked to mark (a profile's body selector), if any.
    marked: tuple[int, int] | None = None


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# Elements whose class/id marks a headline; found by one CSS query in C, not per node in Python.
_TITLE_SELECTOR = (
    '[class*="title" i], [id*="title" i], [class*="headline" i], [class*="biaoti" i], '
    '[id*="biaoti" i], [class~="bt" i], [id="bt" i], [class~="tit" i]'
)


_LINK = ("link",)


class _Walker:
    """Accumulates inline text into the current line; block edges flush it."""

    __slots__ = ("lines", "containers", "parts", "plain_parts", "link_chars", "in_heading",
                 "block_tag", "child_stack", "title_ids", "mark", "marked")  # fmt: skip

    def __init__(self, title_ids: frozenset[int], mark: int | None = None) -> None:
        self.lines: list[Line] = []
        self.containers: list[Container] = []
        self.parts: list[str] = []
        self.plain_parts: list[str] = []
        self.link_chars = 0
        self.in_heading = 0
        self.block_tag = "body"
        self.child_stack: list[list[tuple[int, int]]] = [[]]
        self.title_ids = title_ids
        self.mark = mark
        self.marked: tuple[int, int] | None = None

    def flush(self) -> None:
        # The part lists are cleared in place: walk() holds them in locals.
        parts = self.parts
        if not parts:
            return
        text = _SPACE.sub(" ", "".join(parts)).strip()
        parts.clear()
        if text:
            chars = len(text) - text.count(" ")
            links = self.link_chars
            if links:
                links = min(links, chars)
                plain = _SPACE.sub(" ", "".join(self.plain_parts)).strip()
            else:
                plain = text
            self.lines.append(Line(text, chars, links, self.in_heading > 0, self.block_tag, plain))
        self.plain_parts.clear()
        self.link_chars = 0

    def walk(self, root: LexborNode) -> None:
        """One pass over every node under `root`, with an explicit stack.

        Real pages nest thousands deep (unclosed <font>/<div> in old
        templates), beyond Python's recursion limit, so the walk keeps its
        own stack of child iterators. Each entry carries what to do when the
        element ends: close a block, leave a link, or nothing (inline).
        Attribute dicts are only built for links: hidden nodes and title
        hints were found up front by CSS queries in C.
        """
        block_tags = _BLOCK
        skip_tags = _SKIP
        headings = _HEADINGS
        title_ids = self.title_ids
        mark = self.mark
        lines = self.lines
        parts = self.parts
        plain_parts = self.plain_parts
        flush = self.flush
        in_link = 0
        # Entries: (child iterator, exit): exit is None (inline), _LINK, or a block record
        # (tag, first line, enclosing block tag, heading flag, depth).
        stack: list[tuple] = [(root.iter(include_text=True), None)]
        while stack:
            child = next(stack[-1][0], None)
            if child is None:
                _, exit_ = stack.pop()
                if exit_ is None:
                    continue
                if exit_ is _LINK:
                    in_link -= 1
                    continue
                tag, start, saved_tag, heading, depth, is_mark = exit_
                if parts:
                    flush()
                children = self.child_stack.pop()
                self.in_heading -= heading
                self.block_tag = saved_tag
                end = len(lines)
                if is_mark:
                    self.marked = (start, end)
                if end > start:
                    self.child_stack[-1].append((start, end))
                    self.containers.append(Container(tag, start, end, depth, children))
                continue
            tag = child.tag
            if tag == "-text":
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
                    self.link_chars += len(value) - value.count(" ") - value.count("\n") - value.count("\t")
                else:
                    plain_parts.append(value)
            elif tag in block_tags or (mark and child.mem_id == mark):
                if parts:
                    flush()
                heading = tag in headings or (bool(title_ids) and child.mem_id in title_ids)
                is_mark = bool(mark) and child.mem_id == mark
                stack.append(
                    (child.iter(include_text=True), (tag, len(lines), self.block_tag, heading, len(stack), is_mark))
                )
                self.block_tag = tag
                self.in_heading += heading
                self.child_stack.append([])
            elif tag == "br":
                flush()
            elif tag in skip_tags or tag is None or tag[0] in "_!-":
                continue
            elif tag == "a" and child.attributes.get("href") is not None:
                in_link += 1
                stack.append((child.iter(include_text=True), _LINK))
            else:
                stack.append((child.iter(include_text=True), None))


def page_lines(root: LexborNode, title_ids: frozenset[int] = frozenset(), mark: int | None = None) -> PageLines:
    """The visual lines under `root` and the block containers that hold them.

    `title_ids` are the mem_ids of elements whose class/id marks a headline
    (see title_hinted); their lines are flagged as headings. `mark` is the
    mem_id of one element whose line range is wanted (PageLines.marked); it
    is treated as a block even when inline.
    """
    walker = _Walker(title_ids, mark)
    walker.walk(root)
    walker.flush()
    walker.containers.append(Container(root.tag or "root", 0, len(walker.lines), -1, walker.child_stack[0]))
    return PageLines(walker.lines, walker.containers, walker.marked)


def title_hinted(tree: LexborHTMLParser) -> frozenset[int]:
    """mem_ids of elements whose class or id says they hold a title."""
    return frozenset(node.mem_id for node in tree.css(_TITLE_SELECTOR))


def drop_hidden(tree: LexborHTMLParser) -> None:
    """Remove elements a browser would not show (inline display:none, `hidden`).

    Pages hide anti-copy junk and spam inside article paragraphs this way, and
    readers (and the ground truth they copy) never see it. Done with one CSS
    query in C so the Python walk need not read every element's style.
    """
    for node in tree.css('[style*="none" i], [style*="hidden" i], [hidden]'):
        attrs = node.attributes
        style = attrs.get("style") or ""
        if "hidden" in attrs or _HIDDEN.search(style):
            node.decompose()
