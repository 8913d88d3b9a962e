"""The bundled sample sites: catalog, build, and the HTTP server, over real sockets."""

from __future__ import annotations

import re
from datetime import timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from extract.discover import parse_list_page
from extract.sources import parse_sources
from samplesites import sources_toml
from samplesites.build import check_articles, render_all, stale_paths
from samplesites.catalog import load_articles
from samplesites.mojibake import shift_gbk
from samplesites.script import check_round_trip, to_simplified
from samplesites.server import serve_sample_sites
from samplesites.sitelist import CHARSET_TRAPS, SITES

ARTICLES = load_articles()
COPIES = [(a, c) for a in ARTICLES for c in a.copies]
# Browsers (and extract/charset.py) read these labels as their supersets.
CODEC_FOR_LABEL = {"gb2312": "gbk", "big5": "big5", "utf-8": "utf-8"}
PINYIN_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


@pytest.fixture(scope="module")
def sites():
    with serve_sample_sites() as running:
        yield running


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as http:
        yield http


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=([\w-]+)", content_type)
    return match[1].lower() if match else None


# ---------------------------------------------------------------- catalog and build

def test_catalog_has_thirty_articles_and_every_site_six_or_more():
    assert len(ARTICLES) >= 30
    for site in SITES:
        on_site = [a for a in ARTICLES if site in a.sites]
        assert len(on_site) >= (4 if site == "renmin_big5" else 6), site


def test_every_authored_text_round_trips_through_traditional_script():
    for a in ARTICLES:
        for text in (a.title, *a.paragraphs, *a.editors, *(x for x in (a.subtitle, a.source, a.author) if x)):
            check_round_trip(text, where=a.id)  # raises on the first text that does not


def test_round_trip_check_refuses_text_that_does_not_come_back():
    with pytest.raises(ValueError, match="着"):
        check_round_trip("大家都愿意跟着干", where="probe")


def test_build_checks_pass_and_committed_pages_are_current():
    pytest.importorskip("pypinyin", reason="rendering the mirror needs pypinyin (a dev-only dependency)")
    articles = load_articles()
    check_articles(articles)
    assert stale_paths(render_all()) == [], "run `python -m samplesites.build` and commit samplesites/sites/"


def test_expected_figures_are_in_the_body_and_dates_in_range():
    for a in ARTICLES:
        assert 2018 <= a.published_at.year <= 2025, a.id
        assert len([p for p in a.paragraphs if len(p) > 40]) >= 3, a.id
        for fig in a.figures:
            assert fig.text in a.body, (a.id, fig.text)
            assert re.search(r"[\d一二三四五六七八九十百千万]", fig.text), (a.id, fig.text)


def test_mirror_shares_articles_with_hongxing_and_big5_with_renmin():
    shared = [a for a in ARTICLES if {"hongxing", "mirror"} <= set(a.sites)]
    assert len(shared) >= 3
    assert [a for a in ARTICLES if {"renmin", "renmin_big5"} <= set(a.sites)]


# ---------------------------------------------------------------- server

def test_every_article_url_answers_200_and_decodes_with_its_declared_charset(sites, client):
    for article, copy in COPIES:
        response = client.get(copy.url(sites.base_url))
        assert response.status_code == 200, copy.path
        label = _charset(response.headers["content-type"])
        trap = CHARSET_TRAPS.get((copy.site, article.id))
        if trap:
            assert label is None, copy.path
            text = response.content.decode("utf-8")
        else:
            assert label == SITES[copy.site].declared_charset, copy.path
            text = response.content.decode(CODEC_FOR_LABEL[label])  # strict: raises on a bad byte
        if copy.site == "mirror":
            text = PINYIN_GLOSS.sub("", text)
        simplified = to_simplified(text) if copy.script == "traditional" else text
        for paragraph in article.paragraphs:
            if copy.site == "aggregator":
                paragraph = paragraph.replace("，", " , ").replace("。", " 。 ").rstrip()
            assert paragraph in simplified, (copy.path, paragraph[:20])


def test_gb2312_label_covers_gbk_bytes_as_on_the_real_site(sites, client):
    copy = next(c for a in ARTICLES for c in a.copies if c.site == "renmin" and "李堃" in a.editors)
    body = client.get(copy.url(sites.base_url)).content
    assert b'charset=gb2312' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert "李堃" in body.decode("gbk")


def test_big5_pages_are_big5_bytes_in_traditional_script(sites, client):
    article = next(a for a in ARTICLES if "renmin_big5" in a.sites)
    response = client.get(article.copy_on("renmin_big5").url(sites.base_url))
    assert response.headers["content-type"] == "text/html; charset=big5"
    text = response.content.decode("big5")
    assert "中國共產黨新聞網" in text and "中国共产党新闻网" not in text
    assert to_simplified(text).count(article.title) >= 2  # <title> and <h1>


def test_charset_traps_have_no_charset_in_the_header(sites, client):
    kinds = set()
    for (site, article_id), kind in CHARSET_TRAPS.items():
        article = next(a for a in ARTICLES if a.id == article_id)
        response = client.get(article.copy_on(site).url(sites.base_url))
        assert response.headers["content-type"] == "text/html"
        head = response.content[:600]
        if kind == "missing":
            assert b"charset" not in head.lower()
        else:
            assert b"charset=gb2312" in head
            with pytest.raises(UnicodeDecodeError):
                response.content.decode("gb2312")
        response.content.decode("utf-8")
        kinds.add(kind)
    assert kinds == {"missing", "wrong"}


