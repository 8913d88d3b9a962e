"""The `ingest` flow: discover -> fetch -> extract/clean -> load, in batches, with the stages overlapped.

The flow only orchestrates. Each task wraps one stage from extract/,
dangjian.pipeline or warehouse/ over a batch of URLs, never a single page, so
Prefect's per-task cost stays small next to the work. The stages run at once
on different batches (flows/stages.py): while one batch is processed in the
worker processes, the next ones are fetched and the one before loads; and
while one source's pages are fetched, the next source's list pages are
walked. One FetchSession (one HTTP client, its connections, in a process of
its own beside the extraction workers) serves the whole run.

No `from __future__ import annotations` here: Prefect builds the parameter
schema of deployed runs from real annotations (`date | None` breaks otherwise).
"""

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from extract.archive import Validators
from extract.discover import discover_articles
from extract.fetch import FetchedPage, FetchRequest, FetchSession, FetchSettings, HostPolicy
from extract.sources import SourceProfile, load_sources, select_sources
from extract.urls import canonical_url
from flows.report import RunReport
from flows.stages import (
    LoadChain, Pages, PendingBatch, batched, load_batch, long_lived_objects_set_aside, process_batch, run_overlapped,
    warehouse_turn,
)
from flows.workers import use_processes
from transform.article import ProcessedPage
from warehouse.store import Warehouse

__all__ = ["BATCH_SIZE", "discover_source", "fetch_batch", "ingest", "load_batch", "process_batch"]

# Pages per fetch / process / load task. Each task run costs Prefect's server
# ~60 ms of CPU and each load a fixed share of a DuckDB transaction, so fewer,
# larger batches are cheaper: backfilling 10,000 pages (bench/bench_end_to_end.py)
# cost the crawler 13-15 s of CPU at 1000 a batch against 18.5 at 500 and 21
# at 250, and Prefect's server 11-12 s against 13-15. About six batches are in
# memory at once (flows/stages.py), ~20 KB a page with its record.
BATCH_SIZE = 1000
# Sources whose list pages are walked ahead of the source being fetched (see _plans).
WALKS_AHEAD = 3


@dataclass
class SourcePlan:
    """What one source's crawl fetches: article URLs with the validators of earlier fetches, and the list pages walked."""

    profile: SourceProfile
    article_urls: list[str]
    validators: dict[str, Validators]
    list_pages: list[FetchedPage] = field(default_factory=list)
    not_modified: int = 0  # list pages answered 304
    stopped_because: str = ""
    discovered: bool = True  # False for explicit URLs (no list pages walked)


def _policy(profile: SourceProfile) -> HostPolicy:
    return HostPolicy(min_delay_s=profile.min_delay_s, max_connections=profile.max_connections)


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def discover_source(
    profile: SourceProfile,
    warehouse_path: str,
    session: FetchSession,
    stop_at_known: bool,
    since: date | None,
    until: date | None,
    max_list_pages: int | None,
    max_pages: int | None,
) -> SourcePlan:
    """Walk one source's list pages (politely, one at a time, conditionally) into its plan.

    Each list page archived before is requested with its validators, so an
    unchanged one costs a 304; its links are then read from the archived body
    (nightly and backfill alike), which keeps the walk's rules unchanged. The
    walk runs while the previous source's pages are fetched and loaded, so its
    warehouse lookups take their turn with the loads (flows/stages.py).
    """
    warehouse = Warehouse(warehouse_path)
    with warehouse_turn(warehouse_path):
        known = warehouse.known_urls(profile.name)
        list_validators = warehouse.validators(warehouse.known_urls(profile.name, kind="list"))

    def fetch(url: str) -> FetchedPage:
        return session.fetch_one(FetchRequest(url=url, source_name=profile.name, policy=_policy(profile), kind="list",
                                              validators=list_validators.get(canonical_url(url))))  # fmt: skip

    def archived(url: str) -> FetchedPage | None:
        with warehouse_turn(warehouse_path):
            return warehouse.archived_page(url)

    discovery = discover_articles(
        profile, fetch, known_urls=known, stop_at_known=stop_at_known,
        since=since, until=until, max_list_pages=max_list_pages, archived=archived,
    )
    urls = [link.url for link in discovery.articles]
    if max_pages is not None:
        urls = urls[:max_pages]
    with warehouse_turn(warehouse_path):
        validators = warehouse.validators(urls)
    return SourcePlan(profile, urls, validators, discovery.list_pages, discovery.not_modified,
                      discovery.stopped_because)  # fmt: skip


