"""One batch of processed pages as Arrow tables: what a load writes, and what staging keeps on disk.

Building the tables is pure (no DuckDB), so a batch that cannot be loaded
because the file is busy is staged as exactly these tables and loaded later
by the same code path.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa

from extract.archive import FetchedPage
from extract.urls import canonical_url
from transform.article import ProcessedPage

# Page kinds (pages.kind, fetches.kind), as the fetcher labels them (FetchRequest.kind).
ARTICLE = "article"
LIST = "list"

_FIGURE = pa.struct([
    ("value", pa.float64()), ("unit", pa.string()), ("qualifier", pa.string()), ("text", pa.string()),
    ("start_pos", pa.int32()), ("end_pos", pa.int32()), ("sentence", pa.string()),
    ("subject", pa.string()), ("measure", pa.string()),
])  # fmt: skip

FETCHES_SCHEMA = pa.schema([
    ("url", pa.string()), ("fetched_at", pa.timestamp("us")), ("requested_url", pa.string()),
    ("final_url", pa.string()), ("status", pa.int32()), ("outcome", pa.string()), ("error", pa.string()),
    ("elapsed_s", pa.float64()), ("body_sha256", pa.string()), ("body_bytes", pa.int64()),
    ("source_name", pa.string()), ("run_id", pa.string()), ("kind", pa.string()),
])  # fmt: skip

PAGES_SCHEMA = pa.schema([
    ("url", pa.string()), ("requested_url", pa.string()), ("final_url", pa.string()),
    ("redirects", pa.list_(pa.string())), ("status", pa.int32()), ("headers", pa.string()),
    ("etag", pa.string()), ("last_modified", pa.string()), ("body", pa.binary()),
    ("body_sha256", pa.string()), ("fetched_at", pa.timestamp("us")), ("elapsed_s", pa.float64()),
    ("outcome", pa.string()), ("error", pa.string()), ("process_error", pa.string()),
    ("source_name", pa.string()), ("run_id", pa.string()), ("kind", pa.string()),
])  # fmt: skip

COPIES_SCHEMA = pa.schema([
    ("url", pa.string()), ("final_url", pa.string()), ("source_name", pa.string()),
    ("content_hash", pa.string()), ("simhash", pa.uint64()), ("digest", pa.string()),
    ("title", pa.string()), ("published_at", pa.timestamp("us")), ("source", pa.string()),
    ("author", pa.string()), ("editors", pa.list_(pa.string())), ("body", pa.string()),
    ("flags", pa.list_(pa.string())), ("province", pa.string()), ("city", pa.string()),
    ("county", pa.string()), ("adcode", pa.string()), ("encoding", pa.string()),
    ("cleaner_version", pa.string()), ("figures", pa.list_(_FIGURE)), ("fetched_at", pa.timestamp("us")),
])  # fmt: skip

REMOVED_SCHEMA = pa.schema([
    ("copy_url", pa.string()), ("position", pa.int32()), ("kind", pa.string()), ("text", pa.string()),
])  # fmt: skip

TABLE_SCHEMAS = {"fetches": FETCHES_SCHEMA, "pages": PAGES_SCHEMA, "copies": COPIES_SCHEMA, "removed": REMOVED_SCHEMA}


@dataclass
class LoadStats:
    """What one load did. Article counts are per distinct article the batch touched.

    `articles_unchanged` includes articles only seen again (an identical copy, a
    304). `list_pages` counts the list-page fetches among `pages_archived`
    (they never touch articles). `process_errors` counts fetched pages that yielded no article;
    `copies_merged` new copies that joined an existing article (mirrors).
    A staged batch (`staged=True`) reports its page, figure and removal counts
    but no article counts: those are decided when the staged batch is loaded.
    """

    pages_archived: int = 0
    not_modified: int = 0
    failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    figures: int = 0
    removed_by_kind: dict[str, int] = field(default_factory=dict)
    staged: bool = False
    process_errors: int = 0
    copies_merged: int = 0
    list_pages: int = 0


@dataclass
class Batch:
    """A batch ready to write: one Arrow table per kind of row."""

    run_id: str
    fetches: pa.Table
    pages: pa.Table
    copies: pa.Table
    removed: pa.Table

    def tables(self) -> dict[str, pa.Table]:
        return {"fetches": self.fetches, "pages": self.pages, "copies": self.copies, "removed": self.removed}


def utc_naive(value: datetime | None) -> datetime | None:
    """Aware datetimes to naive UTC (the warehouse's convention); naive ones are taken as UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_digest(row: dict) -> str:
    """A hash of everything a copy says (text, metadata, place, figures, removals), not of when or by which cleaner.

    Equal digests mean re-loading the copy changes nothing a reader sees; the
    cleaner version alone changing is not a change of content.
    """
    content = {k: row[k] for k in (
        "title", "published_at", "source", "author", "editors", "body", "flags",
        "province", "city", "county", "adcode", "figures", "removed",
    )}  # fmt: skip
    return _sha256(json.dumps(content, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def page_kind(page: FetchedPage) -> str:
    """'list' for a list page, else 'article': only article pages become articles or count as known."""
    return LIST if page.kind == LIST else ARTICLE


def page_url(item: ProcessedPage) -> str:
    """The archive key of a page: its requested URL, canonicalised (redirect targets are kept alongside)."""
    return canonical_url(item.page.requested_url)


def _body_sha256(page: FetchedPage) -> str | None:
    return _sha256(page.body) if page.body else None


def _fetch_row(item: ProcessedPage, url: str, run_id: str, body_sha256: str | None) -> dict:
    page = item.page
    return {
        "url": url, "fetched_at": utc_naive(page.fetched_at), "requested_url": page.requested_url,
        "final_url": page.final_url, "status": page.status, "outcome": page.outcome,
        "error": page.error or (item.error if page.outcome != "fetched" else None),
        "elapsed_s": page.elapsed_s, "body_sha256": body_sha256, "body_bytes": len(page.body), "source_name": page.source_name, "run_id": run_id, "kind": page_kind(page),
    }  # fmt: skip


def _page_row(item: ProcessedPage, url: str, run_id: str, body_sha256: str | None) -> dict:
    page = item.page
    return {
        "url": url, "requested_url": page.requested_url, "final_url": page.final_url,
        "redirects": list(page.redirects), "status": page.status,
        "headers": json.dumps(page.headers, ensure_ascii=False, sort_keys=True),
        "etag": _header(page.headers, "etag"), "last_modified": _header(page.headers, "last-modified"),
        "body": page.body, "body_sha256": body_sha256,
        "fetched_at": utc_naive(page.fetched_at), "elapsed_s": page.elapsed_s, "outcome": page.outcome,
        "error": page.error,
        "process_error": item.error if page.outcome == "fetched" and item.record is None else None,
        "source_name": page.source_name, "run_id": run_id, "kind": page_kind(page),
    }  # fmt: skip


def _figure_rows(item: ProcessedPage) -> list[dict]:
    return [
        {"value": f.value, "unit": f.unit, "qualifier": f.qualifier, "text": f.text, "start_pos": f.start,
         "end_pos": f.end, "sentence": f.sentence, "subject": f.subject, "measure": f.measure}
        for f in item.record.figures
    ]  # fmt: skip


def _copy_row(item: ProcessedPage, url: str) -> dict:
    record = item.record
    cleaned = record.cleaned
    locality = record.locality
    row = {
        "url": url, "final_url": item.page.final_url,
        "source_name": record.source_name or item.page.source_name,
        "content_hash": record.content_hash, "simhash": record.simhash, "title": cleaned.title,
        "published_at": utc_naive(cleaned.published_at), "source": cleaned.source, "author": cleaned.author,
        "editors": list(cleaned.editors), "body": cleaned.body, "flags": list(cleaned.flags),
        "province": locality.province, "city": locality.city, "county": locality.county,
        "adcode": locality.adcode, "encoding": record.encoding, "cleaner_version": record.cleaner_version,
        "figures": _figure_rows(item), "fetched_at": utc_naive(item.page.fetched_at),
    }  # fmt: skip
    removed = [[r.kind, r.text] for r in cleaned.removed]
    row["digest"] = copy_digest({**row, "removed": removed})
    return row


def _removed_rows(item: ProcessedPage, url: str) -> list[dict]:
    return [
        {"copy_url": url, "position": i, "kind": r.kind, "text": r.text}
        for i, r in enumerate(item.record.cleaned.removed)
    ]


def build_batch(run_id: str, processed: list[ProcessedPage]) -> Batch:
    """The Arrow tables for a batch; the latest fetch of a URL wins when a batch holds it twice."""
    keyed = [(page_url(item), item) for item in processed]
    latest: dict[str, ProcessedPage] = {}
    fetches: dict[tuple[str, datetime | None], dict] = {}
    body_sha256: dict[int, str | None] = {}  # by id(item): each body is hashed once
    for url, item in keyed:
        if url not in latest or utc_naive(item.page.fetched_at) >= utc_naive(latest[url].page.fetched_at):
            latest[url] = item
        body_sha256[id(item)] = _body_sha256(item.page)
        row = _fetch_row(item, url, run_id, body_sha256[id(item)])
        fetches[(url, row["fetched_at"])] = row
    with_record = [
        (u, i) for u, i in latest.items()
        if i.record is not None and i.page.outcome == "fetched" and page_kind(i.page) == ARTICLE
    ]
    return Batch(
        run_id=run_id,
        fetches=pa.Table.from_pylist(list(fetches.values()), schema=FETCHES_SCHEMA),
        pages=pa.Table.from_pylist([_page_row(i, u, run_id, body_sha256[id(i)]) for u, i in latest.items()], schema=PAGES_SCHEMA),
        copies=pa.Table.from_pylist([_copy_row(i, u) for u, i in with_record], schema=COPIES_SCHEMA),
        removed=pa.Table.from_pylist([r for u, i in with_record for r in _removed_rows(i, u)], schema=REMOVED_SCHEMA),
    )