def _walk_list_pages(sites, client, site: str) -> tuple[set[str], list[str]]:
    """Article paths linked from the site's list pages, following 下一页; and the pages walked."""
    url, seen_pages, articles = sites.url(site, "index.html"), [], set()
    while url and url not in seen_pages:
        seen_pages.append(url)
        response = client.get(url)
        assert response.status_code == 200, url
        tree = LexborHTMLParser(response.content.decode(CODEC_FOR_LABEL[SITES[site].declared_charset]))
        next_url = None
        for anchor in tree.css("a[href]"):
            href = anchor.attributes["href"]
            text = anchor.text(strip=True)
            if text in ("下一页", "下一頁"):
                next_url = urljoin(url, href)
            elif anchor.parent.tag == "li" and anchor.parent.css_first("span.date") is not None:
                articles.add(urlsplit(urljoin(url, href)).path)
        url = next_url
    return articles, seen_pages


@pytest.mark.parametrize("site", list(SITES))
def test_list_pages_are_paginated_and_link_every_article(sites, client, site):
    linked, pages = _walk_list_pages(sites, client, site)
    expected = {a.copy_on(site).path for a in ARTICLES if site in a.sites}
    assert linked == expected
    assert 2 <= len(pages) <= 3


@pytest.mark.parametrize("site", list(SITES))
def test_generic_discovery_rules_find_every_article_on_the_first_list_page(sites, client, site):
    profiles = {p.name: p for p in parse_sources(sources_toml(sites.base_url))}
    url = sites.url(site, "index.html")
    html = client.get(url).content.decode(CODEC_FOR_LABEL[SITES[site].declared_charset])
    listing = parse_list_page(html, url, profiles[site])
    found = {urlsplit(link.url).path for link in listing.articles}
    on_site = [a for a in ARTICLES if site in a.sites]
    assert found == {a.copy_on(site).path for a in on_site[:3]}
    assert [urlsplit(u).path for u in listing.next_pages] == [f"/{site}/index_2.html"]
    assert all(link.listed_on is not None for link in listing.articles)


def test_conditional_get_answers_304_and_a_stale_validator_gets_200(sites, client):
    url = COPIES[0][1].url(sites.base_url)
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}).status_code == 200
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.content == b"" and not_modified.headers["etag"] == etag


def test_last_modified_is_the_publication_time_in_china(sites, client):
    for article, copy in COPIES[:5]:
        response = client.get(copy.url(sites.base_url))
        served = parsedate_to_datetime(response.headers["last-modified"])
        assert served == article.published_at.replace(tzinfo=timezone(timedelta(hours=8)))


def test_robots_404_and_request_log(sites, client):
    sites.clear_log()
    robots = client.get(sites.base_url + "/robots.txt")
    assert robots.status_code == 200 and "User-agent: *" in robots.text
    assert client.get(sites.url("hongxing", "2099/0101/1.html")).status_code == 404
    assert client.get(sites.base_url + "/etc/passwd").status_code == 404
    assert client.get(sites.base_url + "/hongxing/../sitelist.py").status_code == 404
    assert sites.request_log[:3] == [
        ("GET", "/robots.txt", 200),
        ("GET", "/hongxing/2099/0101/1.html", 404),
        ("GET", "/etc/passwd", 404),
    ]


def test_sources_toml_lists_every_site_and_marks_mirrors(sites):
    profiles = {p.name: p for p in parse_sources(sources_toml(sites.base_url))}
    assert set(profiles) == set(SITES)
    assert profiles["mirror"].is_mirror and not profiles["hongxing"].is_mirror
    assert profiles["hongxing"].start_urls == (f"{sites.base_url}/hongxing/index.html",)


# ---------------------------------------------------------------- defects

def test_mojibake_page_carries_the_byte_shifted_gbk_and_the_original_is_intact(sites, client):
    article = next(a for a in ARTICLES if a.mojibake)
    fragment = article.mojibake
    damaged = shift_gbk(fragment)
    # The damage is what a reader one byte out of step with the GBK bytes sees.
    raw = fragment.encode("gbk")
    assert damaged[1:] == "".join(
        c for c in raw[1:].decode("gb18030", errors="replace") if not 0xE000 <= ord(c) <= 0xF8FF
    ).replace("\ufffd", "?")
    mirror = client.get(article.copy_on("mirror").url(sites.base_url)).content
    assert damaged.encode("utf-8") in mirror
    assert fragment.encode("utf-8") not in mirror
    original = client.get(article.copy_on("hongxing").url(sites.base_url)).content.decode("utf-8")
    assert article.title in original and damaged not in original
    assert article.copy_on("mirror").title_damaged


def test_mirror_glosses_some_characters_with_pinyin_and_ends_with_place_spam(sites, client):
    article = next(a for a in ARTICLES if "mirror" in a.sites and not a.mojibake)
    text = client.get(article.copy_on("mirror").url(sites.base_url)).text
    glosses = PINYIN_GLOSS.findall(text)
    assert len(glosses) >= 10
    assert "來(lái)源" in text and "時(shí)間" in text
    spam = LexborHTMLParser(text).css_first("div.links").text()
    names = [n.strip() for n in spam.split("|") if n.strip()]
    assert 30 <= len(names) <= 40
    assert any(n in ("客服", "明星", "下载") for n in names)


def test_sample_articles_do_not_copy_seed_sentences(seeds_dir):
    authored = "\n".join(a.body for a in ARTICLES)
    for seed in sorted(seeds_dir.glob("*.txt")):
        text = to_simplified(PINYIN_GLOSS.sub("", seed.read_text(encoding="utf-8")))
        for sentence in re.split(r"[。！？\n]", text):
            sentence = sentence.strip()
            if len(sentence) >= 20:
                assert sentence not in authored, (seed.name, sentence)
