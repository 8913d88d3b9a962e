"""End to end: a backfill of N synthetic pages through the real `ingest` flow into DuckDB, then a
nightly run with nothing new, then `reprocess` over the archive the backfill left.

    .venv/bin/python bench/bench_end_to_end.py --pages 100000

The pages are variants of the sample sites (samplesites/synthetic.py) served
from 127.0.0.1 by a separate process, politeness delays off. Figures:

- backfill: wall time, article pages per second (with and without Prefect's
  start-up), peak resident memory of this process (and its samples at 25 /
  50 / 75 / 100 % of the run, to show whether memory grows with pages), CPU
  of each process (the crawler, the extraction workers, the flow's fetch
  process, the Prefect server, the site server) in all and a page, the
  crawler's CPU by thread and its garbage collections, what the flow thread
  waited for while the stages ran overlapped on other threads and processes,
  and the share of wall time not spent in or waiting for the pipeline's work
  (bench/worktime.py): Prefect's orchestration on the critical path;
- nightly right after: requests per source as the site server logged them
  (goal: one list page per source, article pages only as 304s, or none);
- re-clean: `reprocess` pages per second.

Run it at 1000, 10000 and 100000 pages to see whether memory stays flat.
Nothing here is a timed test: it prints figures and the command that made them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from procstats import (  # noqa: E402
    GcClock, RssSampler, command_line, cpu_seconds, descendants, peak_rss_mb, thread_cpu_seconds, thread_cpu_since,
)
from synthetic_process import SyntheticProcess  # noqa: E402
from worktime import WorkClock  # noqa: E402


def _prefect_environment(workdir: Path, log_level: str | None) -> None:
    """A private Prefect home per run (its SQLite database starts empty), set before Prefect is imported."""
    home = workdir / "prefect-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    os.environ["PREFECT_HOME"] = str(home)
    os.environ.pop("PREFECT_API_URL", None)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if log_level:
        os.environ["PREFECT_LOGGING_LEVEL"] = log_level


class FetchProcesses:
    """CPU seconds and peak MB of the flows' fetch processes (extract/fetch.py), read just before each one ends.

    A fetch process lives for one flow run and is a child of the forkserver,
    so neither this process's nor its children's figures would ever count it.
    """

    def __init__(self) -> None:
        self.ended: dict[int, tuple[float, float]] = {}
        self.live: set[int] = set()
        self._undo: list = []

    def install(self) -> None:
        from extract.fetch import FetchSession

        tracker, init, close = self, FetchSession.__init__, FetchSession.close

        def tracked_init(session, *args, **kwargs) -> None:
            init(session, *args, **kwargs)
            if session.pid:
                tracker.live.add(session.pid)

        def tracked_close(session) -> None:
            if session.pid in tracker.live:
                tracker.ended[session.pid] = (cpu_seconds(session.pid), peak_rss_mb(session.pid))
                tracker.live.discard(session.pid)
            close(session)

        FetchSession.__init__, FetchSession.close = tracked_init, tracked_close
        self._undo = [(FetchSession, "__init__", init), (FetchSession, "close", close)]

    def uninstall(self) -> None:
        for owner, name, original in self._undo:
            setattr(owner, name, original)

    def usage(self) -> tuple[float, float]:
        """CPU seconds of all fetch processes so far, and the largest peak MB."""
        seen = [*self.ended.values(), *((cpu_seconds(pid), peak_rss_mb(pid)) for pid in self.live)]
        return sum(cpu for cpu, _ in seen), max((mb for _, mb in seen), default=0.0)


FETCH_PROCESSES = FetchProcesses()


def _helper_usage() -> dict[str, tuple[float, float]]:
    """CPU seconds and peak MB of the processes this one started, by role: Prefect's server, extraction workers, fetch."""
    usage: dict[str, tuple[float, float]] = {"prefect": (0.0, 0.0), "workers": (0.0, 0.0)}
    for pid in descendants():
        if pid in FETCH_PROCESSES.live:
            continue
        line = command_line(pid)
        role = "prefect" if ("prefect" in line or "uvicorn" in line) else "workers" if "multiprocessing" in line else None
        if role:
            cpu, peak = usage[role]
            usage[role] = (cpu + cpu_seconds(pid), peak + peak_rss_mb(pid))
    usage["fetch"] = FETCH_PROCESSES.usage()
    return usage


GC = GcClock()


