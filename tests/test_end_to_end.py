"""The whole pipeline on real parts: sample sites over HTTP -> Prefect flow -> DuckDB file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from opencc import OpenCC

from samplesites import sources_toml
from samplesites.catalog import SampleArticle, load_articles
from samplesites.server import serve_sample_sites

PINYIN_ANNOTATION = re.compile(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")
SPAM_RUN = re.compile(r"(?:[\u4e00-\u9fff]{2,8}\s*\|\s*){3,}")
FOOTER_MARKS = ("主办单位", "技术支持", "ICP备", "版权所有", "公网安备", "您是第", "来访者",
                "扫一扫", "分享到", "打印本页", "关闭窗口", "webp", ".jpg", "原题为")
T2S = OpenCC("t2s")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> tuple[Path, dict]:
    from flows.ingest import ingest

    workdir = tmp_path_factory.mktemp("e2e")
    warehouse = workdir / "warehouse.duckdb"
    with serve_sample_sites() as sites:
        sources = workdir / "sources.toml"
        sources.write_text(sources_toml(sites.base_url), encoding="utf-8")
        result = ingest(sources_file=str(sources), warehouse_path=str(warehouse), mode="backfill")
        base_url = sites.base_url
    return warehouse, {"result": result, "base_url": base_url}


def _article_for(con, url: str) -> tuple[str, str] | None:
    rows = con.execute(
        "SELECT a.article_id, a.body FROM article_copies c JOIN articles a USING (article_id) WHERE c.url = ?",
        [url],
    ).fetchall()
    return rows[0] if rows else None


def _copies(article: SampleArticle) -> list[str]:
    return [copy.site for copy in article.copies]


ARTICLES = load_articles()


def test_run_summary_counts_every_page(ingested) -> None:
    _, info = ingested
    result = info["result"]
    served_pages = sum(len(a.copies) for a in ARTICLES)
    assert result["fetched"] == served_pages
    assert result["failed"] == 0
    assert result["articles_new"] == len(ARTICLES)  # mirrors merged into their originals
    assert result["figures"] > 0


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.id)
def test_every_copy_is_stored_clean_with_its_figures(ingested, article: SampleArticle) -> None:
    warehouse, info = ingested
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for copy in article.copies:
            found = _article_for(con, copy.url(info["base_url"]))
            assert found is not None, f"{copy.site} copy of {article.id} not in the warehouse"
            article_id, body = found
            assert T2S.convert(body) == body, f"{article.id}: body not in simplified script"
            assert not PINYIN_ANNOTATION.search(body), f"{article.id}: pinyin annotation left in body"
            assert not SPAM_RUN.search(body), f"{article.id}: place-name spam left in body"
            for mark in FOOTER_MARKS:
                assert mark not in body, f"{article.id} ({copy.site}): chrome {mark!r} left in body"
            stored = {row[0] for row in con.execute(
                "SELECT text FROM article_numbers WHERE article_id = ?", [article_id]).fetchall()}
            missing = [f.text for f in article.figures if f.text not in stored]
            assert not missing, f"{article.id}: figures missing from article_numbers: {missing}"
    finally:
        con.close()


def test_many_small_overlapped_batches_load_every_page_once(tmp_path: Path, monkeypatch) -> None:
    """Two pages a batch: fetch, process and load of different batches and sources overlap; counts stay exact."""
    import flows.ingest
    import flows.reprocess

    monkeypatch.setattr(flows.ingest, "BATCH_SIZE", 2)
    monkeypatch.setattr(flows.reprocess, "BATCH_SIZE", 2)
    warehouse, sources = tmp_path / "warehouse.duckdb", tmp_path / "sources.toml"
    with serve_sample_sites() as sites:
        sources.write_text(sources_toml(sites.base_url), encoding="utf-8")
        result = flows.ingest.ingest(sources_file=str(sources), warehouse_path=str(warehouse), mode="backfill")
    again = flows.reprocess.reprocess(sources_file=str(sources), warehouse_path=str(warehouse))
    served: dict[str, int] = {}
    for copy in (copy for article in ARTICLES for copy in article.copies):
        served[copy.site] = served.get(copy.site, 0) + 1
    assert (result["fetched"], result["failed"], result["articles_new"]) == (sum(served.values()), 0, len(ARTICLES))
    # Re-cleaned with the same cleaner: every page read back, no article new or changed.
    assert (again["fetched"], again["articles_new"], again["articles_updated"]) == (result["fetched"], 0, 0)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        per_source = dict(con.execute("""
            SELECT source_name, count(*) FROM fetches WHERE run_id = ? AND kind = 'article' GROUP BY ALL""",
                                      [result["run_id"]]).fetchall())
    assert per_source == served
