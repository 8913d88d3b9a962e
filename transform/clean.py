"""The cleaning pipeline: PageFields -> CleanedArticle.

Interface only for now; the individual transforms are being written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from extract.fields import PageFields
from transform.removal import Removal


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


def clean_article(fields: PageFields) -> CleanedArticle:
    raise NotImplementedError
