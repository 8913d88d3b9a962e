"""The fetcher against a real misbehaving server on 127.0.0.1 (tests/faultserver.py).

Every test gets a fresh CrawlState (host clock, robots cache, https memory),
so tests do not pace or cache each other. Delays are measured on the server
side: the timestamp of each request as it arrived.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import threading
import gzip
import http.server
import os
import signal
import socket
import sys
import time
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from faultserver import ETAG, GBK_PAGE, HTML_PAGE, LAST_MODIFIED, FaultServer  # noqa: E402

from extract.body import BodyTooLarge, BrokenEncoding, UnsupportedEncoding, read_capped  # noqa: E402
from extract.fetch import (  # noqa: E402
    FAILED,
    FETCHED,
    NOT_MODIFIED,
    SKIPPED,
    CrawlState,
    Fetcher,
    FetchRequest,
    FetchSession,
    FetchSettings,
    HostPolicy,
    Validators,
    _HostSlots,
    backoff_delay,
    fetch_one,
    fetch_pages,
    retry_after_seconds,
)
from extract.http_transport import AsyncioBackend  # noqa: E402
from extract.politeness import HostClock, HttpsHosts  # noqa: E402
from extract.robots import parse_robots  # noqa: E402

FAST = FetchSettings(
    connect_timeout_s=0.5,
    read_timeout_s=0.3,
    total_timeout_s=2.0,
    retries=2,
    backoff_base_s=0.2,
    backoff_max_s=2.0,
    max_bytes=1024 * 1024,
    default_policy=HostPolicy(min_delay_s=0.0, max_connections=4),
)


@pytest.fixture(scope="module")
def server():
    srv = FaultServer(slow_s=1.0).start()
    yield srv
    srv.stop()


def fetch(server: FaultServer, path: str, settings: FetchSettings = FAST, **request) -> object:
    return fetch_pages([FetchRequest(url=server.url(path), **request)], settings, state=CrawlState())[0]


# Server-side arrival times jitter around the client's send times: the server shares the GIL with the
# fetcher and the machine with other test runs. Without pacing the gaps would be ~1 ms, so a 50 ms
# tolerance still tells pacing from none.
JITTER_S = 0.05


def gaps(hits) -> list[float]:
    return [b.at - a.at for a, b in zip(hits, hits[1:])]


# ---------------------------------------------------------------- success and the archive record

def test_ok_page_is_archived_whole(server):
    page = fetch(server, "/ok/plain.html", source_name="site", kind="list")
    assert page.outcome == FETCHED and page.error is None
    assert page.status == 200 and page.body == HTML_PAGE
    assert page.requested_url == page.final_url == server.url("/ok/plain.html")
    assert page.content_type == "text/html; charset=utf-8"
    assert page.headers["etag"] == ETAG
    assert page.fetched_at.tzinfo is not None and abs(datetime.now(UTC) - page.fetched_at) < timedelta(seconds=30)
    assert page.source_name == "site" and page.kind == "list" and page.attempts == 1
    assert 0 < page.elapsed_s < 2


def test_user_agent_and_encodings_are_sent(server):
    settings = dataclasses.replace(FAST, user_agent="dangjian-test/9 (+mailto:x@example.org)")
    fetch(server, "/ok/ua.html", settings)
    (hit,) = server.hits_for("/ok/ua.html")
    assert hit.headers["user-agent"] == "dangjian-test/9 (+mailto:x@example.org)"
    assert hit.headers["accept-encoding"] == "gzip, deflate"


def test_connections_are_opened_by_the_asyncio_backend(server, monkeypatch):
    """extract/http_transport.py swaps httpx's pool for one on AsyncioBackend through a private attribute: a new httpx must not undo it unseen."""
    opened = []
    connect_tcp = AsyncioBackend.connect_tcp

    async def counted(self, host, port, *args, **kwargs):
        opened.append((host, port))
        return await connect_tcp(self, host, port, *args, **kwargs)

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counted)
    assert fetch(server, "/ok/backend.html").outcome == FETCHED
    assert opened


