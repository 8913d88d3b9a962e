"""The `ingest` flow: discover -> fetch -> extract/clean -> load, source by source, in batches.

The flow only orchestrates. Each task wraps one stage from extract/,
dangjian.pipeline or warehouse/ over a batch of URLs, never a single page, so
Prefect's per-task cost stays small next to the work.

No `from __future__ import annotations` here: Prefect builds the parameter
schema of deployed runs from real annotations (`date | None` breaks otherwise).
"""

import itertools
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

BATCH_SIZE = 100

# Batches go to tasks wrapped in `quote`: Prefect otherwise walks every
# argument object by object, looking for futures to resolve and upstream
# runs to link (visit_collection), which cost more than fetching the pages
# (bench/bench_end_to_end.py --profile: ~500 visits per page, 14 of 28 s of
# task overhead in collect_task_run_inputs, the rest in resolving inputs).
# Nothing these tasks receive is a future, so nothing is lost.


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
) -> Discovery:
    """Walk one source's list pages (fetched politely, one at a time)."""

    def fetch(url: str) -> FetchedPage:
        request = FetchRequest(url=url, source_name=profile.name, policy=_policy(profile), kind="list")
        return fetch_pages([request], settings)[0]

    return discover_articles(
        profile, fetch, known_urls=known_urls, stop_at_known=stop_at_known,
        since=since, until=until, max_list_pages=max_list_pages,
    )


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def fetch_batch(requests: list[FetchRequest], settings: FetchSettings) -> list[FetchedPage]:
    return fetch_pages(requests, settings)


@task(cache_policy=NO_CACHE)
def process_batch(pages: list[FetchedPage], profile: SourceProfile) -> list[ProcessedPage]:
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
            profile, quote(warehouse.known_urls(profile.name)), stop_at_known, since, until, None, settings
        )
        tally.list_pages += len(discovery.list_pages)
        for page in discovery.list_pages:
            if page.error:
                report.record_failures(profile.name, [ProcessedPage(page=page, error=page.error)])
        article_urls = [link.url for link in discovery.articles]
        logger.info("%s: %d article URLs from %d list pages (%s)", profile.name, len(article_urls),
                    len(discovery.list_pages), discovery.stopped_because)
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
