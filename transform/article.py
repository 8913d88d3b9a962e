"""ArticleRecord: everything the pipeline knows about one article page, ready to load."""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.archive import FetchedPage
from transform.clean import CleanedArticle
from transform.locality import Locality
from transform.numbers import Figure


@dataclass
class ArticleRecord:
    """One processed page: cleaned article, its figures, its place, its fingerprints.

    `source_name` is the configured source that fetched the page (None for a
    page extracted outside any source); `encoding` is the charset the bytes
    were decoded with; `cleaner_version` lets `reprocess` find stale rows.
    """

    url: str | None
    source_name: str | None
    cleaned: CleanedArticle
    figures: list[Figure] = field(default_factory=list)
    locality: Locality = field(default_factory=Locality)
    content_hash: str = ""
    simhash: int = 0
    encoding: str | None = None
    cleaner_version: str = ""


@dataclass
class ProcessedPage:
    """A fetched page and what processing made of it: a record, or an error saying why not."""

    page: FetchedPage
    record: ArticleRecord | None = None
    error: str | None = None
