"""The batch stages the ingest and reprocess flows share, run overlapped.

A batch of pages is fetched (ingest) or read back from the archive
(reprocess), processed in the worker processes, then loaded into DuckDB.
Run one after the other, every stage leaves the cores idle that another
could use, so while batch N is processed, the batches after it are already
being fetched or read and the batch before it loads:

    fetch/read N+1, N+2  |  process N, N-1 finishing  |  load N-2 (N-1 queued)

Loads stay one at a time and in order (DuckDB has a single writer): each
waits for the one before it. Every stage is a Prefect task per batch, never
per page, and batches go to tasks wrapped in `quote`: Prefect otherwise walks
every argument object by object looking for futures (visit_collection), which
cost more than fetching the pages. At most AHEAD batches are read ahead and
MAX_PENDING_LOADS queued for loading, so memory stays bounded whatever the
run's size. A source's tally counts a batch once its load has committed; when
anything fails, the loads already handed over are still waited for (so
nothing already loaded is lost and the run's counts match the warehouse)
before the error goes up.

No `from __future__ import annotations` here: Prefect reads the tasks' real annotations.
"""

import gc
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFuture
from prefect.utilities.annotations import quote

from extract.archive import FetchedPage
from extract.sources import SourceProfile
from flows.report import RunReport
from flows.workers import process_pages
from transform.article import ProcessedPage
from warehouse.batch import LoadStats
from warehouse.store import Warehouse

# Batches fetched or read ahead of the one being processed. Two keep the
# network busy across a batch boundary (the last requests of one batch
# overlap the first of the next) at the cost of one more batch in memory.
AHEAD = 2
# Loads handed over and not yet known to have committed: the one running and one queued behind it.
MAX_PENDING_LOADS = 2
# During a run, a full collection comes after this many collections of the middle generation (Python's default is 10).
# See long_lived_objects_set_aside.
FULL_PASS_EVERY = 100

_turns: dict[Path, threading.Lock] = {}
_turns_guard = threading.Lock()


@contextmanager
def warehouse_turn(path: str | Path) -> Iterator[None]:
    """Hold this process's turn at the warehouse file for one Warehouse call.

    DuckDB refuses a read-only connection to a file while a read-write one is
    open in the same process (and the reverse); warehouse/connection.py would
    treat that as a busy file and poll with sleeps of 0.1-2 s. The stages run
    on several threads (loads, discovery's lookups, archive reads), so they
    take turns here instead, and wait exactly as long as the other call takes.
    """
    key = Path(path).resolve()
    with _turns_guard:
        lock = _turns.setdefault(key, threading.Lock())
    with lock:
        yield


@contextmanager
def long_lived_objects_set_aside() -> Iterator[None]:
    """For one run, keep the garbage collector off the objects alive at its start (gc.freeze).

    A flow's process holds millions of long-lived objects (Prefect, pydantic,
    every imported module's) and a run allocates many more (records, figures,
    Arrow tables), so the collector's full passes come round again and again,
    each walking all of them with the GIL held: 0.38 s a pass, 2.6 s of a
    5,000-page backfill (bench/bench_end_to_end.py), stalling fetch replies
    and loads; frozen, a pass walks only what the run made (0.1-0.2 s). Hence
    one collection first, then gc.freeze; what the run allocates is collected
    as usual, and at the end the frozen objects go back to the collector
    (nothing is kept for good, and DuckDB's bindings see their objects freed
    at exit).

    Full passes also come round ten times rarer (FULL_PASS_EVERY): with the
    default, one came per batch, each walking every batch in flight, 0.2 ms
    of CPU a page in all. Rarer passes used to hold 60-150 MB more garbage at
    the peak, because finished batches waited in Prefect's reference cycles
    for a full pass; now the stages hand every batch over so that nothing in
    those cycles holds it (Pages.take), and the garbage left to wait is
    Prefect's own bookkeeping, a few hundred objects a batch. Measured over a
    20,000-page backfill: 24 full passes down to 6, 4.8 s of collection down
    to 2.0, the same peak memory.
    """
    collect_and_freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], FULL_PASS_EVERY)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def collect_and_freeze() -> None:
    """One full collection, then everything alive is frozen (a function of its own so the benchmark can time it)."""
    gc.collect()
    gc.freeze()


