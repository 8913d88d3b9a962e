"""The HTTP fetcher: polite, bounded, and every response archived.

Interface only for now; the fetcher is being written.
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


@dataclass
class FetchedPage:
    """The raw archive record of one URL: stored before any parsing.

    `outcome` is one of FETCHED, NOT_MODIFIED, SKIPPED, FAILED; `error` says
    why for the last two. `body` is the bytes as received (decompressed).
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

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")
