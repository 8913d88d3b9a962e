"""Time spent in the pipeline's own work, so the rest of a flow's wall time can be charged to orchestration.

The flows call the stages through a handful of functions (FetchSession.fetch,
discover_articles, process_pages, the Warehouse methods). `WorkClock.install`
wraps those names where the flows look them up with a timer; the wrapped
functions run unchanged. Only the outermost timed call counts, so a list-page
fetch inside discovery is not counted twice, and the time of a generator
(`Warehouse.archived_pages`) is the time spent producing its items.

The flows run their stages overlapped (flows/stages.py): fetching, processing
and loading run on other threads and in worker processes at the same time,
so their time is reported apart (`background`, with calls and durations).
The flow thread's work is its waits for those stages, each labelled with
what it waits for (the next fetched batch, processing, a load, discovery),
plus the warehouse calls it makes itself. Whatever wall time is left once
the flow thread's work is subtracted is Prefect on the critical path
(creating and submitting task runs, state changes, API calls, log shipping,
artifacts) plus the flow body's own bookkeeping, a few dict updates per batch.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class WorkClock:
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Peak resident MB seen during each kind of call (when `peaks` is on): where memory spikes.
    peaks: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    track_peaks: bool = False
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    background_durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    background: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    background_calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # CPU seconds of the calling thread during each kind of call (this process's share of the stage).
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    flow_thread: int = field(default_factory=threading.get_ident)
    first_start: float | None = None
    _local: threading.local = field(default_factory=threading.local)
    _undo: list = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values())

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()
        self.background.clear()
        self.background_calls.clear()
        self.cpu.clear()
        self.durations.clear()
        self.background_durations.clear()
        self.peaks.clear()
        self.first_start = None

    def _enter(self) -> bool:
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        if depth == 0 and self.track_peaks and threading.get_ident() == self.flow_thread:
            from procstats import reset_peak_rss

            reset_peak_rss()
        return depth == 0

    def _leave(self) -> None:
        self._local.depth -= 1

    def _timed(self, label: str, function):
        clock = self

        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator(*args, **kwargs):
                iterator = function(*args, **kwargs)
                while True:
                    outer = clock._enter()
                    started, cpu = time.perf_counter(), time.thread_time()
                    try:
                        item = next(iterator)
                    except StopIteration:
                        return
                    finally:
                        clock._record(label, outer, started, cpu)
                    yield item
            return generator

        @functools.wraps(function)
        def timed(*args, **kwargs):
            outer = clock._enter()
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                clock._record(label, outer, started, cpu)
        return timed

    def _record(self, label: str, outer: bool, started: float, cpu: float) -> None:
        self._leave()
        if not outer:
            return
        self.cpu[label] += time.thread_time() - cpu
        if threading.get_ident() != self.flow_thread:
            elapsed = time.perf_counter() - started
            self.background[label] += elapsed
            self.background_calls[label] += 1
            self.background_durations[label].append(elapsed)
            return
        if self.first_start is None:
            self.first_start = started
        elapsed = time.perf_counter() - started
        if self.track_peaks:
            from procstats import peak_rss_mb

            self.peaks[label] = max(self.peaks[label], peak_rss_mb())
        self.seconds[label] += elapsed
        self.calls[label] += 1
        self.durations[label].append(elapsed)

    def growth(self, label: str) -> tuple[float, float] | None:
        """Mean seconds per call over the first and the last quarter of calls: does a call slow down as data grows?"""
        values = self.durations.get(label) or self.background_durations.get(label) or []
        if len(values) < 8:
            return None
        quarter = len(values) // 4
        return sum(values[:quarter]) / quarter, sum(values[-quarter:]) / quarter

    def wrap(self, owner, name: str, label: str | None = None) -> None:
        """Time `owner.name` (a module global or a class attribute) from now on."""
        original = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        setattr(owner, name, self._timed(label or name, original))
        self._undo.append((owner, name, original))

    def install_for_flows(self) -> None:
        """Wrap the work the ingest and reprocess flows call, and the flow thread's waits for it.

        The stages run overlapped (flows/stages.py): fetching, processing and
        loading happen on other threads (and the worker processes) and count as
        `background`; the flow thread's own time is its waits for them, each
        named after what it waits for. What is left of the wall time is the
        flow thread's Prefect work: creating and submitting the task runs.
        """
        import extract.fetch
        import flows.ingest
        import flows.stages
        import flows.workers
        import warehouse.store

        self.wrap(flows.ingest, "discover_articles", "discover (list pages)")
        self.wrap(extract.fetch.FetchSession, "fetch", "fetch")
        # The batch, not the page: worker processes must receive the real function (pickled by name).
        self.wrap(flows.stages, "process_pages", "process (extract+clean+numbers)")
        self.wrap(flows.stages.PendingBatch, "pages", "wait for the next batch (fetch / archive read)")
        self.wrap(flows.stages, "processed_pages", "wait for processing")
        self.wrap(flows.stages.LoadChain, "_settle_oldest", "wait for a load")
        self.wrap(flows.ingest, "_planned", "wait for discovery")
        self.wrap(flows.stages, "collect_and_freeze", "garbage collection before the run")
        for method, label in (
            ("load_batch", "load (DuckDB)"),
            ("archived_pages", "read archive (DuckDB)"),
            ("known_urls", "warehouse lookups"),
            ("validators", "warehouse lookups"),
            ("migrate", "warehouse lookups"),
            ("start_run", "warehouse lookups"),
            ("finish_run", "warehouse lookups"),
        ):
            self.wrap(warehouse.store.Warehouse, method, label)

    def uninstall(self) -> None:
        while self._undo:
            owner, name, original = self._undo.pop()
            setattr(owner, name, original)