@dataclass
class Pages:
    """A batch of pages as a task returns it: one object, so Prefect links it to the task's state once.

    Prefect remembers which task made each value a task returns, item by item
    one level deep, for the rest of the flow run (FlowRunContext.run_results):
    a returned list of 500 pages would be 501 entries, kept until the run ends.
    """

    items: list

    def take(self) -> list:
        """The items, handed over once: this container keeps none of them.

        A finished task's future, its state and Prefect's records of the run
        refer to each other, so they are freed by the collector's full passes,
        not when the flow lets go of the future; whatever the returned Pages
        still held (a batch, ~25 MB with its bodies) would wait for the next
        full pass too.
        """
        items, self.items = self.items, []
        return items


@task(cache_policy=NO_CACHE)
def process_batch(pages: list[FetchedPage], profile: SourceProfile) -> Pages:
    """Extract and clean a batch (ProcessedPage items), in the worker processes when there are cores for them."""
    return Pages(process_pages(pages, profile))


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=5)
def load_batch(warehouse_path: str, run_id: str, processed: list[ProcessedPage]) -> LoadStats:
    """Archive and load one batch in one short transaction (staged beside the file if it stays busy)."""
    with warehouse_turn(warehouse_path):
        return Warehouse(warehouse_path).load_batch(run_id, processed)


@dataclass
class PendingBatch:
    """A batch on its way: its pages are being fetched or read (`started` will give them)."""

    profile: SourceProfile
    started: PrefectFuture | Future  # its .result() gives the batch's Pages
    of_total: int = 0  # the source's pages in all, for progress lines

    def pages(self) -> list[FetchedPage]:
        """The batch's pages, waiting for the fetch or read when it is not done yet."""
        pages = self.started.result().take()
        for page in pages:
            page.source_name = self.profile.name
        return pages

    def abandon(self) -> None:
        """Let the fetch or read finish (its result is dropped) so nothing runs on after a failed run."""
        _finish_quietly(self.started)


@dataclass
class _QueuedLoad:
    future: PrefectFuture
    source: str
    processed: list[ProcessedPage]
    counted: bool  # article pages: tallied when committed; list pages were tallied at discovery
    of_total: int = 0


@dataclass
class LoadChain:
    """Loads in hand-over order, one at a time, each overlapping the work after it.

    A load waits for the one before it (Prefect's `wait_for`), so handing a
    batch over returns at once unless MAX_PENDING_LOADS are already queued. A
    failed load fails its successors without running them: nothing after a
    failure is loaded out of order.
    """

    warehouse_path: str
    run_id: str
    report: RunReport
    max_pending: int = MAX_PENDING_LOADS
    _queued: deque = field(default_factory=deque)
    _done: dict[str, int] = field(default_factory=dict)

    def submit(self, source: str, processed: list[ProcessedPage], *, counted: bool = True, of_total: int = 0) -> None:
        """Queue one batch's load behind the loads already queued.

        An article batch first waits while MAX_PENDING_LOADS are queued; list
        pages (`counted=False`, a few dozen pages from a source's walk) never
        wait, so handing them over cannot raise an earlier load's failure.
        """
        while counted and len(self._queued) >= self.max_pending:
            self._settle_oldest()
        previous = [self._queued[-1].future] if self._queued else None
        future = load_batch.submit(self.warehouse_path, self.run_id, quote(processed), wait_for=previous)
        self._queued.append(_QueuedLoad(future, source, processed, counted, of_total))

    def drain(self) -> None:
        """Wait for every queued load; the first failure goes up (after the loads before it are counted)."""
        while self._queued:
            self._settle_oldest()

    def drain_after_failure(self) -> None:
        """Wait for every queued load while another error is on its way up: log, never raise."""
        while self._queued:
            try:
                self._settle_oldest()
            except Exception as exc:  # noqa: BLE001 - the original error matters more; this one is logged
                get_run_logger().error("a batch load did not complete: %s", exc)

    def _settle_oldest(self) -> None:
        queued = self._queued.popleft()
        stats = queued.future.result()
        if queued.counted:
            self._count(queued, stats)
        # The load task's parameters outlive it in Prefect's reference cycles (see Pages.take): let the batch go now.
        queued.processed.clear()

    def _count(self, queued: _QueuedLoad, stats: LoadStats) -> None:
        """Tally a committed batch of article pages for its source, and log the source's progress."""
        tally = self.report.tally(queued.source)
        tally.count_pages([item.page for item in queued.processed])
        tally.add_load(stats)
        self.report.record_failures(queued.source, queued.processed)
        done = self._done[queued.source] = self._done.get(queued.source, 0) + len(queued.processed)
        get_run_logger().info("%s: %d/%d pages done", queued.source, done, queued.of_total or done)


