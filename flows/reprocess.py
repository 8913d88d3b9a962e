"""The `reprocess` flow: re-clean archived pages with the current cleaner, without fetching.

When the extractor or cleaner improves, every article already in the
warehouse can be rebuilt from the raw bytes archived at fetch time: read them
back in batches, run the same page pipeline the ingest flow runs, and load
the records the same idempotent way (unchanged articles stay unchanged).
`since`/`until` select pages by when they were fetched (the archive knows
that before any page is parsed), not by publication date as in a backfill.

No `from __future__ import annotations` here: Prefect builds the parameter
schema of deployed runs from real annotations (`date | None` breaks otherwise).
"""

import itertools
from collections.abc import Iterable, Iterator
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from dangjian.pipeline import process_page
from extract.archive import FetchedPage
from extract.sources import SourceProfile, load_sources
from extract.urls import canonical_url
from flows.backfill import RunFilters
from flows.ingest import load_batch
from flows.report import RunReport
from transform.article import ProcessedPage
from warehouse.store import Warehouse

BATCH_SIZE = 200


@task(cache_policy=NO_CACHE)
def reprocess_batch(pages: list[FetchedPage], profile: SourceProfile) -> list[ProcessedPage]:
    """The same page pipeline the ingest flow runs, with the source's selectors and encoding hint."""
    return [process_page(page, profile) for page in pages]


def _wanted(pages: Iterable[FetchedPage], filters: RunFilters) -> Iterator[FetchedPage]:
    """The archived pages the URL filter and the per-source bound let through, in archive order."""
    urls = {canonical_url(u) for u in filters.urls}
    per_source: dict[str, int] = {}
    for page in pages:
        if urls and canonical_url(page.final_url or page.requested_url) not in urls \
                and canonical_url(page.requested_url) not in urls:
            continue
        source = page.source_name or ""
        if filters.max_pages is not None and per_source.get(source, 0) >= filters.max_pages:
            continue
        per_source[source] = per_source.get(source, 0) + 1
        yield page


def _batches(pages: Iterable[FetchedPage], size: int) -> Iterator[list[FetchedPage]]:
    iterator = iter(pages)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


@flow(name="reprocess", log_prints=True)
def reprocess(
    sources: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    urls: list[str] | None = None,
    max_pages: int | None = None,
    sources_file: str = "sources.toml",
    warehouse_path: str = "data/warehouse.duckdb",
) -> dict:
    """Rebuild articles from the raw pages archived in the warehouse, with the current cleaner; nothing is fetched.

    Args:
        sources: Sources whose archived pages to re-clean, by name; empty means every enabled source.
        since: Re-clean pages fetched on or after this date (YYYY-MM-DD, UTC); empty means no lower bound.
        until: Re-clean pages fetched on or before this date (YYYY-MM-DD, UTC); empty means no upper bound.
        urls: Only these article URLs (each under a configured source's URL prefix); empty means all archived pages.
        max_pages: At most this many archived pages per source; empty means no bound.
        sources_file: The sources TOML this deployment serves (fixed by `dangjian serve`).
        warehouse_path: The DuckDB warehouse to read and reload (fixed by `dangjian serve`).
    """
    logger = get_run_logger()
    filters = RunFilters.from_parameters(sources, since, until, urls, max_pages)
    configured = load_sources(sources_file)
    profiles = filters.check(configured)
    warehouse = Warehouse(warehouse_path)
    warehouse.migrate()
    # Which copy of a mirrored article is canonical follows the sources file as it is now.
    warehouse.register_sources(configured)
    run_id = warehouse.start_run("reprocess", {
        "sources_file": sources_file, "sources": list(filters.sources) or None,
        "since": since and since.isoformat(), "until": until and until.isoformat(),
        "urls": list(filters.urls) or None, "max_pages": max_pages,
    })
    report = RunReport()
    status = "failed"
    try:
        for profile in profiles:
            _reprocess_source(profile, warehouse, run_id, report, filters)
        status = "completed"
    finally:
        warehouse.finish_run(run_id, status, report.totals())
    create_table_artifact(
        key="reprocess-summary", table=report.table_rows(),
        description="Archived pages re-cleaned (counted as fetched), articles, figures and removals per source",
    )
    create_markdown_artifact(key="reprocess-failures", markdown=report.failures_markdown(),
                             description="Archived pages that failed to re-clean, with reasons")
    totals = report.totals()
    logger.info("reprocess run %s done: %s", run_id, totals)
    return {"run_id": run_id, **totals}


def _reprocess_source(
    profile: SourceProfile, warehouse: Warehouse, run_id: str, report: RunReport, filters: RunFilters
) -> None:
    """One source's archived pages, batch by batch, so its counts stay exact in the report."""
    tally = report.tally(profile.name)
    archived = warehouse.archived_pages(source_names=[profile.name], since=filters.since, until=filters.until)
    done = 0
    for batch in _batches(_wanted(archived, filters), BATCH_SIZE):
        for page in batch:
            page.source_name = profile.name
        processed = reprocess_batch(batch, profile)
        stats = load_batch(str(warehouse.path), run_id, processed)
        tally.count_pages(batch)
        tally.add_load(stats)
        report.record_failures(profile.name, processed)
        done += len(batch)
    get_run_logger().info("%s: %d archived pages re-cleaned", profile.name, done)
