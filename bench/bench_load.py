"""Bulk-load benchmark: 100 000 synthetic articles with figures and removals into a fresh warehouse.

Reproduce with:

    .venv/bin/python bench/bench_load.py                      # 100 000 articles, batches of 1 000
    .venv/bin/python bench/bench_load.py --articles 20000 --batch 500

One in ten pages is a mirror copy of an earlier article (merged, not a new
article). Fingerprints are synthetic (random SimHash, hash of the body): the
benchmark measures the warehouse, not fingerprinting. Not a timed test.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import tempfile
import time
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


def _page(i: int, body: str, figures: list[Figure], rng: random.Random, *, mirror_of: int | None) -> ProcessedPage:
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


def synthetic_pages(n: int, seed: int = 7) -> list[ProcessedPage]:
    """n pages: nine originals then one mirror of a random earlier original, repeated."""
    rng = random.Random(seed)
    pages, bodies = [], []
    for i in range(n):
        if i % 10 == 9 and bodies:
            j = rng.randrange(len(bodies))
            pages.append(_page(i, *bodies[j][1:], rng, mirror_of=bodies[j][0]))
        else:
            body, figures = _body(rng)
            bodies.append((i, body, figures))
            pages.append(_page(i, body, figures, rng, mirror_of=None))
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000, help="pages to load (default 100000)")
    parser.add_argument("--batch", type=int, default=1_000, help="pages per load_batch (default 1000)")
    parser.add_argument("--keep", help="write the warehouse here instead of a temporary directory")
    args = parser.parse_args()

    started = time.perf_counter()
    pages = synthetic_pages(args.articles)
    print(f"generated {len(pages)} pages in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "bench.duckdb"
        warehouse = Warehouse(path, mirror_sources={"mirror"})
        warehouse.migrate()
        run_id = warehouse.start_run("bench", {"articles": args.articles, "batch": args.batch})
        started = time.perf_counter()
        totals = {"articles_new": 0, "figures": 0, "pages": 0}
        for i in range(0, len(pages), args.batch):
            stats = warehouse.load_batch(run_id, pages[i : i + args.batch])
            totals["articles_new"] += stats.articles_new
            totals["figures"] += stats.figures
            totals["pages"] += stats.pages_archived
            if (i // args.batch) % 10 == 9:
                print(f"  {i + args.batch:>7} pages loaded, {time.perf_counter() - started:6.1f} s", flush=True)
        elapsed = time.perf_counter() - started
        warehouse.finish_run(run_id, "completed", totals)
        from warehouse.query import run_sql

        _, counts = run_sql(path, """
            SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM article_copies), (SELECT count(*) FROM articles),
                   (SELECT count(*) FROM article_numbers), (SELECT count(*) FROM removed_fragments)""")
        pages_n, copies_n, articles_n, numbers_n, removed_n = counts[0]
        rows = pages_n * 2 + copies_n + articles_n + numbers_n + removed_n  # pages + fetches
        size_mb = path.stat().st_size / 1e6
    print(f"loaded {pages_n} pages -> {articles_n} articles ({copies_n} copies), {numbers_n} figures, "
          f"{removed_n} removed fragments in {elapsed:.1f} s")  # fmt: skip
    print(f"  {pages_n / elapsed:,.0f} pages/s, {rows / elapsed:,.0f} rows/s over all tables; file {size_mb:.0f} MB")
    print(f"reproduce: .venv/bin/python bench/bench_load.py --articles {args.articles} --batch {args.batch}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
