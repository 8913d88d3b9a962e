"""Per-page cost of extract + clean + numbers (`dangjian.pipeline.process_bytes`) against trafilatura's `extract`.

    .venv/bin/python bench/bench_page_cost.py [--rounds 5] [--shared ../shared] [--profile FILE]

Pages: the 57 real pages of ../shared/realpages/original (read in place, never
copied) and every article page of the sample sites (samplesites/sites/**),
in one process. Times are the thread's CPU time by default (`--clock wall`
for elapsed time): on a machine shared with other work, CPU time is what
the page costs, elapsed time also counts the waits for a core.

Each page is run once by each side to warm up. Then, `--rounds` times, each
side runs over all the pages in turn, the side going first alternating from
round to round (`--order round`, the default): a batch job runs one
extractor over many pages, and so does the benchmark. `--order page`
alternates the sides page by page instead; each side then meets CPU caches
the other has just filled with its own tables, which no real run does (it
costs dangjian about a third more on the small sample pages, trafilatura
less). A page's cost is its median over the rounds, and the figures are the
median and 95th percentile of those over the pages.

Two rows time dangjian: `process_bytes`, the whole page (decode, extract,
clean, figures, locality, fingerprints), and `extract+clean+numbers`, the
issue's scope (decode, extract_fields, clean_article, extract_figures): the
part that does what trafilatura's extract does, plus the figures.

trafilatura is a benchmark-only dependency (`pip install trafilatura`). It is
timed twice: on the page's bytes (it must find the encoding itself, as
process_bytes does) and on the text already decoded by dangjian (its best
case). Without trafilatura the dangjian half still runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dangjian.pipeline import NotAnArticle, process_bytes  # noqa: E402
from extract.charset import decode_html  # noqa: E402
from extract.fields import extract_fields  # noqa: E402
from transform.clean import clean_article  # noqa: E402
from transform.numbers import extract_figures  # noqa: E402

SITES = REPO / "samplesites" / "sites"


@dataclass(frozen=True)
class Page:
    name: str
    group: str  # "real" or "sample"
    body: bytes
    content_type: str | None
    url: str | None


@dataclass
class Timings:
    per_page_ms: dict[str, list[float]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def add(self, page: str, ms: float) -> None:
        self.per_page_ms.setdefault(page, []).append(ms)

    def medians(self, pages: list[Page]) -> list[float]:
        return [statistics.median(self.per_page_ms[p.name]) for p in pages if p.name in self.per_page_ms]


def real_pages(shared: Path) -> list[Page]:
    folder = shared / "realpages" / "original"
    return [Page(f"real/{p.stem}", "real", p.read_bytes(), None, None) for p in sorted(folder.glob("*.html"))]


def sample_pages() -> list[Page]:
    """Article pages of the sample sites, with the Content-Type their server sends."""
    manifest = json.loads((SITES / "_manifest.json").read_text(encoding="utf-8"))
    pages = []
    for path, entry in sorted(manifest.items()):
        if "article_id" in entry:
            pages.append(Page(f"sample{path}", "sample", (SITES / path.lstrip("/")).read_bytes(),
                              entry["content_type"], f"http://127.0.0.1:8765{path}"))
    return pages


def run_dangjian(page: Page) -> None:
    try:
        process_bytes(page.body, url=page.url, content_type=page.content_type)
    except NotAnArticle:
        pass  # a page without an article still costs what it costs


def run_dangjian_scope(page: Page) -> None:
    """decode + extract_fields + clean_article + extract_figures, as process_bytes calls them."""
    decoded = decode_html(page.body, page.content_type)
    cleaned = clean_article(extract_fields(decoded.text, page.url, selectors=None))
    if cleaned.body.strip():
        extract_figures(cleaned.body)


def trafilatura_runners() -> dict[str, Callable[[Page], None]] | None:
    try:
        import trafilatura
    except ImportError:
        return None
    decoded: dict[str, str] = {}

    def on_bytes(page: Page) -> None:
        trafilatura.extract(page.body, url=page.url)

    def on_text(page: Page) -> None:
        text = decoded.get(page.name)
        if text is None:
            text = decoded[page.name] = decode_html(page.body, page.content_type).text
        trafilatura.extract(text, url=page.url)

    return {"trafilatura (bytes)": on_bytes, "trafilatura (decoded text)": on_text}


CLOCKS = {"cpu": time.thread_time, "wall": time.perf_counter}


def _time(run: Callable[[Page], None], page: Page, clock: Callable[[], float]) -> float:
    started = clock()
    run(page)
    return (clock() - started) * 1000


def measure(pages: list[Page], runners: dict[str, Callable[[Page], None]], rounds: int,
            clock: Callable[[], float] = time.thread_time, order: str = "round") -> dict[str, Timings]:
    timings = {name: Timings() for name in runners}
    for page in pages:  # warm-up: imports, OpenCC dictionaries, lazily built tables
        for name, run in runners.items():
            try:
                run(page)
            except Exception as exc:  # noqa: BLE001 - report and leave the page out of this side's figures
                timings[name].failures[page.name] = f"{type(exc).__name__}: {exc}"
    names = list(runners)
    for round_number in range(rounds):
        if order == "page":
            for page in pages:
                for name in names:
                    _time_page(timings[name], runners[name], page, clock)
            continue
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            for page in pages:
                _time_page(timings[name], runners[name], page, clock)
    return timings


def _time_page(timing: Timings, run: Callable[[Page], None], page: Page, clock: Callable[[], float]) -> None:
    if page.name not in timing.failures:
        timing.add(page.name, _time(run, page, clock))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(pages: list[Page], timings: dict[str, Timings]) -> list[tuple[str, str, int, float, float, float]]:
    rows = []
    groups = [("all", pages), ("real", [p for p in pages if p.group == "real"]),
              ("sample", [p for p in pages if p.group == "sample"])]
    for name, timing in timings.items():
        for group, members in groups:
            values = timing.medians(members)
            if values:
                rows.append((name, group, len(values), statistics.median(values), percentile(values, 0.95),
                             statistics.fmean(values)))
    return rows


def stage_costs(pages: list[Page], clock: Callable[[], float]) -> dict[str, list[float]]:
    """Milliseconds per stage of process_bytes, page by page (the same calls, timed one by one)."""
    from dangjian.pipeline import selectors_for
    from extract.fields import extract_fields
    from transform.clean import clean_article
    from transform.fingerprint import fingerprints
    from transform.locality import locate
    from transform.numbers import extract_figures

    costs: dict[str, list[float]] = {}

    def timed(stage: str, function, *args, **kwargs):
        started = clock()
        value = function(*args, **kwargs)
        costs.setdefault(stage, []).append((clock() - started) * 1000)
        return value

    for page in pages:
        decoded = timed("decode (charset)", decode_html, page.body, page.content_type)
        fields = timed("extract_fields", extract_fields, decoded.text, page.url, selectors=selectors_for(None))
        cleaned = timed("clean_article", clean_article, fields)
        if not cleaned.body.strip():
            continue
        timed("extract_figures", extract_figures, cleaned.body)
        timed("locate", locate, cleaned.title, cleaned.body, cleaned.source)
        timed("fingerprints", fingerprints, cleaned.body)
    return costs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--clock", choices=tuple(CLOCKS), default="cpu",
                        help="cpu: this thread's CPU time, steady on a shared machine (default); wall: elapsed time")
    parser.add_argument("--order", choices=("round", "page"), default="round",
                        help="round: each side runs all pages in turn (default); page: sides alternate page by page")
    parser.add_argument("--no-trafilatura", action="store_true", help="time dangjian only")
    parser.add_argument("--profile", type=Path, help="cProfile dangjian's side (one pass) into this file")
    args = parser.parse_args(argv)

    pages = sample_pages()
    if (args.shared / "realpages" / "original").is_dir():
        pages = real_pages(args.shared) + pages
    else:
        print(f"{args.shared}/realpages is not present: timing the sample-site pages only")
    runners: dict[str, Callable[[Page], None]] = {
        "dangjian process_bytes": run_dangjian, "dangjian extract+clean+numbers": run_dangjian_scope}
    if not args.no_trafilatura:
        others = trafilatura_runners()
        if others is None:
            print("trafilatura is not installed (pip install trafilatura): timing dangjian only, no ratio")
        else:
            import trafilatura

            print(f"trafilatura {trafilatura.__version__}")
            runners.update(others)
    warnings.filterwarnings("ignore")
    kb = sorted(len(p.body) / 1024 for p in pages)
    print(f"{len(pages)} pages ({sum(p.group == 'real' for p in pages)} real, {sum(p.group == 'sample' for p in pages)}"
          f" sample), median {statistics.median(kb):.0f} KB, largest {kb[-1]:.0f} KB; {args.rounds} rounds,"
          f" {args.clock} time, order by {args.order}")

    timings = measure(pages, runners, args.rounds, CLOCKS[args.clock], args.order)
    rows = summary(pages, timings)
    print(f"\n| {'extractor':<30} | {'pages':<6} | {'n':>3} | {'median ms':>9} | {'p95 ms':>7} | {'mean ms':>7} |")
    print(f"|{'-' * 32}|{'-' * 8}|{'-' * 5}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for name, group, n, median, p95, mean in rows:
        print(f"| {name:<30} | {group:<6} | {n:>3} | {median:>9.2f} | {p95:>7.2f} | {mean:>7.2f} |")
    for name, timing in timings.items():
        for page, reason in timing.failures.items():
            print(f"  {name} failed on {page}: {reason}")

    medians = {(name, group): (median, p95) for name, group, _, median, p95, _ in rows}
    for ours in ("dangjian process_bytes", "dangjian extract+clean+numbers"):
        for name, group, _, median, p95, _ in rows:
            if name.startswith("trafilatura") and group == "all":
                own_median, own_p95 = medians[(ours, "all")]
                print(f"\nratio {name} / {ours} (all pages): median {median / own_median:.2f}x,"
                      f" p95 {p95 / own_p95:.2f}x (target: dangjian >= 5x faster)", end="")
    print()

    costs = stage_costs(pages, CLOCKS[args.clock])
    total = sum(sum(v) for v in costs.values())
    print(f"\nwhere dangjian's time goes (one pass, {args.clock} time):")
    print(f"| {'stage':<18} | {'median ms':>9} | {'p95 ms':>7} | {'share':>6} |")
    print(f"|{'-' * 20}|{'-' * 11}|{'-' * 9}|{'-' * 8}|")
    for stage, values in costs.items():
        print(f"| {stage:<18} | {statistics.median(values):>9.2f} | {percentile(values, 0.95):>7.2f} |"
              f" {100 * sum(values) / total:>5.1f}% |")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for page in pages:
            run_dangjian(page)
        profiler.disable()
        profiler.dump_stats(args.profile)
        print(f"\nprofile of one dangjian pass written to {args.profile}; top by own time:")
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)

    argv_text = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"\nreproduce with:\n  .venv/bin/python bench/bench_page_cost.py {argv_text}".rstrip())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
