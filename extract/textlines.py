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
    """Runs of _SPACE as one space, none at the ends.

    str.split() splits on exactly the whitespace of _SPACE's `\\s` (checked
    over every code point), and is several times faster than the regex; only
    the zero-width space and BOM it does not know need the regex.
    """
    if "\u200b" in text or "\ufeff" in text:
        return _SPACE.sub(" ", text).strip()
    return " ".join(text.split())


# Elements whose class/id marks a headline; found by one CSS query in C, not per node in Python.
_TITLE_SELECTOR = (
    '[class*="title" i], [id*="title" i], [class*="headline" i], [class*="biaoti" i], '
    '[id*="biaoti" i], [class~="bt" i], [id="bt" i], [class~="tit" i]'
)


_LINK = ("link",)


def _flush(lines: list[Line], parts: list[str], plain_parts: list[str], link_chars: int, heading: bool, tag: str) -> None:
    """Close the current line: append it to `lines` when it holds text; the part lists are cleared."""
    text = normalise_space("".join(parts))
    parts.clear()
    if text:
        chars = len(text) - text.count(" ")
        if link_chars:
            link_chars = min(link_chars, chars)
            plain = normalise_space("".join(plain_parts))
        else:
            plain = text
        lines.append(Line(text, chars, link_chars, heading, tag, plain))
    plain_parts.clear()


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
    and an attribute lookup only for <a>. Hidden nodes and title hints were
    found up front by CSS queries in C. Inline text accumulates in `parts`;
    block edges and <br> close the line.
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
    # Line ranges of the block children of each open block, innermost last.
    child_stack: list[list[tuple[int, int]]] = [[]]
    block_tags = _BLOCK
    skip_tags = _SKIP
    headings = _HEADINGS
    table_parts = _TABLE_PARTS
    has_titles = bool(title_ids)
    flush = _flush
    # Suspended levels: (child iterator, exit). Exit is None (inline), _LINK,
    # or a block record (tag, first line, enclosing block tag, heading, depth, is_mark).
    stack: list[tuple] = []
    children = root.iter(include_text=True)
    exit_: tuple | None = None
    while True:
        for child in children:
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
                    link_chars += len(value) - value.count(" ") - value.count("\n") - value.count("\t")
                else:
                    plain_parts.append(value)
            elif tag in block_tags or (mark and child.mem_id == mark):
                if parts:
                    flush(lines, parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    link_chars = 0
                if has_titles or mark:
                    mem_id = child.mem_id
                    heading = tag in headings or mem_id in title_ids
                    is_mark = bool(mark) and mem_id == mark
                else:
                    heading = tag in headings
                    is_mark = False
                stack.append((children, exit_))
                exit_ = (tag, len(lines), block_tag, heading, len(stack), is_mark)
                block_tag = tag
                in_heading += heading
                child_stack.append([])
                children = child.iter(include_text=True, skip_empty=tag in table_parts)
                break
            elif tag == "br":
                if parts:
                    flush(lines, parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    link_chars = 0
            elif tag in skip_tags or tag is None or tag[0] in "_!-":
                continue
            elif tag == "a" and child.attributes.get("href") is not None:
                in_link += 1
                stack.append((children, exit_))
                exit_ = _LINK
                children = child.iter(include_text=True)
                break
            else:
                stack.append((children, exit_))
                exit_ = None
                children = child.iter(include_text=True)
                break
        else:
            # This level is exhausted: close what it belonged to, resume its parent.
            if exit_ is _LINK:
                in_link -= 1
            elif exit_ is not None:
                tag, start, saved_tag, heading, depth, is_mark = exit_
                if parts:
                    flush(lines, parts, plain_parts, link_chars, in_heading > 0, block_tag)
                    link_chars = 0
                kids = child_stack.pop()
                in_heading -= heading
                block_tag = saved_tag
                end = len(lines)
                if is_mark:
                    marked = (start, end)
                if end > start:
                    child_stack[-1].append((start, end))
                    containers.append(Container(tag, start, end, depth, kids))
            if not stack:
                break
            children, exit_ = stack.pop()
    if parts:
        flush(lines, parts, plain_parts, link_chars, in_heading > 0, block_tag)
    containers.append(Container(root.tag or "root", 0, len(lines), -1, child_stack[0]))
    return PageLines(lines, containers, marked)


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