class _CookieHandler(http.server.BaseHTTPRequestHandler):
    """Sets a cookie on /set and echoes the Cookie header it is sent as the page."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = f"<html><body>{self.headers.get('Cookie', '')}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/set":
            self.send_header("Set-Cookie", "session=abc; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_cookies_a_site_sets_are_sent_back_as_a_browser_would():
    """Requests skip httpx's client layers while no cookie is held (extract/fetch.py, Fetcher._send), not after."""
    cookie_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CookieHandler)
    threading.Thread(target=cookie_server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{cookie_server.server_address[1]}"
    settings = dataclasses.replace(FAST, respect_robots=False)

    async def three_pages() -> list:
        async with Fetcher(settings, state=CrawlState()) as fetcher:
            return [await fetcher.fetch(FetchRequest(url=f"{base}{path}")) for path in ("/a", "/set", "/b")]

    try:
        before, setting, after = asyncio.run(three_pages())
    finally:
        cookie_server.shutdown()
    assert b"session" not in before.body and b"session" not in setting.body
    assert b"session=abc" in after.body


def test_wrong_charset_declaration_keeps_raw_bytes_and_header(server):
    page = fetch(server, "/gbk-declared-utf8.html")
    assert page.outcome == FETCHED
    assert page.body == GBK_PAGE  # decoding is extract/charset.py's job, on the raw bytes
    assert page.content_type == "text/html; charset=utf-8"


def test_gzip_page_is_decompressed(server):
    page = fetch(server, "/gzip.html")
    assert page.outcome == FETCHED and page.body == HTML_PAGE


def test_html_served_as_text_plain_is_sniffed_but_plain_text_is_skipped(server):
    assert fetch(server, "/plain-html.txt").outcome == FETCHED
    page = fetch(server, "/plain-text.txt")
    assert page.outcome == SKIPPED and page.body == b""
    assert page.error == "content type text/plain is not HTML and the body does not look like HTML"


# ---------------------------------------------------------------- timeouts and retries

def test_slow_response_times_out_after_all_attempts(server):
    page = fetch(server, "/slow.html")
    assert page.outcome == FAILED and page.status is None
    assert page.error == "timeout after 3 attempts (read timeout 0.3 s)"
    assert len(server.hits_for("/slow.html")) == 3 and page.attempts == 3


def test_dripping_body_hits_the_total_timeout(server):
    settings = dataclasses.replace(FAST, total_timeout_s=0.6, retries=0)
    page = fetch(server, "/drip.html", settings)
    assert page.outcome == FAILED
    assert page.error == "timeout after 1 attempt (total timeout 0.6 s)"
    assert page.elapsed_s < 3


def test_500_then_200_is_retried_after_a_backoff(server):
    page = fetch(server, "/flaky/a.html")
    assert page.outcome == FETCHED and page.status == 200 and page.attempts == 2
    (gap,) = gaps(server.hits_for("/flaky/a.html"))
    # equal jitter: the first wait is in [base/2, base] = [0.1, 0.2] s
    assert 0.1 - JITTER_S <= gap < 1.5  # upper bound only catches a runaway backoff


def test_persistent_500_fails_with_status_and_keeps_the_error_page(server):
    page = fetch(server, "/always-500.html")
    assert page.outcome == FAILED and page.status == 500
    assert page.error == "HTTP 500 after 3 attempts"
    assert page.body == b"<html>server error</html>"
    hits = server.hits_for("/always-500.html")
    assert len(hits) == 3
    assert gaps(hits)[0] >= 0.1 - JITTER_S and gaps(hits)[1] >= 0.2 - JITTER_S  # the second wait is in [0.2, 0.4]


def test_429_waits_for_retry_after(server):
    page = fetch(server, "/busy/a.html")
    assert page.outcome == FETCHED and page.attempts == 2
    (gap,) = gaps(server.hits_for("/busy/a.html"))
    assert gap >= 1.0 - JITTER_S  # Retry-After: 1, longer than the backoff


def test_429_with_retry_after_beyond_the_cap_gives_up_at_once(server):
    page = fetch(server, "/always-busy.html")
    assert page.outcome == FAILED and page.status == 429
    assert page.error == "HTTP 429 after 1 attempt; Retry-After 3600 s exceeds the 2 s cap"
    assert len(server.hits_for("/always-busy.html")) == 1


def test_404_is_a_failure_without_retry(server):
    page = fetch(server, "/missing.html")
    assert page.outcome == FAILED and page.error == "HTTP 404" and page.status == 404
    assert len(server.hits_for("/missing.html")) == 1


def test_connection_refused_is_a_reasoned_failure():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        settings = dataclasses.replace(FAST, backoff_base_s=0.01)
        page = fetch_one(f"http://127.0.0.1:{port}/x.html", settings, state=CrawlState())
    assert page.outcome == FAILED and page.status is None
    assert page.error.startswith("robots.txt unreachable (connection failed")
    page = fetch_one(f"http://127.0.0.1:{port}/x.html", dataclasses.replace(settings, respect_robots=False),
                     state=CrawlState())
    assert page.error.startswith("connection failed") and page.error.endswith("(after 3 attempts)")


def test_unsupported_scheme_fails_without_a_request():
    page = fetch_one("ftp://127.0.0.1/file.html", FAST, state=CrawlState())
    assert page.outcome == FAILED and page.error == "unsupported URL scheme 'ftp'"


# ---------------------------------------------------------------- bounded input

def test_truncated_body_is_an_error_not_a_short_article(server):
    page = fetch(server, "/truncated.html")
    assert page.outcome == FAILED and page.body == b""
    assert page.error == "truncated: got 1234 of 5000 bytes, then connection closed (after 3 attempts)"


def test_connection_reset_mid_body_is_truncation(server):
    page = fetch(server, "/reset.html")
    assert page.outcome == FAILED and page.body == b""
    assert page.error.startswith("truncated: got 2000 of 100000 bytes, then connection")


def test_pdf_is_skipped_without_reading_it(server):
    page = fetch(server, "/doc.pdf")
    assert page.outcome == SKIPPED and page.body == b""
    assert page.error == "content type application/pdf is not HTML"


def _peak_bytes(action) -> tuple[object, int]:
    gc.collect()
    tracemalloc.start()
    try:
        result = action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/big.html", "body exceeds 1 MB cap (Content-Length 52428800)"),
        ("/big-chunked.html", "body exceeds 1 MB cap"),
        ("/bomb.html", "decompressed body exceeds 1 MB cap (gzip bomb?)"),
    ],
)
def test_big_pages_and_bombs_stop_at_the_cap_in_bounded_memory(server, path, reason):
    page, peak = _peak_bytes(lambda: fetch(server, path))
    assert page.outcome == SKIPPED and page.error == reason and page.body == b""
    # The page is 50 MB (the bomb inflates to 100 MB); we hold at most the 1 MB cap plus slices.
    assert peak < 6 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_cap_applies_to_ordinary_pages_too(server):
    page = fetch(server, "/ok/small-cap.html", dataclasses.replace(FAST, max_bytes=100))
    assert page.outcome == SKIPPED and page.error == f"body exceeds 100 bytes cap (Content-Length {len(HTML_PAGE)})"


