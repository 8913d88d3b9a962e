"""A nightly run with nothing new costs one conditional list-page request per source (issue 8).

Real parts only: the sample sites over HTTP, the real `ingest` Prefect flow
(ephemeral API, as in test_end_to_end.py) and a real DuckDB file. The server's
own request log says what each run cost. Then one site publishes an article
(the sample sites re-rendered with one more, served on the same port) and the
next nightly run fetches its changed first list page and that article only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from samplesites import sources_toml
from samplesites.build import render_site, write
from samplesites.catalog import load_articles, parse_article
from samplesites.server import serve_sample_sites
from samplesites.sitelist import SITES

# A new hongxing article, written for this test (no real page's text).
NEW_ARTICLE = {
    "id": "hx-nightly-xinwen",
    "sites": ["hongxing"],
    "title": "湘江社区党委开展夜间议事会收集居民意见",
    "published_at": "2025-03-02 19:40",
    "source": "红星网",
    "editors": ["周敏"],
    "paragraphs": [
        "为把群众的事办在家门口，湘江社区党委近日在党群服务中心召开夜间议事会，邀请居民代表、"
        "物业负责人和辖区单位党员一同参加，围绕停车难、楼道照明和老旧管网改造等问题逐项协商。",
        "会上，社区党委书记介绍了今年以来为民办实事项目的推进情况，居民代表结合各自楼栋的情况提出建议，"
        "物业公司当场认领了楼道照明维修任务，并承诺在两周内完成。",
        "社区党委表示，将把夜间议事会作为常态化机制坚持下去，建立问题清单和办理台账，"
        "办理结果在小区公示栏和居民微信群中公开，接受群众监督。",
    ],
}

STATIC_PATHS = ("/robots.txt",)


@dataclass
class Phase:
    """One flow run: what it returned and which requests the site server answered (robots.txt aside)."""

    result: dict
    requests: list[tuple[str, str, int]]

    def by_site(self) -> dict[str, list[tuple[str, int]]]:
        sites: dict[str, list[tuple[str, int]]] = {name: [] for name in SITES}
        for _method, path, status in self.requests:
            sites.setdefault(path.strip("/").split("/")[0], []).append((path, status))
        return sites


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """The analysis tables and the article archive, sorted, for before/after comparison."""
    queries = {
        "articles": "SELECT * FROM articles",
        "article_numbers": "SELECT * FROM article_numbers",
        "article_copies": "SELECT * FROM article_copies",
        "article_pages": "SELECT * FROM pages WHERE kind = 'article'",
    }
    with duckdb.connect(str(path), read_only=True) as con:
        return {name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in queries.items()}


def _run(sites, sources: Path, warehouse: Path, mode: str) -> Phase:
    from flows.ingest import ingest

    sites.clear_log()
    result = ingest(sources_file=str(sources), warehouse_path=str(warehouse), mode=mode)
    requests = [r for r in sites.request_log if r[1] not in STATIC_PATHS]
    return Phase(result, requests)


def _sites_with_new_article(root: Path) -> Path:
    """The sample sites as rendered with NEW_ARTICLE published on hongxing (newest first on its list)."""
    articles = [parse_article(NEW_ARTICLE, origin="tests/test_nightly.py"), *load_articles()]
    pages: dict[str, tuple[bytes, dict]] = {}
    for site in SITES:
        pages.update(render_site(site, articles))
    write(pages, root=root)
    return root


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("nightly")
    warehouse = workdir / "warehouse.duckdb"
    sources = workdir / "sources.toml"
    out: dict = {"warehouse": warehouse}
    with serve_sample_sites() as sites:
        sources.write_text(sources_toml(sites.base_url), encoding="utf-8")
        port, out["base_url"] = sites.port, sites.base_url
        out["backfill"] = _run(sites, sources, warehouse, "backfill")
        out["after_backfill"] = _snapshot(warehouse)
        out["nightly"] = _run(sites, sources, warehouse, "nightly")
        out["after_nightly"] = _snapshot(warehouse)
    # Same port, so every URL stays the same: only hongxing's pages changed.
    with serve_sample_sites(port=port, root=_sites_with_new_article(workdir / "sites")) as sites:
        out["changed"] = _run(sites, sources, warehouse, "nightly")
        out["after_changed"] = _snapshot(warehouse)
    return out


def _summary(phase: Phase) -> str:
    rows = []
    for site, requests in phase.by_site().items():
        statuses = Counter(status for _, status in requests)
        rows.append(f"{site}: {len(requests)} requests ({', '.join(f'{n}x{s}' for s, n in sorted(statuses.items()))})")
    return "; ".join(rows)


def test_print_request_counts_per_source(runs, capsys) -> None:
    with capsys.disabled():
        for name in ("backfill", "nightly", "changed"):
            phase = runs[name]
            counts = {k: phase.result.get(k) for k in ("list_pages", "list_not_modified", "fetched", "not_modified", "articles_new")}
            print(f"\n[{name}] {len(phase.requests)} requests: {_summary(phase)}; run counts {counts}")
    assert runs["nightly"].requests


def test_nightly_with_nothing_new_makes_one_conditional_list_request_per_source(runs) -> None:
    nightly = runs["nightly"]
    for site, requests in nightly.by_site().items():
        assert requests == [(f"/{site}/index.html", 304)], f"{site}: {requests}"
    assert len(nightly.requests) == len(SITES)
    assert nightly.result["fetched"] == 0 and nightly.result["failed"] == 0
    assert nightly.result["list_pages"] == len(SITES)
    assert nightly.result["list_not_modified"] == len(SITES)  # reported in the run summary too


def test_nightly_with_nothing_new_leaves_the_warehouse_unchanged(runs) -> None:
    assert runs["after_nightly"] == runs["after_backfill"]
    assert runs["nightly"].result["articles_new"] == 0 and runs["nightly"].result["articles_updated"] == 0


def test_backfill_archives_every_list_page_with_its_validators(runs) -> None:
    listed = {path for _, path, status in runs["backfill"].requests
              if status == 200 and path.rsplit("/", 1)[-1].startswith("index")}  # fmt: skip
    assert len(listed) >= 2 * len(SITES)  # every sample site has 2-3 list pages
    with duckdb.connect(str(runs["warehouse"]), read_only=True) as con:
        rows = con.execute("""
            SELECT url, etag IS NOT NULL, octet_length(body) > 0, process_error FROM pages
            WHERE kind = 'list'""").fetchall()
        list_articles = con.execute("""
            SELECT count(*) FROM article_copies c JOIN pages p USING (url) WHERE p.kind = 'list'""").fetchall()
    assert {url.removeprefix(runs["base_url"]) for url, *_ in rows} == listed
    assert all(etag and body and error is None for _, etag, body, error in rows)
    assert list_articles == [(0,)]


def test_nightly_304s_are_logged_as_list_fetches(runs) -> None:
    nightly_run = runs["nightly"].result["run_id"]
    with duckdb.connect(str(runs["warehouse"]), read_only=True) as con:
        rows = con.execute(
            "SELECT kind, outcome, status, count(*) FROM fetches WHERE run_id = ? GROUP BY ALL", [nightly_run]
        ).fetchall()
    assert rows == [("list", "not_modified", 304, len(SITES))]


def test_a_new_article_costs_its_list_page_and_itself_only(runs) -> None:
    changed = runs["changed"]
    new_path = parse_article(NEW_ARTICLE, origin="test").copy_on("hongxing").path
    by_site = changed.by_site()
    assert by_site.pop("hongxing") == [("/hongxing/index.html", 200), (new_path, 200)]
    for site, requests in by_site.items():
        assert requests == [(f"/{site}/index.html", 304)], f"{site}: {requests}"
    assert (changed.result["articles_new"], changed.result["fetched"]) == (1, 1)
    before, after = runs["after_nightly"], runs["after_changed"]
    added = [row for row in after["articles"] if row not in before["articles"]]
    assert [row[1] for row in added] == [runs["base_url"] + new_path]
    assert all(row in after["articles"] for row in before["articles"])  # nothing else touched
