"""The DuckDB warehouse: migrations, archive, mirrors merged, idempotent loads, busy files, readers."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from extract.archive import FAILED, FETCHED, NOT_MODIFIED, FetchedPage
from extract.sources import SourceProfile
from transform.article import ArticleRecord, ProcessedPage
from transform.clean import CleanedArticle
from transform.fingerprint import content_hash, simhash64
from transform.locality import Locality
from transform.numbers import Figure
from transform.removal import Removal
from warehouse.connection import STORAGE_COMPATIBILITY
from warehouse.mirrors import MAX_DISTANCE, MAX_DISTANCE_SAME_TITLE, Fingerprint, MirrorIndex, new_article_id, title_key
from warehouse.query import export, run_sql
from warehouse.schema import LATEST_VERSION
from warehouse.store import Warehouse

T0 = datetime(2024, 5, 6, 8, 0, tzinfo=timezone.utc)

BODY_A = (
    "江北区委组织部近日举办新任村党组织书记培训班，全区共培训党员干部9500余人次。\n"
    "培训班围绕基层党建、乡村振兴和基层治理等内容，安排专题授课、现场教学和分组研讨。\n"
    "截至目前，全区直管党员1362名，基层党组织210个，选派第一书记46名驻村开展工作。"
)
BODY_B = (
    "红山街道党工委以“党建引领、七彩服务”为主线，推动快递小哥、外卖骑手等新就业群体融入社区治理。\n"
    "街道建成暖心驿站12个，组织志愿服务活动300余场，累计服务群众两万余人。\n"
    "下一步，街道将持续完善服务阵地，把党的组织和工作覆盖到新业态新就业群体。"
)


def figure(body: str, text: str, value: float, unit: str, qualifier: str | None = None) -> Figure:
    start = body.index(text)
    return Figure(value, unit, qualifier, text, start, start + len(text), body[:start + len(text)], "党员", "培训")


def processed(
    url: str,
    body: str = BODY_A,
    *,
    source_name: str = "jiangbei",
    fetched_at: datetime = T0,
    title: str = "江北区举办新任村党组织书记培训班",
    published_at: datetime | None = datetime(2024, 5, 5, 9, 30),
    flags: list[str] | None = None,
    figures: list[Figure] | None = None,
    headers: dict[str, str] | None = None,
) -> ProcessedPage:
    page = FetchedPage(
        requested_url=url, final_url=url, status=200, headers=headers or {"ETag": f'"{len(body)}"'},
        body=f"<html><body><h1>{title}</h1><p>{body}</p></body></html>".encode("utf-8"),
        fetched_at=fetched_at, elapsed_s=0.05, outcome=FETCHED, source_name=source_name,
    )  # fmt: skip
    cleaned = CleanedArticle(
        title=title, published_at=published_at, source="江北组工", author="王明", editors=["李华"], body=body,
        removed=[Removal("chrome", "首页 > 党建动态"), Removal("metadata", "来源：江北组工")], flags=flags or [],
    )  # fmt: skip
    if figures is None and "9500余人次" in body:
        figures = [figure(body, "9500余人次", 9500, "人次", "余"), figure(body, "1362名", 1362, "名")]
    record = ArticleRecord(
        url=url, source_name=source_name, cleaned=cleaned, figures=figures or [],
        locality=Locality("重庆市", "重庆市", "江北区", "500105"), content_hash=content_hash(body),
        simhash=simhash64(body), encoding="utf-8", cleaner_version="0.1.0",
    )  # fmt: skip
    return ProcessedPage(page=page, record=record)


def failed(url: str, *, fetched_at: datetime = T0, source_name: str = "jiangbei") -> ProcessedPage:
    page = FetchedPage(url, None, None, {}, b"", fetched_at, 30.0, FAILED, "timeout after 30 s", source_name)
    return ProcessedPage(page=page, error=page.error)


def not_modified(url: str, *, fetched_at: datetime, source_name: str = "jiangbei") -> ProcessedPage:
    page = FetchedPage(url, url, 304, {}, b"", fetched_at, 0.01, NOT_MODIFIED, source_name=source_name)
    return ProcessedPage(page=page)


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    wh = Warehouse(tmp_path / "w.duckdb", busy_timeout_s=20, mirror_sources={"pinyin-mirror", "aggregator"})
    wh.migrate()
    return wh


def query(wh: Warehouse, sql: str) -> list[tuple]:
    return run_sql(wh.path, sql)[1]


def table_contents(path: Path, *, ignore: set[str]) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the run-bookkeeping columns in `ignore`."""
    contents = {}
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
        ).fetchall()]  # fmt: skip
        for table in tables:
            if table in ("runs", "schema_version"):
                continue
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall() if r[0] not in ignore]  # fmt: skip
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            contents[table] = sorted(rows, key=repr)
    return contents