# ---------------------------------------------------------------- redirects

def test_redirect_loop_is_named(server):
    page = fetch(server, "/loop-a.html")
    assert page.outcome == FAILED
    a, b = server.url("/loop-a.html"), server.url("/loop-b.html")
    assert page.error == f"redirect loop: {a} -> {b} -> {a}"


def test_redirects_within_the_limit_are_followed_and_recorded(server):
    page = fetch(server, "/hops/3.html")
    assert page.outcome == FETCHED and page.final_url == server.url("/hops/0.html")
    assert page.redirects == [server.url(f"/hops/{n}.html") for n in (3, 2, 1)]


def test_too_many_redirects(server):
    page = fetch(server, "/hops/9.html")
    assert page.outcome == FAILED and page.error == "too many redirects (more than 5)"
    assert len(page.redirects) == 6


# ---------------------------------------------------------------- robots.txt

def test_robots_disallow_skips_without_requesting(server):
    page = fetch(server, "/private/secret.html")
    assert page.outcome == SKIPPED and page.error == "disallowed by robots.txt"
    assert server.hits_for("/private/secret.html") == []


def test_redirect_into_a_disallowed_path_is_skipped(server):
    page = fetch(server, "/to-private.html")
    assert page.outcome == SKIPPED and page.error == "disallowed by robots.txt"
    assert page.redirects == [server.url("/to-private.html")]