class Phase:
    """Wall time, this process's CPU, and the work clock over one flow run."""

    def __init__(self, name: str, clock: WorkClock, server: SyntheticProcess) -> None:
        self.name, self.clock, self.server = name, clock, server

    def __enter__(self) -> Phase:
        self.clock.reset()
        GC.reset()
        self.server_cpu0 = self.server.ask("usage")["cpu_s"]
        self.helpers0 = _helper_usage()
        self.threads0 = thread_cpu_seconds()
        self.cpu0 = cpu_seconds()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_s = time.perf_counter() - self.t0
        self.cpu_s = cpu_seconds() - self.cpu0
        self.thread_cpu = thread_cpu_since(self.threads0, self.cpu_s)
        self.gc = GC.summary()
        self.server_cpu_s = self.server.ask("usage")["cpu_s"] - self.server_cpu0
        helpers = _helper_usage()
        self.prefect_cpu_s = helpers["prefect"][0] - self.helpers0["prefect"][0]
        self.workers_cpu_s = helpers["workers"][0] - self.helpers0["workers"][0]
        self.fetch_cpu_s = helpers["fetch"][0] - self.helpers0["fetch"][0]
        self.work = dict(self.clock.seconds)
        self.background = dict(self.clock.background)
        self.background_calls = dict(self.clock.background_calls)
        self.stage_cpu = dict(self.clock.cpu)
        self.peaks = dict(self.clock.peaks)
        self.growth = {label: g for label in ("load (DuckDB)",) if (g := self.clock.growth(label))}
        self.work_s = self.clock.total_s
        self.startup_s = (self.clock.first_start - self.t0) if self.clock.first_start else self.wall_s

    def _cpu_a_page(self, pages: int) -> str:
        """CPU milliseconds a page, per process: the steadier figure on a machine shared with other work."""
        pipeline = {"crawler": self.cpu_s, "extraction": self.workers_cpu_s, "fetch": self.fetch_cpu_s,
                    "site server": self.server_cpu_s}
        total = 1000 * sum(pipeline.values()) / pages
        parts = ", ".join(f"{name} {1000 * seconds / pages:.2f}" for name, seconds in pipeline.items())
        return f"  CPU a page: {total:.2f} ms ({parts}); Prefect's server {1000 * self.prefect_cpu_s / pages:.2f} ms more"

    def report(self, pages: int) -> list[str]:
        steady = self.wall_s - self.startup_s
        orchestration = self.wall_s - self.work_s
        lines = [
            f"  wall                {self.wall_s:8.1f} s   ({pages} pages: {pages / self.wall_s:7.1f} pages/s;"
            f" {pages / steady:7.1f} pages/s after the first {self.startup_s:.1f} s of flow start-up)"
            if steady > 0 else f"  wall                {self.wall_s:8.1f} s",
            f"  work (flow thread)  {self.work_s:8.1f} s   ({100 * self.work_s / self.wall_s:4.1f} % of wall)",
        ]
        for label, seconds in sorted(self.work.items(), key=lambda kv: -kv[1]):
            growth = self.growth.get(label)
            trend = f"  (first quarter {growth[0]:.2f} s/call, last {growth[1]:.2f})" if growth else ""
            if not trend and self.clock.calls[label] <= 8:
                trend = "  (" + ", ".join(f"{d:.1f}" for d in self.clock.durations[label]) + " s)"
            lines.append(f"    {label:<34}{seconds:8.1f} s   {self.clock.calls[label]:6d} calls{trend}")
        if self.peaks:
            lines.append("  peak resident MB during: " + ", ".join(
                f"{label} {mb:.0f}" for label, mb in sorted(self.peaks.items(), key=lambda kv: -kv[1])))
        if self.background:
            lines.append("  overlapped (other threads, summed over calls; they run at once):")
        for label, seconds in sorted(self.background.items(), key=lambda kv: -kv[1]):
            growth = self.growth.get(label)
            trend = f"  (first quarter {growth[0]:.2f} s/call, last {growth[1]:.2f})" if growth else ""
            lines.append(f"    {label:<34}{seconds:8.1f} s   {self.background_calls[label]:6d} calls,"
                         f" this process's CPU {self.stage_cpu.get(label, 0.0):.1f} s{trend}")
        lines += [
            f"  orchestration       {orchestration:8.1f} s   ({100 * orchestration / self.wall_s:4.1f} % of wall;"
            f" flow start-up {self.startup_s:.1f} s, the rest per task/run"
            f" {orchestration - self.startup_s:.1f} s = {100 * (orchestration - self.startup_s) / self.wall_s:.1f} %)",
            f"  CPU: crawler {self.cpu_s:.1f} s, extraction workers {self.workers_cpu_s:.1f} s,"
            f" fetch process {self.fetch_cpu_s:.1f} s,"
            f" Prefect server {self.prefect_cpu_s:.1f} s,"
            f" site server {self.server_cpu_s:.1f} s (in {self.wall_s:.1f} s on {os.cpu_count()} cores)",
            self._cpu_a_page(max(pages, 1)),
            "  crawler CPU by thread: " + ", ".join(
                f"{group} {seconds:.1f} s" for group, seconds in sorted(self.thread_cpu.items(), key=lambda kv: -kv[1])
                if seconds >= 0.05),
            f"  crawler's garbage collections: {self.gc}",
        ]
        return lines


