"""The HTTP fetcher: polite, bounded, and every response archived.

Every URL ends in one of four states, with a reason a person can act on:

- FETCHED: a 2xx HTML page, complete, within the size cap (or a 4xx page,
  which is FAILED but keeps its body in the archive);
- NOT_MODIFIED: the server answered our conditional request with 304;
- SKIPPED: we chose not to take it - robots.txt disallows it, a non-HTML
  content type, a body over the cap;
- FAILED: the site or the network let us down - an HTTP error, timeouts,
  a truncated body, a redirect loop, a robots.txt we could not read (RFC 9309
  says to crawl nothing then; FAILED rather than SKIPPED because the next run
  should try again).

Nothing here raises for network or HTTP trouble. Politeness (per-host delay,
robots.txt, the https memory) is shared by all fetchers in the process, see
extract/politeness.py and extract/robots.py. Retries happen per request (so a
redirect chain retries only the hop that failed) with exponential backoff and
jitter, and never sooner than a Retry-After asks.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import itertools
import multiprocessing
import random
import threading
import time
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Iterable
from concurrent.futures import Future
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from multiprocessing.connection import Connection
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from extract.archive import FAILED, FETCHED, NOT_MODIFIED, SKIPPED, FetchedPage, Validators
from extract.body import BodyTooLarge, BrokenEncoding, UnsupportedEncoding, read_capped
from extract.http_transport import asyncio_transport, shared_ssl_context
from extract.politeness import HostClock, HttpsHosts, host_key
from extract.robots import (
    ALLOW_ALL,
    MAX_ROBOTS_BYTES,
    RobotsCache,
    RobotsRules,
    origin,
    parse_robots,
    robots_url,
)
from extract.urls import canonical_url

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types some old servers put on HTML; the body decides (see _looks_like_html).
_SNIFFED_TYPES = frozenset({"", "text/plain", "application/octet-stream", "application/x-download"})
_T = TypeVar("_T")
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 507, 509, 520, 521, 522, 523, 524})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class HostPolicy:
    """Per-host politeness, from the source profile."""

    min_delay_s: float = 1.0
    max_connections: int = 1


@dataclass(frozen=True)
class FetchSettings:
    """How every request of a run behaves.

    `retries` is the number of extra attempts after the first (so 3 means at
    most 4 requests per URL and hop). `total_timeout_s` bounds one attempt,
    body included: it catches a server that drips a byte just inside the read
    timeout. `max_bytes` caps the body both as sent and after decompression.
    """

    user_agent: str = "dangjian/0.1 (+https://github.com/dangjian/dangjian; research crawler)"
    connect_timeout_s: float = 10
    read_timeout_s: float = 20
    total_timeout_s: float = 60
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30
    respect_robots: bool = True
    default_policy: HostPolicy = HostPolicy()
    # A robots.txt Crawl-delay above the profile's delay is honoured up to this.
    max_crawl_delay_s: float = 30
    accept_language: str = "zh-CN,zh;q=0.9,en;q=0.5"


@dataclass(frozen=True)
class FetchRequest:
    url: str
    source_name: str | None = None
    policy: HostPolicy | None = None
    validators: Validators | None = None
    kind: str = "article"  # or "list": list pages are not HTML-typed differently, but callers log them apart


@dataclass
class CrawlState:
    """What fetchers in one process share: host pacing, robots.txt, hosts known to speak https."""

    clock: HostClock = field(default_factory=HostClock)
    robots: RobotsCache = field(default_factory=RobotsCache)
    https_hosts: HttpsHosts = field(default_factory=HttpsHosts)


SHARED_STATE = CrawlState()


@dataclass
class _Trace:
    """Timing of the requests made for one URL, kept in a context variable (one per fetch task)."""

    first_sent: float | None = None
    last_done: float | None = None

    @property
    def elapsed_s(self) -> float:
        if self.first_sent is None or self.last_done is None:
            return 0.0
        return self.last_done - self.first_sent


_TRACE: contextvars.ContextVar[_Trace | None] = contextvars.ContextVar("dangjian_fetch_trace", default=None)


# ---------------------------------------------------------------- one exchange

@dataclass
class _Response:
    """One HTTP exchange that produced a status line."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    started_at: datetime
    # Set when the exchange settles the URL without a retry (skip or permanent failure).
    outcome: str | None = None
    error: str | None = None