def test_robots_is_fetched_once_per_host_per_run():
    srv = FaultServer().start()
    try:
        state = CrawlState()
        requests = [FetchRequest(srv.url(f"/ok/r{i}.html")) for i in range(6)]
        pages = fetch_pages(requests, FAST, state=state)
        pages += fetch_pages([FetchRequest(srv.url("/ok/again.html"))], FAST, state=state)  # a later batch
        assert [p.outcome for p in pages] == [FETCHED] * 7
        assert len(srv.hits_for("/robots.txt")) == 1
    finally:
        srv.stop()


def test_unreachable_robots_closes_the_host_for_the_run():
    srv = FaultServer(robots_status=503).start()
    try:
        state = CrawlState()
        pages = fetch_pages([FetchRequest(srv.url(f"/ok/u{i}.html")) for i in range(3)],
                            dataclasses.replace(FAST, retries=0), state=state)
        assert {p.outcome for p in pages} == {FAILED}
        assert pages[0].error == "robots.txt unreachable (HTTP 503 after 1 attempt); assuming disallow"
        assert len(srv.hits_for("/robots.txt")) == 1
        assert not any(h.path.startswith("/ok/") for h in srv.hits)
    finally:
        srv.stop()


def test_missing_robots_allows_everything():
    srv = FaultServer(robots_status=404).start()
    try:
        assert fetch(srv, "/private/open.html").outcome == FETCHED
    finally:
        srv.stop()


def test_robots_crawl_delay_slows_the_host():
    srv = FaultServer(robots="User-agent: *\nCrawl-delay: 0.4\n").start()
    try:
        fetch_pages([FetchRequest(srv.url(f"/ok/cd{i}.html")) for i in range(3)], FAST, state=CrawlState())
        hits = sorted(h.at for h in srv.hits if h.path.startswith("/ok/"))
        assert min(b - a for a, b in zip(hits, hits[1:])) >= 0.4 - JITTER_S
    finally:
        srv.stop()


# ---------------------------------------------------------------- politeness

def test_per_host_min_delay_is_honoured(server):
    policy = HostPolicy(min_delay_s=0.3, max_connections=1)
    requests = [FetchRequest(server.url(f"/ok/d{i}.html"), policy=policy) for i in range(4)]
    pages = fetch_pages(requests, FAST, state=CrawlState())
    assert [p.outcome for p in pages] == [FETCHED] * 4
    hits = sorted(h.at for h in server.hits if h.path.startswith("/ok/d"))
    assert len(hits) == 4 and min(b - a for a, b in zip(hits, hits[1:])) >= 0.3 - JITTER_S


def test_min_delay_holds_across_separate_calls(server):
    """Discovery fetches list pages one call at a time; the host clock is shared between calls."""
    state = CrawlState()
    policy = HostPolicy(min_delay_s=0.3)
    fetch_pages([FetchRequest(server.url("/ok/s1.html"), policy=policy)], FAST, state=state)
    fetch_pages([FetchRequest(server.url("/ok/s2.html"), policy=policy)], FAST, state=state)
    (first,), (second,) = server.hits_for("/ok/s1.html"), server.hits_for("/ok/s2.html")
    assert second.at - first.at >= 0.3 - JITTER_S


def test_a_list_page_goes_ahead_of_article_pages_waiting_for_the_host(server):
    """The flow walks list pages while article batches for the same host wait: the walk must not queue behind them."""
    policy = HostPolicy(min_delay_s=0.0, max_connections=1)
    articles = [FetchRequest(server.url(f"/ok/queued{i}.html"), policy=policy) for i in range(8)]
    listing = FetchRequest(server.url("/ok/queued-list.html"), policy=policy, kind="list")
    pages = fetch_pages([*articles, listing], FAST, state=CrawlState())
    assert [p.outcome for p in pages] == [FETCHED] * 9
    order = [h.path for h in server.hits if h.path.startswith("/ok/queued")]
    assert len(order) == 9
    # First come, first served it would be last; it goes after the few requests already under way.
    assert order.index("/ok/queued-list.html") < len(articles) // 2