# ---------------------------------------------------------------- schema


def test_migrate_creates_every_table_once_and_is_idempotent(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "new" / "w.duckdb")
    wh.migrate()
    wh.migrate()
    assert wh.schema_version() == LATEST_VERSION
    assert query(wh, "SELECT count(*) FROM schema_version") == [(LATEST_VERSION,)]
    names = {r[0] for r in query(wh, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
    assert {"schema_version", "sources", "pages", "fetches", "articles", "article_copies", "article_numbers",
            "removed_fragments", "runs", "v_articles", "v_numbers"} <= names  # fmt: skip


def test_file_keeps_storage_compatible_with_duckdb_1_4(warehouse: Warehouse) -> None:
    storage = "SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal"
    with duckdb.connect(str(warehouse.path), read_only=True) as con:
        assert con.execute(storage).fetchall() == [(f"{STORAGE_COMPATIBILITY}+",)]


def test_every_schema_table_is_documented(warehouse: Warehouse) -> None:
    doc = (Path(__file__).resolve().parents[1] / "warehouse" / "SCHEMA.md").read_text(encoding="utf-8")
    names = [r[0] for r in query(warehouse, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")]
    assert [n for n in names if f"### `{n}`" not in doc] == []


# ---------------------------------------------------------------- archive and runs


def test_runs_record_parameters_status_and_counts(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {"mode": "nightly", "sources": ["jiangbei"]})
    assert query(warehouse, f"SELECT status FROM runs WHERE run_id = '{run_id}'") == [("running",)]
    warehouse.finish_run(run_id, "completed", {"fetched": 3, "articles_new": 2, "removed_chrome": 4})
    rows = query(warehouse, f"SELECT status, fetched, articles_new, counts->>'removed_chrome', parameters->>'mode' FROM runs WHERE run_id = '{run_id}'")
    assert rows == [("completed", 3, 2, "4", "nightly")]


def test_failures_and_unprocessable_pages_stay_archived_with_their_error(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    bad = ProcessedPage(page=processed("http://jb.example.cn/2.html").page, error="not an article: no article body found")
    stats = warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html"), failed("http://jb.example.cn/3.html"), bad])
    assert (stats.pages_archived, stats.failed, stats.process_errors, stats.articles_new) == (3, 1, 1, 1)
    rows = query(warehouse, "SELECT url, outcome, error, process_error, octet_length(body) > 0 FROM pages ORDER BY url")
    assert rows == [
        ("http://jb.example.cn/1.html", "fetched", None, None, True),
        ("http://jb.example.cn/2.html", "fetched", None, "not an article: no article body found", True),
        ("http://jb.example.cn/3.html", "failed", "timeout after 30 s", None, False),
    ]
    assert warehouse.known_urls("jiangbei") == {"http://jb.example.cn/1.html", "http://jb.example.cn/2.html"}
    assert warehouse.known_urls("other") == set()


def test_failure_after_success_keeps_the_body_and_logs_the_attempt(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html")])
    warehouse.load_batch(run_id, [failed("http://jb.example.cn/1.html", fetched_at=T0 + timedelta(days=1))])
    assert query(warehouse, "SELECT outcome, octet_length(body) > 0 FROM pages") == [("fetched", True)]
    assert query(warehouse, "SELECT outcome FROM fetches ORDER BY fetched_at") == [("fetched",), ("failed",)]


def test_validators_come_from_the_last_good_fetch_and_304_keeps_the_body(warehouse: Warehouse) -> None:
    url = "http://jb.example.cn/1.html"
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [processed(url, headers={"ETag": '"v1"', "Last-Modified": "Mon, 06 May 2024 08:00:00 GMT"})])
    given = url + "?utm_source=feed"  # validators are looked up by canonical URL, returned under the URL given
    found = warehouse.validators([given, "http://jb.example.cn/unknown.html"])
    assert list(found) == [given]
    assert (found[given].etag, found[given].last_modified) == ('"v1"', "Mon, 06 May 2024 08:00:00 GMT")
    later = T0 + timedelta(days=2)
    stats = warehouse.load_batch(run_id, [not_modified(url, fetched_at=later)])
    assert (stats.not_modified, stats.articles_unchanged) == (1, 1)
    assert query(warehouse, "SELECT outcome, status, fetched_at, last_seen FROM pages") == [
        ("fetched", 200, T0.replace(tzinfo=None), later.replace(tzinfo=None))
    ]
    assert query(warehouse, "SELECT last_seen FROM articles") == [(later.replace(tzinfo=None),)]


def test_an_older_fetch_loaded_late_does_not_overwrite_a_newer_one(warehouse: Warehouse) -> None:
    url = "http://jb.example.cn/1.html"
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [processed(url, BODY_B, fetched_at=T0 + timedelta(days=1))])
    warehouse.load_batch(run_id, [processed(url, BODY_A, fetched_at=T0)])
    assert query(warehouse, "SELECT body FROM articles") == [(BODY_B,)]
    assert query(warehouse, "SELECT count(*) FROM fetches") == [(2,)]


# ---------------------------------------------------------------- articles, figures, removals


def test_article_figures_and_removals_are_loaded(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    stats = warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html")])
    assert (stats.articles_new, stats.figures, stats.removed_by_kind) == (1, 2, {"chrome": 1, "metadata": 1})
    article_id = new_article_id("http://jb.example.cn/1.html")
    assert query(warehouse, "SELECT article_id, source, title, published_at, province, county, adcode, copies FROM articles") == [
        (article_id, "江北组工", "江北区举办新任村党组织书记培训班", datetime(2024, 5, 5, 9, 30), "重庆市", "江北区", "500105", 1)
    ]
    assert query(warehouse, "SELECT value, unit, qualifier, text, substr(body, start_pos + 1, end_pos - start_pos) FROM v_numbers JOIN articles USING (article_id) ORDER BY position") == [
        (9500.0, "人次", "余", "9500余人次", "9500余人次"), (1362.0, "名", None, "1362名", "1362名"),
    ]  # fmt: skip
    assert query(warehouse, "SELECT position, kind, text FROM removed_fragments ORDER BY position") == [
        (0, "chrome", "首页 > 党建动态"), (1, "metadata", "来源：江北组工")
    ]
    assert query(warehouse, "SELECT published_date, county, damaged FROM v_articles") == [
        (datetime(2024, 5, 5).date(), "江北区", False)
    ]


def test_same_ingest_twice_leaves_every_table_identical(warehouse: Warehouse) -> None:
    batch = [
        processed("http://jb.example.cn/1.html"),
        processed("http://mirror.example.cn/jb/1.html", BODY_A + "\n", source_name="pinyin-mirror"),
        processed("http://jb.example.cn/2.html", BODY_B, title="红山街道七彩服务", figures=[]),
        failed("http://jb.example.cn/3.html"),
    ]
    first = warehouse.start_run("ingest", {})
    first_stats = warehouse.load_batch(first, batch)
    warehouse.finish_run(first, "completed", {})
    ignore = {"last_seen", "last_run_id"}
    before = table_contents(warehouse.path, ignore=ignore)
    second = warehouse.start_run("ingest", {})
    stats = warehouse.load_batch(second, batch)
    warehouse.finish_run(second, "completed", {})
    assert table_contents(warehouse.path, ignore=ignore) == before
    assert (first_stats.articles_new, stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (2, 0, 0, 2)
    assert sum(len(rows) for rows in before.values()) > 10
    keys = {"pages": "url", "fetches": "url, fetched_at", "article_copies": "url", "articles": "article_id",
            "article_numbers": "article_id, position", "removed_fragments": "copy_url, position"}  # fmt: skip
    for table, key in keys.items():
        assert query(warehouse, f"SELECT count(*) = count(DISTINCT ({key})) FROM {table}") == [(True,)], table


def test_article_ids_are_the_same_in_a_fresh_rebuild(tmp_path: Path) -> None:
    batch = [processed("http://mirror.example.cn/jb/1.html", source_name="pinyin-mirror"), processed("http://jb.example.cn/1.html"),
             processed("http://jb.example.cn/2.html", BODY_B, title="红山街道七彩服务")]  # fmt: skip
    ids = []
    for name in ("a", "b"):
        wh = Warehouse(tmp_path / name / "w.duckdb", mirror_sources={"pinyin-mirror"})
        wh.load_batch(wh.start_run("ingest", {}), batch)
        ids.append(query(wh, "SELECT article_id, url FROM articles ORDER BY article_id"))
    assert ids[0] == ids[1]
    assert sorted(url for _, url in ids[0]) == ["http://jb.example.cn/1.html", "http://jb.example.cn/2.html"]


# ---------------------------------------------------------------- mirrors


def test_mirror_seen_first_yields_to_the_original_and_keeps_its_id(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    mirror_body = BODY_A.replace("。\n", "！\n")  # re-punctuated: same letters, same content hash
    s1 = warehouse.load_batch(run_id, [processed("http://mirror.example.cn/jb/1.html", mirror_body, source_name="pinyin-mirror")])
    s2 = warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html")])
    assert (s1.articles_new, s2.articles_new, s2.articles_updated, s2.copies_merged) == (1, 0, 1, 1)
    article_id = new_article_id("http://mirror.example.cn/jb/1.html")
    assert query(warehouse, "SELECT article_id, url, source_name, copies, body = ? FROM articles".replace("?", "'" + BODY_A + "'")) == [
        (article_id, "http://jb.example.cn/1.html", "jiangbei", 2, True)
    ]
    assert query(warehouse, "SELECT url, is_canonical, matched_by FROM article_copies ORDER BY url") == [
        ("http://jb.example.cn/1.html", True, "content_hash"),
        ("http://mirror.example.cn/jb/1.html", False, "new"),
    ]
    assert query(warehouse, "SELECT DISTINCT copy_url FROM article_numbers") == [("http://jb.example.cn/1.html",)]


def test_near_duplicate_merges_only_when_title_or_date_agrees(warehouse: Warehouse) -> None:
    aggregated = BODY_A + "\n（本文转载自江北组工，仅供学习交流）"  # an aggregator's re-post adds a line
    elsewhere = BODY_A + "\n（本文来自另一家网站，内容有删改）"  # as near, but another headline and year
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [
        processed("http://jb.example.cn/1.html"),
        processed("http://agg.example.cn/a/9.html", aggregated, source_name="aggregator"),
        processed("http://other.example.cn/x.html", elsewhere, source_name="other", title="另一篇文章",
                  published_at=datetime(2023, 1, 1)),
    ])  # fmt: skip
    assert query(warehouse, "SELECT url, matched_by, is_canonical FROM article_copies ORDER BY url") == [
        ("http://agg.example.cn/a/9.html", "simhash", False),
        ("http://jb.example.cn/1.html", "new", True),
        ("http://other.example.cn/x.html", "new", True),
    ]
    assert query(warehouse, "SELECT count(*) FROM articles") == [(2,)]


def test_mojibake_copy_loses_canonical_to_an_undamaged_one(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html", flags=["mojibake"], fetched_at=T0)])
    stats = warehouse.load_batch(run_id, [processed("http://jb2.example.cn/1.html", source_name="jiangbei2", fetched_at=T0 + timedelta(hours=1))])
    assert stats.articles_updated == 1
    assert query(warehouse, "SELECT url, flags FROM articles") == [("http://jb2.example.cn/1.html", [])]


def test_registering_a_source_as_mirror_re_elects_its_copies(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "w.duckdb")
    run_id = wh.start_run("ingest", {})
    wh.load_batch(run_id, [processed("http://m.example.cn/1.html", source_name="m", fetched_at=T0),
                           processed("http://jb.example.cn/1.html", fetched_at=T0 + timedelta(hours=1))])  # fmt: skip
    assert query(wh, "SELECT url FROM articles") == [("http://m.example.cn/1.html",)]
    wh.register_sources([SourceProfile(name="m", start_urls=("http://m.example.cn/",), is_mirror=True, label="镜像站")])
    assert query(wh, "SELECT url FROM articles") == [("http://jb.example.cn/1.html",)]
    assert query(wh, "SELECT source_label FROM v_articles") == [(None,)]


def test_distinct_articles_stay_apart(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    stats = warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html"),
                                          processed("http://jb.example.cn/2.html", BODY_B, title="红山街道七彩服务")])  # fmt: skip
    assert stats.articles_new == 2
    assert query(warehouse, "SELECT count(*) FROM articles") == [(2,)]


def test_band_index_finds_every_hash_within_max_distance_and_nothing_beyond() -> None:
    base = 0x9E3779B97F4A7C15
    day = datetime(2024, 5, 5).date()
    index = MirrorIndex([Fingerprint("u", "a1", "h", base, title_key("标题"), day, 500)])
    spread = [0, 17, 35, 52, 63]  # flipped bits fall in different bands
    for n in range(len(spread)):
        probe = Fingerprint("v", "", "other", base ^ sum(1 << b for b in spread[:n]), title_key("另一个标题"), day, 500)
        assert (index.match(probe) is not None) == (n <= MAX_DISTANCE), n
    far_day = Fingerprint("v", "", "other", base ^ 1, title_key("另一个标题"), datetime(2020, 1, 1).date(), 500)
    assert index.match(far_day) is None


def test_same_headline_tolerates_more_bits_than_the_band_index() -> None:
    base = 0x0123456789ABCDEF
    index = MirrorIndex([Fingerprint("u", "a1", "h", base, title_key("标题：一样"), None, 500)])
    flips = [2, 9, 20, 21, 33, 40, 41, 50, 55, 60, 61, 62, 63, 7]
    near = Fingerprint("v", "", "x", base ^ sum(1 << b for b in flips[:MAX_DISTANCE_SAME_TITLE]), title_key("标题 一样"), None, 500)
    far = Fingerprint("v", "", "x", base ^ sum(1 << b for b in flips[:MAX_DISTANCE_SAME_TITLE + 1]), title_key("标题 一样"), None, 500)
    assert index.match(near) == ("a1", "simhash")
    assert index.match(far) is None


def test_real_pages_and_their_traditional_script_mirrors_merge_pairwise(tmp_path: Path, realpages_dir: Path) -> None:
    opencc = pytest.importorskip("opencc")
    s2t, t2s = opencc.OpenCC("s2t.json"), opencc.OpenCC("t2s.json")
    texts = [p.read_text(encoding="utf-8") for p in sorted((realpages_dir / "cleaned").glob("*.txt"))]
    assert len(texts) >= 50
    batch = []
    for i, text in enumerate(texts):
        # What the cleaner hands over: simplified text for the original, t2s of the traditional mirror.
        original, mirrored = t2s.convert(text), t2s.convert(s2t.convert(text))
        title = f"第{i}篇"
        batch.append(processed(f"http://orig.example.cn/{i}.html", original, title=title, figures=[]))
        batch.append(processed(f"http://mirror.example.cn/{i}.html", mirrored, title=title,
                               source_name="pinyin-mirror", fetched_at=T0 - timedelta(hours=1), figures=[]))  # fmt: skip
    wh = Warehouse(tmp_path / "w.duckdb", mirror_sources={"pinyin-mirror"})
    stats = wh.load_batch(wh.start_run("ingest", {}), batch)
    assert stats.articles_new == len(texts)
    assert query(wh, "SELECT count(*), sum(copies), count(*) FILTER (WHERE url LIKE 'http://orig.%') FROM articles") == [
        (len(texts), 2 * len(texts), len(texts))
    ]
    # Every pair merged with its own partner, not another article.
    assert query(wh, "SELECT count(*) FROM (SELECT article_id FROM article_copies GROUP BY article_id "
                     "HAVING count(DISTINCT regexp_extract(url, '/(\\d+)\\.html', 1)) > 1)") == [(0,)]  # fmt: skip


# ---------------------------------------------------------------- reprocess


def test_reprocess_updates_changed_articles_and_leaves_the_rest(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html"),
                                  processed("http://jb.example.cn/2.html", BODY_B, title="红山街道七彩服务", source_name="hongshan")])  # fmt: skip
    pages = list(warehouse.archived_pages(chunk_size=1))
    assert [p.requested_url for p in pages] == ["http://jb.example.cn/1.html", "http://jb.example.cn/2.html"]
    assert pages[0].body.decode("utf-8").count("9500余人次") == 1 and pages[0].fetched_at == T0
    assert [p.requested_url for p in warehouse.archived_pages(source_names=["hongshan"])] == ["http://jb.example.cn/2.html"]
    assert list(warehouse.archived_pages(until=T0 - timedelta(days=1))) == []

    rerun = warehouse.start_run("reprocess", {})
    unchanged = processed("http://jb.example.cn/2.html", BODY_B, title="红山街道七彩服务", source_name="hongshan")
    unchanged.record.cleaner_version = "0.2.0"
    shorter = BODY_A.split("\n")[0]
    changed = processed("http://jb.example.cn/1.html", shorter, figures=[figure(shorter, "9500余人次", 9500, "人次", "余")])
    changed.record.cleaner_version = "0.2.0"
    stats = warehouse.load_batch(rerun, [replace(changed, page=pages[0]), replace(unchanged, page=pages[1])])
    assert (stats.articles_new, stats.articles_updated, stats.articles_unchanged) == (0, 1, 1)
    assert query(warehouse, "SELECT url, body = '" + shorter + "', cleaner_version FROM articles ORDER BY url") == [
        ("http://jb.example.cn/1.html", True, "0.2.0"), ("http://jb.example.cn/2.html", False, "0.2.0"),
    ]
    assert query(warehouse, "SELECT text FROM article_numbers") == [("9500余人次",)]
    assert query(warehouse, "SELECT count(*) FROM pages") == [(2,)]


# ---------------------------------------------------------------- list pages

LIST_URL = "http://jb.example.cn/list/index.html"
LIST_HTML = '<html><body><ul><li><a href="/1.html">江北区举办新任村党组织书记培训班</a></li></ul></body></html>'


def list_page(*, fetched_at: datetime = T0, outcome: str = FETCHED, url: str = LIST_URL) -> ProcessedPage:
    """A list page as the fetcher returns it (kind "list"); nothing processes it into a record."""
    fetched = outcome == FETCHED
    page = FetchedPage(
        requested_url=url, final_url=url, status=200 if fetched else 304,
        headers={"content-type": "text/html; charset=utf-8", "etag": '"list-v1"',
                 "last-modified": "Mon, 06 May 2024 08:00:00 GMT"} if fetched else {},
        body=LIST_HTML.encode("utf-8") if fetched else b"", fetched_at=fetched_at, elapsed_s=0.01, outcome=outcome,
        source_name="jiangbei", kind="list",
    )  # fmt: skip
    return ProcessedPage(page=page)


def test_list_pages_are_archived_but_are_neither_articles_nor_known_articles(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    stats = warehouse.load_batch(run_id, [list_page(), processed("http://jb.example.cn/1.html")])
    assert (stats.pages_archived, stats.list_pages, stats.process_errors, stats.articles_new) == (2, 1, 0, 1)
    assert query(warehouse, "SELECT url, kind, outcome, etag, process_error FROM pages ORDER BY url") == [
        ("http://jb.example.cn/1.html", "article", "fetched", f'"{len(BODY_A)}"', None),
        (LIST_URL, "list", "fetched", '"list-v1"', None),
    ]
    assert query(warehouse, "SELECT url, kind FROM fetches ORDER BY url") == [
        ("http://jb.example.cn/1.html", "article"), (LIST_URL, "list"),
    ]
    assert query(warehouse, "SELECT url FROM article_copies") == [("http://jb.example.cn/1.html",)]
    assert warehouse.known_urls("jiangbei") == {"http://jb.example.cn/1.html"}
    assert warehouse.known_urls("jiangbei", kind="list") == {LIST_URL}
    assert [p.requested_url for p in warehouse.archived_pages()] == ["http://jb.example.cn/1.html"]
    assert [(p.requested_url, p.kind) for p in warehouse.archived_pages(kind="list")] == [(LIST_URL, "list")]
    assert len(list(warehouse.archived_pages(kind=None))) == 2


def test_list_page_validators_and_archived_body_serve_a_304(warehouse: Warehouse) -> None:
    run_id = warehouse.start_run("ingest", {})
    warehouse.load_batch(run_id, [list_page()])
    found = warehouse.validators([LIST_URL])
    assert (found[LIST_URL].etag, found[LIST_URL].last_modified) == ('"list-v1"', "Mon, 06 May 2024 08:00:00 GMT")
    later = T0 + timedelta(days=1)
    stats = warehouse.load_batch(run_id, [list_page(fetched_at=later, outcome=NOT_MODIFIED)])
    assert (stats.not_modified, stats.list_pages, stats.articles_unchanged) == (1, 1, 0)
    stored = warehouse.archived_page(LIST_URL + "?utm_source=x")  # looked up by canonical URL
    assert stored is not None and stored.body == LIST_HTML.encode("utf-8") and stored.kind == "list"
    assert stored.content_type == "text/html; charset=utf-8"
    assert query(warehouse, "SELECT outcome, fetched_at, last_seen FROM pages") == [
        ("fetched", T0.replace(tzinfo=None), later.replace(tzinfo=None))
    ]
    assert warehouse.archived_page("http://jb.example.cn/never.html") is None


def test_loading_the_same_list_pages_twice_changes_nothing(warehouse: Warehouse) -> None:
    batch = [list_page(), processed("http://jb.example.cn/1.html")]
    warehouse.load_batch(warehouse.start_run("ingest", {}), batch)
    first = table_contents(warehouse.path, ignore={"last_run_id", "last_seen"})
    warehouse.load_batch(warehouse.start_run("ingest", {}), batch)
    assert table_contents(warehouse.path, ignore={"last_run_id", "last_seen"}) == first


def test_a_version_1_file_gains_the_page_kind_and_keeps_its_rows(tmp_path: Path) -> None:
    from warehouse.schema import MIGRATIONS

    path = tmp_path / "v1.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL,"
                    " applied_at TIMESTAMP NOT NULL)")  # fmt: skip
        for statement in MIGRATIONS[0].statements:
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (1, 'v1', now())")
        con.execute("INSERT INTO pages (url, requested_url, fetched_at, outcome, source_name)"
                    " VALUES ('http://jb.example.cn/1.html', 'http://jb.example.cn/1.html', now(), 'fetched', 'jiangbei')")
        con.execute("INSERT INTO fetches (url, fetched_at, requested_url, outcome)"
                    " VALUES ('http://jb.example.cn/1.html', now(), 'http://jb.example.cn/1.html', 'fetched')")
    wh = Warehouse(path)
    assert wh.schema_version() == 1
    wh.migrate()
    assert wh.schema_version() == LATEST_VERSION >= 2
    assert query(wh, "SELECT kind FROM pages UNION ALL SELECT kind FROM fetches") == [("article",), ("article",)]
    assert wh.known_urls("jiangbei") == {"http://jb.example.cn/1.html"}


def test_a_batch_staged_before_page_kinds_loads_as_article_pages(tmp_path: Path) -> None:
    from warehouse.batch import build_batch
    from warehouse.staging import stage_batch

    wh = Warehouse(tmp_path / "w.duckdb")
    wh.migrate()
    batch = build_batch("old-run", [processed("http://jb.example.cn/1.html")])
    batch.fetches = batch.fetches.drop_columns(["kind"])
    batch.pages = batch.pages.drop_columns(["kind"])
    stage_batch(batch, wh.staging_dir)
    wh.start_run("ingest", {})
    assert query(wh, "SELECT url, kind FROM pages") == [("http://jb.example.cn/1.html", "article")]
    assert query(wh, "SELECT count(*) FROM articles") == [(1,)]


# ---------------------------------------------------------------- readers and the writer


def _hold_open(path: Path, seconds: float) -> subprocess.Popen:
    """A second process with the file open read-only (an analyst's session) for `seconds`."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}, read_only=True)
        con.execute("SELECT count(*) FROM pages").fetchall()
        print("ready", flush=True)
        time.sleep({seconds})
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_load_waits_for_a_reader_process_and_loses_nothing(warehouse: Warehouse, caplog: pytest.LogCaptureFixture) -> None:
    run_id = warehouse.start_run("ingest", {})
    holder = _hold_open(warehouse.path, 2.0)
    try:
        with caplog.at_level(logging.WARNING, logger="dangjian.warehouse"):
            stats = warehouse.load_batch(run_id, [processed("http://jb.example.cn/1.html")])
    finally:
        holder.wait(timeout=30)
    assert not stats.staged and stats.articles_new == 1
    assert any("locked by another process" in r.getMessage() for r in caplog.records)
    assert query(warehouse, "SELECT count(*) FROM articles") == [(1,)]


def test_batch_is_staged_when_busy_and_loaded_by_the_next_run(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path / "w.duckdb", busy_timeout_s=1.0)
    wh.migrate()
    run_id = wh.start_run("ingest", {})
    holder = _hold_open(wh.path, 60)
    try:
        stats = wh.load_batch(run_id, [processed("http://jb.example.cn/1.html"), failed("http://jb.example.cn/3.html")])
        wh.finish_run(run_id, "completed", {"fetched": 1})
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert stats.staged and (stats.pages_archived, stats.failed, stats.figures) == (2, 1, 2)
    assert len(list(wh.staging_dir.iterdir())) == 2  # the batch and the run's end
    assert query(wh, "SELECT count(*) FROM pages") == [(0,)]
    next_run = wh.start_run("ingest", {})
    assert query(wh, "SELECT count(*) FROM articles") == [(1,)]
    assert query(wh, "SELECT count(*) FROM pages") == [(2,)]
    assert query(wh, f"SELECT status, fetched FROM runs WHERE run_id = '{run_id}'") == [("completed", 1)]
    assert query(wh, f"SELECT status FROM runs WHERE run_id = '{next_run}'") == [("running",)]
    assert list(wh.staging_dir.iterdir()) == []


def test_run_sql_is_read_only_and_works_beside_another_reader(warehouse: Warehouse) -> None:
    warehouse.load_batch(warehouse.start_run("ingest", {}), [processed("http://jb.example.cn/1.html")])
    holder = _hold_open(warehouse.path, 3)
    try:
        columns, rows = run_sql(warehouse.path, "SELECT title, county FROM v_articles")
        assert (columns, rows) == (["title", "county"], [("江北区举办新任村党组织书记培训班", "江北区")])
    finally:
        holder.kill()
        holder.wait(timeout=30)
    with pytest.raises(duckdb.Error, match="read-only"):
        run_sql(warehouse.path, "DELETE FROM articles")
    assert query(warehouse, "SELECT count(*) FROM articles") == [(1,)]


def test_export_writes_one_file_per_table_and_view(warehouse: Warehouse, tmp_path: Path) -> None:
    warehouse.load_batch(warehouse.start_run("ingest", {}), [processed("http://jb.example.cn/1.html")])
    parquet = export(warehouse.path, "parquet", tmp_path / "pq")
    names = {p.stem for p in parquet}
    assert {"articles", "article_numbers", "pages", "v_articles", "v_numbers"} <= names
    assert pq.read_table(tmp_path / "pq" / "v_numbers.parquet").column("text").to_pylist() == ["9500余人次", "1362名"]
    csv_files = export(warehouse.path, "csv", tmp_path / "csv")
    assert {p.stem for p in csv_files} == names
    header = (tmp_path / "csv" / "articles.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("article_id,url,source,title,published_at,body")


def _duckdb_cli() -> str | None:
    beside = Path(sys.executable).parent / "duckdb"
    return str(beside) if beside.exists() else shutil.which("duckdb")


def test_duckdb_cli_1x_opens_the_file(warehouse: Warehouse) -> None:
    cli = _duckdb_cli()
    if cli is None:
        pytest.skip("duckdb CLI not installed (pip install duckdb-cli)")
    warehouse.load_batch(warehouse.start_run("ingest", {}), [processed("http://jb.example.cn/1.html")])
    result = subprocess.run(
        [cli, "-readonly", "-csv", str(warehouse.path), "-c", "SELECT count(*) AS n, min(county) AS c FROM v_articles"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(warehouse.path.parent)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(result.stdout.splitlines())) == [["n", "c"], ["1", "江北区"]]
