"""Discovery: article URLs from a source's list pages.

Generic rules find article links on any list page: same site, a path that
looks like an article (digits, an .html-like ending) and headline-like
anchor text. Pagination follows "下一页"-style links. The walk stops early on
a nightly run (at the first list page that shows a URL we already have) and
on a backfill once every dated item on a page is older than its range.

List pages are fetched conditionally by the caller. A list page answered 304
Not Modified is read from the body archived when it last changed (the
`archived` callback), so the same rules apply to it at the cost of a 304: on
a nightly run with nothing new the first list page is a 304 that shows only
known articles, and the walk stops there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from extract.charset import decode_html
from extract.archive import FETCHED, NOT_MODIFIED, FetchedPage
from extract.sources import SourceProfile
from extract.urls import absolute_url

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ARTICLE_PATH = re.compile(r"\d{3,}|/\d{4}[-/]?\d{2}", re.ASCII)
_PAGE_SUFFIX = re.compile(r"\.(s?html?|shtm|php|aspx?|jsp)$|/$|^[^.]*$", re.IGNORECASE)
_LIST_PAGE = re.compile(r"(^|/)(index|list|node)(_\d+)?\.s?html?$", re.IGNORECASE)
_NEXT_TEXT = re.compile(r"^\s*(下一?页|下一頁|下頁|后页|後頁|next|›|»|>)\s*$", re.IGNORECASE)
_DATE_NEAR = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
MIN_HEADLINE_HAN = 5


@dataclass(frozen=True)
class ArticleLink:
    url: str
    anchor_text: str
    listed_on: date | None = None  # the date printed beside the link, when there is one


@dataclass
class ListPage:
    url: str
    articles: list[ArticleLink]
    next_pages: list[str]


@dataclass
class Discovery:
    """What walking one source's list pages found."""

    source_name: str
    articles: list[ArticleLink] = field(default_factory=list)
    list_pages: list[FetchedPage] = field(default_factory=list)
    stopped_because: str = ""

    @property
    def not_modified(self) -> int:
        """List pages the server answered 304 (read from the archive instead)."""
        return sum(1 for page in self.list_pages if page.outcome == NOT_MODIFIED)


def _listed_date(anchor_node) -> date | None:
    """A date printed in the link's list item (its parent's text), if any."""
    parent = anchor_node.parent
    for node in (anchor_node, parent, parent.parent if parent is not None else None):
        if node is None:
            continue
        match = _DATE_NEAR.search(node.text(separator=" ") or "")
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def _looks_like_article(url: str, text: str, profile: SourceProfile, page_url: str) -> bool:
    if profile.article_url_pattern:
        return re.search(profile.article_url_pattern, url) is not None
    parts = urlsplit(url)
    # The host comparison first: owns() canonicalises the URL again, and most links are on the page's own host.
    if parts.hostname != urlsplit(page_url).hostname and not profile.owns(url):
        return False
    path = parts.path
    if _LIST_PAGE.search(path) or not _PAGE_SUFFIX.search(path):
        return False
    return bool(_ARTICLE_PATH.search(path)) and len(_HAN.findall(text)) >= MIN_HEADLINE_HAN


def parse_list_page(html: str, page_url: str, profile: SourceProfile) -> ListPage:
    tree = LexborHTMLParser(html)
    anchors = tree.css(profile.link_selector) if profile.link_selector else tree.css("a[href]")
    articles: dict[str, ArticleLink] = {}
    next_pages: list[str] = []
    generic = not (profile.link_selector or profile.article_url_pattern)
    for anchor in anchors:
        href = (anchor.attributes.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        text = " ".join((anchor.text() or "").split())
        is_next = _NEXT_TEXT.match(text) is not None
        if generic and not is_next and len(_HAN.findall(text)) < MIN_HEADLINE_HAN:
            continue  # not a headline: no need to resolve its URL (most of a page's links are chrome)
        url = absolute_url(page_url, href)
        if is_next:
            if profile.owns(url) and url not in next_pages:
                next_pages.append(url)
            continue
        if url not in articles and (profile.link_selector or _looks_like_article(url, text, profile, page_url)):
            articles[url] = ArticleLink(url=url, anchor_text=text, listed_on=_listed_date(anchor))
    return ListPage(url=page_url, articles=list(articles.values()), next_pages=next_pages)


def _readable(
    fetched: FetchedPage, archived: Callable[[str], FetchedPage | None] | None
) -> FetchedPage | None:
    """The page whose body to parse: the response itself, or for a 304 the archived body it confirms."""
    if fetched.outcome == FETCHED:
        return fetched
    if fetched.outcome == NOT_MODIFIED and archived is not None:
        stored = archived(fetched.requested_url)
        if stored is not None and stored.body:
            return stored
    return None


def discover_articles(
    profile: SourceProfile,
    fetch: Callable[[str], FetchedPage],
    *,
    known_urls: Iterable[str] = (),
    stop_at_known: bool = True,
    since: date | None = None,
    until: date | None = None,
    max_list_pages: int | None = None,
    archived: Callable[[str], FetchedPage | None] | None = None,
) -> Discovery:
    """Walk the source's list pages breadth-first and collect new article links.

    `fetch` gets one list-page URL and returns its FetchedPage (the caller
    decides how: politely, conditionally, archived). A nightly run passes the
    URLs it has and `stop_at_known=True`; a backfill passes `since`/`until`
    and walks until a list page reaches back past `since`. `archived` gives
    the stored body of a list page answered 304; without it (or without a
    stored body) a 304 list page ends a nightly walk (nothing changed behind
    it) and is passed over by a backfill.
    """
    known = set(known_urls)
    limit = max_list_pages or profile.max_list_pages
    queue = list(profile.start_urls)
    seen_pages: set[str] = set()
    found: dict[str, ArticleLink] = {}
    result = Discovery(source_name=profile.name)
    while queue:
        if len(seen_pages) >= limit:
            result.stopped_because = f"reached the limit of {limit} list pages"
            break
        page_url = queue.pop(0)
        if page_url in seen_pages:
            continue
        seen_pages.add(page_url)
        fetched = fetch(page_url)
        result.list_pages.append(fetched)
        page = _readable(fetched, archived)
        if page is None:
            if fetched.outcome == NOT_MODIFIED and stop_at_known:
                result.stopped_because = f"{page_url} is unchanged (304) and no archived body was given"
                break
            continue
        html = decode_html(page.body, page.content_type, hint=profile.encoding).text
        listing = parse_list_page(html, page.final_url or page_url, profile)
        met_known = False
        dated = [a.listed_on for a in listing.articles if a.listed_on]
        for link in listing.articles:
            if link.url in known:
                met_known = True
                continue
            if link.listed_on and ((since and link.listed_on < since) or (until and link.listed_on > until)):
                continue
            found.setdefault(link.url, link)
        if stop_at_known and met_known:
            unchanged = " (unchanged, 304)" if fetched.outcome == NOT_MODIFIED else ""
            result.stopped_because = f"met already-known articles on {page_url}{unchanged}"
            break
        if since and dated and min(dated) < since:
            # News lists run newest first: a page reaching past `since` is the last one needed.
            result.stopped_because = f"list page {page_url} reaches back past {since.isoformat()}"
            break
        queue.extend(u for u in listing.next_pages if u not in seen_pages)
    else:
        result.stopped_because = result.stopped_because or "no more list pages"
    result.articles = list(found.values())
    return result
