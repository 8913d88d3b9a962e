"""The cleaning pipeline: PageFields -> CleanedArticle.

Each block goes through the character-level steps (transform.normalise:
mojibake, pinyin, script, punctuation), then the line-level decisions, in
this order: place-name spam is cut out of the line (prose around it stays);
whole lines that are related-article lists or link lines above the body,
`原题为` copies of the headline, bylines/datelines, chrome, or the
headline itself are removed; `【headline】` copies are cut out of the
paragraph that holds them. Everything removed is recorded as a Removal with
its kind, in document order; nothing is dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from extract.fields import PageFields
from transform.chrome import (
    is_chrome_line,
    is_page_number,
    leading_credit,
    metadata_line,
    org_byline,
    related_list_lines,
    top_link_lines,
)
from transform.headline import (
    CleanHeadline,
    has_headline,
    headline_from,
    original_title_line,
    strip_title_copies,
    title_key,
)
from transform.normalise import NormalisedText, normalise_lines
from transform.removal import CHROME, DUPLICATE_TITLE, METADATA, SPAM, Removal
from transform.spam import has_separator, strip_spam

# Bump whenever cleaning output or the fingerprints change, so `reprocess` can find stale rows.
# 0.3.0: SimHash by tabulation hashing over every shingle position.
CLEANER_VERSION = "0.3.0"

MOJIBAKE_FLAG = "mojibake"
# Lines above the first body sentence that may still be bylines (org name alone).
_BYLINE_ZONE = 3


@dataclass
class CleanedArticle:
    """An article as researchers read it: simplified script, body only.

    `body` is the cleaned text with paragraphs separated by single newlines.
    `removed` lists everything cleaning dropped, in order, with its kind.
    `flags` marks damage the cleaner saw (e.g. "mojibake").
    """

    title: str | None
    published_at: datetime | None
    source: str | None
    author: str | None
    editors: list[str]
    body: str
    removed: list[Removal] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def _normalise_groups(groups: list[list[str]]) -> list[list[NormalisedText]]:
    """The character-level steps over all the groups' lines in one batch, handed back by group.

    Each batch costs an OpenCC call and a fixed overhead that a small page
    would otherwise pay once for its title, once for its bylines and once
    for its body.
    """
    normalised = normalise_lines([line for group in groups for line in group])
    regrouped: list[list[NormalisedText]] = []
    start = 0
    for group in groups:
        regrouped.append(normalised[start : start + len(group)])
        start += len(group)
    return regrouped


def _clean_names(values: list[str | None], normalised: list[NormalisedText]) -> list[str | None]:
    """Each value as normalised (`normalised` holds the present ones, in order); None if absent or emptied."""
    texts = iter(n.text for n in normalised)
    return [(next(texts) or None) if v is not None else None for v in values]


def _block_lines(blocks: list[str]) -> list[str]:
    return [piece for block in blocks for piece in block.splitlines() if piece.strip()]


def _pager_lines(texts: list[str]) -> set[int]:
    """Lone small numbers that end the body: the last line, or followed by footer chrome.

    A lone number followed by more body is a table cell and stays.
    """
    found: set[int] = set()
    for index, line in enumerate(texts):
        if not is_page_number(line):
            continue
        following = texts[index + 1] if index + 1 < len(texts) else None
        if following is None or is_chrome_line(following) or index + 1 in found:
            found.add(index)
    return found


def clean_article(fields: PageFields) -> CleanedArticle:
    """Clean title, byline fields and body blocks of one page; record every cut."""
    removed: list[Removal] = []
    damaged = False

    titles = [fields.title] if has_headline(fields.title) else []
    names = [fields.source, fields.author, *fields.editors]
    # One pass of the character-level steps over every line of the page.
    titles_done, names_done, metadata, lines = _normalise_groups(
        [titles, [v for v in names if v is not None], fields.metadata_lines, _block_lines(fields.blocks)]
    )
    head = headline_from(titles_done[0]) if titles_done else CleanHeadline(None)
    removed.extend(head.removed)
    damaged |= head.damaged
    source, author, *others = _clean_names(names, names_done)
    editors = [e for e in others if e]
    for normalised in metadata:
        damaged |= normalised.damaged
        removed.append(Removal(METADATA, normalised.text))

    texts = [line.text for line in lines]
    related = related_list_lines(texts)
    top_links = top_link_lines([line.spaced for line in lines])
    title_keys = {title_key(v) for v in head.variants} - {""}
    pagers = _pager_lines(texts)

    body: list[str] = []
    for index, line in enumerate(lines):
        if line.removed:
            removed.extend(line.removed)
        damaged |= line.damaged
        text = line.text
        if has_separator(text):  # the test first: strip_spam builds a result even for a line it keeps
            spam = strip_spam(text)
            removed.extend(Removal(SPAM, run) for run in spam.removed)
            text = spam.text
        if not text:
            continue
        if index in related or index in top_links:
            removed.append(Removal(CHROME, text))
            continue
        if original_title_line(text) is not None or (not body and title_key(text) in title_keys):
            removed.append(Removal(DUPLICATE_TITLE, text))
            continue
        meta = metadata_line(text)
        if meta is not None:
            removed.append(Removal(METADATA, text))
            editors.extend(name for name in meta.editors if name not in editors)
            continue
        if is_chrome_line(text) or index in pagers:
            removed.append(Removal(CHROME, text))
            continue
        if not body and index < _BYLINE_ZONE and org_byline(text):
            removed.append(Removal(METADATA, text))
            author = author or text
            continue
        if "【" in text:
            text, copies = strip_title_copies(text, head.variants)
            removed.extend(Removal(DUPLICATE_TITLE, c) for c in copies)
        if not body:
            credit = leading_credit(text)
            if credit is not None:
                cut = text[: len(credit) + 2]
                removed.append(Removal(METADATA, cut))
                source = source or head.institution or credit
                text = text[len(cut) :].strip()
        if text:
            body.append(text)

    if source is None and head.institution:
        source = head.institution
    return CleanedArticle(
        title=head.title,
        published_at=fields.published_at,
        source=source,
        author=author,
        editors=editors,
        body="\n".join(body),
        removed=removed,
        flags=[MOJIBAKE_FLAG] if damaged else [],
    )
