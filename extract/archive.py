"""The raw archive record: what one fetch of one URL left, stored before any parsing.

Kept apart from the fetcher so that everything downstream (the page pipeline,
the warehouse, reprocessing) can read archived pages without importing httpx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Final states of one URL in one run.
FETCHED = "fetched"
NOT_MODIFIED = "not_modified"
SKIPPED = "skipped"
FAILED = "failed"


@dataclass(frozen=True)
class Validators:
    """What a previous fetch of the URL left for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> Validators | None:
        """The validators a response offers for next time (None when it offers none)."""
        etag, modified = headers.get("etag"), headers.get("last-modified")
        return cls(etag=etag, last_modified=modified) if etag or modified else None


@dataclass
class FetchedPage:
    """The raw archive record of one URL: stored before any parsing.

    `outcome` is one of FETCHED, NOT_MODIFIED, SKIPPED, FAILED; `error` says
    why for the last three (and for a FAILED 4xx/5xx page whose body is kept).
    `body` is the bytes as received (decompressed), empty when incomplete.
    `fetched_at` is when the last request started (UTC); `elapsed_s` runs from
    sending the first request to the end of the last one, so it includes
    retries, their backoff and redirects, but not the wait for the host's
    first politeness slot (0 when no request was sent). `attempts` counts
    requests sent for this URL (retries and redirect hops; robots.txt not).
    """

    requested_url: str
    final_url: str | None
    status: int | None
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    elapsed_s: float
    outcome: str
    error: str | None = None
    source_name: str | None = None
    redirects: list[str] = field(default_factory=list)
    attempts: int = 0
    kind: str = "article"

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def validators(self) -> Validators | None:
        return Validators.from_headers(self.headers)
