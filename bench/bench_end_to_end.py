"""End to end: a backfill of N synthetic pages through the real `ingest` flow into DuckDB, then a
nightly run with nothing new, then `reprocess` over the archive the backfill left.

    .venv/bin/python bench/bench_end_to_end.py --pages 100000

The pages are variants of the sample sites (samplesites/synthetic.py) served
from 127.0.0.1 by a separate process, politeness delays off. Figures:

- backfill: wall time, article pages per second (with and without Prefect's
  start-up), peak resident memory of this process (and its samples at 25 /
  50 / 75 / 100 % of the run, to show whether memory grows with pages), CPU
  of the crawler, the Prefect server and the site server, and the share of
  wall time not spent in the pipeline's work (bench/worktime.py): Prefect's
  orchestration;
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

from procstats import RssSampler, command_line, cpu_seconds, descendants, peak_rss_mb  # noqa: E402
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


def _helper_usage() -> dict[str, tuple[float, float]]:
    """CPU seconds and peak MB of the processes this one started, by role: Prefect's server, extraction workers."""
    usage: dict[str, tuple[float, float]] = {"prefect": (0.0, 0.0), "workers": (0.0, 0.0)}
    for pid in descendants():
        line = command_line(pid)
        role = "prefect" if ("prefect" in line or "uvicorn" in line) else "workers" if "multiprocessing" in line else None
        if role:
            cpu, peak = usage[role]
            usage[role] = (cpu + cpu_seconds(pid), peak + peak_rss_mb(pid))
    return usage


class Phase:
    """Wall time, this process's CPU, and the work clock over one flow run."""

    def __init__(self, name: str, clock: WorkClock, server: SyntheticProcess) -> None:
        self.name, self.clock, self.server = name, clock, server

    def __enter__(self) -> Phase:
        self.clock.reset()
        self.server_cpu0 = self.server.ask("usage")["cpu_s"]
        self.helpers0 = _helper_usage()
        self.cpu0 = cpu_seconds()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_s = time.perf_counter() - self.t0
        self.cpu_s = cpu_seconds() - self.cpu0
        self.server_cpu_s = self.server.ask("usage")["cpu_s"] - self.server_cpu0
        helpers = _helper_usage()
        self.prefect_cpu_s = helpers["prefect"][0] - self.helpers0["prefect"][0]
        self.workers_cpu_s = helpers["workers"][0] - self.helpers0["workers"][0]
        self.work = dict(self.clock.seconds)
        self.background = dict(self.clock.background)
        self.peaks = dict(self.clock.peaks)
        self.growth = {label: g for label in ("load (DuckDB)",) if (g := self.clock.growth(label))}
        self.work_s = self.clock.total_s
        self.startup_s = (self.clock.first_start - self.t0) if self.clock.first_start else self.wall_s

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
            lines.append(f"    {label:<34}{seconds:8.1f} s   {self.clock.calls[label]:6d} calls{trend}")
        if self.peaks:
            lines.append("  peak resident MB during: " + ", ".join(
                f"{label} {mb:.0f}" for label, mb in sorted(self.peaks.items(), key=lambda kv: -kv[1])))
        for label, seconds in sorted(self.background.items(), key=lambda kv: -kv[1]):
            lines.append(f"    {label + ' (overlapped, other thread)':<34}{seconds:8.1f} s")
        lines += [
            f"  orchestration       {orchestration:8.1f} s   ({100 * orchestration / self.wall_s:4.1f} % of wall;"
            f" flow start-up {self.startup_s:.1f} s, the rest per task/run"
            f" {orchestration - self.startup_s:.1f} s = {100 * (orchestration - self.startup_s) / self.wall_s:.1f} %)",
            f"  CPU: crawler {self.cpu_s:.1f} s, extraction workers {self.workers_cpu_s:.1f} s,"
            f" Prefect server {self.prefect_cpu_s:.1f} s,"
            f" site server {self.server_cpu_s:.1f} s (in {self.wall_s:.1f} s on {os.cpu_count()} cores)",
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
    parser.add_argument("--batch-size", type=int, help="override flows.ingest.BATCH_SIZE (pages per task)")
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
    from flows.ingest import ingest
    from flows.reprocess import reprocess

    if args.batch_size:
        flows.ingest.BATCH_SIZE = args.batch_size

    command = "  .venv/bin/python bench/bench_end_to_end.py " + " ".join(argv if argv is not None else sys.argv[1:])
    server = SyntheticProcess.start(args.pages, sources, per_list=args.per_list)
    clock = WorkClock(track_peaks=True)
    clock.install_for_flows()
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
        out += [f"backfill of {args.pages} synthetic pages ({flows.ingest.BATCH_SIZE} per batch): fetched {result.get('fetched')}, failed"
                f" {result.get('failed')}, articles new {result.get('articles_new')}, figures {result.get('figures')}",
                *backfill.report(result.get("fetched") or args.pages)]
        out.append(f"  memory: crawler peak {max([peak_rss_mb(), *backfill.peaks.values()]):.0f} MB (sampled peak {sampler.peak_mb:.0f} MB; at "
                   + ", ".join(f"{int(f * 100)} %: {mb:.0f} MB" for f, mb in sampler.at_fractions())
                   + f"), extraction workers' peaks together {helpers['workers'][1]:.0f} MB,"
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
        server.stop()
    print("\n" + "\n".join(out))
    print(f"\nmachine: {os.cpu_count()} cores; reproduce with:\n{command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
