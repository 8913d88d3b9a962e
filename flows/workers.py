"""The extraction worker processes both flows hand pages to, and what runs inside them.

Extraction and cleaning are pure-Python CPU work and hold the GIL: in the
flow's process they would share one core with fetching, loading and Prefect.
Worker processes (forkserver: never forked from a process running Prefect's
threads) import only this module and dangjian.pipeline, not Prefect.

A page crosses to a worker once: what comes back is the record or the error,
and the parent pairs it with the page it kept. Sending the whole
ProcessedPage back would pickle every body a second time, and unpickling it
on the parent's GIL cost ~180 us a page against ~50 us for the record alone.

No `from __future__ import annotations` here (flows/ rule), and no Prefect import.
"""

import atexit
import math
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from dangjian.pipeline import process_page
from extract.archive import FetchedPage
from extract.sources import SourceProfile
from transform.article import ArticleRecord, ProcessedPage

# 1 = process (and fetch) in the flow's process (to compare, or where processes are not allowed).
PROCESS_WORKERS = int(os.environ.get("DANGJIAN_PROCESS_WORKERS", os.cpu_count() or 1))
# Pages per hand-over to a worker. Small enough that the last chunks of a batch
# keep both workers busy (a 60-page chunk is ~100 ms of one core left to the
# other's idling), large enough that the queue round trip (~1 ms) stays negligible.
CHUNK_PAGES = 20

_pool: ProcessPoolExecutor | None = None
# Set before any process starts: the forkserver starts once, with what is set then
# (the flows' fetch process, extract/fetch.py, may start it before the pool does).
multiprocessing.get_context("forkserver").set_forkserver_preload(["flows.workers", "extract.fetch"])

Outcome = tuple[ArticleRecord | None, str | None]


def process_chunk(pages: list[FetchedPage], profile: SourceProfile | None) -> list[Outcome]:
    """In a worker: the page pipeline over a chunk, returning (record, error) per page, in order."""
    out: list[Outcome] = []
    for page in pages:
        done = process_page(page, profile)
        out.append((done.record, done.error))
    return out


def use_processes() -> bool:
    """Whether the flows hand work to other processes (extraction workers, the fetch process)."""
    return PROCESS_WORKERS >= 2


def process_pool() -> ProcessPoolExecutor | None:
    """The process's worker pool, started on first use; None when configured to process in process."""
    global _pool
    if not use_processes():
        return None
    if _pool is None:
        _pool = ProcessPoolExecutor(PROCESS_WORKERS, mp_context=multiprocessing.get_context("forkserver"))
        atexit.register(_pool.shutdown, cancel_futures=True)
    return _pool


def drop_process_pool() -> None:
    """Forget a broken pool (a worker was killed); the next batch starts a new one."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def process_pages(pages: list[FetchedPage], profile: SourceProfile | None) -> list[ProcessedPage]:
    """Process a batch in the worker processes (in this process when there are none, or they died)."""
    pool = process_pool()
    if pool is not None and len(pages) >= 2:
        try:
            return _in_pool(pool, pages, profile)
        except BrokenProcessPool:  # a worker died (killed, out of memory): carry on in this process
            drop_process_pool()
    return [process_page(page, profile) for page in pages]


def _in_pool(pool: ProcessPoolExecutor, pages: list[FetchedPage], profile: SourceProfile | None) -> list[ProcessedPage]:
    size = max(1, min(CHUNK_PAGES, math.ceil(len(pages) / (2 * PROCESS_WORKERS))))
    chunks: list[tuple[list[FetchedPage], Future]] = []
    for start in range(0, len(pages), size):
        chunk = pages[start:start + size]
        chunks.append((chunk, pool.submit(process_chunk, chunk, profile)))
    processed: list[ProcessedPage] = []
    for chunk, future in chunks:
        for page, (record, error) in zip(chunk, future.result(), strict=True):
            processed.append(ProcessedPage(page=page, record=record, error=error))
    return processed