def test_host_slots_hand_a_freed_slot_to_urgent_waiters_first():
    async def scenario() -> list[str]:
        slots, served = _HostSlots(1), []

        async def request(name: str, urgent: bool) -> None:
            async with slots.take(urgent=urgent):
                served.append(name)
                await asyncio.sleep(0)

        async with slots.take(urgent=False):  # the slot is busy while everyone queues
            tasks = [asyncio.ensure_future(request(name, urgent)) for name, urgent in
                     (("article-1", False), ("article-2", False), ("list", True), ("article-3", False))]
            await asyncio.sleep(0)
            tasks[1].cancel()  # a cancelled waiter gives its place up
            await asyncio.sleep(0)
        await asyncio.gather(*tasks, return_exceptions=True)
        return served

    assert asyncio.run(scenario()) == ["list", "article-1", "article-3"]


def test_hosts_are_fetched_concurrently():
    a, b = FaultServer(host="127.0.0.1").start(), FaultServer(host="127.0.0.2").start()
    try:
        policy = HostPolicy(min_delay_s=0.3)
        requests = [FetchRequest(srv.url(f"/ok/c{i}.html"), policy=policy) for i in range(3) for srv in (a, b)]
        pages = fetch_pages(requests, FAST, state=CrawlState())
        assert [p.outcome for p in pages] == [FETCHED] * 6
        assert [p.requested_url for p in pages] == [r.url for r in requests]  # request order kept
        a_hits = sorted(h.at for h in a.hits if h.path.startswith("/ok/"))
        b_hits = sorted(h.at for h in b.hits if h.path.startswith("/ok/"))
        # Each host waits 0.3 s between its pages; the other host's pages go out in those gaps.
        assert b_hits[0] < a_hits[1] and a_hits[0] < b_hits[1]
        assert min(later - earlier for earlier, later in zip(a_hits, a_hits[1:])) >= 0.3 - JITTER_S
    finally:
        a.stop()
        b.stop()


def test_fetch_all_yields_pages_as_they_complete(server):
    async def run() -> list[str]:
        async with Fetcher(dataclasses.replace(FAST, retries=0), state=CrawlState()) as fetcher:
            requests = [FetchRequest(server.url("/slow.html")), FetchRequest(server.url("/ok/fast.html"))]
            return [page.requested_url async for page in fetcher.fetch_all(requests)]

    order = asyncio.run(run())
    assert order == [server.url("/ok/fast.html"), server.url("/slow.html")]


def test_duplicate_urls_are_fetched_once(server):
    url = server.url("/ok/dup.html")
    requests = [FetchRequest(url), FetchRequest(url + "#comments"), FetchRequest(url + "?utm_source=wx")]
    pages = fetch_pages(requests, FAST, state=CrawlState())
    assert [p.outcome for p in pages] == [FETCHED] * 3
    assert [p.requested_url for p in pages] == [r.url for r in requests]
    assert len(server.hits_for("/ok/dup.html")) == 1


def test_fetch_pages_works_inside_a_running_event_loop(server):
    async def caller():
        return fetch_pages([FetchRequest(server.url("/ok/inloop.html"))], FAST, state=CrawlState())

    (page,) = asyncio.run(caller())
    assert page.outcome == FETCHED


# ---------------------------------------------------------------- sessions

SESSIONS = pytest.mark.parametrize("own_process", [False, True], ids=["thread", "process"])


def _session(own_process: bool, settings: FetchSettings = FAST) -> FetchSession:
    """A session with its own CrawlState (in this process, or the fetch process's own)."""
    return FetchSession(settings, own_process=own_process) if own_process \
        else FetchSession(settings, state=CrawlState())


@SESSIONS
def test_a_session_serves_calls_from_many_threads_with_one_robots_fetch(server, own_process):
    robots_before = len(server.hits_for("/robots.txt"))
    with _session(own_process) as session:
        def call(i: int) -> list:
            return session.fetch([FetchRequest(server.url(f"/ok/sess-{own_process}-{i}-{j}.html")) for j in range(3)])

        with ThreadPoolExecutor(max_workers=4) as threads:
            results = list(threads.map(call, range(8)))
        missing = session.fetch_one(FetchRequest(server.url("/missing.html")))
        assert session.fetch([]) == []
    assert [p.requested_url for p in results[5]] == [server.url(f"/ok/sess-{own_process}-5-{j}.html") for j in range(3)]
    assert all(page.outcome == FETCHED and page.body for pages in results for page in pages)
    assert (missing.outcome, missing.error) == (FAILED, "HTTP 404")
    assert len(server.hits_for("/robots.txt")) == robots_before + 1  # one CrawlState for every call


