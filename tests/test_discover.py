from __future__ import annotations

from datetime import date, datetime, timezone

from extract.discover import discover_articles, parse_list_page
from extract.archive import FETCHED, NOT_MODIFIED, FetchedPage
from extract.sources import SourceProfile

BASE = "http://127.0.0.1:9/site/"
PROFILE = SourceProfile(name="site", start_urls=(BASE + "index.html",))


def list_html(items: list[tuple[str, str, str]], next_href: str | None) -> str:
    lis = "".join(f'<li><a href="{href}">{text}</a><span>{day}</span></li>' for href, text, day in items)
    nav = '<div class="nav"><a href="/site/index.html">首页</a><a href="/site/about.html">关于我们网站介绍</a></div>'
    pager = f'<a href="{next_href}">下一页</a>' if next_href else ""
    return f"<html><body>{nav}<ul>{lis}</ul>{pager}</body></html>"


PAGES = {
    BASE + "index.html": list_html(
        [("2024/0301/301.html", "某区推进基层党建工作提质增效", "2024-03-01"),
         ("2024/0215/215.html", "某街道党工委开展主题党日活动", "2024-02-15")],
        "index_2.html",
    ),
    BASE + "index_2.html": list_html(
        [("2024/0110/110.html", "某社区党总支建设党群服务中心", "2024-01-10"),
         ("2023/1201/1201.html", "某县组织部培训基层党组织书记", "2023-12-01")],
        "index_3.html",
    ),
    BASE + "index_3.html": list_html(
        [("2023/1105/1105.html", "某镇党委推进党员教育管理工作", "2023-11-05")], None,
    ),
}


def fake_fetch_log() -> tuple[list[str], object]:
    log: list[str] = []

    def fetch(url: str) -> FetchedPage:
        log.append(url)
        body = PAGES[url].encode("utf-8")
        return FetchedPage(url, url, 200, {"content-type": "text/html; charset=utf-8"}, body,
                           datetime.now(timezone.utc), 0.0, FETCHED)

    return log, fetch


def test_generic_rules_find_headline_links_and_the_next_page() -> None:
    listing = parse_list_page(PAGES[BASE + "index.html"], BASE + "index.html", PROFILE)
    assert [a.url for a in listing.articles] == [BASE + "2024/0301/301.html", BASE + "2024/0215/215.html"]
    assert listing.articles[0].listed_on == date(2024, 3, 1)
    assert listing.next_pages == [BASE + "index_2.html"]


def test_nightly_walk_stops_at_the_first_list_page_with_known_articles() -> None:
    log, fetch = fake_fetch_log()
    found = discover_articles(PROFILE, fetch, known_urls={BASE + "2024/0215/215.html"}, stop_at_known=True)
    assert log == [BASE + "index.html"]
    assert [a.url for a in found.articles] == [BASE + "2024/0301/301.html"]


def test_backfill_walks_until_it_passes_its_date_range() -> None:
    log, fetch = fake_fetch_log()
    found = discover_articles(PROFILE, fetch, stop_at_known=False, since=date(2024, 1, 1), until=date(2024, 2, 28))
    assert [a.url for a in found.articles] == [BASE + "2024/0215/215.html", BASE + "2024/0110/110.html"]
    assert log == [BASE + "index.html", BASE + "index_2.html"]  # index_3 is all older than `since`


def test_list_page_limit_bounds_the_walk() -> None:
    log, fetch = fake_fetch_log()
    found = discover_articles(PROFILE, fetch, stop_at_known=False, max_list_pages=2)
    assert len(log) == 2 and "limit" in found.stopped_because


def conditional_fetch_log(unchanged: set[str]) -> tuple[list[str], object, object]:
    """A fetch answering 304 for `unchanged` URLs, and the archive holding every page's body as last fetched."""
    log: list[str] = []

    def page(url: str, outcome: str) -> FetchedPage:
        body = PAGES[url].encode("utf-8") if outcome == FETCHED else b""
        headers = {"content-type": "text/html; charset=utf-8"} if outcome == FETCHED else {}
        return FetchedPage(url, url, 200 if outcome == FETCHED else 304, headers, body,
                           datetime.now(timezone.utc), 0.0, outcome, kind="list")

    def fetch(url: str) -> FetchedPage:
        log.append(url)
        return page(url, NOT_MODIFIED if url in unchanged else FETCHED)

    def archived(url: str) -> FetchedPage | None:
        return page(url, FETCHED) if url in PAGES else None

    return log, fetch, archived


def test_nightly_walk_reads_an_unchanged_list_page_from_the_archive_and_stops_there() -> None:
    log, fetch, archived = conditional_fetch_log(unchanged=set(PAGES))
    known = {BASE + "2024/0301/301.html", BASE + "2024/0215/215.html"}
    found = discover_articles(PROFILE, fetch, known_urls=known, stop_at_known=True, archived=archived)
    assert log == [BASE + "index.html"]
    assert found.articles == [] and found.not_modified == 1
    assert "304" in found.stopped_because


def test_an_unchanged_list_page_still_yields_links_a_failed_run_left_unfetched() -> None:
    log, fetch, archived = conditional_fetch_log(unchanged={BASE + "index.html"})
    found = discover_articles(PROFILE, fetch, known_urls={BASE + "2024/0215/215.html"}, archived=archived)
    assert log == [BASE + "index.html"]
    assert [a.url for a in found.articles] == [BASE + "2024/0301/301.html"]


def test_backfill_walks_unchanged_list_pages_through_their_archived_bodies() -> None:
    log, fetch, archived = conditional_fetch_log(unchanged=set(PAGES))
    found = discover_articles(PROFILE, fetch, stop_at_known=False, since=date(2024, 1, 1), archived=archived)
    assert log == [BASE + "index.html", BASE + "index_2.html"]
    assert found.not_modified == 2
    assert [a.url for a in found.articles] == [BASE + "2024/0301/301.html", BASE + "2024/0215/215.html",
                                               BASE + "2024/0110/110.html"]  # fmt: skip


def test_a_304_without_an_archived_body_ends_a_nightly_walk() -> None:
    log, fetch, _ = conditional_fetch_log(unchanged={BASE + "index.html"})
    found = discover_articles(PROFILE, fetch, known_urls=(), stop_at_known=True)
    assert log == [BASE + "index.html"] and found.articles == []
    assert "no archived body" in found.stopped_because
