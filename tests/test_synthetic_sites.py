"""The synthetic sample sites the end-to-end benchmark crawls (samplesites/synthetic.py)."""

from __future__ import annotations

import socket

import httpx
import pytest

from dangjian.pipeline import process_bytes
from extract.discover import parse_list_page
from extract.charset import decode_html
from extract.sources import parse_sources
from samplesites.sitelist import SITES
from samplesites.synthetic import PageStore, SyntheticSites, start_synthetic, summarise
from transform.fingerprint import hamming
from warehouse.mirrors import MAX_DISTANCE_SAME_TITLE

PAGES = 60


@pytest.fixture(scope="module")
def sites() -> SyntheticSites:
    return SyntheticSites(PAGES)


def test_pages_are_spread_over_every_site_and_each_path_parses_back(sites: SyntheticSites) -> None:
    paths = list(sites.all_paths())
    assert len(paths) == len(set(paths)) == PAGES
    assert {p.split("/")[1] for p in paths} == set(SITES)
    for path in paths:
        site, serial = sites.serial_of(path)
        assert sites.path(site, serial) == path
    assert sites.serial_of("/hongxing/2025/0630/99999999.html") is None
    assert sites.get("/hongxing/nothing.html") is None


def test_the_same_url_always_answers_the_same_bytes(sites: SyntheticSites) -> None:
    path = sites.path("renmin_big5", 3)
    again = SyntheticSites(PAGES)
    assert sites.get(path).body == again.get(path).body
    assert sites.get(path).etag == again.get(path).etag


def test_variants_clean_to_articles_the_warehouse_keeps_apart() -> None:
    """Variants of one template share chrome and a headline style, never a fingerprint."""
    sites = SyntheticSites(600)
    site = "hongxing"
    templates = len(sites.templates[site])
    same_template = [0, templates, 2 * templates]
    records = []
    for serial in same_template:
        served = sites.get(sites.path(site, serial))
        records.append(process_bytes(served.body, url="http://127.0.0.1" + sites.path(site, serial),
                                     content_type=served.content_type))
    assert len({r.content_hash for r in records}) == len(records)
    for i, a in enumerate(records):
        for b in records[i + 1:]:
            assert hamming(a.simhash, b.simhash) > MAX_DISTANCE_SAME_TITLE
    assert all(r.figures for r in records)


def test_every_served_page_extracts(sites: SyntheticSites) -> None:
    for site in SITES:
        served = sites.get(sites.path(site, 1))
        record = process_bytes(served.body, url="http://127.0.0.1" + sites.path(site, 1),
                               content_type=served.content_type)
        assert record.cleaned.title and len(record.cleaned.body) > 100, site


def test_list_pages_link_every_article_once_and_chain_with_next_page() -> None:
    sites = SyntheticSites(600, per_list=20)
    profiles = {p.name: p for p in parse_sources(sites.sources_toml("http://127.0.0.1:9"))}
    for site, share in sites.shares.items():
        found, url, walked = [], f"http://127.0.0.1:9/{site}/index.html", 0
        while url:
            served = sites.get(url.removeprefix("http://127.0.0.1:9"))
            html = decode_html(served.body, served.content_type).text
            listing = parse_list_page(html, url, profiles[site])
            found += [a.url.removeprefix("http://127.0.0.1:9") for a in listing.articles]
            url = listing.next_pages[0] if listing.next_pages else None
            walked += 1
        assert walked == share.list_pages <= profiles[site].max_list_pages
        assert found == [sites.path(site, s) for s in range(share.count)], site


def test_the_server_answers_conditional_requests_with_304_and_logs_them() -> None:
    server = start_synthetic(SyntheticSites(PAGES))
    try:
        url = server.base_url + server.sites.path("sichuan", 2)
        with httpx.Client() as client:
            first = client.get(url)
            assert first.status_code == 200
            again = client.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304
            assert client.get(server.base_url + "/sichuan/index.html").status_code == 200
        assert server.log() == {"total": 3, "by_source": {"sichuan": {"article 200": 1, "article 304": 1,
                                                                      "list 200": 1}}}
        server.clear()
        assert server.log()["total"] == 0
    finally:
        server.stop()


def test_summarise_counts_robots_apart() -> None:
    log = [("GET", "/robots.txt", 200), ("GET", "/mirror/index_2.html", 200), ("GET", "/mirror/wz/100001.html", 304)]
    assert summarise(log)["by_source"] == {"-": {"robots 200": 1}, "mirror": {"article 304": 1, "list 200": 1}}


def test_no_two_variants_of_a_site_share_a_headline() -> None:
    """Same headline + SimHash within 10 bits is how the warehouse merges copies; variants must not meet it."""
    sites = SyntheticSites(30000)
    for site, share in sites.shares.items():
        titles = [sites.title(site, serial) for serial in range(share.count)]
        assert len(set(titles)) == len(titles), site


def test_pages_rendered_ahead_are_the_catalogs_own_bytes(tmp_path) -> None:
    sites = SyntheticSites(PAGES, per_list=4)
    store = PageStore.open(sites, tmp_path, processes=2)  # rendered in worker processes, as the benchmark does
    try:
        lists = [f"/{site}/index{suffix}.html" for site in SITES for suffix in ("", "_2", "_3")]
        for path in lists + list(sites.all_paths()):
            assert store.get(path) is not None and store.get(path) == sites.get(path), path
        assert store.get("/hongxing/nothing.html") is None and store.get("/hongxing/index_4.html") is None
        written = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}
    finally:
        store.close()
    PageStore.open(sites, tmp_path, processes=1).close()  # the next server for this catalog reads the file back
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == written
    assert len(written) == 2  # the pages and their index, no partial files left behind


def test_the_server_answers_alike_from_pages_rendered_ahead(tmp_path) -> None:
    sites = SyntheticSites(PAGES)
    store = PageStore.open(sites, tmp_path, processes=1)
    servers = [start_synthetic(sites), start_synthetic(sites, store=store)]
    try:
        answers = []
        for server in servers:
            with httpx.Client(base_url=server.base_url) as client:
                article = client.get(sites.path("mirror", 4))
                seen = [article, client.get("/renmin_big5/"), client.get("/robots.txt"), client.get("/nowhere.html"),
                        client.head(sites.path("renmin", 1)),
                        client.get(sites.path("mirror", 4), headers={"If-None-Match": article.headers["etag"]})]
            answers.append([(r.status_code, {k: v for k, v in r.headers.items() if k != "date"}, r.content)
                            for r in seen])
        assert answers[0] == answers[1]
        statuses = [status for status, _, _ in answers[1]]
        assert statuses == [200, 200, 200, 404, 200, 304]
        assert answers[1][4][2] == b"" and int(answers[1][4][1]["content-length"]) > 0  # HEAD: length, no body
    finally:
        for server in servers:
            server.stop()
        store.close()


def test_the_server_closes_when_asked_and_refuses_what_it_does_not_serve() -> None:
    server = start_synthetic(SyntheticSites(PAGES))
    try:
        for request, status in ((b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"200"),
                                (b"GET /robots.txt HTTP/1.0\r\n\r\n", b"200"),
                                (b"POST /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n", b"501")):
            with socket.create_connection((server.host, server.port), timeout=5) as sock:
                sock.sendall(request)
                received = b""
                while chunk := sock.recv(65536):  # the server closes: recv returns b"" instead of timing out
                    received += chunk
            assert received.split(b" ")[1] == status, request
    finally:
        server.stop()
