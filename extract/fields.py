"""HTML -> article fields (title, dateline, source, author, body blocks).

Interface only for now; the generic extractor is being written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
