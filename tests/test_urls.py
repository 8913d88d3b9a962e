"""URL canonicalisation: one spelling per page, still fetchable."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.urls import (
    _already_canonical,
    _canonicalise,
    absolute_url,
    canonical_url,
    unique_urls,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # fragment, tracking parameters, default port, case of scheme and host
        ("HTTP://WWW.12371.CN:80/2024/02/05/ARTI1.shtml?spm=C1.2&utm_source=wx#comments",
         "http://www.12371.cn/2024/02/05/ARTI1.shtml"),
        ("http://dangjian.people.com.cn/n1/2024/0205/c117092-1.html?from=timeline&isappinstalled=0",
         "http://dangjian.people.com.cn/n1/2024/0205/c117092-1.html"),
        # http/https twins fold to http on the default ports ...
        ("https://www.12371.cn/a.html", "http://www.12371.cn/a.html"),
        ("https://www.12371.cn:443/a.html", "http://www.12371.cn/a.html"),
        # ... but a non-default port keeps its scheme
        ("https://example.org:8443/a.html", "https://example.org:8443/a.html"),
        ("http://example.org:8080/a.html", "http://example.org:8080/a.html"),
        # index.html is kept (see the module docstring)
        ("http://x.cn/dj/index.html", "http://x.cn/dj/index.html"),
        # empty path, dot segments; '//' is left alone
        ("http://x.cn", "http://x.cn/"),
        ("http://x.cn/a/./b/../c.html", "http://x.cn/a/c.html"),
        ("http://x.cn/a/b/..", "http://x.cn/a/"),
        ("http://x.cn/../../a.html", "http://x.cn/a.html"),
        ("http://x.cn/a//b.html", "http://x.cn/a//b.html"),
        # percent-encoding: upper-case hex, unreserved decoded, non-ASCII encoded
        ("http://x.cn/%7euser/%e5%85%9a.html", "http://x.cn/~user/%E5%85%9A.html"),
        ("http://x.cn/党建/要闻.html", "http://x.cn/%E5%85%9A%E5%BB%BA/%E8%A6%81%E9%97%BB.html"),
        ("http://x.cn/a b.html", "http://x.cn/a%20b.html"),
        ("http://x.cn/100%/a.html", "http://x.cn/100%25/a.html"),
        # IDNA host, trailing dot
        ("http://中国政府.cn/a.html", "http://xn--fiqs8sirgfmh.cn/a.html"),
        ("http://www.gov.cn./a.html", "http://www.gov.cn/a.html"),
        # query: order and spelling kept, empty pieces and tracking dropped
        ("http://x.cn/list.jsp?b=2&a=1", "http://x.cn/list.jsp?b=2&a=1"),
        ("http://x.cn/show.asp?id&&page=2&", "http://x.cn/show.asp?id&page=2"),
        ("http://x.cn/a.html?", "http://x.cn/a.html"),
        ("http://x.cn/a.html?UTM_Medium=x&id=3", "http://x.cn/a.html?id=3"),
        # WeChat: only the parameters naming the article survive
        ("https://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=9f3c&chksm=8b&scene=21#wechat_redirect",
         "http://mp.weixin.qq.com/s?__biz=MzA5&mid=2650&idx=1&sn=9f3c"),
        # sloppy hrefs: whitespace, newlines, backslashes
        ("  http://x.cn/a/\n2024/b.html\t ", "http://x.cn/a/2024/b.html"),
        ("http://x.cn\\a\\b.html?q=\\", "http://x.cn/a/b.html?q=%5C"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_absolute_url_resolves_and_canonicalises() -> None:
    page = "https://www.12371.cn/special/xxjd/index.shtml"
    assert absolute_url(page, "../../2024/02/05/ARTI1.shtml#top") == "http://www.12371.cn/2024/02/05/ARTI1.shtml"
    assert absolute_url(page, "//news.12371.cn/a.html") == "https://news.12371.cn/a.html".replace("https", "http")
    assert absolute_url(page, " ./b.shtml\r\n") == "http://www.12371.cn/special/xxjd/b.shtml"
    assert absolute_url("http://x.cn/a/", "?page=2") == "http://x.cn/a/?page=2"


def test_unique_urls_keeps_first_spelling_order() -> None:
    urls = ["https://x.cn/a.html#1", "http://x.cn/b.html", "http://X.cn/a.html?utm_source=q", "http://x.cn/b.html"]
    assert unique_urls(urls) == ["http://x.cn/a.html", "http://x.cn/b.html"]


def test_sources_owns_still_agrees_with_canonical_forms() -> None:
    from extract.sources import SourceProfile

    profile = SourceProfile(name="s", start_urls=("https://www.12371.cn/special/xxjd/index.shtml",))
    assert profile.owns("http://www.12371.cn/special/xxjd/2024/a.shtml")
    assert profile.owns("https://WWW.12371.cn/special/xxjd/b.shtml#x")
    assert not profile.owns("https://www.12371.cn/other/a.shtml")


_segment = st.lists(st.sampled_from(list("abc./%-_~党建 ?=&#\\") + ["%2F", "%e5", "%7e", "..", "utm_x=1"]),
                    max_size=8).map("".join)


@given(host=st.sampled_from(["x.cn", "WWW.Gov.CN", "127.0.0.1:8765", "中国.cn"]),
       scheme=st.sampled_from(["http", "https", "HTTP"]),
       path=st.lists(_segment, max_size=4))
def test_canonical_url_is_idempotent_and_keeps_the_host(host: str, scheme: str, path: list[str]) -> None:
    url = f"{scheme}://{host}/" + "/".join(path)
    once = canonical_url(url)
    assert canonical_url(once) == once
    assert urlsplit(once).scheme in ("http", "https")
    assert urlsplit(once).hostname == urlsplit(canonical_url(f"http://{host}/")).hostname
    assert "#" not in once and " " not in once


@given(scheme=st.sampled_from(["http://", "https://", "HTTP://", "http:/"]),
       host=st.sampled_from(["x.cn", "X.cn", "127.0.0.1", "a-b.cn.", "a..b", "xn--fiqs8s.cn", "a_b.cn", ""]),
       port=st.sampled_from(["", ":80", ":8765", ":08080", ":65535", ":65536", ":0", ":443", ":"]),
       path=st.lists(st.sampled_from(["/", "//", "/.", "/..", "/.well-known", "a.", ".html", "a", "%41", "%e5", "党",
                                      "?", "?id=1", "#top", " ", "\t", "\\", "~!$&'()*+,;=:@", "-_0"]), max_size=6))
def test_the_fast_path_only_takes_urls_the_rules_leave_alone(scheme: str, host: str, port: str, path: list[str]) -> None:
    url = scheme + host + port + "".join(path)
    if _already_canonical(url):
        assert _canonicalise(url) == url
    assert canonical_url(url) == _canonicalise(url)


@pytest.mark.parametrize("url", ["http://x.cn/2024/02/05/ARTI1.shtml", "http://127.0.0.1:8765/hongxing/a.html",
                                 "http://dangjian.people.com.cn/n1/2024/0205/c117092-1.html"])
def test_plain_article_urls_take_the_fast_path(url: str) -> None:
    assert _already_canonical(url)
