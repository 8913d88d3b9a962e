"""The loader's incremental paths: what one batch finds in the stored ones, and how it leaves the file.

warehouse/load.py reads only the stored rows a batch concerns (by key, then by
rowid) and reads a stored copy's body only when a SimHash match could use it.
These tests load the same pages in one batch and in many, and near copies in
a later batch than their original, so that every such path runs against
stored rows rather than rows of the same batch. No timings: bench/bench_load.py
measures the cost.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from extract.archive import FAILED, FETCHED, NOT_MODIFIED, FetchedPage
from transform.article import ArticleRecord, ProcessedPage
from transform.clean import CleanedArticle
from transform.fingerprint import content_hash, simhash64
from transform.locality import Locality
from transform.numbers import Figure
from transform.removal import Removal
from warehouse.connection import ROW_GROUP_SIZE
from warehouse.mirrors import MIN_LETTERS_FOR_SIMHASH
from warehouse.store import Warehouse

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=timezone.utc)
MIRRORS = {"mirror", "aggregator"}
_CHARS = "党员干部群众组织建设基层服务社区街道乡村振兴学习教育培训活动开展推进落实工作会议精神全面加强领导"
_TAIL = "（本文转载自区委组织部，仅供学习交流）"


def article_body(seed: int) -> str:
    """A distinct article of about 300 characters with one figure (its SimHash is far from every other seed's)."""
    rng = random.Random(seed)
    paragraphs = ["".join(rng.choices(_CHARS, k=rng.randint(80, 120))) + "。" for _ in range(3)]
    return f"全区共培训党员{100 + seed}名。\n" + "\n".join(paragraphs)


def page(url: str, body: str, *, source: str, title: str, at: datetime, published: datetime | None = None) -> ProcessedPage:
    """A processed article page whose record carries the real fingerprints of `body`."""
    fetched = FetchedPage(url, url, 200, {"ETag": f'"{len(body)}"'}, body.encode("utf-8"), at, 0.05, FETCHED,
                          source_name=source)  # fmt: skip
    figure_text = body[len("全区共培训党员"):body.index("名") + 1]
    start = len("全区共培训党员")
    cleaned = CleanedArticle(
        title=title, published_at=published or datetime(2024, 5, 1), source="区委组织部", author=None, editors=[],
        body=body, removed=[Removal("chrome", "首页 > 党建动态")],
    )  # fmt: skip
    figure = Figure(float(figure_text[:-1]), "名", None, figure_text, start, start + len(figure_text), body.split("\n")[0],
                    "党员", "培训")  # fmt: skip
    record = ArticleRecord(
        url=url, source_name=source, cleaned=cleaned, figures=[figure], locality=Locality("重庆市", "重庆市", "江北区", "500105"),
        content_hash=content_hash(body), simhash=simhash64(body), encoding="utf-8", cleaner_version="0.1.0",
    )  # fmt: skip
    return ProcessedPage(page=fetched, record=record)


def corpus(n: int) -> list[list[ProcessedPage]]:
    """Three rounds of fetches, each URL at most once per round.

    1. n originals, from non-mirror sources (so each article's id is named by
       its original however the pages are batched);
    2. a day later, an exact mirror copy of every third article and an
       aggregator's near copy (an added line) of every fourth;
    3. re-fetches: a corrected body for i % 5 == 2, a 304 for i % 5 == 3, a
       failure (which must not cost the body) for i % 5 == 4.
    """
    later = T0 + timedelta(days=1)
    originals = [
        page(f"http://site{i % 3}.example.cn/{i}.html", article_body(i), source=f"site{i % 3}", title=f"第{i}篇党建动态",
             at=T0 + timedelta(minutes=i))
        for i in range(n)
    ]  # fmt: skip
    copies = [
        page(f"http://mirror.example.cn/m/{i}.html", article_body(i), source="mirror", title=f"第{i}篇党建动态",
             at=later + timedelta(minutes=i))
        for i in range(0, n, 3)
    ] + [
        page(f"http://agg.example.cn/a/{i}.html", article_body(i) + "\n" + _TAIL, source="aggregator",
             title=f"第{i}篇党建动态", at=later + timedelta(minutes=i))
        for i in range(1, n, 4)
    ]  # fmt: skip
    refetched, at = [], later + timedelta(hours=3)
    for i in range(2, n, 5):
        refetched.append(page(f"http://site{i % 3}.example.cn/{i}.html", article_body(i).replace("。", "！", 1),
                              source=f"site{i % 3}", title=f"第{i}篇党建动态（更正）", at=at))  # fmt: skip
    for i in range(3, n, 5):
        url = f"http://site{i % 3}.example.cn/{i}.html"
        refetched.append(ProcessedPage(page=FetchedPage(url, url, 304, {}, b"", at, 0.01, NOT_MODIFIED, source_name=f"site{i % 3}")))
    for i in range(4, n, 5):
        url = f"http://site{i % 3}.example.cn/{i}.html"
        refetched.append(ProcessedPage(page=FetchedPage(url, None, None, {}, b"", at, 30.0, FAILED, "timeout", f"site{i % 3}"),
                                       error="timeout"))  # fmt: skip
    return [originals, copies, refetched]


def contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without run ids (each warehouse has its own run)."""
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in ("sources", "fetches", "pages", "article_copies", "removed_fragments", "articles", "article_numbers"):
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", [table]
            ).fetchall() if r[0] not in ("run_id", "last_run_id", "registered_at")]  # fmt: skip
            out[table] = sorted(con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
    return out


def load(path: Path, rounds: list[list[ProcessedPage]], batch: int | None) -> Warehouse:
    """Each round in batches of `batch` pages (None: each round in one batch), one run per round."""
    wh = Warehouse(path, mirror_sources=MIRRORS)
    for pages in rounds:
        run_id = wh.start_run("ingest", {})
        size = batch or len(pages)
        for i in range(0, len(pages), size):
            wh.load_batch(run_id, pages[i : i + size])
        wh.finish_run(run_id, "completed", {})
    return wh


def test_loading_in_batches_leaves_the_same_tables_as_loading_each_round_at_once(tmp_path: Path) -> None:
    rounds = corpus(60)
    at_once = load(tmp_path / "once.duckdb", rounds, None)
    batched = load(tmp_path / "batched.duckdb", rounds, 7)
    assert contents(batched.path) == contents(at_once.path)
    with duckdb.connect(str(batched.path), read_only=True) as con:
        merged = dict(con.execute("SELECT matched_by, count(*) FROM article_copies GROUP BY ALL").fetchall())
        assert merged == {"new": 60, "content_hash": 20, "simhash": 15}
        assert con.execute("SELECT count(*), sum(copies) FROM articles").fetchall() == [(60, 95)]
        assert con.execute("SELECT count(*) FROM articles WHERE title LIKE '%更正%'").fetchall() == [(12,)]
        assert con.execute("SELECT count(*) FROM pages WHERE outcome = 'fetched' AND octet_length(body) > 0").fetchall() == [(95,)]


def test_near_copy_in_a_later_batch_joins_the_stored_article_only_with_enough_text(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "w.duckdb", mirror_sources=MIRRORS)
    run_id = wh.start_run("ingest", {})
    short = "全区共培训党员9名。\n基层党建工作会议召开。"
    assert len(short) < MIN_LETTERS_FOR_SIMHASH
    wh.load_batch(run_id, [page("http://jb.example.cn/1.html", article_body(1), source="jb", title="第1篇", at=T0),
                           page("http://jb.example.cn/2.html", short, source="jb", title="第2篇", at=T0)])  # fmt: skip
    later = T0 + timedelta(days=1)
    stats = wh.load_batch(run_id, [
        # an exact copy of article 1 and a near one in the same batch: the near one has no stored twin by hash
        page("http://mirror.example.cn/1.html", article_body(1), source="mirror", title="第1篇", at=later),
        page("http://agg.example.cn/1.html", article_body(1) + "\n" + _TAIL, source="aggregator", title="第1篇", at=later),
        page("http://agg.example.cn/2.html", short + _TAIL, source="aggregator", title="第2篇", at=later),
    ])  # fmt: skip
    assert (stats.copies_merged, stats.articles_new) == (2, 1)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        rows = con.execute("SELECT url, matched_by, is_canonical FROM article_copies ORDER BY url").fetchall()
    assert rows == [
        ("http://agg.example.cn/1.html", "simhash", False),
        ("http://agg.example.cn/2.html", "new", True),
        ("http://jb.example.cn/1.html", "new", True),
        ("http://jb.example.cn/2.html", "new", True),
        ("http://mirror.example.cn/1.html", "content_hash", False),
    ]


def test_small_batches_do_not_leave_a_row_group_each(tmp_path: Path) -> None:
    """Commits merge the small row groups batches append (a row group per commit would cost a block and a scan step each)."""
    wh = load(tmp_path / "w.duckdb", corpus(40)[:1], 1)
    with duckdb.connect(str(wh.path), read_only=True) as con:
        groups = con.execute(
            "SELECT count(DISTINCT row_group_id), max(count) FROM pragma_storage_info('pages') WHERE column_id = 0"
        ).fetchall()[0]
    assert groups[0] < 10
    assert groups[1] <= ROW_GROUP_SIZE
