"""The `ingest` flow: discover -> fetch -> extract/clean -> load, source by source, in batches.

The flow only orchestrates. Each task wraps one stage from extract/,
dangjian.pipeline or warehouse/ over a batch of URLs, never a single page, so
Prefect's per-task cost stays small next to the work.

No `from __future__ import annotations` here: Prefect builds the parameter
schema of deployed runs from real annotations (`date | None` breaks otherwise).
"""

import atexit
import itertools
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dangjian.pipeline import process_page
from extract.discover import Discovery, discover_articles
from extract.fetch import FetchedPage, FetchRequest, FetchSettings, HostPolicy, fetch_pages
from extract.sources import SourceProfile, load_sources, select_sources
from extract.urls import canonical_url
from flows.report import RunReport
from transform.article import ProcessedPage
from warehouse.store import Warehouse

# Pages per fetch / process / load task. Each load is one DuckDB transaction
# with a fixed cost of ~0.5 s (bench/bench_end_to_end.py: 5.4 ms a page at
# 100 pages, 1.2 ms at 500); two batches are in memory at once (~10-20 MB).
BATCH_SIZE = 500

# Batches go to tasks wrapped in `quote`: Prefect otherwise walks every
# argument object by object, looking for futures to resolve and upstream
# runs to link (visit_collection), which cost more than fetching the pages
# (bench/bench_end_to_end.py --profile: ~500 visits per page, 14 of 28 s of
# task overhead in collect_task_run_inputs, the rest in resolving inputs).
# Nothing these tasks receive is a future, so nothing is lost.


# Extraction and cleaning are pure-Python CPU work (~5-15 ms a page) and hold
# the GIL: in this process they would run on one core, beside the fetching and
# loading. Worker processes (forkserver: never forked from a process running
# Prefect's threads) import only dangjian.pipeline; pages go there and come
# back pickled, a small cost next to processing them. 1 worker = in process.
PROCESS_WORKERS = int(os.environ.get("DANGJIAN_PROCESS_WORKERS", os.cpu_count() or 1))
_pool: ProcessPoolExecutor | None = None


def _process_pool() -> ProcessPoolExecutor | None:
    global _pool
    if PROCESS_WORKERS < 2:
        return None
    if _pool is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["dangjian.pipeline"])
        _pool = ProcessPoolExecutor(PROCESS_WORKERS, mp_context=context)
        atexit.register(_pool.shutdown, cancel_futures=True)
    return _pool


def _drop_process_pool() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def _policy(profile: SourceProfile) -> HostPolicy:
    return HostPolicy(min_delay_s=profile.min_delay_s, max_connections=profile.max_connections)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def discover_source(
    profile: SourceProfile,
    known_urls: set[str],
    stop_at_known: bool,
    since: date | None,
    until: date | None,
    max_list_pages: int | None,
    settings: FetchSettings,
    warehouse_path: str | None = None,
) -> Discovery:
    """Walk one source's list pages (fetched politely, one at a time, conditionally).

    Each list page archived before is requested with its validators, so an
    unchanged one costs a 304; its links are then read from the archived body
    (nightly and backfill alike), which keeps the walk's rules unchanged.
    """
    warehouse = Warehouse(warehouse_path) if warehouse_path else None
    validators = warehouse.validators(warehouse.known_urls(profile.name, kind="list")) if warehouse else {}

    def fetch(url: str) -> FetchedPage:
        request = FetchRequest(url=url, source_name=profile.name, policy=_policy(profile), kind="list",
                               validators=validators.get(canonical_url(url)))  # fmt: skip
        return fetch_pages([request], settings)[0]

    return discover_articles(
        profile, fetch, known_urls=known_urls, stop_at_known=stop_at_known,
        since=since, until=until, max_list_pages=max_list_pages,
        archived=warehouse.archived_page if warehouse else None,
    )


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def fetch_batch(requests: list[FetchRequest], settings: FetchSettings) -> list[FetchedPage]:
    return fetch_pages(requests, settings)


