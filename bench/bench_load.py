"""Bulk-load benchmark: synthetic articles with figures and removals into a fresh warehouse.

Reproduce with:

    .venv/bin/python bench/bench_load.py --articles 30000 --batch 1000
    .venv/bin/python bench/bench_load.py --articles 100000 --batch 1000     # the scale figure (several minutes)
    .venv/bin/python bench/bench_load.py --articles 30000 --batch 500      # flows/ingest.py's batch size

One in ten pages is a mirror copy of an earlier article (merged, not a new
article). Fingerprints are synthetic (random SimHash, hash of the body): the
benchmark measures the warehouse, not fingerprinting. Pages are generated
batch by batch (an article's body is rebuilt from its seed when a mirror
copies it), so the peak RSS printed is the loader's, not the test data's.

Printed: every tenth of the run, the mean time per batch over that tenth
(wall and CPU seconds) and the process's resident memory; at the end pages/s
(wall and per CPU second), the per-batch time of the first and last tenth
(flat means the load does not slow down as the file grows), the time of
finish_run (a commit like any other: nothing is left over for the run's
end) and peak RSS.
`--profile FILE` writes a cProfile of the loads. Not a timed test.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract.archive import FETCHED, FetchedPage  # noqa: E402
from transform.article import ArticleRecord, ProcessedPage  # noqa: E402
from transform.clean import CleanedArticle  # noqa: E402
from transform.locality import Locality  # noqa: E402
from transform.numbers import Figure  # noqa: E402
from transform.removal import Removal  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

_CHARS = "党员干部群众组织建设基层服务社区街道乡村振兴学习教育培训活动开展推进落实工作会议精神全面加强领导"
_START = datetime(2020, 1, 1, tzinfo=timezone.utc)


def _body(rng: random.Random) -> tuple[str, list[Figure]]:
    paragraphs, figures, offset = [], [], 0
    for _ in range(6):
        text = "".join(rng.choices(_CHARS, k=rng.randint(60, 140)))
        count = rng.randint(10, 9999)
        figure_text = f"{count}名"
        sentence = f"培训党员{figure_text}，{text}。"
        start = offset + len("培训党员")
        figures.append(Figure(float(count), "名", None, figure_text, start, start + len(figure_text), sentence, "党员", "培训"))
        paragraphs.append(sentence)
        offset += len(sentence) + 1
    return "\n".join(paragraphs), figures


def _article(seed: int) -> tuple[str, list[Figure]]:
    """The body and figures of the original page `seed`: the same every time they are asked for."""
    return _body(random.Random(f"article-{seed}"))


def _page(i: int, body: str, figures: list[Figure], *, mirror_of: int | None) -> ProcessedPage:
    source = "mirror" if mirror_of is not None else f"site{i % 20}"
    url = f"http://{source}.example.cn/{i}.html"
    fetched_at = _START + timedelta(minutes=i)
    page = FetchedPage(url, url, 200, {"etag": f'"{i}"'}, body.encode("utf-8"), fetched_at, 0.1, FETCHED,
                       source_name=source)  # fmt: skip
    seed = mirror_of if mirror_of is not None else i
    cleaned = CleanedArticle(
        title=f"第{seed}篇党建动态", published_at=(_START + timedelta(hours=seed)).replace(tzinfo=None),
        source="组工信息", author="记者", editors=["编辑"], body=body,
        removed=[Removal("chrome", "首页 > 党建动态"), Removal("metadata", "来源：组工信息")],
    )  # fmt: skip
    record = ArticleRecord(
        url=url, source_name=source, cleaned=cleaned, figures=figures,
        locality=Locality("湖北省", "武汉市", "江岸区", "420102"),
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest(),
        simhash=random.Random(seed).getrandbits(64), encoding="utf-8", cleaner_version="bench",
    )  # fmt: skip
    return ProcessedPage(page=page, record=record)


def synthetic_batches(n: int, batch: int, seed: int = 7) -> Iterator[list[ProcessedPage]]:
    """n pages in batches: nine originals then one mirror of a random earlier original, repeated."""
    rng = random.Random(seed)
    originals: list[int] = []
    pages: list[ProcessedPage] = []
    for i in range(n):
        if i % 10 == 9 and originals:
            j = originals[rng.randrange(len(originals))]
            pages.append(_page(i, *_article(j), mirror_of=j))
        else:
            originals.append(i)
            pages.append(_page(i, *_article(i), mirror_of=None))
        if len(pages) == batch:
            yield pages
            pages = []
    if pages:
        yield pages


def synthetic_pages(n: int, seed: int = 7) -> list[ProcessedPage]:
    """All n pages of synthetic_batches in one list."""
    return [page for pages in synthetic_batches(n, n or 1, seed) for page in pages]


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class _Tenth:
    """One tenth of the run: batches loaded and the time they took."""

    pages: int = 0
    batches: int = 0
    wall: float = 0.0
    cpu: float = 0.0

    def line(self, loaded: int) -> str:
        per = max(self.batches, 1)
        return (f"  {loaded:>7} pages loaded: {self.wall / per:6.3f} s/batch wall, {self.cpu / per:6.3f} s CPU"
                f" ({self.pages / max(self.wall, 1e-9):,.0f} pages/s); RSS {_rss_mb():.0f} MB, peak {_peak_rss_mb():.0f} MB")  # fmt: skip


def _load(warehouse: Warehouse, run_id: str, args: argparse.Namespace, profile: cProfile.Profile | None) -> tuple[dict, list[_Tenth], float, float]:
    totals = {"articles_new": 0, "figures": 0, "pages": 0}
    tenth_size = max(args.articles // 10, 1)
    tenths: list[_Tenth] = [_Tenth()]
    wall = cpu = 0.0
    loaded = 0
    for pages in synthetic_batches(args.articles, args.batch):
        if profile:
            profile.enable()
        w, c = time.perf_counter(), time.process_time()
        stats = warehouse.load_batch(run_id, pages)
        w, c = time.perf_counter() - w, time.process_time() - c
        if profile:
            profile.disable()
        wall, cpu, loaded = wall + w, cpu + c, loaded + len(pages)
        totals["articles_new"] += stats.articles_new
        totals["figures"] += stats.figures
        totals["pages"] += stats.pages_archived
        tenth = tenths[-1]
        tenth.pages, tenth.batches, tenth.wall, tenth.cpu = tenth.pages + len(pages), tenth.batches + 1, tenth.wall + w, tenth.cpu + c
        if tenth.pages >= tenth_size:
            print(tenth.line(loaded), flush=True)
            tenths.append(_Tenth())
    if not tenths[-1].batches:
        tenths.pop()
    return totals, tenths, wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="pages to load (default 100000)")
    parser.add_argument("--batch", type=int, default=1_000, help="pages per load_batch (default 1000)")
    parser.add_argument("--keep", help="write the warehouse here instead of a temporary directory")
    parser.add_argument("--profile", help="write a cProfile of the loads to this file")
    args = parser.parse_args()

    profile = cProfile.Profile() if args.profile else None
    print(f"loading {args.articles} synthetic pages in batches of {args.batch}; RSS before {_rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.duckdb"
        warehouse = Warehouse(path, mirror_sources={"mirror"})
        warehouse.migrate()
        run_id = warehouse.start_run("bench", {"articles": args.articles, "batch": args.batch})
        totals, tenths, elapsed, cpu = _load(warehouse, run_id, args, profile)
        ended = time.perf_counter(), time.process_time()
        warehouse.finish_run(run_id, "completed", totals)
        ended = time.perf_counter() - ended[0], time.process_time() - ended[1]
        from warehouse.query import run_sql

        _, counts = run_sql(path, """
            SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM article_copies), (SELECT count(*) FROM articles),
                   (SELECT count(*) FROM article_numbers), (SELECT count(*) FROM removed_fragments)""")
        pages_n, copies_n, articles_n, numbers_n, removed_n = counts[0]
        rows = pages_n * 2 + copies_n + articles_n + numbers_n + removed_n  # pages + fetches
        size_mb = path.stat().st_size / 1e6
    if profile:
        profile.dump_stats(args.profile)
        print(f"cProfile of the loads written to {args.profile}")
    first, last = tenths[0], tenths[-1]
    print(f"loaded {pages_n} pages -> {articles_n} articles ({copies_n} copies), {numbers_n} figures, "
          f"{removed_n} removed fragments in {elapsed:.1f} s ({cpu:.1f} s CPU)")  # fmt: skip
    print(f"  {pages_n / elapsed:,.0f} pages/s, {pages_n / cpu:,.0f} pages per CPU second, {rows / elapsed:,.0f} rows/s"
          f" over all tables; file {size_mb:.0f} MB")  # fmt: skip
    print(f"  per batch: first tenth {first.wall / first.batches:.3f} s ({first.cpu / first.batches:.3f} s CPU),"
          f" last tenth {last.wall / last.batches:.3f} s ({last.cpu / last.batches:.3f} s CPU)")  # fmt: skip
    print(f"  finish_run: {ended[0]:.2f} s ({ended[1]:.2f} s CPU)")
    print(f"  peak RSS {_peak_rss_mb():.0f} MB; load average {os.getloadavg()[0]:.2f}")
    print(f"reproduce: .venv/bin/python bench/bench_load.py --articles {args.articles} --batch {args.batch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
