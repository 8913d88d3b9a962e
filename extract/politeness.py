"""Per-host pacing shared by every fetcher in the process.

Fetches come from several calls at once: `fetch_pages` makes a Fetcher and
an event loop per call (from any thread), and a FetchSession serves the
ingest flow's list-page walks and article batches concurrently (in its own
fetch process, where every call of the run goes through one CrawlState). A
delay kept inside one Fetcher would let the first request of every call go
out at once, so the clock lives here, behind a thread lock, and every
request to a host - robots.txt, redirects and retries included - books a
start time from it.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit


def host_key(url: str) -> str:
    """Politeness is per server name: http and https, and every port, share one budget."""
    return (urlsplit(url).hostname or "").lower().rstrip(".")


class HostClock:
    """When each host may next be sent a request (time.monotonic seconds)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def book(self, host: str, min_delay_s: float) -> float:
        """Reserve the earliest start time >= now that keeps `min_delay_s` after the previous booking."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + min_delay_s
            return start

    def mark_sent(self, host: str, min_delay_s: float) -> None:
        """Count the delay from when the request really went out.

        Under load a sleeper wakes late; counting from the booked time would
        let the next request follow the late one by less than the delay.
        """
        with self._lock:
            sent = time.monotonic()
            self._next[host] = max(self._next.get(host, sent), sent + min_delay_s)

    def hold_off(self, host: str, until: float) -> None:
        """Push the host's next slot to `until` (a 429/503 Retry-After applies to the whole host)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, until), until)


class HttpsHosts:
    """Hosts seen to answer over https, so an http URL (canonical form) can go there directly.

    `canonical_url` folds http/https twins to http; without this memory every
    page of an https site would cost a redirect.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: set[str] = set()

    def add(self, host: str) -> None:
        with self._lock:
            self._hosts.add(host)

    def discard(self, host: str) -> None:
        with self._lock:
            self._hosts.discard(host)

    def upgrade(self, url: str) -> str:
        """`url` over https when its host speaks https and the URL uses the default http port."""
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.port not in (None, 80):
            return url
        with self._lock:
            known = (parts.hostname or "").lower() in self._hosts
        if not known:
            return url
        netloc = parts.netloc.rsplit(":80", 1)[0] if parts.port == 80 else parts.netloc
        return parts._replace(scheme="https", netloc=netloc).geturl()
