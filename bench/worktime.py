"""Time spent in the pipeline's own work, so the rest of a flow's wall time can be charged to orchestration.

The flows call the stages through a handful of functions (fetch_pages,
discover_articles, process_page, the Warehouse methods). `WorkClock.install`
wraps those names where the flows look them up with a timer; the wrapped
functions run unchanged. Only the outermost timed call counts, so a list-page
fetch inside discovery is not counted twice, and the time of a generator
(`Warehouse.archived_pages`) is the time spent producing its items.

Only work on the flow's own thread counts towards the wall time: the ingest
flow fetches batch N+1 on the task runner's thread while it processes batch
N, so fetch time there runs alongside and is reported apart (`background`);
when the flow has to wait for that fetch, the wait (in the future's
`result`) is the flow thread's work. Whatever wall time is left once the
flow thread's work is subtracted is Prefect (task and flow runs, state
changes, API calls, log shipping, artifacts) plus the flow body's own
bookkeeping, which is a few dict updates per batch.
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
    background: dict[str, float] = field(default_factory=lambda: defaultdict(float))
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
        self.durations.clear()
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
                    started = time.perf_counter()
                    try:
                        item = next(iterator)
                    except StopIteration:
                        return
                    finally:
                        clock._record(label, outer, started)
                    yield item
            return generator

        @functools.wraps(function)
        def timed(*args, **kwargs):
            outer = clock._enter()
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                clock._record(label, outer, started)
        return timed

    def _record(self, label: str, outer: bool, started: float) -> None:
        self._leave()
        if not outer:
            return
        if threading.get_ident() != self.flow_thread:
            self.background[label] += time.perf_counter() - started
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
        values = self.durations.get(label, [])
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
        """Wrap the work the ingest and reprocess flows call."""
        import prefect.futures

        import flows.ingest
        import flows.reprocess
        import warehouse.store

        self.wrap(flows.ingest, "discover_articles", "discover (list pages)")
        self.wrap(flows.ingest, "fetch_pages", "fetch")
        # The batch, not the page: the ingest flow may hand pages to worker processes,
        # which must receive the real process_page (pickled by name), not a wrapper.
        self.wrap(flows.ingest.process_batch, "fn", "process (extract+clean+numbers)")
        self.wrap(flows.reprocess, "process_page", "process (extract+clean+numbers)")
        self.wrap(prefect.futures.PrefectConcurrentFuture, "result", "wait for the prefetched batch")
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
