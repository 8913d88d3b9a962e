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

import queue
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from extract.archive import FetchedPage
from extract.sources import SourceProfile, load_sources
from extract.urls import canonical_url
from flows.backfill import RunFilters
from flows.report import RunReport
from flows.stages import (
    LoadChain, Pages, PendingBatch, batched, long_lived_objects_set_aside, run_overlapped, warehouse_turn,
)
from warehouse.store import Warehouse

# Archived pages per process / load task (the ingest flow's batch size; see flows/ingest.py).
BATCH_SIZE = 1000


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


def _archived_batches(
    profiles: list[SourceProfile], warehouse: Warehouse, filters: RunFilters
) -> Iterator[tuple[SourceProfile, list[FetchedPage]]]:
    """Every selected source's archived pages, a batch at a time, source by source."""
    for profile in profiles:
        archived = warehouse.archived_pages(source_names=[profile.name], since=filters.since, until=filters.until,
                                            chunk_size=BATCH_SIZE)  # fmt: skip
        for batch in batched(_wanted(archived, filters), BATCH_SIZE):
            yield profile, batch


class _ReadAhead:
    """Archive batches read on a thread of their own, one batch ahead, each read in the warehouse turn.

    DuckDB reads and writes of one process take turns (flows/stages.py), so
    reading batch N+1 here overlaps processing batch N in the workers, not
    the load of batch N-1. Reads stay in order: one thread advances the archive.
    """

    _END = object()

    def __init__(self, batches: Iterator[tuple[SourceProfile, list[FetchedPage]]], warehouse_path: str) -> None:
        self._batches = batches
        self._path = warehouse_path
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, name="dangjian-archive", daemon=True)

    def __iter__(self) -> Iterator[PendingBatch]:
        self._thread.start()
        try:
            while (item := self._queue.get()) is not self._END:
                if isinstance(item, BaseException):
                    raise item
                profile, pages = item
                done: Future = Future()
                done.set_result(Pages(pages))
                yield PendingBatch(profile, done)
        finally:
            self._stop.set()
            while self._thread.is_alive():  # unblock a reader waiting to put its batch
                try:
                    self._queue.get(timeout=0.1)
                except queue.Empty:
                    pass

    def _read(self) -> None:
        try:
            while not self._stop.is_set():
                with warehouse_turn(self._path):
                    item = next(self._batches, self._END)
                self._queue.put(item)
                if item is self._END:
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the flow thread, which raises it
            self._queue.put(exc)


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
    with warehouse_turn(warehouse.path):
        warehouse.migrate()
        # Which copy of a mirrored article is canonical follows the sources file as it is now.
        warehouse.register_sources(configured)
        run_id = warehouse.start_run("reprocess", {
            "sources_file": sources_file, "sources": list(filters.sources) or None,
            "since": since and since.isoformat(), "until": until and until.isoformat(),
            "urls": list(filters.urls) or None, "max_pages": max_pages,
        })
    report = RunReport()
    for profile in profiles:  # every selected source gets a row, pages or not
        report.tally(profile.name)
    status = "failed"
    try:
        with long_lived_objects_set_aside():
            loads = LoadChain(str(warehouse.path), run_id, report)
            batches = _ReadAhead(_archived_batches(profiles, warehouse, filters), str(warehouse.path))
            run_overlapped(batches, loads, ahead=1)
        status = "completed"
    finally:
        with warehouse_turn(warehouse.path):
            warehouse.finish_run(run_id, status, report.totals())
    for name, tally in report.tallies.items():
        logger.info("%s: %d archived pages re-cleaned", name, tally.fetched + tally.not_modified + tally.skipped
                    + tally.failed)
    create_table_artifact(
        key="reprocess-summary", table=report.table_rows(),
        description="Archived pages re-cleaned (counted as fetched), articles, figures and removals per source",
    )
    create_markdown_artifact(key="reprocess-failures", markdown=report.failures_markdown(),
                             description="Archived pages that failed to re-clean, with reasons")
    totals = report.totals()
    logger.info("reprocess run %s done: %s", run_id, totals)
    return {"run_id": run_id, **totals}