def _requests_table(log: dict) -> list[str]:
    lines = [f"  {'source':<14}{'requests':>9}   by kind and status"]
    for source, counts in log["by_source"].items():
        total = sum(counts.values())
        lines.append(f"  {source:<14}{total:>9}   " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    lines.append(f"  {'all':<14}{log['total']:>9}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="article pages to backfill (default 2000)")
    parser.add_argument("--per-list", type=int, default=50, help="articles per list page (default 50)")
    parser.add_argument("--workdir", type=Path, help="where the warehouse goes (default: a fresh temp dir)")
    parser.add_argument("--skip-nightly", action="store_true")
    parser.add_argument("--skip-reprocess", action="store_true")
    parser.add_argument("--profile", type=Path, help="cProfile the backfill into this file and print the top")
    parser.add_argument("--batch-size", type=int,
                        help="override flows.ingest.BATCH_SIZE and flows.reprocess.BATCH_SIZE (pages per task)")
    parser.add_argument("--workers", type=int, help="override flows.workers.PROCESS_WORKERS (extraction processes)")
    parser.add_argument("--prefect-log-level", help="PREFECT_LOGGING_LEVEL for the run (default: Prefect's)")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix=f"dangjian-bench-{args.pages}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    warehouse = workdir / "warehouse.duckdb"
    for stale in (warehouse, workdir / "warehouse.duckdb.wal"):
        stale.unlink(missing_ok=True)
    sources = workdir / "sources.toml"
    _prefect_environment(workdir, args.prefect_log_level)

    import flows.ingest
    import flows.reprocess
    import flows.workers
    from flows.ingest import ingest
    from flows.reprocess import reprocess

    if args.batch_size:
        flows.ingest.BATCH_SIZE = flows.reprocess.BATCH_SIZE = args.batch_size
    if args.workers:
        flows.workers.PROCESS_WORKERS = args.workers

    command = "  .venv/bin/python bench/bench_end_to_end.py " + " ".join(argv if argv is not None else sys.argv[1:])
    server = SyntheticProcess.start(args.pages, sources, per_list=args.per_list)
    clock = WorkClock(track_peaks=True)
    clock.install_for_flows()
    FETCH_PROCESSES.install()
    GC.install()
    sampler = RssSampler().start()
    out: list[str] = []
    try:
        print(f"synthetic sites at {server.base_url}, warehouse {warehouse}", flush=True)
        with Phase("backfill", clock, server) as backfill:
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            result = ingest(sources_file=str(sources), warehouse_path=str(warehouse), mode="backfill")
            if profiler:
                profiler.disable()
        sampler.stop()
        backfill_log = server.ask("log")
        helpers = _helper_usage()
        out += [f"backfill of {args.pages} synthetic pages ({flows.ingest.BATCH_SIZE} per batch,"
                f" {flows.workers.PROCESS_WORKERS} extraction processes): fetched {result.get('fetched')}, failed"
                f" {result.get('failed')}, articles new {result.get('articles_new')}, figures {result.get('figures')}",
                *backfill.report(result.get("fetched") or args.pages)]
        out.append(f"  memory: crawler peak {max([peak_rss_mb(), *backfill.peaks.values()]):.0f} MB (sampled peak {sampler.peak_mb:.0f} MB; at "
                   + ", ".join(f"{int(f * 100)} %: {mb:.0f} MB" for f, mb in sampler.at_fractions())
                   + f"), extraction workers' peaks together {helpers['workers'][1]:.0f} MB,"
                   f" fetch process peak {helpers['fetch'][1]:.0f} MB,"
                   f" Prefect server peak {helpers['prefect'][1]:.0f} MB, site server peak"
                   f" {server.ask('usage')['peak_rss_mb']:.0f} MB")
        out.append(f"  warehouse file {warehouse.stat().st_size / 1e6:.0f} MB;"
                   f" server answered {backfill_log['total']} requests")
        if profiler:
            profiler.dump_stats(args.profile)
            print(f"\nprofile written to {args.profile}; top by cumulative time:")
            pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(30)

        if not args.skip_nightly:
            server.ask("clear")
            with Phase("nightly", clock, server) as nightly:
                nightly_result = ingest(sources_file=str(sources), warehouse_path=str(warehouse), mode="nightly")
            out += ["", f"nightly right after, nothing new: {nightly.wall_s:.1f} s, fetched"
                        f" {nightly_result.get('fetched')}, not modified {nightly_result.get('not_modified')},"
                        f" list pages {nightly_result.get('list_pages')}; requests the site server answered:",
                    *_requests_table(server.ask("log"))]

        if not args.skip_reprocess:
            with Phase("reprocess", clock, server) as again:
                re_result = reprocess(sources_file=str(sources), warehouse_path=str(warehouse))
            pages = re_result.get("fetched") or 0
            out += ["", f"re-clean (reprocess) of the archive: {pages} pages, articles updated"
                        f" {re_result.get('articles_updated')}, unchanged {re_result.get('articles_unchanged')}",
                    *again.report(pages)]
    finally:
        sampler.stop()
        clock.uninstall()
        FETCH_PROCESSES.uninstall()
        GC.uninstall()
        server.stop()
    print("\n" + "\n".join(out))
    print(f"\nmachine: {os.cpu_count()} cores; reproduce with:\n{command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