class _Transient(Exception):
    """An attempt failed in a way a later attempt may not: retried, then reported."""

    def __init__(self, reason: str, *, retry_after: float | None = None, response: _Response | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.response = response


class _Final(Exception):
    """The URL is settled without a response worth archiving (bad URL, unsupported scheme)."""

    def __init__(self, outcome: str, reason: str):
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


def _megabytes(n: int) -> str:
    """A byte cap as people write it: '10 MB', '1.5 MB', '500 KB', '100 bytes'."""
    mib = 1024 * 1024
    if n >= mib:
        return f"{n // mib} MB" if n % mib == 0 else f"{n / mib:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _seconds(s: float) -> str:
    return f"{s:g} s"


def _lower_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.multi_items():
        key = key.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _media_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head.startswith(b"<"):
        return False
    return any(tag in head for tag in (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta"))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, settings: FetchSettings, rng: random.Random | None = None) -> float:
    """Wait before attempt `attempt + 1`: exponential, capped, with 'equal jitter' (half fixed, half random).

    Half of it is fixed so a retry is never immediate; the random half spreads
    retries of many URLs that failed together.
    """
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (attempt - 1))
    return ceiling / 2 + (rng or random).uniform(0, ceiling / 2)


class _HostSlots:
    """At most `limit` requests in flight to one host; a waiting list page or robots.txt goes first.

    The ingest flow walks the next sources' list pages while a source's
    article batches are fetched, through one Fetcher. When sources share a
    host, a list page queued first-come-first-served would wait behind the
    up to two batches of article requests already waiting for that host (a
    second or more for each list page, so a walk of hundreds of pages would
    hold the run up). Going ahead in the queue changes no politeness: the
    same number of connections, the same delay between requests.
    """

    def __init__(self, limit: int) -> None:
        self._free = limit
        self._urgent: deque[asyncio.Future] = deque()
        self._normal: deque[asyncio.Future] = deque()

    @asynccontextmanager
    async def take(self, *, urgent: bool) -> AsyncIterator[None]:
        if self._free > 0 and not self._urgent and not self._normal:
            self._free -= 1
        else:
            handed = asyncio.get_running_loop().create_future()
            (self._urgent if urgent else self._normal).append(handed)
            try:
                await handed
            except asyncio.CancelledError:
                if handed.done() and not handed.cancelled():  # the slot was ours already: pass it on
                    self._release()
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        for waiting in (self._urgent, self._normal):
            while waiting:
                handed = waiting.popleft()
                if not handed.done():  # skip waiters cancelled meanwhile
                    handed.set_result(None)
                    return
        self._free += 1


class Fetcher:
    """One shared httpx.AsyncClient per run; `fetch` never raises for network or HTTP problems."""

    def __init__(self, settings: FetchSettings = FetchSettings(), *, state: CrawlState | None = None) -> None:
        self.settings = settings
        self.state = state or SHARED_STATE
        self._client: httpx.AsyncClient | None = None
        self._transport: httpx.AsyncHTTPTransport | None = None
        self._direct = False  # whether requests may skip the client (see _send)
        self._host_slots: dict[str, _HostSlots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=16)
        self._transport = asyncio_transport(limits)
        self._direct = not urllib.request.getproxies()  # where httpx finds the proxies it would use
        self._client = httpx.AsyncClient(
            transport=self._transport,
            verify=shared_ssl_context(),  # these two for the proxies httpx may take from the environment
            limits=limits,
            timeout=httpx.Timeout(connect=s.connect_timeout_s, read=s.read_timeout_s,
                                  write=s.read_timeout_s, pool=s.total_timeout_s),
            follow_redirects=False,
            headers={
                "User-Agent": s.user_agent,
                "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                "Accept-Language": s.accept_language,
                # Only what extract/body.py can inflate within the cap.
                "Accept-Encoding": "gzip, deflate",
            },
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = self._transport = None

    # ------------------------------------------------------------ public

    async def fetch(self, request: FetchRequest) -> FetchedPage:
        """Fetch one URL to its final state; the page's `outcome` and `error` say how it went."""
        if self._client is None:
            async with self:
                return await self.fetch(request)
        trace = _Trace()
        token = _TRACE.set(trace)
        try:
            page = await self._fetch(request)
        except _Final as final:
            page = self._page(request, None, outcome=final.outcome, error=final.reason)
        except Exception as exc:  # noqa: BLE001 - a crawler bug must not sink the batch; the reason names it
            page = self._page(request, None, outcome=FAILED, error=f"internal error: {type(exc).__name__}: {exc}")
        finally:
            _TRACE.reset(token)
        page.elapsed_s = trace.elapsed_s
        return page

    async def fetch_all(self, requests: Iterable[FetchRequest]) -> AsyncIterator[FetchedPage]:
        """Fetch concurrently across hosts, politely per host; yield pages as they complete.

        Requests whose URLs have the same canonical form are fetched once; each
        still gets its own page (its own `requested_url` and `source_name`).
        """
        tasks = self._schedule(requests)
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    async def fetch_in_order(self, requests: Iterable[FetchRequest]) -> list[FetchedPage]:
        """Like fetch_all, but all at once and in request order."""
        tasks = self._schedule(requests)
        try:
            return list(await asyncio.gather(*tasks))
        finally:
            for task in tasks:
                task.cancel()

    # ------------------------------------------------------------ internals

    def _schedule(self, requests: Iterable[FetchRequest]) -> list[asyncio.Task[FetchedPage]]:
        """One task per request, in order; requests with one canonical URL share one fetch."""
        shared: dict[str, asyncio.Task[FetchedPage]] = {}
        tasks = []
        for request in requests:
            key = canonical_url(request.url)
            if key not in shared:  # the first request of a URL is its fetch (no second task: ~25 us a page)
                shared[key] = asyncio.ensure_future(self.fetch(request))
                tasks.append(shared[key])
            else:
                tasks.append(asyncio.ensure_future(self._as_requested(request, shared[key])))
        return tasks

    @staticmethod
    async def _as_requested(request: FetchRequest, task: asyncio.Task[FetchedPage]) -> FetchedPage:
        page = await asyncio.shield(task)
        if page.requested_url == request.url and page.source_name == request.source_name \
                and page.kind == request.kind:
            return page
        return dataclasses.replace(page, requested_url=request.url, source_name=request.source_name,
                                   kind=request.kind, redirects=list(page.redirects), headers=dict(page.headers))

    def _page(self, request: FetchRequest, response: _Response | None, *, outcome: str, error: str | None,
              redirects: list[str] | None = None, attempts: int = 0, keep_body: bool = True) -> FetchedPage:
        return FetchedPage(
            requested_url=request.url,
            final_url=response.url if response else None,
            status=response.status if response else None,
            headers=response.headers if response else {},
            body=response.body if response and keep_body else b"",
            fetched_at=response.started_at if response else datetime.now(UTC),
            elapsed_s=0.0,
            outcome=outcome,
            error=error,
            source_name=request.source_name,
            redirects=redirects or [],
            attempts=attempts,
            kind=request.kind,
        )

    def _policy(self, request: FetchRequest) -> HostPolicy:
        return request.policy or self.settings.default_policy

    async def _fetch(self, request: FetchRequest) -> FetchedPage:
        url = request.url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise _Final(FAILED, f"unsupported URL scheme {parts.scheme or '(none)'!r}")
        if not parts.hostname:
            raise _Final(FAILED, f"invalid URL {url!r}: no host")
        policy = self._policy(request)
        url = self.state.https_hosts.upgrade(url)
        chain: list[str] = []
        attempts = 0
        for _hop in range(self.settings.max_redirects + 1):
            if self.settings.respect_robots:
                rules = await self._robots(url, policy)
                if rules.unreachable is not None:  # the site let us down: FAILED, so a later run tries again
                    return self._page(request, None, outcome=FAILED, error=rules.unreachable,
                                      redirects=chain, attempts=attempts)
                if not rules.allows(url):
                    return self._page(request, None, outcome=SKIPPED, error="disallowed by robots.txt",
                                      redirects=chain, attempts=attempts)
            response, used = await self._with_retries(url, policy, request.validators,
                                                      urgent=request.kind != "article")
            attempts += used
            if isinstance(response, str):
                return self._page(request, None, outcome=FAILED, error=response, redirects=chain, attempts=attempts)
            if response.status not in _REDIRECT_STATUSES:
                return self._settle(request, response, chain, attempts)
            location = response.headers.get("location")
            if not location:
                return self._page(request, response, outcome=FAILED,
                                  error=f"HTTP {response.status} redirect without a Location", redirects=chain,
                                  attempts=attempts)
            target = urljoin(url, location.strip())
            self._learn_scheme(url, target)
            chain.append(url)
            if target in chain:
                loop = " -> ".join([*chain[chain.index(target):], target])
                return self._page(request, response, outcome=FAILED, error=f"redirect loop: {loop}",
                                  redirects=chain, attempts=attempts, keep_body=False)
            if urlsplit(target).scheme not in ("http", "https"):
                return self._page(request, response, outcome=FAILED,
                                  error=f"redirect to unsupported URL {target!r}", redirects=chain,
                                  attempts=attempts, keep_body=False)
            url = target
        return self._page(request, None, outcome=FAILED,
                          error=f"too many redirects (more than {self.settings.max_redirects})",
                          redirects=chain, attempts=attempts)

    def _learn_scheme(self, url: str, target: str) -> None:
        here, there = urlsplit(url), urlsplit(target)
        if (here.hostname or "").lower() != (there.hostname or "").lower():
            return
        if here.scheme == "http" and there.scheme == "https":
            self.state.https_hosts.add(host_key(target))
        elif here.scheme == "https" and there.scheme == "http":
            self.state.https_hosts.discard(host_key(target))

    def _settle(self, request: FetchRequest, response: _Response, chain: list[str], attempts: int) -> FetchedPage:
        """The final state of a non-redirect response."""
        def page(outcome: str, error: str | None, keep_body: bool = True) -> FetchedPage:
            return self._page(request, response, outcome=outcome, error=error, redirects=chain,
                              attempts=attempts, keep_body=keep_body)

        if response.outcome is not None:
            return page(response.outcome, response.error, keep_body=response.outcome != SKIPPED)
        if response.status == 304:
            if request.validators is None:
                return page(FAILED, "HTTP 304 without a conditional request")
            return page(NOT_MODIFIED, None)
        if 200 <= response.status < 300:
            return page(FETCHED, None)
        return page(FAILED, f"HTTP {response.status}")

    async def _with_retries(
        self, url: str, policy: HostPolicy, validators: Validators | None, *,
        html_only: bool = True, cap: int | None = None, urgent: bool = False,
    ) -> tuple[_Response | str, int]:
        """The response of `url` after up to 1 + retries attempts, or the reason there is none.

        `urgent` requests (list pages, robots.txt) go ahead of article pages waiting for the host.
        """
        s = self.settings
        last: _Transient | None = None
        attempts = 0
        for attempt in range(1, s.retries + 2):
            attempts = attempt
            try:
                return await self._attempt(url, policy, validators, html_only=html_only,
                                           cap=cap or s.max_bytes, urgent=urgent), attempts
            except _Transient as transient:
                last = transient
            if last.retry_after is not None:
                # The server asked the whole host to slow down, not just this URL (within our cap).
                pause = min(last.retry_after, s.backoff_max_s)
                self.state.clock.hold_off(host_key(url), time.monotonic() + pause)
            if attempt > s.retries:
                break
            wait = backoff_delay(attempt, s)
            if last.retry_after is not None:
                if last.retry_after > s.backoff_max_s:
                    return self._give_up(last, attempts, f"; Retry-After {_seconds(last.retry_after)} "
                                                         f"exceeds the {_seconds(s.backoff_max_s)} cap"), attempts
                wait = max(wait, last.retry_after)
            await asyncio.sleep(wait)
        assert last is not None
        return self._give_up(last, attempts), attempts

    @staticmethod
    def _give_up(last: _Transient, attempts: int, extra: str = "") -> _Response | str:
        """The last attempt's failure as a final state: the response if it had one, else the reason."""
        counted = f"after {attempts} attempt{'s' if attempts != 1 else ''}"
        if last.reason.startswith("HTTP "):
            reason = f"{last.reason} {counted}{extra}"  # "HTTP 503 after 4 attempts"
        elif last.reason.startswith("timeout"):
            kind = last.reason.split("(", 1)[1].rstrip(")")
            reason = f"timeout {counted} ({kind}){extra}"  # "timeout after 4 attempts (read timeout 20 s)"
        else:
            reason = f"{last.reason} ({counted}){extra}"  # "truncated: got 1234 of 5000 bytes, ... (after 4 attempts)"
        if last.response is None:
            return reason
        last.response.outcome, last.response.error = FAILED, reason
        return last.response

    async def _attempt(self, url: str, policy: HostPolicy, validators: Validators | None, *,
                       html_only: bool, cap: int, urgent: bool = False) -> _Response:
        """One polite request: wait for the host's slot, send, read the body within the cap."""
        host = host_key(url)
        # The first policy seen for a host sets its connection limit for this Fetcher.
        slots = self._host_slots.get(host)
        if slots is None:
            slots = self._host_slots[host] = _HostSlots(max(1, policy.max_connections))
        async with slots.take(urgent=urgent):
            delay = self._delay(url, policy)
            start = self.state.clock.book(host, delay)
            if (wait := start - time.monotonic()) > 0:  # no wait, no sleep(0): it costs a turn of the loop
                await asyncio.sleep(wait)
            self.state.clock.mark_sent(host, delay)
            trace = _TRACE.get()
            if trace is not None and trace.first_sent is None:
                trace.first_sent = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.total_timeout_s):
                    return await self._exchange(url, validators, html_only=html_only, cap=cap)
            except TimeoutError:
                raise _Transient(f"timeout (total timeout {_seconds(self.settings.total_timeout_s)})") from None
            finally:
                if trace is not None:
                    trace.last_done = time.monotonic()

    def _delay(self, url: str, policy: HostPolicy) -> float:
        rules = self.state.robots.get(origin(url), self.settings.user_agent) if self.settings.respect_robots else None
        crawl_delay = min(rules.crawl_delay_s, self.settings.max_crawl_delay_s) if rules and rules.crawl_delay_s else 0
        return max(policy.min_delay_s, crawl_delay)

    @asynccontextmanager
    async def _send(self, url: str, headers: dict[str, str]) -> AsyncIterator[httpx.Response]:
        """GET `url` and stream the response: straight to the transport when the client would add nothing.

        The client's layers (merging URL, headers and cookies into a new
        request, auth and redirect hooks, the cookie jar read on every
        response) cost the fetch process ~0.1 ms of CPU a page. They add
        nothing here unless a proxy is configured, the URL carries a user and
        password, or a site has set cookies: then the request takes the
        client's way. Redirects are followed by _fetch either way.
        """
        assert self._client is not None and self._transport is not None
        merged = self._client.headers.copy()
        merged.update(headers)
        request = httpx.Request("GET", url, headers=merged, extensions={"timeout": self._client.timeout.as_dict()})
        if not self._direct or request.url.userinfo or self._client.cookies:
            async with self._client.stream("GET", url, headers=headers) as raw:
                yield raw
            return
        response = await self._transport.handle_async_request(request)
        response.request = request
        try:
            if "set-cookie" in response.headers:  # kept for the requests after it, as the client would
                self._client.cookies.extract_cookies(response)
            yield response
        finally:
            await response.aclose()

    async def _exchange(self, url: str, validators: Validators | None, *, html_only: bool, cap: int) -> _Response:
        assert self._client is not None
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        started_at = datetime.now(UTC)
        received = [0]
        declared: int | None = None
        response: _Response | None = None
        try:
            async with self._send(url, headers) as raw:
                response = _Response(url=str(raw.url), status=raw.status_code,
                                     headers=_lower_headers(raw.headers), body=b"", started_at=started_at)
                if urlsplit(url).scheme == "https":
                    self.state.https_hosts.add(host_key(url))
                declared = self._declared_length(response)
                if response.status in _RETRY_STATUSES:
                    response.body = await self._drain(raw, response, cap)
                    raise _Transient(f"HTTP {response.status}",
                                     retry_after=retry_after_seconds(response.headers.get("retry-after")),
                                     response=response)
                if html_only and 200 <= response.status < 300:
                    refusal = self._refuse_type(response)
                    if refusal:
                        response.outcome, response.error = SKIPPED, refusal
                        return response
                if declared is not None and declared > cap:
                    response.outcome = SKIPPED
                    response.error = f"body exceeds {_megabytes(cap)} cap (Content-Length {declared})"
                    return response
                try:
                    response.body = await read_capped(raw.aiter_raw(), response.headers.get("content-encoding"),
                                                      cap, received)
                except BodyTooLarge as too_large:
                    response.outcome = SKIPPED
                    response.error = (f"decompressed body exceeds {_megabytes(cap)} cap "
                                      f"({response.headers.get('content-encoding')} bomb?)"
                                      if too_large.decompressed else f"body exceeds {_megabytes(cap)} cap")
                    return response
                except UnsupportedEncoding as exc:
                    response.outcome, response.error = FAILED, str(exc)
                    return response
                except BrokenEncoding as exc:
                    raise _Transient(f"truncated: {exc}", response=response) from None
                if html_only and 200 <= response.status < 300 and self._needs_sniff(response) \
                        and not _looks_like_html(response.body):
                    response.outcome = SKIPPED
                    response.error = self._type_reason(response) + " and the body does not look like HTML"
                    response.body = b""
                return response
        except httpx.TimeoutException as exc:
            raise _Transient(f"timeout ({self._timeout_kind(exc)})") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if response is not None:  # the status line came, the body did not all come
                raise _Transient(self._truncation(exc, received[0], declared), response=response) from None
            raise _Transient(f"connection failed: {self._describe(exc)}") from None
        except (httpx.ConnectError, httpx.WriteError, httpx.NetworkError) as exc:
            raise _Transient(f"connection failed: {self._describe(exc)}") from None
        except httpx.UnsupportedProtocol as exc:
            raise _Final(FAILED, f"unsupported URL: {exc}") from None
        except (httpx.InvalidURL, httpx.LocalProtocolError) as exc:
            raise _Final(FAILED, f"invalid URL {url!r}: {exc}") from None
        except httpx.HTTPError as exc:
            raise _Transient(f"HTTP error: {self._describe(exc)}") from None

    @staticmethod
    def _describe(exc: Exception) -> str:
        text = str(exc) or type(exc).__name__
        return text if len(text) < 200 else text[:200] + "…"

    def _timeout_kind(self, exc: httpx.TimeoutException) -> str:
        s = self.settings
        if isinstance(exc, httpx.ConnectTimeout):
            return f"connect timeout {_seconds(s.connect_timeout_s)}"
        if isinstance(exc, httpx.PoolTimeout):
            return f"pool timeout {_seconds(s.total_timeout_s)}"
        if isinstance(exc, httpx.WriteTimeout):
            return f"write timeout {_seconds(s.read_timeout_s)}"
        return f"read timeout {_seconds(s.read_timeout_s)}"

    @staticmethod
    def _declared_length(response: _Response) -> int | None:
        value = response.headers.get("content-length", "").split(",")[0].strip()
        return int(value) if value.isdigit() else None

    @staticmethod
    def _truncation(exc: Exception, received: int, declared: int | None) -> str:
        how = "connection reset" if isinstance(exc, httpx.ReadError) else "connection closed"
        if declared is not None:
            return f"truncated: got {received} of {declared} bytes, then {how}"
        return f"truncated: {how} after {received} bytes"

    @staticmethod
    def _type_reason(response: _Response) -> str:
        media = _media_type(response.headers)
        return f"content type {media} is not HTML" if media else "no content type"

    def _refuse_type(self, response: _Response) -> str | None:
        media = _media_type(response.headers)
        if media in HTML_TYPES or media in _SNIFFED_TYPES:
            return None
        return f"content type {media} is not HTML"

    @staticmethod
    def _needs_sniff(response: _Response) -> bool:
        return _media_type(response.headers) in _SNIFFED_TYPES

    @staticmethod
    async def _drain(raw: httpx.Response, response: _Response, cap: int) -> bytes:
        """An error page's body, kept for the archive when small; a big one is not worth the wait."""
        try:
            return await read_capped(raw.aiter_raw(), response.headers.get("content-encoding"),
                                     min(cap, 256 * 1024), [0])
        except (BodyTooLarge, UnsupportedEncoding, BrokenEncoding):
            return b""

    # ------------------------------------------------------------ robots.txt

    async def _robots(self, url: str, policy: HostPolicy) -> RobotsRules:
        key = origin(url)
        cached = self.state.robots.get(key, self.settings.user_agent)
        if cached is not None:
            return cached
        lock = self._robots_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self.state.robots.get(key, self.settings.user_agent)
            if cached is None:
                token = _TRACE.set(None)  # robots.txt time is not the page's time
                try:
                    cached = await self._fetch_robots(url, policy)
                finally:
                    _TRACE.reset(token)
                self.state.robots.put(key, self.settings.user_agent, cached)
        return cached

    async def _fetch_robots(self, url: str, policy: HostPolicy) -> RobotsRules:
        """RFC 9309 2.3: follow up to 5 redirects; 4xx = no rules; 5xx, 429 or no answer = closed."""
        target = robots_url(url)
        for _hop in range(6):
            response, _ = await self._with_retries(target, policy, None,
                                                   html_only=False, cap=MAX_ROBOTS_BYTES, urgent=True)
            if isinstance(response, str):
                return RobotsRules(unreachable=f"robots.txt unreachable ({response}); assuming disallow")
            if response.status in _REDIRECT_STATUSES and response.headers.get("location"):
                redirected = urljoin(target, response.headers["location"].strip())
                self._learn_scheme(target, redirected)
                target = redirected
                continue
            if response.status == 429 or response.status >= 500:
                return RobotsRules(unreachable=f"robots.txt unreachable ({response.error or response.status}); "
                                               "assuming disallow")
            if 400 <= response.status < 500 or response.outcome is not None:
                return ALLOW_ALL
            if 200 <= response.status < 300:
                return parse_robots(response.body.decode("utf-8", errors="replace"), self.settings.user_agent)
            return ALLOW_ALL
        return ALLOW_ALL


# ---------------------------------------------------------------- sync wrappers

async def _fetch_in_order(requests: list[FetchRequest], settings: FetchSettings,
                          state: CrawlState | None) -> list[FetchedPage]:
    async with Fetcher(settings, state=state) as fetcher:
        return await fetcher.fetch_in_order(requests)


def _run(coroutine):
    """asyncio.run, or the same on a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    result: list = []

    def target() -> None:
        result.append(asyncio.run(coroutine))

    thread = threading.Thread(target=target, name="dangjian-fetch")
    thread.start()
    thread.join()
    return result[0]


class _LoopThread:
    """A Fetcher on an event loop of its own thread; calls from any other thread run on it concurrently."""

    def __init__(self, settings: FetchSettings, state: CrawlState | None) -> None:
        self._fetcher = Fetcher(settings, state=state)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="dangjian-fetch", daemon=True)
        self._thread.start()
        try:
            self._call(self._fetcher.__aenter__())
        except BaseException:
            self._stop_loop()
            raise

    def fetch(self, requests: list[FetchRequest]) -> list[FetchedPage]:
        return self._call(self._fetcher.fetch_in_order(requests))

    def close(self) -> None:
        try:
            self._call(self._fetcher.__aexit__(None, None, None))
        finally:
            self._stop_loop()

    def _call(self, coroutine: Coroutine[object, object, _T]) -> _T:
        if threading.current_thread() is self._thread:
            raise RuntimeError("FetchSession called from its own event loop (await the Fetcher instead)")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        if not self._thread.is_alive():
            self._loop.close()


class _FetchProcess:
    """A Fetcher in a child process of its own, called over a pipe; replies are matched to calls by number.

    Fetching is many short bursts of Python (httpx, h11) between waits on
    sockets. In a process whose other threads run Python too (loading a
    batch, Prefect's engine, unpickling the workers' results), every wake-up
    of the event loop first waits for the GIL, up to the 5 ms switch
    interval: measured here, one busy thread cut batch fetching from ~640 to
    ~105 pages/s and made each list page take 40 ms instead of 1.7. In its
    own process the loop has a GIL to itself, and its CPU leaves the
    flow's process. Pages cross the pipe once, pickled (~20 us a page).
    """

    def __init__(self, settings: FetchSettings) -> None:
        # forkserver: never forked from a process already running threads (Prefect's).
        context = multiprocessing.get_context("forkserver")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=_fetch_process_main, args=(child, settings), name="dangjian-fetch",
                                       daemon=True)  # fmt: skip
        self.process.start()
        child.close()
        self._calls = itertools.count()
        self._pending: dict[int, Future] = {}
        self._ended = False  # no more replies will come (set by the reader thread)
        self._lock = threading.Lock()  # one sender at a time; guards _pending and _ended
        self._reader = threading.Thread(target=self._read_replies, name="dangjian-fetch-replies", daemon=True)
        self._reader.start()

    def fetch(self, requests: list[FetchRequest]) -> list[FetchedPage]:
        future: Future = Future()
        with self._lock:
            if self._ended or not self.process.is_alive():
                raise RuntimeError(f"the fetch process ended (exit code {self.process.exitcode})")
            call = next(self._calls)
            self._pending[call] = future
            try:
                self._conn.send((call, requests))
            except OSError as exc:  # the pipe broke: the process is going or gone
                del self._pending[call]
                raise RuntimeError(f"the fetch process ended ({exc})") from exc
        return future.result()

    def close(self) -> None:
        with self._lock:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        self._reader.join(timeout=5)
        self._conn.close()

    def _read_replies(self) -> None:
        while True:
            try:
                call, pages, error = self._conn.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._pending.pop(call)
            if error is None:
                future.set_result(pages)
            else:
                future.set_exception(RuntimeError(f"fetch process: {error}"))
        with self._lock:  # the process ended: no reply will come for what is still pending
            pending, self._pending, self._ended = self._pending, {}, True
        for future in pending.values():
            future.set_exception(RuntimeError(f"the fetch process ended (exit code {self.process.exitcode})"))


def _fetch_process_main(conn: Connection, settings: FetchSettings) -> None:
    """The fetch process: one Fetcher serving the parent's calls concurrently until it sends None."""
    asyncio.run(_serve_calls(conn, settings))


async def _serve_calls(conn: Connection, settings: FetchSettings) -> None:
    loop = asyncio.get_running_loop()
    send_lock = threading.Lock()
    running: set[asyncio.Task] = set()

    def send(reply: tuple) -> None:
        with send_lock:
            conn.send(reply)

    async def answer(call: int, requests: list[FetchRequest]) -> None:
        try:
            reply = (call, await fetcher.fetch_in_order(requests), None)
        except Exception as exc:  # noqa: BLE001 - a crawler bug: the caller gets it as an error
            reply = (call, None, f"{type(exc).__name__}: {exc}")
        await loop.run_in_executor(None, send, reply)

    async with Fetcher(settings) as fetcher:
        while (message := await loop.run_in_executor(None, _receive, conn)) is not None:
            task = asyncio.ensure_future(answer(*message))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    conn.close()


def _receive(conn: Connection) -> tuple[int, list[FetchRequest]] | None:
    try:
        return conn.recv()
    except (EOFError, OSError):  # the parent went away
        return None


class FetchSession:
    """One Fetcher (one httpx client, its open connections) for many synchronous calls, from any thread.

    The ingest flow fetches list pages one at a time (discovery calls back for
    each) and article pages batch after batch, on whichever thread Prefect runs
    the task. `fetch_pages` makes a client and an event loop per call and opens
    new connections each time; a session keeps one client until `close`, and
    calls from several threads run concurrently, polite per host as always:
    every call goes through the session's one CrawlState.

    `own_process=True` runs the Fetcher in a child process (see _FetchProcess:
    the flows' process is busy with other Python work); otherwise on a thread
    of this process, sharing `state` (default: the process's SHARED_STATE).
    """

    def __init__(self, settings: FetchSettings = FetchSettings(), *, state: CrawlState | None = None,
                 own_process: bool = False) -> None:
        if own_process and state is not None:
            raise ValueError("a CrawlState cannot be shared with a fetch process")
        self.settings = settings
        self._backend: _LoopThread | _FetchProcess = _FetchProcess(settings) if own_process \
            else _LoopThread(settings, state)
        self._closed = False

    @property
    def pid(self) -> int | None:
        """The fetch process's id (None when fetching in this process): the benchmark counts its CPU apart."""
        return self._backend.process.pid if isinstance(self._backend, _FetchProcess) else None

    def fetch(self, requests: Iterable[FetchRequest]) -> list[FetchedPage]:
        """Fetch `requests` (politely, concurrently across hosts); pages come back in request order."""
        requests = list(requests)
        if not requests:
            return []
        if self._closed:
            raise RuntimeError("this FetchSession is closed")
        return self._backend.fetch(requests)

    def fetch_one(self, request: FetchRequest) -> FetchedPage:
        return self.fetch([request])[0]

    def close(self) -> None:
        """Close the client and stop the loop (and the fetch process); idempotent."""
        if not self._closed:
            self._closed = True
            self._backend.close()

    def __enter__(self) -> FetchSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def fetch_pages(requests: list[FetchRequest], settings: FetchSettings = FetchSettings(),
                *, state: CrawlState | None = None) -> list[FetchedPage]:
    """Fetch `requests` (politely, concurrently across hosts); pages come back in request order."""
    if not requests:
        return []
    return _run(_fetch_in_order(list(requests), settings, state))


def fetch_one(url: str, settings: FetchSettings = FetchSettings(), *, state: CrawlState | None = None) -> FetchedPage:
    return fetch_pages([FetchRequest(url=url)], settings, state=state)[0]