@task(cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def fetch_batch(requests: list[FetchRequest], session: FetchSession) -> Pages:
    """Fetch a batch through the run's session (FetchedPage items, in request order)."""
    return Pages(session.fetch(requests))


def _explicit_plan(profile: SourceProfile, urls: list[str], warehouse: Warehouse, max_pages: int | None) -> SourcePlan:
    """The plan for explicit article URLs: no list pages, just the validators of earlier fetches."""
    if max_pages is not None:
        urls = urls[:max_pages]
    with warehouse_turn(warehouse.path):
        validators = warehouse.validators(urls)
    return SourcePlan(profile, urls, validators, discovered=False)


def _planned(started: PrefectFuture | Future) -> SourcePlan:
    """Wait for a source's discovery (a function of its own so the benchmark can time the wait)."""
    return started.result()


def _plans(
    profiles: list[SourceProfile],
    warehouse: Warehouse,
    session: FetchSession,
    *,
    urls: list[str] | None,
    stop_at_known: bool,
    since: date | None,
    until: date | None,
    max_pages: int | None,
) -> Iterator[SourcePlan]:
    """Each source's plan in turn, the walks of the next WALKS_AHEAD sources running meanwhile.

    A walk is one list page at a time and mostly waits on the network (its
    requests go ahead of the article requests queued for the same host, see
    extract/fetch.py), so walks start early: by the time a source's articles
    are due, its list pages are read. Only the first source's walk starts
    alone: nothing can be fetched before it ends, and walks running beside it
    would slow it down (they parse on the same GIL).
    """
    remaining = iter(profiles)
    started: deque = deque()

    def start_next() -> bool:
        for profile in remaining:
            if urls:
                explicit = [canonical_url(u) for u in urls if profile.owns(u)]
                if not explicit:
                    continue
                ready: Future = Future()
                ready.set_result(_explicit_plan(profile, explicit, warehouse, max_pages))
                started.append(ready)
            else:
                started.append(discover_source.submit(
                    profile, str(warehouse.path), session, stop_at_known, since, until, None, max_pages))
            return True
        return False

    try:
        start_next()
        while started:
            current = started.popleft()
            plan = _planned(current)
            while len(started) < WALKS_AHEAD and start_next():
                pass
            yield plan
    finally:
        for pending in started:  # a failing run: let the walks end before the session closes
            try:
                pending.result()
            except Exception:  # noqa: BLE001 - the run is already failing for another reason
                pass


def _take_list_pages(plan: SourcePlan, report: RunReport, loads: LoadChain) -> None:
    """Count a source's list pages and hand them to the loads: archived like any page, never an article."""
    name = plan.profile.name
    tally = report.tally(name)
    if not plan.discovered:
        return
    tally.list_pages += len(plan.list_pages)
    tally.list_not_modified += plan.not_modified
    for page in plan.list_pages:
        page.source_name = name
        if page.error:
            report.record_failures(name, [ProcessedPage(page=page, error=page.error)])
    if plan.list_pages:
        loads.submit(name, [ProcessedPage(page=page) for page in plan.list_pages], counted=False)
    get_run_logger().info("%s: %d article URLs from %d list pages, %d of them unchanged (304) (%s)", name,
                          len(plan.article_urls), len(plan.list_pages), plan.not_modified, plan.stopped_because)


def _fetches(plans: Iterator[SourcePlan], session: FetchSession, report: RunReport,
             loads: LoadChain) -> Iterator[PendingBatch]:
    """Every source's article pages, a batch at a time, each batch's fetch started when it is asked for."""
    for plan in plans:
        _take_list_pages(plan, report, loads)
        policy = _policy(plan.profile)
        for urls in batched(plan.article_urls, BATCH_SIZE):
            requests = [FetchRequest(url=u, source_name=plan.profile.name, policy=policy,
                                     validators=plan.validators.get(u)) for u in urls]  # fmt: skip
            yield PendingBatch(plan.profile, fetch_batch.submit(quote(requests), session),
                               of_total=len(plan.article_urls))


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
    with warehouse_turn(warehouse.path):
        warehouse.migrate()
        warehouse.register_sources(configured)
        run_id = warehouse.start_run("ingest", {
            "sources_file": sources_file, "sources": sources, "since": since and since.isoformat(),
            "until": until and until.isoformat(), "urls": urls, "max_pages": max_pages, "mode": mode,
        })
    report = RunReport()
    status = "failed"
    try:
        with long_lived_objects_set_aside(), FetchSession(settings, own_process=use_processes()) as session:
            loads = LoadChain(str(warehouse.path), run_id, report)
            plans = _plans(profiles, warehouse, session, urls=urls, stop_at_known=(mode == "nightly"),
                           since=since, until=until, max_pages=max_pages)
            run_overlapped(_fetches(plans, session, report, loads), loads)
        status = "completed"
    finally:
        with warehouse_turn(warehouse.path):
            warehouse.finish_run(run_id, status, report.totals())
    create_table_artifact(key="ingest-summary", table=report.table_rows(), description="Pages, articles, figures and removals per source")
    create_markdown_artifact(key="ingest-failures", markdown=report.failures_markdown(), description="URLs that failed, with reasons")
    totals = report.totals()
    logger.info("run %s done: %s", run_id, totals)
    return {"run_id": run_id, **totals}