@SESSIONS
def test_a_session_keeps_the_host_delay_across_concurrent_calls(server, own_process):
    """Discovery's one-page calls and a batch fetch run at once through the flow's session: still polite."""
    policy = HostPolicy(min_delay_s=0.3, max_connections=1)
    paths = [f"/ok/sdelay-{own_process}-{i}.html" for i in range(4)]
    with _session(own_process) as session:
        threads = [threading.Thread(target=session.fetch_one, args=(FetchRequest(server.url(p), policy=policy),))
                   for p in paths]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    hits = sorted(h.at for p in paths for h in server.hits_for(p))
    assert len(hits) == 4 and min(gaps_between(hits)) >= 0.3 - JITTER_S


def gaps_between(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


@SESSIONS
def test_a_closed_session_refuses_calls(server, own_process):
    session = _session(own_process)
    assert session.fetch_one(FetchRequest(server.url("/ok/before-close.html"))).outcome == FETCHED
    session.close()
    session.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        session.fetch_one(FetchRequest(server.url("/ok/after-close.html")))


def test_a_fetch_process_that_died_fails_calls_instead_of_hanging(server):
    session = FetchSession(FAST, own_process=True)
    try:
        assert session.fetch_one(FetchRequest(server.url("/ok/before-death.html"))).outcome == FETCHED
        os.kill(session.pid, signal.SIGKILL)  # the test's own child process
        session._backend.process.join(timeout=10)
        with pytest.raises(RuntimeError, match="fetch process ended"):
            session.fetch_one(FetchRequest(server.url("/ok/after-death.html")))
    finally:
        session.close()


def test_a_fetch_process_session_cannot_share_this_process_state():
    with pytest.raises(ValueError, match="CrawlState"):
        FetchSession(FAST, state=CrawlState(), own_process=True)


# ---------------------------------------------------------------- incremental

def test_second_pass_with_validators_gets_304s(server):
    paths = [f"/ok/inc{i}.html" for i in range(3)]
    state = CrawlState()
    first = fetch_pages([FetchRequest(server.url(p)) for p in paths], FAST, state=state)
    assert [p.outcome for p in first] == [FETCHED] * 3
    requests = [FetchRequest(server.url(p), validators=page.validators) for p, page in zip(paths, first)]
    second = fetch_pages(requests, FAST, state=state)
    assert [p.outcome for p in second] == [NOT_MODIFIED] * 3
    assert all(p.status == 304 and p.body == b"" and p.error is None for p in second)
    conditional = server.hits_for(paths[0])[1].headers
    assert conditional["if-none-match"] == ETAG and conditional["if-modified-since"] == LAST_MODIFIED


def test_last_modified_alone_is_enough(server):
    page = fetch(server, "/ok/lm.html", validators=Validators(last_modified=LAST_MODIFIED))
    assert page.outcome == NOT_MODIFIED


# ---------------------------------------------------------------- pieces

def test_retry_after_forms():
    now = datetime(2024, 2, 5, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Mon, 05 Feb 2024 08:00:30 GMT", now) == 30
    assert retry_after_seconds("Mon, 05 Feb 2024 07:00:00 GMT", now) == 0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_backoff_grows_with_jitter_and_is_capped():
    settings = FetchSettings(backoff_base_s=0.5, backoff_max_s=30)
    for attempt, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (10, 30.0)):
        delays = [backoff_delay(attempt, settings) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 10  # jittered, not constant


def test_https_memory_upgrades_only_default_port_http():
    hosts = HttpsHosts()
    assert hosts.upgrade("http://www.12371.cn/a.html") == "http://www.12371.cn/a.html"
    hosts.add("www.12371.cn")
    assert hosts.upgrade("http://www.12371.cn/a.html?x=1") == "https://www.12371.cn/a.html?x=1"
    assert hosts.upgrade("http://www.12371.cn:8080/a.html") == "http://www.12371.cn:8080/a.html"
    hosts.discard("www.12371.cn")
    assert hosts.upgrade("http://www.12371.cn/a.html") == "http://www.12371.cn/a.html"


# ---------------------------------------------------------------- robots.txt rules (RFC 9309)

UA = FetchSettings().user_agent


def test_robots_longest_match_wins_and_allow_wins_ties():
    rules = parse_robots("User-agent: *\nDisallow: /\nAllow: /news/\nDisallow: /news/draft\nAllow: /x\nDisallow: /x\n",
                         UA)
    assert not rules.allows("http://h/about.html")
    assert rules.allows("http://h/news/2024/a.html")  # stdlib robotparser gets this wrong (first match)
    assert not rules.allows("http://h/news/draft-1.html")
    assert rules.allows("http://h/x")  # tie: allow
    assert rules.allows("http://h/robots.txt")


def test_robots_wildcards_and_end_anchor():
    rules = parse_robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /search*q=\nDisallow: /tmp$\n", UA)
    assert not rules.allows("http://h/files/a.pdf")
    assert rules.allows("http://h/files/a.pdf.html")
    assert not rules.allows("http://h/search/list?q=党建")
    assert not rules.allows("http://h/tmp") and rules.allows("http://h/tmp/a.html")


def test_robots_group_for_our_product_token_beats_star():
    text = ("User-agent: Baiduspider\nUser-agent: DangJian\nDisallow: /private/\nCrawl-delay: 2\n\n"
            "User-agent: *\nDisallow: /\n")
    rules = parse_robots(text, UA)
    assert rules.allows("http://h/news/a.html") and not rules.allows("http://h/private/a.html")
    assert rules.crawl_delay_s == 2
    assert not parse_robots(text, "otherbot/1.0").allows("http://h/news/a.html")


def test_robots_percent_encoding_and_empty_disallow():
    rules = parse_robots("User-agent: *\nDisallow: /党建/内部\nDisallow:\n", UA)
    assert not rules.allows("http://h/%E5%85%9A%E5%BB%BA/%E5%86%85%E9%83%A8/a.html")
    assert not rules.allows("http://h/%e5%85%9a%e5%bb%ba/%e5%86%85%e9%83%a8/a.html")
    assert rules.allows("http://h/%E5%85%9A%E5%BB%BA/a.html")


def test_robots_that_is_an_html_page_allows_everything():
    assert parse_robots("<html><body>404 页面不存在</body></html>", UA).allows("http://h/a.html")


# ---------------------------------------------------------------- body decoding (extract/body.py)

def _read(data: bytes, encoding: str | None, cap: int = 10**6) -> bytes:
    async def chunks():
        for i in range(0, len(data), 7):  # tiny chunks: every boundary case of the inflater
            yield data[i:i + 7]

    return asyncio.run(read_capped(chunks(), encoding, cap, [0]))


def test_body_codings_seen_in_the_wild():
    page = "基层党组织建设".encode() * 2000
    assert _read(gzip.compress(page) + b"\0\0\0", "gzip") == page  # NUL padding after the stream
    assert _read(gzip.compress(page) + gzip.compress(b"!"), "gzip") == page + b"!"  # two members
    assert _read(zlib.compress(page), "deflate") == page
    assert _read(zlib.compress(page)[2:-4], "deflate") == page  # raw deflate sent as "deflate"
    assert _read(gzip.compress(gzip.compress(page)), "gzip, gzip") == page
    with pytest.raises(BrokenEncoding):
        _read(gzip.compress(page)[:-20], "gzip")
    with pytest.raises(UnsupportedEncoding):
        _read(page, "br")
    with pytest.raises(BodyTooLarge):
        _read(gzip.compress(page), "gzip", cap=1000)


def test_host_clock_counts_the_delay_from_the_real_send():
    clock = HostClock()
    first = clock.book("h", 0.2)
    time.sleep(0.05)  # the sender woke late
    clock.mark_sent("h", 0.2)
    sent = time.monotonic()
    second = clock.book("h", 0.2)
    assert second - first >= 0.25 - 1e-3 and second >= sent + 0.2 - 1e-3
    assert clock.book("other", 0.2) <= time.monotonic()  # hosts do not share a budget