def processed_pages(future: PrefectFuture) -> list[ProcessedPage]:
    """Wait for a batch's processing (a function of its own so the benchmark can time the wait)."""
    return future.result().take()


class _Feed:
    """The batches coming up, kept `ahead` in front of the one being processed.

    A batch that cannot be fetched or read (or a source that cannot be
    planned) ends the feed: the batches before it are still processed and
    loaded, and the failure is raised once they are (`failure`).
    """

    def __init__(self, batches: Iterable[PendingBatch], ahead: int) -> None:
        self._source = iter(batches)
        self._ahead = ahead
        self._upcoming: deque[PendingBatch] = deque()
        self.failure: Exception | None = None

    def fill(self) -> None:
        """Start the next batches' fetches or reads, up to `ahead` of them."""
        try:
            while self.failure is None and len(self._upcoming) < self._ahead \
                    and (batch := next(self._source, None)) is not None:
                self._upcoming.append(batch)
        except Exception as exc:  # noqa: BLE001 - raised once what came before is loaded
            self.failure = exc

    def take(self) -> tuple[PendingBatch, list[FetchedPage]] | None:
        """The next batch and its pages (waiting for them), or None at the end or after a failure."""
        if not self._upcoming:
            return None
        batch = self._upcoming.popleft()
        try:
            return batch, batch.pages()
        except Exception as exc:  # noqa: BLE001 - raised once what came before is loaded
            self.failure = exc
            self.close()
            return None

    def close(self) -> None:
        """Let the fetches and reads already started end, and the producer clean up (pending walks)."""
        while self._upcoming:
            self._upcoming.popleft().abandon()
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


def run_overlapped(batches: Iterable[PendingBatch], loads: LoadChain, *, ahead: int = AHEAD) -> None:
    """Process each batch while the ones after it are fetched or read and the ones before it load.

    `batches` starts each batch's fetch or read when asked for the next item,
    so it is kept `ahead` items in front of the batch being processed. When
    anything fails, the loads already handed over are waited for before the
    error goes up; a batch that could not be fetched or read stops the run
    after every batch before it is loaded.
    """
    feed = _Feed(batches, ahead)
    processing: tuple[PendingBatch, list[FetchedPage], PrefectFuture] | None = None
    try:
        feed.fill()
        while (taken := feed.take()) is not None:
            batch, pages = taken
            previous, processing = processing, (batch, pages, process_batch.submit(quote(pages), batch.profile))
            feed.fill()  # the next fetch or read starts while this batch is processed
            if previous is not None:
                _hand_over(*previous, loads)
        if processing is not None:
            last, processing = processing, None
            _hand_over(*last, loads)
        loads.drain()
    except BaseException:
        if processing is not None:
            _finish_quietly(processing[2])
        loads.drain_after_failure()
        raise
    finally:
        feed.close()
    if feed.failure is not None:
        raise feed.failure


def _hand_over(batch: PendingBatch, pages: list[FetchedPage], started: PrefectFuture, loads: LoadChain) -> None:
    processed = processed_pages(started)
    pages.clear()  # processed holds each page; the list, a parameter of the finished task, would linger (Pages.take)
    loads.submit(batch.profile.name, processed, of_total=batch.of_total)


def _finish_quietly(started: PrefectFuture | Future) -> None:
    """Wait for work a failing run no longer needs, so it does not run on after the flow."""
    try:
        started.result()
    except Exception:  # noqa: BLE001 - the run is already failing for another reason
        pass


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` consecutive items."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