@task(cache_policy=NO_CACHE)
def process_batch(pages: list[FetchedPage], profile: SourceProfile) -> list[ProcessedPage]:
    """Extract and clean a batch, in worker processes when there are cores for them."""
    pool = _process_pool()
    if pool is not None and len(pages) >= 2 * PROCESS_WORKERS:
        try:
            return list(pool.map(process_page, pages, itertools.repeat(profile),
                                 chunksize=max(1, len(pages) // (4 * PROCESS_WORKERS))))
        except BrokenProcessPool:  # a worker died (killed, out of memory): carry on in this process
            _drop_process_pool()
    return [process_page(page, profile) for page in pages]


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_batch(warehouse_path: str, run_id: str, processed: list[ProcessedPage]):
    return Warehouse(warehouse_path).load_batch(run_id, processed)


def _batches(items: list, size: int):
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _crawl_source(
    profile: SourceProfile,
    warehouse: Warehouse,
    run_id: str,
    report: RunReport,
    *,
    article_urls: list[str] | None,
    stop_at_known: bool,
    since: date | None,
    until: date | None,
    max_pages: int | None,
    settings: FetchSettings,
) -> None:
    logger = get_run_logger()
    tally = report.tally(profile.name)
    if article_urls is None:
        discovery = discover_source(
            profile, quote(warehouse.known_urls(profile.name)), stop_at_known, since, until, None, settings,
            str(warehouse.path),
        )
        tally.list_pages += len(discovery.list_pages)
        tally.list_not_modified += discovery.not_modified
        for page in discovery.list_pages:
            page.source_name = profile.name
            if page.error:
                report.record_failures(profile.name, [ProcessedPage(page=page, error=page.error)])
        # Archived (body, headers, validators) like any page; a list page never makes an article.
        if discovery.list_pages:
            load_batch(str(warehouse.path), run_id, quote([ProcessedPage(page=page) for page in discovery.list_pages]))
        article_urls = [link.url for link in discovery.articles]
        logger.info("%s: %d article URLs from %d list pages, %d of them unchanged (304) (%s)", profile.name,
                    len(article_urls), len(discovery.list_pages), discovery.not_modified, discovery.stopped_because)
    if max_pages is not None:
        article_urls = article_urls[:max_pages]
    validators = warehouse.validators(article_urls)

    def fetch_soon(batch: list[str] | None):
        if not batch:
            return None
        requests = [
            FetchRequest(url=u, source_name=profile.name, policy=_policy(profile), validators=validators.get(u))
            for u in batch
        ]
        return fetch_batch.submit(quote(requests), settings)

    done = 0
    batches = _batches(article_urls, BATCH_SIZE)
    pending = fetch_soon(next(batches, None))
    while pending is not None:
        pages = pending.result()
        # Batch N+1 is fetched (on the task runner's thread, mostly waiting on the network)
        # while batch N is processed and loaded here; at most two batches are in memory.
        pending = fetch_soon(next(batches, None))
        for page in pages:
            page.source_name = profile.name
        processed = process_batch(quote(pages), profile)
        stats = load_batch(str(warehouse.path), run_id, quote(processed))
        tally.count_pages(pages)
        tally.add_load(stats)
        report.record_failures(profile.name, processed)
        done += len(pages)
        logger.info("%s: %d/%d pages done", profile.name, done, len(article_urls))


@flow(name="ingest", log_prints=True)
def ingest(
    sources_file: str,
    warehouse_path: str = "data/warehouse.duckdb",
    sources: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    urls: list[str] | None = None,
    max_pages: int | None = None,
    mode: str = "nightly",
) -> dict:
    """One ingestion over the configured sources.

    `mode="nightly"` stops walking list pages at the first one showing known
    articles; `mode="backfill"` walks until it passes `since`. Explicit `urls`
    skip discovery (each must belong to a configured source).
    """
    logger = get_run_logger()
    configured = load_sources(sources_file)
    profiles = select_sources(configured, sources)
    settings = FetchSettings()
    warehouse = Warehouse(warehouse_path)
    warehouse.migrate()
    warehouse.register_sources(configured)
    run_id = warehouse.start_run("ingest", {
        "sources_file": sources_file, "sources": sources, "since": since and since.isoformat(),
        "until": until and until.isoformat(), "urls": urls, "max_pages": max_pages, "mode": mode,
    })
    report = RunReport()
    status = "failed"
    try:
        for profile in profiles:
            explicit = None
            if urls:
                explicit = [canonical_url(u) for u in urls if profile.owns(u)]
                if not explicit:
                    continue
            _crawl_source(
                profile, warehouse, run_id, report, article_urls=explicit,
                stop_at_known=(mode == "nightly"), since=since, until=until,
                max_pages=max_pages, settings=settings,
            )
        status = "completed"
    finally:
        warehouse.finish_run(run_id, status, report.totals())
    create_table_artifact(key="ingest-summary", table=report.table_rows(), description="Pages, articles, figures and removals per source")
    create_markdown_artifact(key="ingest-failures", markdown=report.failures_markdown(), description="URLs that failed, with reasons")
    totals = report.totals()
    logger.info("run %s done: %s", run_id, totals)
    return {"run_id": run_id, **totals}
